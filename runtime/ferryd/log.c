/* ferryd's log: stderr in the foreground, syslog (daemon facility) otherwise. */
#include <stdarg.h>
#include <stdio.h>
#include <syslog.h>
#include <time.h>

#include "runtime/ferryd/ferryd.h"

static bool use_syslog;

void flog_init(bool to_syslog)
{
	use_syslog = to_syslog;
	if (to_syslog)
		openlog("ferryd", LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

void flog(int prio, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	if (use_syslog) {
		vsyslog(prio, fmt, ap);
	} else {
		static const char *const lv[] = { "emerg", "alert", "crit", "error", "warning", "notice",
						  "info", "debug" };
		struct timespec ts;
		struct tm tm;
		clock_gettime(CLOCK_REALTIME, &ts);
		localtime_r(&ts.tv_sec, &tm);
		fprintf(stderr, "%02d:%02d:%02d.%03ld ferryd %s: ", tm.tm_hour, tm.tm_min, tm.tm_sec,
			ts.tv_nsec / 1000000, lv[prio & 7]);
		vfprintf(stderr, fmt, ap);
		fputc('\n', stderr);
	}
	va_end(ap);
}

long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
