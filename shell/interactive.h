/* The interactive shell: libedit line editing, the tmsh-style prompt, TAB completion and `?` help,
 * multi-line braces, history, the pager, Ctrl-C and Ctrl-D. */
#ifndef FERRY_SHELL_INTERACTIVE_H
#define FERRY_SHELL_INTERACTIVE_H

#include "compiler/exec.h"
#include "shell/running.h"

/* Reads and runs lines until quit, exit at the top, or Ctrl-D. The running config is locked,
 * synchronised and saved around each line. Returns the exit status. */
int shell_interactive(struct session *s, struct running *r, const char *argv0);

/* The prompt: USER@(HOST)(/PARTITION)(tmos[.MODULE])# , (cli transaction) added while one is open. */
void shell_prompt(const struct session *s, const char *user, const char *host, char *buf, size_t len);

/* Writes what the running line has printed so far to the terminal (edit calls it before it starts
 * the editor, so that messages come out in order). */
void shell_flush_output(void);

#endif
