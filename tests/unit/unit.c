/* The runner of tests/unit/unit.h: main runs every registered TEST and prints one protocol line each. */
#include "tests/unit/unit.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct unit_test *registered;
static size_t n_registered;

static const char *binary = "unit";
static const struct unit_test *current;
static int current_failures;

/* Failures past this many in one test are counted, not printed: one broken loop should not flood the log. */
#define MAX_PRINTED_FAILURES 20

void unit_register(struct unit_test *t)
{
	t->next = registered;
	registered = t;
	n_registered++;
}

bool unit_fail(const char *file, int line, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	/* Keep the protocol line one line whatever the message holds. */
	for (char *p = msg; *p; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';

	current_failures++;
	if (!current)
		fprintf(stdout, "FAIL %s: %s:%d: %s (outside any test)\n", binary, file, line, msg);
	else if (current_failures == 1)
		fprintf(stdout, "FAIL %s/%s: %s:%d: %s\n", binary, current->name, file, line, msg);
	else if (current_failures <= MAX_PRINTED_FAILURES)
		fprintf(stdout, "  %s:%d: %s\n", file, line, msg);
	return false;
}

/* Writes s quoted, with C escapes, cut after a couple of hundred characters. */
static void quote(char *out, size_t len, const char *s)
{
	if (!s) {
		snprintf(out, len, "NULL");
		return;
	}
	size_t o = 0;
	out[o++] = '"';
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		char esc[8];
		if (*p == '\n') strcpy(esc, "\\n");
		else if (*p == '\t') strcpy(esc, "\\t");
		else if (*p == '"') strcpy(esc, "\\\"");
		else if (*p == '\\') strcpy(esc, "\\\\");
		else if (*p < 0x20 || *p == 0x7f) snprintf(esc, sizeof esc, "\\x%02x", *p);
		else { esc[0] = (char)*p; esc[1] = 0; }
		size_t n = strlen(esc);
		if (o + n + 5 >= len) {
			strcpy(out + o, "\"...");
			return;
		}
		memcpy(out + o, esc, n);
		o += n;
	}
	out[o++] = '"';
	out[o] = 0;
}

bool unit_str_eq(const char *file, int line, const char *expr_a, const char *expr_b,
		 const char *a, const char *b)
{
	if (a == b || (a && b && strcmp(a, b) == 0))
		return true;
	char qa[300], qb[300];
	quote(qa, sizeof qa, a);
	quote(qb, sizeof qb, b);
	return unit_fail(file, line, "CHECK_STR_EQ(%s, %s): %s != %s", expr_a, expr_b, qa, qb);
}

bool unit_int_eq(const char *file, int line, const char *expr_a, const char *expr_b,
		 long long a, long long b)
{
	if (a == b)
		return true;
	return unit_fail(file, line, "CHECK_INT_EQ(%s, %s): %lld != %lld", expr_a, expr_b, a, b);
}

static int by_place(const void *x, const void *y)
{
	const struct unit_test *a = *(const struct unit_test *const *)x;
	const struct unit_test *b = *(const struct unit_test *const *)y;
	int c = strcmp(a->file, b->file);
	return c ? c : a->line - b->line;
}

static bool wanted(const char *name, int argc, char **argv)
{
	if (argc < 2)
		return true;
	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], name) == 0)
			return true;
	return false;
}

int main(int argc, char **argv)
{
	/* Line-buffered, so a crash in test N still leaves the lines of tests 1..N-1 in a log file. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	const char *slash = strrchr(argv[0], '/');
	binary = slash ? slash + 1 : argv[0];

	/* Constructors register in an order the toolchain chooses; run in source order instead. */
	struct unit_test **tests = calloc(n_registered ? n_registered : 1, sizeof *tests);
	if (!tests)
		return 2;
	size_t n = 0;
	for (struct unit_test *t = registered; t; t = t->next)
		tests[n++] = t;
	qsort(tests, n, sizeof *tests, by_place);

	for (int i = 1; i < argc; i++) {
		size_t j = 0;
		while (j < n && strcmp(tests[j]->name, argv[i]) != 0)
			j++;
		if (j == n) {
			fprintf(stderr, "%s: no test named '%s'\n", binary, argv[i]);
			free(tests);
			return 2;
		}
	}

	int failed = 0;
	for (size_t i = 0; i < n; i++) {
		if (!wanted(tests[i]->name, argc, argv))
			continue;
		current = tests[i];
		current_failures = 0;
		tests[i]->fn();
		if (current_failures == 0)
			printf("PASS %s/%s\n", binary, tests[i]->name);
		else if (current_failures > MAX_PRINTED_FAILURES)
			printf("  ... %d more failures\n", current_failures - MAX_PRINTED_FAILURES);
		if (current_failures)
			failed++;
		current = NULL;
	}
	free(tests);
	return failed ? 1 : 0;
}
