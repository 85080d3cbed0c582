/* The config as YAML, written with libyaml's emitter and read with its event parser.
 *
 * The shape (docs/yaml.md):
 *
 *   net vlan:                        # a kind id from the grammar
 *     /Common/vlan-eip1:             # the object's path (singletons have no name level)
 *       interfaces:                  # a list whose items carry a block: item -> its setting
 *         eth3: untagged
 *       tag: 4092                    # a scalar
 *   net self:
 *     /Common/10.133.64.245:
 *       allow-service:               # a list of plain items: a sequence
 *       - tcp:22
 *   net route:
 *     /Common/null:
 *       blackhole: true              # a flag
 *
 * Reading produces exactly the CMD_DEFINE commands the brace parser produces for the same
 * object, with every value typed and canonicalised by value_canonical(). */
#include "compiler/yaml.h"

#include <regex.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "compiler/value.h"

/* ======================================================================== writing */

/* Plain scalars that a YAML 1.1 or 1.2 loader (PyYAML, ruamel, libyaml-based tools, Go yaml)
 * would turn into something other than a string: null, booleans, integers (including 1.1's
 * sexagesimal 10:30 and octal 010), floats (1.10, .5, .inf), timestamps, and the merge and value
 * keys. Those are quoted so every reader sees the same text ferry wrote. */
static const char resolvable_pattern[] =
	"^("
	"~|null|Null|NULL"
	"|y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF"
	"|[-+]?0b[01_]+|[-+]?0o?[0-7_]+|[-+]?(0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+"
	"|[-+]?[0-9]+|[-+]?[1-9][0-9_]*(:[0-5]?[0-9])+"
	"|[-+]?[0-9][0-9_]*\\.[0-9_]*([eE][-+]?[0-9]+)?|[-+]?\\.[0-9_]+([eE][-+]?[0-9]+)?"
	"|[-+]?[0-9]+([eE][-+]?[0-9]+)|[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+\\.[0-9_]*"
	"|[-+]?\\.(inf|Inf|INF)|\\.(nan|NaN|NAN)"
	"|[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?.*"
	"|<<|="
	")$";

struct writer {
	yaml_emitter_t em;
	regex_t resolvable;
	bool failed;
	const struct object *obj;   /* what is being written, for the one message a failure gets */
	const char *prop;
};

/* libyaml refuses a scalar that is not UTF-8 when the event is made; the brace format lets any
 * byte through, so say which value it was. The API has no diagnostics channel: stderr it is. */
static void scalar_failed(struct writer *w, const char *text)
{
	w->failed = true;
	if (!w->obj) {
		fprintf(stderr, "ferry: cannot write '%s' as YAML: it is not UTF-8 text\n", text);
		return;
	}
	const struct kind_schema *k = w->obj->kind;
	fprintf(stderr, "ferry: cannot write YAML: %s%s%s: %s holds bytes that are not UTF-8; YAML carries "
		"only Unicode text\n", k->id, (k->flags & K_SINGLETON) ? "" : " ",
		(k->flags & K_SINGLETON) ? "" : w->obj->path, w->prop ? w->prop : "a value");
}

static int write_handler(void *data, unsigned char *buffer, size_t size)
{
	sb_putn(data, (const char *)buffer, size);
	return 1;
}

static void emit(struct writer *w, yaml_event_t *ev)
{
	if (w->failed) {
		yaml_event_delete(ev);
		return;
	}
	/* The emitter owns the event from here, whether or not it succeeds. */
	if (!yaml_emitter_emit(&w->em, ev))
		w->failed = true;
}

/* True when a plain TEXT would not load as a string. Every pattern starts with one of these. */
static bool resolvable(struct writer *w, const char *text)
{
	if (!*text)
		return true;
	if (!strchr("~nNyYtTfFoO0123456789+-.<=", text[0]))
		return false;
	return regexec(&w->resolvable, text, 0, NULL, 0) == 0;
}

static bool is_decimal(const char *s)
{
	if (!*s)
		return false;
	if (s[0] == '0' && s[1])
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

/* A scalar. NUMBER: the value is an integer property, so `tag: 4092` may stay an integer for
 * other YAML readers. CLEAR_WORD: a plain `none` would mean "clear" to ferry, so a text that
 * is literally none is quoted. Everything else is plain unless YAML would re-type it. */
static void emit_scalar(struct writer *w, const char *text, bool number, bool clear_word)
{
	yaml_scalar_style_t style = YAML_PLAIN_SCALAR_STYLE;
	if (number && is_decimal(text))
		style = YAML_PLAIN_SCALAR_STYLE;
	else if (strpbrk(text, "\n\t\r"))
		style = YAML_DOUBLE_QUOTED_SCALAR_STYLE;    /* escapes read better than folded lines */
	else if ((clear_word && strcmp(text, "none") == 0) || resolvable(w, text))
		style = YAML_SINGLE_QUOTED_SCALAR_STYLE;
	yaml_event_t ev;
	if (!yaml_scalar_event_initialize(&ev, NULL, NULL, (yaml_char_t *)text, (int)strlen(text), 1, 1,
					  style)) {
		scalar_failed(w, text);
		return;
	}
	emit(w, &ev);
}

static void emit_raw(struct writer *w, const char *text)
{
	yaml_event_t ev;
	if (!yaml_scalar_event_initialize(&ev, NULL, NULL, (yaml_char_t *)text, (int)strlen(text), 1, 1,
					  YAML_PLAIN_SCALAR_STYLE)) {
		w->failed = true;
		return;
	}
	emit(w, &ev);
}

static void mapping_start(struct writer *w, yaml_mapping_style_t style)
{
	yaml_event_t ev;
	if (!yaml_mapping_start_event_initialize(&ev, NULL, NULL, 1, style)) {
		w->failed = true;
		return;
	}
	emit(w, &ev);
}

static void mapping_end(struct writer *w)
{
	yaml_event_t ev;
	if (!yaml_mapping_end_event_initialize(&ev)) {
		w->failed = true;
		return;
	}
	emit(w, &ev);
}

static void sequence_start(struct writer *w, yaml_sequence_style_t style)
{
	yaml_event_t ev;
	if (!yaml_sequence_start_event_initialize(&ev, NULL, NULL, 1, style)) {
		w->failed = true;
		return;
	}
	emit(w, &ev);
}

static void sequence_end(struct writer *w)
{
	yaml_event_t ev;
	if (!yaml_sequence_end_event_initialize(&ev)) {
		w->failed = true;
		return;
	}
	emit(w, &ev);
}

static bool is_number_type(const struct prop_schema *p)
{
	return p->type == VT_INT || p->type == VT_INT_OR_WORD;
}

/* An item's block: the one bare setting as a scalar (eth3: tagged); otherwise a mapping of the
 * settings by name. Like the saved format, unset settings are written with their defaults. */
static void emit_item_attrs(struct writer *w, const struct prop_schema *list, const struct propval *attrs)
{
	size_t n = 0, bare = 0;
	for (size_t i = 0; i < list->n_item_props; i++) {
		const struct prop_schema *ip = &list->item_props[i];
		const char *text = attrs && attrs[i].set ? attrs[i].text : ip->default_text;
		if (text) {
			n++;
			bare += (ip->flags & P_BARE) != 0;
		}
	}
	if (n == 1 && bare == 1) {
		for (size_t i = 0; i < list->n_item_props; i++) {
			const struct prop_schema *ip = &list->item_props[i];
			const char *text = attrs && attrs[i].set ? attrs[i].text : ip->default_text;
			if (text)
				emit_scalar(w, text, is_number_type(ip), false);
		}
		return;
	}
	mapping_start(w, YAML_BLOCK_MAPPING_STYLE);
	for (size_t i = 0; i < list->n_item_props; i++) {
		const struct prop_schema *ip = &list->item_props[i];
		const char *text = attrs && attrs[i].set ? attrs[i].text : ip->default_text;
		if (!text)
			continue;
		emit_scalar(w, ip->name, false, false);
		emit_scalar(w, text, is_number_type(ip), false);
	}
	mapping_end(w);
}

static void emit_list(struct writer *w, const struct prop_schema *p, const struct propval *v)
{
	if (v->text) {                                  /* allow-service: all */
		emit_scalar(w, v->text, false, true);
		return;
	}
	if (p->n_item_props) {                          /* interfaces: { eth3: untagged } */
		mapping_start(w, v->n_items ? YAML_BLOCK_MAPPING_STYLE : YAML_FLOW_MAPPING_STYLE);
		for (size_t i = 0; i < v->n_items; i++) {
			emit_scalar(w, v->items[i].key, false, false);
			emit_item_attrs(w, p, v->items[i].attrs);
		}
		mapping_end(w);
		return;
	}
	sequence_start(w, v->n_items ? YAML_BLOCK_SEQUENCE_STYLE : YAML_FLOW_SEQUENCE_STYLE);
	for (size_t i = 0; i < v->n_items; i++)
		emit_scalar(w, v->items[i].key, is_number_type(p), false);
	sequence_end(w);
}

static void emit_object(struct writer *w, const struct object *o)
{
	const struct kind_schema *k = o->kind;
	mapping_start(w, YAML_BLOCK_MAPPING_STYLE);
	for (size_t i = 0; i < k->n_props && !w->failed; i++) {
		const struct prop_schema *p = &k->props[i];
		const struct propval *v = &o->props[i];
		if (!v->set)
			continue;
		w->obj = o;
		w->prop = p->name;
		emit_scalar(w, p->name, false, false);
		if (p->type == VT_FLAG)
			emit_raw(w, "true");
		else if (p->flags & P_LIST)
			emit_list(w, p, v);
		else
			emit_scalar(w, v->text ? v->text : "", is_number_type(p),
				    (p->flags & P_NONE_OK) || p->type == VT_STRING);
	}
	mapping_end(w);
	w->obj = NULL;
	w->prop = NULL;
}

int yaml_write_store(struct strbuf *sb, const struct store *s)
{
	struct writer w;
	memset(&w, 0, sizeof w);
	if (regcomp(&w.resolvable, resolvable_pattern, REG_EXTENDED | REG_NOSUB) != 0)
		return -1;
	if (!yaml_emitter_initialize(&w.em)) {
		regfree(&w.resolvable);
		return -1;
	}
	yaml_emitter_set_output(&w.em, write_handler, sb);
	yaml_emitter_set_unicode(&w.em, 1);
	yaml_emitter_set_width(&w.em, -1);           /* never fold long descriptions */
	yaml_emitter_set_indent(&w.em, 2);
	yaml_emitter_set_break(&w.em, YAML_LN_BREAK);

	yaml_event_t ev;
	if (yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING))
		emit(&w, &ev);
	else
		w.failed = true;
	if (yaml_document_start_event_initialize(&ev, NULL, NULL, NULL, 1))
		emit(&w, &ev);
	else
		w.failed = true;
	mapping_start(&w, YAML_BLOCK_MAPPING_STYLE);
	for (size_t k = 0; k < schema_n_kinds && !w.failed; k++) {
		const struct kind_schema *ks = &schema_kinds[k];
		size_t n;
		struct object **list = store_sorted(s, ks, &n);
		if (n) {
			emit_scalar(&w, ks->id, false, false);
			if (ks->flags & K_SINGLETON) {
				emit_object(&w, list[0]);
			} else {
				mapping_start(&w, YAML_BLOCK_MAPPING_STYLE);
				for (size_t i = 0; i < n && !w.failed; i++) {
					emit_scalar(&w, list[i]->path, false, false);
					emit_object(&w, list[i]);
				}
				mapping_end(&w);
			}
		}
		free(list);
	}
	mapping_end(&w);
	if (yaml_document_end_event_initialize(&ev, 1))
		emit(&w, &ev);
	else
		w.failed = true;
	if (yaml_stream_end_event_initialize(&ev))
		emit(&w, &ev);
	else
		w.failed = true;
	if (!w.failed && !yaml_emitter_flush(&w.em))
		w.failed = true;
	yaml_emitter_delete(&w.em);
	regfree(&w.resolvable);
	return w.failed ? -1 : 0;
}

/* ======================================================================== reading */

/* The document is read into a small tree first (aliases refused, depth bounded), then walked
 * against the grammar, so every shape error can name what was expected. */
enum ynode_type { YN_SCALAR, YN_SEQ, YN_MAP, YN_ALIAS };

struct ynode {
	enum ynode_type type;
	struct srcloc loc;
	char *text;                 /* a scalar's text */
	bool plain;                 /* a scalar written without quotes */
	int dup_line;               /* a mapping key given before: the first one's line */
	struct ynode **kids;        /* a sequence's items; a mapping's key, value, key, value ... */
	size_t n, cap;
};

/* The grammar needs five levels (kinds, objects, properties, items, item settings); anything
 * nested much deeper is refused before it can exhaust the stack. */
#define MAX_DEPTH 32

struct reader {
	yaml_parser_t parser;
	const char *file;           /* interned */
	const char *text;           /* the input, for hints at an error's mark */
	size_t len;
	const char *partition;
	struct diags *d;
	int errors;
	struct command *cmds;
	size_t n, cap;
};

static struct srcloc mark_loc(const struct reader *r, yaml_mark_t m)
{
	return (struct srcloc){ r->file, (int)m.line + 1, (int)m.column + 1 };
}

__attribute__((format(printf, 3, 4)))
static void rerror(struct reader *r, struct srcloc loc, const char *fmt, ...)
{
	char msg[2048];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	diag_error(r->d, loc, "%s", msg);
	r->errors++;
}

static void ynode_free(struct ynode *y)
{
	if (!y)
		return;
	for (size_t i = 0; i < y->n; i++)
		ynode_free(y->kids[i]);
	free(y->kids);
	free(y->text);
	free(y);
}

static void ynode_push(struct ynode *parent, struct ynode *kid)
{
	if (parent->n == parent->cap) {
		parent->cap = parent->cap ? parent->cap * 2 : 8;
		parent->kids = xrealloc(parent->kids, parent->cap * sizeof *parent->kids);
	}
	parent->kids[parent->n++] = kid;
}

static void syntax_error(struct reader *r)
{
	yaml_parser_t *p = &r->parser;
	const char *problem = p->problem ? p->problem : "malformed YAML";
	if (p->error == YAML_READER_ERROR) {
		/* the reader counts bytes; turn the offset into a line and column */
		struct srcloc loc = { r->file, 1, 1 };
		for (size_t i = 0; i < p->problem_offset && i < r->len; i++) {
			if (r->text[i] == '\n') {
				loc.line++;
				loc.col = 1;
			} else if (((unsigned char)r->text[i] & 0xc0) != 0x80) {
				loc.col++;
			}
		}
		if (p->problem_value != -1)
			rerror(r, loc, "YAML: %s (byte 0x%02x); a YAML file is UTF-8 (or UTF-16) text", problem,
			       (unsigned)p->problem_value & 0xff);
		else
			rerror(r, loc, "YAML: %s; a YAML file is UTF-8 (or UTF-16) text", problem);
		return;
	}
	if (p->error == YAML_MEMORY_ERROR) {
		rerror(r, (struct srcloc){ r->file, 0, 0 }, "YAML: out of memory");
		return;
	}
	const char *hint = "";
	if (p->problem_mark.index < r->len && r->text[p->problem_mark.index] == '\t')
		hint = "; YAML indents with spaces, not tabs";
	if (p->context)
		rerror(r, mark_loc(r, p->problem_mark), "YAML syntax error: %s (%s at line %zu, column %zu)%s",
		       problem, p->context, p->context_mark.line + 1, p->context_mark.column + 1, hint);
	else
		rerror(r, mark_loc(r, p->problem_mark), "YAML syntax error: %s%s", problem, hint);
}

/* Reads the next event; false (after reporting) on a syntax error. */
static bool next_event(struct reader *r, yaml_event_t *ev)
{
	if (yaml_parser_parse(&r->parser, ev))
		return true;
	syntax_error(r);
	return false;
}

/* Builds the node that EV starts; takes EV. NULL after an error that ends the reading. */
static struct ynode *build_node(struct reader *r, yaml_event_t *ev, int depth)
{
	struct ynode *y = xcalloc(1, sizeof *y);
	y->loc = mark_loc(r, ev->start_mark);
	switch (ev->type) {
	case YAML_SCALAR_EVENT:
		y->type = YN_SCALAR;
		y->text = xstrndup((const char *)ev->data.scalar.value, ev->data.scalar.length);
		y->plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
		if (strlen(y->text) != ev->data.scalar.length) {
			rerror(r, y->loc, "a NUL character is not allowed in a value");
			y->text[0] = 0;
		}
		yaml_event_delete(ev);
		return y;
	case YAML_ALIAS_EVENT:
		y->type = YN_ALIAS;
		rerror(r, y->loc, "YAML aliases (*%s) are not supported; write the value out",
		       (const char *)ev->data.alias.anchor);
		yaml_event_delete(ev);
		return y;
	case YAML_SEQUENCE_START_EVENT:
	case YAML_MAPPING_START_EVENT: {
		bool map = ev->type == YAML_MAPPING_START_EVENT;
		y->type = map ? YN_MAP : YN_SEQ;
		yaml_event_delete(ev);
		if (depth >= MAX_DEPTH) {
			rerror(r, y->loc, "YAML nested too deeply (more than %d levels)", MAX_DEPTH);
			ynode_free(y);
			return NULL;
		}
		for (;;) {
			yaml_event_t kid;
			if (!next_event(r, &kid)) {
				ynode_free(y);
				return NULL;
			}
			if (kid.type == YAML_SEQUENCE_END_EVENT || kid.type == YAML_MAPPING_END_EVENT) {
				yaml_event_delete(&kid);
				return y;
			}
			struct ynode *k = build_node(r, &kid, depth + 1);
			if (!k) {
				ynode_free(y);
				return NULL;
			}
			ynode_push(y, k);
		}
	}
	default:
		rerror(r, y->loc, "YAML: unexpected event %d", (int)ev->type);
		yaml_event_delete(ev);
		ynode_free(y);
		return NULL;
	}
}

/* The document's root: NULL for an empty stream or after an error (R->errors says which). */
static struct ynode *read_tree(struct reader *r)
{
	yaml_event_t ev;
	struct ynode *root = NULL;
	bool done = false;
	while (!done) {
		if (!next_event(r, &ev))
			break;
		switch (ev.type) {
		case YAML_STREAM_START_EVENT:
		case YAML_DOCUMENT_END_EVENT:
			yaml_event_delete(&ev);
			break;
		case YAML_STREAM_END_EVENT:
			yaml_event_delete(&ev);
			done = true;
			break;
		case YAML_DOCUMENT_START_EVENT:
			if (root) {
				rerror(r, mark_loc(r, ev.start_mark), "a config is one YAML document; this is a "
				       "second one");
				yaml_event_delete(&ev);
				done = true;
				break;
			}
			yaml_event_delete(&ev);
			if (!next_event(r, &ev)) {
				done = true;
				break;
			}
			root = build_node(r, &ev, 0);
			if (!root)
				done = true;
			break;
		default:
			yaml_event_delete(&ev);
			done = true;
			break;
		}
	}
	return root;
}

/* ---- walking the tree against the grammar ---- */

static bool is_null(const struct ynode *y)
{
	return y->type == YN_SCALAR && y->plain &&
	       (!y->text[0] || strcmp(y->text, "~") == 0 || strcmp(y->text, "null") == 0 ||
		strcmp(y->text, "Null") == 0 || strcmp(y->text, "NULL") == 0);
}

static const char *shape(const struct ynode *y)
{
	if (!y)
		return "nothing";
	switch (y->type) {
	case YN_SCALAR: return is_null(y) ? "nothing" : "a scalar";
	case YN_SEQ: return "a sequence";
	case YN_MAP: return "a mapping";
	case YN_ALIAS: return "an alias";
	}
	return "?";
}

struct key_ref { const char *text; size_t index; };

static int key_ref_cmp(const void *a, const void *b)
{
	const struct key_ref *x = a, *y = b;
	int c = strcmp(x->text, y->text);
	return c ? c : (x->index < y->index ? -1 : x->index > y->index);
}

/* Marks the keys of a mapping that repeat an earlier scalar key with the line of the first;
 * usable_key() reports them in reading order. */
static void check_keys(struct ynode *map)
{
	size_t n = map->n / 2;
	struct key_ref *refs = xcalloc(n ? n : 1, sizeof *refs);
	size_t m = 0;
	for (size_t i = 0; i < n; i++)
		if (map->kids[2 * i]->type == YN_SCALAR)
			refs[m++] = (struct key_ref){ map->kids[2 * i]->text, i };
	qsort(refs, m, sizeof *refs, key_ref_cmp);
	size_t run = 0;                             /* the first of the current run of equal keys */
	for (size_t i = 1; i < m; i++) {
		if (strcmp(refs[i].text, refs[run].text) != 0)
			run = i;
		else
			map->kids[2 * refs[i].index]->dup_line = map->kids[2 * refs[run].index]->loc.line;
	}
	free(refs);
}

/* True when KEY names something; otherwise reports why not (WHAT: the mapping's owner). */
static bool usable_key(struct reader *r, const char *what, const struct ynode *key)
{
	const char *sep = *what ? ": " : "";
	if (key->type == YN_ALIAS)
		return false;                       /* reported when it was read */
	if (key->type != YN_SCALAR || is_null(key)) {
		rerror(r, key->loc, "%s%sexpected a name as the key, found %s", what, sep, shape(key));
		return false;
	}
	if (key->dup_line) {
		rerror(r, key->loc, "%s%sduplicate key '%s'; it is first given at line %d", what, sep, key->text,
		       key->dup_line);
		return false;
	}
	return true;
}

static void cmd_push_op(struct command *c, struct prop_op op)
{
	c->ops = xrealloc(c->ops, (c->n_ops + 1) * sizeof *c->ops);
	c->ops[c->n_ops++] = op;
}

static void item_push(struct prop_op *op, struct item_op it)
{
	op->items = xrealloc(op->items, (op->n_items + 1) * sizeof *op->items);
	op->items[op->n_items++] = it;
}

static void item_push_attr(struct item_op *it, struct prop_op a)
{
	it->attrs = xrealloc(it->attrs, (it->n_attrs + 1) * sizeof *it->attrs);
	it->attrs[it->n_attrs++] = a;
}

/* A value through the grammar; NULL after reporting "LABEL: PROP why". */
static char *canonical(struct reader *r, const char *label, const struct prop_schema *p,
		       const struct ynode *y)
{
	char why[512], *canon;
	if (!value_canonical(p, y->text, r->partition, &canon, why, sizeof why)) {
		rerror(r, y->loc, "%s: %s %s", label, p->name, why);
		return NULL;
	}
	return canon;
}

/* A scalar value: a scalar that is not null. */
static bool want_scalar(struct reader *r, const char *label, const char *name, const struct prop_schema *p,
			const struct ynode *y)
{
	if (y->type == YN_ALIAS)
		return false;
	if (y->type == YN_SCALAR && !is_null(y))
		return true;
	rerror(r, y->loc, "%s: %s: expected %s, found %s", label, name,
	       p->type == VT_STRING ? "a text" : vtype_describe(p), shape(y));
	return false;
}

/* What an item's settings may be: BARE the words that stand alone (tagged, untagged), else the
 * settings' names (tagging). */
static void list_item_settings(struct strbuf *sb, const struct prop_schema *list, bool bare)
{
	for (size_t i = 0; i < list->n_item_props; i++) {
		const struct prop_schema *ip = &list->item_props[i];
		if (!bare)
			sb_printf(sb, "%s%s", sb->len ? ", " : "", ip->name);
		else if (ip->flags & P_BARE)
			for (const char *const *v = ip->values; v && *v; v++)
				sb_printf(sb, "%s%s", sb->len ? ", " : "", *v);
	}
}

/* One setting of a list item: NAME (NULL for the bare form) and its value node. */
static void item_setting(struct reader *r, const char *label, const struct prop_schema *list,
			 struct item_op *it, const struct ynode *name, const struct ynode *val)
{
	const struct prop_schema *attr = NULL;
	if (name) {
		attr = schema_item_prop(list, name->text);
		if (!attr) {
			struct strbuf sb;
			sb_init(&sb);
			list_item_settings(&sb, list, false);
			rerror(r, name->loc, "%s: %s %s: unknown setting '%s'; expected %s", label, list->name,
			       it->key, name->text, sb.buf ? sb.buf : "nothing");
			sb_free(&sb);
			return;
		}
		char where[600];
		snprintf(where, sizeof where, "%s %s %s", list->name, it->key, attr->name);
		if (!want_scalar(r, label, where, attr, val))
			return;
	} else {
		if (val->type != YN_SCALAR || is_null(val))
			return;             /* the caller has checked the shape */
		for (size_t i = 0; i < list->n_item_props && !attr; i++) {
			const struct prop_schema *ip = &list->item_props[i];
			if ((ip->flags & P_BARE) && schema_value_in(ip->values, val->text))
				attr = ip;
		}
		if (!attr) {
			struct strbuf sb;
			sb_init(&sb);
			list_item_settings(&sb, list, true);
			rerror(r, val->loc, "%s: %s %s: unknown setting '%s'; expected %s", label, list->name,
			       it->key, val->text, sb.buf ? sb.buf : "a mapping of settings");
			sb_free(&sb);
			return;
		}
	}
	char why[512], *canon;
	if (!value_canonical(attr, val->text, r->partition, &canon, why, sizeof why)) {
		rerror(r, val->loc, "%s: %s %s: %s %s", label, list->name, it->key, attr->name, why);
		return;
	}
	item_push_attr(it, (struct prop_op){ attr, OP_SET, name ? name->loc : val->loc, canon, NULL, 0 });
}

/* An item of a list whose items carry settings: KEY, and VAL = nothing, the bare setting
 * (eth3: tagged) or a mapping of settings (eth3: { tagging: tagged }). */
static void block_item(struct reader *r, const char *label, const struct prop_schema *p, struct prop_op *op,
		       struct ynode *key, struct ynode *val)
{
	if (!want_scalar(r, label, p->name, p, key))
		return;
	char *canon = canonical(r, label, p, key);
	if (!canon)
		return;
	struct item_op it = { canon, key->loc, NULL, 0 };
	if (!val || is_null(val)) {
		/* no settings: the defaults */
	} else if (val->type == YN_SCALAR) {
		item_setting(r, label, p, &it, NULL, val);
	} else if (val->type == YN_MAP) {
		char where[600];
		snprintf(where, sizeof where, "%s: %s %s", label, p->name, canon);
		check_keys(val);
		for (size_t i = 0; i + 1 < val->n; i += 2)
			if (usable_key(r, where, val->kids[i]))
				item_setting(r, label, p, &it, val->kids[i], val->kids[i + 1]);
	} else if (val->type != YN_ALIAS) {
		struct strbuf sb;
		sb_init(&sb);
		list_item_settings(&sb, p, true);
		rerror(r, val->loc, "%s: %s %s: expected its setting (%s) or a mapping of settings, found %s",
		       label, p->name, canon, sb.buf ? sb.buf : "nothing", shape(val));
		sb_free(&sb);
	}
	item_push(op, it);
}

static void list_property(struct reader *r, const char *label, struct command *c, const struct prop_schema *p,
			  const struct ynode *key, struct ynode *val)
{
	struct prop_op op = { p, OP_SET, key->loc, NULL, NULL, 0 };
	if (val->type == YN_ALIAS)
		return;
	if (val->type == YN_SCALAR && is_null(val)) {
		rerror(r, val->loc, "%s: %s: expected a list (a sequence%s) or none, found nothing", label,
		       p->name, p->n_item_props ? " or a mapping of items to their settings" : "");
		return;
	}
	if (val->type == YN_SCALAR) {
		if (val->plain && strcmp(val->text, "none") == 0) {
			op.op = OP_CLEAR;
		} else if (schema_value_in(p->values, val->text)) {
			op.op = OP_KEYWORD;             /* allow-service: all */
			op.text = xstrdup(val->text);
		} else {
			/* one item on its own, as in allow-service default */
			char *canon = canonical(r, label, p, val);
			if (!canon)
				return;
			op.op = OP_REPLACE;
			item_push(&op, (struct item_op){ canon, val->loc, NULL, 0 });
		}
	} else if (val->type == YN_SEQ) {
		for (size_t i = 0; i < val->n; i++) {
			struct ynode *y = val->kids[i];
			if (y->type == YN_MAP && p->n_item_props && y->n == 2) {
				block_item(r, label, p, &op, y->kids[0], y->kids[1]);   /* - eth3: tagged */
				continue;
			}
			if (!want_scalar(r, label, p->name, p, y))
				continue;
			char *canon = canonical(r, label, p, y);
			if (canon)
				item_push(&op, (struct item_op){ canon, y->loc, NULL, 0 });
		}
	} else if (p->n_item_props) {
		char where[600];
		snprintf(where, sizeof where, "%s: %s", label, p->name);
		check_keys(val);
		for (size_t i = 0; i + 1 < val->n; i += 2)
			if (usable_key(r, where, val->kids[i]))
				block_item(r, label, p, &op, val->kids[i], val->kids[i + 1]);
	} else {
		struct strbuf sb;               /* the keyword forms: ", or the keyword all" */
		sb_init(&sb);
		for (const char *const *v = p->values; v && *v; v++)
			sb_printf(&sb, "%s%s", v == p->values ? ", or the keyword " : " or ", *v);
		rerror(r, val->loc, "%s: %s: expected a sequence (each item %s)%s, found a mapping", label,
		       p->name, vtype_describe(p), sb.buf ? sb.buf : "");
		sb_free(&sb);
	}
	cmd_push_op(c, op);
}

static void property(struct reader *r, const char *label, struct command *c, struct ynode *key,
		     struct ynode *val)
{
	const struct kind_schema *k = c->kind;
	const struct prop_schema *p = schema_prop(k, key->text);
	if (!p) {
		struct strbuf sb;
		sb_init(&sb);
		for (size_t i = 0; i < k->n_props; i++)
			sb_printf(&sb, "%s%s", i ? ", " : "", k->props[i].name);
		rerror(r, key->loc, "%s: unknown property '%s' of %s; expected one of: %s", label, key->text,
		       k->id, sb.buf);
		sb_free(&sb);
		return;
	}
	if (p->type == VT_FLAG) {
		static const char *const yes[] = { "true", "True", "TRUE", "yes", "Yes", "YES", "on", "On", "ON", NULL };
		static const char *const no[] = { "false", "False", "FALSE", "no", "No", "NO", "off", "Off", "OFF", NULL };
		if (val->type == YN_SCALAR && schema_value_in(yes, val->text))
			cmd_push_op(c, (struct prop_op){ p, OP_SET, key->loc, xstrdup(""), NULL, 0 });
		else if (val->type == YN_SCALAR && schema_value_in(no, val->text))
			;                   /* not set: as if the flag were left out */
		else if (val->type == YN_SCALAR && !is_null(val))
			rerror(r, val->loc, "%s: %s is a flag: expected true or false, found '%s'", label, p->name,
			       val->text);
		else if (val->type != YN_ALIAS)
			rerror(r, val->loc, "%s: %s is a flag: expected true or false, found %s", label, p->name,
			       shape(val));
		return;
	}
	if (p->flags & P_LIST) {
		list_property(r, label, c, p, key, val);
		return;
	}
	if (!want_scalar(r, label, p->name, p, val))
		return;
	if (val->plain && strcmp(val->text, "none") == 0 && ((p->flags & P_NONE_OK) || p->type == VT_STRING)) {
		cmd_push_op(c, (struct prop_op){ p, OP_CLEAR, key->loc, NULL, NULL, 0 });
		return;
	}
	char *canon = canonical(r, label, p, val);
	if (canon)
		cmd_push_op(c, (struct prop_op){ p, OP_SET, key->loc, canon, NULL, 0 });
}

/* One object: NAME_NODE is its key (NULL for a singleton, whose location is KIND_KEY's). */
static void object(struct reader *r, const struct kind_schema *k, const struct ynode *kind_key,
		   struct ynode *name_node, struct ynode *props)
{
	struct command c;
	memset(&c, 0, sizeof c);
	c.verb = CMD_DEFINE;
	c.kind = k;
	c.module = xstrdup(k->module);
	c.loc = name_node ? name_node->loc : kind_key->loc;
	c.names = xcalloc(1, sizeof *c.names);
	c.name_locs = xcalloc(1, sizeof *c.name_locs);
	c.name_locs[0] = c.loc;
	int before = r->errors;
	char *label;
	if (!name_node) {
		c.names[0] = xasprintf("/Common/%s", k->word);
		c.n_names = 1;
		label = xstrdup(k->id);
	} else {
		char why[400];
		const char *text = name_node->text;
		char *path;
		char *address = NULL;
		if ((k->flags & K_NAME_IS_ADDRESS) && text[0] != '/' && strchr(text, '/')) {
			/* 10.1.1.1/24: the name is the bare address, the address property the whole */
			address = xstrdup(text);
			char *bare = xstrndup(text, (size_t)(strchr(text, '/') - text));
			path = path_canonical(bare, r->partition, why, sizeof why);
			free(bare);
		} else {
			path = path_canonical(text, r->partition, why, sizeof why);
		}
		if (!path) {
			rerror(r, name_node->loc, "%s: %s", k->id, why);
			free(address);
			command_free(&c);
			return;
		}
		c.names[0] = path;
		c.n_names = 1;
		label = xasprintf("%s %s", k->id, path);
		if (address) {
			const struct prop_schema *p = schema_prop(k, k->address_prop);
			char *canon = NULL;
			if (value_canonical(p, address, r->partition, &canon, why, sizeof why))
				cmd_push_op(&c, (struct prop_op){ p, OP_SET, name_node->loc, canon, NULL, 0 });
			else
				rerror(r, name_node->loc, "%s: %s %s", label, p->name, why);
			free(address);
		}
	}
	if (props->type == YN_MAP) {
		check_keys(props);
		for (size_t i = 0; i + 1 < props->n; i += 2)
			if (usable_key(r, label, props->kids[i]))
				property(r, label, &c, props->kids[i], props->kids[i + 1]);
	} else if (!is_null(props) && props->type != YN_ALIAS) {
		rerror(r, props->loc, "%s: expected a mapping of properties (name: value), found %s", label,
		       shape(props));
	}
	free(label);
	if (r->errors != before) {
		command_free(&c);
		return;
	}
	if (r->n == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 64;
		r->cmds = xrealloc(r->cmds, r->cap * sizeof *r->cmds);
	}
	r->cmds[r->n++] = c;
}

/* "net vlan", "net tunnels tunnel", or a legacy module spelling ("net tunnel tunnel"). */
static const struct kind_schema *kind_by_key(const char *key)
{
	const struct kind_schema *k = schema_kind(key);
	if (k)
		return k;
	const char *sp = strrchr(key, ' ');
	if (!sp)
		return NULL;
	char *module = xstrndup(key, (size_t)(sp - key));
	const char *canon = schema_module_canonical(module);
	free(module);
	return canon ? schema_kind_in(canon, sp + 1) : NULL;
}

static void kind_section(struct reader *r, struct ynode *key, struct ynode *val)
{
	const struct kind_schema *k = kind_by_key(key->text);
	if (!k) {
		struct strbuf sb;
		sb_init(&sb);
		for (size_t i = 0; i < schema_n_kinds; i++)
			sb_printf(&sb, "%s%s", i ? ", " : "", schema_kinds[i].id);
		rerror(r, key->loc, "unknown object kind '%s'; expected one of: %s", key->text, sb.buf);
		sb_free(&sb);
		return;
	}
	if (k->flags & K_SINGLETON) {
		object(r, k, key, NULL, val);
		return;
	}
	if (is_null(val) || val->type == YN_ALIAS)
		return;                                 /* no objects of this kind */
	if (val->type != YN_MAP) {
		rerror(r, val->loc, "%s: expected a mapping of object names to their properties, found %s",
		       k->id, shape(val));
		return;
	}
	check_keys(val);
	for (size_t i = 0; i + 1 < val->n; i += 2)
		if (usable_key(r, k->id, val->kids[i]))
			object(r, k, key, val->kids[i], val->kids[i + 1]);
}

int yaml_read_commands(const char *text, size_t len, const char *file, const char *partition,
		       struct diags *d, struct command **cmds, size_t *n)
{
	struct reader r;
	memset(&r, 0, sizeof r);
	r.file = intern_filename(file);
	r.text = text;
	r.len = len;
	r.partition = partition;
	r.d = d;
	*cmds = NULL;
	*n = 0;
	if (!yaml_parser_initialize(&r.parser)) {
		rerror(&r, (struct srcloc){ r.file, 0, 0 }, "YAML: cannot initialise the parser");
		return r.errors;
	}
	yaml_parser_set_input_string(&r.parser, (const unsigned char *)text, len);
	struct ynode *root = read_tree(&r);
	yaml_parser_delete(&r.parser);
	if (root) {
		if (root->type == YN_MAP) {
			check_keys(root);
			for (size_t i = 0; i + 1 < root->n; i += 2)
				if (usable_key(&r, "", root->kids[i]))
					kind_section(&r, root->kids[i], root->kids[i + 1]);
		} else if (!is_null(root)) {
			rerror(&r, root->loc, "expected a mapping of object kinds at the top (net vlan:, net self:, "
			       "...), found %s", shape(root));
		}
	}
	ynode_free(root);
	*cmds = r.cmds;
	*n = r.n;
	return r.errors;
}
