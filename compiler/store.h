/* The config store: objects by kind and full path, and a journal that undoes a failed change. */
#ifndef FERRY_COMPILER_STORE_H
#define FERRY_COMPILER_STORE_H

#include <stdbool.h>
#include <stddef.h>

#include "compiler/diag.h"
#include "grammar/schema.h"

struct propval;

struct item {                    /* one element of a list property */
	char *key;                   /* canonical text: "eth3", "/Common/eip", "tcp:22" */
	struct srcloc loc;
	struct propval *attrs;       /* NULL, or one per prop->item_props (eth3 { tagged }) */
};

struct propval {
	bool set;
	struct srcloc loc;
	char *text;                  /* a scalar's canonical text; a list's keyword form ("all") */
	struct item *items;          /* a list's elements, in the order given */
	size_t n_items;
};

struct object {
	const struct kind_schema *kind;
	char *path;                  /* "/Common/vlan-eip1"; a singleton's is "/Common/<kind word>" */
	unsigned long long hash;     /* of path: probes compare it before the text */
	struct srcloc loc;           /* where it was created or defined */
	unsigned long journal_id;    /* the journal that made this version (ids are never reused) */
	struct vrec *vrec;           /* validation's index entries while it is in an indexed store */
	struct propval props[];      /* kind->n_props, in schema order */
};

struct object *object_new(const struct kind_schema *kind, const char *path, struct srcloc loc);
struct object *object_clone(const struct object *o);
void object_free(struct object *o);
struct propval *object_prop(struct object *o, const char *name);
const struct propval *object_cprop(const struct object *o, const char *name);
/* A scalar's text, or NULL when unset. */
const char *object_get(const struct object *o, const char *name);

void propval_clear(struct propval *v, size_t n_attrs);
void propval_copy(struct propval *dst, const struct propval *src, const struct prop_schema *p);
struct item *propval_find_item(const struct propval *v, const char *key);
void propval_add_item(struct propval *v, const struct prop_schema *p, const char *key, struct srcloc loc);
bool propval_remove_item(struct propval *v, const struct prop_schema *p, const char *key);

struct kind_table;               /* the objects of one kind, hashed by path */
struct vindex;                   /* validation's indexes of a store (compiler/validate.c) */

struct store {
	struct kind_table *kinds;    /* schema_n_kinds tables, in schema order */
	size_t count;
	unsigned long generation;    /* rises on every change; caches built on a store compare it */
	struct vindex *index;        /* NULL until the first validation; then kept in step with every
	                              * store_put/store_take, freed by store_clear */
};

/* The store tells validation's index about each change (defined in compiler/validate.c). */
void vindex_changed(struct vindex *x, struct object *removed, struct object *added);
void vindex_free(struct vindex *x);

struct store *store_new(void);
void store_free(struct store *s);
struct object *store_get(const struct store *s, const struct kind_schema *k, const char *path);
/* Puts O in, returning the object it replaced (or NULL). The store owns O. */
struct object *store_put(struct store *s, struct object *o);
/* Takes the object out and returns it (the caller owns it), or NULL. */
struct object *store_take(struct store *s, const struct kind_schema *k, const char *path);
size_t store_count_kind(const struct store *s, const struct kind_schema *k);
/* The store's generation when objects of kind K last changed (0: never): a cache of one kind
 * compares it, so a change elsewhere does not invalidate it. */
unsigned long store_kind_generation(const struct store *s, const struct kind_schema *k);
/* The objects of a kind sorted by path; the array is the caller's to free, the objects are not. */
struct object **store_sorted(const struct store *s, const struct kind_schema *k, size_t *n);
/* Calls FN for every object of kind K, in no particular order. */
void store_each(const struct store *s, const struct kind_schema *k,
		void (*fn)(struct object *o, void *arg), void *arg);
void store_clear(struct store *s);
/* Swaps the contents of two stores. */
void store_swap(struct store *a, struct store *b);

/* A journal records what a command replaced so that a failure can put it back. */
struct journal_entry {
	const struct kind_schema *kind;
	char *path;
	struct object *before;       /* NULL: the object did not exist (or this journal made it) */
	bool removed;                /* a journal_remove: validation names LOC when others still need it */
	struct srcloc loc;           /* removed: where the delete was asked for */
};

struct journal {
	struct journal_entry *entries;
	size_t n, cap;
	unsigned long id;
};

void journal_init(struct journal *j);
/* Store operations that record what they replace. */
void journal_put(struct journal *j, struct store *s, struct object *o);
/* Removes the object at PATH; false when there is none. LOC is the delete's location: every removal
 * is recorded (even of an object this journal made) so validation can point at it. */
bool journal_remove(struct journal *j, struct store *s, const struct kind_schema *k, const char *path,
		    struct srcloc loc);
void journal_rollback(struct journal *j, struct store *s);
void journal_commit(struct journal *j);    /* frees the replaced objects */
/* The object before the change, if the journal replaced or removed it. */
const struct object *journal_before(const struct journal *j, const struct kind_schema *k, const char *path);

#endif
