#include "compiler/store.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "compiler/util.h"

struct kind_table {
	struct object **slots;   /* open addressing, linear probing */
	size_t cap, n;
	unsigned long generation; /* the store's generation when this kind last changed */
};

static uint64_t hash_path(const char *s);

/* Generations come from one counter for every store, so a cache keyed by (store, generation)
 * never mistakes a new store at a freed one's address for the old one. */
static unsigned long last_generation;

static void bump(struct store *s)
{
	s->generation = ++last_generation;
}

static size_t kind_index(const struct kind_schema *k)
{
	return (size_t)(k - schema_kinds);
}

/* ---- objects ---- */

struct object *object_new(const struct kind_schema *kind, const char *path, struct srcloc loc)
{
	struct object *o = xcalloc(1, sizeof *o + kind->n_props * sizeof(struct propval));
	o->kind = kind;
	o->path = xstrdup(path);
	o->hash = hash_path(path);
	o->loc = loc;
	return o;
}

static void attrs_free(struct propval *attrs, size_t n)
{
	if (!attrs)
		return;
	for (size_t i = 0; i < n; i++)
		propval_clear(&attrs[i], 0);
	free(attrs);
}

void propval_clear(struct propval *v, size_t n_attrs)
{
	free(v->text);
	for (size_t i = 0; i < v->n_items; i++) {
		free(v->items[i].key);
		attrs_free(v->items[i].attrs, n_attrs);
	}
	free(v->items);
	memset(v, 0, sizeof *v);
}

static struct propval *attrs_copy(const struct propval *src, const struct prop_schema *p)
{
	if (!src)
		return NULL;
	struct propval *dst = xcalloc(p->n_item_props, sizeof *dst);
	for (size_t i = 0; i < p->n_item_props; i++)
		propval_copy(&dst[i], &src[i], &p->item_props[i]);
	return dst;
}

void propval_copy(struct propval *dst, const struct propval *src, const struct prop_schema *p)
{
	*dst = *src;
	dst->text = src->text ? xstrdup(src->text) : NULL;
	if (src->n_items) {
		dst->items = xcalloc(src->n_items, sizeof *dst->items);
		for (size_t i = 0; i < src->n_items; i++) {
			dst->items[i].key = xstrdup(src->items[i].key);
			dst->items[i].loc = src->items[i].loc;
			dst->items[i].attrs = attrs_copy(src->items[i].attrs, p);
		}
	} else {
		dst->items = NULL;
	}
}

struct object *object_clone(const struct object *o)
{
	struct object *c = object_new(o->kind, o->path, o->loc);
	for (size_t i = 0; i < o->kind->n_props; i++)
		propval_copy(&c->props[i], &o->props[i], &o->kind->props[i]);
	return c;
}

void object_free(struct object *o)
{
	if (!o)
		return;
	for (size_t i = 0; i < o->kind->n_props; i++)
		propval_clear(&o->props[i], o->kind->props[i].n_item_props);
	free(o->vrec);
	free(o->path);
	free(o);
}

struct propval *object_prop(struct object *o, const char *name)
{
	const struct prop_schema *p = schema_prop(o->kind, name);
	return p ? &o->props[p - o->kind->props] : NULL;
}

const struct propval *object_cprop(const struct object *o, const char *name)
{
	const struct prop_schema *p = schema_prop(o->kind, name);
	return p ? &o->props[p - o->kind->props] : NULL;
}

const char *object_get(const struct object *o, const char *name)
{
	const struct propval *v = object_cprop(o, name);
	return v && v->set ? v->text : NULL;
}

struct item *propval_find_item(const struct propval *v, const char *key)
{
	for (size_t i = 0; i < v->n_items; i++)
		if (strcmp(v->items[i].key, key) == 0)
			return &v->items[i];
	return NULL;
}

void propval_add_item(struct propval *v, const struct prop_schema *p, const char *key, struct srcloc loc)
{
	v->set = true;
	free(v->text);
	v->text = NULL;
	if (propval_find_item(v, key))
		return;
	v->items = xrealloc(v->items, (v->n_items + 1) * sizeof *v->items);
	struct item *it = &v->items[v->n_items++];
	it->key = xstrdup(key);
	it->loc = loc;
	it->attrs = p->n_item_props ? xcalloc(p->n_item_props, sizeof(struct propval)) : NULL;
}

bool propval_remove_item(struct propval *v, const struct prop_schema *p, const char *key)
{
	struct item *it = propval_find_item(v, key);
	if (!it)
		return false;
	free(it->key);
	attrs_free(it->attrs, p->n_item_props);
	size_t idx = (size_t)(it - v->items);
	memmove(it, it + 1, (v->n_items - idx - 1) * sizeof *it);
	v->n_items--;
	return true;
}

/* ---- the store ---- */

static uint64_t hash_path(const char *s)
{
	uint64_t h = 1469598103934665603ULL;
	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ULL;
	}
	return h;
}

struct store *store_new(void)
{
	struct store *s = xcalloc(1, sizeof *s);
	s->kinds = xcalloc(schema_n_kinds, sizeof *s->kinds);
	bump(s);
	return s;
}

void store_clear(struct store *s)
{
	vindex_free(s->index);       /* first: the objects' own index records go with the objects */
	s->index = NULL;
	for (size_t k = 0; k < schema_n_kinds; k++) {
		struct kind_table *t = &s->kinds[k];
		for (size_t i = 0; i < t->cap; i++)
			object_free(t->slots[i]);
		free(t->slots);
		memset(t, 0, sizeof *t);
	}
	s->count = 0;
	bump(s);
	for (size_t k = 0; k < schema_n_kinds; k++)
		s->kinds[k].generation = s->generation;
}

void store_free(struct store *s)
{
	if (!s)
		return;
	store_clear(s);
	free(s->kinds);
	free(s);
}

void store_swap(struct store *a, struct store *b)
{
	struct store tmp = *a;
	*a = *b;
	*b = tmp;
	bump(a);
	bump(b);
}

static size_t find_slot_hashed(const struct kind_table *t, const char *path, uint64_t h)
{
	size_t mask = t->cap - 1;
	size_t i = h & mask;
	while (t->slots[i] && (t->slots[i]->hash != h || strcmp(t->slots[i]->path, path) != 0))
		i = (i + 1) & mask;
	return i;
}

static size_t find_slot(const struct kind_table *t, const char *path)
{
	return find_slot_hashed(t, path, hash_path(path));
}

static void table_grow(struct kind_table *t)
{
	size_t old_cap = t->cap;
	struct object **old = t->slots;
	t->cap = old_cap ? old_cap * 2 : 16;
	t->slots = xcalloc(t->cap, sizeof *t->slots);
	for (size_t i = 0; i < old_cap; i++)
		if (old[i])
			t->slots[find_slot_hashed(t, old[i]->path, old[i]->hash)] = old[i];
	free(old);
}

struct object *store_get(const struct store *s, const struct kind_schema *k, const char *path)
{
	const struct kind_table *t = &s->kinds[kind_index(k)];
	if (!t->n)
		return NULL;
	return t->slots[find_slot(t, path)];
}

struct object *store_put(struct store *s, struct object *o)
{
	struct kind_table *t = &s->kinds[kind_index(o->kind)];
	if ((t->n + 1) * 4 > t->cap * 3)
		table_grow(t);
	size_t i = find_slot_hashed(t, o->path, o->hash);
	struct object *old = t->slots[i];
	t->slots[i] = o;
	if (!old) {
		t->n++;
		s->count++;
	}
	bump(s);
	t->generation = s->generation;
	if (s->index)
		vindex_changed(s->index, old, o);
	return old;
}

struct object *store_take(struct store *s, const struct kind_schema *k, const char *path)
{
	struct kind_table *t = &s->kinds[kind_index(k)];
	if (!t->n)
		return NULL;
	size_t mask = t->cap - 1;
	size_t i = find_slot(t, path);
	struct object *o = t->slots[i];
	if (!o)
		return NULL;
	t->slots[i] = NULL;
	/* Backward-shift deletion keeps every probe chain unbroken without tombstones. */
	for (size_t j = (i + 1) & mask; t->slots[j]; j = (j + 1) & mask) {
		size_t home = t->slots[j]->hash & mask;
		bool movable = (j > i) ? (home <= i || home > j) : (home <= i && home > j);
		if (movable) {
			t->slots[i] = t->slots[j];
			t->slots[j] = NULL;
			i = j;
		}
	}
	t->n--;
	s->count--;
	bump(s);
	t->generation = s->generation;
	if (s->index)
		vindex_changed(s->index, o, NULL);
	return o;
}

size_t store_count_kind(const struct store *s, const struct kind_schema *k)
{
	return s->kinds[kind_index(k)].n;
}

unsigned long store_kind_generation(const struct store *s, const struct kind_schema *k)
{
	return s->kinds[kind_index(k)].generation;
}

static int by_path(const void *a, const void *b)
{
	return strcmp((*(struct object *const *)a)->path, (*(struct object *const *)b)->path);
}

struct object **store_sorted(const struct store *s, const struct kind_schema *k, size_t *n)
{
	const struct kind_table *t = &s->kinds[kind_index(k)];
	struct object **list = xmalloc((t->n + 1) * sizeof *list);
	size_t used = 0;
	for (size_t i = 0; i < t->cap; i++)
		if (t->slots[i])
			list[used++] = t->slots[i];
	qsort(list, used, sizeof *list, by_path);
	*n = used;
	return list;
}

void store_each(const struct store *s, const struct kind_schema *k,
		void (*fn)(struct object *o, void *arg), void *arg)
{
	const struct kind_table *t = &s->kinds[kind_index(k)];
	for (size_t i = 0; i < t->cap; i++)
		if (t->slots[i])
			fn(t->slots[i], arg);
}

/* ---- the journal ---- */

static unsigned long next_journal_id = 1;

void journal_init(struct journal *j)
{
	memset(j, 0, sizeof *j);
	j->id = next_journal_id++;
}

static void journal_record(struct journal *j, const struct kind_schema *k, const char *path,
			   struct object *before, bool removed, struct srcloc loc)
{
	if (j->n == j->cap) {
		j->cap = j->cap ? j->cap * 2 : 16;
		j->entries = xrealloc(j->entries, j->cap * sizeof *j->entries);
	}
	j->entries[j->n++] = (struct journal_entry){ k, xstrdup(path), before, removed, loc };
}

void journal_put(struct journal *j, struct store *s, struct object *o)
{
	o->journal_id = j->id;
	struct object *old = store_put(s, o);
	if (old && old->journal_id == j->id)
		object_free(old);          /* made earlier in this journal: its entry is already there */
	else
		journal_record(j, o->kind, o->path, old, false, (struct srcloc){ 0 });
}

bool journal_remove(struct journal *j, struct store *s, const struct kind_schema *k, const char *path,
		    struct srcloc loc)
{
	struct object *old = store_take(s, k, path);
	if (!old)
		return false;
	if (old->journal_id == j->id) {
		object_free(old);        /* made by this journal: an earlier entry puts back what was there */
		old = NULL;
	}
	journal_record(j, k, path, old, true, loc);
	return true;
}

void journal_rollback(struct journal *j, struct store *s)
{
	for (size_t i = j->n; i-- > 0;) {
		struct journal_entry *e = &j->entries[i];
		object_free(store_take(s, e->kind, e->path));
		if (e->before)
			store_put(s, e->before);
		free(e->path);
	}
	free(j->entries);
	journal_init(j);
}

void journal_commit(struct journal *j)
{
	for (size_t i = 0; i < j->n; i++) {
		object_free(j->entries[i].before);
		free(j->entries[i].path);
	}
	free(j->entries);
	journal_init(j);
}

const struct object *journal_before(const struct journal *j, const struct kind_schema *k, const char *path)
{
	for (size_t i = 0; i < j->n; i++)
		if (j->entries[i].kind == k && strcmp(j->entries[i].path, path) == 0)
			return j->entries[i].before;
	return NULL;
}
