/* The kernel side of a ferry run: lower the config, make the namespace match it, keep ferryd in
 * step. Only a run given --netns NAME (or --kernel) has one; without it ferry changes no kernel. */
#ifndef FERRY_SHELL_KERNEL_H
#define FERRY_SHELL_KERNEL_H

#include <stdbool.h>

#include "compiler/diag.h"
#include "compiler/plan.h"
#include "compiler/store.h"

struct kernel_site {
	char *netns;              /* NULL: the namespace ferry runs in */
	char *run_dir;            /* /run/ferry/NAME: ferryd's pid file, socket and configuration */
	char *ferryd_conf;
	struct plan last;         /* what this process applied last: the next apply reads only what differs */
	bool have_last;
};

/* Enters NETNS (NULL: stay) and prepares the run folder. 0, or -1 with the reason reported. */
int kernel_open(struct kernel_site *k, const char *netns, struct diags *d);
void kernel_close(struct kernel_site *k);

/* ST is what the kernel accepted last (the running config): the next apply reads only the routes
 * that differ from it. Not for a repair (--apply), which must read everything. */
void kernel_baseline(struct kernel_site *k, const struct store *st);

/* Makes the kernel and ferryd match ST. 0: done. -1: the kernel refused and is as it was.
 * -2: the kernel took it but ferryd did not; the caller puts the old config back. */
int kernel_apply(struct kernel_site *k, const struct store *st, struct diags *d);

#endif
