/* The interactive shell on libedit.
 *
 * Keys: TAB completes (a second TAB lists the choices), `?` lists what may come next with the
 * grammar's help and leaves the line as it was, Ctrl-R searches the history, Ctrl-C drops the line
 * (or the unfinished statement), Ctrl-D on an empty line leaves. ~/.editrc is read (bind -v gives
 * vi keys). An open brace or quote continues the statement on the next line with the prompt "> ".
 *
 * Each statement runs with the running config locked: reloaded first if another ferry changed it,
 * saved after it if it changed anything. What it prints is collected and goes through $PAGER
 * (less -FRX) when it is longer than the screen. */
#include "shell/interactive.h"

#include <errno.h>
#include <histedit.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "compiler/util.h"
#include "compiler/value.h"
#include "shell/complete.h"

#define HISTORY_SIZE 1000

#if defined(__SANITIZE_ADDRESS__)
/* libedit's el_set(EL_ADDFN) copies the function's name and help with wcsdup and never frees them
 * (8 small blocks for our 4 functions); the unwinder stops at wcsdup, which ferry never calls. */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
	return "leak:wcsdup\n";
}
#endif

static struct {
	struct session *s;
	struct running *r;
	EditLine *el;
	History *hist;
	char *hist_path;
	struct strbuf pending;       /* the lines of a statement still open */
	char prompt[512];
	char user[64], host[128];
	int line;                    /* lines read so far: messages number them */
	char *listed_at;             /* the text at the last TAB that could not add anything */
	bool cancel;                 /* Ctrl-C */
	bool txn_warned;             /* quit with an open transaction: warned once */
	FILE *buf;                   /* what the running statement prints */
	char *buf_data;
	size_t buf_len, buf_printed;
} sh;

/* ---- the prompt ---- */

void shell_prompt(const struct session *s, const char *user, const char *host, char *buf, size_t len)
{
	char module[80] = "";
	if (s->module[0]) {
		snprintf(module, sizeof module, ".%s", s->module);
		for (char *p = module; *p; p++)
			if (*p == ' ')
				*p = '.';
	}
	snprintf(buf, len, "%s@(%s)(/%s)(tmos%s)%s# ", user, host, s->partition, module,
		 s->txn.open ? "(cli transaction)" : "");
}

static char *prompt_fn(EditLine *el)
{
	(void)el;
	if (sh.pending.len)
		return (char *)"> ";
	shell_prompt(sh.s, sh.user, sh.host, sh.prompt, sizeof sh.prompt);
	return sh.prompt;
}

static void who_and_where(void)
{
	struct passwd *pw = getpwuid(geteuid());
	const char *user = pw ? pw->pw_name : getenv("USER");
	snprintf(sh.user, sizeof sh.user, "%s", user && *user ? user : "root");
	if (gethostname(sh.host, sizeof sh.host) < 0 || !sh.host[0])
		snprintf(sh.host, sizeof sh.host, "localhost");
	sh.host[sizeof sh.host - 1] = 0;
	char *dot = strchr(sh.host, '.');
	if (dot)
		*dot = 0;
}

/* ---- output ---- */

static void terminal_size(int *rows, int *cols)
{
	struct winsize ws;
	*rows = 24;
	*cols = 80;
	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row && ws.ws_col) {
		*rows = ws.ws_row;
		*cols = ws.ws_col;
	}
}

static size_t screen_lines(const char *text, size_t len, int cols)
{
	size_t lines = 0, col = 0;
	for (size_t i = 0; i < len; i++) {
		if (text[i] == '\n') {
			lines++;
			col = 0;
		} else if (++col > (size_t)cols) {
			lines++;
			col = 1;
		}
	}
	return lines + (col > 0);
}

/* Writes TEXT, through the pager when it would not fit on the screen. */
static void page(const char *text, size_t len)
{
	if (!len)
		return;
	int rows, cols;
	terminal_size(&rows, &cols);
	if (!isatty(STDOUT_FILENO) || screen_lines(text, len, cols) < (size_t)rows) {
		fwrite(text, 1, len, stdout);
		fflush(stdout);
		return;
	}
	const char *pager = getenv("PAGER");
	if (!pager || !*pager)
		pager = "less -FRX";
	fflush(stdout);
	FILE *p = popen(pager, "w");
	if (!p) {
		fwrite(text, 1, len, stdout);
		fflush(stdout);
		return;
	}
	void (*old)(int) = signal(SIGPIPE, SIG_IGN);   /* the pager may quit before reading it all */
	fwrite(text, 1, len, p);
	pclose(p);
	signal(SIGPIPE, old);
}

void shell_flush_output(void)
{
	if (!sh.buf)
		return;
	fflush(sh.buf);
	if (sh.buf_len > sh.buf_printed) {
		fwrite(sh.buf_data + sh.buf_printed, 1, sh.buf_len - sh.buf_printed, stdout);
		sh.buf_printed = sh.buf_len;
	}
	fflush(stdout);
}

/* ---- TAB and ? ---- */

static char *text_to_cursor(EditLine *el, size_t *len, size_t *line_start)
{
	const LineInfo *li = el_line(el);
	struct strbuf sb;
	sb_init(&sb);
	if (sh.pending.len)
		sb_putn(&sb, sh.pending.buf, sh.pending.len);
	*line_start = sb.len;
	sb_putn(&sb, li->buffer, (size_t)(li->cursor - li->buffer));
	*len = sb.len;
	return sb_steal(&sb);
}

static void complete_here(EditLine *el, struct completion *c, size_t *line_start, char **text)
{
	size_t len;
	*text = text_to_cursor(el, &len, line_start);
	complete(*text, len, sh.s, NULL, c);
}

/* Replaces the partial word with WORD (quoted when it must be) and, unless NO_SPACE, a space. */
static void insert_word(EditLine *el, const struct completion *c, size_t line_start, const char *word,
			bool no_space)
{
	const LineInfo *li = el_line(el);
	size_t cursor = (size_t)(li->cursor - li->buffer);
	size_t start = c->start >= line_start ? c->start - line_start : 0;
	if (cursor > start)
		el_deletestr(el, (int)(cursor - start));
	struct strbuf sb;
	sb_init(&sb);
	if (word_is_bare(word) || strcmp(word, "{") == 0 || strcmp(word, "}") == 0) {
		sb_puts(&sb, word);
	} else {
		sb_putc(&sb, '"');
		for (const char *p = word; *p; p++) {
			if (*p == '"' || *p == '\\')
				sb_putc(&sb, '\\');
			sb_putc(&sb, *p);
		}
		if (!no_space)
			sb_putc(&sb, '"');
	}
	if (!no_space)
		sb_putc(&sb, ' ');
	el_insertstr(el, sb.buf ? sb.buf : "");
	sb_free(&sb);
}

static const char *const group_titles[G_N] = {
	"Commands", "Modules", "Components", "Objects", "Properties", "Options", "Values", "Delimiters",
};

/* `?`: the choices with their help, grouped as tmsh does. */
static void print_choices(const struct completion *c)
{
	int rows, cols;
	terminal_size(&rows, &cols);
	size_t width = 0;
	for (size_t i = 0; i < c->n; i++)
		if (strlen(c->cands[i].word) > width)
			width = strlen(c->cands[i].word);
	if (width > 30)
		width = 30;
	fputc('\n', stdout);
	if (c->what)
		printf("%s\n", c->what);
	int group = -1;
	for (size_t i = 0; i < c->n; i++) {
		const struct cand *k = &c->cands[i];
		if ((int)k->group != group) {
			group = (int)k->group;
			printf("%s:\n", group_titles[group]);
		}
		int avail = cols - (int)width - 6;
		if (k->help && *k->help && avail > 10)
			printf("  %-*s  %.*s\n", (int)width, k->word, avail, k->help);
		else
			printf("  %s\n", k->word);
	}
	size_t shown = 0;
	for (size_t i = 0; i < c->n; i++)
		shown += !c->cands[i].placeholder;
	if (c->total > shown)
		printf("  ... and %zu more: type the start of the name\n", c->total - shown);
	if (c->n == 0)
		printf("(nothing can follow here)\n");
	fflush(stdout);
}

/* A second TAB: the words, in columns. */
static void print_columns(const struct completion *c)
{
	int rows, cols;
	terminal_size(&rows, &cols);
	size_t width = 0, n = 0;
	for (size_t i = 0; i < c->n; i++)
		if (!c->cands[i].placeholder) {
			n++;
			if (strlen(c->cands[i].word) > width)
				width = strlen(c->cands[i].word);
		}
	width += 2;
	size_t per_line = (size_t)cols / width ? (size_t)cols / width : 1;
	size_t at = 0;
	fputc('\n', stdout);
	for (size_t i = 0; i < c->n; i++) {
		if (c->cands[i].placeholder)
			continue;
		printf("%-*s", (int)width, c->cands[i].word);
		if (++at % per_line == 0 || at == n)
			fputc('\n', stdout);
	}
	if (c->total > n)
		printf("... and %zu more\n", c->total - n);
	fflush(stdout);
}

static unsigned char fn_complete(EditLine *el, int ch)
{
	(void)ch;
	struct completion c;
	size_t line_start;
	char *text;
	complete_here(el, &c, &line_start, &text);
	unsigned char rc = CC_REFRESH;
	size_t insertable = 0;
	const struct cand *only = NULL;
	for (size_t i = 0; i < c.n; i++)
		if (!c.cands[i].placeholder) {
			insertable++;
			only = &c.cands[i];
		}
	if (c.in_string) {
		rc = CC_REFRESH_BEEP;
	} else if (c.total == 0) {
		if (c.n) {                    /* only a value to type: say what it is */
			print_choices(&c);
			rc = CC_REDISPLAY;
		} else {
			rc = CC_REFRESH_BEEP;
		}
	} else if (c.total == 1 && insertable == 1) {
		insert_word(el, &c, line_start, only->word, only->no_space);
	} else if (strlen(c.common) > strlen(c.partial)) {
		insert_word(el, &c, line_start, c.common, true);
		rc = CC_REFRESH_BEEP;         /* still several: the next TAB lists them */
		size_t len, ls;
		free(text);
		text = text_to_cursor(el, &len, &ls);
	} else if (sh.listed_at && strcmp(sh.listed_at, text) == 0) {
		print_columns(&c);
		rc = CC_REDISPLAY;
	} else {
		rc = CC_REFRESH_BEEP;         /* the next TAB lists them */
	}
	free(sh.listed_at);
	sh.listed_at = rc == CC_REFRESH_BEEP ? xstrdup(text) : NULL;
	free(text);
	completion_free(&c);
	return rc;
}

static unsigned char fn_help(EditLine *el, int ch)
{
	(void)ch;
	struct completion c;
	size_t line_start;
	char *text;
	complete_here(el, &c, &line_start, &text);
	unsigned char rc;
	if (c.in_string) {                /* inside quotes a ? is just a character */
		el_insertstr(el, "?");
		rc = CC_REFRESH;
	} else {
		print_choices(&c);
		rc = CC_REDISPLAY;
	}
	free(text);
	completion_free(&c);
	return rc;
}

static unsigned char fn_cancel(EditLine *el, int ch)
{
	(void)ch;
	const LineInfo *li = el_line(el);
	el_cursor(el, (int)(li->lastchar - li->cursor));
	el_insertstr(el, "^C");
	el_push(el, "\n");                 /* shown, then ended as Enter would; the line is dropped */
	sh.cancel = true;
	return CC_REFRESH;
}

static unsigned char fn_eof(EditLine *el, int ch)
{
	(void)ch;
	const LineInfo *li = el_line(el);
	if (li->buffer == li->lastchar)
		return CC_EOF;
	if (li->cursor < li->lastchar) {
		el_cursor(el, 1);
		el_deletestr(el, 1);
		return CC_REFRESH;
	}
	return CC_ERROR;
}

static void bind_keys(EditLine *el)
{
	el_set(el, EL_BIND, "^I", "ferry-complete", NULL);
	el_set(el, EL_BIND, "?", "ferry-help", NULL);
	el_set(el, EL_BIND, "^C", "ferry-cancel", NULL);
	el_set(el, EL_BIND, "-a", "^C", "ferry-cancel", NULL);
	el_set(el, EL_BIND, "^D", "ferry-eof", NULL);
	el_set(el, EL_BIND, "^R", "em-inc-search-prev", NULL);
}

/* ---- history ---- */

/* The statement as one history line: comments dropped, line breaks outside quotes made spaces. */
static char *history_line(const char *text, size_t len)
{
	struct strbuf sb;
	sb_init(&sb);
	bool quoted = false;
	for (size_t i = 0; i < len; i++) {
		char c = text[i];
		if (quoted) {
			sb_putc(&sb, c);
			if (c == '\\' && i + 1 < len)
				sb_putc(&sb, text[++i]);
			else if (c == '"')
				quoted = false;
			continue;
		}
		bool token_start = sb.len == 0 || strchr(" \t{};", sb.buf[sb.len - 1]);
		if (c == '#' && token_start) {
			while (i < len && text[i] != '\n')
				i++;
			c = ' ';
		}
		if (c == '\\' && i + 1 < len && text[i + 1] == '\n') {
			i++;
			c = ' ';
		}
		if (c == '\n' || c == '\r' || c == '\t')
			c = ' ';
		if (c == '"')
			quoted = true;
		if (c == ' ' && (sb.len == 0 || sb.buf[sb.len - 1] == ' '))
			continue;
		sb_putc(&sb, c);
	}
	while (sb.len && sb.buf[sb.len - 1] == ' ')
		sb.buf[--sb.len] = 0;
	return sb_steal(&sb);
}

static void history_open(void)
{
	HistEvent ev;
	sh.hist = history_init();
	if (!sh.hist)
		return;
	history(sh.hist, &ev, H_SETSIZE, HISTORY_SIZE);
	history(sh.hist, &ev, H_SETUNIQUE, 1);
	const char *home = getenv("HOME");
	if (home && *home) {
		sh.hist_path = xasprintf("%s/.ferry_history", home);
		history(sh.hist, &ev, H_LOAD, sh.hist_path);
	}
	el_set(sh.el, EL_HIST, history, sh.hist);
}

static void history_add(const char *text, size_t len)
{
	if (!sh.hist)
		return;
	char *line = history_line(text, len);
	if (*line) {
		HistEvent ev;
		history(sh.hist, &ev, H_ENTER, line);
		if (sh.hist_path)
			history(sh.hist, &ev, H_SAVE, sh.hist_path);
	}
	free(line);
}

/* ---- running a statement ---- */

static void run_statement(const char *text, size_t len)
{
	struct session *s = sh.s;
	FILE *out = s->out, *err = s->diags->out;
	sh.buf_data = NULL;
	sh.buf_len = sh.buf_printed = 0;
	sh.buf = open_memstream(&sh.buf_data, &sh.buf_len);
	s->out = sh.buf;
	s->diags->out = sh.buf;              /* messages and output in the order they happen */
	bool locked = sh.r && running_lock(sh.r) == 0;
	int sync = locked ? running_sync(sh.r, s->store, s->diags) : 0;
	if (sync > 0)
		fprintf(sh.buf, "ferry: %s changed on disk (another ferry); reloaded it\n", sh.r->path);
	if (sync < 0)
		fprintf(sh.buf, "ferry: %s no longer loads; fix it, then run the command again\n", sh.r->path);
	else
		session_run_lines(s, text, len, "<shell>", sh.line, true);
	if (locked && s->dirty && sync >= 0) {
		running_commit(sh.r, s->store, s->diags);   /* a refusal puts the store back */
		s->dirty = false;
	}
	if (locked)
		running_unlock(sh.r);
	/* the name index of every kind this changed is sorted now, not at the next TAB */
	complete_index_build(s->store);
	fclose(sh.buf);
	sh.buf = NULL;
	s->out = out;
	s->diags->out = err;
	page(sh.buf_data + sh.buf_printed, sh.buf_len - sh.buf_printed);
	free(sh.buf_data);
	sh.buf_data = NULL;
	for (size_t i = 0; i < len; i++)
		sh.line += text[i] == '\n';
}

static bool blank_text(const char *text, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (!strchr(" \t\r\n;", text[i]))
			return false;
	return true;
}

static void on_sigint(int sig)
{
	(void)sig;     /* a command or the pager is running: Ctrl-C is theirs, the shell carries on */
}

int shell_interactive(struct session *s, struct running *r, const char *argv0)
{
	memset(&sh, 0, sizeof sh);
	sh.s = s;
	sh.r = r;
	sh.line = 1;
	sb_init(&sh.pending);
	who_and_where();
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_sigint;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);

	sh.el = el_init(argv0, stdin, stdout, stderr);
	if (!sh.el) {
		fprintf(stderr, "ferry: cannot start line editing\n");
		return 1;
	}
	el_set(sh.el, EL_EDITOR, "emacs");
	el_set(sh.el, EL_SIGNAL, 1);
	el_set(sh.el, EL_PROMPT, prompt_fn);
	/* Ctrl-C is a key while a line is edited: it drops the line, not the shell */
	el_set(sh.el, EL_SETTY, "-d", "-isig", NULL);
	el_set(sh.el, EL_ADDFN, "ferry-complete", "complete the word", fn_complete);
	el_set(sh.el, EL_ADDFN, "ferry-help", "list what may come next", fn_help);
	el_set(sh.el, EL_ADDFN, "ferry-cancel", "drop the line", fn_cancel);
	el_set(sh.el, EL_ADDFN, "ferry-eof", "leave on an empty line, else delete", fn_eof);
	bind_keys(sh.el);
	history_open();
	el_source(sh.el, NULL);             /* ~/.editrc: bind -v and the like */
	bind_keys(sh.el);                   /* ours again, in whichever keymap it chose */
	complete_index_build(s->store);

	for (;;) {
		int count = 0;
		sh.cancel = false;
		const char *line = el_gets(sh.el, &count);
		if (sh.cancel) {
			sb_free(&sh.pending);
			continue;
		}
		if (!line) {
			if (count < 0 && errno == EINTR)
				continue;
			fputc('\n', stdout);        /* Ctrl-D */
			break;
		}
		sb_putn(&sh.pending, line, (size_t)count);
		if (complete_needs_more(sh.pending.buf, sh.pending.len))
			continue;
		char *text = sb_steal(&sh.pending);
		size_t len = strlen(text);
		if (!blank_text(text, len)) {
			history_add(text, len);
			run_statement(text, len);
		} else {
			for (size_t i = 0; i < len; i++)
				sh.line += text[i] == '\n';
		}
		free(text);
		if (s->quit && s->txn.open && !sh.txn_warned) {
			printf("The cli transaction holds %zu command%s that would be lost: submit cli transaction "
			       "or delete cli transaction, or quit again to drop it.\n", s->txn.n,
			       s->txn.n == 1 ? "" : "s");
			s->quit = false;
			sh.txn_warned = true;
		}
		if (s->quit)
			break;
	}
	free(sh.listed_at);
	sb_free(&sh.pending);
	if (sh.hist) {
		HistEvent ev;
		if (sh.hist_path)
			history(sh.hist, &ev, H_SAVE, sh.hist_path);
		history_end(sh.hist);
	}
	free(sh.hist_path);
	el_end(sh.el);
	return 0;
}
