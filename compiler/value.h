/* Checking one property value against its type in the grammar and writing it canonically. */
#ifndef FERRY_COMPILER_VALUE_H
#define FERRY_COMPILER_VALUE_H

#include <stdbool.h>
#include <stddef.h>

#include "grammar/schema.h"

/* How many words one value of this type takes: 0 for a flag, 3 for a schedule entry. */
int vtype_words(enum vtype t);

/* Parses TEXT as a value of P's type. On success *canon is a new canonical string.
 * On failure WHY says what is wrong and what would be right. PARTITION completes bare names. */
bool value_canonical(const struct prop_schema *p, const char *text, const char *partition,
		     char **canon, char *why, size_t why_len);

/* "/Common/x" from "x" or "/Common/x"; NULL (and WHY) when the name is malformed. */
char *path_canonical(const char *name, const char *partition, char *why, size_t why_len);
/* The last part of a path: "x" of "/Common/x". */
const char *path_basename(const char *path);
/* True when the text can be printed bare; otherwise the printer quotes it. */
bool word_is_bare(const char *s);

#endif
