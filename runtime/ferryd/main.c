/* ferryd --config FILE --run-dir DIR [--foreground]
 * ferryd --run-dir DIR --ctl COMMAND...
 *
 * The first form runs the dataplane: the pid file DIR/ferryd.pid, the control socket
 * DIR/ferryd.sock, SIGHUP reloads, SIGTERM/SIGINT end it cleanly. Without --foreground it
 * detaches and returns once it is serving (exit status 0) or has failed (1, the reason on stderr),
 * and logs to syslog. The second form is the control client (runtime/ferryd_ctl.c): it prints
 * ferryd's reply; exit status 0, 1 when the reply is an error, 2 when ferryd cannot be reached. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/stat.h>

#include "compiler/util.h"
#include "runtime/ferryd/ferryd.h"
#include "runtime/ferryd_ctl.h"

static struct ferryd D;
static struct evsrc sig_ev = { EV_SIGNAL };

static void usage(FILE *f)
{
	fprintf(f, "usage: ferryd --config FILE --run-dir DIR [--foreground] [--no-offload]\n"
		   "       ferryd --run-dir DIR --ctl COMMAND...   (show [yaml] [TUNNEL], reload, help)\n");
}

char *ferryd_reload(struct ferryd *d)
{
	struct ferryd_conf conf;
	char *err = NULL;
	if (ferryd_conf_load(d->config_path, &conf, &err) == 0) {
		if (fd_apply(d, &conf, &err) == 0) {
			d->reloads++;
			d->last_reload_error[0] = 0;
			flog(LOG_INFO, "configuration %s loaded: %zu EtherIP tunnel%s", d->config_path,
			     conf.n_tunnels, conf.n_tunnels == 1 ? "" : "s");
			ferryd_conf_free(&conf);
			return NULL;
		}
		ferryd_conf_free(&conf);
	}
	snprintf(d->last_reload_error, sizeof d->last_reload_error, "%s", err);
	flog(LOG_ERR, "reload refused, the running configuration stays: %s", err);
	return err;
}

static int ctl_main(const char *run_dir, int argc, char **argv)
{
	struct strbuf cmd;
	sb_init(&cmd);
	for (int i = 0; i < argc; i++) {
		if (i)
			sb_putc(&cmd, ' ');
		sb_puts(&cmd, argv[i]);
	}
	char *reply;
	int rc = ferryd_request(run_dir, cmd.buf ? cmd.buf : "", &reply);
	sb_free(&cmd);
	if (rc < 0) {
		fprintf(stderr, "ferryd: no answer on %s/%s: %s\n", run_dir, FERRYD_SOCK_NAME, strerror(errno));
		return 2;
	}
	fputs(reply, stdout);
	rc = strncmp(reply, "error:", 6) == 0 ? 1 : 0;
	free(reply);
	return rc;
}

static char pid_path[4096];

static int write_pid(char **err)
{
	snprintf(pid_path, sizeof pid_path, "%s/%s", D.run_dir, FERRYD_PID_NAME);
	char buf[32];
	int n = snprintf(buf, sizeof buf, "%ld\n", (long)getpid());
	if (write_file_atomic(pid_path, buf, (size_t)n) < 0) {
		*err = xasprintf("%s: %s", pid_path, strerror(errno));
		pid_path[0] = 0;
		return -1;
	}
	return 0;
}

/* Everything up to serving: run dir, configuration, tunnels, control socket, pid file. */
static int start(char **err)
{
	if (mkdir(D.run_dir, 0755) < 0 && errno != EEXIST) {
		*err = xasprintf("%s: %s", D.run_dir, strerror(errno));
		return -1;
	}
	if (fd_init(&D) < 0) {
		*err = xasprintf("epoll: %s", strerror(errno));
		return -1;
	}
	if (ctl_listen(&D, err) < 0)
		return -1;
	struct ferryd_conf conf;
	if (ferryd_conf_load(D.config_path, &conf, err) < 0)
		return -1;
	int rc = fd_apply(&D, &conf, err);
	if (rc == 0)
		flog(LOG_INFO, "serving %zu EtherIP tunnel%s from %s", conf.n_tunnels,
		     conf.n_tunnels == 1 ? "" : "s", D.config_path);
	ferryd_conf_free(&conf);
	if (rc < 0)
		return -1;
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigprocmask(SIG_BLOCK, &set, NULL);
	int sfd = D.sigfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = &sig_ev };
	if (sfd < 0 || epoll_ctl(D.epfd, EPOLL_CTL_ADD, sfd, &ev) < 0) {
		*err = xasprintf("signalfd: %s", strerror(errno));
		return -1;
	}
	return write_pid(err);
}

static void on_signal(int sfd)
{
	struct signalfd_siginfo si;
	while (read(sfd, &si, sizeof si) == (ssize_t)sizeof si) {
		if (si.ssi_signo == SIGHUP) {
			flog(LOG_INFO, "SIGHUP: reloading %s", D.config_path);
			free(ferryd_reload(&D));
		} else {
			flog(LOG_INFO, "%s: stopping", strsignal((int)si.ssi_signo));
			D.stop = true;
		}
	}
}

static void loop(void)
{
	struct epoll_event evs[64];
	while (!D.stop) {
		int n = epoll_wait(D.epfd, evs, 64, -1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			flog(LOG_ERR, "epoll_wait: %s", strerror(errno));
			break;
		}
		for (int i = 0; i < n && !D.stop; i++) {
			struct evsrc *e = evs[i].data.ptr;
			switch (e->kind) {
			case EV_TAP:
				fd_tap_ready(&D, (struct tunnel *)e);
				break;
			case EV_SOCK:
				if (evs[i].events & EPOLLOUT)
					fd_sock_writable(&D, (struct lsock *)e);
				if (evs[i].events & (EPOLLIN | EPOLLERR))
					fd_sock_readable(&D, (struct lsock *)e);
				break;
			case EV_LISTEN:
				ctl_accept(&D);
				break;
			case EV_CLIENT:
				/* A reload may free tunnels later events point at: the rest of
				 * this round is dropped, and epoll reports what is still ready. */
				ctl_client_event(&D, e, evs[i].events);
				n = 0;
				break;
			case EV_SIGNAL:
				on_signal(D.sigfd);
				n = 0;
				break;
			}
		}
	}
}

static void stop_all(void)
{
	ctl_close_all(&D);
	fd_shutdown(&D);
	if (pid_path[0])
		unlink(pid_path);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, 0, 'c' },
		{ "run-dir", required_argument, 0, 'r' },
		{ "foreground", no_argument, 0, 'f' },
		{ "ctl", no_argument, 0, 'C' },
		{ "no-offload", no_argument, 0, 'O' },
		{ "help", no_argument, 0, 'h' },
		{ "version", no_argument, 0, 'V' },
		{ 0, 0, 0, 0 },
	};
	bool ctl = false;
	int o;
	while (!ctl && (o = getopt_long(argc, argv, "+c:r:fh", opts, NULL)) != -1) {
		switch (o) {
		case 'c': D.config_path = optarg; break;
		case 'r': D.run_dir = optarg; break;
		case 'f': D.foreground = true; break;
		case 'C': ctl = true; break;
		case 'O': D.no_offload = true; break;
		case 'h': usage(stdout); return 0;
		case 'V': printf("ferryd %s\n", FERRY_VERSION); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (ctl) {
		if (!D.run_dir || optind >= argc) {
			usage(stderr);
			return 2;
		}
		return ctl_main(D.run_dir, argc - optind, argv + optind);
	}
	if (!D.config_path || !D.run_dir || optind != argc) {
		usage(stderr);
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);

	int ready[2] = { -1, -1 };
	if (!D.foreground) {
		/* Detach; the parent waits for the child's word: "" ready, or the error. */
		if (pipe2(ready, O_CLOEXEC) < 0) {
			perror("ferryd: pipe");
			return 1;
		}
		pid_t pid = fork();
		if (pid < 0) {
			perror("ferryd: fork");
			return 1;
		}
		if (pid > 0) {
			close(ready[1]);
			char msg[1024];
			ssize_t n = 0, r;
			while ((r = read(ready[0], msg + n, sizeof msg - 1 - (size_t)n)) > 0)
				n += r;
			msg[n > 0 ? n : 0] = 0;
			if (n <= 0) {
				fprintf(stderr, "ferryd: the daemon ended before it was ready\n");
				return 1;
			}
			if (msg[0] != '+') {
				fprintf(stderr, "ferryd: %s\n", msg + 1);
				return 1;
			}
			return 0;
		}
		close(ready[0]);
		setsid();
		int nul = open("/dev/null", O_RDWR);
		if (nul >= 0) {
			dup2(nul, 0);
			dup2(nul, 1);
			dup2(nul, 2);
			if (nul > 2)
				close(nul);
		}
		flog_init(true);
	} else {
		flog_init(false);
	}

	char *err = NULL;
	if (start(&err) < 0) {
		flog(LOG_ERR, "%s", err);
		if (ready[1] >= 0) {
			char *m = xasprintf("-%s", err);
			if (write(ready[1], m, strlen(m)) < 0)
				flog(LOG_ERR, "could not tell the parent");
			free(m);
		}
		free(err);
		stop_all();
		return 1;
	}
	if (ready[1] >= 0) {
		if (write(ready[1], "+", 1) < 0)
			flog(LOG_ERR, "could not tell the parent");
		close(ready[1]);
	}
	flog(LOG_INFO, "ready: pid %ld, control socket %s/%s", (long)getpid(), D.run_dir, FERRYD_SOCK_NAME);
	loop();
	stop_all();
	flog(LOG_INFO, "stopped");
	return 0;
}
