/* Completion with a large store, measured in-process: bench_complete CONFIG prints one line per
 * measurement, "NAME MS" (best of the runs), for tests/bench/bench-complete.sh to format. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "compiler/exec.h"
#include "shell/complete.h"

static double now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

/* The best of RUNS completions of TEXT; *TOTAL is how many words matched. */
static double best(const struct session *s, const char *text, int runs, size_t *total)
{
	double min = 1e9;
	for (int i = 0; i < runs; i++) {
		struct completion c;
		double t0 = now_ms();
		complete(text, strlen(text), s, NULL, &c);
		double t = now_ms() - t0;
		*total = c.total;
		completion_free(&c);
		if (t < min)
			min = t;
	}
	return min;
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: bench_complete CONFIG\n");
		return 2;
	}
	struct diags d;
	diag_init(&d, stderr);
	struct store *st = store_new();
	if (config_load_file(st, argv[1], false, &d))
		return 1;
	struct session s;
	session_init(&s, st, &d, stdout);
	size_t total = 0;
	printf("objects %zu\n", st->count);
	/* the first completion after a change sorts the kind's names once */
	double t0 = now_ms();
	complete_index_build(st);
	printf("index %.3f\n", now_ms() - t0);
	static const struct { const char *name, *text; } cases[] = {
		{ "tab-name", "modify net route r4242" },
		{ "tab-name-all", "modify net route r" },
		{ "help-modify-route", "modify net route " },
		{ "tab-vlan-ref", "create net self 10.9.9.1/24 vlan v40" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		double ms = best(&s, cases[i].text, 50, &total);
		printf("%s %.3f %zu\n", cases[i].name, ms, total);
	}
	/* one more route: the routes' index is sorted again (the shell does it right after the
	 * command), the other kinds' are kept */
	const char *more = "create net route extra network 10.200.0.0/16 blackhole";
	double t1 = now_ms();
	session_run_text(&s, more, strlen(more), "<bench>", true);
	printf("create-route %.3f\n", now_ms() - t1);
	t1 = now_ms();
	complete_index_build(st);
	printf("rebuild %.3f\n", now_ms() - t1);
	double ms = best(&s, "modify net route r4242", 50, &total);
	printf("tab-after-change %.3f %zu\n", ms, total);
	session_free(&s);
	store_free(st);
	return 0;
}
