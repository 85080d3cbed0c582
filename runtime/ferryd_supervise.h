/* Supervision of ferryd for one network namespace: what an apply does once the kernel side is
 * done — give ferryd the plan's configuration (start it, or reload it), or stop it when the plan
 * needs none. The control client is runtime/ferryd_ctl.h; ferryd itself is docs/ferryd.md. */
#ifndef FERRY_RUNTIME_FERRYD_SUPERVISE_H
#define FERRY_RUNTIME_FERRYD_SUPERVISE_H

#include <stdbool.h>

struct ferryd_site {
	const char *netns;      /* the namespace's name (/run/netns/NAME); NULL: the caller's own */
	const char *run_dir;    /* ferryd.pid and ferryd.sock */
	const char *config;     /* the YAML file ferryd reads */
	const char *ferryd;     /* the binary; NULL: $FERRYD, else ferryd beside the running program,
				 * else ferryd on the PATH */
};

/* Makes the site's ferryd run YAML (plan.ferryd_yaml):
 *   YAML NULL           stop ferryd if it runs, remove the file;
 *   same file, running  nothing (a second apply changes nothing);
 *   running             write the file, reload; refused: the old file is put back, ferryd runs on;
 *   not running         write the file, start ferryd (returns once it serves, or has failed:
 *                       then the old file is put back, or removed).
 * 0, or -1 with *ERR a malloc'd message (ferryd's own reason when it refused). */
int ferryd_sync(const struct ferryd_site *s, const char *yaml, char **err);

/* SIGTERM, wait up to 30 s, then SIGKILL. 0 also when none was running. */
int ferryd_stop(const struct ferryd_site *s, char **err);

/* A ferryd answers on RUN_DIR's control socket. */
bool ferryd_running(const char *run_dir);

#endif
