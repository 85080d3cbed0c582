/* Tokens of tmsh command lines and of the saved brace format: one lexer serves both. */
#ifndef FERRY_COMPILER_LEXER_H
#define FERRY_COMPILER_LEXER_H

#include <stdbool.h>
#include <stddef.h>

#include "compiler/diag.h"

enum tok_type {
	T_EOF,
	T_WORD,      /* bare word: create, vlan-eip1, 10.1.1.1/24, /Common/x */
	T_STRING,    /* "quoted text" with \" \\ \n \t escapes, unquoted */
	T_LBRACE,
	T_RBRACE,
	T_SEMI,      /* ; ends a command */
	T_NEWLINE,   /* ends a command outside braces; only a line break inside them */
	T_ERROR,     /* text holds the message */
};

struct token {
	enum tok_type type;
	struct srcloc loc;
	char *text;          /* owned by the lexer; valid until the token leaves the lookahead */
	size_t len;
	size_t cap;
};

#define LEX_LOOKAHEAD 4

struct strbuf;

struct lexer {
	const char *src;
	size_t len, pos;
	struct srcloc loc;   /* of src[pos] */
	struct token ring[LEX_LOOKAHEAD];
	int head, count;
	struct strbuf *record; /* when set, lex_next appends each consumed word, string and brace,
				* one line, quoted so that it lexes back the same (a command's text) */
};

void lexer_init(struct lexer *lx, const char *src, size_t len, const char *file, int first_line);
void lexer_free(struct lexer *lx);
const struct token *lex_peek(struct lexer *lx, int ahead);   /* ahead < LEX_LOOKAHEAD */
void lex_next(struct lexer *lx);                              /* drops the front token */
const char *tok_describe(const struct token *t);              /* "'vlan'", "end of line", "'{'" */

#endif
