/* Client of ferryd's control socket: see runtime/ferryd_ctl.h. */
#include "runtime/ferryd_ctl.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>

int ferryd_sock_path(const char *run_dir, char *buf, size_t size)
{
	int n = snprintf(buf, size, "%s/%s", run_dir, FERRYD_SOCK_NAME);
	if (n < 0 || (size_t)n >= size || (size_t)n >= sizeof ((struct sockaddr_un *)0)->sun_path) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Waits for EVENTS on FD until DEADLINE; 0 when ready, -1 (ETIMEDOUT or poll's errno). */
static int wait_fd(int fd, short events, long long deadline)
{
	for (;;) {
		long long left = deadline - now_ms();
		if (left <= 0) {
			errno = ETIMEDOUT;
			return -1;
		}
		struct pollfd p = { .fd = fd, .events = events };
		int r = poll(&p, 1, (int)left);
		if (r > 0)
			return 0;
		if (r < 0 && errno != EINTR)
			return -1;
	}
}

int ferryd_request(const char *run_dir, const char *cmd, char **reply)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	*reply = NULL;
	if (ferryd_sock_path(run_dir, sa.sun_path, sizeof sa.sun_path))
		return -1;
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -1;
	long long deadline = now_ms() + FERRYD_CTL_TIMEOUT_MS;
	int err = 0;
	char *buf = NULL;
	size_t len = 0, cap = 0;
	if (connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
		if (errno != EINPROGRESS && errno != EAGAIN) {
			err = errno;
			goto out;
		}
		if (wait_fd(fd, POLLOUT, deadline)) {
			err = errno;
			goto out;
		}
	}
	size_t clen = strlen(cmd), off = 0;
	char *line = malloc(clen + 2);
	if (!line) {
		err = ENOMEM;
		goto out;
	}
	memcpy(line, cmd, clen);
	line[clen] = '\n';
	while (off < clen + 1) {
		ssize_t w = send(fd, line + off, clen + 1 - off, MSG_NOSIGNAL);
		if (w > 0) {
			off += (size_t)w;
		} else if (w < 0 && errno == EAGAIN) {
			if (wait_fd(fd, POLLOUT, deadline)) {
				err = errno;
				break;
			}
		} else if (w < 0 && errno != EINTR) {
			err = errno;
			break;
		}
	}
	free(line);
	if (err)
		goto out;
	for (;;) {
		if (cap - len < 4096) {
			cap = cap ? cap * 2 : 8192;
			char *nb = realloc(buf, cap);
			if (!nb) {
				err = ENOMEM;
				goto out;
			}
			buf = nb;
		}
		ssize_t r = recv(fd, buf + len, cap - len - 1, 0);
		if (r > 0) {
			len += (size_t)r;
		} else if (r == 0) {
			break;
		} else if (errno == EAGAIN) {
			if (wait_fd(fd, POLLIN, deadline)) {
				err = errno;
				goto out;
			}
		} else if (errno != EINTR) {
			err = errno;
			goto out;
		}
	}
	buf[len] = 0;
	*reply = buf;
	buf = NULL;
out:
	free(buf);
	close(fd);
	if (err) {
		errno = err;
		return -1;
	}
	return 0;
}
