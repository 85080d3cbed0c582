/* Printing the config: the saved format, one-line, all-properties. */
#ifndef FERRY_COMPILER_PRINT_H
#define FERRY_COMPILER_PRINT_H

#include "compiler/store.h"
#include "compiler/util.h"

enum print_style {
	PRINT_SAVED,        /* what save sys config writes and list prints */
	PRINT_ONE_LINE,     /* list ... one-line */
	PRINT_ALL,          /* list ... all-properties: defaults and unset properties too */
};

void print_object(struct strbuf *sb, const struct object *o, enum print_style style);
/* Every object, kinds in grammar order, objects by path. */
void print_store(struct strbuf *sb, const struct store *s, enum print_style style);
/* A value as it is written: quoted when it is not a bare word. */
void print_word(struct strbuf *sb, const char *text);
/* TEXT in double quotes, with \" \\ \n \t escaped: what the lexer reads back as one string. */
void print_quoted(struct strbuf *sb, const char *text);

#endif
