/* Validation across objects: references, addresses, uniqueness and the semantic rules. */
#ifndef FERRY_COMPILER_VALIDATE_H
#define FERRY_COMPILER_VALIDATE_H

#include "compiler/diag.h"
#include "compiler/store.h"

/* Checks every object; returns the number of errors reported. */
int validate_all(const struct store *s, struct diags *d);
/* Checks what the journal changed: each new or modified object, and each object whose validity
 * depended on one that was replaced or removed. Returns the number of errors reported. */
int validate_journal(const struct store *s, const struct journal *j, struct diags *d);

#endif
