/* The parser for tmsh command lines and the saved brace format, driven by the grammar tables.
 * A saved-format statement (`net vlan /Common/x { ... }`) is a create with the verb left out,
 * so one property parser serves both. */
#include "compiler/parser.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compiler/addr.h"
#include "compiler/util.h"
#include "compiler/value.h"

struct parser {
	struct lexer *lx;
	const struct parse_ctx *ctx;
	struct command *cmd;
	bool in_object;               /* messages start with the object: "net vlan /Common/x" */
	char label[512];
	int depth;                    /* braces open in this statement: recovery skips past them */
	bool failed;                  /* an error inside a block: reported, the line passed over */
	bool skip_object;             /* --skip-unsupported: the object uses a BIG-IP built-in ferry lacks */
};

static const struct { const char *word; enum verb verb; } verbs[] = {
	{ "create", CMD_CREATE }, { "modify", CMD_MODIFY }, { "delete", CMD_DELETE },
	{ "list", CMD_LIST }, { "show", CMD_SHOW }, { "save", CMD_SAVE }, { "load", CMD_LOAD },
	{ "edit", CMD_EDIT }, { "run", CMD_RUN }, { "submit", CMD_SUBMIT }, { "cd", CMD_CD },
	{ "help", CMD_HELP }, { "quit", CMD_QUIT }, { "exit", CMD_EXIT },
};

const char *verb_word(enum verb v)
{
	for (size_t i = 0; i < sizeof verbs / sizeof verbs[0]; i++)
		if (verbs[i].verb == v)
			return verbs[i].word;
	return v == CMD_DEFINE ? "define" : "?";
}

/* Formatted only when a message needs it: most statements never do. */
static const char *object_path(struct parser *ps)
{
	const struct command *c = ps->cmd;
	if (!ps->in_object)
		return NULL;
	if (c->kind->flags & K_SINGLETON)
		snprintf(ps->label, sizeof ps->label, "%s", c->kind->id);
	else
		snprintf(ps->label, sizeof ps->label, "%s %s", c->kind->id, c->n_names ? c->names[0] : "?");
	return ps->label;
}

static const struct token *peek(struct parser *ps)
{
	return lex_peek(ps->lx, 0);
}

static bool at_end(const struct token *t)
{
	return t->type == T_EOF || t->type == T_NEWLINE || t->type == T_SEMI;
}

static bool is_value(const struct token *t)
{
	return t->type == T_WORD || t->type == T_STRING;
}

__attribute__((format(printf, 3, 4)))
static void error_at(struct parser *ps, struct srcloc loc, const char *fmt, ...)
{
	char msg[1500];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (object_path(ps))
		diag_error(ps->ctx->diags, loc, "%s: %s", object_path(ps), msg);
	else
		diag_error(ps->ctx->diags, loc, "%s", msg);
}

/* Passes over the rest of a statement: to the end of the line outside braces, braces balanced. */
static void skip_statement(struct parser *ps)
{
	int depth = ps->depth;
	ps->depth = 0;
	for (;;) {
		const struct token *t = peek(ps);
		if (t->type == T_EOF)
			return;
		if (depth == 0 && (t->type == T_NEWLINE || t->type == T_SEMI)) {
			lex_next(ps->lx);
			return;
		}
		if (t->type == T_LBRACE)
			depth++;
		else if (t->type == T_RBRACE && depth > 0)
			depth--;
		lex_next(ps->lx);
	}
}

/* Inside a block: passes over one property line, nested blocks included, up to (not past) a
 * closing brace of the enclosing block. */
static void skip_block_line(struct parser *ps)
{
	int depth = 0;
	for (;;) {
		const struct token *t = peek(ps);
		if (t->type == T_EOF)
			return;
		if (depth == 0 && (t->type == T_NEWLINE || t->type == T_SEMI || t->type == T_RBRACE))
			return;
		if (t->type == T_LBRACE)
			depth++;
		else if (t->type == T_RBRACE)
			depth--;
		lex_next(ps->lx);
	}
}

/* ---- the target: [/] module words, then the kind ---- */

static char *join_module(const char *base, const char *word)
{
	return *base ? xasprintf("%s %s", base, word) : xstrdup(word);
}

static void list_choices(struct strbuf *sb, const char *module)
{
	size_t mlen = strlen(module);
	for (size_t i = 0; i < schema_n_modules; i++) {
		const char *p = schema_modules[i].path;
		const char *rest = mlen ? (strncmp(p, module, mlen) == 0 && p[mlen] == ' ' ? p + mlen + 1 : NULL) : p;
		if (rest && !strchr(rest, ' '))
			sb_printf(sb, "%s%s", sb->len ? ", " : "", rest);
	}
	for (size_t i = 0; i < schema_n_kinds; i++)
		if (strcmp(schema_kinds[i].module, module) == 0)
			sb_printf(sb, "%s%s", sb->len ? ", " : "", schema_kinds[i].word);
}

/* True when W leaves a kind context for a path from the root: "/", "/net", "net", "wom". */
static bool starts_from_root(const char *w)
{
	return strcmp(w, "/") == 0 || (w[0] == '/' && schema_module_canonical(w + 1)) ||
	       (!strchr(w, ' ') && schema_module_canonical(w));
}

/* Reads module words and the kind. KIND_NEEDED: create/modify/delete need a kind; list, show
 * and edit may stop at a module. Inside a kind (ctx->module "net vlan-group") the kind is implied.
 * Returns false after reporting an error. */

static bool parse_target(struct parser *ps, bool kind_needed)
{
	struct command *c = ps->cmd;
	const char *start = ps->ctx->module ? ps->ctx->module : "";
	const struct kind_schema *context_kind = *start ? schema_kind(start) : NULL;
	if (context_kind) {
		/* inside a kind (net vlan-group): the kind is implied unless a path from the root follows */
		const struct token *t = peek(ps);
		if (t->type != T_WORD || !starts_from_root(t->text)) {
			c->kind = context_kind;
			c->module = xstrdup(context_kind->module);
			return true;
		}
		start = "";
	}
	char *base = xstrdup(start);
	bool consumed = false;
	for (;;) {
		const struct token *t = peek(ps);
		if (t->type != T_WORD)
			break;
		const char *w = t->text;
		if (strcmp(w, "/") == 0) {
			free(base);
			base = xstrdup("");
			lex_next(ps->lx);
			consumed = true;
			continue;
		}
		if (w[0] == '/' && !consumed && schema_module_canonical(w + 1)) {
			free(base);
			base = xstrdup(schema_module_canonical(w + 1));
			lex_next(ps->lx);
			consumed = true;
			continue;
		}
		char *candidate = join_module(base, w);
		const char *canon = schema_module_canonical(candidate);
		free(candidate);
		if (canon) {
			free(base);
			base = xstrdup(canon);
			lex_next(ps->lx);
			consumed = true;
			continue;
		}
		const struct kind_schema *k = schema_kind_in(base, w);
		if (k) {
			c->kind = k;
			lex_next(ps->lx);
			break;
		}
		if (!consumed && *base) {
			/* not under the current module: try from the root, as tmsh does */
			const char *root = schema_module_canonical(w);
			if (root) {
				free(base);
				base = xstrdup(root);
				lex_next(ps->lx);
				consumed = true;
				continue;
			}
		}
		if (!kind_needed && (strcmp(w, "one-line") == 0 || strcmp(w, "all-properties") == 0))
			break;
		struct strbuf sb;
		sb_init(&sb);
		list_choices(&sb, base);
		char what[300];
		if (*base)
			snprintf(what, sizeof what, "unknown kind '%.100s' in %s", w, base);
		else
			snprintf(what, sizeof what, "unknown module '%.100s'", w);
		error_at(ps, t->loc, "%s; expected one of: %s", what, sb.buf ? sb.buf : "");
		sb_free(&sb);
		free(base);
		return false;
	}
	c->module = base;
	if (kind_needed && !c->kind) {
		const struct token *t = peek(ps);
		struct strbuf sb;
		sb_init(&sb);
		list_choices(&sb, base);
		error_at(ps, t->loc, "%s: expected %s", tok_describe(t), sb.buf ? sb.buf : "a kind");
		sb_free(&sb);
		return false;
	}
	return true;
}

/* ---- values ---- */

static char *read_value_words(struct parser *ps, const struct prop_schema *p, struct srcloc *loc)
{
	int words = vtype_words(p->type);
	struct strbuf sb;
	sb_init(&sb);
	*loc = peek(ps)->loc;
	for (int i = 0; i < words; i++) {
		const struct token *t = peek(ps);
		if (!is_value(t)) {
			if (t->type == T_ERROR)
				error_at(ps, t->loc, "%s: %s", p->name, t->text);
			else
				error_at(ps, t->loc, "%s: expected %s, found %s", p->name, vtype_describe(p),
					 tok_describe(t));
			sb_free(&sb);
			return NULL;
		}
		if (i)
			sb_putc(&sb, ' ');
		sb_puts(&sb, t->text);
		lex_next(ps->lx);
	}
	return sb_steal(&sb);
}

static char *canonical_or_error(struct parser *ps, const struct prop_schema *p, const char *text,
				struct srcloc loc)
{
	char why[512], *canon;
	if (!value_canonical(p, text, ps->ctx->partition, &canon, why, sizeof why)) {
		if (p->type == VT_PROFILE && ps->ctx->skip_unsupported && ps->in_object) {
			/* every BIG-IP has tunnels on profiles ferry does not model (tcp-forward) */
			diag_warning(ps->ctx->diags, loc, "%s: skipping it: %s %s is a profile ferry does not "
				     "model", object_path(ps), p->name, text);
			ps->skip_object = true;
			return xstrdup("");
		}
		char msg[700];
		snprintf(msg, sizeof msg, "%s %s", p->name, why);
		error_at(ps, loc, "%s", msg);
		return NULL;
	}
	return canon;
}

/* Consumes a '{' and returns where it opened. */
static struct srcloc block_open(struct parser *ps)
{
	struct srcloc open = peek(ps)->loc;
	lex_next(ps->lx);
	ps->depth++;
	return open;
}

/* The next token inside a block, past line breaks and ';'. A closing '}' is consumed and sets
 * *CLOSED. */
static const struct token *block_next(struct parser *ps, bool *closed)
{
	*closed = false;
	for (;;) {
		const struct token *t = peek(ps);
		if (t->type == T_NEWLINE || t->type == T_SEMI) {
			lex_next(ps->lx);
			continue;
		}
		if (t->type == T_RBRACE) {
			lex_next(ps->lx);
			ps->depth--;
			*closed = true;
		}
		return t;
	}
}

static bool parse_item_block(struct parser *ps, const struct prop_schema *list, struct item_op *item)
{
	struct srcloc open = block_open(ps);
	for (;;) {
		bool closed;
		const struct token *t = block_next(ps, &closed);
		if (closed)
			return true;
		if (t->type == T_EOF || t->type == T_ERROR) {
			error_at(ps, t->type == T_EOF ? open : t->loc, "%s", t->type == T_EOF ?
				 "unterminated '{': add the closing '}'" : t->text);
			return false;
		}
		const struct prop_schema *attr = NULL;
		bool bare = false;
		for (size_t i = 0; i < list->n_item_props && t->type == T_WORD; i++) {
			const struct prop_schema *ip = &list->item_props[i];
			if ((ip->flags & P_BARE) && schema_value_in(ip->values, t->text)) {
				attr = ip;
				bare = true;
			} else if (strcmp(ip->name, t->text) == 0 && !(ip->flags & P_BARE)) {
				attr = ip;
			}
		}
		if (!attr) {
			struct strbuf sb;
			sb_init(&sb);
			for (size_t i = 0; i < list->n_item_props; i++) {
				const struct prop_schema *ip = &list->item_props[i];
				for (const char *const *v = (ip->flags & P_BARE) ? ip->values : NULL; v && *v; v++)
					sb_printf(&sb, "%s%s", sb.len ? ", " : "", *v);
				if (!(ip->flags & P_BARE))
					sb_printf(&sb, "%s%s", sb.len ? ", " : "", ip->name);
			}
			if (ps->ctx->skip_unsupported) {
				char where[600];
				snprintf(where, sizeof where, "%s%s%s %s", object_path(ps) ? object_path(ps) : "",
					 object_path(ps) ? ": " : "", list->name, item->key);
				diag_warning(ps->ctx->diags, t->loc, "%s: skipping unsupported setting '%s'", where,
					     t->text);
				skip_block_line(ps);
				sb_free(&sb);
				continue;
			}
			char where[300];
			snprintf(where, sizeof where, "%s %s", list->name, item->key);
			char msg[900];
			snprintf(msg, sizeof msg, "%s: unknown setting %s; expected %s", where, tok_describe(t),
				 sb.buf ? sb.buf : "nothing");
			error_at(ps, t->loc, "%s", msg);
			sb_free(&sb);
			return false;
		}
		struct srcloc loc = t->loc;
		char *text;
		if (bare) {
			text = xstrdup(t->text);
			lex_next(ps->lx);
		} else {
			lex_next(ps->lx);
			char *raw = read_value_words(ps, attr, &loc);
			if (!raw)
				return false;
			text = canonical_or_error(ps, attr, raw, loc);
			free(raw);
			if (!text)
				return false;
		}
		item->attrs = xrealloc(item->attrs, (item->n_attrs + 1) * sizeof *item->attrs);
		item->attrs[item->n_attrs++] = (struct prop_op){ attr, OP_SET, loc, text, NULL, 0 };
	}
}

static bool parse_item_list(struct parser *ps, const struct prop_schema *p, struct prop_op *op)
{
	struct srcloc open = block_open(ps);
	for (;;) {
		bool closed;
		const struct token *t = block_next(ps, &closed);
		if (closed)
			return true;
		if (t->type == T_EOF) {
			error_at(ps, open, "%s: unterminated '{': add the closing '}'", p->name);
			return false;
		}
		if (!is_value(t)) {
			error_at(ps, t->loc, "%s: expected %s", p->name, t->type == T_ERROR ? t->text :
				 vtype_describe(p));
			return false;
		}
		struct srcloc loc;
		char *raw = read_value_words(ps, p, &loc);
		if (!raw)
			return false;
		char *key = canonical_or_error(ps, p, raw, loc);
		free(raw);
		if (!key)
			return false;
		op->items = xrealloc(op->items, (op->n_items + 1) * sizeof *op->items);
		struct item_op *item = &op->items[op->n_items++];
		*item = (struct item_op){ key, loc, NULL, 0 };
		if (peek(ps)->type == T_LBRACE) {
			if (!p->n_item_props && !ps->ctx->skip_unsupported) {
				error_at(ps, peek(ps)->loc, "%s: items take no block here", p->name);
				return false;
			}
			if (!p->n_item_props) {
				diag_warning(ps->ctx->diags, peek(ps)->loc, "%s: %s %s: skipping unsupported block",
					     object_path(ps) ? object_path(ps) : "", p->name, key);
				skip_block_line(ps);
				continue;
			}
			if (!parse_item_block(ps, p, item))
				return false;
		}
	}
}

static const struct { const char *word; enum prop_opcode op; } list_verbs[] = {
	{ "add", OP_ADD }, { "delete", OP_DELETE }, { "replace-all-with", OP_REPLACE }, { "modify", OP_MODIFY },
};

static bool parse_property(struct parser *ps, const struct kind_schema *k, bool in_block)
{
	struct command *c = ps->cmd;
	const struct token *t = peek(ps);
	const struct prop_schema *p = schema_prop(k, t->text);
	if (!p) {
		struct strbuf sb;
		sb_init(&sb);
		for (size_t i = 0; i < k->n_props; i++)
			sb_printf(&sb, "%s%s", i ? ", " : "", k->props[i].name);
		if (in_block && ps->ctx->skip_unsupported) {
			diag_warning(ps->ctx->diags, t->loc, "%s: skipping unsupported property '%s'",
				     object_path(ps) ? object_path(ps) : k->id, t->text);
			skip_block_line(ps);
			sb_free(&sb);
			return true;
		}
		char msg[1200];
		snprintf(msg, sizeof msg, "unknown property %s of %s; expected one of: %s", tok_describe(t),
			 k->id, sb.buf);
		error_at(ps, t->loc, "%s", msg);
		sb_free(&sb);
		if (in_block) {
			/* one property a line: the rest of the block can still be checked */
			ps->failed = true;
			skip_block_line(ps);
			return true;
		}
		return false;
	}
	struct prop_op op = { p, OP_SET, t->loc, NULL, NULL, 0 };
	lex_next(ps->lx);
	t = peek(ps);
	if (p->type == VT_FLAG) {
		op.text = xstrdup("");
	} else if (p->flags & P_LIST) {
		enum prop_opcode verb = OP_SET;
		if (t->type == T_WORD) {
			for (size_t i = 0; i < sizeof list_verbs / sizeof list_verbs[0]; i++)
				if (strcmp(t->text, list_verbs[i].word) == 0)
					verb = list_verbs[i].op;
		}
		if (verb != OP_SET) {
			lex_next(ps->lx);
			t = peek(ps);
			if (t->type != T_LBRACE) {
				error_at(ps, t->loc, "%s: expected '{' after the list operation, found %s", p->name,
					 tok_describe(t));
				return false;
			}
		}
		op.op = verb;
		if (t->type == T_LBRACE) {
			if (!parse_item_list(ps, p, &op))
				goto fail;
		} else if (t->type == T_WORD && strcmp(t->text, "none") == 0) {
			op.op = OP_CLEAR;
			lex_next(ps->lx);
		} else if (t->type == T_WORD && schema_value_in(p->values, t->text)) {
			op.op = OP_KEYWORD;
			op.text = xstrdup(t->text);
			lex_next(ps->lx);
		} else if (is_value(t)) {
			/* one item without braces: allow-service default */
			struct srcloc loc;
			char *raw = read_value_words(ps, p, &loc);
			char *key = raw ? canonical_or_error(ps, p, raw, loc) : NULL;
			free(raw);
			if (!key)
				goto fail;
			op.op = OP_REPLACE;
			op.items = xcalloc(1, sizeof *op.items);
			op.items[0] = (struct item_op){ key, loc, NULL, 0 };
			op.n_items = 1;
		} else {
			error_at(ps, t->loc, "%s: expected { ... }, add { ... }, delete { ... }, "
				 "replace-all-with { ... } or none, found %s", p->name, tok_describe(t));
			return false;
		}
	} else if (t->type == T_WORD && strcmp(t->text, "none") == 0 &&
		   ((p->flags & P_NONE_OK) || p->type == VT_STRING)) {
		op.op = OP_CLEAR;
		lex_next(ps->lx);
	} else {
		if (t->type == T_LBRACE && in_block && ps->ctx->skip_unsupported) {
			diag_warning(ps->ctx->diags, t->loc, "%s: skipping unsupported block form of '%s'",
				     object_path(ps) ? object_path(ps) : k->id, p->name);
			skip_block_line(ps);
			return true;
		}
		struct srcloc loc;
		char *raw = read_value_words(ps, p, &loc);
		if (!raw)
			return false;
		op.text = canonical_or_error(ps, p, raw, loc);
		free(raw);
		if (!op.text)
			return false;
		op.loc = loc;              /* later errors about the value point at the value */
	}
	c->ops = xrealloc(c->ops, (c->n_ops + 1) * sizeof *c->ops);
	c->ops[c->n_ops++] = op;
	return true;
fail:
	c->ops = xrealloc(c->ops, (c->n_ops + 1) * sizeof *c->ops);
	c->ops[c->n_ops++] = op;     /* freed with the command */
	return false;
}

static bool parse_properties(struct parser *ps, const struct kind_schema *k)
{
	for (;;) {
		const struct token *t = peek(ps);
		if (at_end(t))
			return true;
		if (t->type == T_LBRACE) {
			struct srcloc open = block_open(ps);
			for (;;) {
				bool closed;
				t = block_next(ps, &closed);
				if (closed)
					break;
				if (t->type == T_EOF) {
					error_at(ps, open, "unterminated '{' (opened here): add the closing '}'");
					return false;
				}
				if (t->type != T_WORD) {
					error_at(ps, t->loc, "expected a property of %s, found %s", k->id, tok_describe(t));
					return false;
				}
				if (!parse_property(ps, k, true))
					return false;
			}
			continue;
		}
		if (t->type == T_RBRACE) {
			error_at(ps, t->loc, "'}' without a matching '{'");
			return false;
		}
		if (t->type != T_WORD) {
			error_at(ps, t->loc, "expected a property of %s, found %s", k->id, tok_describe(t));
			return false;
		}
		if (!parse_property(ps, k, false))
			return false;
	}
}

/* ---- names ---- */

static bool add_name(struct parser *ps, const struct token *t)
{
	struct command *c = ps->cmd;
	char why[400];
	char *path;
	const char *text = t->text;
	char *address = NULL;
	if ((c->kind->flags & K_NAME_IS_ADDRESS) && text[0] != '/' && strchr(text, '/')) {
		/* create net self 10.1.1.1/24: the name is the bare address */
		address = xstrdup(text);
		path = xstrndup(text, (size_t)(strchr(text, '/') - text));
		struct ipaddr a;
		char canon_addr[IP_STRLEN];
		if (ip_parse(path, &a)) {          /* the name is the address as ferry prints it */
			ip_format(&a, canon_addr);
			free(path);
			path = xstrdup(canon_addr);
		}
		char *full = path_canonical(path, ps->ctx->partition, why, sizeof why);
		free(path);
		path = full;
	} else {
		path = path_canonical(text, ps->ctx->partition, why, sizeof why);
	}
	if (!path) {
		diag_error(ps->ctx->diags, t->loc, "%s: %s", c->kind->id, why);
		free(address);
		return false;
	}
	c->names = xrealloc(c->names, (c->n_names + 1) * sizeof *c->names);
	c->name_locs = xrealloc(c->name_locs, (c->n_names + 1) * sizeof *c->name_locs);
	c->names[c->n_names] = path;
	c->name_locs[c->n_names] = t->loc;
	c->n_names++;
	if (address) {
		const struct prop_schema *p = schema_prop(c->kind, c->kind->address_prop);
		char *canon = NULL;
		if (!value_canonical(p, address, ps->ctx->partition, &canon, why, sizeof why)) {
			diag_error(ps->ctx->diags, t->loc, "%s %s: %s %s", c->kind->id, path, p->name, why);
			free(address);
			return false;
		}
		c->ops = xrealloc(c->ops, (c->n_ops + 1) * sizeof *c->ops);
		c->ops[c->n_ops++] = (struct prop_op){ p, OP_SET, t->loc, canon, NULL, 0 };
		free(address);
	}
	return true;
}

static bool singleton_name(struct parser *ps)
{
	struct command *c = ps->cmd;
	c->names = xcalloc(1, sizeof *c->names);
	c->name_locs = xcalloc(1, sizeof *c->name_locs);
	c->names[0] = xasprintf("/Common/%s", c->kind->word);
	c->name_locs[0] = c->loc;
	c->n_names = 1;
	return true;
}

static bool parse_object_command(struct parser *ps)
{
	struct command *c = ps->cmd;
	bool ok = true;
	if (!c->kind && !parse_target(ps, c->verb != CMD_LIST && c->verb != CMD_SHOW && c->verb != CMD_EDIT))
		return false;
	if (!c->kind)
		goto options;
	if (c->kind->flags & K_SINGLETON) {
		singleton_name(ps);
	} else if (c->verb == CMD_CREATE || c->verb == CMD_MODIFY || c->verb == CMD_DEFINE) {
		const struct token *t = peek(ps);
		if (!is_value(t)) {
			diag_error(ps->ctx->diags, t->loc, "%s %s: expected the object's name, found %s",
				   verb_word(c->verb), c->kind->id, tok_describe(t));
			return false;
		}
		if (!add_name(ps, t))
			return false;
		lex_next(ps->lx);
	}
	if (c->verb == CMD_CREATE || c->verb == CMD_MODIFY || c->verb == CMD_DEFINE) {
		ps->in_object = true;
		ok = parse_properties(ps, c->kind) && !ps->failed;
		ps->in_object = false;
		if (ok && ps->skip_object)
			c->verb = CMD_SKIPPED;
		if (ok && c->verb == CMD_MODIFY && c->n_ops == 0) {
			diag_error(ps->ctx->diags, c->loc, "modify %s %s: nothing to change; give a property and "
				   "its value", c->kind->id, c->names[0]);
			return false;
		}
		return ok;
	}
	/* delete, list, show, edit: names, then options */
	if (!(c->kind->flags & K_SINGLETON)) {
		for (const struct token *t = peek(ps); is_value(t); t = peek(ps)) {
			if (strcmp(t->text, "one-line") == 0 || strcmp(t->text, "all-properties") == 0)
				break;
			if (!add_name(ps, t))
				return false;
			lex_next(ps->lx);
		}
	}
	if (c->verb == CMD_DELETE && c->n_names == 0) {
		diag_error(ps->ctx->diags, peek(ps)->loc, "%s %s: expected the name of the object",
			   verb_word(c->verb), c->kind->id);
		return false;
	}
options:
	for (const struct token *t = peek(ps); !at_end(t); t = peek(ps)) {
		if (t->type == T_WORD && strcmp(t->text, "one-line") == 0 && c->verb == CMD_LIST)
			c->one_line = true;
		else if (t->type == T_WORD && strcmp(t->text, "all-properties") == 0 && c->verb == CMD_LIST)
			c->all_properties = true;
		else {
			diag_error(ps->ctx->diags, t->loc, "%s: unexpected %s here", verb_word(c->verb), tok_describe(t));
			return false;
		}
		lex_next(ps->lx);
	}
	return true;
}

/* save sys config [file F] / load sys config [merge] [verify] [file F] */
static bool parse_sys_config(struct parser *ps)
{
	struct command *c = ps->cmd;
	const struct token *t = peek(ps);
	if (t->type == T_WORD && strcmp(t->text, "/") == 0) {
		lex_next(ps->lx);
		t = peek(ps);
	}
	bool in_sys = ps->ctx->module && strcmp(ps->ctx->module, "sys") == 0;
	if (t->type == T_WORD && (strcmp(t->text, "sys") == 0 || strcmp(t->text, "/sys") == 0)) {
		lex_next(ps->lx);
		t = peek(ps);
		in_sys = true;
	}
	if (!in_sys || t->type != T_WORD || strcmp(t->text, "config") != 0) {
		diag_error(ps->ctx->diags, t->loc, "%s: expected sys config, found %s", verb_word(c->verb),
			   tok_describe(t));
		return false;
	}
	lex_next(ps->lx);
	c->module = xstrdup("sys");
	for (t = peek(ps); !at_end(t); t = peek(ps)) {
		if (t->type == T_WORD && strcmp(t->text, "file") == 0) {
			lex_next(ps->lx);
			t = peek(ps);
			if (!is_value(t)) {
				diag_error(ps->ctx->diags, t->loc, "%s sys config file: expected a file name, found %s",
					   verb_word(c->verb), tok_describe(t));
				return false;
			}
			free(c->file);
			c->file = xstrdup(t->text);
		} else if (c->verb == CMD_LOAD && t->type == T_WORD && strcmp(t->text, "merge") == 0) {
			c->merge = true;
		} else if (c->verb == CMD_LOAD && t->type == T_WORD && strcmp(t->text, "verify") == 0) {
			c->verify = true;
		} else {
			diag_error(ps->ctx->diags, t->loc, "%s sys config: unexpected %s; expected %s",
				   verb_word(c->verb), tok_describe(t),
				   c->verb == CMD_LOAD ? "merge, verify or file FILE" : "file FILE");
			return false;
		}
		lex_next(ps->lx);
	}
	return true;
}

static void collect_words(struct parser *ps)
{
	struct command *c = ps->cmd;
	for (const struct token *t = peek(ps); !at_end(t) && is_value(t); t = peek(ps)) {
		c->words = xrealloc(c->words, (c->n_words + 1) * sizeof *c->words);
		c->words[c->n_words++] = xstrdup(t->text);
		lex_next(ps->lx);
	}
}

static bool expect_end(struct parser *ps)
{
	const struct token *t = peek(ps);
	if (at_end(t)) {
		if (t->type != T_EOF)
			lex_next(ps->lx);
		return true;
	}
	if (t->type == T_ERROR)
		diag_error(ps->ctx->diags, t->loc, "%s", t->text);
	else if (t->type == T_RBRACE)
		diag_error(ps->ctx->diags, t->loc, "'}' without a matching '{'");
	else
		diag_error(ps->ctx->diags, t->loc, "%s: unexpected %s; the command ends before it",
			   verb_word(ps->cmd->verb), tok_describe(t));
	return false;
}

static const char *modeled_kinds(void)
{
	static char buf[512];
	if (!buf[0]) {
		size_t used = 0;
		for (size_t i = 0; i < schema_n_kinds; i++)
			used += (size_t)snprintf(buf + used, sizeof buf - used, "%s%s", i ? ", " : "",
						 schema_kinds[i].id);
	}
	return buf;
}

/* A statement that does not start with a verb: a saved-format definition, a bare module to enter,
 * or a kind ferry does not model. */
static int parse_definition(struct parser *ps)
{
	struct command *c = ps->cmd;
	const struct token *first = peek(ps);
	c->verb = CMD_DEFINE;
	const char *start = ps->ctx->module ? ps->ctx->module : "";
	const struct kind_schema *context_kind = *start ? schema_kind(start) : NULL;
	if (context_kind)
		start = context_kind->module;     /* a sibling kind or module is one word away */
	char *base = xstrdup(start);
	bool found_kind = false, consumed = false;
	char *words_seen = xstrdup("");
	struct srcloc first_loc = first->loc;
	for (;;) {
		const struct token *t = peek(ps);
		if (t->type != T_WORD)
			break;
		if (!consumed && strcmp(t->text, "/") == 0) {
			free(base);
			base = xstrdup("");
			lex_next(ps->lx);
			consumed = true;
			continue;
		}
		char *candidate = join_module(base, t->text);
		const char *canon = schema_module_canonical(candidate);
		if (!canon && (*base == 0 || !consumed) && t->text[0] == '/')
			canon = schema_module_canonical(t->text + 1);
		if (!canon && !consumed && *base && !schema_kind_in(base, t->text))
			canon = schema_module_canonical(t->text);   /* not under the current module: from the root */
		free(candidate);
		if (canon || schema_kind_in(base, t->text)) {
			char *seen = *words_seen ? xasprintf("%s %s", words_seen, t->text) : xstrdup(t->text);
			free(words_seen);
			words_seen = seen;
		}
		if (canon) {
			free(base);
			base = xstrdup(canon);
			lex_next(ps->lx);
			consumed = true;
			continue;
		}
		const struct kind_schema *k = schema_kind_in(base, t->text);
		if (k) {
			c->kind = k;
			lex_next(ps->lx);
			found_kind = true;
		}
		break;
	}
	if (!found_kind && at_end(peek(ps)) && consumed) {
		c->verb = CMD_MODULE;            /* net, net tunnels, / : enter it */
		c->module = base;
		free(words_seen);
		return expect_end(ps) ? 1 : -1;
	}
	if (found_kind && at_end(peek(ps))) {
		c->verb = CMD_MODULE;            /* net vlan-group: enter the kind; its commands leave it out */
		c->module = xstrdup(c->kind->id);
		c->kind = NULL;
		free(base);
		free(words_seen);
		return expect_end(ps) ? 1 : -1;
	}
	if (!found_kind) {
		/* Gather the statement's leading words to name it: "sys global-settings". */
		for (const struct token *t = peek(ps); t->type == T_WORD; t = peek(ps)) {
			if (t->text[0] == '/')
				break;
			char *seen = *words_seen ? xasprintf("%s %s", words_seen, t->text) : xstrdup(t->text);
			free(words_seen);
			words_seen = seen;
			lex_next(ps->lx);
		}
		if (ps->ctx->skip_unsupported) {
			diag_warning(ps->ctx->diags, first_loc, "skipping unsupported '%s'", words_seen);
			skip_statement(ps);
			free(words_seen);
			free(base);
			c->verb = CMD_SKIPPED;
			return 1;
		}
		if (*base)
			diag_error(ps->ctx->diags, first_loc, "unknown object kind '%s'; ferry models %s (add "
				   "--skip-unsupported to pass over kinds it does not model)", words_seen,
				   modeled_kinds());
		else
			diag_error(ps->ctx->diags, first_loc, "unknown command '%s'; commands: create, modify, "
				   "delete, list, show, save, load, run, cd, help", words_seen);
		free(words_seen);
		free(base);
		skip_statement(ps);
		return -1;
	}
	free(words_seen);
	c->module = base;
	if (!parse_object_command(ps)) {
		skip_statement(ps);
		return -1;
	}
	return expect_end(ps) ? 1 : (skip_statement(ps), -1);
}

static int parse_one(struct lexer *lx, const struct parse_ctx *ctx, struct command *cmd)
{
	struct parser ps = { .lx = lx, .ctx = ctx, .cmd = cmd };
	memset(cmd, 0, sizeof *cmd);
	for (;;) {
		const struct token *t = lex_peek(lx, 0);
		if (t->type == T_NEWLINE || t->type == T_SEMI) {
			lex_next(lx);
			continue;
		}
		break;
	}
	const struct token *t = peek(&ps);
	cmd->loc = t->loc;
	if (t->type == T_EOF)
		return 0;
	if (t->type != T_WORD) {
		if (t->type == T_ERROR)
			diag_error(ctx->diags, t->loc, "%s", t->text);
		else
			diag_error(ctx->diags, t->loc, "expected a command, found %s", tok_describe(t));
		skip_statement(&ps);
		return -1;
	}
	int verb = -1;
	for (size_t i = 0; i < sizeof verbs / sizeof verbs[0]; i++)
		if (strcmp(t->text, verbs[i].word) == 0)
			verb = (int)verbs[i].verb;
	if (verb < 0)
		return parse_definition(&ps);
	cmd->verb = (enum verb)verb;
	lex_next(lx);
	bool ok = true;
	const struct token *next = peek(&ps);
	bool cli_or_util = next->type == T_WORD &&
		(strcmp(next->text, "cli") == 0 || strcmp(next->text, "util") == 0 ||
		 strcmp(next->text, "running-config") == 0 ||
		 (cmd->verb == CMD_SHOW && strcmp(next->text, "sys") == 0));
	/* inside the cli or util module: create transaction is create cli transaction */
	const char *word_module = ctx->module && (strcmp(ctx->module, "cli") == 0 ||
						  strcmp(ctx->module, "util") == 0) ? ctx->module : NULL;
	bool object_verb = cmd->verb == CMD_CREATE || cmd->verb == CMD_MODIFY || cmd->verb == CMD_DELETE ||
			   cmd->verb == CMD_LIST || cmd->verb == CMD_SHOW || cmd->verb == CMD_EDIT ||
			   cmd->verb == CMD_RUN || cmd->verb == CMD_SUBMIT;
	if (word_module && object_verb && !cli_or_util && next->type == T_WORD && !starts_from_root(next->text)) {
		cmd->words = xcalloc(1, sizeof *cmd->words);
		cmd->words[cmd->n_words++] = xstrdup(word_module);
		cli_or_util = true;
	}
	switch (cmd->verb) {
	case CMD_CREATE: case CMD_MODIFY: case CMD_DELETE: case CMD_LIST: case CMD_SHOW: case CMD_EDIT:
		if (cli_or_util) {
			collect_words(&ps);
			break;
		}
		ok = parse_object_command(&ps);
		break;
	case CMD_SAVE: case CMD_LOAD:
		ok = parse_sys_config(&ps);
		break;
	default:
		collect_words(&ps);
		break;
	}
	if (!ok) {
		skip_statement(&ps);
		return -1;
	}
	if (!expect_end(&ps)) {
		skip_statement(&ps);
		return -1;
	}
	return 1;
}

static void prop_ops_free(struct prop_op *ops, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(ops[i].text);
		for (size_t j = 0; j < ops[i].n_items; j++) {
			free(ops[i].items[j].key);
			prop_ops_free(ops[i].items[j].attrs, ops[i].items[j].n_attrs);
		}
		free(ops[i].items);
	}
	free(ops);
}

void command_free(struct command *c)
{
	for (size_t i = 0; i < c->n_names; i++)
		free(c->names[i]);
	free(c->names);
	free(c->name_locs);
	prop_ops_free(c->ops, c->n_ops);
	for (size_t i = 0; i < c->n_words; i++)
		free(c->words[i]);
	free(c->words);
	free(c->module);
	free(c->file);
	free(c->text);
	memset(c, 0, sizeof *c);
}

int parse_command(struct lexer *lx, const struct parse_ctx *ctx, struct command *cmd)
{
	if (lx->record)
		lx->record->len = 0;
	int r = parse_one(lx, ctx, cmd);
	if (r > 0 && lx->record)
		cmd->text = xstrndup(lx->record->buf ? lx->record->buf : "", lx->record->len);
	if (r < 0)
		command_free(cmd);       /* a failed parse hands nothing back */
	return r;
}
