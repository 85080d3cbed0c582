/* Diagnostics: every message names where (file:line:col, or the command) and what. */
#ifndef FERRY_COMPILER_DIAG_H
#define FERRY_COMPILER_DIAG_H

#include <stdbool.h>
#include <stdio.h>

struct srcloc {
	const char *file;   /* interned; "<command>" for -c, NULL when unknown */
	int line, col;
};

struct diags {
	FILE *out;          /* where messages go as they are reported; NULL keeps them silent */
	int errors, warnings;
	int max_errors;     /* stop collecting after this many (0 = no limit) */
	bool quiet_warnings; /* count warnings without printing them */
};

void diag_init(struct diags *d, FILE *out);
__attribute__((format(printf, 3, 4)))
void diag_error(struct diags *d, struct srcloc loc, const char *fmt, ...);
__attribute__((format(printf, 3, 4)))
void diag_warning(struct diags *d, struct srcloc loc, const char *fmt, ...);
__attribute__((format(printf, 3, 4)))
void diag_note(struct diags *d, struct srcloc loc, const char *fmt, ...);

/* File names live as long as the program: locations point at them. */
const char *intern_filename(const char *name);

#endif
