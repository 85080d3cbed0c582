/* Checks of the grammar tables in grammar/schema.c: the invariants the parser, printers and
 * completion rely on without checking them again at run time. */
#include "grammar/schema.h"
#include "tests/unit/unit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int kind_index(const char *id)
{
	for (size_t i = 0; i < schema_n_kinds; i++)
		if (strcmp(schema_kinds[i].id, id) == 0)
			return (int)i;
	return -1;
}

/* The saved format prints properties in table order, and `list` output is compared byte for byte
 * with BIG-IP's, so the order must be strictly alphabetical (which also rules out duplicates). */
TEST(properties_sorted_by_name)
{
	for (size_t i = 0; i < schema_n_kinds; i++) {
		const struct kind_schema *k = &schema_kinds[i];
		for (size_t j = 1; j < k->n_props; j++)
			if (strcmp(k->props[j - 1].name, k->props[j].name) >= 0)
				unit_fail(__FILE__, __LINE__, "%s: '%s' is listed before '%s'", k->id,
					  k->props[j - 1].name, k->props[j].name);
	}
}

TEST(item_properties_sorted_by_name)
{
	for (size_t i = 0; i < schema_n_kinds; i++) {
		const struct kind_schema *k = &schema_kinds[i];
		for (size_t j = 0; j < k->n_props; j++) {
			const struct prop_schema *p = &k->props[j];
			CHECK(p->n_item_props == 0 || p->item_props != NULL);
			for (size_t m = 1; m < p->n_item_props; m++)
				if (strcmp(p->item_props[m - 1].name, p->item_props[m].name) >= 0)
					unit_fail(__FILE__, __LINE__, "%s %s: item '%s' is listed before '%s'",
						  k->id, p->name, p->item_props[m - 1].name, p->item_props[m].name);
		}
	}
}

TEST(kind_lookup)
{
	const struct kind_schema *k = schema_kind("net vlan");
	if (!CHECK(k != NULL))
		return;
	CHECK_STR_EQ(k->id, "net vlan");
	CHECK_STR_EQ(k->module, "net");
	CHECK_STR_EQ(k->word, "vlan");
	CHECK(schema_kind_in("net", "vlan") == k);
	CHECK(schema_kind("net tunnels tunnel") == schema_kind_in("net tunnels", "tunnel"));
	CHECK(schema_kind("net vlan-group") != k);
	CHECK(schema_kind("net") == NULL);
	CHECK(schema_kind("net vlans") == NULL);
	CHECK(schema_kind("") == NULL);
}

/* An id is "MODULE WORD"; completion splits on that and the lookup by parts must agree. */
TEST(kind_ids_are_module_and_word)
{
	for (size_t i = 0; i < schema_n_kinds; i++) {
		const struct kind_schema *k = &schema_kinds[i];
		char id[128];
		snprintf(id, sizeof id, "%s %s", k->module, k->word);
		CHECK_STR_EQ(k->id, id);
		CHECK(schema_kind(k->id) == k);
		CHECK(schema_kind_in(k->module, k->word) == k);
		if (!schema_module(k->module))
			unit_fail(__FILE__, __LINE__, "kind %s: module '%s' is not in schema_modules",
				  k->id, k->module);
		CHECK(k->help && k->help[0]);
	}
}

TEST(vlan_tag_range)
{
	const struct kind_schema *k = schema_kind("net vlan");
	if (!CHECK(k != NULL))
		return;
	const struct prop_schema *tag = schema_prop(k, "tag");
	if (!CHECK(tag != NULL))
		return;
	CHECK_INT_EQ(tag->type, VT_INT);
	CHECK_INT_EQ(tag->min, 1);
	CHECK_INT_EQ(tag->max, 4094);
	CHECK_STR_EQ(vtype_describe(tag), "an integer 1..4094");
}

TEST(prop_lookup_and_index)
{
	for (size_t i = 0; i < schema_n_kinds; i++) {
		const struct kind_schema *k = &schema_kinds[i];
		for (size_t j = 0; j < k->n_props; j++) {
			const struct prop_schema *p = schema_prop(k, k->props[j].name);
			CHECK(p == &k->props[j]);
			CHECK_INT_EQ(schema_prop_index(k, p), j);
			CHECK(p->help && p->help[0]);
		}
		CHECK(schema_prop(k, "no-such-property") == NULL);
	}
}

/* A reference that names a kind that does not exist could never be satisfied by any config. */
TEST(refs_name_existing_kinds)
{
	for (size_t i = 0; i < schema_n_kinds; i++) {
		const struct kind_schema *k = &schema_kinds[i];
		for (size_t j = 0; j < k->n_props; j++) {
			const struct prop_schema *p = &k->props[j];
			if (p->type != VT_REF) {
				if (p->ref_kinds)
					unit_fail(__FILE__, __LINE__, "%s %s: ref_kinds set on a non-reference",
						  k->id, p->name);
				continue;
			}
			if (!p->ref_kinds || !p->ref_kinds[0]) {
				unit_fail(__FILE__, __LINE__, "%s %s: a reference with no kinds", k->id, p->name);
				continue;
			}
			for (const char *const *r = p->ref_kinds; *r; r++)
				if (!schema_kind(*r))
					unit_fail(__FILE__, __LINE__, "%s %s: refers to unknown kind '%s'",
						  k->id, p->name, *r);
		}
	}
}

/* schema_kinds is in dependency order so printed configs read top-down and load in one pass. */
TEST(referenced_kinds_come_first)
{
	for (size_t i = 0; i < schema_n_kinds; i++) {
		const struct kind_schema *k = &schema_kinds[i];
		for (size_t j = 0; j < k->n_props; j++) {
			const struct prop_schema *p = &k->props[j];
			if (p->type != VT_REF || !p->ref_kinds)
				continue;
			for (const char *const *r = p->ref_kinds; *r; r++) {
				int ri = kind_index(*r);
				if (ri >= (int)i)
					unit_fail(__FILE__, __LINE__, "%s %s refers to %s, which is listed after it",
						  k->id, p->name, *r);
			}
		}
	}
}

TEST(module_aliases_resolve)
{
	for (size_t i = 0; i < schema_n_module_aliases; i++) {
		const struct module_alias *a = &schema_module_aliases[i];
		const struct module_schema *m = schema_module(a->path);
		if (!m) {
			unit_fail(__FILE__, __LINE__, "alias '%s' names unknown module '%s'", a->alias, a->path);
			continue;
		}
		CHECK(schema_module(a->alias) == NULL); /* an alias must not shadow a real module */
		CHECK_STR_EQ(schema_module_canonical(a->alias), m->path);
	}
	CHECK_STR_EQ(schema_module_canonical("net tunnel"), "net tunnels");
	CHECK_STR_EQ(schema_module_canonical("net tunnels"), "net tunnels");
	CHECK_STR_EQ(schema_module_canonical("net"), "net");
	CHECK(schema_module_canonical("nett") == NULL);
}

/* A default that the type itself would reject would print a config that cannot be loaded back. */
TEST(defaults_fit_their_types)
{
	for (size_t i = 0; i < schema_n_kinds; i++) {
		const struct kind_schema *k = &schema_kinds[i];
		for (size_t j = 0; j < k->n_props; j++) {
			const struct prop_schema *p = &k->props[j];
			if (p->type == VT_INT || p->type == VT_INT_OR_WORD)
				CHECK(p->min <= p->max);
			if ((p->type == VT_ENUM || p->type == VT_PROFILE || p->type == VT_INT_OR_WORD) &&
			    !(p->values && p->values[0]))
				unit_fail(__FILE__, __LINE__, "%s %s: no words for an enumerated type",
					  k->id, p->name);
			if (!p->default_text)
				continue;
			const char *d = p->default_text;
			if (p->type == VT_ENUM && !schema_value_in(p->values, d))
				unit_fail(__FILE__, __LINE__, "%s %s: default '%s' is not one of its words",
					  k->id, p->name, d);
			if (p->type == VT_INT || (p->type == VT_INT_OR_WORD && !schema_value_in(p->values, d))) {
				char *end;
				long long v = strtoll(d, &end, 10);
				if (*end || v < p->min || v > p->max)
					unit_fail(__FILE__, __LINE__, "%s %s: default '%s' is outside %lld..%lld",
						  k->id, p->name, d, p->min, p->max);
			}
		}
	}
}

TEST(name_is_address_kinds)
{
	for (size_t i = 0; i < schema_n_kinds; i++) {
		const struct kind_schema *k = &schema_kinds[i];
		if (k->flags & K_NAME_IS_ADDRESS) {
			if (!CHECK(k->address_prop != NULL))
				continue;
			const struct prop_schema *p = schema_prop(k, k->address_prop);
			if (CHECK(p != NULL))
				CHECK(p->type == VT_PREFIX || p->type == VT_ADDR);
		} else {
			CHECK(k->address_prop == NULL);
		}
	}
	CHECK(schema_kind("net self") && (schema_kind("net self")->flags & K_NAME_IS_ADDRESS));
}

TEST(tunnel_profiles)
{
	const struct prop_schema *p = schema_prop(schema_kind("net tunnels tunnel"), "profile");
	if (!CHECK(p != NULL))
		return;
	static const char *const want[] = { "etherip", "gre", "vxlan", "geneve", "ipip", "wan-optimized" };
	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
		if (!schema_value_in(p->values, want[i]))
			unit_fail(__FILE__, __LINE__, "profile '%s' is missing", want[i]);
	CHECK(!schema_value_in(p->values, "vlan"));
}

TEST(command_words_unique)
{
	for (size_t i = 0; i < schema_n_commands; i++) {
		CHECK(schema_commands[i].help && schema_commands[i].usage);
		for (size_t j = i + 1; j < schema_n_commands; j++)
			if (strcmp(schema_commands[i].word, schema_commands[j].word) == 0)
				unit_fail(__FILE__, __LINE__, "command '%s' is listed twice", schema_commands[i].word);
	}
}
