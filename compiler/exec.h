/* Executing commands against the config store: each mutating command is all or nothing. */
#ifndef FERRY_COMPILER_EXEC_H
#define FERRY_COMPILER_EXEC_H

#include <stdbool.h>
#include <stdio.h>

#include "compiler/command.h"
#include "compiler/store.h"

/* create cli transaction: mutating commands are checked and queued, submit applies them as one. */
struct txn_entry {
	char *text;                 /* the command on one line, as typed */
	char module[64];            /* the module (or kind) it was typed in */
	char partition[64];
};

struct transaction {
	bool open;
	struct txn_entry *entries;
	size_t n, cap;
};

struct session {
	struct store *store;
	struct diags *diags;
	FILE *out;                  /* list, show, run print here */
	char partition[64];         /* "Common" */
	char module[64];            /* the shell's current module ("net") or kind ("net vlan-group"),
				     * "" at the root */
	bool skip_unsupported;
	const char *config_dir;     /* running.conf and ferry.conf live here; NULL: nothing persists */
	bool dirty;                 /* the store changed since the running config was written */
	bool quit;                  /* quit or exit at the root was asked for */
	struct transaction txn;
	/* edit: the front end's editor session (shell/edit.c); NULL: edit reports it is unavailable */
	int (*edit)(struct session *s, const struct command *c);
	void *edit_arg;
	/* show of runtime state: the front end reads the kernel (shell/show.c); NULL: unavailable */
	int (*show)(struct session *s, const struct command *c);
	void *show_arg;
};

void session_init(struct session *s, struct store *store, struct diags *d, FILE *out);
/* Frees what the session holds (an open transaction); not the store. */
void session_free(struct session *s);
void session_txn_discard(struct session *s);

/* Runs one parsed command. 0: done; -1: an error was reported and nothing changed. */
int session_exec(struct session *s, struct command *c);

/* Parses and runs TEXT command by command. STOP_ON_ERROR: the first error ends the run.
 * Returns the number of commands that failed. */
int session_run_text(struct session *s, const char *text, size_t len, const char *file, bool stop_on_error);
/* The same, numbering TEXT's lines from FIRST_LINE (the shell counts the lines of a session). */
int session_run_lines(struct session *s, const char *text, size_t len, const char *file, int first_line,
		      bool stop_on_error);

/* The module words of a module or kind path, made canonical ("net tunnel tunnel" gives
 * "net tunnels tunnel"); NULL when it names neither. */
const char *context_canonical(const char *path);

/* Reads a config file (saved format, command file, or YAML by its .yaml/.yml name) and applies it
 * to STORE as one change: every error is reported and, if there was any, STORE is as it was.
 * Returns the number of errors. */
int config_load_file(struct store *store, const char *path, bool skip_unsupported, struct diags *d);
int config_load_text(struct store *store, const char *text, size_t len, const char *file,
		     bool skip_unsupported, struct diags *d);

/* Parses a config file's statements without applying them; returns the number of errors. */
int config_read_file(const char *path, bool skip_unsupported, struct diags *d,
		     struct command **cmds, size_t *n);
int config_read_text(const char *text, size_t len, const char *file, bool skip_unsupported,
		     struct diags *d, struct command **cmds, size_t *n);
void config_free_commands(struct command *cmds, size_t n);

/* Applies parsed statements as one change, validated as a whole; DRY_RUN undoes it afterwards.
 * Returns the number of errors; with any, STORE is as it was. */
int config_apply_commands(struct store *store, struct command *cmds, size_t n, struct diags *d,
			  bool dry_run);

/* Writes the saved format of STORE to PATH atomically. */
int config_save(const struct store *st, const char *path, struct diags *d, struct srcloc loc);

#endif
