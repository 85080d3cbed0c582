/* The lexer: words, quoted strings, braces, separators, comments, positions. */
#include <string.h>

#include "compiler/lexer.h"
#include "tests/unit/unit.h"

static void lex_all(const char *src, enum tok_type *types, const char **texts, int max, int *n)
{
	static char store[32][128];
	struct lexer lx;
	lexer_init(&lx, src, strlen(src), "t", 1);
	*n = 0;
	for (;;) {
		const struct token *t = lex_peek(&lx, 0);
		if (*n < max) {
			types[*n] = t->type;
			snprintf(store[*n], sizeof store[*n], "%s", t->text ? t->text : "");
			texts[*n] = store[*n];
			(*n)++;
		}
		if (t->type == T_EOF)
			break;
		lex_next(&lx);
	}
	lexer_free(&lx);
}

TEST(words_braces_and_separators)
{
	enum tok_type ty[32];
	const char *tx[32];
	int n;
	lex_all("create net vlan v1 { tag 5 };list\n", ty, tx, 32, &n);
	CHECK_INT_EQ(n, 12);
	CHECK_INT_EQ(ty[0], T_WORD);
	CHECK_STR_EQ(tx[0], "create");
	CHECK_INT_EQ(ty[4], T_LBRACE);
	CHECK_STR_EQ(tx[6], "5");
	CHECK_INT_EQ(ty[7], T_RBRACE);
	CHECK_INT_EQ(ty[8], T_SEMI);
	CHECK_STR_EQ(tx[9], "list");
	CHECK_INT_EQ(ty[10], T_NEWLINE);
	CHECK_INT_EQ(ty[11], T_EOF);
}

TEST(braces_split_words_without_spaces)
{
	enum tok_type ty[32];
	const char *tx[32];
	int n;
	lex_all("a{b}c", ty, tx, 32, &n);
	CHECK_INT_EQ(n, 6);
	CHECK_STR_EQ(tx[0], "a");
	CHECK_INT_EQ(ty[1], T_LBRACE);
	CHECK_STR_EQ(tx[2], "b");
	CHECK_INT_EQ(ty[3], T_RBRACE);
	CHECK_STR_EQ(tx[4], "c");
}

TEST(quoted_strings_and_escapes)
{
	enum tok_type ty[32];
	const char *tx[32];
	int n;
	lex_all("description \"a \\\"b\\\" {c} # d\"", ty, tx, 32, &n);
	CHECK_INT_EQ(n, 3);
	CHECK_INT_EQ(ty[1], T_STRING);
	CHECK_STR_EQ(tx[1], "a \"b\" {c} # d");
}

TEST(unterminated_string_is_an_error)
{
	enum tok_type ty[32];
	const char *tx[32];
	int n;
	lex_all("description \"abc\nlist", ty, tx, 32, &n);   /* runs to the end of input */
	CHECK_INT_EQ(ty[1], T_ERROR);
	CHECK(strstr(tx[1], "unterminated") != NULL);
}

TEST(comments_run_to_the_end_of_the_line)
{
	enum tok_type ty[32];
	const char *tx[32];
	int n;
	lex_all("# header\nlist # trailing\n", ty, tx, 32, &n);
	CHECK_INT_EQ(n, 4);
	CHECK_INT_EQ(ty[0], T_NEWLINE);
	CHECK_STR_EQ(tx[1], "list");
	CHECK_INT_EQ(ty[2], T_NEWLINE);
	CHECK_INT_EQ(ty[3], T_EOF);
}

TEST(ipv6_and_paths_are_single_words)
{
	enum tok_type ty[32];
	const char *tx[32];
	int n;
	lex_all("2001:db8::1/64 /Common/vlan-eip1 [2001:db8::5]:8000", ty, tx, 32, &n);
	CHECK_INT_EQ(n, 4);
	CHECK_STR_EQ(tx[0], "2001:db8::1/64");
	CHECK_STR_EQ(tx[1], "/Common/vlan-eip1");
	CHECK_STR_EQ(tx[2], "[2001:db8::5]:8000");
}

TEST(locations_count_lines_and_columns)
{
	struct lexer lx;
	const char *src = "list\n  net vlan";
	lexer_init(&lx, src, strlen(src), "f.conf", 7);
	lex_next(&lx);       /* list */
	lex_next(&lx);       /* newline */
	const struct token *t = lex_peek(&lx, 0);
	CHECK_STR_EQ(t->text, "net");
	CHECK_STR_EQ(t->loc.file, "f.conf");
	CHECK_INT_EQ(t->loc.line, 8);
	CHECK_INT_EQ(t->loc.col, 3);
	lexer_free(&lx);
}

TEST(backslash_newline_continues_a_command)
{
	enum tok_type ty[32];
	const char *tx[32];
	int n;
	lex_all("create net vlan v1 \\\n tag 5", ty, tx, 32, &n);
	CHECK_INT_EQ(n, 7);
	CHECK_STR_EQ(tx[4], "tag");
}

TEST(quoted_strings_may_span_lines)
{
	enum tok_type ty[32];
	const char *tx[32];
	int n;
	lex_all("description \"line one\nline two\" tag 5", ty, tx, 32, &n);
	CHECK_INT_EQ(n, 5);
	CHECK_INT_EQ(ty[1], T_STRING);
	CHECK_STR_EQ(tx[1], "line one\nline two");
	CHECK_STR_EQ(tx[2], "tag");
}
