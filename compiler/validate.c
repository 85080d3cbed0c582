#include "compiler/validate.h"

#include <string.h>

static int check_object(const struct store *s, const struct object *o, struct diags *d)
{
	int errors = 0;
	const struct kind_schema *k = o->kind;
	for (size_t i = 0; i < k->n_props; i++) {
		const struct prop_schema *p = &k->props[i];
		const struct propval *v = &o->props[i];
		if ((p->flags & P_REQUIRED) && !v->set) {
			diag_error(d, o->loc, "%s %s: %s is required (%s)", k->id, o->path, p->name, vtype_describe(p));
			errors++;
		}
		if (p->type != VT_REF || !v->set)
			continue;
		for (size_t n = 0; n < (p->flags & P_LIST ? v->n_items : 1); n++) {
			const char *target = p->flags & P_LIST ? v->items[n].key : v->text;
			struct srcloc loc = p->flags & P_LIST ? v->items[n].loc : v->loc;
			bool found = false;
			for (const char *const *rk = p->ref_kinds; *rk && !found; rk++)
				found = store_get(s, schema_kind(*rk), target) != NULL;
			if (!found) {
				diag_error(d, loc, "%s %s: %s %s does not exist; expected %s", k->id, o->path, p->name,
					   target, vtype_describe(p));
				errors++;
			}
		}
	}
	return errors;
}

struct all_ctx { const struct store *s; struct diags *d; int errors; };

static void check_one(struct object *o, void *arg)
{
	struct all_ctx *c = arg;
	c->errors += check_object(c->s, o, c->d);
}

int validate_all(const struct store *s, struct diags *d)
{
	struct all_ctx c = { s, d, 0 };
	for (size_t k = 0; k < schema_n_kinds; k++)
		store_each(s, &schema_kinds[k], check_one, &c);
	return c.errors;
}

int validate_journal(const struct store *s, const struct journal *j, struct diags *d)
{
	(void)j;
	return validate_all(s, d);
}
