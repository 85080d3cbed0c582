/* The diff: from the kernel's state and a plan to the list of operations that make the one into
 * the other, in the order they must run. No I/O: tests call it with states built by hand.
 *
 * The order (phases), chosen so that an apply that fails part-way has destroyed as little as
 * possible, and so that undoing in reverse order works:
 *   PRE_*    only what must go before something new can take its place: routes and addresses on
 *            links that are re-created (kind or immutable parameter changed), ports released from
 *            bridges that are re-created, the links themselves (children and ports first), and an
 *            address whose length changes (the kernel refuses the same IPv6 address twice);
 *   LINKS    level by level (a link comes a level after a new master or parent): first the links
 *            changed in place (mtu, mac, master, up, alias, bridge-port flags: a VLAN's parent must
 *            be up before the VLAN is made), then the new ones;
 *   ADDR_ADD, ROUTE_ADD (interface and blackhole routes before gateway routes; changed routes are
 *            replaced in place, one operation each);
 *   ROUTE_DEL, ADDR_DEL, LINK_RELEASE (links ferry does not own leave ferry's bridges), LINK_DEL
 *            (children and ports first): what the plan no longer has, last (runtime_apply loads
 *            the nftables table just before these). */
#ifndef FERRY_RUNTIME_DIFF_H
#define FERRY_RUNTIME_DIFF_H

#include "compiler/diag.h"
#include "compiler/plan.h"
#include "runtime/state.h"

enum op_phase {
	PH_PRE_ROUTE_DEL, PH_PRE_ADDR_DEL, PH_PRE_LINK_RELEASE, PH_PRE_LINK_DEL,
	PH_LINKS, PH_ADDR_ADD, PH_ROUTE_ADD,
	PH_ROUTE_DEL, PH_ADDR_DEL, PH_LINK_RELEASE, PH_LINK_DEL,
	PH_COUNT
};

enum op_type {
	OP_LINK_ADD,       /* pl: create, with master, mtu, mac, alias, up and port flags */
	OP_LINK_SET,       /* pl, kl: change the LS_* fields in WHAT */
	OP_LINK_RELEASE,   /* kl: nomaster */
	OP_LINK_DEL,       /* kl */
	OP_ADDR_ADD,       /* pa */
	OP_ADDR_DEL,       /* ka */
	OP_ROUTE_ADD,      /* pr */
	OP_ROUTE_REPLACE,  /* pr replaces kr */
	OP_ROUTE_DEL,      /* kr */
};

enum {
	LS_MTU = 1, LS_MAC = 2, LS_MASTER = 4, LS_UP = 8, LS_ALIAS = 16, LS_BRPORT = 32,
};

struct op {
	enum op_type type;
	enum op_phase phase;
	unsigned what;             /* OP_LINK_SET: LS_* */
	int level;                 /* OP_LINK_ADD/SET: 0 first; a new master or parent is lower */
	const struct plan_link *pl;
	const struct klink *kl;
	const struct plan_addr *pa;
	const struct kaddr *ka;
	const struct plan_route *pr;
	const struct kroute *kr;
	int old_master;            /* OP_LINK_SET: the master to go back to (0 after a release) */
};

struct oplist {
	struct op *v;
	size_t n, cap;
};

void oplist_free(struct oplist *l);

/* Fills OUT (ordered by phase) with what turns ST into PLAN. Errors (a plan link named like a
 * foreign interface, a physical interface that does not exist, duplicates, references to nothing)
 * go to D with the plan object's owner path, and return -1 with OUT empty. */
int diff_compute(const struct kstate *st, const struct plan *plan, struct oplist *out, struct diags *d);

/* What a plan link's creation parameters are, in the kernel's terms. */
void plan_linkparams(const struct plan_link *pl, struct linkparams *p);
/* The route's type, scope and priority as the kernel will store them. */
int plan_route_family(const struct plan_route *r);
uint32_t plan_route_priority(const struct plan_route *r);
uint8_t plan_route_type(const struct plan_route *r);
uint8_t plan_route_scope(const struct plan_route *r);
const char *op_name(const struct op *o);   /* "add link", "replace route"... */

#endif
