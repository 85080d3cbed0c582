#include "compiler/exec.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "compiler/addr.h"
#include "compiler/help.h"
#include "compiler/macmask.h"
#include "compiler/parser.h"
#include "compiler/print.h"
#include "compiler/util.h"
#include "compiler/validate.h"
#include "compiler/yaml.h"

void session_init(struct session *s, struct store *store, struct diags *d, FILE *out)
{
	memset(s, 0, sizeof *s);
	s->store = store;
	s->diags = d;
	s->out = out;
	snprintf(s->partition, sizeof s->partition, "Common");
}

void session_txn_discard(struct session *s)
{
	for (size_t i = 0; i < s->txn.n; i++)
		free(s->txn.entries[i].text);
	free(s->txn.entries);
	memset(&s->txn, 0, sizeof s->txn);
}

void session_free(struct session *s)
{
	session_txn_discard(s);
}

/* "net vlan /Common/x" for messages; formatted only when one is reported. */
struct label { char text[600]; };

static const char *label(struct label *b, const struct kind_schema *k, const char *path)
{
	if (k->flags & K_SINGLETON)
		snprintf(b->text, sizeof b->text, "%s", k->id);
	else
		snprintf(b->text, sizeof b->text, "%s %s", k->id, path);
	return b->text;
}

/* ---- applying property operations to an object ---- */

static void apply_attrs(struct item *it, const struct prop_schema *list, const struct item_op *iop)
{
	for (size_t a = 0; a < iop->n_attrs; a++) {
		const struct prop_op *aop = &iop->attrs[a];
		struct propval *v = &it->attrs[aop->prop - list->item_props];
		propval_clear(v, 0);
		v->set = true;
		v->loc = aop->loc;
		v->text = xstrdup(aop->text);
	}
}

static void add_items(struct propval *v, const struct prop_schema *p, const struct prop_op *op)
{
	for (size_t i = 0; i < op->n_items; i++) {
		propval_add_item(v, p, op->items[i].key, op->items[i].loc);
		apply_attrs(propval_find_item(v, op->items[i].key), p, &op->items[i]);
	}
}

static bool apply_op(struct object *o, const struct prop_op *op, struct diags *d)
{
	const struct prop_schema *p = op->prop;
	struct propval *v = &o->props[p - o->kind->props];
	switch (op->op) {
	case OP_SET:
		propval_clear(v, p->n_item_props);
		v->set = true;
		v->loc = op->loc;
		if (p->flags & P_LIST)
			add_items(v, p, op);
		else
			v->text = xstrdup(op->text);
		return true;
	case OP_CLEAR:
		propval_clear(v, p->n_item_props);
		if (p->flags & P_LIST) {        /* an explicit empty list, printed as none */
			v->set = true;
			v->loc = op->loc;
		}
		return true;
	case OP_KEYWORD:
		propval_clear(v, p->n_item_props);
		v->set = true;
		v->loc = op->loc;
		v->text = xstrdup(op->text);
		return true;
	case OP_REPLACE:
		propval_clear(v, p->n_item_props);
		v->set = true;
		v->loc = op->loc;
		add_items(v, p, op);
		return true;
	case OP_ADD:
		if (!v->set)
			v->loc = op->loc;
		add_items(v, p, op);
		return true;
	case OP_DELETE:
		for (size_t i = 0; i < op->n_items; i++) {
			if (!propval_remove_item(v, p, op->items[i].key)) {
				struct label l;
				diag_error(d, op->items[i].loc, "%s: %s delete: %s is not in the list",
					   label(&l, o->kind, o->path), p->name, op->items[i].key);
				return false;
			}
		}
		return true;
	case OP_MODIFY:
		for (size_t i = 0; i < op->n_items; i++) {
			struct item *it = propval_find_item(v, op->items[i].key);
			if (!it) {
				struct label l;
				diag_error(d, op->items[i].loc, "%s: %s modify: %s is not in the list; use add",
					   label(&l, o->kind, o->path), p->name, op->items[i].key);
				return false;
			}
			apply_attrs(it, p, &op->items[i]);
		}
		return true;
	}
	return false;
}

static bool apply_ops(struct object *o, const struct command *c, struct diags *d)
{
	for (size_t i = 0; i < c->n_ops; i++)
		if (!apply_op(o, &c->ops[i], d))
			return false;
	return true;
}

static void where(char *buf, size_t len, struct srcloc loc)
{
	if (loc.file && loc.line)
		snprintf(buf, len, " (at %s:%d)", loc.file, loc.line);
	else
		buf[0] = 0;
}

/* Puts the effect of one create/modify/delete/define into the store through the journal. */
static bool apply_mutation(struct store *st, const struct command *c, struct journal *j, struct diags *d)
{
	const struct kind_schema *k = c->kind;
	char at[300];
	if (c->verb == CMD_DELETE) {
		for (size_t i = 0; i < c->n_names; i++) {
			if (!journal_remove(j, st, k, c->names[i], c->name_locs[i])) {
				struct label l;
				diag_error(d, c->name_locs[i], "%s was not found", label(&l, k, c->names[i]));
				return false;
			}
		}
		return true;
	}
	const char *path = c->names[0];
	struct object *existing = store_get(st, k, path);
	struct object *o;
	struct label l;
	bool ok = false;
	switch (c->verb) {
	case CMD_CREATE:
		if (existing) {
			where(at, sizeof at, existing->loc);
			diag_error(d, c->name_locs[0], "%s already exists%s; use modify to change it", label(&l, k, path), at);
			goto out;
		}
		o = object_new(k, path, c->name_locs[0]);
		break;
	case CMD_DEFINE:
		if (existing && existing->journal_id == j->id) {
			if (existing->loc.file && existing->loc.line)
				snprintf(at, sizeof at, "at %s:%d", existing->loc.file, existing->loc.line);
			else
				snprintf(at, sizeof at, "earlier");
			diag_error(d, c->name_locs[0], "%s is defined twice; the first definition is %s", label(&l, k, path), at);
			goto out;
		}
		o = object_new(k, path, c->name_locs[0]);
		break;
	case CMD_MODIFY:
		if (!existing) {
			diag_error(d, c->name_locs[0], "%s was not found; create it first", label(&l, k, path));
			goto out;
		}
		o = object_clone(existing);
		break;
	default:
		goto out;
	}
	if (!apply_ops(o, c, d)) {
		object_free(o);
		goto out;
	}
	journal_put(j, st, o);
	ok = true;
out:
	return ok;
}

/* ---- list, show, help, run ---- */

static bool module_contains(const char *module, const char *kind_module)
{
	size_t n = strlen(module);
	return n == 0 || (strncmp(kind_module, module, n) == 0 && (kind_module[n] == 0 || kind_module[n] == ' '));
}

static int exec_list(struct session *s, const struct command *c)
{
	enum print_style style = c->one_line ? PRINT_ONE_LINE : c->all_properties ? PRINT_ALL : PRINT_SAVED;
	struct strbuf sb;
	sb_init(&sb);
	int rc = 0;
	if (c->kind && c->n_names) {
		for (size_t i = 0; i < c->n_names; i++) {
			struct object *o = store_get(s->store, c->kind, c->names[i]);
			if (!o) {
				struct label l;
				diag_error(s->diags, c->name_locs[i], "%s was not found", label(&l, c->kind, c->names[i]));
				rc = -1;
				continue;
			}
			print_object(&sb, o, style);
		}
	} else if (c->kind && (c->kind->flags & K_SINGLETON)) {
		struct object *o = store_get(s->store, c->kind, c->names ? c->names[0] : "");
		if (o)
			print_object(&sb, o, style);
	} else {
		for (size_t k = 0; k < schema_n_kinds; k++) {
			const struct kind_schema *ks = &schema_kinds[k];
			if (c->kind ? ks != c->kind : !module_contains(c->module ? c->module : "", ks->module))
				continue;
			size_t n;
			struct object **list = store_sorted(s->store, ks, &n);
			for (size_t i = 0; i < n; i++)
				print_object(&sb, list[i], style);
			free(list);
		}
	}
	if (sb.len)
		fwrite(sb.buf, 1, sb.len, s->out);
	sb_free(&sb);
	return rc;
}

static int exec_show(struct session *s, const struct command *c)
{
	if (c->n_words >= 1 && strcmp(c->words[0], "running-config") == 0) {
		struct command all = { .verb = CMD_LIST, .module = (char *)"" };
		return exec_list(s, &all);
	}
	if (c->n_words == 2 && strcmp(c->words[0], "sys") == 0 && strcmp(c->words[1], "version") == 0) {
		fprintf(s->out, "Sys::Version\nProduct  ferry\nVersion  %s\n", FERRY_VERSION);
		return 0;
	}
	if (c->kind && s->show)
		return s->show(s, c);
	diag_error(s->diags, c->loc, "show %s: expected show net vlan|self|vlan-group|route, show net tunnels "
		   "tunnel [NAME], show running-config or show sys version", c->kind ? c->kind->id :
		   (c->n_words ? c->words[0] : ""));
	return -1;
}

static int exec_run(struct session *s, const struct command *c)
{
	if (c->n_words == 4 && strcmp(c->words[0], "util") == 0 && strcmp(c->words[1], "mac-masquerade") == 0 &&
	    strcmp(c->words[2], "derive") == 0) {
		uint8_t mac[6], local[6];
		char buf[18];
		if (!mac_parse(c->words[3], mac)) {
			diag_error(s->diags, c->loc, "run util mac-masquerade derive: '%s' is not a MAC address "
				   "like 00:01:d7:01:02:03", c->words[3]);
			return -1;
		}
		if (mac_is_multicast(mac)) {
			mac_format(mac, buf);
			diag_error(s->diags, c->loc, "run util mac-masquerade derive: %s is a multicast address "
				   "(bit 0 of the first octet is set); derive from the device's own unicast MAC, "
				   "whose first octet is even", buf);
			return -1;
		}
		mac_derive_local(mac, local);
		mac_format(local, buf);
		fprintf(s->out, "%s\n", buf);
		return 0;
	}
	diag_error(s->diags, c->loc, "run: unknown utility; expected run util mac-masquerade derive MAC");
	return -1;
}

const char *context_canonical(const char *path)
{
	const char *m = schema_module_canonical(path);
	if (m)
		return m;
	const struct kind_schema *k = schema_kind(path);
	if (k)
		return k->id;
	for (size_t a = 0; a < schema_n_module_aliases; a++) {   /* net tunnel tunnel */
		size_t al = strlen(schema_module_aliases[a].alias);
		if (strncmp(path, schema_module_aliases[a].alias, al) == 0 && path[al] == ' ') {
			char fixed[256];
			snprintf(fixed, sizeof fixed, "%s%s", schema_module_aliases[a].path, path + al);
			k = schema_kind(fixed);
			if (k)
				return k->id;
		}
	}
	return NULL;
}

static int exec_cd(struct session *s, const struct command *c)
{
	if (c->n_words == 0) {
		diag_error(s->diags, c->loc, "cd: expected a module, like cd /net, cd /net tunnels, cd .. or cd /");
		return -1;
	}
	char joined[128] = "";
	for (size_t i = 0; i < c->n_words; i++)
		snprintf(joined + strlen(joined), sizeof joined - strlen(joined), "%s%s", i ? " " : "", c->words[i]);
	const char *w = joined;
	char target[64];
	if (strcmp(w, "/") == 0) {
		target[0] = 0;
	} else if (strcmp(w, "..") == 0) {
		snprintf(target, sizeof target, "%s", s->module);
		char *sp = strrchr(target, ' ');
		if (sp)
			*sp = 0;
		else
			target[0] = 0;
	} else {
		/* absolute; else under the current module, under a kind's module, from the root */
		const struct kind_schema *in_kind = schema_kind(s->module);
		const char *bases[3] = { s->module, in_kind ? in_kind->module : NULL, "" };
		const char *canon = NULL;
		for (int b = w[0] == '/' ? 2 : 0; b < 3 && !canon; b++) {
			char want[256];
			if (!bases[b] || (b < 2 && !bases[b][0]))
				continue;
			snprintf(want, sizeof want, "%s%s%s", bases[b], bases[b][0] ? " " : "", w[0] == '/' ? w + 1 : w);
			for (char *p = want; *p; p++)
				if (*p == '/')
					*p = ' ';
			canon = context_canonical(want);
		}
		if (!canon) {
			diag_error(s->diags, c->loc, "cd: no module or kind '%s'; modules: net, net tunnels, wom, "
				   "sys, cli; kinds: cd /net vlan-group", w);
			return -1;
		}
		snprintf(target, sizeof target, "%s", canon);
	}
	snprintf(s->module, sizeof s->module, "%s", target);
	return 0;
}

/* ---- save and load ---- */

static char *config_path(const struct session *s, const struct command *c, const char *verb)
{
	if (c->file)
		return xstrdup(c->file);
	if (!s->config_dir) {
		diag_error(s->diags, c->loc, "%s sys config: no config folder; give --config-dir DIR or file FILE",
			   verb);
		return NULL;
	}
	return xasprintf("%s/ferry.conf", s->config_dir);
}

int config_save(const struct store *st, const char *path, struct diags *d, struct srcloc loc)
{
	struct strbuf sb;
	sb_init(&sb);
	print_store(&sb, st, PRINT_SAVED);
	int rc = write_file_atomic(path, sb.buf ? sb.buf : "", sb.len);
	if (rc < 0)
		diag_error(d, loc, "cannot write %s: %s", path, strerror(errno));
	sb_free(&sb);
	return rc;
}

static int exec_save(struct session *s, const struct command *c)
{
	char *path = config_path(s, c, "save");
	if (!path)
		return -1;
	if (!c->file && s->config_dir)
		mkdir(s->config_dir, 0755);
	int rc = config_save(s->store, path, s->diags, c->loc);
	if (rc == 0)
		fprintf(s->out, "Saving running configuration...\n  %s\n", path);
	free(path);
	return rc;
}

static int exec_load(struct session *s, const struct command *c)
{
	char *path = config_path(s, c, "load");
	if (!path)
		return -1;
	struct command *cmds;
	size_t n;
	int errors = config_read_file(path, s->skip_unsupported, s->diags, &cmds, &n);
	if (!errors && c->merge) {
		/* one change on the live store: objects in the file replace their namesakes whole */
		errors = config_apply_commands(s->store, cmds, n, s->diags, c->verify);
	} else if (!errors) {
		struct store *fresh = store_new();
		errors = config_apply_commands(fresh, cmds, n, s->diags, false);
		if (!errors && !c->verify)
			store_swap(s->store, fresh);
		store_free(fresh);
	}
	config_free_commands(cmds, n);
	if (!errors && !c->verify)
		s->dirty = true;
	if (!errors)
		fprintf(s->out, "%s configuration from %s\n", c->verify ? "Verified" : "Loaded", path);
	free(path);
	return errors ? -1 : 0;
}

/* ---- cli transaction ---- */

static bool is_txn(const struct command *c)
{
	return (c->verb == CMD_CREATE || c->verb == CMD_LIST || c->verb == CMD_DELETE || c->verb == CMD_SUBMIT ||
		c->verb == CMD_MODIFY) &&
	       c->n_words == 2 && strcmp(c->words[0], "cli") == 0 && strcmp(c->words[1], "transaction") == 0;
}

static bool is_mutation(const struct command *c)
{
	return c->kind && (c->verb == CMD_CREATE || c->verb == CMD_MODIFY || c->verb == CMD_DELETE ||
			   c->verb == CMD_DEFINE);
}

static int txn_queue(struct session *s, const struct command *c)
{
	if (!c->text) {
		diag_error(s->diags, c->loc, "%s: cannot be queued in the cli transaction (no command text)",
			   verb_word(c->verb));
		return -1;
	}
	struct transaction *t = &s->txn;
	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 8;
		t->entries = xrealloc(t->entries, t->cap * sizeof *t->entries);
	}
	struct txn_entry *e = &t->entries[t->n++];
	e->text = xstrdup(c->text);
	snprintf(e->module, sizeof e->module, "%s", s->module);
	snprintf(e->partition, sizeof e->partition, "%s", s->partition);
	return 0;
}

static int txn_list(struct session *s)
{
	for (size_t i = 0; i < s->txn.n; i++) {
		const struct txn_entry *e = &s->txn.entries[i];
		if (e->module[0])
			fprintf(s->out, "%zu: (%s) %s\n", i + 1, e->module, e->text);
		else
			fprintf(s->out, "%zu: %s\n", i + 1, e->text);
	}
	return 0;
}

/* Parses the queued commands again, in the module and partition each was typed in, numbered as
 * lines of "cli transaction" so that every message names the command, and applies them as one
 * change: the first command that fails, or a result that does not validate, leaves the store as
 * it was and the transaction open. */
static int txn_submit(struct session *s, const struct command *c)
{
	struct transaction *t = &s->txn;
	struct journal j;
	journal_init(&j);
	size_t failed_at = 0;
	bool ok = true;
	for (size_t i = 0; i < t->n && ok; i++) {
		const struct txn_entry *e = &t->entries[i];
		struct lexer lx;
		lexer_init(&lx, e->text, strlen(e->text), "cli transaction", (int)i + 1);
		struct parse_ctx ctx = { e->module, e->partition, s->skip_unsupported, s->diags };
		struct command qc;
		int r = parse_command(&lx, &ctx, &qc);
		if (r > 0) {
			if (!is_mutation(&qc))
				diag_error(s->diags, qc.loc, "%s: only create, modify and delete belong in a "
					   "transaction", verb_word(qc.verb));
			else if (apply_mutation(s->store, &qc, &j, s->diags))
				r = 2;
			command_free(&qc);
		}
		lexer_free(&lx);
		if (r != 2) {
			ok = false;
			failed_at = i + 1;
		}
	}
	if (ok && validate_journal(s->store, &j, s->diags) > 0)
		ok = false;
	if (!ok) {
		journal_rollback(&j, s->store);
		if (failed_at)
			diag_error(s->diags, c->loc, "submit cli transaction: command %zu failed (%s); nothing was "
				   "changed and the transaction is still open (list cli transaction shows it, "
				   "delete cli transaction drops it)", failed_at, t->entries[failed_at - 1].text);
		else
			diag_error(s->diags, c->loc, "submit cli transaction: the result does not validate (the "
				   "messages name the commands by number); nothing was changed and the transaction "
				   "is still open");
		return -1;
	}
	journal_commit(&j);
	if (t->n)
		s->dirty = true;
	session_txn_discard(s);
	return 0;
}

static int exec_txn(struct session *s, const struct command *c)
{
	bool open = s->txn.open;
	if (c->verb == CMD_CREATE && open) {
		diag_error(s->diags, c->loc, "create cli transaction: a transaction is already open with %zu "
			   "command%s; submit or delete it first", s->txn.n, s->txn.n == 1 ? "" : "s");
		return -1;
	}
	if (c->verb != CMD_CREATE && !open) {
		diag_error(s->diags, c->loc, "%s cli transaction: no transaction is open; create cli "
			   "transaction starts one", verb_word(c->verb));
		return -1;
	}
	switch (c->verb) {
	case CMD_CREATE:
		s->txn.open = true;
		return 0;
	case CMD_LIST:
		return txn_list(s);
	case CMD_DELETE:
		session_txn_discard(s);
		return 0;
	case CMD_SUBMIT:
		return txn_submit(s, c);
	default:
		diag_error(s->diags, c->loc, "%s cli transaction: expected create, list, submit or delete",
			   verb_word(c->verb));
		return -1;
	}
}

/* ---- the dispatcher ---- */

int session_exec(struct session *s, struct command *c)
{
	if (is_txn(c))
		return exec_txn(s, c);
	if (s->txn.open) {
		if (is_mutation(c))
			return txn_queue(s, c);
		if (c->verb == CMD_LOAD || c->verb == CMD_EDIT) {
			diag_error(s->diags, c->loc, "%s: not inside a cli transaction; submit or delete it first",
				   verb_word(c->verb));
			return -1;
		}
	}
	switch (c->verb) {
	case CMD_SKIPPED:
		return 0;
	case CMD_CREATE: case CMD_MODIFY: case CMD_DELETE: case CMD_DEFINE: {
		if (!c->kind) {
			diag_error(s->diags, c->loc, "%s %s: not supported yet", verb_word(c->verb),
				   c->n_words ? c->words[0] : "");
			return -1;
		}
		struct journal j;
		journal_init(&j);
		bool ok = apply_mutation(s->store, c, &j, s->diags);
		if (ok && validate_journal(s->store, &j, s->diags) > 0)
			ok = false;
		if (!ok) {
			journal_rollback(&j, s->store);
			return -1;
		}
		journal_commit(&j);
		s->dirty = true;
		return 0;
	}
	case CMD_LIST:
		if (c->n_words) {
			diag_error(s->diags, c->loc, "list %s: not supported yet", c->words[0]);
			return -1;
		}
		return exec_list(s, c);
	case CMD_SHOW:
		return exec_show(s, c);
	case CMD_SAVE:
		return exec_save(s, c);
	case CMD_LOAD:
		return exec_load(s, c);
	case CMD_RUN:
		return exec_run(s, c);
	case CMD_CD:
		return exec_cd(s, c);
	case CMD_MODULE:
		snprintf(s->module, sizeof s->module, "%s", c->module);
		return 0;
	case CMD_HELP:
		help_print(s->out, (const char *const *)c->words, c->n_words, s->module);
		return 0;
	case CMD_QUIT:
		s->quit = true;
		return 0;
	case CMD_EXIT:
		if (s->module[0]) {
			char *sp = strrchr(s->module, ' ');
			if (sp)
				*sp = 0;
			else
				s->module[0] = 0;
		} else {
			s->quit = true;
		}
		return 0;
	case CMD_EDIT:
		if (s->edit)
			return s->edit(s, c);
		diag_error(s->diags, c->loc, "edit: needs the ferry program's editor session");
		return -1;
	case CMD_SUBMIT:
		diag_error(s->diags, c->loc, "submit: expected submit cli transaction");
		return -1;
	}
	return -1;
}

int session_run_text(struct session *s, const char *text, size_t len, const char *file, bool stop_on_error)
{
	return session_run_lines(s, text, len, file, 1, stop_on_error);
}

int session_run_lines(struct session *s, const char *text, size_t len, const char *file, int first_line,
		      bool stop_on_error)
{
	struct lexer lx;
	struct strbuf record;
	lexer_init(&lx, text, len, file, first_line);
	sb_init(&record);
	lx.record = &record;         /* each command's text, for a transaction to queue */
	int failed = 0;
	for (;;) {
		struct parse_ctx ctx = { s->module, s->partition, s->skip_unsupported, s->diags };
		struct command c;
		int r = parse_command(&lx, &ctx, &c);
		if (r == 0)
			break;
		if (r < 0 || session_exec(s, &c) < 0)
			failed++;
		if (r > 0)
			command_free(&c);
		if ((failed && stop_on_error) || s->quit)
			break;
	}
	lexer_free(&lx);
	sb_free(&record);
	return failed;
}

/* ---- loading whole files ---- */

static bool is_config_statement(const struct command *c)
{
	return c->verb == CMD_DEFINE || c->verb == CMD_CREATE || c->verb == CMD_MODIFY ||
	       c->verb == CMD_DELETE || c->verb == CMD_SKIPPED;
}

int config_apply_commands(struct store *store, struct command *cmds, size_t n, struct diags *d,
			  bool dry_run)
{
	struct journal j;
	journal_init(&j);
	int errors = 0;
	for (size_t i = 0; i < n; i++) {
		if (cmds[i].verb == CMD_SKIPPED)
			continue;
		if (cmds[i].verb == CMD_MODULE) {
			diag_error(d, cmds[i].loc, "'%s' alone enters a module in the shell; a config file "
				   "holds objects: %s NAME { ... }", cmds[i].module, cmds[i].module);
			errors++;
			continue;
		}
		if (!cmds[i].kind || !is_config_statement(&cmds[i])) {
			diag_error(d, cmds[i].loc, "'%s' does not belong in a config file; only object "
				   "definitions and create/modify/delete do", verb_word(cmds[i].verb));
			errors++;
			continue;
		}
		if (!apply_mutation(store, &cmds[i], &j, d))
			errors++;
	}
	if (!errors)
		errors = validate_journal(store, &j, d);
	if (errors || dry_run)
		journal_rollback(&j, store);
	else
		journal_commit(&j);
	return errors;
}

static bool is_yaml_name(const char *path)
{
	const char *dot = strrchr(path, '.');
	return dot && (strcmp(dot, ".yaml") == 0 || strcmp(dot, ".yml") == 0);
}

void config_free_commands(struct command *cmds, size_t n)
{
	for (size_t i = 0; i < n; i++)
		command_free(&cmds[i]);
	free(cmds);
}

int config_read_text(const char *text, size_t len, const char *file, bool skip_unsupported,
		     struct diags *d, struct command **out, size_t *n_out)
{
	struct command *cmds = NULL;
	size_t n = 0, cap = 0;
	int errors = 0;
	if (file && is_yaml_name(file)) {
		errors = yaml_read_commands(text, len, file, "Common", d, &cmds, &n);
	} else {
		struct lexer lx;
		struct parse_ctx ctx = { "", "Common", skip_unsupported, d };
		lexer_init(&lx, text, len, file, 1);
		for (;;) {
			if (n == cap) {
				cap = cap ? cap * 2 : 64;
				cmds = xrealloc(cmds, cap * sizeof *cmds);
			}
			int r = parse_command(&lx, &ctx, &cmds[n]);
			if (r == 0)
				break;
			if (r < 0) {
				errors++;
				continue;
			}
			n++;
		}
		lexer_free(&lx);
	}
	*out = cmds;
	*n_out = n;
	return errors;
}

int config_read_file(const char *path, bool skip_unsupported, struct diags *d,
		     struct command **cmds, size_t *n)
{
	size_t len;
	*cmds = NULL;
	*n = 0;
	char *text = read_file(path, &len);
	if (!text) {
		diag_error(d, (struct srcloc){ intern_filename(path), 0, 0 }, "cannot read: %s", strerror(errno));
		return 1;
	}
	int errors = config_read_text(text, len, path, skip_unsupported, d, cmds, n);
	free(text);
	return errors;
}

int config_load_file(struct store *store, const char *path, bool skip_unsupported, struct diags *d)
{
	struct command *cmds;
	size_t n;
	int errors = config_read_file(path, skip_unsupported, d, &cmds, &n);
	if (!errors)
		errors = config_apply_commands(store, cmds, n, d, false);
	config_free_commands(cmds, n);
	return errors;
}

int config_load_text(struct store *store, const char *text, size_t len, const char *file,
		     bool skip_unsupported, struct diags *d)
{
	struct command *cmds;
	size_t n;
	int errors = config_read_text(text, len, file, skip_unsupported, d, &cmds, &n);
	if (!errors)
		errors = config_apply_commands(store, cmds, n, d, false);
	config_free_commands(cmds, n);
	return errors;
}
