/* The completion engine behind TAB and `?`: what may come next at the end of a partly typed
 * statement, read from the grammar and the session's store. A pure function of the text and the
 * session (plus the kernel's interface names and the file system, for those two value types), so
 * it is tested without a terminal. Fast with 100,000 objects: object names come from a sorted
 * index per kind, built once per store generation, searched by binary search. */
#ifndef FERRY_SHELL_COMPLETE_H
#define FERRY_SHELL_COMPLETE_H

#include <stdbool.h>
#include <stddef.h>

#include "compiler/exec.h"

enum cand_group {          /* how `?` groups the choices, in this order */
	G_COMMAND, G_MODULE, G_KIND, G_OBJECT, G_PROPERTY, G_OPTION, G_VALUE, G_BRACE, G_N
};

struct cand {
	char *word;            /* the whole word TAB inserts, or a placeholder such as <1..4094> */
	char *help;            /* one line from the grammar, or NULL */
	enum cand_group group;
	bool placeholder;      /* describes a value to type; TAB never inserts it */
	bool no_space;         /* a directory: completion continues inside it */
};

struct completion {
	size_t start;          /* where the word being completed starts in the text */
	char *partial;         /* that word so far, escapes removed */
	struct cand *cands;    /* sorted by group, then word */
	size_t n, cap;
	size_t total;          /* matching insertable words, with those beyond the shown ones */
	char *common;          /* the longest common prefix of every matching insertable word */
	char *what;            /* what a value here is, for `?` ("tag: 802.1Q VLAN id ..."), or NULL */
	bool in_string;        /* the cursor is inside an open quote: nothing to complete */
};

struct complete_opts {
	const char *netdev_dir;  /* interface names: the entries of /sys/class/net */
	size_t max_shown;        /* candidates kept in cands (0: 200); total still counts them all */
};

/* Completes TEXT[0..LEN) (everything typed so far in the statement, up to the cursor).
 * OPTS may be NULL. The result is always well formed; free it with completion_free. */
void complete(const char *text, size_t len, const struct session *s, const struct complete_opts *opts,
	      struct completion *out);
void completion_free(struct completion *c);

/* True when TEXT is an unfinished statement the shell should read more lines for: a brace still
 * open, a quote still open, or a backslash at the end of the last line. */
bool complete_needs_more(const char *text, size_t len);

/* Builds (or finds current) the sorted name index of every kind in the store; completion does this
 * on demand, benchmarks call it to time it. */
void complete_index_build(const struct store *st);

#endif
