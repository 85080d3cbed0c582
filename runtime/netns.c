#include "runtime/runtime.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "compiler/util.h"

int runtime_enter_netns(const char *name, struct diags *d)
{
	static const struct srcloc noloc = { NULL, 0, 0 };
	if (!name || !name[0] || strchr(name, '/') || strcmp(name, ".") == 0 || strcmp(name, "..") == 0) {
		diag_error(d, noloc, "network namespace '%s': not a valid name", name ? name : "");
		return -1;
	}
	char *path = xasprintf("/var/run/netns/%s", name);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		int e = errno;
		if (e == ENOENT)
			diag_error(d, noloc, "network namespace '%s' does not exist (no %s; make it with: ip netns add %s)",
				   name, path, name);
		else
			diag_error(d, noloc, "network namespace '%s': cannot open %s: %s", name, path, strerror(e));
		free(path);
		return -1;
	}
	int r = setns(fd, CLONE_NEWNET);
	int e = errno;
	close(fd);
	if (r < 0)
		diag_error(d, noloc, "network namespace '%s': cannot enter it: %s%s", name, strerror(e),
			   e == EPERM ? " (entering a namespace needs CAP_SYS_ADMIN)" : e == EINVAL ? " (not a network namespace)" : "");
	free(path);
	return r < 0 ? -1 : 0;
}
