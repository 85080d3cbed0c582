#include "compiler/print.h"

#include <stdlib.h>
#include <string.h>

#include "compiler/value.h"

void print_word(struct strbuf *sb, const char *text)
{
	if (word_is_bare(text)) {
		sb_puts(sb, text);
		return;
	}
	print_quoted(sb, text);
}

/* A value whose bare text would read back as something else: description "none" is not none. */
static void print_value(struct strbuf *sb, const struct prop_schema *p, const char *text)
{
	if (strcmp(text, "none") == 0 && (p->type == VT_STRING || (p->flags & P_NONE_OK)))
		print_quoted(sb, text);
	else
		print_word(sb, text);
}

void print_quoted(struct strbuf *sb, const char *text)
{
	sb_putc(sb, '"');
	for (const char *c = text; *c; c++) {
		if (*c == '"' || *c == '\\')
			sb_putc(sb, '\\');
		if (*c == '\n')
			sb_puts(sb, "\\n");
		else if (*c == '\t')
			sb_puts(sb, "\\t");
		else
			sb_putc(sb, *c);
	}
	sb_putc(sb, '"');
}

struct printer {
	struct strbuf *sb;
	enum print_style style;
	int depth;
};

/* Opens a line at the current depth (multi-line) or adds a separating space (one-line). */
static void line(struct printer *pr)
{
	if (pr->style == PRINT_ONE_LINE)
		sb_putc(pr->sb, ' ');
	else
		sb_indent(pr->sb, pr->depth);
}

static void end_line(struct printer *pr)
{
	if (pr->style != PRINT_ONE_LINE)
		sb_putc(pr->sb, '\n');
}

static void print_attrs(struct printer *pr, const struct prop_schema *list, const struct propval *attrs)
{
	sb_puts(pr->sb, " {");
	for (size_t i = 0; i < list->n_item_props; i++) {
		const struct prop_schema *ip = &list->item_props[i];
		const char *text = attrs && attrs[i].set ? attrs[i].text : ip->default_text;
		if (!text)
			continue;
		sb_putc(pr->sb, ' ');
		if (!(ip->flags & P_BARE)) {
			sb_puts(pr->sb, ip->name);
			sb_putc(pr->sb, ' ');
		}
		print_word(pr->sb, text);
	}
	sb_puts(pr->sb, " }");
}

static void print_item_key(struct strbuf *sb, const struct prop_schema *p, const char *key)
{
	if (p->type == VT_SCHEDULE)
		sb_puts(sb, key);        /* three words, each bare */
	else
		print_word(sb, key);
}

static void print_list(struct printer *pr, const struct prop_schema *p, const struct propval *v)
{
	if (v->text) {                          /* allow-service all */
		line(pr);
		sb_puts(pr->sb, p->name);
		sb_putc(pr->sb, ' ');
		sb_puts(pr->sb, v->text);
		end_line(pr);
		return;
	}
	if (v->n_items == 0) {
		if (pr->style == PRINT_ALL || (v->set && pr->style != PRINT_SAVED)) {
			line(pr);
			sb_printf(pr->sb, "%s none", p->name);
			end_line(pr);
		}
		return;
	}
	line(pr);
	sb_puts(pr->sb, p->name);
	sb_puts(pr->sb, " {");
	end_line(pr);
	pr->depth++;
	for (size_t i = 0; i < v->n_items; i++) {
		line(pr);
		print_item_key(pr->sb, p, v->items[i].key);
		if (p->n_item_props)
			print_attrs(pr, p, v->items[i].attrs);
		end_line(pr);
	}
	pr->depth--;
	line(pr);
	sb_putc(pr->sb, '}');
	end_line(pr);
}

void print_object(struct strbuf *sb, const struct object *o, enum print_style style)
{
	struct printer pr = { sb, style, 1 };
	const struct kind_schema *k = o->kind;
	if (k->flags & K_SINGLETON) {
		sb_puts(sb, k->id);
		sb_puts(sb, " {");
	} else {
		sb_puts(sb, k->id);
		sb_putc(sb, ' ');
		print_word(sb, o->path);
		sb_puts(sb, " {");
	}
	end_line(&pr);
	for (size_t i = 0; i < k->n_props; i++) {
		const struct prop_schema *p = &k->props[i];
		const struct propval *v = &o->props[i];
		if (p->flags & P_LIST) {
			if (v->set || style == PRINT_ALL)
				print_list(&pr, p, v);
			continue;
		}
		const char *text = v->set ? v->text : NULL;
		if (!text && style == PRINT_ALL && p->type != VT_FLAG)
			text = p->default_text ? p->default_text : "none";
		if (!text)
			continue;
		line(&pr);
		sb_puts(sb, p->name);
		if (p->type != VT_FLAG) {
			sb_putc(sb, ' ');
			if (v->set)
				print_value(sb, p, text);
			else
				print_word(sb, text);      /* all-properties: the default, none meaning unset */
		}
		end_line(&pr);
	}
	if (style == PRINT_ONE_LINE)
		sb_puts(sb, " }\n");
	else
		sb_puts(sb, "}\n");
}

void print_store(struct strbuf *sb, const struct store *s, enum print_style style)
{
	for (size_t k = 0; k < schema_n_kinds; k++) {
		size_t n;
		struct object **list = store_sorted(s, &schema_kinds[k], &n);
		for (size_t i = 0; i < n; i++)
			print_object(sb, list[i], style);
		free(list);
	}
}
