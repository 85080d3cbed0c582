/* The running config: what earlier invocations and sessions built, kept in the config folder as
 * running.conf. One writer at a time: a lock file in the folder. A command run (-c, -f, stdin)
 * holds the lock from start to end; the interactive shell takes it for each line it runs, reloads
 * running.conf first when another ferry changed it, and saves it after each change. */
#ifndef FERRY_SHELL_RUNNING_H
#define FERRY_SHELL_RUNNING_H

#include <stdbool.h>
#include <sys/types.h>

#include "compiler/diag.h"
#include "compiler/store.h"
#include "shell/kernel.h"

struct running {
	char *dir, *path;
	int lock_fd;
	bool seen;                 /* the file's identity when this process last read or wrote it */
	dev_t dev;
	ino_t ino;
	long long size, mtime_ns;
	struct kernel_site *kernel; /* set: a change reaches the kernel before it is saved */
};

/* Creates the folder, takes the lock and loads running.conf into ST; -1 after printing why. */
int running_open(struct running *r, const char *dir, struct store *st, struct diags *d);
int running_lock(struct running *r);
void running_unlock(struct running *r);
/* Under the lock: reloads ST when running.conf changed since this process last saw it.
 * 1: reloaded; 0: unchanged; -1: it does not load (ST unchanged, errors reported). */
int running_sync(struct running *r, struct store *st, struct diags *d);
int running_save(struct running *r, const struct store *st, struct diags *d);
/* Keeps a change: the kernel first (when the run has one), then running.conf. If the kernel (or
 * ferryd) refuses, ST is put back to running.conf as it was and -1 returned: the running config
 * is what the kernel accepted last. */
int running_commit(struct running *r, struct store *st, struct diags *d);
void running_close(struct running *r);

#endif
