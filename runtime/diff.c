#include "runtime/diff.h"

#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/rtnetlink.h>

#include "compiler/util.h"

enum { ST_PHYS, ST_KEEP, ST_CREATE, ST_RECREATE };

struct diffctx {
	const struct kstate *st;
	const struct plan *plan;
	struct diags *d;
	int errors;
	struct kindex plan_by_name;
	int *status;                /* per plan link */
	int *level;                 /* per plan link */
	const struct klink **cur;   /* per plan link: the kernel's link of that name */
	unsigned char *kgone;       /* per kernel link: deleted or re-created by this apply */
	unsigned char *krecreated;  /* per kernel link: re-created (deleted first) */
	unsigned char *kreleased;   /* per kernel link: released from its master in a PRE phase */
	unsigned char *kmtu;        /* per kernel link: its MTU changes in place */
	int *kdepth;
	struct oplist ph[PH_COUNT];
};

static const struct srcloc noloc = { NULL, 0, 0 };

#define ERR(c, owner, ...)                                                               \
	do {                                                                             \
		char *m_ = xasprintf(__VA_ARGS__);                                       \
		diag_error((c)->d, noloc, "%s%s%s", (owner) ? (owner) : "", (owner) ? ": " : "", m_); \
		free(m_);                                                                \
		(c)->errors++;                                                           \
	} while (0)

void oplist_free(struct oplist *l)
{
	free(l->v);
	memset(l, 0, sizeof *l);
}

static struct op *push_to(struct oplist *l, enum op_phase ph, enum op_type t)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 64;
		l->v = xrealloc(l->v, l->cap * sizeof *l->v);
	}
	struct op *o = &l->v[l->n++];
	memset(o, 0, sizeof *o);
	o->type = t;
	o->phase = ph;
	return o;
}

static struct op *push(struct diffctx *c, enum op_phase ph, enum op_type t) { return push_to(&c->ph[ph], ph, t); }

/* ---- what the plan means in the kernel's terms ---- */

/* An IPv4-style tunnel TOS with the low bit set means "inherit" to the kernel. */
static int tos4(int tos) { return tos < 0 || (tos & 1) ? -1 : tos; }

void plan_linkparams(const struct plan_link *pl, struct linkparams *p)
{
	memset(p, 0, sizeof *p);
	snprintf(p->kind, sizeof p->kind, "%s", plan_link_kind(pl));
	bool v6 = plan_tunnel_family(pl) == AF_INET6;
	switch (pl->kind) {
	case PL_PHYSICAL:
	case PL_BRIDGE:
		break;
	case PL_VLAN:
		p->id = (uint32_t)pl->vlan_id;
		snprintf(p->parent, sizeof p->parent, "%s", pl->parent);
		break;
	case PL_VXLAN:
		p->id = pl->key;
		p->local = pl->local;
		p->remote = pl->remote;
		p->port = pl->dstport ? pl->dstport : 4789;
		p->tos = tos4(pl->tos);
		break;
	case PL_GENEVE:
		p->id = pl->key;
		p->remote = pl->remote;
		p->port = pl->dstport ? pl->dstport : 6081;
		p->tos = tos4(pl->tos);
		break;
	case PL_GRE:
	case PL_GRETAP:
		p->local = pl->local;
		p->remote = pl->remote;
		p->has_key = pl->has_key;
		p->id = pl->has_key ? pl->key : 0;
		p->tos = v6 ? (pl->tos < 0 ? -1 : pl->tos & 0xff) : tos4(pl->tos);
		break;
	case PL_IPIP:
		p->local = pl->local;
		p->remote = pl->remote;
		p->tos = v6 ? (pl->tos < 0 ? -1 : pl->tos & 0xff) : tos4(pl->tos);
		break;
	case PL_TAP:
		p->tap = true;
		break;
	}
}

int plan_route_family(const struct plan_route *r) { return r->dst.addr.family; }

uint32_t plan_route_priority(const struct plan_route *r)
{
	return plan_route_family(r) == AF_INET6 ? 1024 : 0;   /* what the kernel gives a route without one */
}

uint8_t plan_route_type(const struct plan_route *r) { return r->blackhole ? RTN_BLACKHOLE : RTN_UNICAST; }

uint8_t plan_route_scope(const struct plan_route *r)
{
	if (plan_route_family(r) == AF_INET && !r->blackhole && !r->has_gw)
		return RT_SCOPE_LINK;
	return RT_SCOPE_UNIVERSE;
}

const char *op_name(const struct op *o)
{
	switch (o->type) {
	case OP_LINK_ADD: return "create link";
	case OP_LINK_SET: return "change link";
	case OP_LINK_RELEASE: return "release link";
	case OP_LINK_DEL: return "delete link";
	case OP_ADDR_ADD: return "add address";
	case OP_ADDR_DEL: return "delete address";
	case OP_ROUTE_ADD: return "add route";
	case OP_ROUTE_REPLACE: return "replace route";
	case OP_ROUTE_DEL: return "delete route";
	}
	return "?";
}

/* ---- indexes ---- */

struct pctx { const struct plan *plan; const char *name; };
static bool plan_name_eq(const void *c, size_t pos)
{
	const struct pctx *p = c;
	return strcmp(p->plan->links[pos].name, p->name) == 0;
}

static int plan_link_index(const struct diffctx *c, const char *name)
{
	struct pctx p = { c->plan, name };
	size_t pos = kindex_find(&c->plan_by_name, hash_bytes(name, strlen(name), 0), plan_name_eq, &p);
	return pos == (size_t)-1 ? -1 : (int)pos;
}

static size_t kpos(const struct diffctx *c, const struct klink *l) { return (size_t)(l - c->st->links); }

static const char *kname(const struct diffctx *c, int ifindex)
{
	const struct klink *l = ifindex ? kstate_link_by_index(c->st, ifindex) : NULL;
	return l ? l->name : "";
}

/* How far down a kernel link sits: 0 for one with no master or lower device, else one more than
 * the deeper of them. Ports and sub-interfaces are deleted before what they hang on. */
static int kdepth(struct diffctx *c, size_t i, int guard)
{
	if (c->kdepth[i] >= 0)
		return c->kdepth[i];
	if (guard > 64)
		return 0;
	const struct klink *l = &c->st->links[i];
	int d = 0;
	int up[2] = { l->master, l->link };
	for (int k = 0; k < 2; k++) {
		const struct klink *u = up[k] ? kstate_link_by_index(c->st, up[k]) : NULL;
		if (u) {
			int du = kdepth(c, kpos(c, u), guard + 1) + 1;
			if (du > d)
				d = du;
		}
	}
	return c->kdepth[i] = d;
}

/* ---- links ---- */

static bool link_exists_after(const struct diffctx *c, const char *name)
{
	if (plan_link_index(c, name) >= 0)
		return true;
	const struct klink *k = kstate_link(c->st, name);
	return k && !c->kgone[kpos(c, k)];
}

static void diff_links(struct diffctx *c)
{
	const struct plan *p = c->plan;
	const struct kstate *st = c->st;

	for (size_t i = 0; i < p->n_links; i++) {
		const struct plan_link *pl = &p->links[i];
		const char *owner = pl->owner;
		if (!pl->name[0] || strlen(pl->name) >= IFNAMSIZ) {
			ERR(c, owner, "link name '%s' is not a valid interface name", pl->name);
			continue;
		}
		if ((size_t)plan_link_index(c, pl->name) != i) {
			ERR(c, owner, "link %s appears twice in the plan", pl->name);
			continue;
		}
		if (pl->kind == PL_VLAN && (!pl->parent[0] || pl->vlan_id < 1 || pl->vlan_id > 4094))
			ERR(c, owner, "VLAN %s needs a parent and an id from 1 to 4094", pl->name);
		const struct klink *kl = kstate_link(st, pl->name);
		c->cur[i] = kl;
		if (pl->kind == PL_PHYSICAL) {
			if (!kl)
				ERR(c, owner, "interface %s does not exist", pl->name);
			else if (klink_is_ferry(kl))
				ERR(c, owner, "interface %s is one ferry made (%s), not a physical interface", pl->name, kl->alias);
			c->status[i] = ST_PHYS;
			continue;
		}
		if (kl && !klink_is_ferry(kl)) {
			ERR(c, owner, "interface %s already exists and is not ferry's (no \"%s\" alias): not taking it over",
			    pl->name, FERRY_ALIAS_PREFIX);
			continue;
		}
		if (!kl) {
			c->status[i] = ST_CREATE;
			continue;
		}
		struct linkparams want;
		plan_linkparams(pl, &want);
		c->status[i] = linkparams_equal(&want, &kl->p) ? ST_KEEP : ST_RECREATE;
	}
	if (c->errors)
		return;

	/* A VLAN whose parent is made again goes with it; then levels: a link is made or changed a
	 * level after a new master or parent, at the same level as a changed one (changes come first
	 * within a level). The plan lists parents first, but nothing here relies on it. */
	bool changed = true;
	for (size_t pass = 0; changed && pass <= p->n_links + 1; pass++) {
		changed = false;
		for (size_t i = 0; i < p->n_links; i++) {
			const struct plan_link *pl = &p->links[i];
			const char *ups[2] = { pl->master, pl->kind == PL_VLAN ? pl->parent : "" };
			for (int k = 0; k < 2; k++) {
				int u = ups[k][0] ? plan_link_index(c, ups[k]) : -1;
				if (u < 0 || (size_t)u == i)
					continue;
				bool unew = c->status[u] == ST_CREATE || c->status[u] == ST_RECREATE;
				if (k == 1 && unew && c->status[i] == ST_KEEP) {
					c->status[i] = ST_RECREATE;
					changed = true;
				}
				/* After a new master or parent; not before a changed one (its up and mtu
				 * come first at the same level: a VLAN needs its parent up). */
				int want = c->level[u] + (unew ? 1 : 0);
				if (c->level[i] < want) {
					c->level[i] = want;
					changed = true;
				}
			}
		}
		if (changed && pass == p->n_links + 1)
			ERR(c, NULL, "the plan's links depend on each other in a circle (master/parent)");
	}

	/* What goes: ferry's links the plan does not have, and those made again. */
	for (size_t k = 0; k < st->n_links; k++) {
		const struct klink *kl = &st->links[k];
		if (!klink_is_ferry(kl))
			continue;
		int i = plan_link_index(c, kl->name);
		if (i < 0 || c->status[i] == ST_RECREATE)
			c->kgone[k] = 1;
		if (i >= 0 && c->status[i] == ST_RECREATE)
			c->krecreated[k] = 1;
	}

	for (size_t i = 0; i < p->n_links; i++) {
		const struct plan_link *pl = &p->links[i];
		if (pl->master[0] && (strcmp(pl->master, pl->name) == 0 || !link_exists_after(c, pl->master)))
			ERR(c, pl->owner, "master %s of %s does not exist", pl->master, pl->name);
		if (pl->kind == PL_VLAN && pl->parent[0] && !link_exists_after(c, pl->parent))
			ERR(c, pl->owner, "parent %s of VLAN %s does not exist", pl->parent, pl->name);
	}
	if (c->errors)
		return;

	/* Links ferry does not own, on a bridge that goes or is made again: released first (from one
	 * made again: before it goes, so that undoing puts them back on it). */
	for (size_t k = 0; k < st->n_links; k++) {
		const struct klink *kl = &st->links[k];
		if (c->kgone[k] || !kl->master)
			continue;
		const struct klink *m = kstate_link_by_index(st, kl->master);
		if (!m)
			continue;
		size_t mk = kpos(c, m);
		int i = plan_link_index(c, kl->name);
		bool in_plan = i >= 0;
		if (c->krecreated[mk]) {
			push(c, PH_PRE_LINK_RELEASE, OP_LINK_RELEASE)->kl = kl;
			c->kreleased[k] = 1;
		} else if (!in_plan && (c->kgone[mk] || klink_is_ferry(m))) {
			/* Not in the plan, on ferry's bridge: enslaved by ferry once, released now. */
			push(c, PH_LINK_RELEASE, OP_LINK_RELEASE)->kl = kl;
		}
	}

	/* Deletions, ports and sub-interfaces first. */
	c->kdepth = xmalloc(st->n_links * sizeof *c->kdepth);
	for (size_t k = 0; k < st->n_links; k++)
		c->kdepth[k] = -1;
	int maxd = 0;
	for (size_t k = 0; k < st->n_links; k++)
		if (c->kgone[k] && kdepth(c, k, 0) > maxd)
			maxd = kdepth(c, k, 0);
	for (int dpt = maxd; dpt >= 0; dpt--)
		for (size_t k = 0; k < st->n_links; k++)
			if (c->kgone[k] && c->kdepth[k] == dpt)
				push(c, c->krecreated[k] ? PH_PRE_LINK_DEL : PH_LINK_DEL, OP_LINK_DEL)->kl = &st->links[k];

	/* Changes in place. */
	struct oplist sets = { 0 };
	for (size_t i = 0; i < p->n_links; i++) {
		if (c->status[i] != ST_KEEP && c->status[i] != ST_PHYS)
			continue;
		const struct plan_link *pl = &p->links[i];
		const struct klink *kl = c->cur[i];
		unsigned what = 0;
		if (pl->mtu && kl->mtu != pl->mtu) {
			what |= LS_MTU;
			c->kmtu[kpos(c, kl)] = 1;
		}
		if (pl->has_mac && (!kl->has_mac || memcmp(kl->mac, pl->mac, 6) != 0))
			what |= LS_MAC;
		int old_master = kl->master;
		const char *cur_master = kname(c, kl->master);
		if (c->kreleased[kpos(c, kl)]) {
			cur_master = "";
			old_master = 0;
		}
		if (strcmp(cur_master, pl->master) != 0)
			what |= LS_MASTER;
		if (!(kl->flags & IFF_UP))
			what |= LS_UP;
		if (pl->kind != PL_PHYSICAL) {
			const char *owner = klink_owner(kl);
			if (!owner || strcmp(owner, pl->owner ? pl->owner : "") != 0)
				what |= LS_ALIAS;
		}
		int m = pl->master[0] ? plan_link_index(c, pl->master) : -1;
		bool proxy = m >= 0 && p->links[m].proxy_arp;
		if (pl->master[0]) {
			if (what & LS_MASTER) {
				if (proxy)
					what |= LS_BRPORT;
			} else if (kl->proxy_arp != proxy || kl->isolated != proxy) {
				what |= LS_BRPORT;
			}
		}
		if (what) {
			struct op *o = push_to(&sets, PH_LINKS, OP_LINK_SET);
			o->pl = pl;
			o->kl = kl;
			o->what = what;
			o->old_master = old_master;
			o->level = c->level[i];
		}
	}

	/* Level by level: changes in place, then creations; plan order within each. */
	int maxl = 0;
	for (size_t i = 0; i < p->n_links; i++)
		if (c->level[i] > maxl)
			maxl = c->level[i];
	for (int lv = 0; lv <= maxl; lv++) {
		for (size_t k = 0; k < sets.n; k++)
			if (sets.v[k].level == lv)
				*push(c, PH_LINKS, OP_LINK_SET) = sets.v[k];
		for (size_t i = 0; i < p->n_links; i++)
			if ((c->status[i] == ST_CREATE || c->status[i] == ST_RECREATE) && c->level[i] == lv) {
				struct op *o = push(c, PH_LINKS, OP_LINK_ADD);
				o->pl = &p->links[i];
				o->level = lv;
			}
	}
	oplist_free(&sets);
}

/* ---- addresses ---- */

struct akey {
	const char *dev;
	int family;
	const uint8_t *a;
	int len;   /* -1: any length */
};

static uint64_t akey_hash(const struct akey *k)
{
	uint64_t h = hash_bytes(k->dev, strlen(k->dev), 0);
	h = hash_bytes(&k->family, sizeof k->family, h);
	h = hash_bytes(k->a, k->family == AF_INET ? 4 : 16, h);
	if (k->len >= 0)
		h = hash_bytes(&k->len, sizeof k->len, h);
	return h;
}

struct actx { const struct diffctx *c; struct akey k; };
static bool kaddr_eq(const void *cv, size_t pos)
{
	const struct actx *x = cv;
	const struct kaddr *ka = &x->c->st->addrs[pos];
	return ka->prefix.addr.family == x->k.family && (x->k.len < 0 || ka->prefix.len == x->k.len) &&
	       memcmp(ka->prefix.addr.a, x->k.a, x->k.family == AF_INET ? 4 : 16) == 0 &&
	       strcmp(kname(x->c, ka->ifindex), x->k.dev) == 0;
}

struct pactx { const struct plan *p; const struct plan_addr *a; };
static bool plan_addr_eq(const void *cv, size_t pos)
{
	const struct pactx *x = cv;
	const struct plan_addr *q = &x->p->addrs[pos];
	return strcmp(q->dev, x->a->dev) == 0 && q->prefix.len == x->a->prefix.len && ip_equal(&q->prefix.addr, &x->a->prefix.addr);
}

struct fctx { const struct actx *x; const unsigned char *fate; };
static bool kaddr_eq_going(const void *cv, size_t pos)
{
	const struct fctx *f = cv;
	return f->fate[pos] == 0 && kaddr_eq(f->x, pos);
}

static void diff_addrs(struct diffctx *c)
{
	const struct kstate *st = c->st;
	const struct plan *p = c->plan;
	struct kindex exact, anylen;
	kindex_init(&exact, st->n_addrs);
	kindex_init(&anylen, st->n_addrs);
	for (size_t j = 0; j < st->n_addrs; j++) {
		const struct kaddr *ka = &st->addrs[j];
		struct akey k = { kname(c, ka->ifindex), ka->prefix.addr.family, ka->prefix.addr.a, ka->prefix.len };
		kindex_put(&exact, akey_hash(&k), j);
		k.len = -1;
		kindex_put(&anylen, akey_hash(&k), j);
	}
	/* 0: goes (unless matched), 1: kept, 2: goes before the adds */
	unsigned char *fate = xcalloc(st->n_addrs ? st->n_addrs : 1, 1);
	for (size_t j = 0; j < st->n_addrs; j++) {
		const struct klink *l = kstate_link_by_index(st, st->addrs[j].ifindex);
		if (l && c->krecreated[kpos(c, l)])
			fate[j] = 2;
	}
	struct kindex seen;
	kindex_init(&seen, p->n_addrs);
	for (size_t i = 0; i < p->n_addrs; i++) {
		const struct plan_addr *pa = &p->addrs[i];
		int fam = pa->prefix.addr.family;
		if ((fam != AF_INET && fam != AF_INET6) || pa->prefix.len < 0 || pa->prefix.len > ip_bits(fam)) {
			ERR(c, pa->owner, "address on %s is not a valid IPv4 or IPv6 prefix", pa->dev);
			continue;
		}
		int pli = plan_link_index(c, pa->dev);
		const struct klink *dev = kstate_link(st, pa->dev);
		if (pli < 0 && (!dev || c->kgone[kpos(c, dev)])) {
			ERR(c, pa->owner, "address on %s, which does not exist", pa->dev);
			continue;
		}
		struct akey k = { pa->dev, fam, pa->prefix.addr.a, pa->prefix.len };
		uint64_t h = akey_hash(&k);
		/* duplicates in the plan */
		struct pactx pc = { p, pa };
		if (kindex_find(&seen, h, plan_addr_eq, &pc) != (size_t)-1) {
			char buf[IP_STRLEN];
			ip_format(&pa->prefix.addr, buf);
			ERR(c, pa->owner, "address %s/%d on %s appears twice in the plan", buf, pa->prefix.len, pa->dev);
			continue;
		}
		kindex_put(&seen, h, i);
		struct actx x = { c, k };
		size_t j = kindex_find(&exact, h, kaddr_eq, &x);
		if (j != (size_t)-1 && fate[j] != 2) {
			fate[j] = 1;
			continue;
		}
		/* The same address with another length: it goes first (IPv6 refuses it twice on a link). */
		x.k.len = -1;
		struct fctx fx = { &x, fate };
		size_t jj;
		while ((jj = kindex_find(&anylen, akey_hash(&x.k), kaddr_eq_going, &fx)) != (size_t)-1)
			fate[jj] = 2;
		push(c, PH_ADDR_ADD, OP_ADDR_ADD)->pa = pa;
	}
	/* IPv4 in reverse (secondaries before their primary), IPv6 in order: undone in reverse, each
	 * family's list comes back in the order it had. */
	for (int pass = 0; pass < 2; pass++) {
		for (size_t n = 0; n < st->n_addrs; n++) {
			size_t j = pass == 0 ? st->n_addrs - 1 - n : n;
			const struct kaddr *ka = &st->addrs[j];
			if ((pass == 0) != (ka->prefix.addr.family == AF_INET) || fate[j] == 1)
				continue;
			push(c, fate[j] == 2 ? PH_PRE_ADDR_DEL : PH_ADDR_DEL, OP_ADDR_DEL)->ka = ka;
		}
	}
	free(fate);
	kindex_free(&seen);
	kindex_free(&exact);
	kindex_free(&anylen);
}

/* ---- routes ---- */

struct rkey {
	int family;
	const uint8_t *dst;
	int len;
	uint32_t table, priority;
};

/* Word at a time (kindex mixes the result): this runs for every route, twice. */
static uint64_t rkey_hash(const struct rkey *k)
{
	uint64_t w[2] = { 0, 0 };
	memcpy(w, k->dst, k->family == AF_INET ? 4 : 16);
	uint64_t h = w[0] * 0x9e3779b97f4a7c15ULL ^ w[1];
	h = h * 0x9e3779b97f4a7c15ULL ^ ((uint64_t)k->len << 40 | (uint64_t)k->family << 32 | k->priority);
	return h * 0x9e3779b97f4a7c15ULL ^ k->table;
}

struct rctx { const struct kstate *st; struct rkey k; };
static bool kroute_eq(const void *cv, size_t pos)
{
	const struct rctx *x = cv;
	const struct kroute *r = &x->st->routes[pos];
	return r->dst.addr.family == x->k.family && r->dst.len == x->k.len && r->table == x->k.table &&
	       r->priority == x->k.priority && r->tos == 0 &&
	       memcmp(r->dst.addr.a, x->k.dst, x->k.family == AF_INET ? 4 : 16) == 0;
}

static bool route_matches(const struct diffctx *c, const struct plan_route *pr, const struct kroute *kr)
{
	if (kr->multipath || kr->type != plan_route_type(pr) || kr->has_gw != pr->has_gw)
		return false;
	if (pr->has_gw && !ip_equal(&kr->gw, &pr->gw))
		return false;
	if (plan_route_family(pr) == AF_INET && kr->scope != plan_route_scope(pr))
		return false;
	if (!pr->blackhole && pr->dev[0] && strcmp(kname(c, kr->oif), pr->dev) != 0)
		return false;
	return kr->mtu == (uint32_t)(pr->mtu > 0 ? pr->mtu : 0);
}


static bool route_valid(struct diffctx *c, const struct plan_route *pr)
{
	int fam = plan_route_family(pr);
	if ((fam != AF_INET && fam != AF_INET6) || pr->dst.len < 0 || pr->dst.len > ip_bits(fam)) {
		ERR(c, pr->owner, "route destination is not a valid IPv4 or IPv6 prefix");
		return false;
	}
	const char *why = NULL;
	if (prefix_has_host_bits(&pr->dst))
		why = "has host bits set";
	else if ((pr->blackhole && (pr->has_gw || pr->dev[0])) || (!pr->blackhole && !pr->has_gw && !pr->dev[0]))
		why = "needs a gateway, an interface (or both), or blackhole";
	else if (pr->has_gw && pr->gw.family != fam)
		why = "has a gateway of the other address family";
	const struct klink *dev = NULL;
	if (!why && pr->dev[0] && plan_link_index(c, pr->dev) < 0 &&
	    (!(dev = kstate_link(c->st, pr->dev)) || c->kgone[kpos(c, dev)]))
		why = "goes through an interface that does not exist:";
	if (!why)
		return true;
	char buf[IP_STRLEN];
	ip_format(&pr->dst.addr, buf);
	ERR(c, pr->owner, "route %s/%d %s%s%s", buf, pr->dst.len, why, why[strlen(why) - 1] == ':' ? " " : "",
	    why[strlen(why) - 1] == ':' ? pr->dev : "");
	return false;
}

struct pkctx { const struct plan *p; const struct plan_route *r; };
static bool plan_route_eq(const void *cv, size_t pos)
{
	const struct pkctx *x = cv;
	const struct plan_route *q = &x->p->routes[pos];
	return q->dst.addr.family == x->r->dst.addr.family && q->dst.len == x->r->dst.len &&
	       ip_equal(&q->dst.addr, &x->r->dst.addr);
}

static size_t gcd(size_t a, size_t b)
{
	while (b) {
		size_t t = a % b;
		a = b;
		b = t;
	}
	return a;
}

/* Routes that do not depend on each other go in scattered over the address space (a golden-ratio
 * stride) rather than in order: the kernel's LC-trie then resizes its nodes far less, and 100,000
 * routes go in about 1.5 times faster than sorted. */
static void scatter(struct op *v, size_t n)
{
	if (n < 64)
		return;
	size_t step = (size_t)((double)n * 0.6180339887) | 1;
	while (gcd(step, n) != 1)
		step += 2;
	struct op *tmp = xmalloc(n * sizeof *tmp);
	for (size_t k = 0, i = 0; k < n; k++, i = (i + step) % n)
		tmp[k] = v[i];
	memcpy(v, tmp, n * sizeof *tmp);
	free(tmp);
}

static void diff_routes(struct diffctx *c)
{
	const struct kstate *st = c->st;
	const struct plan *p = c->plan;
	for (size_t i = 0; i < p->n_routes; i++)
		route_valid(c, &p->routes[i]);
	if (c->errors)
		return;

	bool any_recreated = false;
	for (size_t k = 0; k < st->n_links; k++)
		any_recreated |= c->krecreated[k];
	struct kindex ix;
	kindex_init(&ix, st->n_routes);
	/* 0: goes (unless matched), 1: kept or replaced, 2: on a link made again, goes first,
	 * 3: that, and a plan route has it */
	unsigned char *fate = xcalloc(st->n_routes ? st->n_routes : 1, 1);
	for (size_t j = 0; j < st->n_routes; j++) {
		const struct kroute *kr = &st->routes[j];
		struct rkey k = { kr->dst.addr.family, kr->dst.addr.a, kr->dst.len, kr->table, kr->priority };
		kindex_put(&ix, rkey_hash(&k), j);
		if (any_recreated) {
			const struct klink *l = kr->oif ? kstate_link_by_index(st, kr->oif) : NULL;
			if (l && c->krecreated[kpos(c, l)])
				fate[j] = 2;
		}
	}
	/* Each plan route to its kernel route; a kernel route two plan routes claim is a duplicate,
	 * and so are two plan routes the kernel has neither of (a second index, over those only). */
	size_t *match = xmalloc((p->n_routes ? p->n_routes : 1) * sizeof *match);
	size_t unmatched = 0;
	for (size_t i = 0; i < p->n_routes; i++) {
		const struct plan_route *pr = &p->routes[i];
		struct rctx x = { st, { plan_route_family(pr), pr->dst.addr.a, pr->dst.len, RT_TABLE_MAIN,
					plan_route_priority(pr) } };
		size_t j = kindex_find(&ix, rkey_hash(&x.k), kroute_eq, &x);
		match[i] = j;
		if (j == (size_t)-1) {
			unmatched++;
		} else if (fate[j] == 1 || fate[j] == 3) {
			char buf[IP_STRLEN];
			ip_format(&pr->dst.addr, buf);
			ERR(c, pr->owner, "route %s/%d appears twice in the plan", buf, pr->dst.len);
		} else {
			fate[j] = fate[j] == 2 ? 3 : 1;
		}
	}
	if (unmatched > 1) {
		struct kindex pix;
		kindex_init(&pix, unmatched);
		for (size_t i = 0; i < p->n_routes; i++) {
			if (match[i] != (size_t)-1)
				continue;
			const struct plan_route *pr = &p->routes[i];
			struct rkey k = { pr->dst.addr.family, pr->dst.addr.a, pr->dst.len, 0, 0 };
			uint64_t h = rkey_hash(&k);
			struct pkctx x = { p, pr };
			if (kindex_find(&pix, h, plan_route_eq, &x) != (size_t)-1) {
				char buf[IP_STRLEN];
				ip_format(&pr->dst.addr, buf);
				ERR(c, pr->owner, "route %s/%d appears twice in the plan", buf, pr->dst.len);
				continue;
			}
			kindex_put(&pix, h, i);
		}
		kindex_free(&pix);
	}
	if (c->errors) {
		free(match);
		free(fate);
		kindex_free(&ix);
		return;
	}
	/* Interface and blackhole routes go in before gateway routes, which may need them. */
	struct oplist gw = { 0 };
	for (size_t i = 0; i < p->n_routes; i++) {
		const struct plan_route *pr = &p->routes[i];
		size_t j = match[i];
		struct oplist *l = pr->has_gw ? &gw : &c->ph[PH_ROUTE_ADD];
		if (j != (size_t)-1 && fate[j] == 1) {
			/* An IPv6 route's MTU follows its device's MTU in the kernel when they were equal:
			 * through a device whose MTU changes, it is set again after. */
			const struct kroute *kr = &st->routes[j];
			const struct klink *ol = kr->mtu && kr->dst.addr.family == AF_INET6 && kr->oif ?
						 kstate_link_by_index(st, kr->oif) : NULL;
			bool mtu_follows = ol && c->kmtu[kpos(c, ol)];
			if (route_matches(c, pr, kr) && !mtu_follows)
				continue;
			struct op *o = push_to(l, PH_ROUTE_ADD, OP_ROUTE_REPLACE);
			o->kr = kr;
			o->pr = pr;
		} else {
			push_to(l, PH_ROUTE_ADD, OP_ROUTE_ADD)->pr = pr;
		}
	}
	scatter(c->ph[PH_ROUTE_ADD].v, c->ph[PH_ROUTE_ADD].n);
	scatter(gw.v, gw.n);
	for (size_t i = 0; i < gw.n; i++)
		*push(c, PH_ROUTE_ADD, gw.v[i].type) = gw.v[i];
	oplist_free(&gw);
	/* Deletions: gateway routes before interface routes. */
	for (int pass = 0; pass < 2; pass++) {
		size_t from = c->ph[PH_ROUTE_DEL].n;
		for (size_t j = 0; j < st->n_routes; j++) {
			const struct kroute *kr = &st->routes[j];
			if (fate[j] == 1 || kr->has_gw != (pass == 0))
				continue;
			push(c, fate[j] >= 2 ? PH_PRE_ROUTE_DEL : PH_ROUTE_DEL, OP_ROUTE_DEL)->kr = kr;
		}
		scatter(c->ph[PH_ROUTE_DEL].v + from, c->ph[PH_ROUTE_DEL].n - from);
	}
	free(match);
	free(fate);
	kindex_free(&ix);
}

int diff_compute(const struct kstate *st, const struct plan *plan, struct oplist *out, struct diags *d)
{
	struct diffctx c;
	memset(&c, 0, sizeof c);
	c.st = st;
	c.plan = plan;
	c.d = d;
	memset(out, 0, sizeof *out);
	size_t nl = plan->n_links ? plan->n_links : 1, nk = st->n_links ? st->n_links : 1;
	c.status = xcalloc(nl, sizeof *c.status);
	c.level = xcalloc(nl, sizeof *c.level);
	c.cur = xcalloc(nl, sizeof *c.cur);
	c.kgone = xcalloc(nk, 1);
	c.krecreated = xcalloc(nk, 1);
	c.kreleased = xcalloc(nk, 1);
	c.kmtu = xcalloc(nk, 1);
	kindex_init(&c.plan_by_name, plan->n_links);
	for (size_t i = 0; i < plan->n_links; i++)
		if (plan_link_index(&c, plan->links[i].name) < 0)
			kindex_put(&c.plan_by_name, hash_bytes(plan->links[i].name, strlen(plan->links[i].name), 0), i);

	diff_links(&c);
	if (!c.errors)
		diff_addrs(&c);
	if (!c.errors)
		diff_routes(&c);

	if (!c.errors) {
		size_t n = 0;
		for (int ph = 0; ph < PH_COUNT; ph++)
			n += c.ph[ph].n;
		out->v = xmalloc((n ? n : 1) * sizeof *out->v);
		out->cap = n;
		for (int ph = 0; ph < PH_COUNT; ph++) {
			if (c.ph[ph].n)
				memcpy(out->v + out->n, c.ph[ph].v, c.ph[ph].n * sizeof *out->v);
			out->n += c.ph[ph].n;
		}
	}
	for (int ph = 0; ph < PH_COUNT; ph++)
		oplist_free(&c.ph[ph]);
	free(c.status);
	free(c.level);
	free(c.cur);
	free(c.kgone);
	free(c.krecreated);
	free(c.kreleased);
	free(c.kmtu);
	free(c.kdepth);
	kindex_free(&c.plan_by_name);
	return c.errors ? -1 : 0;
}
