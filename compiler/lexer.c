#include "compiler/lexer.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compiler/print.h"
#include "compiler/util.h"
#include "compiler/value.h"

void lexer_init(struct lexer *lx, const char *src, size_t len, const char *file, int first_line)
{
	memset(lx, 0, sizeof *lx);
	lx->src = src;
	lx->len = len;
	lx->loc.file = intern_filename(file);
	lx->loc.line = first_line;
	lx->loc.col = 1;
}

void lexer_free(struct lexer *lx)
{
	for (int i = 0; i < LEX_LOOKAHEAD; i++)
		free(lx->ring[i].text);
	memset(lx, 0, sizeof *lx);
}

static int cur(const struct lexer *lx)
{
	return lx->pos < lx->len ? (unsigned char)lx->src[lx->pos] : -1;
}

static void advance(struct lexer *lx)
{
	if (lx->pos >= lx->len)
		return;
	if (lx->src[lx->pos] == '\n') {
		lx->loc.line++;
		lx->loc.col = 1;
	} else {
		lx->loc.col++;
	}
	lx->pos++;
}

static void tok_put(struct token *t, char c)
{
	if (t->len + 2 > t->cap) {
		t->cap = t->cap ? t->cap * 2 : 64;
		t->text = xrealloc(t->text, t->cap);
	}
	t->text[t->len++] = c;
	t->text[t->len] = 0;
}

static void tok_set(struct token *t, const char *s)
{
	t->len = 0;
	if (t->text)
		t->text[0] = 0;
	for (; *s; s++)
		tok_put(t, *s);
	if (!t->text)
		tok_put(t, 0), t->len = 0;
}

static bool word_char(int c)
{
	return c > ' ' && c != '{' && c != '}' && c != ';' && c != '"' && c != 0x7f;
}

static void check_utf8(struct token *t)
{
	size_t bad;
	if (utf8_valid(t->text, t->len, &bad))
		return;
	char msg[96];
	snprintf(msg, sizeof msg, "byte 0x%02x is not UTF-8; ferry reads UTF-8 text",
		 (unsigned char)t->text[bad]);
	t->type = T_ERROR;
	tok_set(t, msg);
}

static void scan_token(struct lexer *lx, struct token *t);

static void scan(struct lexer *lx, struct token *t)
{
	scan_token(lx, t);
	if (t->type == T_WORD || t->type == T_STRING)
		check_utf8(t);
}

static void scan_token(struct lexer *lx, struct token *t)
{
	for (;;) {
		int c = cur(lx);
		if (c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v') {
			advance(lx);
		} else if (c == '\\' && lx->pos + 1 < lx->len && lx->src[lx->pos + 1] == '\n') {
			advance(lx);    /* a backslash at the end of a line continues the command */
			advance(lx);
		} else if (c == '#') {
			while (cur(lx) != -1 && cur(lx) != '\n')
				advance(lx);
		} else {
			break;
		}
	}
	t->loc = lx->loc;
	t->len = 0;
	tok_set(t, "");
	int c = cur(lx);
	switch (c) {
	case -1: t->type = T_EOF; return;
	case '\n': t->type = T_NEWLINE; tok_set(t, "\n"); advance(lx); return;
	case '{': t->type = T_LBRACE; tok_set(t, "{"); advance(lx); return;
	case '}': t->type = T_RBRACE; tok_set(t, "}"); advance(lx); return;
	case ';': t->type = T_SEMI; tok_set(t, ";"); advance(lx); return;
	case '"':
		advance(lx);
		t->type = T_STRING;
		for (;;) {
			c = cur(lx);
			if (c == -1) {
				/* BIG-IP writes multi-line strings, so only the end of input ends one */
				t->type = T_ERROR;
				tok_set(t, "unterminated quoted string (it opens here); close it with \"");
				return;
			}
			advance(lx);
			if (c == '"')
				return;
			if (c == '\\') {
				int e = cur(lx);
				if (e == -1)
					continue;
				advance(lx);
				c = e == 'n' ? '\n' : e == 't' ? '\t' : e;
			}
			tok_put(t, (char)c);
		}
	default:
		if (!word_char(c)) {
			t->type = T_ERROR;
			char msg[64];
			snprintf(msg, sizeof msg, "unexpected character 0x%02x", c);
			tok_set(t, msg);
			advance(lx);
			return;
		}
		t->type = T_WORD;
		while (word_char(cur(lx))) {
			if (cur(lx) == '\\' && lx->pos + 1 < lx->len) {
				advance(lx);      /* an escaped character is part of the word */
			}
			tok_put(t, (char)cur(lx));
			advance(lx);
		}
		return;
	}
}

const struct token *lex_peek(struct lexer *lx, int ahead)
{
	while (lx->count <= ahead) {
		struct token *t = &lx->ring[(lx->head + lx->count) % LEX_LOOKAHEAD];
		scan(lx, t);
		lx->count++;
	}
	return &lx->ring[(lx->head + ahead) % LEX_LOOKAHEAD];
}

static void record(struct strbuf *sb, const struct token *t)
{
	if (t->type != T_WORD && t->type != T_STRING && t->type != T_LBRACE && t->type != T_RBRACE)
		return;                  /* line ends, ';' and errors are not part of the text */
	if (sb->len)
		sb_putc(sb, ' ');
	if (t->type == T_WORD && word_is_bare(t->text)) {
		sb_puts(sb, t->text);
		return;
	}
	if (t->type == T_LBRACE || t->type == T_RBRACE) {
		sb_putc(sb, t->text[0]);
		return;
	}
	print_quoted(sb, t->text);
}

void lex_next(struct lexer *lx)
{
	lex_peek(lx, 0);
	if (lx->record)
		record(lx->record, &lx->ring[lx->head]);
	lx->head = (lx->head + 1) % LEX_LOOKAHEAD;
	lx->count--;
}

const char *tok_describe(const struct token *t)
{
	static __thread char buf[96];
	switch (t->type) {
	case T_EOF: return "end of input";
	case T_NEWLINE: return "end of line";
	case T_SEMI: return "';'";
	case T_LBRACE: return "'{'";
	case T_RBRACE: return "'}'";
	case T_ERROR: return t->text;
	case T_STRING: snprintf(buf, sizeof buf, "\"%.80s\"", t->text); return buf;
	case T_WORD: snprintf(buf, sizeof buf, "'%.80s'", t->text); return buf;
	}
	return "?";
}
