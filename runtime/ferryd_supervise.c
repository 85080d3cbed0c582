/* Starting, reloading and stopping ferryd: see runtime/ferryd_supervise.h. */
#include "runtime/ferryd_supervise.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "compiler/util.h"
#include "runtime/ferryd_ctl.h"

bool ferryd_running(const char *run_dir)
{
	char *reply = NULL;
	bool up = ferryd_request(run_dir, "help", &reply) == 0;
	free(reply);
	return up;
}

static const char *ferryd_binary(const struct ferryd_site *s, char *buf, size_t size)
{
	if (s->ferryd)
		return s->ferryd;
	const char *env = getenv("FERRYD");
	if (env && *env)
		return env;
	ssize_t n = readlink("/proc/self/exe", buf, size - 8);
	if (n > 0) {
		buf[n] = 0;
		char *slash = strrchr(buf, '/');
		if (slash) {
			strcpy(slash + 1, "ferryd");
			if (access(buf, X_OK) == 0)
				return buf;
		}
	}
	return "ferryd";
}

/* Runs ferryd (detaching) in the site's namespace; its stderr becomes *ERR on failure. */
static int start(const struct ferryd_site *s, char **err)
{
	char path[PATH_MAX];
	const char *bin = ferryd_binary(s, path, sizeof path);
	int pipefd[2];
	if (pipe2(pipefd, O_CLOEXEC) < 0) {
		*err = xasprintf("ferryd: pipe: %s", strerror(errno));
		return -1;
	}
	pid_t pid = fork();
	if (pid < 0) {
		*err = xasprintf("ferryd: fork: %s", strerror(errno));
		close(pipefd[0]);
		close(pipefd[1]);
		return -1;
	}
	if (pid == 0) {
		dup2(pipefd[1], 2);
		int nul = open("/dev/null", O_RDWR);
		if (nul >= 0) {
			dup2(nul, 0);
			dup2(nul, 1);
		}
		if (s->netns && *s->netns) {
			char ns[PATH_MAX];
			snprintf(ns, sizeof ns, "/run/netns/%s", s->netns);
			int fd = open(ns, O_RDONLY | O_CLOEXEC);
			if (fd < 0 || setns(fd, CLONE_NEWNET) < 0) {
				fprintf(stderr, "network namespace %s: %s\n", s->netns, strerror(errno));
				_exit(1);
			}
		}
		execlp(bin, bin, "--config", s->config, "--run-dir", s->run_dir, (char *)NULL);
		fprintf(stderr, "%s: %s\n", bin, strerror(errno));
		_exit(127);
	}
	close(pipefd[1]);
	char msg[2048];
	size_t len = 0;
	ssize_t r;
	while ((r = read(pipefd[0], msg + len, sizeof msg - 1 - len)) > 0 || (r < 0 && errno == EINTR))
		if (r > 0)
			len += (size_t)r;
	close(pipefd[0]);
	msg[len] = 0;
	while (len && msg[len - 1] == '\n')
		msg[--len] = 0;
	int st;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
		return 0;
	*err = len ? xstrdup(msg) : xasprintf("ferryd: did not start (status %d)", st);
	return -1;
}

int ferryd_stop(const struct ferryd_site *s, char **err)
{
	char pidpath[PATH_MAX];
	snprintf(pidpath, sizeof pidpath, "%s/%s", s->run_dir, FERRYD_PID_NAME);
	char *text = read_file(pidpath, NULL);
	if (!text)
		return 0;            /* none running (or it never wrote one) */
	long pid = strtol(text, NULL, 10);
	free(text);
	if (pid <= 1 || kill((pid_t)pid, SIGTERM) < 0) {
		unlink(pidpath);     /* stale */
		return 0;
	}
	/* Closing the TAPs it made takes the rtnl lock: a host busy making links can hold it long. */
	for (int i = 0; i < 600; i++) {
		if (kill((pid_t)pid, 0) < 0)
			return 0;
		struct timespec ts = { 0, 50 * 1000 * 1000 };
		nanosleep(&ts, NULL);
	}
	kill((pid_t)pid, SIGKILL);
	*err = xasprintf("ferryd (pid %ld) did not stop within 30 s: killed", pid);
	return -1;
}

int ferryd_sync(const struct ferryd_site *s, const char *yaml, char **err)
{
	*err = NULL;
	if (!yaml) {
		int rc = ferryd_stop(s, err);
		if (unlink(s->config) < 0 && errno != ENOENT && rc == 0) {
			*err = xasprintf("%s: %s", s->config, strerror(errno));
			rc = -1;
		}
		return rc;
	}
	size_t oldlen = 0;
	char *old = read_file(s->config, &oldlen);
	bool up = ferryd_running(s->run_dir);
	if (up && old && oldlen == strlen(yaml) && memcmp(old, yaml, oldlen) == 0) {
		free(old);
		return 0;
	}
	if (mkdir(s->run_dir, 0755) < 0 && errno != EEXIST) {
		*err = xasprintf("%s: %s", s->run_dir, strerror(errno));
		free(old);
		return -1;
	}
	if (write_file_atomic(s->config, yaml, strlen(yaml)) < 0) {
		*err = xasprintf("%s: %s", s->config, strerror(errno));
		free(old);
		return -1;
	}
	int rc;
	if (up) {
		char *reply = NULL;
		if (ferryd_request(s->run_dir, "reload", &reply) < 0) {
			*err = xasprintf("ferryd: reload: no answer: %s", strerror(errno));
			rc = -1;
		} else if (strcmp(reply, "ok\n") != 0) {
			size_t n = strlen(reply);
			while (n && reply[n - 1] == '\n')
				reply[--n] = 0;
			*err = xasprintf("ferryd refused the configuration: %s",
					 strncmp(reply, "error: ", 7) == 0 ? reply + 7 : reply);
			rc = -1;
		} else {
			rc = 0;
		}
		free(reply);
		/* Refused: the file goes back to what ferryd runs. */
		if (rc < 0 && old)
			write_file_atomic(s->config, old, oldlen);
	} else {
		rc = start(s, err);
		if (rc < 0) {        /* not running it: the file goes back too */
			if (old)
				write_file_atomic(s->config, old, oldlen);
			else
				unlink(s->config);
		}
	}
	free(old);
	return rc;
}
