/* The config as YAML (libyaml), and back: conf -> yaml -> conf is byte-identical. */
#ifndef FERRY_COMPILER_YAML_H
#define FERRY_COMPILER_YAML_H

#include <stddef.h>

#include "compiler/command.h"
#include "compiler/store.h"
#include "compiler/util.h"

/* Every object, in the same order as the saved format. Returns 0, or -1 if libyaml failed. */
int yaml_write_store(struct strbuf *sb, const struct store *s);

/* Reads YAML written by yaml_write_store (or by hand) into define statements, typed and
 * canonicalised through the grammar like the saved format. Returns the number of errors. */
int yaml_read_commands(const char *text, size_t len, const char *file, const char *partition,
		       struct diags *d, struct command **cmds, size_t *n);

#endif
