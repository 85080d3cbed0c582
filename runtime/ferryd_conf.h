/* ferryd's configuration file: YAML the compiler writes (compiler/lower.c, lower_ferryd), read with
 * libyaml. The format is in docs/ferryd.md. Anything unknown or out of range refuses the whole
 * file with a message naming the place (file:line:column) and the tunnel. */
#ifndef FERRY_RUNTIME_FERRYD_CONF_H
#define FERRY_RUNTIME_FERRYD_CONF_H

#include <stddef.h>

#include "compiler/addr.h"

#define FERRYD_CONF_VERSION 1

struct ferryd_tunnel_conf {
	char *name;               /* "/Common/eip": the tunnel's tmsh path */
	char ifname[16];          /* the TAP device */
	struct ipaddr local, remote;
};

struct ferryd_conf {
	struct ferryd_tunnel_conf *tunnels;
	size_t n_tunnels;
};

/* Parses TEXT (LEN bytes); ORIGIN names it in messages. 0 on success; else -1 and *ERR is a
 * malloc'd one-line message. OUT is untouched on failure. */
int ferryd_conf_parse(const char *text, size_t len, const char *origin, struct ferryd_conf *out,
		      char **err);
/* Reads and parses PATH. */
int ferryd_conf_load(const char *path, struct ferryd_conf *out, char **err);
void ferryd_conf_free(struct ferryd_conf *c);

/* A usable interface name: 1..15 bytes, none of them '/', ':', whitespace or control. */
int ferryd_ifname_ok(const char *s);

#endif
