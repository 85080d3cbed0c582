/* Help text, all of it read from the grammar. */
#ifndef FERRY_COMPILER_HELP_H
#define FERRY_COMPILER_HELP_H

#include <stddef.h>
#include <stdio.h>

#include "grammar/schema.h"

/* help, help COMMAND, help MODULE [KIND]; MODULE is the shell's current module for relative names. */
void help_print(FILE *out, const char *const *words, size_t n, const char *module);
void help_kind(FILE *out, const struct kind_schema *k);
/* The whole grammar as Markdown: docs/grammar.md is this output, checked by the tests. */
void help_reference_markdown(FILE *out);

#endif
