/* The runtime's diff, without a kernel: kernel states built by hand, plans built in C. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/if.h>
#include <linux/rtnetlink.h>

#include "compiler/util.h"
#include "runtime/diff.h"
#include "runtime/nft.h"
#include "runtime/state.h"
#include "tests/unit/unit.h"

/* ---- building plans and states ---- */

static struct plan_link *plink(struct plan *p, const char *name, enum plan_link_kind kind, const char *owner)
{
	p->links = xrealloc(p->links, (p->n_links + 1) * sizeof *p->links);
	struct plan_link *l = &p->links[p->n_links++];
	memset(l, 0, sizeof *l);
	snprintf(l->name, sizeof l->name, "%s", name);
	l->kind = kind;
	l->owner = xstrdup(owner);
	return l;
}

static struct plan_addr *paddr(struct plan *p, const char *dev, const char *pfx)
{
	p->addrs = xrealloc(p->addrs, (p->n_addrs + 1) * sizeof *p->addrs);
	struct plan_addr *a = &p->addrs[p->n_addrs++];
	memset(a, 0, sizeof *a);
	snprintf(a->dev, sizeof a->dev, "%s", dev);
	ip_parse_prefix(pfx, &a->prefix);
	a->owner = xasprintf("/Common/%s", pfx);
	return a;
}

static struct plan_route *proute(struct plan *p, const char *dst, const char *gw, const char *dev)
{
	p->routes = xrealloc(p->routes, (p->n_routes + 1) * sizeof *p->routes);
	struct plan_route *r = &p->routes[p->n_routes++];
	memset(r, 0, sizeof *r);
	ip_parse_prefix(dst, &r->dst);
	if (gw && strcmp(gw, "blackhole") == 0) {
		r->blackhole = true;
	} else if (gw) {
		ip_parse(gw, &r->gw);
		r->has_gw = true;
	}
	if (dev)
		snprintf(r->dev, sizeof r->dev, "%s", dev);
	r->owner = xasprintf("/Common/r-%s", dst);
	return r;
}

static struct klink *klink(struct kstate *st, int ifindex, const char *name, const char *kind, const char *alias)
{
	struct klink *l = kstate_add_link(st);
	l->ifindex = ifindex;
	snprintf(l->name, sizeof l->name, "%s", name);
	snprintf(l->p.kind, sizeof l->p.kind, "%s", kind);
	l->alias = alias ? xstrdup(alias) : NULL;
	l->flags = IFF_UP;
	l->mtu = 1500;
	return l;
}

static struct kaddr *kaddr(struct kstate *st, int ifindex, const char *pfx)
{
	struct kaddr *a = kstate_add_addr(st);
	a->ifindex = ifindex;
	ip_parse_prefix(pfx, &a->prefix);
	a->proto = FERRY_RT_PROTO;
	return a;
}

static struct kroute *kroute(struct kstate *st, const char *dst, const char *gw, int oif)
{
	struct kroute *r = kstate_add_route(st);
	ip_parse_prefix(dst, &r->dst);
	r->table = RT_TABLE_MAIN;
	r->protocol = FERRY_RT_PROTO;
	r->type = RTN_UNICAST;
	r->priority = r->dst.addr.family == AF_INET6 ? 1024 : 0;
	r->oif = oif;
	if (gw) {
		ip_parse(gw, &r->gw);
		r->has_gw = true;
	} else if (r->dst.addr.family == AF_INET) {
		r->scope = RT_SCOPE_LINK;
	}
	return r;
}

/* The state a plan leaves behind, as the kernel would show it (the tests start from it). */
static void state_of(struct kstate *st, const struct plan *p, const char *phys)
{
	int idx = 1;
	klink(st, idx++, "lo", "", NULL);
	if (phys)
		klink(st, idx++, phys, "veth", NULL);
	kstate_index(st);
	for (size_t i = 0; i < p->n_links; i++) {
		const struct plan_link *pl = &p->links[i];
		if (pl->kind == PL_PHYSICAL)
			continue;
		char *alias = xasprintf("%s%s", FERRY_ALIAS_PREFIX, pl->owner);
		struct klink *l = klink(st, idx++, pl->name, "", alias);
		free(alias);
		plan_linkparams(pl, &l->p);
		if (pl->mtu)
			l->mtu = pl->mtu;
		if (pl->has_mac) {
			l->has_mac = true;
			memcpy(l->mac, pl->mac, 6);
		}
	}
	kstate_index(st);
	/* masters, parents (by index) once every link has one */
	for (size_t i = 0; i < p->n_links; i++) {
		const struct plan_link *pl = &p->links[i];
		struct klink *l = (struct klink *)kstate_link(st, pl->name);
		if (pl->master[0])
			l->master = kstate_link(st, pl->master)->ifindex;
		if (pl->kind == PL_VLAN)
			l->link = kstate_link(st, pl->parent)->ifindex;
	}
	kstate_index(st);
	for (size_t i = 0; i < p->n_addrs; i++) {
		struct kaddr *a = kstate_add_addr(st);
		a->ifindex = kstate_link(st, p->addrs[i].dev)->ifindex;
		a->prefix = p->addrs[i].prefix;
		a->proto = FERRY_RT_PROTO;
	}
	for (size_t i = 0; i < p->n_routes; i++) {
		const struct plan_route *pr = &p->routes[i];
		char buf[IP_STRLEN + 8], gw[IP_STRLEN];
		ip_format(&pr->dst.addr, gw);
		snprintf(buf, sizeof buf, "%s/%d", gw, pr->dst.len);
		if (pr->has_gw)
			ip_format(&pr->gw, gw);
		struct kroute *r = kroute(st, buf, pr->has_gw ? gw : NULL, pr->dev[0] ? kstate_link(st, pr->dev)->ifindex : 2);
		r->type = plan_route_type(pr);
		r->scope = plan_route_scope(pr);
		r->mtu = pr->mtu > 0 ? (uint32_t)pr->mtu : 0;
	}
}

/* A bridge with a VXLAN, a TAP and a physical port; addresses; routes of each kind. */
static void base(struct plan *p)
{
	memset(p, 0, sizeof *p);
	plink(p, "br0", PL_BRIDGE, "/Common/v");
	struct plan_link *vx = plink(p, "vx0", PL_VXLAN, "/Common/vx");
	vx->key = 10;
	ip_parse("10.0.0.1", &vx->local);
	snprintf(vx->master, sizeof vx->master, "br0");
	struct plan_link *t = plink(p, "tap0", PL_TAP, "/Common/eip");
	snprintf(t->master, sizeof t->master, "br0");
	struct plan_link *e = plink(p, "eth1", PL_PHYSICAL, "/Common/v");
	snprintf(e->master, sizeof e->master, "br0");
	paddr(p, "br0", "10.0.0.1/24");
	paddr(p, "br0", "2001:db8::1/64");
	proute(p, "20.0.0.0/24", "10.0.0.254", NULL);
	proute(p, "20.0.1.0/24", NULL, "br0");
	proute(p, "20.0.2.0/24", "blackhole", NULL);
	proute(p, "2001:db8:1::/64", "2001:db8::fe", NULL);
}

static struct diags quiet;
static char *errtext;
static size_t errlen;

static int diff(const struct kstate *st, const struct plan *p, struct oplist *ops)
{
	static FILE *f;
	if (f)
		fclose(f);
	free(errtext);
	errtext = NULL;
	f = open_memstream(&errtext, &errlen);
	diag_init(&quiet, f);
	int r = diff_compute(st, p, ops, &quiet);
	fflush(f);
	return r;
}

/* "create link br0 (bridge); ..." is too long to compare; this gives "LA:br0 LS:eth1[master,up] ...". */
static char *summary(const struct oplist *ops)
{
	struct strbuf sb;
	sb_init(&sb);
	sb_puts(&sb, "");
	for (size_t i = 0; i < ops->n; i++) {
		const struct op *o = &ops->v[i];
		char pfx[IP_STRLEN + 8] = "", ip[IP_STRLEN];
		if (i)
			sb_putc(&sb, ' ');
		switch (o->type) {
		case OP_LINK_ADD: sb_printf(&sb, "LA:%s@%d", o->pl->name, o->level); break;
		case OP_LINK_SET:
			sb_printf(&sb, "LS:%s[%s%s%s%s%s%s]", o->pl->name, o->what & LS_MTU ? "m" : "", o->what & LS_MAC ? "a" : "",
				  o->what & LS_MASTER ? "M" : "", o->what & LS_UP ? "u" : "", o->what & LS_ALIAS ? "A" : "",
				  o->what & LS_BRPORT ? "p" : "");
			break;
		case OP_LINK_RELEASE: sb_printf(&sb, "%sLR:%s", o->phase < PH_LINKS ? "pre-" : "", o->kl->name); break;
		case OP_LINK_DEL: sb_printf(&sb, "%sLD:%s", o->phase < PH_LINKS ? "pre-" : "", o->kl->name); break;
		case OP_ADDR_ADD:
			ip_format(&o->pa->prefix.addr, ip);
			sb_printf(&sb, "AA:%s/%d", ip, o->pa->prefix.len);
			break;
		case OP_ADDR_DEL:
			ip_format(&o->ka->prefix.addr, ip);
			sb_printf(&sb, "%sAD:%s/%d", o->phase < PH_LINKS ? "pre-" : "", ip, o->ka->prefix.len);
			break;
		case OP_ROUTE_ADD:
		case OP_ROUTE_REPLACE:
			ip_format(&o->pr->dst.addr, ip);
			snprintf(pfx, sizeof pfx, "%s/%d", ip, o->pr->dst.len);
			sb_printf(&sb, "%s:%s", o->type == OP_ROUTE_ADD ? "RA" : "RR", pfx);
			break;
		case OP_ROUTE_DEL:
			ip_format(&o->kr->dst.addr, ip);
			sb_printf(&sb, "%sRD:%s/%d", o->phase < PH_LINKS ? "pre-" : "", ip, o->kr->dst.len);
			break;
		}
	}
	return sb_steal(&sb);
}

#define CHECK_OPS(st, p, want)                              \
	do {                                                \
		struct oplist ops_;                         \
		if (CHECK(diff((st), (p), &ops_) == 0)) {    \
			char *s_ = summary(&ops_);          \
			CHECK_STR_EQ(s_, want);             \
			free(s_);                           \
		} else {                                    \
			CHECK_STR_EQ(errtext, "");          \
		}                                           \
		oplist_free(&ops_);                         \
	} while (0)

/* ---- tests ---- */

TEST(diff_empty_state_creates_in_order)
{
	struct kstate st;
	kstate_init(&st);
	klink(&st, 1, "lo", "", NULL);
	klink(&st, 2, "eth1", "veth", NULL)->flags = 0;
	kstate_index(&st);
	struct plan p;
	base(&p);
	/* bridge first, its ports a level later (the physical one changed in place first); interface
	 * and blackhole routes before gateway routes */
	CHECK_OPS(&st, &p, "LA:br0@0 LS:eth1[Mu] LA:vx0@1 LA:tap0@1 AA:10.0.0.1/24 AA:2001:db8::1/64 "
			   "RA:20.0.1.0/24 RA:20.0.2.0/24 RA:20.0.0.0/24 RA:2001:db8:1::/64");
	plan_free(&p);
	kstate_free(&st);
}

TEST(diff_vlan_parent_up_before_the_vlan)
{
	struct kstate st;
	kstate_init(&st);
	klink(&st, 1, "lo", "", NULL);
	klink(&st, 2, "eth3", "veth", NULL)->flags = 0;
	kstate_index(&st);
	struct plan p = { 0 };
	plink(&p, "br0", PL_BRIDGE, "/Common/v");
	struct plan_link *e = plink(&p, "eth3", PL_PHYSICAL, "/Common/v");
	e->mtu = 9000;
	struct plan_link *v = plink(&p, "eth3.7", PL_VLAN, "/Common/v");
	snprintf(v->parent, sizeof v->parent, "eth3");
	v->vlan_id = 7;
	v->mtu = 9000;
	snprintf(v->master, sizeof v->master, "br0");
	CHECK_OPS(&st, &p, "LS:eth3[mu] LA:br0@0 LA:eth3.7@1");
	plan_free(&p);
	kstate_free(&st);
}

TEST(diff_matching_state_is_empty)
{
	struct plan p;
	base(&p);
	struct kstate st;
	kstate_init(&st);
	state_of(&st, &p, "eth1");
	CHECK_OPS(&st, &p, "");
	plan_free(&p);
	kstate_free(&st);
}

TEST(diff_changes_in_place)
{
	struct plan p;
	base(&p);
	struct kstate st;
	kstate_init(&st);
	state_of(&st, &p, "eth1");
	p.links[0].mtu = 9000;
	p.links[1].has_mac = true;
	memcpy(p.links[1].mac, "\x02\0\0\0\0\x01", 6);
	free(p.links[2].owner);
	p.links[2].owner = xstrdup("/Common/eip-renamed");
	((struct klink *)kstate_link(&st, "eth1"))->flags = 0;
	CHECK_OPS(&st, &p, "LS:br0[m] LS:vx0[a] LS:tap0[A] LS:eth1[u]");
	plan_free(&p);
	kstate_free(&st);
}

TEST(diff_route_changes_are_one_operation_each)
{
	struct plan p;
	base(&p);
	struct kstate st;
	kstate_init(&st);
	state_of(&st, &p, "eth1");
	ip_parse("10.0.0.253", &p.routes[0].gw);
	CHECK_OPS(&st, &p, "RR:20.0.0.0/24");
	p.routes[1].mtu = 1400;
	CHECK_OPS(&st, &p, "RR:20.0.1.0/24 RR:20.0.0.0/24");
	/* one route fewer: one deletion */
	struct plan q;
	base(&q);
	free(q.routes[3].owner);
	q.n_routes = 3;
	CHECK_OPS(&st, &q, "RD:2001:db8:1::/64");
	plan_free(&p);
	plan_free(&q);
	kstate_free(&st);
}

TEST(diff_foreign_name_is_an_error)
{
	struct kstate st;
	kstate_init(&st);
	klink(&st, 1, "lo", "", NULL);
	klink(&st, 2, "br0", "bridge", "somebody else's");
	kstate_index(&st);
	struct plan p = { 0 };
	plink(&p, "br0", PL_BRIDGE, "/Common/v");
	struct oplist ops;
	CHECK(diff(&st, &p, &ops) < 0);
	CHECK_INT_EQ(ops.n, 0);
	CHECK(strstr(errtext, "/Common/v: interface br0 already exists and is not ferry's") != NULL);
	oplist_free(&ops);
	plan_free(&p);
	kstate_free(&st);
}

TEST(diff_physical_must_exist_and_not_be_ferrys)
{
	struct kstate st;
	kstate_init(&st);
	klink(&st, 1, "lo", "", NULL);
	klink(&st, 2, "br9", "bridge", "ferry:/Common/old");
	kstate_index(&st);
	struct plan p = { 0 };
	plink(&p, "eth7", PL_PHYSICAL, "/Common/v");
	plink(&p, "br9", PL_PHYSICAL, "/Common/w");
	struct oplist ops;
	CHECK(diff(&st, &p, &ops) < 0);
	CHECK(strstr(errtext, "/Common/v: interface eth7 does not exist") != NULL);
	CHECK(strstr(errtext, "/Common/w: interface br9 is one ferry made") != NULL);
	oplist_free(&ops);
	plan_free(&p);
	kstate_free(&st);
}

TEST(diff_kind_or_parameter_change_recreates)
{
	struct plan p;
	base(&p);
	struct plan_link *v = plink(&p, "br0.5", PL_VLAN, "/Common/v5");
	snprintf(v->parent, sizeof v->parent, "vx0");
	v->vlan_id = 5;
	struct kstate st;
	kstate_init(&st);
	state_of(&st, &p, "eth1");
	/* a new VNI: vx0 goes and comes back; so does the VLAN on it, and vx0's routes and addresses */
	p.links[1].key = 11;
	CHECK_OPS(&st, &p, "pre-LD:br0.5 pre-LD:vx0 LA:vx0@0 LA:br0.5@1");
	/* a VLAN's new id */
	p.links[1].key = 10;
	p.links[4].vlan_id = 6;
	CHECK_OPS(&st, &p, "pre-LD:br0.5 LA:br0.5@0");
	plan_free(&p);
	kstate_free(&st);
}

TEST(diff_recreated_link_takes_its_addresses_and_routes)
{
	struct plan p;
	base(&p);
	struct kstate st;
	kstate_init(&st);
	state_of(&st, &p, "eth1");
	/* A kind change (br0 becomes another bridge... of a new kind here, a VXLAN, and back in a
	 * second bridge): everything on it goes first and comes back; its ports leave it first (so
	 * that undoing puts them back on the old one) and join the new one after it is made. */
	p.links[0].kind = PL_GENEVE;
	p.links[0].key = 99;
	ip_parse("10.9.9.9", &p.links[0].remote);
	p.links[2].master[0] = 0;
	p.links[3].master[0] = 0;
	struct plan_link *b2 = plink(&p, "br2", PL_BRIDGE, "/Common/v2");
	(void)b2;
	snprintf(p.links[1].master, PLAN_IFNAMSIZ, "br2");
	CHECK_OPS(&st, &p, "pre-RD:20.0.1.0/24 pre-AD:10.0.0.1/24 pre-AD:2001:db8::1/64 pre-LR:eth1 pre-LR:vx0 "
			   "pre-LR:tap0 pre-LD:br0 LA:br0@0 LA:br2@0 LS:vx0[M] AA:10.0.0.1/24 AA:2001:db8::1/64 "
			   "RA:20.0.1.0/24");
	plan_free(&p);
	kstate_free(&st);
}

TEST(diff_address_length_change_deletes_first)
{
	struct plan p;
	base(&p);
	struct kstate st;
	kstate_init(&st);
	state_of(&st, &p, "eth1");
	p.addrs[1].prefix.len = 80;
	p.addrs[0].prefix.len = 16;
	CHECK_OPS(&st, &p, "pre-AD:10.0.0.1/24 pre-AD:2001:db8::1/64 AA:10.0.0.1/16 AA:2001:db8::1/80");
	plan_free(&p);
	kstate_free(&st);
}

TEST(diff_removed_objects_go_last_ports_first)
{
	struct plan p;
	base(&p);
	struct kstate st;
	kstate_init(&st);
	state_of(&st, &p, "eth1");
	kaddr(&st, kstate_link(&st, "br0")->ifindex, "10.0.0.2/24");
	kaddr(&st, kstate_link(&st, "br0")->ifindex, "10.0.0.3/24");
	struct plan empty = { 0 };
	/* gateway routes before interface routes; IPv4 addresses newest first (secondaries before
	 * their primary), IPv6 in order; the physical port released; ports before the bridge */
	CHECK_OPS(&st, &empty, "RD:20.0.0.0/24 RD:2001:db8:1::/64 RD:20.0.1.0/24 RD:20.0.2.0/24 "
			       "AD:10.0.0.3/24 AD:10.0.0.2/24 AD:10.0.0.1/24 AD:2001:db8::1/64 LR:eth1 "
			       "LD:vx0 LD:tap0 LD:br0");
	plan_free(&p);
	kstate_free(&st);
}

TEST(diff_master_moves_and_proxy_arp_ports)
{
	struct plan p;
	base(&p);
	struct kstate st;
	kstate_init(&st);
	state_of(&st, &p, "eth1");
	struct plan_link *b = plink(&p, "br1", PL_BRIDGE, "/Common/vg");
	b->proxy_arp = true;
	snprintf(p.links[2].master, PLAN_IFNAMSIZ, "br1");
	CHECK_OPS(&st, &p, "LA:br1@0 LS:tap0[Mp]");
	/* already there, flags right: nothing; flags wrong: just the flags */
	struct klink *t = (struct klink *)kstate_link(&st, "tap0");
	struct klink *br1 = klink(&st, 50, "br1", "bridge", "ferry:/Common/vg");
	t->master = br1->ifindex;
	t->proxy_arp = t->isolated = true;
	kstate_index(&st);
	CHECK_OPS(&st, &p, "");
	t->isolated = false;
	CHECK_OPS(&st, &p, "LS:tap0[p]");
	plan_free(&p);
	kstate_free(&st);
}

TEST(diff_plan_errors)
{
	struct kstate st;
	kstate_init(&st);
	klink(&st, 1, "lo", "", NULL);
	kstate_index(&st);
	struct plan p = { 0 };
	plink(&p, "br0", PL_BRIDGE, "/Common/a");
	plink(&p, "br0", PL_BRIDGE, "/Common/b");
	struct oplist ops;
	CHECK(diff(&st, &p, &ops) < 0);
	CHECK(strstr(errtext, "/Common/b: link br0 appears twice") != NULL);
	plan_free(&p);

	memset(&p, 0, sizeof p);
	plink(&p, "vx0", PL_VXLAN, "/Common/vx")->master[0] = 'x';
	paddr(&p, "nowhere", "10.0.0.1/24");
	proute(&p, "20.0.0.1/24", "10.0.0.254", NULL);
	proute(&p, "20.0.1.0/24", NULL, NULL);
	proute(&p, "20.0.2.0/24", "2001:db8::1", NULL);
	proute(&p, "20.0.3.0/24", "10.0.0.1", NULL);
	proute(&p, "20.0.3.0/24", "10.0.0.2", NULL);
	CHECK(diff(&st, &p, &ops) < 0);
	CHECK(strstr(errtext, "master x of vx0 does not exist") != NULL);
	plan_free(&p);

	memset(&p, 0, sizeof p);
	paddr(&p, "nowhere", "10.0.0.1/24");
	CHECK(diff(&st, &p, &ops) < 0);
	CHECK(strstr(errtext, "address on nowhere, which does not exist") != NULL);
	plan_free(&p);

	memset(&p, 0, sizeof p);
	proute(&p, "20.0.0.1/24", "10.0.0.254", NULL);
	proute(&p, "20.0.1.0/24", NULL, NULL);
	proute(&p, "20.0.2.0/24", "2001:db8::1", NULL);
	proute(&p, "20.0.3.0/24", "10.0.0.1", NULL);
	proute(&p, "20.0.3.0/24", "10.0.0.2", NULL);
	CHECK(diff(&st, &p, &ops) < 0);
	CHECK(strstr(errtext, "20.0.0.1/24 has host bits set") != NULL);
	CHECK(strstr(errtext, "20.0.1.0/24 needs a gateway") != NULL);
	CHECK(strstr(errtext, "20.0.2.0/24 has a gateway of the other address family") != NULL);
	plan_free(&p);

	/* duplicates: among routes the kernel has, and among new ones */
	memset(&p, 0, sizeof p);
	proute(&p, "20.0.3.0/24", "10.0.0.1", NULL);
	proute(&p, "20.0.3.0/24", "10.0.0.2", NULL);
	kroute(&st, "20.0.4.0/24", "10.0.0.1", 1);
	proute(&p, "20.0.4.0/24", "10.0.0.1", NULL);
	proute(&p, "20.0.4.0/24", "10.0.0.1", NULL);
	CHECK(diff(&st, &p, &ops) < 0);
	CHECK(strstr(errtext, "/Common/r-20.0.3.0/24: route 20.0.3.0/24 appears twice") != NULL);
	CHECK(strstr(errtext, "/Common/r-20.0.4.0/24: route 20.0.4.0/24 appears twice") != NULL);
	plan_free(&p);
	kstate_free(&st);
}

TEST(diff_leaves_foreign_and_kernel_objects_alone)
{
	struct kstate st;
	kstate_init(&st);
	klink(&st, 1, "lo", "", NULL);
	klink(&st, 2, "eth0", "veth", NULL);
	klink(&st, 3, "br-other", "bridge", NULL);
	struct klink *port = klink(&st, 4, "eth5", "veth", NULL);
	port->master = 3;
	kstate_index(&st);
	/* the reader only lists ferry's routes and addresses; none here */
	struct plan empty = { 0 };
	CHECK_OPS(&st, &empty, "");
	/* kernel-made addresses are told apart by IFA_PROTO */
	struct kaddr ll = { .proto = 3 };
	CHECK(kaddr_is_kernels(&ll));
	ll.proto = FERRY_RT_PROTO;
	CHECK(!kaddr_is_kernels(&ll));
	kstate_free(&st);
}

TEST(diff_ipv6_route_mtu_follows_device_mtu)
{
	struct plan p;
	base(&p);
	p.routes[3].mtu = 1400;
	proute(&p, "2001:db8:2::/64", NULL, "br0")->mtu = 1400;
	struct kstate st;
	kstate_init(&st);
	state_of(&st, &p, "eth1");
	p.links[0].mtu = 1400;
	/* 2001:db8:1::/64 goes through br0 once resolved (state_of puts oif 2 = eth1 there: not br0) */
	CHECK_OPS(&st, &p, "LS:br0[m] RR:2001:db8:2::/64");
	plan_free(&p);
	kstate_free(&st);
}

TEST(linkparams_for_each_kind)
{
	struct plan_link l;
	memset(&l, 0, sizeof l);
	struct linkparams a;
	l.kind = PL_GRETAP;
	ip_parse("2001:db8::1", &l.local);
	l.tos = -1;
	plan_linkparams(&l, &a);
	CHECK_STR_EQ(a.kind, "ip6gretap");
	CHECK_INT_EQ(a.tos, -1);
	l.kind = PL_IPIP;
	plan_linkparams(&l, &a);
	CHECK_STR_EQ(a.kind, "ip6tnl");
	memset(&l, 0, sizeof l);
	l.kind = PL_GRE;
	l.tos = 5;   /* the low bit means inherit to the kernel */
	plan_linkparams(&l, &a);
	CHECK_STR_EQ(a.kind, "gre");
	CHECK_INT_EQ(a.tos, -1);
	l.kind = PL_VXLAN;
	l.tos = 0;
	plan_linkparams(&l, &a);
	CHECK_INT_EQ(a.port, 4789);
	l.kind = PL_GENEVE;
	plan_linkparams(&l, &a);
	CHECK_INT_EQ(a.port, 6081);
	l.kind = PL_TAP;
	plan_linkparams(&l, &a);
	CHECK_STR_EQ(a.kind, "tun");
	CHECK(a.tap);
}

TEST(nft_ruleset_owns_only_table_inet_ferry)
{
	struct diags d;
	diag_init(&d, NULL);
	CHECK(nft_ruleset_ok("table inet ferry {\n\tchain c { type filter hook input priority 0; }\n}\n", &d));
	CHECK(nft_ruleset_ok("# table ip nat\ntable inet ferry { comment \"table ip x\"; }\n", &d));
	CHECK(!nft_ruleset_ok("table inet ferry { }\ntable ip nat { }\n", &d));
	CHECK(!nft_ruleset_ok("flush ruleset\ntable inet ferry { }\n", &d));
	CHECK(!nft_ruleset_ok("table ip ferry { }\n", &d));
	CHECK(!nft_ruleset_ok("chain inet ferry c { }\n", &d));
	CHECK(!nft_ruleset_ok("delete table inet other\ntable inet ferry { }\n", &d));
}

TEST(nft_needs_change_by_hash)
{
	struct nftstate none = { 0 };
	CHECK(!nft_needs_change(&none, NULL));
	CHECK(nft_needs_change(&none, "table inet ferry { }"));
	struct nftstate has = { .exists = true, .hash = NULL };
	CHECK(nft_needs_change(&has, NULL));
	CHECK(nft_needs_change(&has, "table inet ferry { }"));
}
