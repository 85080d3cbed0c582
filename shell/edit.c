#include "shell/edit.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "compiler/print.h"
#include "compiler/util.h"
#include "compiler/value.h"
#include "shell/interactive.h"

#define HEADER_MARK "# ferry: "

struct edited {                 /* an object that was in the editor */
	const struct kind_schema *kind;
	char *path;
};

static bool module_contains(const char *module, const char *kind_module)
{
	size_t n = strlen(module);
	return n == 0 || (strncmp(kind_module, module, n) == 0 && (kind_module[n] == 0 || kind_module[n] == ' '));
}

static void take(struct edited **list, size_t *n, struct strbuf *body, const struct object *o)
{
	*list = xrealloc(*list, (*n + 1) * sizeof **list);
	(*list)[(*n)++] = (struct edited){ o->kind, xstrdup(o->path) };
	print_object(body, o, PRINT_SAVED);
}

/* The objects the command names, printed; -1 when a named one does not exist. */
static int collect(struct session *s, const struct command *c, struct edited **list, size_t *n,
		   struct strbuf *body)
{
	if (c->kind && c->n_names) {
		for (size_t i = 0; i < c->n_names; i++) {
			struct object *o = store_get(s->store, c->kind, c->names[i]);
			if (!o) {
				diag_error(s->diags, c->name_locs[i], "edit: %s %s was not found", c->kind->id, c->names[i]);
				return -1;
			}
			take(list, n, body, o);
		}
		return 0;
	}
	for (size_t k = 0; k < schema_n_kinds; k++) {
		const struct kind_schema *ks = &schema_kinds[k];
		if (c->kind ? ks != c->kind : !module_contains(c->module ? c->module : "", ks->module))
			continue;
		size_t count;
		struct object **objs = store_sorted(s->store, ks, &count);
		for (size_t i = 0; i < count; i++)
			take(list, n, body, objs[i]);
		free(objs);
	}
	return 0;
}

static int run_editor(const char *file)
{
	const char *editor = getenv("VISUAL");
	if (!editor || !*editor)
		editor = getenv("EDITOR");
	if (!editor || !*editor)
		editor = "vi";
	char *cmd = xasprintf("%s '%s'", editor, file);
	fflush(stdout);
	fflush(stderr);
	int st = system(cmd);
	free(cmd);
	if (st == -1)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + (WIFSIGNALED(st) ? WTERMSIG(st) : 0);
}

/* What the user wrote: the file less the header lines ferry put at its top. */
static char *strip_header(const char *text, int *header_lines)
{
	*header_lines = 0;
	while (strncmp(text, HEADER_MARK, strlen(HEADER_MARK)) == 0 || strncmp(text, "#   ", 4) == 0) {
		const char *nl = strchr(text, '\n');
		(*header_lines)++;
		if (!nl)
			return xstrdup("");
		text = nl + 1;
	}
	return xstrdup(text);
}

static bool only_comments(const char *text)
{
	for (const char *p = text; *p;) {
		while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
			p++;
		if (*p == '#') {
			while (*p && *p != '\n')
				p++;
			continue;
		}
		return *p == 0;
	}
	return true;
}

/* Parses BODY as if HEADER_LINES lines came before it (so that messages number the lines of the
 * file) and applies it: objects deleted from the text first, then every statement, as one change
 * validated as a whole. Returns the number of errors; with any, nothing changed. */
static int apply(struct session *s, const char *file, const char *body, int header_lines,
		 const struct edited *list, size_t n, struct diags *d)
{
	struct strbuf text;
	sb_init(&text);
	for (int i = 0; i < header_lines; i++)
		sb_putc(&text, '\n');
	sb_puts(&text, body);
	struct command *cmds;
	size_t ncmds;
	int errors = config_read_text(text.buf ? text.buf : "", text.len, file, s->skip_unsupported, d, &cmds, &ncmds);
	sb_free(&text);
	if (errors) {
		config_free_commands(cmds, ncmds);
		return errors;
	}
	/* the objects whose blocks are gone are deleted, ahead of the rest */
	struct command *all = xcalloc(n + ncmds + 1, sizeof *all);
	size_t nall = 0;
	for (size_t i = 0; i < n; i++) {
		bool kept = false;
		for (size_t j = 0; j < ncmds && !kept; j++)
			kept = cmds[j].kind == list[i].kind && cmds[j].n_names &&
			       strcmp(cmds[j].names[0], list[i].path) == 0 && cmds[j].verb != CMD_DELETE;
		if (kept)
			continue;
		struct command *del = &all[nall++];
		del->verb = CMD_DELETE;
		del->kind = list[i].kind;
		del->names = xcalloc(1, sizeof *del->names);
		del->name_locs = xcalloc(1, sizeof *del->name_locs);
		del->names[0] = xstrdup(list[i].path);
		del->name_locs[0] = (struct srcloc){ intern_filename(file), 0, 0 };
		del->n_names = 1;
		del->loc = del->name_locs[0];
	}
	memcpy(all + nall, cmds, ncmds * sizeof *cmds);
	nall += ncmds;
	free(cmds);
	errors = config_apply_commands(s->store, all, nall, d, false);
	config_free_commands(all, nall);
	return errors;
}

static int count_lines(const char *s)
{
	int n = 0;
	for (; *s; s++)
		n += *s == '\n';
	return n;
}

static void interrupted(int sig)
{
	(void)sig;
}

/* e: edit again; d: discard (also Ctrl-C and end of input). Read from the terminal, a line at a
 * time. */
static char ask(void)
{
	struct sigaction sa, old;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = interrupted;          /* no SA_RESTART: Ctrl-C ends the read */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old);
	char answer = 'd';
	for (;;) {
		fputs("(e)dit again or (d)iscard? ", stdout);
		fflush(stdout);
		char line[64];
		size_t used = 0;
		char ch;
		ssize_t r;
		while ((r = read(STDIN_FILENO, &ch, 1)) == 1 && ch != '\n')
			if (used + 1 < sizeof line)
				line[used++] = ch;
		line[used] = 0;
		if (r < 0 && errno == EINTR) {
			fputc('\n', stdout);   /* the terminal echoed ^C */
			break;
		}
		if (r <= 0 && used == 0)
			break;
		char *p = line;
		while (*p == ' ')
			p++;
		if (*p == 'e' || *p == 'E' || *p == 'd' || *p == 'D') {
			answer = (char)(*p | 0x20);
			break;
		}
	}
	sigaction(SIGINT, &old, NULL);
	return answer;
}

int shell_edit(struct session *s, const struct command *c)
{
	struct edited *list = NULL;
	size_t n = 0;
	struct strbuf original;
	sb_init(&original);
	int rc = -1;
	char dir[] = "/tmp/ferry-edit.XXXXXX";
	char *file = NULL, *label = NULL, *header = NULL, *body = NULL;
	if (collect(s, c, &list, &n, &original) < 0)
		goto out;
	if (!mkdtemp(dir)) {
		diag_error(s->diags, c->loc, "edit: cannot make a folder in /tmp: %s", strerror(errno));
		goto out;
	}
	/* messages name the file by its own name: the folder is a temporary one */
	label = xasprintf("%s.conf", c->kind && c->n_names == 1 ? path_basename(c->names[0]) : "edit");
	file = xasprintf("%s/%s", dir, label);
	struct strbuf what;
	sb_init(&what);
	sb_puts(&what, c->kind ? c->kind->id : (c->module && *c->module ? c->module : "everything"));
	for (size_t i = 0; c->kind && i < c->n_names; i++)
		sb_printf(&what, " %s", path_basename(c->names[i]));
	header = xasprintf(HEADER_MARK "edit %s: save and quit to apply it as one change; remove an object's "
			   "block to delete it\n", what.buf);
	sb_free(&what);
	body = xstrdup(original.buf ? original.buf : "");
	bool interactive = isatty(STDIN_FILENO);
	for (;;) {
		struct strbuf content;
		sb_init(&content);
		sb_puts(&content, header);
		sb_puts(&content, body);
		int w = write_file_atomic(file, content.buf, content.len);
		sb_free(&content);
		if (w < 0) {
			diag_error(s->diags, c->loc, "edit: cannot write %s: %s", file, strerror(errno));
			goto out;
		}
		shell_flush_output();
		int st = run_editor(file);
		if (st != 0) {
			diag_error(s->diags, c->loc, "edit: the editor exited with status %d; nothing changed", st);
			goto out;
		}
		size_t len;
		char *saved = read_file(file, &len);
		if (!saved) {
			diag_error(s->diags, c->loc, "edit: cannot read %s: %s", file, strerror(errno));
			goto out;
		}
		int header_lines;
		char *edited = strip_header(saved, &header_lines);
		free(saved);
		free(body);
		body = edited;
		if (strcmp(body, original.buf ? original.buf : "") == 0) {
			fprintf(s->out, "edit: no changes\n");
			rc = 0;
			goto out;
		}
		if (only_comments(body)) {
			fprintf(s->out, "edit: the file is empty; nothing changed (delete objects with delete)\n");
			rc = 0;
			goto out;
		}
		/* first the messages as the user's file numbered its lines, on the shell's output */
		int errors = apply(s, label, body, header_lines, list, n, s->diags);
		if (errors == 0) {
			s->dirty = true;
			rc = 0;
			goto out;
		}
		/* then again, numbered for the file as it will be reopened: these go in its header */
		char *msgs = NULL;
		size_t msgs_len = 0;
		FILE *mf = open_memstream(&msgs, &msgs_len);
		struct diags md;
		diag_init(&md, mf);
		apply(s, label, body, 0, list, n, &md);
		fclose(mf);
		int new_header = 1 + count_lines(msgs);
		free(msgs);
		mf = open_memstream(&msgs, &msgs_len);
		diag_init(&md, mf);
		apply(s, label, body, new_header, list, n, &md);
		fclose(mf);
		struct strbuf h;
		sb_init(&h);
		sb_printf(&h, HEADER_MARK "the edit did not apply (%d error%s); fix it and save, or empty the file\n",
			  errors, errors == 1 ? "" : "s");
		for (char *line = msgs; line && *line;) {
			char *nl = strchr(line, '\n');
			size_t l = nl ? (size_t)(nl - line) : strlen(line);
			sb_printf(&h, "#   %.*s\n", (int)l, line);
			line = nl ? nl + 1 : line + l;
		}
		free(msgs);
		free(header);
		header = sb_steal(&h);
		if (!interactive) {
			diag_error(s->diags, c->loc, "edit: discarded; nothing changed");
			goto out;
		}
		shell_flush_output();
		if (ask() == 'd') {
			fprintf(s->out, "edit: discarded; nothing changed\n");
			rc = -1;
			goto out;
		}
	}
out:
	if (file) {
		unlink(file);
		rmdir(dir);
	}
	for (size_t i = 0; i < n; i++)
		free(list[i].path);
	free(list);
	free(file);
	free(label);
	free(header);
	free(body);
	sb_free(&original);
	return rc;
}
