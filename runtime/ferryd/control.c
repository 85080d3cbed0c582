/* ferryd's control socket: RUN_DIR/ferryd.sock, unix stream, one command line per connection,
 * the reply then end of stream. Commands: show [yaml] [TUNNEL], reload, help (docs/ferryd.md). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "compiler/util.h"
#include "runtime/ferryd/ferryd.h"
#include "runtime/ferryd_ctl.h"

#define LINE_MAX_LEN 1024
#define MAX_CLIENTS  64

struct client {
	struct evsrc ev;        /* EV_CLIENT */
	int fd;
	char in[LINE_MAX_LEN];
	size_t in_len;
	char *out;
	size_t out_len, out_off;
	long long since_ms;
	struct client *next;
};

static struct {
	struct evsrc ev;        /* EV_LISTEN */
	int fd;
	struct client *clients;
	int n_clients;
} L = { .ev = { EV_LISTEN }, .fd = -1 };

int ctl_listen(struct ferryd *d, char **err)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	if (ferryd_sock_path(d->run_dir, sa.sun_path, sizeof sa.sun_path)) {
		*err = xasprintf("%s/%s: path too long for a unix socket", d->run_dir, FERRYD_SOCK_NAME);
		return -1;
	}
	/* A socket file that answers belongs to a running ferryd; one that does not is stale. */
	char *reply = NULL;
	if (ferryd_request(d->run_dir, "help", &reply) == 0) {
		free(reply);
		*err = xasprintf("another ferryd already serves %s", sa.sun_path);
		return -1;
	}
	unlink(sa.sun_path);
	L.fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (L.fd < 0 || bind(L.fd, (struct sockaddr *)&sa, sizeof sa) < 0 || listen(L.fd, 16) < 0) {
		*err = xasprintf("%s: %s", sa.sun_path, strerror(errno));
		if (L.fd >= 0)
			close(L.fd);
		L.fd = -1;
		return -1;
	}
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = &L.ev };
	epoll_ctl(d->epfd, EPOLL_CTL_ADD, L.fd, &ev);
	return 0;
}

static void client_close(struct ferryd *d, struct client *c)
{
	epoll_ctl(d->epfd, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	for (struct client **p = &L.clients; *p; p = &(*p)->next)
		if (*p == c) {
			*p = c->next;
			break;
		}
	L.n_clients--;
	free(c->out);
	free(c);
}

void ctl_accept(struct ferryd *d)
{
	for (;;) {
		int fd = accept4(L.fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0)
			return;
		/* Too many at once: the oldest go (a client that never sends its line must not
		 * keep others out). */
		long long now = now_ms();
		for (struct client *c = L.clients, *next; c; c = next) {
			next = c->next;
			if (L.n_clients >= MAX_CLIENTS || now - c->since_ms > 30000)
				client_close(d, c);
		}
		struct client *c = xcalloc(1, sizeof *c);
		c->ev.kind = EV_CLIENT;
		c->fd = fd;
		c->since_ms = now;
		c->next = L.clients;
		L.clients = c;
		L.n_clients++;
		struct epoll_event ev = { .events = EPOLLIN, .data.ptr = &c->ev };
		epoll_ctl(d->epfd, EPOLL_CTL_ADD, fd, &ev);
	}
}

static const char help_text[] =
	"commands (one a connection):\n"
	"  show [yaml] [TUNNEL]  counters of every tunnel, or of one (by name or interface)\n"
	"  reload                re-read the configuration file; ok or error: ...\n"
	"  help                  this text\n";

static char *run_command(struct ferryd *d, char *line)
{
	char *words[4];
	int n = 0;
	for (char *save = NULL, *w = strtok_r(line, " \t\r", &save); w && n < 4; w = strtok_r(NULL, " \t\r", &save))
		words[n++] = w;
	if (n == 0)
		return xstrdup("error: empty command (try help)\n");
	if (strcmp(words[0], "help") == 0 && n == 1)
		return xstrdup(help_text);
	if (strcmp(words[0], "reload") == 0 && n == 1) {
		char *e = ferryd_reload(d);
		if (!e)
			return xstrdup("ok\n");
		char *r = xasprintf("error: %s\n", e);
		free(e);
		return r;
	}
	if (strcmp(words[0], "show") == 0 && n <= 3) {
		int i = 1;
		bool yaml = i < n && strcmp(words[i], "yaml") == 0;
		if (yaml)
			i++;
		if (n - i > 1)
			return xstrdup("error: usage: show [yaml] [TUNNEL]\n");
		char *r = fd_show(d, yaml, i < n ? words[i] : NULL);
		return r ? r : xasprintf("error: no tunnel %s\n", words[i]);
	}
	return xasprintf("error: unknown command '%s' (try help)\n", words[0]);
}

static void client_write(struct ferryd *d, struct client *c)
{
	while (c->out_off < c->out_len) {
		ssize_t w = send(c->fd, c->out + c->out_off, c->out_len - c->out_off, MSG_NOSIGNAL);
		if (w > 0) {
			c->out_off += (size_t)w;
		} else if (w < 0 && errno == EINTR) {
			continue;
		} else if (w < 0 && errno == EAGAIN) {
			struct epoll_event ev = { .events = EPOLLOUT, .data.ptr = &c->ev };
			epoll_ctl(d->epfd, EPOLL_CTL_MOD, c->fd, &ev);
			return;
		} else {
			break;
		}
	}
	client_close(d, c);
}

void ctl_client_event(struct ferryd *d, struct evsrc *ev, uint32_t events)
{
	struct client *c = (struct client *)ev;
	if (c->out) {
		client_write(d, c);
		return;
	}
	if (!(events & (EPOLLIN | EPOLLHUP | EPOLLERR)))
		return;
	ssize_t r = recv(c->fd, c->in + c->in_len, sizeof c->in - 1 - c->in_len, 0);
	if (r < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (r > 0)
		c->in_len += (size_t)r;
	c->in[c->in_len] = 0;
	char *nl = strchr(c->in, '\n');
	if (!nl && r > 0 && c->in_len < sizeof c->in - 1)
		return;   /* more to come */
	if (nl) {
		*nl = 0;
		c->out = run_command(d, c->in);
	} else if (c->in_len == sizeof c->in - 1) {
		c->out = xstrdup("error: command line too long\n");
	} else if (c->in_len) {
		c->out = run_command(d, c->in);   /* the last line without its newline */
	} else {
		client_close(d, c);
		return;
	}
	c->out_len = strlen(c->out);
	shutdown(c->fd, SHUT_RD);
	client_write(d, c);
}

void ctl_close_all(struct ferryd *d)
{
	while (L.clients)
		client_close(d, L.clients);
	if (L.fd >= 0) {
		close(L.fd);
		L.fd = -1;
		char path[sizeof ((struct sockaddr_un *)0)->sun_path];
		if (ferryd_sock_path(d->run_dir, path, sizeof path) == 0)
			unlink(path);
	}
}
