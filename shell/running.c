#include "shell/running.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "compiler/exec.h"
#include "compiler/util.h"

static void remember(struct running *r)
{
	struct stat st;
	r->seen = stat(r->path, &st) == 0;
	if (r->seen) {
		r->dev = st.st_dev;
		r->ino = st.st_ino;
		r->size = (long long)st.st_size;
		r->mtime_ns = (long long)st.st_mtim.tv_sec * 1000000000LL + st.st_mtim.tv_nsec;
	}
}

static bool changed(const struct running *r)
{
	struct stat st;
	bool exists = stat(r->path, &st) == 0;
	if (exists != r->seen)
		return true;
	return exists && (st.st_dev != r->dev || st.st_ino != r->ino || (long long)st.st_size != r->size ||
			  (long long)st.st_mtim.tv_sec * 1000000000LL + st.st_mtim.tv_nsec != r->mtime_ns);
}

int running_lock(struct running *r)
{
	if (r->lock_fd < 0)
		return -1;
	if (flock(r->lock_fd, LOCK_EX) < 0) {
		fprintf(stderr, "ferry: cannot lock config folder %s: %s\n", r->dir, strerror(errno));
		return -1;
	}
	return 0;
}

void running_unlock(struct running *r)
{
	if (r->lock_fd >= 0)
		flock(r->lock_fd, LOCK_UN);
}

/* ferry wrote the running config after validating it: its warnings were shown then. */
static int load_quietly(struct store *st, const char *path, struct diags *d)
{
	if (access(path, F_OK) != 0)
		return 0;
	bool quiet = d->quiet_warnings;
	d->quiet_warnings = true;
	int errors = config_load_file(st, path, false, d);
	d->quiet_warnings = quiet;
	return errors;
}

int running_open(struct running *r, const char *dir, struct store *st, struct diags *d)
{
	memset(r, 0, sizeof *r);
	r->dir = xstrdup(dir);
	r->path = xasprintf("%s/running.conf", dir);
	r->lock_fd = -1;
	if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
		fprintf(stderr, "ferry: cannot create config folder %s: %s (give --config-dir DIR)\n", dir,
			strerror(errno));
		return -1;
	}
	char *lock = xasprintf("%s/lock", dir);
	r->lock_fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	free(lock);
	if (r->lock_fd < 0) {
		fprintf(stderr, "ferry: cannot lock config folder %s: %s\n", dir, strerror(errno));
		return -1;
	}
	if (running_lock(r) < 0)
		return -1;
	if (load_quietly(st, r->path, d) > 0) {
		fprintf(stderr, "ferry: the running config %s does not load; fix or remove it\n", r->path);
		return -1;
	}
	remember(r);
	return 0;
}

int running_sync(struct running *r, struct store *st, struct diags *d)
{
	if (!changed(r))
		return 0;
	struct store *fresh = store_new();
	int errors = load_quietly(fresh, r->path, d);
	if (!errors)
		store_swap(st, fresh);
	store_free(fresh);
	if (errors)
		return -1;
	remember(r);
	return 1;
}

int running_save(struct running *r, const struct store *st, struct diags *d)
{
	int rc = config_save(st, r->path, d, (struct srcloc){ 0 });
	remember(r);
	return rc;
}

int running_commit(struct running *r, struct store *st, struct diags *d)
{
	if (r->kernel) {
		int rc = kernel_apply(r->kernel, st, d);
		if (rc < 0) {
			/* back to what the kernel had: the saved running config */
			store_clear(st);
			if (load_quietly(st, r->path, d) == 0 && rc == -2)
				kernel_apply(r->kernel, st, d);
			remember(r);
			return -1;
		}
	}
	return running_save(r, st, d);
}

void running_close(struct running *r)
{
	if (r->lock_fd >= 0)
		close(r->lock_fd);
	free(r->dir);
	free(r->path);
	memset(r, 0, sizeof *r);
	r->lock_fd = -1;
}
