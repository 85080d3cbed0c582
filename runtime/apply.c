/* runtime_apply: read the kernel's state, diff it against the plan, send the operations in
 * batches phase by phase, verify by reading again, and undo everything in reverse on any failure.
 *
 * New links get an ifindex chosen here (above every index in use), so everything that refers to
 * them (a port's master, a VLAN's parent, addresses, routes) can be built before anything is sent,
 * and a new link's alias (which the kernel ignores in a create request) goes in a second message
 * right behind the create, by that index, in the same sendmsg: a kill -9 cannot leave a link of
 * ferry's without its ownership mark, and if the create fails the second message finds no link
 * instead of changing one that is not ferry's. */
#include "runtime/runtime.h"

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include <net/if.h>
#include <linux/if_addr.h>
#include <linux/if_ether.h>
#include <linux/if_link.h>
#include <linux/if_tun.h>
#include <linux/if_tunnel.h>
#include <linux/ip6_tunnel.h>

#include "compiler/util.h"
#include "runtime/diff.h"
#include "runtime/nft.h"
#include "runtime/nl.h"
#include "runtime/state.h"

static const struct srcloc noloc = { NULL, 0, 0 };

struct opstate {
	int err;              /* the first error, a negative errno */
	char *ext;            /* its extended-ACK text */
	unsigned char done;   /* 1: applied, must be undone; 2: perhaps (the socket failed) */
	int ifindex;          /* OP_LINK_ADD: the new link's index */
};

struct msgref {
	size_t op;
	bool primary;         /* the op's first message: it failing means the op did nothing */
};

struct app {
	const struct plan *plan;
	const struct apply_opts *o;
	struct diags *d;
	struct nlsock s;
	struct kstate st;
	struct oplist ops;
	struct opstate *os;
	struct nlbuf b;
	struct msgref *refs;
	size_t cap_refs;
	bool undoing;
	bool stop;
	size_t failed;        /* ops that failed */
	size_t undo_failed;
	size_t reported;
	struct kindex created;   /* OP_LINK_ADD ops by link name */
	bool verify_targeted;
	struct kindex plan_links;   /* the plan's links by name */
	const struct plan *whole;   /* the caller's plan (plan may be a view with fewer routes) */
	uid_t nobody;
	size_t nl_messages;
};

static double now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

/* ---- names and indexes ---- */

struct cctx { const struct app *a; const char *name; };
static bool created_eq(const void *cv, size_t pos)
{
	const struct cctx *c = cv;
	return strcmp(c->a->ops.v[pos].pl->name, c->name) == 0;
}

/* The index NAME has once the apply is done: a new link's chosen one, else the kernel's. */
static int ifindex_of(const struct app *a, const char *name)
{
	struct cctx c = { a, name };
	size_t pos = kindex_find(&a->created, hash_bytes(name, strlen(name), 0), created_eq, &c);
	if (pos != (size_t)-1)
		return a->os[pos].ifindex;
	const struct klink *l = kstate_link(&a->st, name);
	return l ? l->ifindex : 0;
}

/* ---- describing operations ---- */

static const char *op_owner(const struct app *a, const struct op *o)
{
	if (o->pl)
		return o->pl->owner;
	if (o->pa)
		return o->pa->owner;
	if (o->pr)
		return o->pr->owner;
	if (o->kl)
		return klink_owner(o->kl);
	if (o->ka) {
		const struct klink *l = kstate_link_by_index(&a->st, o->ka->ifindex);
		return l ? klink_owner(l) : NULL;
	}
	return NULL;
}

static void fmt_prefix(const struct ipprefix *p, char *buf, size_t n)
{
	char ip[IP_STRLEN];
	ip_format(&p->addr, ip);
	snprintf(buf, n, "%s/%d", ip, p->len);
}

static void op_describe(const struct app *a, const struct op *o, char *buf, size_t n)
{
	char p[IP_STRLEN + 8], gw[IP_STRLEN];
	const char *what = op_name(o);
	switch (o->type) {
	case OP_LINK_ADD:
		snprintf(buf, n, "%s %s (%s)", what, o->pl->name, plan_link_kind(o->pl));
		break;
	case OP_LINK_SET:
		snprintf(buf, n, "%s %s (%s%s%s%s%s%s)", what, o->pl->name, o->what & LS_MTU ? " mtu" : "",
			 o->what & LS_MAC ? " mac" : "", o->what & LS_MASTER ? " master" : "", o->what & LS_UP ? " up" : "",
			 o->what & LS_ALIAS ? " alias" : "", o->what & LS_BRPORT ? " port-flags" : "");
		break;
	case OP_LINK_RELEASE:
	case OP_LINK_DEL:
		snprintf(buf, n, "%s %s", what, o->kl->name);
		break;
	case OP_ADDR_ADD:
		fmt_prefix(&o->pa->prefix, p, sizeof p);
		snprintf(buf, n, "%s %s on %s", what, p, o->pa->dev);
		break;
	case OP_ADDR_DEL: {
		fmt_prefix(&o->ka->prefix, p, sizeof p);
		const struct klink *l = kstate_link_by_index(&a->st, o->ka->ifindex);
		snprintf(buf, n, "%s %s on %s", what, p, l ? l->name : "?");
		break;
	}
	case OP_ROUTE_ADD:
	case OP_ROUTE_REPLACE:
		fmt_prefix(&o->pr->dst, p, sizeof p);
		if (o->pr->has_gw)
			ip_format(&o->pr->gw, gw);
		snprintf(buf, n, "%s %s%s%s%s%s%s", what, p, o->pr->has_gw ? " via " : "", o->pr->has_gw ? gw : "",
			 o->pr->dev[0] ? " dev " : "", o->pr->dev, o->pr->blackhole ? " blackhole" : "");
		break;
	case OP_ROUTE_DEL:
		fmt_prefix(&o->kr->dst, p, sizeof p);
		snprintf(buf, n, "%s %s", what, p);
		break;
	}
}

static void report_error(struct app *a, size_t i, const char *stage)
{
	const struct op *o = &a->ops.v[i];
	const struct opstate *s = &a->os[i];
	char desc[256];
	op_describe(a, o, desc, sizeof desc);
	const char *owner = op_owner(a, o);
	/* The extended ACK's text is the kernel's own words ("Nexthop has invalid gateway"); the
	 * errno's name follows in brackets. */
	size_t n = s->ext ? strlen(s->ext) : 0;
	while (n && s->ext[n - 1] == ' ')
		n--;
	if (s->ext && n)
		diag_error(a->d, noloc, "%s%s%s%s: %.*s (%s)", stage, owner ? owner : "", owner ? ": " : "", desc,
			   (int)n, s->ext, strerror(-s->err));
	else
		diag_error(a->d, noloc, "%s%s%s%s: %s", stage, owner ? owner : "", owner ? ": " : "", desc,
			   strerror(-s->err));
}

/* ---- building messages ---- */

static void ref(struct app *a, size_t op, bool primary)
{
	size_t m = a->b.n_msgs - 1;
	if (m >= a->cap_refs) {
		a->cap_refs = a->cap_refs ? a->cap_refs * 2 : 1024;
		while (a->cap_refs <= m)
			a->cap_refs *= 2;
		a->refs = xrealloc(a->refs, a->cap_refs * sizeof *a->refs);
	}
	a->refs[m].op = op;
	a->refs[m].primary = primary;
}

static size_t link_msg(struct app *a, uint16_t type, uint16_t flags, int ifindex, unsigned ifflags, unsigned change)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC, .ifi_index = ifindex, .ifi_flags = ifflags, .ifi_change = change };
	return nlb_msg(&a->b, type, flags, &ifi, sizeof ifi);
}

static void put_ip(struct nlbuf *b, uint16_t t4, uint16_t t6, const struct ipaddr *ip)
{
	if (ip->family == AF_INET)
		nlb_put(b, t4, ip->a, 4);
	else if (ip->family == AF_INET6)
		nlb_put(b, t6, ip->a, 16);
}

static void put_alias(struct nlbuf *b, const char *owner)
{
	char *alias = xasprintf("%s%s", FERRY_ALIAS_PREFIX, owner ? owner : "");
	nlb_put(b, IFLA_IFALIAS, alias, strlen(alias));
	free(alias);
}

/* IFLA_LINKINFO for creation parameters P: the kind's attributes ferry sets, the rest left to the
 * kernel's defaults. Used to create a plan's link and to put back one this apply deleted. */
static void put_linkinfo(struct app *a, const struct linkparams *p)
{
	struct nlbuf *b = &a->b;
	bool v6 = (p->local.family ? p->local.family : p->remote.family) == AF_INET6;
	size_t li = nlb_nest(b, IFLA_LINKINFO);
	nlb_put_str(b, IFLA_INFO_KIND, p->kind);
	uint8_t tos4 = p->tos < 0 ? 1 : (uint8_t)p->tos;
	uint32_t t6flags = p->tos < 0 ? IP6_TNL_F_USE_ORIG_TCLASS : 0;
	uint32_t flowinfo = p->tos < 0 ? 0 : htonl((uint32_t)p->tos << 20);
	const char *k = p->kind;
	size_t d = 0;
	if (strcmp(k, "bridge") != 0 && strcmp(k, "tun") != 0)
		d = nlb_nest(b, IFLA_INFO_DATA);
	if (strcmp(k, "vlan") == 0) {
		nlb_put_u16(b, IFLA_VLAN_ID, (uint16_t)p->id);
		nlb_put_u16(b, IFLA_VLAN_PROTOCOL, htons(ETH_P_8021Q));
	} else if (strcmp(k, "vxlan") == 0) {
		nlb_put_u32(b, IFLA_VXLAN_ID, p->id);
		put_ip(b, IFLA_VXLAN_LOCAL, IFLA_VXLAN_LOCAL6, &p->local);
		put_ip(b, IFLA_VXLAN_GROUP, IFLA_VXLAN_GROUP6, &p->remote);
		nlb_put_u16(b, IFLA_VXLAN_PORT, htons(p->port));
		nlb_put_u8(b, IFLA_VXLAN_TOS, tos4);
	} else if (strcmp(k, "geneve") == 0) {
		nlb_put_u32(b, IFLA_GENEVE_ID, p->id);
		put_ip(b, IFLA_GENEVE_REMOTE, IFLA_GENEVE_REMOTE6, &p->remote);
		nlb_put_u16(b, IFLA_GENEVE_PORT, htons(p->port));
		nlb_put_u8(b, IFLA_GENEVE_TOS, tos4);
	} else if (strstr(k, "gre")) {
		put_ip(b, IFLA_GRE_LOCAL, IFLA_GRE_LOCAL, &p->local);
		put_ip(b, IFLA_GRE_REMOTE, IFLA_GRE_REMOTE, &p->remote);
		if (p->has_key) {
			nlb_put_u32(b, IFLA_GRE_IKEY, htonl(p->id));
			nlb_put_u32(b, IFLA_GRE_OKEY, htonl(p->id));
			nlb_put_u16(b, IFLA_GRE_IFLAGS, GRE_KEY);
			nlb_put_u16(b, IFLA_GRE_OFLAGS, GRE_KEY);
		}
		if (v6) {
			nlb_put_u32(b, IFLA_GRE_FLAGS, t6flags);
			nlb_put_u32(b, IFLA_GRE_FLOWINFO, flowinfo);
		} else {
			nlb_put_u8(b, IFLA_GRE_TOS, tos4);
		}
	} else if (strcmp(k, "ipip") == 0 || strcmp(k, "ip6tnl") == 0) {
		put_ip(b, IFLA_IPTUN_LOCAL, IFLA_IPTUN_LOCAL, &p->local);
		put_ip(b, IFLA_IPTUN_REMOTE, IFLA_IPTUN_REMOTE, &p->remote);
		if (v6) {
			nlb_put_u8(b, IFLA_IPTUN_PROTO, 0);   /* any: IPv4 and IPv6 inside */
			nlb_put_u32(b, IFLA_IPTUN_FLAGS, t6flags);
			nlb_put_u32(b, IFLA_IPTUN_FLOWINFO, flowinfo);
		} else {
			nlb_put_u8(b, IFLA_IPTUN_TOS, tos4);
		}
	}
	if (d)
		nlb_nest_end(b, d);
	nlb_nest_end(b, li);
}

static void port_flags_msg(struct app *a, size_t op, int ifindex, bool proxy, bool isolated)
{
	size_t m = link_msg(a, RTM_NEWLINK, 0, ifindex, 0, 0);
	size_t li = nlb_nest(&a->b, IFLA_LINKINFO);
	size_t sd = nlb_nest(&a->b, IFLA_INFO_SLAVE_DATA);
	nlb_put_u8(&a->b, IFLA_BRPORT_PROXYARP, proxy);
	nlb_put_u8(&a->b, IFLA_BRPORT_ISOLATED, isolated);
	nlb_nest_end(&a->b, sd);
	nlb_nest_end(&a->b, li);
	nlb_end(&a->b, m);
	ref(a, op, false);
}

struct plctx { const struct plan *p; const char *name; };
static bool plan_link_eq(const void *cv, size_t pos)
{
	const struct plctx *c = cv;
	return strcmp(c->p->links[pos].name, c->name) == 0;
}

static bool master_proxies(const struct app *a, const char *master)
{
	if (!master[0])
		return false;
	struct plctx c = { a->plan, master };
	size_t i = kindex_find(&a->plan_links, hash_bytes(master, strlen(master), 0), plan_link_eq, &c);
	return i != (size_t)-1 && a->plan->links[i].proxy_arp;
}

/* Up, in a message of its own, last. A link is made down and given its alias while down: an alias
 * set on a link that is up is a NETDEV_CHANGE, for which IPv6 walks its whole routing table
 * (rt6_sync_up), and with thousands of links that walk is what the time goes to. */
static void up_msg(struct app *a, size_t op, int ifindex)
{
	nlb_end(&a->b, link_msg(a, RTM_NEWLINK, 0, ifindex, IFF_UP, IFF_UP));
	ref(a, op, false);
}

/* After a create (or a TAP's ioctl): alias, a bridge's mtu (set so the kernel keeps it when ports
 * join), port flags, then up, by the new index. A TAP gets everything here. */
static void created_followup(struct app *a, size_t op)
{
	const struct plan_link *pl = a->ops.v[op].pl;
	int ifindex = a->os[op].ifindex;
	bool tap = pl->kind == PL_TAP;
	size_t m = link_msg(a, RTM_NEWLINK, 0, ifindex, tap ? IFF_UP : 0, tap ? IFF_UP : 0);
	put_alias(&a->b, pl->owner);
	if (pl->mtu && (pl->kind == PL_BRIDGE || tap))
		nlb_put_u32(&a->b, IFLA_MTU, (uint32_t)pl->mtu);
	if (tap && pl->has_mac)
		nlb_put(&a->b, IFLA_ADDRESS, pl->mac, 6);
	if (tap && pl->master[0])
		nlb_put_u32(&a->b, IFLA_MASTER, (uint32_t)ifindex_of(a, pl->master));
	nlb_end(&a->b, m);
	ref(a, op, false);   /* a TAP is applied by its ioctl already */
	if (pl->master[0] && master_proxies(a, pl->master))
		port_flags_msg(a, op, ifindex, true, true);
	if (!tap)
		up_msg(a, op, ifindex);
}

static void build_link_add(struct app *a, size_t op)
{
	const struct plan_link *pl = a->ops.v[op].pl;
	if (pl->kind == PL_TAP) {   /* made by ioctl already */
		created_followup(a, op);
		return;
	}
	size_t m = link_msg(a, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, a->os[op].ifindex, 0, 0);
	nlb_put_str(&a->b, IFLA_IFNAME, pl->name);
	if (pl->mtu && pl->kind != PL_BRIDGE)
		nlb_put_u32(&a->b, IFLA_MTU, (uint32_t)pl->mtu);
	if (pl->has_mac)
		nlb_put(&a->b, IFLA_ADDRESS, pl->mac, 6);
	if (pl->kind == PL_VLAN)
		nlb_put_u32(&a->b, IFLA_LINK, (uint32_t)ifindex_of(a, pl->parent));
	if (pl->master[0])
		nlb_put_u32(&a->b, IFLA_MASTER, (uint32_t)ifindex_of(a, pl->master));
	struct linkparams p;
	plan_linkparams(pl, &p);
	put_linkinfo(a, &p);
	nlb_end(&a->b, m);
	ref(a, op, true);
	created_followup(a, op);
}

static void build_link_set(struct app *a, size_t op)
{
	const struct op *o = &a->ops.v[op];
	const struct plan_link *pl = o->pl;
	bool up = o->what & LS_UP;
	if (o->what & ~LS_BRPORT) {
		size_t m = link_msg(a, RTM_NEWLINK, 0, o->kl->ifindex, up ? IFF_UP : 0, up ? IFF_UP : 0);
		if (o->what & LS_MTU)
			nlb_put_u32(&a->b, IFLA_MTU, (uint32_t)pl->mtu);
		if (o->what & LS_MAC)
			nlb_put(&a->b, IFLA_ADDRESS, pl->mac, 6);
		if (o->what & LS_MASTER)
			nlb_put_u32(&a->b, IFLA_MASTER, pl->master[0] ? (uint32_t)ifindex_of(a, pl->master) : 0);
		if (o->what & LS_ALIAS)
			put_alias(&a->b, pl->owner);
		nlb_end(&a->b, m);
		ref(a, op, true);
	}
	if (o->what & LS_BRPORT) {
		bool p = master_proxies(a, pl->master);
		port_flags_msg(a, op, o->kl->ifindex, p, p);
		if (!(o->what & ~LS_BRPORT))
			a->refs[a->b.n_msgs - 1].primary = true;
	}
}

static void addr_msg(struct app *a, uint16_t type, uint16_t flags, int ifindex, const struct ipprefix *p, bool mark)
{
	int fam = p->addr.family;
	struct ifaddrmsg ifa = { .ifa_family = (uint8_t)fam, .ifa_prefixlen = (uint8_t)p->len, .ifa_index = (uint32_t)ifindex };
	if (mark && fam == AF_INET6)
		ifa.ifa_flags = IFA_F_NODAD;
	size_t m = nlb_msg(&a->b, type, flags, &ifa, sizeof ifa);
	size_t n = fam == AF_INET ? 4 : 16;
	nlb_put(&a->b, IFA_LOCAL, p->addr.a, n);
	nlb_put(&a->b, IFA_ADDRESS, p->addr.a, n);
	if (mark) {
		nlb_put_u8(&a->b, IFA_PROTO, FERRY_RT_PROTO);
		if (fam == AF_INET6)
			nlb_put_u32(&a->b, IFA_FLAGS, IFA_F_NODAD);
	}
	nlb_end(&a->b, m);
}

static void route_msg(struct app *a, uint16_t type, uint16_t flags, const struct plan_route *pr)
{
	int fam = plan_route_family(pr);
	bool del = type == RTM_DELROUTE;
	struct rtmsg rtm = {
		.rtm_family = (uint8_t)fam, .rtm_dst_len = (uint8_t)pr->dst.len, .rtm_table = RT_TABLE_MAIN,
		.rtm_protocol = FERRY_RT_PROTO, .rtm_scope = del ? RT_SCOPE_NOWHERE : plan_route_scope(pr),
		.rtm_type = del ? 0 : plan_route_type(pr),
	};
	size_t m = nlb_msg(&a->b, type, flags, &rtm, sizeof rtm);
	size_t n = fam == AF_INET ? 4 : 16;
	nlb_put(&a->b, RTA_DST, pr->dst.addr.a, n);
	if (fam == AF_INET6)
		nlb_put_u32(&a->b, RTA_PRIORITY, plan_route_priority(pr));
	if (!del) {
		if (pr->has_gw)
			nlb_put(&a->b, RTA_GATEWAY, pr->gw.a, n);
		if (pr->dev[0] && !pr->blackhole)
			nlb_put_u32(&a->b, RTA_OIF, (uint32_t)ifindex_of(a, pr->dev));
		if (pr->mtu > 0) {
			size_t mx = nlb_nest(&a->b, RTA_METRICS);
			nlb_put_u32(&a->b, RTAX_MTU, (uint32_t)pr->mtu);
			nlb_nest_end(&a->b, mx);
		}
	}
	nlb_end(&a->b, m);
}

/* A route from a dump, sent back: flags the kernel reports but refuses in a request cleared. */
static void raw_route_msg(struct app *a, uint16_t type, uint16_t flags, const struct kroute *kr)
{
	size_t m = nlb_copy_msg(&a->b, kr->raw, type, flags);
	struct rtmsg *rtm = NLMSG_DATA(nlb_at(&a->b, m));
	rtm->rtm_flags &= RTNH_F_ONLINK;
}

static void build_forward(struct app *a, size_t op)
{
	const struct op *o = &a->ops.v[op];
	switch (o->type) {
	case OP_LINK_ADD:
		build_link_add(a, op);
		return;
	case OP_LINK_SET:
		build_link_set(a, op);
		return;
	case OP_LINK_RELEASE: {
		size_t m = link_msg(a, RTM_NEWLINK, 0, o->kl->ifindex, 0, 0);
		nlb_put_u32(&a->b, IFLA_MASTER, 0);
		nlb_end(&a->b, m);
		break;
	}
	case OP_LINK_DEL:
		nlb_end(&a->b, link_msg(a, RTM_DELLINK, 0, o->kl->ifindex, 0, 0));
		break;
	case OP_ADDR_ADD:
		addr_msg(a, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, ifindex_of(a, o->pa->dev), &o->pa->prefix, true);
		break;
	case OP_ADDR_DEL:
		addr_msg(a, RTM_DELADDR, 0, o->ka->ifindex, &o->ka->prefix, false);
		break;
	case OP_ROUTE_ADD:
		route_msg(a, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL, o->pr);
		break;
	case OP_ROUTE_REPLACE:
		route_msg(a, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_REPLACE, o->pr);
		break;
	case OP_ROUTE_DEL:
		raw_route_msg(a, RTM_DELROUTE, 0, o->kr);
		break;
	}
	ref(a, op, true);
}

/* Putting back a link this apply deleted: same index, name, kind and the parameters ferry sets
 * (the rest are the kernel's defaults, as when ferry made it: the dump's own IFLA_INFO_DATA does
 * not always go back in, e.g. VXLAN dumps TTL_INHERIT as a u8 but takes it only as a flag), mtu,
 * mac, master, up, alias, port flags. */
static void build_link_restore(struct app *a, size_t op)
{
	const struct klink *kl = a->ops.v[op].kl;
	bool tap = strcmp(kl->p.kind, "tun") == 0;
	if (!tap) {
		size_t m = link_msg(a, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, kl->ifindex, 0, 0);
		nlb_put_str(&a->b, IFLA_IFNAME, kl->name);
		if (kl->mtu)
			nlb_put_u32(&a->b, IFLA_MTU, (uint32_t)kl->mtu);
		if (kl->has_mac)
			nlb_put(&a->b, IFLA_ADDRESS, kl->mac, 6);
		if (kl->link)
			nlb_put_u32(&a->b, IFLA_LINK, (uint32_t)kl->link);
		if (kl->master)
			nlb_put_u32(&a->b, IFLA_MASTER, (uint32_t)kl->master);
		put_linkinfo(a, &kl->p);
		nlb_end(&a->b, m);
		ref(a, op, true);
	}
	size_t m = link_msg(a, RTM_NEWLINK, 0, kl->ifindex, tap ? kl->flags & IFF_UP : 0, tap ? IFF_UP : 0);
	if (kl->alias)
		nlb_put(&a->b, IFLA_IFALIAS, kl->alias, strlen(kl->alias));
	if (tap) {
		if (kl->mtu)
			nlb_put_u32(&a->b, IFLA_MTU, (uint32_t)kl->mtu);
		if (kl->has_mac)
			nlb_put(&a->b, IFLA_ADDRESS, kl->mac, 6);
		if (kl->master)
			nlb_put_u32(&a->b, IFLA_MASTER, (uint32_t)kl->master);
	}
	nlb_end(&a->b, m);
	ref(a, op, tap);
	if (kl->master && (kl->proxy_arp || kl->isolated))
		port_flags_msg(a, op, kl->ifindex, kl->proxy_arp, kl->isolated);
	if (!tap && (kl->flags & IFF_UP))
		up_msg(a, op, kl->ifindex);
}

static void build_undo(struct app *a, size_t op)
{
	const struct op *o = &a->ops.v[op];
	const struct klink *kl = o->kl;
	switch (o->type) {
	case OP_LINK_ADD:
		nlb_end(&a->b, link_msg(a, RTM_DELLINK, 0, a->os[op].ifindex, 0, 0));
		break;
	case OP_LINK_SET: {
		bool up = o->what & LS_UP;
		size_t m = link_msg(a, RTM_NEWLINK, 0, kl->ifindex, 0, up ? IFF_UP : 0);
		if (o->what & LS_MTU)
			nlb_put_u32(&a->b, IFLA_MTU, (uint32_t)kl->mtu);
		if ((o->what & LS_MAC) && kl->has_mac)
			nlb_put(&a->b, IFLA_ADDRESS, kl->mac, 6);
		if (o->what & LS_MASTER)
			nlb_put_u32(&a->b, IFLA_MASTER, (uint32_t)o->old_master);
		if (o->what & LS_ALIAS)
			nlb_put(&a->b, IFLA_IFALIAS, kl->alias, kl->alias ? strlen(kl->alias) : 0);
		nlb_end(&a->b, m);
		ref(a, op, true);
		if (o->old_master && ((o->what & LS_BRPORT) || ((o->what & LS_MASTER) && (kl->proxy_arp || kl->isolated))))
			port_flags_msg(a, op, kl->ifindex, kl->proxy_arp, kl->isolated);
		return;
	}
	case OP_LINK_RELEASE: {
		size_t m = link_msg(a, RTM_NEWLINK, 0, kl->ifindex, 0, 0);
		nlb_put_u32(&a->b, IFLA_MASTER, (uint32_t)kl->master);
		nlb_end(&a->b, m);
		ref(a, op, true);
		if (kl->proxy_arp || kl->isolated)
			port_flags_msg(a, op, kl->ifindex, kl->proxy_arp, kl->isolated);
		return;
	}
	case OP_LINK_DEL:
		build_link_restore(a, op);
		return;
	case OP_ADDR_ADD:
		addr_msg(a, RTM_DELADDR, 0, ifindex_of(a, o->pa->dev), &o->pa->prefix, false);
		break;
	case OP_ADDR_DEL:
		nlb_copy_msg(&a->b, o->ka->raw, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL);
		break;
	case OP_ROUTE_ADD:
		route_msg(a, RTM_DELROUTE, 0, o->pr);
		break;
	case OP_ROUTE_REPLACE:
		raw_route_msg(a, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_REPLACE, o->kr);
		break;
	case OP_ROUTE_DEL:
		raw_route_msg(a, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL, o->kr);
		break;
	}
	ref(a, op, true);
}

/* ---- TAP devices: /dev/net/tun, persistent, owned by nobody ---- */

/* Made up (when UP) while this process still holds the queue: closing it then takes the carrier
 * away at once, so a bridge sees a port without carrier from the start. (A TAP made down and set
 * up later shows carrier for a moment, and a bridge's carrier can stay on after it.) */
static int tap_make(struct app *a, const char *name, int ifindex, uint32_t owner, bool up, int *err)
{
	int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		*err = -errno;
		return -1;
	}
	struct ifreq ifr;
	memset(&ifr, 0, sizeof ifr);
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
	snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "%s", name);
	int r = -1;
	if (ioctl(fd, TUNSETIFINDEX, &ifindex) < 0 || ioctl(fd, TUNSETIFF, &ifr) < 0)
		goto out;
	/* TUNSETIFF attaches to a TAP that exists already: only a new one (our index) is ours. */
	if ((int)if_nametoindex(name) != ifindex) {
		errno = EEXIST;
		goto out;
	}
	if ((owner != (uint32_t)-1 && ioctl(fd, TUNSETOWNER, (unsigned long)owner) < 0) ||
	    ioctl(fd, TUNSETPERSIST, 1UL) < 0)
		goto out;
	if (up) {
		int s = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		struct ifreq f;
		memset(&f, 0, sizeof f);
		snprintf(f.ifr_name, sizeof f.ifr_name, "%s", name);
		int ok = s >= 0 && ioctl(s, SIOCGIFFLAGS, &f) == 0 && (f.ifr_flags |= IFF_UP, ioctl(s, SIOCSIFFLAGS, &f) == 0);
		if (s >= 0)
			close(s);
		if (!ok)
			goto out;
	}
	r = 0;
out:
	if (r < 0)
		*err = -errno;
	close(fd);
	(void)a;
	return r;
}

/* ---- sending ---- */

static bool is_delete(const struct op *o)
{
	return o->type == OP_LINK_DEL || o->type == OP_ADDR_DEL || o->type == OP_ROUTE_DEL;
}

static void on_error(void *ctx, size_t msg, int err, const char *ext)
{
	struct app *a = ctx;
	struct msgref *r = &a->refs[msg];
	struct opstate *s = &a->os[r->op];
	bool gone = err == -ENOENT || err == -ESRCH || err == -ENODEV || err == -EADDRNOTAVAIL;
	if (!a->undoing && r->primary && gone && is_delete(&a->ops.v[r->op])) {
		/* Gone already (someone else removed it): nothing to do, nothing to undo. The
		 * verification afterwards says whether the kernel matches the plan. */
		s->done = 0;
		return;
	}
	if (!s->err) {
		s->err = err;
		s->ext = ext ? xstrdup(ext) : NULL;
		if (a->undoing) {
			/* A perhaps-applied op that turns out not to be there is fine. */
			if (!(s->done == 2 && gone)) {
				a->undo_failed++;
				report_error(a, r->op, "rollback: could not undo ");
			}
		} else {
			a->failed++;
		}
	}
	if (r->primary && !a->undoing)
		s->done = 0;
	if (!a->undoing)
		a->stop = true;
}

/* Sends what is in the buffer. Forward: an op whose first message was sent and not refused is
 * applied. */
static int flush(struct app *a)
{
	if (!a->b.n_msgs)
		return 0;
	size_t n = a->b.n_msgs;
	if (!a->undoing)
		for (size_t m = 0; m < n; m++)
			if (a->refs[m].primary && !a->os[a->refs[m].op].done)
				a->os[a->refs[m].op].done = 3;   /* in flight */
	struct nl_handler h = { on_error, NULL, a, a->undoing ? NULL : &a->stop };
	size_t done, sent;
	int r = nls_batch(&a->s, &a->b, &h, &done, &sent);
	a->nl_messages += r < 0 ? sent : done;
	if (!a->undoing) {
		for (size_t m = 0; m < n; m++) {
			struct opstate *s = &a->os[a->refs[m].op];
			if (!a->refs[m].primary || s->done != 3)
				continue;
			if (m < done)
				s->done = 1;
			else if (r < 0 && m < sent)
				s->done = 2;
			else
				s->done = 0;
		}
	}
	if (r < 0) {
		diag_error(a->d, noloc, "netlink: %s", strerror(errno));
		if (!a->undoing)
			a->stop = true;
		a->failed++;
	}
	nlb_reset(&a->b);
	return r;
}

/* Runs the ops of phases [FROM, TO), phase by phase (one batch each, TAP ioctls between). */
static void run_forward(struct app *a, enum op_phase from, enum op_phase to)
{
	const struct oplist *ops = &a->ops;
	for (size_t i = 0; i < ops->n && !a->stop;) {
		enum op_phase ph = ops->v[i].phase;
		if (ph < from || ph >= to) {
			i++;
			continue;
		}
		for (; i < ops->n && ops->v[i].phase == ph && !a->stop; i++) {
			const struct op *o = &ops->v[i];
			if (o->type == OP_LINK_ADD && o->pl->kind == PL_TAP) {
				if (flush(a) < 0 || a->stop)
					break;
				int err = 0;
				if (tap_make(a, o->pl->name, a->os[i].ifindex, a->nobody, true, &err) < 0) {
					a->os[i].err = err;
					a->failed++;
					a->stop = true;
					break;
				}
				a->os[i].done = 1;
			}
			build_forward(a, i);
		}
		if (!a->stop)
			flush(a);
	}
	nlb_reset(&a->b);
}

struct llctx { struct app *a; size_t op; const struct klink *kl; };

static bool same_addr(const struct kaddr *x, const struct kaddr *y)
{
	return x->prefix.len == y->prefix.len && ip_equal(&x->prefix.addr, &y->prefix.addr);
}

/* A current address of a link put back: the kernel's own ones it made that the link did not
 * have go (the link-local derived from a MAC address it has now, not the one it had when the
 * kernel first made its address). */
static void ll_current(void *ctx, const struct nlmsghdr *h)
{
	struct llctx *c = ctx;
	const struct ifaddrmsg *ifa = NLMSG_DATA(h);
	if (h->nlmsg_type != RTM_NEWADDR || (int)ifa->ifa_index != c->kl->ifindex || ifa->ifa_family != AF_INET6)
		return;
	const struct nlattr *tb[IFA_MAX + 1];
	nla_parse(tb, IFA_MAX, (const char *)ifa + NLMSG_ALIGN(sizeof *ifa),
		  (long)h->nlmsg_len - NLMSG_LENGTH(NLMSG_ALIGN(sizeof *ifa)));
	const struct nlattr *ad = tb[IFA_LOCAL] ? tb[IFA_LOCAL] : tb[IFA_ADDRESS];
	if (!ad || nla_dlen(ad) != 16)
		return;
	struct kaddr k = { .ifindex = c->kl->ifindex, .proto = tb[IFA_PROTO] ? nla_u8(tb[IFA_PROTO]) : 0 };
	k.prefix.addr.family = AF_INET6;
	k.prefix.len = ifa->ifa_prefixlen;
	memcpy(k.prefix.addr.a, nla_data_c(ad), 16);
	if (!kaddr_is_kernels(&k))
		return;
	const struct kstate *st = &c->a->st;
	for (size_t j = 0; j < st->n_lladdrs; j++)
		if (st->lladdrs[j].ifindex == k.ifindex && same_addr(&st->lladdrs[j], &k))
			return;
	addr_msg(c->a, RTM_DELADDR, 0, k.ifindex, &k.prefix, false);
	ref(c->a, c->op, false);
}

/* The kernel's own addresses of a link this apply deleted and put back, as they were. */
static void restore_lladdrs(struct app *a, size_t op)
{
	const struct klink *kl = a->ops.v[op].kl;
	struct llctx c = { a, op, kl };
	struct nlbuf req;
	nlb_init(&req);
	struct ifaddrmsg ifa = { .ifa_family = AF_INET6, .ifa_index = (uint32_t)kl->ifindex };
	nlb_end(&req, nlb_msg(&req, RTM_GETADDR, NLM_F_DUMP, &ifa, sizeof ifa));
	struct nl_arena arena = { 0 };
	int r = nls_dump(&a->s, &req, &arena, ll_current, &c);
	nl_arena_free(&arena);
	nlb_free(&req);
	if (r < 0)
		return;
	for (size_t j = 0; j < a->st.n_lladdrs; j++) {
		const struct kaddr *k = &a->st.lladdrs[j];
		if (k->ifindex != kl->ifindex || k->prefix.addr.family != AF_INET6 || !k->raw)
			continue;
		/* NLM_F_REPLACE: the kernel may have made the same one again by itself. */
		nlb_copy_msg(&a->b, k->raw, RTM_NEWADDR, NLM_F_CREATE | NLM_F_REPLACE);
		ref(a, op, false);
	}
}

static size_t run_undo(struct app *a)
{
	size_t undone = 0;
	a->undoing = true;
	nlb_reset(&a->b);
	for (size_t i = a->ops.n; i-- > 0;) {
		struct opstate *s = &a->os[i];
		if (!s->done)
			continue;
		free(s->ext);
		s->ext = NULL;
		s->err = 0;
		const struct op *o = &a->ops.v[i];
		if (o->type == OP_LINK_DEL && strcmp(o->kl->p.kind, "tun") == 0) {
			flush(a);
			int err = 0;
			if (tap_make(a, o->kl->name, o->kl->ifindex, o->kl->tun_owner, o->kl->flags & IFF_UP, &err) < 0) {
				s->err = err;
				a->undo_failed++;
				report_error(a, i, "rollback: could not undo ");
				continue;
			}
		}
		build_undo(a, i);
		undone++;
	}
	flush(a);
	/* The kernel moves an IPv6 route's MTU with its device's when they were equal, so putting a
	 * device's MTU back may have changed routes this apply never touched: put those back too. */
	for (size_t i = 0; i < a->ops.n; i++) {
		const struct op *o = &a->ops.v[i];
		if (!a->os[i].done || o->type != OP_LINK_SET || !(o->what & LS_MTU))
			continue;
		for (size_t j = 0; j < a->st.n_routes; j++) {
			const struct kroute *kr = &a->st.routes[j];
			if (kr->mtu && kr->oif == o->kl->ifindex && kr->dst.addr.family == AF_INET6) {
				raw_route_msg(a, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_REPLACE, kr);
				ref(a, i, false);
			}
		}
	}
	flush(a);
	for (size_t i = 0; i < a->ops.n; i++)
		if (a->os[i].done && a->ops.v[i].type == OP_LINK_DEL)
			restore_lladdrs(a, i);
	flush(a);
	a->undoing = false;
	return undone;
}

/* ---- the whole ---- */

static void count(const struct oplist *ops, struct apply_report *r)
{
	for (size_t i = 0; i < ops->n; i++) {
		switch (ops->v[i].type) {
		case OP_LINK_ADD: case OP_LINK_SET: case OP_LINK_RELEASE: case OP_LINK_DEL:
			r->link_ops++;
			break;
		case OP_ADDR_ADD: case OP_ADDR_DEL:
			r->addr_ops++;
			break;
		default:
			r->route_ops++;
			break;
		}
	}
}

/* ---- reading only some routes ---- */

/* A set of route prefixes. */
struct keyset {
	struct ipprefix *v;
	size_t n, cap;
	struct kindex ix;
};

static uint64_t pfx_hash(const struct ipprefix *p)
{
	return hash_bytes(p->addr.a, p->addr.family == AF_INET ? 4 : 16, 1000003u * (uint64_t)(p->len + 1) + (uint64_t)p->addr.family);
}

static bool pfx_equal(const struct ipprefix *a, const struct ipprefix *b)
{
	return a->len == b->len && ip_equal(&a->addr, &b->addr);
}

static void ks_add(struct keyset *k, const struct ipprefix *p)
{
	if (k->n == k->cap) {
		k->cap = k->cap ? k->cap * 2 : 64;
		k->v = xrealloc(k->v, k->cap * sizeof *k->v);
	}
	k->v[k->n++] = *p;
}

struct ksctx { const struct keyset *k; const struct ipprefix *p; };
static bool ks_eq(const void *cv, size_t pos)
{
	const struct ksctx *c = cv;
	return pfx_equal(&c->k->v[pos], c->p);
}

static void ks_index(struct keyset *k)
{
	kindex_free(&k->ix);
	kindex_init(&k->ix, k->n);
	for (size_t i = 0; i < k->n; i++)
		kindex_put(&k->ix, pfx_hash(&k->v[i]), i);
}

static bool ks_has(const struct keyset *k, const struct ipprefix *p)
{
	struct ksctx c = { k, p };
	return kindex_find(&k->ix, pfx_hash(p), ks_eq, &c) != (size_t)-1;
}

static void ks_free(struct keyset *k)
{
	free(k->v);
	kindex_free(&k->ix);
	memset(k, 0, sizeof *k);
}

/* PLAN with only the routes whose prefix is in KEYS (a shallow copy: plan_free it not). */
static void plan_view(const struct plan *plan, const struct keyset *keys, struct plan *view)
{
	*view = *plan;
	view->routes = xmalloc((plan->n_routes ? plan->n_routes : 1) * sizeof *view->routes);
	view->n_routes = 0;
	for (size_t i = 0; i < plan->n_routes; i++)
		if (ks_has(keys, &plan->routes[i].dst))
			view->routes[view->n_routes++] = plan->routes[i];
}

/* At most this many routes are read one by one; more, and a dump is cheaper. */
#define TARGETED_MAX 4096

/* Links and addresses, and the routes to KEYS only. 0; 1 when the kernel cannot tell (read all
 * then); -1 on failure. */
static int read_targeted(struct nlsock *s, struct kstate *st, const struct keyset *keys)
{
	if (kstate_read_some(s, st, false) < 0)
		return -1;
	return kstate_get_routes(s, st, keys->v, keys->n);
}

static int verify(struct app *a, bool nft_changed)
{
	struct kstate now;
	kstate_init(&now);
	/* Few route operations: the links and addresses again, and those routes one by one. */
	struct keyset keys = { 0 };
	bool targeted = true;
	for (size_t i = 0; i < a->ops.n && targeted; i++) {
		const struct op *o = &a->ops.v[i];
		if (o->pr)
			ks_add(&keys, &o->pr->dst);
		else if (o->kr)
			ks_add(&keys, &o->kr->dst);
		targeted = keys.n <= TARGETED_MAX;
	}
	int got = -1;
	struct plan view;
	memset(&view, 0, sizeof view);
	if (targeted) {
		ks_index(&keys);
		got = read_targeted(&a->s, &now, &keys);
		if (got == 0)
			plan_view(a->whole, &keys, &view);
	}
	if (got != 0 && kstate_read(&a->s, &now) < 0) {
		diag_error(a->d, noloc, "verify: reading the kernel's state: %s", strerror(errno));
		kstate_free(&now);
		ks_free(&keys);
		return -1;
	}
	a->verify_targeted = got == 0;
	struct diags quiet;
	diag_init(&quiet, NULL);
	struct oplist left;
	int r = diff_compute(&now, got == 0 ? &view : a->whole, &left, &quiet);
	if (r < 0 || left.n) {
		char desc[256] = "a conflict";
		if (left.n) {
			struct app tmp = *a;
			tmp.st = now;
			op_describe(&tmp, &left.v[0], desc, sizeof desc);
		}
		diag_error(a->d, noloc, "verify: after applying, the kernel still differs from the plan (%zu operation%s, the first: %s)",
			   left.n, left.n == 1 ? "" : "s", desc);
		r = -1;
	}
	oplist_free(&left);
	kstate_free(&now);
	ks_free(&keys);
	if (got == 0)
		free(view.routes);
	if (r == 0 && nft_changed) {
		struct nftstate ns;
		nft_read(&ns, a->d);
		if (nft_needs_change(&ns, a->plan->nft_ruleset)) {
			diag_error(a->d, noloc, "verify: table inet ferry is not what the plan says");
			r = -1;
		}
		nftstate_free(&ns);
	}
	return r;
}

/* ---- incremental: only what differs from the plan applied before ---- */

static bool same_route(const struct plan_route *a, const struct plan_route *b)
{
	return pfx_equal(&a->dst, &b->dst) && a->has_gw == b->has_gw && (!a->has_gw || ip_equal(&a->gw, &b->gw)) &&
	       strcmp(a->dev, b->dev) == 0 && a->blackhole == b->blackhole && a->mtu == b->mtu;
}

struct prctx { const struct plan *p; const struct ipprefix *dst; };
static bool prev_eq(const void *cv, size_t pos)
{
	const struct prctx *c = cv;
	return pfx_equal(&c->p->routes[pos].dst, c->dst);
}

/* The prefixes of routes that differ between PREV and PLAN (changed, new, or gone). Returns false
 * when there are too many to read one by one. */
static bool route_changes(const struct plan *prev, const struct plan *plan, struct keyset *keys)
{
	struct kindex ix;
	kindex_init(&ix, prev->n_routes);
	for (size_t i = 0; i < prev->n_routes; i++)
		kindex_put(&ix, pfx_hash(&prev->routes[i].dst), i);
	unsigned char *seen = xcalloc(prev->n_routes ? prev->n_routes : 1, 1);
	bool ok = true;
	for (size_t i = 0; i < plan->n_routes && ok; i++) {
		const struct plan_route *r = &plan->routes[i];
		struct prctx c = { prev, &r->dst };
		size_t j = kindex_find(&ix, pfx_hash(&r->dst), prev_eq, &c);
		if (j != (size_t)-1 && seen[j]) {
			ok = false;   /* the plan has it twice: the full diff says so */
			break;
		}
		if (j != (size_t)-1)
			seen[j] = 1;
		if (j == (size_t)-1 || !same_route(r, &prev->routes[j]))
			ks_add(keys, &r->dst);
		ok = keys->n <= TARGETED_MAX;
	}
	for (size_t j = 0; j < prev->n_routes && ok; j++) {
		if (!seen[j])
			ks_add(keys, &prev->routes[j].dst);
		ok = keys->n <= TARGETED_MAX;
	}
	free(seen);
	kindex_free(&ix);
	return ok;
}

/* Operations that cannot have changed routes nobody read: anything that deletes (a link or an
 * address takes routes with it) or changes an MTU (IPv6 routes follow it) needs them all read. */
static bool safe_without_all_routes(const struct oplist *ops)
{
	for (size_t i = 0; i < ops->n; i++) {
		const struct op *o = &ops->v[i];
		if (o->type == OP_LINK_DEL || o->type == OP_ADDR_DEL || (o->type == OP_LINK_SET && (o->what & LS_MTU)))
			return false;
	}
	return true;
}

int runtime_apply(const struct plan *plan, const struct apply_opts *opts, struct apply_report *rep, struct diags *d)
{
	static const struct apply_opts defaults;
	struct apply_report scratch;
	if (!opts)
		opts = &defaults;
	if (!rep)
		rep = &scratch;
	memset(rep, 0, sizeof *rep);

	struct app a;
	memset(&a, 0, sizeof a);
	a.plan = plan;
	a.whole = plan;
	a.o = opts;
	a.d = d;
	kstate_init(&a.st);
	nlb_init(&a.b);
	struct nftstate nft;
	memset(&nft, 0, sizeof nft);
	int result = -1;
	double t0 = now_ms();

	if (plan->nft_ruleset && !nft_ruleset_ok(plan->nft_ruleset, d))
		return -1;
	if (nls_open(&a.s) < 0) {
		diag_error(d, noloc, "netlink: cannot open a socket: %s", strerror(errno));
		return -1;
	}
	a.s.ack_each = opts->ack_each;
	/* With the plan applied before: links and addresses, and only the routes that differ. */
	struct keyset keys = { 0 };
	struct plan view;
	memset(&view, 0, sizeof view);
	bool incremental = opts->previous && route_changes(opts->previous, plan, &keys);
	double t1 = t0;
	if (incremental) {
		ks_index(&keys);
		int got = read_targeted(&a.s, &a.st, &keys);
		if (got < 0) {
			diag_error(d, noloc, "reading the kernel's state: %s", strerror(errno));
			goto out;
		}
		incremental = got == 0;
		if (incremental) {
			plan_view(plan, &keys, &view);
			a.plan = &view;
			t1 = now_ms();
			struct diags quiet;
			diag_init(&quiet, NULL);
			if (diff_compute(&a.st, &view, &a.ops, &quiet) < 0 || !safe_without_all_routes(&a.ops)) {
				incremental = false;   /* errors are reported by the full diff below */
				oplist_free(&a.ops);
				a.plan = plan;
			}
		}
	}
	if (!incremental) {
		if (kstate_read(&a.s, &a.st) < 0) {
			diag_error(d, noloc, "reading the kernel's state: %s", strerror(errno));
			goto out;
		}
		t1 = now_ms();
		if (diff_compute(&a.st, plan, &a.ops, d) < 0)
			goto out;
	}
	rep->incremental = incremental;
	if (nft_read(&nft, d) < 0)
		goto out;
	rep->read_ms = t1 - t0;
	bool nft_change = nft_needs_change(&nft, plan->nft_ruleset);
	count(&a.ops, rep);
	rep->nft_ops = nft_change;
	rep->ops = a.ops.n + rep->nft_ops;
	double t2 = now_ms();
	rep->diff_ms = t2 - t1;   /* nftables' read included */

	if (opts->verbose) {
		for (size_t i = 0; i < a.ops.n; i++) {
			char desc[256];
			op_describe(&a, &a.ops.v[i], desc, sizeof desc);
			const char *owner = op_owner(&a, &a.ops.v[i]);
			diag_note(d, noloc, "%s%s%s%s", owner ? owner : "", owner ? ": " : "", opts->dry_run ? "would " : "", desc);
		}
		if (nft_change)
			diag_note(d, noloc, "%s%s table inet ferry", opts->dry_run ? "would " : "", plan->nft_ruleset ? "load" : "remove");
	}
	if (opts->dry_run || rep->ops == 0) {
		result = 0;
		goto out;
	}

	/* Indexes for new links, above every one in use. */
	a.os = xcalloc(a.ops.n ? a.ops.n : 1, sizeof *a.os);
	int next = 1;
	for (size_t i = 0; i < a.st.n_links; i++)
		if (a.st.links[i].ifindex >= next)
			next = a.st.links[i].ifindex + 1;
	kindex_init(&a.created, a.ops.n);
	for (size_t i = 0; i < a.ops.n; i++)
		if (a.ops.v[i].type == OP_LINK_ADD) {
			a.os[i].ifindex = next++;
			kindex_put(&a.created, hash_bytes(a.ops.v[i].pl->name, strlen(a.ops.v[i].pl->name), 0), i);
		}
	kindex_init(&a.plan_links, a.plan->n_links);
	for (size_t i = 0; i < a.plan->n_links; i++)
		kindex_put(&a.plan_links, hash_bytes(a.plan->links[i].name, strlen(a.plan->links[i].name), 0), i);
	struct passwd *pw = getpwnam("nobody");
	a.nobody = pw ? pw->pw_uid : 65534;

	/* What adds and changes, then the nftables transaction, then what deletes: a failure in
	 * the first two leaves nothing deleted to put back. */
	run_forward(&a, 0, PH_ROUTE_DEL);
	bool nft_done = false;
	if (!a.failed && nft_change) {
		if (nft_load(plan->nft_ruleset, d) < 0)
			a.failed++;
		else
			nft_done = true;
	}
	if (!a.failed)
		run_forward(&a, PH_ROUTE_DEL, PH_COUNT);
	if (a.failed) {
		for (size_t i = 0; i < a.ops.n && a.reported < 10; i++)
			if (a.os[i].err) {
				report_error(&a, i, "");
				a.reported++;
			}
		if (a.failed > a.reported)
			diag_note(d, noloc, "%zu operation%s failed in all", a.failed, a.failed == 1 ? "" : "s");
	}
	double t3 = now_ms();
	rep->apply_ms = t3 - t2;
	if (!a.failed && verify(&a, nft_done) < 0)
		a.failed++;
	if (!a.failed && opts->fail_verify) {
		diag_error(d, noloc, "verify: failing on purpose (fail_verify)");
		a.failed++;
	}
	rep->verify_ms = now_ms() - t3;
	rep->verify_targeted = a.verify_targeted;

	if (a.failed) {
		if (nft_done && nft_restore(&nft, d) < 0)
			a.undo_failed++;
		rep->undone = run_undo(&a) + nft_done;
		if (a.undo_failed)
			diag_error(d, noloc, "rollback incomplete: %zu operation%s could not be undone", a.undo_failed,
				   a.undo_failed == 1 ? "" : "s");
		else
			diag_note(d, noloc, "rolled back: %zu operation%s undone, the kernel is as it was", rep->undone,
				  rep->undone == 1 ? "" : "s");
		goto out;
	}
	result = 0;
out:
	rep->nl_messages = a.nl_messages;
	if (a.os)
		for (size_t i = 0; i < a.ops.n; i++)
			free(a.os[i].ext);
	free(a.os);
	free(a.refs);
	kindex_free(&a.created);
	kindex_free(&a.plan_links);
	oplist_free(&a.ops);
	nftstate_free(&nft);
	nlb_free(&a.b);
	kstate_free(&a.st);
	nls_close(&a.s);
	ks_free(&keys);
	free(view.routes);
	return result;
}
