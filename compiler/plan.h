/* The plan: the kernel state a config implies. The compiler's lowering fills it from the store;
 * the runtime diffs it against the kernel and applies the difference. Nothing in here knows tmsh,
 * and nothing in the runtime needs the store. */
#ifndef FERRY_COMPILER_PLAN_H
#define FERRY_COMPILER_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "compiler/addr.h"

#define PLAN_IFNAMSIZ 16           /* IFNAMSIZ: 15 characters and the NUL */
#define FERRY_ALIAS_PREFIX "ferry:" /* link alias "ferry:/Common/x": the ownership mark */
#define FERRY_RT_PROTO 77          /* route protocol of ferry's routes: unused in rt_protos (docs/lowering.md) */

enum plan_link_kind {
	PL_PHYSICAL,     /* an interface ferry does not create: only enslaved and set up */
	PL_BRIDGE,       /* a VLAN, or a VLAN group */
	PL_VLAN,         /* 802.1Q sub-interface of parent, id vlan_id */
	PL_VXLAN,
	PL_GENEVE,
	PL_GRE,          /* gre or ip6gre, by the family of local */
	PL_GRETAP,       /* gretap or ip6gretap */
	PL_IPIP,         /* ipip, or ip6tnl for IPv6 */
	PL_TAP,          /* an EtherIP tunnel's TAP device, carried by ferryd */
};

struct plan_link {
	char name[PLAN_IFNAMSIZ];
	enum plan_link_kind kind;
	char *owner;                   /* "/Common/vlan-eip1": alias is FERRY_ALIAS_PREFIX owner */
	char parent[PLAN_IFNAMSIZ];    /* PL_VLAN: the lower device */
	int vlan_id;                   /* PL_VLAN */
	char master[PLAN_IFNAMSIZ];    /* the bridge it is a port of, "" for none */
	int mtu;                       /* 0: the kernel's default */
	bool has_mac;
	uint8_t mac[6];                /* mac-masquerade */
	/* tunnels */
	struct ipaddr local, remote;   /* remote.family 0: any */
	uint32_t key;                  /* GRE key, VXLAN/Geneve VNI */
	bool has_key;
	int tos;                       /* -1: inherit (preserve) */
	uint16_t dstport;              /* VXLAN 4789, Geneve 6081 */
	/* bridges */
	bool proxy_arp;                /* opaque VLAN group: no forwarding, proxy ARP on the ports */
};

struct plan_addr {
	char dev[PLAN_IFNAMSIZ];
	struct ipprefix prefix;        /* the self IP's address with its length */
	char *owner;                   /* "/Common/10.1.1.1" */
};

struct plan_route {
	struct ipprefix dst;
	bool has_gw;
	struct ipaddr gw;
	char dev[PLAN_IFNAMSIZ];       /* interface routes, "" otherwise */
	bool blackhole;
	int mtu;                       /* 0: none */
	char *owner;                   /* "/Common/to-remote-eip" */
};

struct plan {
	struct plan_link *links;       /* in dependency order: a link's parent and master come first */
	size_t n_links;
	struct plan_addr *addrs;
	size_t n_addrs;
	struct plan_route *routes;
	size_t n_routes;
	char *nft_ruleset;             /* the whole "table inet ferry" for port lockdown, or NULL */
	char *ferryd_yaml;             /* ferryd's configuration, or NULL when nothing needs ferryd */
};

void plan_free(struct plan *p);
/* The kernel's IFLA_INFO_KIND for a plan link ("tun" for a TAP, "" for a physical interface); the
 * tunnel kinds follow the family of the ends (gre or ip6gre...). */
const char *plan_link_kind(const struct plan_link *pl);
/* The family of a tunnel's ends (local first, then remote; IPv4 when neither is set). */
int plan_tunnel_family(const struct plan_link *pl);

#endif
