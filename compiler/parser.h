/* Parsing commands and saved-format statements into struct command. */
#ifndef FERRY_COMPILER_PARSER_H
#define FERRY_COMPILER_PARSER_H

#include <stdbool.h>

#include "compiler/command.h"
#include "compiler/lexer.h"

struct parse_ctx {
	const char *module;        /* the shell's current module ("net"), or a kind ("net vlan-group")
				    * whose commands leave the kind out; "" or NULL at the root */
	const char *partition;     /* completes bare names: "Common" */
	bool skip_unsupported;     /* unknown kinds and properties in brace blocks: warn and skip */
	struct diags *diags;
};

/* Parses the next command or statement. 1: *CMD holds it; 0: end of input; -1: an error was
 * reported and the input skipped to the next statement. When LX->record is set, CMD->text is the
 * command on one line (what a cli transaction queues); the record buffer is reused each time. */
int parse_command(struct lexer *lx, const struct parse_ctx *ctx, struct command *cmd);

#endif
