#include "compiler/help.h"

#include <stdlib.h>
#include <string.h>

#include "compiler/util.h"

void help_kind(FILE *out, const struct kind_schema *k)
{
	fprintf(out, "%s: %s\n", k->id, k->help);
	if (k->flags & K_SINGLETON)
		fprintf(out, "  create %s PROPERTY VALUE ...   (one per box: no name)\n", k->id);
	else if (k->flags & K_NAME_IS_ADDRESS)
		fprintf(out, "  create %s NAME|ADDRESS/LEN PROPERTY VALUE ...\n", k->id);
	else
		fprintf(out, "  create %s NAME PROPERTY VALUE ...\n", k->id);
	fprintf(out, "properties:\n");
	for (size_t i = 0; i < k->n_props; i++) {
		const struct prop_schema *p = &k->props[i];
		fprintf(out, "  %-20s %s%s\n", p->name, p->help, (p->flags & P_REQUIRED) ? " (required)" : "");
		fprintf(out, "  %-20s   %s%s", "", vtype_describe(p), (p->flags & P_LIST) ? ", in a list" : "");
		if (p->default_text)
			fprintf(out, "; default %s", p->default_text);
		fputc('\n', out);
	}
}

static void help_commands(FILE *out)
{
	fprintf(out, "commands:\n");
	for (size_t i = 0; i < schema_n_commands; i++)
		fprintf(out, "  %-8s %s\n", schema_commands[i].word, schema_commands[i].help);
	fprintf(out, "modules:\n");
	for (size_t i = 0; i < schema_n_modules; i++)
		fprintf(out, "  %-12s %s\n", schema_modules[i].path, schema_modules[i].help);
	fprintf(out, "help COMMAND, help MODULE KIND, help cli transaction or help keys tells more.\n");
}

static void help_transaction(FILE *out)
{
	fputs("cli transaction: several changes applied as one\n"
	      "  create cli transaction   start queueing: create, modify and delete are checked, not applied\n"
	      "  list cli transaction     the queued commands, numbered\n"
	      "  submit cli transaction   apply them all as one change, validated as a whole; if one fails,\n"
	      "                           nothing changes, the message names its number, the queue stays\n"
	      "  delete cli transaction   drop the queue\n", out);
}

static void help_keys(FILE *out)
{
	fputs("keys in the interactive shell:\n"
	      "  TAB        complete the word; a second TAB lists the choices\n"
	      "  ?          list what may come next, with help; the line stays as it is\n"
	      "  Ctrl-R     search the history (~/.ferry_history)\n"
	      "  Ctrl-C     drop the line;  Ctrl-D on an empty line: leave\n"
	      "  {          an open brace continues the command on the next line (prompt >)\n"
	      "  ~/.editrc  libedit's settings: bind -v for vi keys\n", out);
}

void help_print(FILE *out, const char *const *words, size_t n, const char *module)
{
	if (n == 0) {
		help_commands(out);
		return;
	}
	if (n == 1 && strcmp(words[0], "keys") == 0) {
		help_keys(out);
		return;
	}
	if (n == 2 && strcmp(words[0], "cli") == 0 && strcmp(words[1], "transaction") == 0) {
		help_transaction(out);
		return;
	}
	if (n == 1) {
		for (size_t i = 0; i < schema_n_commands; i++)
			if (strcmp(schema_commands[i].word, words[0]) == 0) {
				fprintf(out, "%s: %s\n  %s\n", words[0], schema_commands[i].help, schema_commands[i].usage);
				return;
			}
	}
	struct strbuf id;
	sb_init(&id);
	for (size_t i = 0; i < n; i++)
		sb_printf(&id, "%s%s", i ? " " : "", words[i][0] == '/' ? words[i] + 1 : words[i]);
	const char *tries[2] = { id.buf, NULL };
	char *relative = module && *module ? xasprintf("%s %s", module, id.buf) : NULL;
	tries[1] = relative;
	for (int t = 0; t < 2; t++) {
		if (!tries[t])
			continue;
		const struct kind_schema *k = schema_kind(tries[t]);
		if (!k && schema_module_canonical(tries[t]) == NULL) {
			/* "net tunnel tunnel": the legacy module spelling */
			for (size_t a = 0; a < schema_n_module_aliases; a++) {
				size_t al = strlen(schema_module_aliases[a].alias);
				if (strncmp(tries[t], schema_module_aliases[a].alias, al) == 0 && tries[t][al] == ' ') {
					char *fixed = xasprintf("%s%s", schema_module_aliases[a].path, tries[t] + al);
					k = schema_kind(fixed);
					free(fixed);
				}
			}
		}
		if (k) {
			help_kind(out, k);
			goto done;
		}
		const char *m = schema_module_canonical(tries[t]);
		if (m) {
			fprintf(out, "%s: %s\n", m, schema_module(m)->help);
			for (size_t i = 0; i < schema_n_modules; i++) {
				const char *p = schema_modules[i].path;
				size_t ml = strlen(m);
				if (strncmp(p, m, ml) == 0 && p[ml] == ' ')
					fprintf(out, "  %-20s %s\n", p + ml + 1, schema_modules[i].help);
			}
			for (size_t i = 0; i < schema_n_kinds; i++)
				if (strcmp(schema_kinds[i].module, m) == 0)
					fprintf(out, "  %-20s %s\n", schema_kinds[i].word, schema_kinds[i].help);
			goto done;
		}
	}
	fprintf(out, "no help for '%s'; try help with no words\n", id.buf);
done:
	free(relative);
	sb_free(&id);
}

static void md_cell(FILE *out, const char *s)
{
	for (; *s; s++) {
		if (*s == '|')
			fputs("\\|", out);
		else
			fputc(*s, out);
	}
}

void help_reference_markdown(FILE *out)
{
	fputs("# ferry grammar reference\n\n"
	      "Generated from `grammar/schema.c` by `ferry --help-grammar`; `make test` checks that this file\n"
	      "matches the program. Edit the grammar, then run `build/ferry --help-grammar > docs/grammar.md`.\n\n"
	      "## Commands\n\n| command | what it does | usage |\n|---|---|---|\n", out);
	for (size_t i = 0; i < schema_n_commands; i++) {
		fprintf(out, "| `%s` | %s | `", schema_commands[i].word, schema_commands[i].help);
		md_cell(out, schema_commands[i].usage);
		fputs("` |\n", out);
	}
	fputs("\n## Modules\n\n| module | holds |\n|---|---|\n", out);
	for (size_t i = 0; i < schema_n_modules; i++)
		fprintf(out, "| `%s` | %s |\n", schema_modules[i].path, schema_modules[i].help);
	for (size_t i = 0; i < schema_n_module_aliases; i++)
		fprintf(out, "| `%s` | the older spelling of `%s` |\n", schema_module_aliases[i].alias,
			schema_module_aliases[i].path);
	fputs("\n## Objects\n", out);
	for (size_t k = 0; k < schema_n_kinds; k++) {
		const struct kind_schema *ks = &schema_kinds[k];
		fprintf(out, "\n### %s\n\n%s.", ks->id, ks->help);
		if (ks->flags & K_SINGLETON)
			fputs(" There is one per box; it has no name.", out);
		if (ks->flags & K_NAME_IS_ADDRESS)
			fprintf(out, " `create %s ADDRESS/LEN ...` names the object after the bare address and sets "
				"`%s`.", ks->id, ks->address_prop);
		fputs("\n\n| property | value | default | meaning |\n|---|---|---|---|\n", out);
		for (size_t i = 0; i < ks->n_props; i++) {
			const struct prop_schema *p = &ks->props[i];
			fprintf(out, "| `%s`%s | ", p->name, (p->flags & P_REQUIRED) ? " (required)" : "");
			md_cell(out, vtype_describe(p));
			if (p->flags & P_LIST)
				fputs("; a list: `{ ... }`, `add { }`, `delete { }`, `replace-all-with { }`, `none`", out);
			for (size_t a = 0; a < p->n_item_props; a++) {
				const struct prop_schema *ip = &p->item_props[a];
				fputs("; each item may carry `{ ", out);
				md_cell(out, vtype_describe(ip));
				fputs(" }`", out);
			}
			fprintf(out, " | %s | ", p->default_text ? p->default_text : "");
			md_cell(out, p->help);
			fputs(" |\n", out);
		}
	}
}
