/* The completion engine: a small walker that follows the parser's grammar over the words typed so
 * far and, where the words run out, offers what the grammar allows there. */
#include "shell/complete.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "compiler/util.h"
#include "compiler/value.h"
#include "grammar/schema.h"

#define DEFAULT_MAX_SHOWN 200

/* ---- the words typed so far ---- */

enum ctype { CT_WORD, CT_STRING, CT_LBRACE, CT_RBRACE, CT_END };

struct ctok {
	enum ctype type;
	char *text;
};

struct toks {
	struct ctok *v;
	size_t n, cap;
};

static void push(struct toks *tk, enum ctype type, char *text)
{
	if (tk->n == tk->cap) {
		tk->cap = tk->cap ? tk->cap * 2 : 32;
		tk->v = xrealloc(tk->v, tk->cap * sizeof *tk->v);
	}
	tk->v[tk->n++] = (struct ctok){ type, text };
}

static bool word_char(int c)
{
	return c > ' ' && c != '{' && c != '}' && c != ';' && c != '"' && c != 0x7f;
}

static bool blank(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

/* Splits TEXT as the lexer does. The last word, when the text ends inside it, is the partial word
 * and not a token. CT_END separates statements (a line end or ';' outside braces). Returns false
 * when the text ends inside a quote or a comment: there is nothing to complete. */
static bool tokenize(const char *s, size_t len, struct toks *tk, struct completion *out)
{
	size_t i = 0;
	int depth = 0;
	out->start = len;
	while (i < len) {
		int c = (unsigned char)s[i];
		if (blank(c)) {
			i++;
		} else if (c == '\\' && i + 1 < len && s[i + 1] == '\n') {
			i += 2;
		} else if (c == '#') {
			while (i < len && s[i] != '\n')
				i++;
			if (i == len)
				return false;
		} else if (c == '\n' || c == ';') {
			if (depth == 0)
				push(tk, CT_END, NULL);
			i++;
		} else if (c == '{') {
			push(tk, CT_LBRACE, NULL);
			depth++;
			i++;
		} else if (c == '}') {
			push(tk, CT_RBRACE, NULL);
			if (depth > 0)
				depth--;
			i++;
		} else if (c == '"') {
			size_t start = i++;
			struct strbuf sb;
			sb_init(&sb);
			while (i < len && s[i] != '"') {
				char ch = s[i];
				if (ch == '\\' && i + 1 < len) {
					ch = s[++i];
					ch = ch == 'n' ? '\n' : ch == 't' ? '\t' : ch;
				}
				sb_putc(&sb, ch);
				i++;
			}
			if (i >= len) {
				out->start = start;
				free(out->partial);
				out->partial = sb_steal(&sb);
				return false;
			}
			i++;
			push(tk, CT_STRING, sb_steal(&sb));
		} else if (!word_char(c)) {
			i++;
		} else {
			size_t start = i;
			struct strbuf sb;
			sb_init(&sb);
			while (i < len && word_char((unsigned char)s[i])) {
				if (s[i] == '\\' && i + 1 < len)
					i++;
				sb_putc(&sb, s[i]);
				i++;
			}
			if (i == len) {
				out->start = start;
				free(out->partial);
				out->partial = sb_steal(&sb);
				return true;
			}
			push(tk, CT_WORD, sb_steal(&sb));
		}
	}
	return true;
}

bool complete_needs_more(const char *s, size_t len)
{
	int depth = 0;
	size_t i = 0;
	while (i < len) {
		char c = s[i];
		if (c == '#') {
			while (i < len && s[i] != '\n')
				i++;
		} else if (c == '"') {
			for (i++; i < len && s[i] != '"'; i++)
				if (s[i] == '\\' && i + 1 < len)
					i++;
			if (i >= len)
				return true;             /* an open quote */
			i++;
		} else if (c == '\\' && i + 1 < len) {
			i += 2;
		} else {
			if (c == '{')
				depth++;
			else if (c == '}' && depth > 0)
				depth--;
			i++;
		}
	}
	size_t end = len;
	while (end > 0 && (s[end - 1] == '\n' || s[end - 1] == '\r'))
		end--;
	if (end > 0 && s[end - 1] == '\\') {   /* a backslash continues the line, unless escaped */
		size_t n = 0;
		while (n < end && s[end - 1 - n] == '\\')
			n++;
		if (n % 2 == 1)
			return true;
	}
	return depth > 0;
}

/* ---- the sorted name index, one per kind, rebuilt when that kind changes ---- */

struct kind_names {
	const char **paths;      /* sorted, pointing into arena */
	char *arena;             /* copies of the paths: the index never points into the store */
	size_t n;
	unsigned long generation;
	bool built;
};

static struct {
	const struct store *store;
	struct kind_names *kinds;
} names_cache;

struct keyed {                   /* 8 bytes of the path after the common prefix, big-endian */
	unsigned long long key;
	const char *path;
};

struct collect {
	struct keyed *v;
	size_t n;
	struct strbuf arena;
};

static void collect_one(struct object *o, void *arg)
{
	struct collect *c = arg;
	c->v[c->n++].key = c->arena.len;        /* an offset until the arena stops moving */
	sb_putn(&c->arena, o->path, strlen(o->path) + 1);
}

static int cmp_keyed(const void *a, const void *b)
{
	return strcmp(((const struct keyed *)a)->path, ((const struct keyed *)b)->path);
}

/* Sorts paths: an LSD radix sort on the 8 bytes that follow the prefix all of them share, then
 * strcmp within runs of equal keys (names that differ only further on). 100,000 route names sort
 * in a few milliseconds, where qsort with strcmp takes some 35. */
static void sort_paths(struct keyed *v, size_t n)
{
	if (n < 2)
		return;
	size_t common = strlen(v[0].path);
	for (size_t i = 1; i < n && common; i++) {
		size_t j = 0;
		while (j < common && v[i].path[j] == v[0].path[j])
			j++;
		common = j;
	}
	for (size_t i = 0; i < n; i++) {
		const unsigned char *p = (const unsigned char *)v[i].path + common;
		unsigned long long key = 0;
		int b = 0;
		for (; b < 8 && p[b]; b++)
			key = key << 8 | p[b];
		v[i].key = b ? key << (8 * (8 - b)) : 0;
	}
	struct keyed *tmp = xmalloc(n * sizeof *tmp);
	for (int shift = 0; shift < 64; shift += 8) {
		size_t count[257] = { 0 };
		for (size_t i = 0; i < n; i++)
			count[((v[i].key >> shift) & 0xff) + 1]++;
		if (count[((v[0].key >> shift) & 0xff) + 1] == n)
			continue;                /* every key has the same byte here */
		for (int b = 0; b < 256; b++)
			count[b + 1] += count[b];
		for (size_t i = 0; i < n; i++)
			tmp[count[(v[i].key >> shift) & 0xff]++] = v[i];
		memcpy(v, tmp, n * sizeof *v);
	}
	free(tmp);
	for (size_t i = 0; i < n;) {         /* equal keys: the rest of the path decides */
		size_t j = i + 1;
		while (j < n && v[j].key == v[i].key)
			j++;
		if (j - i > 1)
			qsort(v + i, j - i, sizeof *v, cmp_keyed);
		i = j;
	}
}

static void kind_names_free(struct kind_names *kn)
{
	free(kn->paths);
	free(kn->arena);
	memset(kn, 0, sizeof *kn);
}

static const struct kind_names *kind_names(const struct store *st, const struct kind_schema *k)
{
	if (names_cache.store != st || !names_cache.kinds) {
		if (names_cache.kinds)
			for (size_t i = 0; i < schema_n_kinds; i++)
				kind_names_free(&names_cache.kinds[i]);
		free(names_cache.kinds);
		names_cache.kinds = xcalloc(schema_n_kinds, sizeof *names_cache.kinds);
		names_cache.store = st;
	}
	struct kind_names *kn = &names_cache.kinds[k - schema_kinds];
	unsigned long gen = store_kind_generation(st, k);
	if (!kn->built || kn->generation != gen) {
		size_t n = store_count_kind(st, k);
		struct collect c = { xmalloc((n + 1) * sizeof *c.v), 0, { 0 } };
		sb_init(&c.arena);
		store_each(st, k, collect_one, &c);
		for (size_t i = 0; i < c.n; i++)
			c.v[i].path = c.arena.buf + c.v[i].key;
		sort_paths(c.v, c.n);
		kind_names_free(kn);
		kn->paths = xmalloc((c.n + 1) * sizeof *kn->paths);
		for (size_t i = 0; i < c.n; i++)
			kn->paths[i] = c.v[i].path;
		free(c.v);
		kn->arena = sb_steal(&c.arena);
		kn->n = c.n;
		kn->generation = gen;
		kn->built = true;
	}
	return kn;
}

void complete_index_build(const struct store *st)
{
	for (size_t k = 0; k < schema_n_kinds; k++)
		kind_names(st, &schema_kinds[k]);
}

/* ---- collecting candidates ---- */

struct walker {
	const struct ctok *t;
	size_t n, i;
	const struct session *s;
	struct completion *out;
	size_t max;
	const char *netdev_dir;
};

static bool at_end(const struct walker *w)
{
	return w->i >= w->n;
}

static const struct ctok *next(struct walker *w)
{
	return &w->t[w->i++];
}

static const struct ctok *peek(const struct walker *w)
{
	return &w->t[w->i];
}

static bool is_word(const struct ctok *t, const char *word)
{
	return t->type == CT_WORD && strcmp(t->text, word) == 0;
}

static bool is_value(const struct ctok *t)
{
	return t->type == CT_WORD || t->type == CT_STRING;
}

static void fold_common(struct completion *out, const char *word)
{
	if (!out->common) {
		out->common = xstrdup(word);
		return;
	}
	size_t i = 0;
	while (out->common[i] && out->common[i] == word[i])
		i++;
	out->common[i] = 0;
}

static bool prefixed(const struct walker *w, const char *word)
{
	return strncmp(word, w->out->partial, strlen(w->out->partial)) == 0;
}

static struct cand *new_cand(struct completion *out)
{
	if (out->n == out->cap) {
		out->cap = out->cap ? out->cap * 2 : 32;
		out->cands = xrealloc(out->cands, out->cap * sizeof *out->cands);
	}
	struct cand *c = &out->cands[out->n++];
	memset(c, 0, sizeof *c);
	return c;
}

/* An insertable word, offered when it starts with the partial word. */
static void add_full(struct walker *w, const char *word, const char *help, enum cand_group g, bool no_space)
{
	if (!prefixed(w, word))
		return;
	for (size_t i = 0; i < w->out->n; i++)
		if (!w->out->cands[i].placeholder && strcmp(w->out->cands[i].word, word) == 0)
			return;
	w->out->total++;
	fold_common(w->out, word);
	if (w->out->n >= w->max)
		return;
	struct cand *c = new_cand(w->out);
	c->word = xstrdup(word);
	c->help = help ? xstrdup(help) : NULL;
	c->group = g;
	c->no_space = no_space;
}

static void add(struct walker *w, const char *word, const char *help, enum cand_group g)
{
	add_full(w, word, help, g, false);
}

/* A description of what to type (<1..4094>): shown by `?`, never inserted. */
static void add_placeholder(struct walker *w, const char *word, const char *help, enum cand_group g)
{
	struct cand *c = new_cand(w->out);
	c->word = xstrdup(word);
	c->help = help ? xstrdup(help) : NULL;
	c->group = g;
	c->placeholder = true;
}

static void set_what(struct walker *w, const char *fmt_name, const char *help)
{
	free(w->out->what);
	w->out->what = xasprintf("%s: %s", fmt_name, help);
}

/* Existing objects of kind K whose names start with the partial word: bare names in the current
 * partition, full paths when the partial word starts with '/'. EXCLUDE: names already given. */
static void add_names(struct walker *w, const struct kind_schema *k, const char *const *exclude, size_t n_exclude)
{
	const struct kind_names *kn = kind_names(w->s->store, k);
	const char *partial = w->out->partial;
	char prefix[600];
	size_t strip = 0;
	if (partial[0] == '/') {
		snprintf(prefix, sizeof prefix, "%s", partial);
	} else {
		snprintf(prefix, sizeof prefix, "/%s/%s", w->s->partition, partial);
		strip = strlen(w->s->partition) + 2;
	}
	size_t plen = strlen(prefix);
	size_t lo = 0, hi = kn->n;
	while (lo < hi) {                  /* the first path >= prefix */
		size_t mid = lo + (hi - lo) / 2;
		if (strcmp(kn->paths[mid], prefix) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	size_t first = lo;
	hi = kn->n;
	while (lo < hi) {                  /* the first path past those that start with prefix */
		size_t mid = lo + (hi - lo) / 2;
		if (strncmp(kn->paths[mid], prefix, plen) <= 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	size_t last = lo;                  /* [first, last) match */
	if (first == last)
		return;
	size_t room = w->out->n < w->max ? w->max - w->out->n : 0;
	bool all_shown = last - first <= room;
	for (size_t i = first; i < last; i++) {
		const char *path = kn->paths[i];
		const char *shown = path + strip;
		bool skip = false;
		for (size_t e = 0; e < n_exclude && !skip; e++)
			skip = strcmp(exclude[e], path) == 0;
		if (skip)
			continue;
		w->out->total++;
		if (all_shown)
			fold_common(w->out, shown);
		if (w->out->n < w->max) {
			struct cand *c = new_cand(w->out);
			c->word = xstrdup(shown);
			c->help = xstrdup(k->id);
			c->group = G_OBJECT;
		} else if (!all_shown) {
			/* the rest are counted, not copied: sorted, so the first and last bound the prefix */
			w->out->total += (last - i) - 1;
			break;
		}
	}
	if (!all_shown) {
		fold_common(w->out, kn->paths[first] + strip);
		fold_common(w->out, kn->paths[last - 1] + strip);
	}
}

static void add_words(struct walker *w, const char *const *words, const char *help, enum cand_group g)
{
	for (; words && *words; words++)
		add(w, *words, help, g);
}

static void add_netdevs(struct walker *w)
{
	DIR *d = opendir(w->netdev_dir);
	if (!d)
		return;
	for (struct dirent *e; (e = readdir(d));)
		if (e->d_name[0] != '.')
			add(w, e->d_name, "network interface", G_VALUE);
	closedir(d);
}

static void add_files(struct walker *w)
{
	const char *partial = w->out->partial;
	const char *slash = strrchr(partial, '/');
	char dir[4096];
	const char *base = partial;
	if (slash) {
		snprintf(dir, sizeof dir, "%.*s", (int)(slash - partial + 1), partial);
		base = slash + 1;
	} else {
		snprintf(dir, sizeof dir, "./");
	}
	DIR *d = opendir(dir);
	if (!d)
		return;
	size_t blen = strlen(base);
	for (struct dirent *e; (e = readdir(d));) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if (e->d_name[0] == '.' && base[0] != '.')
			continue;
		if (strncmp(e->d_name, base, blen) != 0)
			continue;
		char full[8192], word[8192];
		snprintf(full, sizeof full, "%s%s", dir, e->d_name);
		snprintf(word, sizeof word, "%s%s", slash ? dir : "", e->d_name);
		struct stat st;
		bool is_dir = stat(full, &st) == 0 && S_ISDIR(st.st_mode);
		if (is_dir)
			strncat(word, "/", sizeof word - strlen(word) - 1);
		add_full(w, word, is_dir ? "folder" : "file", G_VALUE, is_dir);
	}
	closedir(d);
}

/* ---- the grammar's places ---- */

static const char *const object_verbs[] = { "create", "modify", "delete", "list", "show", "edit", NULL };

static bool module_has_kinds(const char *path)
{
	size_t n = strlen(path);
	for (size_t k = 0; k < schema_n_kinds; k++) {
		const char *m = schema_kinds[k].module;
		if (strncmp(m, path, n) == 0 && (m[n] == 0 || m[n] == ' '))
			return true;
	}
	return false;
}

/* The modules one word below BASE and the kinds in it. OBJECTS: only modules that hold kinds. */
static void add_children(struct walker *w, const char *base, bool objects)
{
	size_t n = strlen(base);
	for (size_t i = 0; i < schema_n_modules; i++) {
		const char *p = schema_modules[i].path;
		const char *rest = n == 0 ? p : (strncmp(p, base, n) == 0 && p[n] == ' ' ? p + n + 1 : NULL);
		if (!rest || strchr(rest, ' ') || (objects && !module_has_kinds(p)))
			continue;
		add(w, rest, schema_modules[i].help, G_MODULE);
	}
	for (size_t k = 0; k < schema_n_kinds; k++)
		if (strcmp(schema_kinds[k].module, base) == 0)
			add(w, schema_kinds[k].word, schema_kinds[k].help, G_KIND);
}

static bool starts_from_root(const char *word)
{
	return strcmp(word, "/") == 0 || (word[0] == '/' && schema_module_canonical(word + 1)) ||
	       (!strchr(word, ' ') && schema_module_canonical(word));
}

static const struct kind_schema *context_kind(const struct session *s)
{
	return s->module[0] ? schema_kind(s->module) : NULL;
}

/* The module a statement's words are relative to: the current one, or a kind's module. */
static const char *context_module(const struct session *s)
{
	const struct kind_schema *k = context_kind(s);
	return k ? k->module : s->module;
}

static void add_commands(struct walker *w)
{
	for (size_t i = 0; i < schema_n_commands; i++)
		add(w, schema_commands[i].word, schema_commands[i].help, G_COMMAND);
}

static void add_options(struct walker *w, bool one_line, bool all)
{
	if (!one_line)
		add(w, "one-line", "each object on one line", G_OPTION);
	if (!all)
		add(w, "all-properties", "every property, defaults included", G_OPTION);
}

static void add_new_name(struct walker *w, const struct kind_schema *k)
{
	if (k->flags & K_NAME_IS_ADDRESS)
		add_placeholder(w, "<address/len>", "the new object's address; it is named after it", G_VALUE);
	else
		add_placeholder(w, "<name>", "the new object's name", G_VALUE);
}

static const char *placeholder_of(const struct prop_schema *p, char *buf, size_t len)
{
	switch (p->type) {
	case VT_STRING: return "<text>";
	case VT_NAME: return "<name>";
	case VT_PATH: return "</partition/name>";
	case VT_REF: return "<name>";
	case VT_ADDR: case VT_ADDR_ANY: return "<address>";
	case VT_PREFIX: return "<address/len>";
	case VT_NETWORK: return "<network/len>";
	case VT_ENDPOINT: return "<address:port>";
	case VT_MATCH: return "<address[/len][:ports]>";
	case VT_MAC: return "<mac>";
	case VT_INT: case VT_INT_OR_WORD:
		snprintf(buf, len, "<%lld..%lld>", p->min, p->max);
		return buf;
	case VT_RATE: return "<rate>";
	case VT_SERVICE: return "<proto:port>";
	case VT_SCHEDULE: return "<days HH:MM-HH:MM rate>";
	case VT_FILE: return "<file>";
	case VT_ENUM: case VT_PROFILE: case VT_FLAG: return NULL;
	}
	return NULL;
}

/* One value of P (a scalar, or one list item when ITEM). */
static void add_value(struct walker *w, const struct prop_schema *p, bool item)
{
	char buf[64];
	set_what(w, p->name, p->help);
	const char *ph = placeholder_of(p, buf, sizeof buf);
	switch (p->type) {
	case VT_ENUM: case VT_PROFILE: case VT_INT_OR_WORD:
		add_words(w, p->values, NULL, G_VALUE);
		break;
	case VT_REF:
		for (const char *const *rk = p->ref_kinds; rk && *rk; rk++)
			add_names(w, schema_kind(*rk), NULL, 0);
		break;
	case VT_NAME:
		add_netdevs(w);
		break;
	case VT_FILE:
		add_files(w);
		break;
	case VT_ADDR_ANY: case VT_MATCH:
		add(w, "any", NULL, G_VALUE);
		break;
	case VT_NETWORK:
		add(w, "default", "the default route", G_VALUE);
		break;
	case VT_SERVICE:
		add(w, "default", "the services BIG-IP allows by default", G_VALUE);
		break;
	default:
		break;
	}
	if (!item && ((p->flags & P_NONE_OK) || p->type == VT_STRING))
		add(w, "none", "clears it", G_VALUE);
	if (ph)
		add_placeholder(w, ph, vtype_describe(p), G_VALUE);
}

/* Inside an item's block (eth3 { ...): the bare words and the named settings. */
static bool walk_item_block(struct walker *w, const struct prop_schema *list)
{
	for (;;) {
		if (at_end(w)) {
			for (size_t i = 0; i < list->n_item_props; i++) {
				const struct prop_schema *ip = &list->item_props[i];
				if (ip->flags & P_BARE) {
					set_what(w, ip->name, ip->help);
					add_words(w, ip->values, NULL, G_VALUE);
				}
				else
					add(w, ip->name, ip->help, G_PROPERTY);
			}
			add(w, "}", "ends the block", G_BRACE);
			return false;
		}
		const struct ctok *t = next(w);
		if (t->type == CT_RBRACE)
			return true;
		if (t->type != CT_WORD)
			return false;
		const struct prop_schema *named = NULL;
		bool bare = false;
		for (size_t i = 0; i < list->n_item_props; i++) {
			const struct prop_schema *ip = &list->item_props[i];
			if ((ip->flags & P_BARE) && schema_value_in(ip->values, t->text))
				bare = true;
			else if (!(ip->flags & P_BARE) && strcmp(ip->name, t->text) == 0)
				named = ip;
		}
		if (bare)
			continue;
		if (!named)
			return false;
		for (int k = 0; k < vtype_words(named->type); k++) {
			if (at_end(w)) {
				add_value(w, named, true);
				return false;
			}
			if (!is_value(next(w)))
				return false;
		}
	}
}

/* The current items of the object's list, for delete { and modify {. */
static void add_current_items(struct walker *w, const struct object *o, const struct prop_schema *p,
			      const char *const *listed, size_t n_listed)
{
	const struct propval *v = &o->props[p - o->kind->props];
	char prefix[80];
	snprintf(prefix, sizeof prefix, "/%s/", w->s->partition);
	size_t plen = strlen(prefix);
	for (size_t i = 0; i < v->n_items; i++) {
		const char *key = v->items[i].key;
		const char *shown = p->type == VT_REF && strncmp(key, prefix, plen) == 0 &&
				    w->out->partial[0] != '/' ? key + plen : key;
		bool skip = false;
		for (size_t e = 0; e < n_listed && !skip; e++)
			skip = strcmp(listed[e], shown) == 0 || strcmp(listed[e], key) == 0;
		if (!skip)
			add(w, shown, "in the list now", G_VALUE);
	}
}

/* Inside a list's braces: items, each perhaps with its block. */
static bool walk_items(struct walker *w, const struct prop_schema *p, const char *op, const struct object *o)
{
	const char *listed[64];
	char *canon[64];
	size_t n_listed = 0;
	bool ok = false;
	for (;;) {
		if (at_end(w)) {
			bool current = o && op && (strcmp(op, "delete") == 0 || strcmp(op, "modify") == 0);
			if (current) {
				set_what(w, p->name, p->help);
				add_current_items(w, o, p, listed, n_listed);
			} else if (p->type == VT_REF) {
				set_what(w, p->name, p->help);
				for (const char *const *rk = p->ref_kinds; rk && *rk; rk++)
					add_names(w, schema_kind(*rk), (const char *const *)canon, n_listed);
				add_placeholder(w, "<name>", vtype_describe(p), G_VALUE);
			} else {
				add_value(w, p, true);
			}
			add(w, "}", "ends the list", G_BRACE);
			break;
		}
		const struct ctok *t = next(w);
		if (t->type == CT_RBRACE) {
			ok = true;
			break;
		}
		if (!is_value(t))
			break;
		if (n_listed < 64) {
			char why[200];
			listed[n_listed] = t->text;
			canon[n_listed] = p->type == VT_REF ? path_canonical(t->text, w->s->partition, why, sizeof why)
							    : NULL;
			if (!canon[n_listed])
				canon[n_listed] = xstrdup(t->text);
			n_listed++;
		}
		bool cut = false;
		for (int k = 1; k < vtype_words(p->type) && !cut; k++) {
			if (at_end(w)) {
				add_value(w, p, true);
				cut = true;
			} else if (!is_value(next(w))) {
				cut = true;
			}
		}
		if (cut)
			break;
		if (!at_end(w) && peek(w)->type == CT_LBRACE && p->n_item_props) {
			next(w);
			if (!walk_item_block(w, p))
				break;
		}
	}
	for (size_t i = 0; i < n_listed; i++)
		free(canon[i]);
	return ok;
}

/* After a property's name: its value. False when the words ran out (candidates were offered). */
static bool walk_value(struct walker *w, const struct prop_schema *p, const struct object *o)
{
	if (p->type == VT_FLAG)
		return true;
	if (p->flags & P_LIST) {
		static const char *const ops[] = { "add", "delete", "replace-all-with", "modify", NULL };
		static const char *const op_help[] = { "adds items to the list", "removes items from the list",
			"replaces the whole list", "changes items' settings" };
		if (at_end(w)) {
			set_what(w, p->name, p->help);
			for (int i = 0; ops[i]; i++)
				if (strcmp(ops[i], "modify") != 0 || p->n_item_props)
					add(w, ops[i], op_help[i], G_OPTION);
			add(w, "none", "empties the list", G_OPTION);
			add(w, "{", "the whole list: { item ... }", G_BRACE);
			add_words(w, p->values, "keyword form", G_VALUE);
			if (p->type == VT_SERVICE)
				add(w, "default", "the services BIG-IP allows by default", G_VALUE);
			return false;
		}
		const struct ctok *t = next(w);
		const char *op = NULL;
		for (int i = 0; ops[i]; i++)
			if (is_word(t, ops[i]))
				op = ops[i];
		if (op) {
			if (at_end(w)) {
				add(w, "{", "the items: { item ... }", G_BRACE);
				return false;
			}
			t = next(w);
		}
		if (t->type == CT_LBRACE)
			return walk_items(w, p, op, o);
		return !op && is_value(t);
	}
	for (int k = 0; k < vtype_words(p->type); k++) {
		if (at_end(w)) {
			if (k == 0)
				add_value(w, p, false);
			return false;
		}
		const struct ctok *t = next(w);
		if (!is_value(t))
			return false;
		if (k == 0 && is_word(t, "none"))
			return true;
	}
	return true;
}

/* Properties of K, in a command or its brace block; scalars given already are not offered again. */
static void walk_props(struct walker *w, const struct kind_schema *k, const struct object *o)
{
	unsigned long long given = 0;
	for (;;) {
		if (at_end(w)) {
			for (size_t i = 0; i < k->n_props; i++)
				if (!(given & (1ULL << i)))
					add(w, k->props[i].name, k->props[i].help, G_PROPERTY);
			return;
		}
		const struct ctok *t = next(w);
		if (t->type == CT_LBRACE || t->type == CT_RBRACE)
			continue;
		if (t->type != CT_WORD)
			return;
		const struct prop_schema *p = schema_prop(k, t->text);
		if (!p)
			return;
		if (!(p->flags & P_LIST))      /* a list may come again: members add { a } members add { b } */
			given |= 1ULL << schema_prop_index(k, p);
		if (!walk_value(w, p, o))
			return;
	}
}

static char *canonical_name(const struct walker *w, const char *name)
{
	char why[200];
	return path_canonical(name, w->s->partition, why, sizeof why);
}

/* After the kind: names, properties, options, as the verb wants. */
static void walk_after_kind(struct walker *w, const char *verb, const struct kind_schema *k)
{
	bool create = strcmp(verb, "create") == 0, modify = strcmp(verb, "modify") == 0;
	bool define = strcmp(verb, "define") == 0;
	if (k->flags & K_SINGLETON) {          /* no name */
		if (create || modify || define) {
			char path[128];
			snprintf(path, sizeof path, "/Common/%s", k->word);
			walk_props(w, k, modify ? store_get(w->s->store, k, path) : NULL);
		} else if (strcmp(verb, "list") == 0) {
			bool one_line = false, all = false;
			while (!at_end(w)) {
				const struct ctok *t = next(w);
				one_line |= is_word(t, "one-line");
				all |= is_word(t, "all-properties");
			}
			add_options(w, one_line, all);
		}
		return;
	}
	if (create || define) {
		if (at_end(w)) {
			add_new_name(w, k);
			return;
		}
		if (!is_value(next(w)))
			return;
		walk_props(w, k, NULL);
		return;
	}
	if (modify) {
		if (at_end(w)) {
			add_names(w, k, NULL, 0);
			return;
		}
		const struct ctok *t = next(w);
		if (!is_value(t))
			return;
		char *path = canonical_name(w, t->text);
		const struct object *o = path ? store_get(w->s->store, k, path) : NULL;
		free(path);
		walk_props(w, k, o);
		return;
	}
	/* delete, list, show, edit: names, then list's options */
	bool list = strcmp(verb, "list") == 0;
	char *given[64] = { 0 };
	size_t n_given = 0;
	bool one_line = false, all = false;
	for (;;) {
		if (at_end(w)) {
			if (!one_line && !all)
				add_names(w, k, (const char *const *)given, n_given);
			if (list)
				add_options(w, one_line, all);
			break;
		}
		const struct ctok *t = next(w);
		if (!is_value(t))
			break;
		if (list && is_word(t, "one-line")) {
			one_line = true;
		} else if (list && is_word(t, "all-properties")) {
			all = true;
		} else if (n_given < 64) {
			char *p = canonical_name(w, t->text);
			if (p)
				given[n_given++] = p;
		}
	}
	for (size_t i = 0; i < n_given; i++)
		free(given[i]);
}

static void add_root_modules(struct walker *w, const char *verb)
{
	bool objects = verb && strcmp(verb, "define") != 0;
	add_children(w, "", objects);
	if (verb && (strcmp(verb, "create") == 0 || strcmp(verb, "delete") == 0 || strcmp(verb, "list") == 0))
		add(w, "cli", "the shell itself: transactions", G_MODULE);
	if (verb && strcmp(verb, "show") == 0) {
		add(w, "running-config", "the whole configuration", G_OPTION);
		add(w, "sys", "system: version", G_MODULE);
	}
}

/* Module words and the kind, as the parser reads them; then what follows the kind. */
static void walk_target(struct walker *w, const char *verb)
{
	bool optional_kind = strcmp(verb, "list") == 0 || strcmp(verb, "show") == 0 || strcmp(verb, "edit") == 0;
	const struct kind_schema *ck = context_kind(w->s);
	char base[128];
	bool consumed = false;
	snprintf(base, sizeof base, "%s", w->s->module);
	if (ck) {
		if (at_end(w)) {
			walk_after_kind(w, verb, ck);
			add_root_modules(w, verb);
			return;
		}
		const struct ctok *t = peek(w);
		if (!(t->type == CT_WORD && starts_from_root(t->text))) {
			walk_after_kind(w, verb, ck);
			return;
		}
		base[0] = 0;
	}
	for (;;) {
		if (at_end(w)) {
			add_children(w, base, true);
			if (!consumed)
				add_root_modules(w, verb);
			if (optional_kind && strcmp(verb, "list") == 0)
				add_options(w, false, false);
			return;
		}
		const struct ctok *t = next(w);
		if (t->type != CT_WORD)
			return;
		const char *word = t->text;
		if (strcmp(word, "/") == 0) {
			base[0] = 0;
			consumed = true;
			continue;
		}
		if (word[0] == '/' && !consumed && schema_module_canonical(word + 1)) {
			snprintf(base, sizeof base, "%s", schema_module_canonical(word + 1));
			consumed = true;
			continue;
		}
		char joined[256];
		snprintf(joined, sizeof joined, "%s%s%s", base, base[0] ? " " : "", word);
		const char *canon = schema_module_canonical(joined);
		if (canon) {
			snprintf(base, sizeof base, "%s", canon);
			consumed = true;
			continue;
		}
		const struct kind_schema *k = schema_kind_in(base, word);
		if (k) {
			walk_after_kind(w, verb, k);
			return;
		}
		if (!consumed && base[0] && schema_module_canonical(word)) {
			snprintf(base, sizeof base, "%s", schema_module_canonical(word));
			consumed = true;
			continue;
		}
		if (strcmp(verb, "list") == 0 && (strcmp(word, "one-line") == 0 || strcmp(word, "all-properties") == 0)) {
			bool one_line = strcmp(word, "one-line") == 0, all = !one_line;
			while (!at_end(w)) {
				t = next(w);
				one_line |= is_word(t, "one-line");
				all |= is_word(t, "all-properties");
			}
			add_options(w, one_line, all);
		}
		return;
	}
}

/* A fixed sequence of words (cli transaction, util mac-masquerade derive). */
static bool walk_fixed(struct walker *w, const char *const *words, const char *const *helps)
{
	for (int i = 0; words[i]; i++) {
		if (at_end(w)) {
			add(w, words[i], helps[i], i ? G_OPTION : G_MODULE);
			return false;
		}
		if (!is_word(next(w), words[i]))
			return false;
	}
	return true;
}

static void walk_object_verb(struct walker *w, const char *verb)
{
	static const char *const cli_txn[] = { "cli", "transaction", NULL };
	static const char *const cli_help[] = { "the shell itself", "the open transaction" };
	static const char *const sys_version[] = { "sys", "version", NULL };
	static const char *const sys_help[] = { "system", "ferry's version" };
	bool cli_verb = strcmp(verb, "create") == 0 || strcmp(verb, "delete") == 0 || strcmp(verb, "list") == 0;
	if (strcmp(w->s->module, "cli") == 0 && cli_verb) {
		walk_fixed(w, cli_txn + 1, cli_help + 1);
		return;
	}
	if (!at_end(w)) {
		const struct ctok *t = peek(w);
		if (cli_verb && is_word(t, "cli")) {
			walk_fixed(w, cli_txn, cli_help);
			return;
		}
		if (strcmp(verb, "show") == 0 && is_word(t, "sys")) {
			walk_fixed(w, sys_version, sys_help);
			return;
		}
		if (strcmp(verb, "show") == 0 && is_word(t, "running-config"))
			return;
	}
	walk_target(w, verb);
}

static void walk_sys_config(struct walker *w, bool load)
{
	bool in_sys = strcmp(w->s->module, "sys") == 0;
	if (at_end(w)) {
		if (in_sys)
			add(w, "config", "the configuration", G_KIND);
		add(w, "sys", "system", G_MODULE);
		return;
	}
	const struct ctok *t = next(w);
	if (is_word(t, "/")) {
		if (at_end(w)) {
			add(w, "sys", "system", G_MODULE);
			return;
		}
		t = next(w);
	}
	if (is_word(t, "sys") || is_word(t, "/sys")) {
		in_sys = true;
		if (at_end(w)) {
			add(w, "config", "the configuration", G_KIND);
			return;
		}
		t = next(w);
	}
	if (!in_sys || !is_word(t, "config"))
		return;
	bool merge = false, verify = false;
	for (;;) {
		if (at_end(w)) {
			add(w, "file", load ? "read this file instead of ferry.conf" : "write this file instead of ferry.conf",
			    G_OPTION);
			if (load && !merge)
				add(w, "merge", "add the file's objects to the running config", G_OPTION);
			if (load && !verify)
				add(w, "verify", "check the file without changing anything", G_OPTION);
			return;
		}
		t = next(w);
		if (is_word(t, "file")) {
			if (at_end(w)) {
				set_what(w, "file", "a file name");
				add_files(w);
				add_placeholder(w, "<file>", "a file name", G_VALUE);
				return;
			}
			next(w);
		} else if (is_word(t, "merge")) {
			merge = true;
		} else if (is_word(t, "verify")) {
			verify = true;
		} else {
			return;
		}
	}
}

/* cd /net, cd net tunnels, cd .., cd /: modules and kinds. */
static void walk_cd(struct walker *w)
{
	char base[128];
	if (at_end(w)) {
		add(w, "/", "the top", G_MODULE);
		add(w, "..", "up one level", G_MODULE);
		for (size_t i = 0; i < schema_n_modules; i++)
			if (!strchr(schema_modules[i].path, ' ')) {
				char abs[80];
				snprintf(abs, sizeof abs, "/%s", schema_modules[i].path);
				add(w, abs, schema_modules[i].help, G_MODULE);
			}
		add_children(w, context_module(w->s), false);
		return;
	}
	const struct ctok *t = next(w);
	if (t->type != CT_WORD || strcmp(t->text, "..") == 0 || strcmp(t->text, "/") == 0)
		return;
	const char *first = t->text[0] == '/' ? t->text + 1 : t->text;
	const char *canon = NULL;
	char joined[256];
	snprintf(joined, sizeof joined, "%s%s%s", context_module(w->s), context_module(w->s)[0] ? " " : "", first);
	if (t->text[0] != '/')
		canon = context_canonical(joined);
	if (!canon)
		canon = context_canonical(first);
	if (!canon)
		return;
	snprintf(base, sizeof base, "%s", canon);
	for (;;) {
		if (schema_kind(base))
			return;
		if (at_end(w)) {
			add_children(w, base, false);
			return;
		}
		t = next(w);
		if (t->type != CT_WORD)
			return;
		snprintf(joined, sizeof joined, "%s %s", base, t->text);
		canon = context_canonical(joined);
		if (!canon)
			return;
		snprintf(base, sizeof base, "%s", canon);
	}
}

static void walk_help(struct walker *w)
{
	if (at_end(w)) {
		add_commands(w);
		add_children(w, "", false);
		if (context_module(w->s)[0])
			add_children(w, context_module(w->s), false);
		add(w, "keys", "the shell's keys", G_OPTION);
		return;
	}
	const struct ctok *t = next(w);
	if (t->type != CT_WORD)
		return;
	if (strcmp(t->text, "cli") == 0) {
		if (at_end(w))
			add(w, "transaction", "several changes applied as one", G_OPTION);
		return;
	}
	char base[128];
	const char *first = t->text[0] == '/' ? t->text + 1 : t->text;
	const char *canon = schema_module_canonical(first);
	if (!canon && context_module(w->s)[0]) {
		char joined[256];
		snprintf(joined, sizeof joined, "%s %s", context_module(w->s), first);
		canon = schema_module_canonical(joined);
	}
	if (!canon)
		return;
	snprintf(base, sizeof base, "%s", canon);
	for (;;) {
		if (at_end(w)) {
			add_children(w, base, false);
			return;
		}
		t = next(w);
		char joined[256];
		snprintf(joined, sizeof joined, "%s %s", base, t->type == CT_WORD ? t->text : "");
		canon = schema_module_canonical(joined);
		if (!canon)
			return;
		snprintf(base, sizeof base, "%s", canon);
	}
}

/* A statement without a verb: a module or kind to enter, or a saved-format definition. */
static void walk_bare(struct walker *w)
{
	char base[128];
	snprintf(base, sizeof base, "%s", context_module(w->s));
	bool consumed = false;
	for (;;) {
		if (at_end(w)) {
			add_children(w, base, false);
			return;
		}
		const struct ctok *t = next(w);
		if (t->type != CT_WORD)
			return;
		const char *word = t->text;
		if (!consumed && strcmp(word, "/") == 0) {
			base[0] = 0;
			consumed = true;
			continue;
		}
		char joined[256];
		snprintf(joined, sizeof joined, "%s%s%s", base, base[0] ? " " : "", word);
		const char *canon = schema_module_canonical(joined);
		if (!canon && (!base[0] || !consumed) && word[0] == '/')
			canon = schema_module_canonical(word + 1);
		if (!canon && !consumed && base[0] && !schema_kind_in(base, word))
			canon = schema_module_canonical(word);
		if (canon) {
			snprintf(base, sizeof base, "%s", canon);
			consumed = true;
			continue;
		}
		const struct kind_schema *k = schema_kind_in(base, word);
		if (k)
			walk_after_kind(w, "define", k);
		return;
	}
}

static void walk_statement(struct walker *w)
{
	if (at_end(w)) {
		add_commands(w);
		add_children(w, context_module(w->s), false);
		if (context_module(w->s)[0])
			add_children(w, "", false);
		return;
	}
	const struct ctok *t = peek(w);
	if (t->type != CT_WORD)
		return;
	const char *v = t->text;
	for (int i = 0; object_verbs[i]; i++)
		if (strcmp(v, object_verbs[i]) == 0) {
			next(w);
			walk_object_verb(w, v);
			return;
		}
	if (strcmp(v, "save") == 0 || strcmp(v, "load") == 0) {
		next(w);
		walk_sys_config(w, strcmp(v, "load") == 0);
	} else if (strcmp(v, "run") == 0) {
		static const char *const util[] = { "util", "mac-masquerade", "derive", NULL };
		static const char *const util_help[] = { "utilities", "MAC masquerade addresses",
			"the locally administered address of a unicast MAC (SOL3523)" };
		next(w);
		bool in_util = strcmp(w->s->module, "util") == 0;
		if (walk_fixed(w, in_util ? util + 1 : util, in_util ? util_help + 1 : util_help) && at_end(w))
			add_placeholder(w, "<mac>", "a unicast MAC address like 00:01:d7:92:c0:c4", G_VALUE);
	} else if (strcmp(v, "submit") == 0) {
		static const char *const cli_txn[] = { "cli", "transaction", NULL };
		static const char *const cli_help[] = { "the shell itself", "the open transaction" };
		next(w);
		bool in_cli = strcmp(w->s->module, "cli") == 0;
		walk_fixed(w, in_cli ? cli_txn + 1 : cli_txn, in_cli ? cli_help + 1 : cli_help);
	} else if (strcmp(v, "cd") == 0) {
		next(w);
		walk_cd(w);
	} else if (strcmp(v, "help") == 0) {
		next(w);
		walk_help(w);
	} else if (strcmp(v, "quit") == 0 || strcmp(v, "exit") == 0) {
		/* nothing follows */
	} else {
		walk_bare(w);
	}
}

static int cmp_cand(const void *a, const void *b)
{
	const struct cand *x = a, *y = b;
	if (x->group != y->group)
		return (int)x->group - (int)y->group;
	if (x->placeholder != y->placeholder)
		return x->placeholder ? 1 : -1;
	return strcmp(x->word, y->word);
}

void complete(const char *text, size_t len, const struct session *s, const struct complete_opts *opts,
	      struct completion *out)
{
	memset(out, 0, sizeof *out);
	out->partial = xstrdup("");
	struct toks tk = { 0 };
	bool ok = tokenize(text, len, &tk, out);
	if (!ok) {
		out->in_string = true;
	} else {
		size_t first = 0;                  /* the statement the cursor is in */
		for (size_t i = 0; i < tk.n; i++)
			if (tk.v[i].type == CT_END)
				first = i + 1;
		struct walker w = {
			.t = tk.v ? tk.v + first : NULL, .n = tk.n - first, .i = 0, .s = s, .out = out,
			.max = opts && opts->max_shown ? opts->max_shown : DEFAULT_MAX_SHOWN,
			.netdev_dir = opts && opts->netdev_dir ? opts->netdev_dir : "/sys/class/net",
		};
		walk_statement(&w);
		if (out->n)
			qsort(out->cands, out->n, sizeof *out->cands, cmp_cand);
	}
	if (!out->common)
		out->common = xstrdup(out->partial);
	for (size_t i = 0; i < tk.n; i++)
		free(tk.v[i].text);
	free(tk.v);
}

void completion_free(struct completion *c)
{
	for (size_t i = 0; i < c->n; i++) {
		free(c->cands[i].word);
		free(c->cands[i].help);
	}
	free(c->cands);
	free(c->partial);
	free(c->common);
	free(c->what);
	memset(c, 0, sizeof *c);
}
