/* ferry: the command-line front end. Runs commands from -c, -f or stdin, checks and converts
 * config files, and on a terminal runs the interactive shell (shell/interactive.c). */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "compiler/exec.h"
#include "compiler/help.h"
#include "compiler/lower.h"
#include "compiler/print.h"
#include "compiler/util.h"
#include "compiler/yaml.h"
#include "shell/edit.h"
#include "shell/interactive.h"
#include "shell/kernel.h"
#include "shell/show.h"
#include "shell/running.h"

#define DEFAULT_CONFIG_DIR "/var/lib/ferry"

static void usage(FILE *out)
{
	fputs("usage: ferry [OPTIONS]                 the shell (commands on stdin when it is not a terminal)\n"
	      "       ferry [OPTIONS] -c 'CMD; CMD'   run commands\n"
	      "       ferry [OPTIONS] -f FILE         run a command file, stop at the first error\n"
	      "       ferry --check FILE              validate a saved config, print every error\n"
	      "       ferry --emit conf|yaml FILE     print a config file in another format\n"
	      "       ferry --emit ip|plan FILE       print the kernel plan: an ip -batch script, or YAML\n"
	      "options:\n"
	      "  --config-dir DIR      where running.conf and ferry.conf live (default " DEFAULT_CONFIG_DIR ",\n"
	      "                        or " DEFAULT_CONFIG_DIR "/netns/NAME with --netns NAME)\n"
	      "  --netns NAME          work inside network namespace NAME: every change reaches its kernel\n"
	      "  --kernel              every change reaches the kernel of the namespace ferry runs in\n"
	      "  --apply               apply the running config as it is (after a crash, say)\n"
	      "  --skip-unsupported    pass over kinds and properties ferry does not model, with a warning\n"
	      "  --help-grammar        print the grammar reference (docs/grammar.md) as Markdown\n"
	      "  --help, --version\n"
	      "A config file is the saved brace format, a command file, or YAML (by its .yaml name).\n",
	      out);
}

enum mode { MODE_COMMANDS, MODE_CHECK, MODE_EMIT };

struct options {
	enum mode mode;
	const char *commands;      /* -c */
	const char *file;          /* -f, --check, --emit */
	const char *emit_format;
	const char *config_dir;
	bool config_dir_given;
	const char *netns;         /* --netns */
	bool kernel;               /* --netns or --kernel: changes reach a kernel */
	bool apply;
	bool skip_unsupported;
};

static int parse_options(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ "check", required_argument, NULL, 'k' },
		{ "emit", required_argument, NULL, 'e' },
		{ "config-dir", required_argument, NULL, 'd' },
		{ "skip-unsupported", no_argument, NULL, 's' },
		{ "help-grammar", no_argument, NULL, 'G' },
		{ "netns", required_argument, NULL, 'n' },
		{ "kernel", no_argument, NULL, 'K' },
		{ "apply", no_argument, NULL, 'A' },
		{ NULL, 0, NULL, 0 },
	};
	memset(o, 0, sizeof *o);
	o->config_dir = DEFAULT_CONFIG_DIR;
	opterr = 0;
	int ch;
	while ((ch = getopt_long(argc, argv, "c:f:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c': o->commands = optarg; break;
		case 'f': o->file = optarg; break;
		case 'h': usage(stdout); exit(0);
		case 'V': printf("ferry %s\n", FERRY_VERSION); exit(0);
		case 'G': help_reference_markdown(stdout); exit(0);
		case 'k': o->mode = MODE_CHECK; o->file = optarg; break;
		case 'e': o->mode = MODE_EMIT; o->emit_format = optarg; break;
		case 'd': o->config_dir = optarg; o->config_dir_given = true; break;
		case 'n': o->netns = optarg; o->kernel = true; break;
		case 'K': o->kernel = true; break;
		case 'A': o->apply = true; break;
		case 's': o->skip_unsupported = true; break;
		case '?':
		default:
			if (optopt)
				fprintf(stderr, "ferry: option '-%c' %s (see ferry --help)\n", optopt,
					strchr("cf", optopt) ? "needs a value" : "is unknown");
			else
				fprintf(stderr, "ferry: %s option '%s' (see ferry --help)\n",
					strchr(argv[optind - 1], '=') || !strncmp(argv[optind - 1], "--", 2) ?
					"unknown" : "bad", argv[optind - 1]);
			return -1;
		}
	}
	if (o->mode == MODE_EMIT) {
		if (strcmp(o->emit_format, "conf") != 0 && strcmp(o->emit_format, "yaml") != 0 &&
		    strcmp(o->emit_format, "ip") != 0 && strcmp(o->emit_format, "plan") != 0) {
			fprintf(stderr, "ferry: --emit takes conf, yaml, ip or plan, not '%s'\n", o->emit_format);
			return -1;
		}
		if (optind != argc - 1) {
			fprintf(stderr, "ferry: --emit %s needs one config file\n", o->emit_format);
			return -1;
		}
		o->file = argv[optind++];
	}
	if (optind < argc) {
		fprintf(stderr, "ferry: unexpected argument '%s' (see ferry --help)\n", argv[optind]);
		return -1;
	}
	if (o->netns && (!*o->netns || strchr(o->netns, '/') || strcmp(o->netns, ".") == 0 ||
			 strcmp(o->netns, "..") == 0)) {
		fprintf(stderr, "ferry: --netns takes a namespace name as ip netns lists it, not '%s'\n", o->netns);
		return -1;
	}
	if (o->apply && !o->kernel) {
		fprintf(stderr, "ferry: --apply needs --netns NAME or --kernel\n");
		return -1;
	}
	if (o->netns && !o->config_dir_given) {
		static char dir[512];
		snprintf(dir, sizeof dir, DEFAULT_CONFIG_DIR "/netns/%s", o->netns);
		o->config_dir = dir;
	}
	return 0;
}

/* At exit the kernel takes the memory back at once; freeing 100k objects one by one costs a tenth
 * of a large compile. The sanitizer builds free everything, so leaks still show there. */
static void store_release(struct store *st)
{
#if defined(__SANITIZE_ADDRESS__)
	store_free(st);
#else
	(void)st;
#endif
}

static int check_file(const struct options *o)
{
	struct diags d;
	diag_init(&d, stderr);
	struct store *st = store_new();
	int errors = config_load_file(st, o->file, o->skip_unsupported, &d);
	if (errors)
		fprintf(stderr, "%s: %d error%s\n", o->file, d.errors, d.errors == 1 ? "" : "s");
	else
		printf("%s: %zu objects, no errors\n", o->file, st->count);
	store_release(st);
	return errors ? 1 : 0;
}

static int emit_file(const struct options *o)
{
	struct diags d;
	diag_init(&d, stderr);
	struct store *st = store_new();
	int rc = 0;
	if (config_load_file(st, o->file, o->skip_unsupported, &d)) {
		rc = 1;
	} else {
		struct strbuf sb;
		sb_init(&sb);
		if (strcmp(o->emit_format, "yaml") == 0) {
			if (yaml_write_store(&sb, st) < 0) {
				fprintf(stderr, "ferry: writing YAML failed\n");
				rc = 1;
			}
		} else if (strcmp(o->emit_format, "ip") == 0 || strcmp(o->emit_format, "plan") == 0) {
			struct plan plan;
			if (lower_store(st, &plan, &d)) {
				rc = 1;
			} else {
				if (strcmp(o->emit_format, "ip") == 0)
					plan_emit_ip(&sb, &plan);
				else
					plan_emit_yaml(&sb, &plan);
				plan_free(&plan);
			}
		} else {
			print_store(&sb, st, PRINT_SAVED);
		}
		if (!rc && sb.len)
			fwrite(sb.buf, 1, sb.len, stdout);
		sb_free(&sb);
	}
	store_release(st);
	return rc;
}

/* mkdir -p of DIR's parents: /var/lib/ferry/netns for a namespace's config folder. */
static int make_parent_dirs(const char *dir)
{
	char *copy = xstrdup(dir);
	for (char *p = copy + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = 0;
		if (mkdir(copy, 0755) < 0 && errno != EEXIST) {
			free(copy);
			return -1;
		}
		*p = '/';
	}
	free(copy);
	return 0;
}

static int run_commands(const struct options *o, const char *argv0)
{
	struct diags d;
	diag_init(&d, stderr);
	struct store *st = store_new();
	struct session s;
	struct running running;
	session_init(&s, st, &d, stdout);
	s.skip_unsupported = o->skip_unsupported;
	s.config_dir = o->config_dir;
	s.edit = shell_edit;
	int rc = 0;
	struct kernel_site kernel;
	if (o->kernel && kernel_open(&kernel, o->netns, &d) < 0) {
		store_free(st);
		return 1;
	}
	if (o->netns && !o->config_dir_given && make_parent_dirs(o->config_dir) < 0) {
		fprintf(stderr, "ferry: cannot create %s: %s\n", o->config_dir, strerror(errno));
		rc = 1;
	}
	if (rc || running_open(&running, o->config_dir, st, &d) < 0) {
		running_close(&running);
		if (o->kernel)
			kernel_close(&kernel);
		store_free(st);
		return 1;
	}
	running.kernel = o->kernel ? &kernel : NULL;
	if (o->kernel && !o->apply)
		kernel_baseline(&kernel, st);
	s.show = show_runtime;                 /* reading the kernel is harmless: always allowed */
	s.show_arg = o->kernel ? kernel.run_dir : NULL;
	s.dirty = o->apply;
	if (o->file) {
		size_t len;
		char *text = read_file(o->file, &len);
		if (!text) {
			fprintf(stderr, "ferry: cannot read %s: %s\n", o->file, strerror(errno));
			rc = 1;
		} else {
			rc = session_run_text(&s, text, len, o->file, true) ? 1 : 0;
			free(text);
		}
	}
	if (!rc && o->commands && !s.quit)
		rc = session_run_text(&s, o->commands, strlen(o->commands), "<command>", true) ? 1 : 0;
	if (!o->file && !o->commands) {
		if (isatty(STDIN_FILENO)) {
			/* the shell locks the running config for each line it runs, not for the session */
			running_unlock(&running);
			rc = shell_interactive(&s, &running, argv0);
			running_lock(&running);
		} else {
			size_t len;
			char *text = read_file("/dev/stdin", &len);
			rc = text && session_run_text(&s, text, len, "<stdin>", true) == 0 ? 0 : 1;
			free(text);
		}
	}
	if (s.txn.open)
		fprintf(stderr, "ferry: warning: the cli transaction (%zu command%s) was not submitted; none of "
			"it was applied\n", s.txn.n, s.txn.n == 1 ? "" : "s");
	if (s.dirty && running_commit(&running, st, &d) < 0)
		rc = 1;
	session_free(&s);
	running_close(&running);
	if (o->kernel)
		kernel_close(&kernel);
	store_free(st);
	return rc;
}

int main(int argc, char **argv)
{
	struct options o;
	if (parse_options(argc, argv, &o) < 0)
		return 2;
	switch (o.mode) {
	case MODE_CHECK: return check_file(&o);
	case MODE_EMIT: return emit_file(&o);
	default: return run_commands(&o, argv[0]);
	}
}
