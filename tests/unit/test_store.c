/* The store's hash table and the journal that makes every change all or nothing. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compiler/store.h"
#include "tests/unit/unit.h"

static const struct kind_schema *vlan(void)
{
	return schema_kind("net vlan");
}

static struct object *mk(const char *path, const char *tag)
{
	struct object *o = object_new(vlan(), path, (struct srcloc){ 0 });
	struct propval *v = object_prop(o, "tag");
	v->set = true;
	v->text = strdup(tag);
	return o;
}

TEST(put_get_take_many)
{
	struct store *s = store_new();
	char path[32];
	for (int i = 0; i < 5000; i++) {
		snprintf(path, sizeof path, "/Common/v%d", i);
		CHECK(store_put(s, mk(path, "1")) == NULL);
	}
	CHECK_INT_EQ(s->count, 5000);
	/* take every third one, then every object must still be found or absent as it should */
	for (int i = 0; i < 5000; i += 3) {
		snprintf(path, sizeof path, "/Common/v%d", i);
		object_free(store_take(s, vlan(), path));
	}
	int found = 0;
	for (int i = 0; i < 5000; i++) {
		snprintf(path, sizeof path, "/Common/v%d", i);
		struct object *o = store_get(s, vlan(), path);
		if (i % 3 == 0)
			CHECK(o == NULL);
		else if (CHECK(o != NULL))
			found++, CHECK_STR_EQ(o->path, path);
	}
	CHECK_INT_EQ(found, 3333);
	CHECK_INT_EQ(store_count_kind(s, vlan()), 3333);
	store_free(s);
}

TEST(sorted_is_by_path)
{
	struct store *s = store_new();
	store_put(s, mk("/Common/b", "1"));
	store_put(s, mk("/Common/a", "1"));
	store_put(s, mk("/Common/a10", "1"));
	size_t n;
	struct object **list = store_sorted(s, vlan(), &n);
	if (CHECK_INT_EQ(n, 3)) {
		CHECK_STR_EQ(list[0]->path, "/Common/a");
		CHECK_STR_EQ(list[1]->path, "/Common/a10");
		CHECK_STR_EQ(list[2]->path, "/Common/b");
	}
	free(list);
	store_free(s);
}

TEST(journal_rollback_restores_everything)
{
	struct store *s = store_new();
	store_put(s, mk("/Common/keep", "1"));
	store_put(s, mk("/Common/gone", "2"));
	struct journal j;
	journal_init(&j);
	journal_put(&j, s, mk("/Common/new", "3"));
	journal_put(&j, s, mk("/Common/keep", "9"));          /* modify */
	journal_put(&j, s, mk("/Common/keep", "10"));         /* modify again in the same change */
	CHECK(journal_remove(&j, s, vlan(), "/Common/gone", (struct srcloc){ 0 }));
	CHECK(!journal_remove(&j, s, vlan(), "/Common/never", (struct srcloc){ 0 }));
	CHECK_STR_EQ(object_get(store_get(s, vlan(), "/Common/keep"), "tag"), "10");
	journal_rollback(&j, s);
	CHECK_INT_EQ(s->count, 2);
	CHECK(store_get(s, vlan(), "/Common/new") == NULL);
	CHECK_STR_EQ(object_get(store_get(s, vlan(), "/Common/keep"), "tag"), "1");
	CHECK_STR_EQ(object_get(store_get(s, vlan(), "/Common/gone"), "tag"), "2");
	store_free(s);
}

TEST(journal_commit_keeps_the_change)
{
	struct store *s = store_new();
	store_put(s, mk("/Common/a", "1"));
	struct journal j;
	journal_init(&j);
	journal_put(&j, s, mk("/Common/a", "2"));
	journal_put(&j, s, mk("/Common/b", "3"));
	CHECK(journal_remove(&j, s, vlan(), "/Common/b", (struct srcloc){ 0 }));
	journal_commit(&j);
	CHECK_INT_EQ(s->count, 1);
	CHECK_STR_EQ(object_get(store_get(s, vlan(), "/Common/a"), "tag"), "2");
	/* a later journal can still undo its own change over the committed one */
	journal_init(&j);
	journal_put(&j, s, mk("/Common/a", "4"));
	journal_rollback(&j, s);
	CHECK_STR_EQ(object_get(store_get(s, vlan(), "/Common/a"), "tag"), "2");
	store_free(s);
}

TEST(clone_is_deep)
{
	struct object *o = mk("/Common/a", "1");
	const struct prop_schema *p = schema_prop(vlan(), "interfaces");
	struct propval *v = object_prop(o, "interfaces");
	propval_add_item(v, p, "eth1", (struct srcloc){ 0 });
	v->items[0].attrs[0].set = true;
	v->items[0].attrs[0].text = strdup("tagged");
	struct object *c = object_clone(o);
	object_free(o);
	const struct propval *cv = object_cprop(c, "interfaces");
	if (CHECK_INT_EQ(cv->n_items, 1)) {
		CHECK_STR_EQ(cv->items[0].key, "eth1");
		CHECK_STR_EQ(cv->items[0].attrs[0].text, "tagged");
	}
	object_free(c);
}
