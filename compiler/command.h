/* One parsed command: what the parser hands to the executor. */
#ifndef FERRY_COMPILER_COMMAND_H
#define FERRY_COMPILER_COMMAND_H

#include <stdbool.h>
#include <stddef.h>

#include "compiler/diag.h"
#include "grammar/schema.h"

enum verb {
	CMD_CREATE, CMD_MODIFY, CMD_DELETE, CMD_DEFINE /* a saved-format statement */,
	CMD_LIST, CMD_SHOW, CMD_SAVE, CMD_LOAD, CMD_EDIT, CMD_RUN, CMD_SUBMIT,
	CMD_CD, CMD_HELP, CMD_QUIT, CMD_EXIT, CMD_MODULE /* a bare module: enter it */,
	CMD_SKIPPED /* a statement --skip-unsupported passed over */,
};

enum prop_opcode {
	OP_SET,       /* scalar value, or a list given whole as { ... } */
	OP_CLEAR,     /* none */
	OP_ADD,       /* add { } */
	OP_DELETE,    /* delete { } */
	OP_REPLACE,   /* replace-all-with { } */
	OP_MODIFY,    /* modify { item { attrs } } */
	OP_KEYWORD,   /* a list's keyword form: allow-service all */
};

struct prop_op;

struct item_op {
	char *key;
	struct srcloc loc;
	struct prop_op *attrs;
	size_t n_attrs;
};

struct prop_op {
	const struct prop_schema *prop;
	enum prop_opcode op;
	struct srcloc loc;
	char *text;                   /* canonical scalar or keyword */
	struct item_op *items;
	size_t n_items;
};

struct command {
	enum verb verb;
	struct srcloc loc;
	const struct kind_schema *kind;   /* NULL for module-wide list/show and other verbs */
	char *module;                     /* the module reached: "net", "" for the root */
	char **names;                     /* canonical paths */
	struct srcloc *name_locs;
	size_t n_names;
	struct prop_op *ops;
	size_t n_ops;
	bool one_line, all_properties, merge, verify;
	char *file;                       /* save/load ... file F */
	char **words;                     /* run/help/cd/show/cli...: the words after the verb */
	size_t n_words;
	char *text;                       /* parse_ctx.keep_text: the command on one line, as typed */
};

void command_free(struct command *c);
const char *verb_word(enum verb v);

#endif
