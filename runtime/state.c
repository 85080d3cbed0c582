#include "runtime/state.h"

#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/if_addr.h>
#include <linux/if_arp.h>
#include <linux/if_link.h>
#include <linux/if_tun.h>
#include <linux/if_tunnel.h>
#include <linux/ip6_tunnel.h>

#include "compiler/util.h"

/* ---- hashing ---- */

uint64_t hash_bytes(const void *p, size_t n, uint64_t h)
{
	const unsigned char *s = p;
	if (!h)
		h = 1469598103934665603ULL;
	for (size_t i = 0; i < n; i++) {
		h ^= s[i];
		h *= 1099511628211ULL;
	}
	return h;
}

/* FNV's low bits are poor for keys that differ in a byte or two: mixed before use. */
static uint64_t mix(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	return h ^ (h >> 33);
}

void kindex_init(struct kindex *ix, size_t n)
{
	size_t cap = 16;
	while (cap < n * 2 + 2)
		cap *= 2;
	ix->slots = xcalloc(cap, sizeof *ix->slots);
	ix->mask = cap - 1;
}

void kindex_free(struct kindex *ix)
{
	free(ix->slots);
	ix->slots = NULL;
	ix->mask = 0;
}

void kindex_put(struct kindex *ix, uint64_t h, size_t pos)
{
	h = mix(h);
	size_t i = h & ix->mask;
	while (ix->slots[i].pos)
		i = (i + 1) & ix->mask;
	ix->slots[i].pos = (uint32_t)pos + 1;
	ix->slots[i].tag = (uint32_t)(h >> 32);
}

size_t kindex_find(const struct kindex *ix, uint64_t h, bool (*eq)(const void *ctx, size_t pos), const void *ctx)
{
	if (!ix->slots)
		return (size_t)-1;
	h = mix(h);
	uint32_t tag = (uint32_t)(h >> 32);
	for (size_t i = h & ix->mask; ix->slots[i].pos; i = (i + 1) & ix->mask)
		if (ix->slots[i].tag == tag && eq(ctx, ix->slots[i].pos - 1))
			return ix->slots[i].pos - 1;
	return (size_t)-1;
}

/* ---- the state ---- */

bool linkparams_equal(const struct linkparams *a, const struct linkparams *b)
{
	return strcmp(a->kind, b->kind) == 0 && a->id == b->id && a->has_key == b->has_key &&
	       a->local.family == b->local.family && (!a->local.family || ip_equal(&a->local, &b->local)) &&
	       a->remote.family == b->remote.family && (!a->remote.family || ip_equal(&a->remote, &b->remote)) &&
	       a->port == b->port && a->tos == b->tos && a->tap == b->tap && strcmp(a->parent, b->parent) == 0;
}

void kstate_init(struct kstate *st) { memset(st, 0, sizeof *st); }

void kstate_free(struct kstate *st)
{
	for (size_t i = 0; i < st->n_links; i++)
		free(st->links[i].alias);
	free(st->links);
	free(st->addrs);
	free(st->lladdrs);
	free(st->routes);
	kindex_free(&st->by_name);
	kindex_free(&st->by_index);
	nl_arena_free(&st->arena);
	memset(st, 0, sizeof *st);
}

#define GROW(arr, n, cap)                                              \
	do {                                                           \
		if ((n) == (cap)) {                                    \
			(cap) = (cap) ? (cap) * 2 : 64;                \
			(arr) = xrealloc((arr), (cap) * sizeof *(arr)); \
		}                                                      \
	} while (0)

struct klink *kstate_add_link(struct kstate *st)
{
	GROW(st->links, st->n_links, st->cap_links);
	struct klink *l = &st->links[st->n_links++];
	memset(l, 0, sizeof *l);
	l->p.tos = 0;
	l->tun_owner = (uint32_t)-1;
	return l;
}

struct kaddr *kstate_add_addr(struct kstate *st)
{
	GROW(st->addrs, st->n_addrs, st->cap_addrs);
	struct kaddr *a = &st->addrs[st->n_addrs++];
	memset(a, 0, sizeof *a);
	return a;
}

struct kroute *kstate_add_route(struct kstate *st)
{
	GROW(st->routes, st->n_routes, st->cap_routes);
	struct kroute *r = &st->routes[st->n_routes++];
	memset(r, 0, sizeof *r);
	return r;
}

static uint64_t name_hash(const char *name) { return hash_bytes(name, strlen(name), 0); }
static uint64_t index_hash(int ifindex) { return hash_bytes(&ifindex, sizeof ifindex, 0); }

struct name_ctx { const struct kstate *st; const char *name; int ifindex; };
static bool name_eq(const void *c, size_t pos)
{
	const struct name_ctx *n = c;
	return strcmp(n->st->links[pos].name, n->name) == 0;
}
static bool index_eq(const void *c, size_t pos)
{
	const struct name_ctx *n = c;
	return n->st->links[pos].ifindex == n->ifindex;
}

void kstate_index(struct kstate *st)
{
	kindex_free(&st->by_name);
	kindex_free(&st->by_index);
	kindex_init(&st->by_name, st->n_links);
	kindex_init(&st->by_index, st->n_links);
	for (size_t i = 0; i < st->n_links; i++) {
		kindex_put(&st->by_name, name_hash(st->links[i].name), i);
		kindex_put(&st->by_index, index_hash(st->links[i].ifindex), i);
	}
	/* A vlan's parent by name, now that names are known. */
	for (size_t i = 0; i < st->n_links; i++) {
		struct klink *l = &st->links[i];
		if (strcmp(l->p.kind, "vlan") == 0 && l->link) {
			const struct klink *p = kstate_link_by_index(st, l->link);
			snprintf(l->p.parent, sizeof l->p.parent, "%s", p ? p->name : "?");
		}
	}
}

const struct klink *kstate_link(const struct kstate *st, const char *name)
{
	struct name_ctx c = { st, name, 0 };
	size_t pos = kindex_find(&st->by_name, name_hash(name), name_eq, &c);
	return pos == (size_t)-1 ? NULL : &st->links[pos];
}

const struct klink *kstate_link_by_index(const struct kstate *st, int ifindex)
{
	struct name_ctx c = { st, NULL, ifindex };
	size_t pos = kindex_find(&st->by_index, index_hash(ifindex), index_eq, &c);
	return pos == (size_t)-1 ? NULL : &st->links[pos];
}

bool klink_is_ferry(const struct klink *l)
{
	return l->alias && strncmp(l->alias, FERRY_ALIAS_PREFIX, strlen(FERRY_ALIAS_PREFIX)) == 0;
}

const char *klink_owner(const struct klink *l)
{
	return klink_is_ferry(l) ? l->alias + strlen(FERRY_ALIAS_PREFIX) : NULL;
}

bool kaddr_is_kernels(const struct kaddr *a)
{
	return a->proto == IFAPROT_KERNEL_LO || a->proto == IFAPROT_KERNEL_RA || a->proto == IFAPROT_KERNEL_LL;
}

/* ---- parsing dumps ---- */

static void get_ip(struct ipaddr *ip, const struct nlattr *a)
{
	memset(ip, 0, sizeof *ip);
	if (!a)
		return;
	int n = nla_dlen(a);
	if (n == 4) {
		ip->family = AF_INET;
		memcpy(ip->a, nla_data_c(a), 4);
	} else if (n == 16) {
		ip->family = AF_INET6;
		memcpy(ip->a, nla_data_c(a), 16);
	}
	/* "any" is no address: a tunnel without a local or remote end dumps zeros. */
	static const uint8_t zero[16];
	if (ip->family && memcmp(ip->a, zero, n) == 0)
		ip->family = 0;
}

static void tos_from_v4(struct linkparams *p, uint8_t tos) { p->tos = (tos & 1) ? -1 : tos; }

static void tos_from_v6(struct linkparams *p, uint32_t flags, uint32_t flowinfo_be)
{
	if (flags & IP6_TNL_F_USE_ORIG_TCLASS)
		p->tos = -1;
	else
		p->tos = (ntohl(flowinfo_be) >> 20) & 0xff;
}

static void parse_info_data(struct klink *l, const struct nlattr *data)
{
	struct linkparams *p = &l->p;
	const char *k = p->kind;
	const void *start = nla_data_c(data);
	long len = nla_dlen(data);
	if (strcmp(k, "vlan") == 0) {
		const struct nlattr *tb[IFLA_VLAN_MAX + 1];
		nla_parse(tb, IFLA_VLAN_MAX, start, len);
		if (tb[IFLA_VLAN_ID])
			p->id = nla_u16(tb[IFLA_VLAN_ID]);
		/* 802.1ad would differ from what ferry makes: a different kind as far as the diff goes. */
		if (tb[IFLA_VLAN_PROTOCOL] && nla_u16(tb[IFLA_VLAN_PROTOCOL]) != htons(ETH_P_8021Q))
			snprintf(p->kind, sizeof p->kind, "vlan-802.1ad");
	} else if (strcmp(k, "vxlan") == 0) {
		const struct nlattr *tb[IFLA_VXLAN_MAX + 1];
		nla_parse(tb, IFLA_VXLAN_MAX, start, len);
		if (tb[IFLA_VXLAN_ID])
			p->id = nla_u32(tb[IFLA_VXLAN_ID]);
		get_ip(&p->local, tb[IFLA_VXLAN_LOCAL] ? tb[IFLA_VXLAN_LOCAL] : tb[IFLA_VXLAN_LOCAL6]);
		get_ip(&p->remote, tb[IFLA_VXLAN_GROUP] ? tb[IFLA_VXLAN_GROUP] : tb[IFLA_VXLAN_GROUP6]);
		if (tb[IFLA_VXLAN_PORT])
			p->port = ntohs(nla_u16(tb[IFLA_VXLAN_PORT]));
		if (tb[IFLA_VXLAN_TOS])
			tos_from_v4(p, nla_u8(tb[IFLA_VXLAN_TOS]));
	} else if (strcmp(k, "geneve") == 0) {
		const struct nlattr *tb[IFLA_GENEVE_MAX + 1];
		nla_parse(tb, IFLA_GENEVE_MAX, start, len);
		if (tb[IFLA_GENEVE_ID])
			p->id = nla_u32(tb[IFLA_GENEVE_ID]);
		get_ip(&p->remote, tb[IFLA_GENEVE_REMOTE] ? tb[IFLA_GENEVE_REMOTE] : tb[IFLA_GENEVE_REMOTE6]);
		if (tb[IFLA_GENEVE_PORT])
			p->port = ntohs(nla_u16(tb[IFLA_GENEVE_PORT]));
		if (tb[IFLA_GENEVE_TOS])
			tos_from_v4(p, nla_u8(tb[IFLA_GENEVE_TOS]));
	} else if (strcmp(k, "gre") == 0 || strcmp(k, "gretap") == 0 || strcmp(k, "ip6gre") == 0 ||
		   strcmp(k, "ip6gretap") == 0) {
		const struct nlattr *tb[IFLA_GRE_MAX + 1];
		nla_parse(tb, IFLA_GRE_MAX, start, len);
		get_ip(&p->local, tb[IFLA_GRE_LOCAL]);
		get_ip(&p->remote, tb[IFLA_GRE_REMOTE]);
		if (tb[IFLA_GRE_IFLAGS] && (nla_u16(tb[IFLA_GRE_IFLAGS]) & GRE_KEY)) {
			p->has_key = true;
			p->id = ntohl(tb[IFLA_GRE_IKEY] ? nla_u32(tb[IFLA_GRE_IKEY]) : 0);
		}
		if (k[0] == 'i')
			tos_from_v6(p, tb[IFLA_GRE_FLAGS] ? nla_u32(tb[IFLA_GRE_FLAGS]) : 0,
				    tb[IFLA_GRE_FLOWINFO] ? nla_u32(tb[IFLA_GRE_FLOWINFO]) : 0);
		else if (tb[IFLA_GRE_TOS])
			tos_from_v4(p, nla_u8(tb[IFLA_GRE_TOS]));
	} else if (strcmp(k, "ipip") == 0 || strcmp(k, "ip6tnl") == 0) {
		const struct nlattr *tb[IFLA_IPTUN_MAX + 1];
		nla_parse(tb, IFLA_IPTUN_MAX, start, len);
		get_ip(&p->local, tb[IFLA_IPTUN_LOCAL]);
		get_ip(&p->remote, tb[IFLA_IPTUN_REMOTE]);
		if (k[2] == '6')
			tos_from_v6(p, tb[IFLA_IPTUN_FLAGS] ? nla_u32(tb[IFLA_IPTUN_FLAGS]) : 0,
				    tb[IFLA_IPTUN_FLOWINFO] ? nla_u32(tb[IFLA_IPTUN_FLOWINFO]) : 0);
		else if (tb[IFLA_IPTUN_TOS])
			tos_from_v4(p, nla_u8(tb[IFLA_IPTUN_TOS]));
	} else if (strcmp(k, "tun") == 0) {
		const struct nlattr *tb[IFLA_TUN_MAX + 1];
		nla_parse(tb, IFLA_TUN_MAX, start, len);
		p->tap = tb[IFLA_TUN_TYPE] && nla_u8(tb[IFLA_TUN_TYPE]) == IFF_TAP;
		if (tb[IFLA_TUN_OWNER])
			l->tun_owner = nla_u32(tb[IFLA_TUN_OWNER]);
	}
}

static void parse_link(void *ctx, const struct nlmsghdr *h)
{
	struct kstate *st = ctx;
	if (h->nlmsg_type != RTM_NEWLINK || h->nlmsg_len < NLMSG_LENGTH(sizeof(struct ifinfomsg)))
		return;
	const struct ifinfomsg *ifi = NLMSG_DATA(h);
	const struct nlattr *tb[IFLA_MAX + 1];
	nla_parse(tb, IFLA_MAX, (const char *)ifi + NLMSG_ALIGN(sizeof *ifi),
		  (long)h->nlmsg_len - NLMSG_LENGTH(NLMSG_ALIGN(sizeof *ifi)));
	if (!tb[IFLA_IFNAME])
		return;
	struct klink *l = kstate_add_link(st);
	l->raw = h;
	l->ifindex = ifi->ifi_index;
	l->flags = ifi->ifi_flags;
	snprintf(l->name, sizeof l->name, "%.*s", nla_dlen(tb[IFLA_IFNAME]), (const char *)nla_data_c(tb[IFLA_IFNAME]));
	if (tb[IFLA_MTU])
		l->mtu = (int)nla_u32(tb[IFLA_MTU]);
	if (tb[IFLA_MASTER])
		l->master = (int)nla_u32(tb[IFLA_MASTER]);
	if (tb[IFLA_LINK] && (int)nla_u32(tb[IFLA_LINK]) != ifi->ifi_index)
		l->link = (int)nla_u32(tb[IFLA_LINK]);
	if (tb[IFLA_ADDRESS] && nla_dlen(tb[IFLA_ADDRESS]) == 6 && ifi->ifi_type == ARPHRD_ETHER) {
		l->has_mac = true;
		memcpy(l->mac, nla_data_c(tb[IFLA_ADDRESS]), 6);
	}
	if (tb[IFLA_IFALIAS] && nla_dlen(tb[IFLA_IFALIAS]) > 0)
		l->alias = xstrndup(nla_data_c(tb[IFLA_IFALIAS]), nla_dlen(tb[IFLA_IFALIAS]));
	if (tb[IFLA_LINKINFO]) {
		const struct nlattr *li[IFLA_INFO_MAX + 1];
		nla_parse(li, IFLA_INFO_MAX, nla_data_c(tb[IFLA_LINKINFO]), nla_dlen(tb[IFLA_LINKINFO]));
		if (li[IFLA_INFO_KIND])
			snprintf(l->p.kind, sizeof l->p.kind, "%.*s", nla_dlen(li[IFLA_INFO_KIND]),
				 (const char *)nla_data_c(li[IFLA_INFO_KIND]));
		if (li[IFLA_INFO_DATA]) {
			l->info_data = li[IFLA_INFO_DATA];
			parse_info_data(l, li[IFLA_INFO_DATA]);
		}
		if (li[IFLA_INFO_SLAVE_KIND])
			snprintf(l->slave_kind, sizeof l->slave_kind, "%.*s", nla_dlen(li[IFLA_INFO_SLAVE_KIND]),
				 (const char *)nla_data_c(li[IFLA_INFO_SLAVE_KIND]));
		if (li[IFLA_INFO_SLAVE_DATA] && strcmp(l->slave_kind, "bridge") == 0) {
			const struct nlattr *bp[IFLA_BRPORT_MAX + 1];
			nla_parse(bp, IFLA_BRPORT_MAX, nla_data_c(li[IFLA_INFO_SLAVE_DATA]),
				  nla_dlen(li[IFLA_INFO_SLAVE_DATA]));
			l->proxy_arp = bp[IFLA_BRPORT_PROXYARP] && nla_u8(bp[IFLA_BRPORT_PROXYARP]);
			l->isolated = bp[IFLA_BRPORT_ISOLATED] && nla_u8(bp[IFLA_BRPORT_ISOLATED]);
		}
	}
}

struct addr_ctx { struct kstate *st; struct kaddr *all; size_t n, cap; };

static void parse_addr(void *ctx, const struct nlmsghdr *h)
{
	struct addr_ctx *c = ctx;
	if (h->nlmsg_type != RTM_NEWADDR || h->nlmsg_len < NLMSG_LENGTH(sizeof(struct ifaddrmsg)))
		return;
	const struct ifaddrmsg *ifa = NLMSG_DATA(h);
	if (ifa->ifa_family != AF_INET && ifa->ifa_family != AF_INET6)
		return;
	const struct nlattr *tb[IFA_MAX + 1];
	nla_parse(tb, IFA_MAX, (const char *)ifa + NLMSG_ALIGN(sizeof *ifa),
		  (long)h->nlmsg_len - NLMSG_LENGTH(NLMSG_ALIGN(sizeof *ifa)));
	const struct nlattr *a = tb[IFA_LOCAL] ? tb[IFA_LOCAL] : tb[IFA_ADDRESS];
	if (!a)
		return;
	GROW(c->all, c->n, c->cap);
	struct kaddr *k = &c->all[c->n++];
	memset(k, 0, sizeof *k);
	k->raw = h;
	k->ifindex = (int)ifa->ifa_index;
	k->prefix.len = ifa->ifa_prefixlen;
	k->prefix.addr.family = ifa->ifa_family;
	memcpy(k->prefix.addr.a, nla_data_c(a), ifa->ifa_family == AF_INET ? 4 : 16);
	k->flags = tb[IFA_FLAGS] ? nla_u32(tb[IFA_FLAGS]) : ifa->ifa_flags;
	k->proto = tb[IFA_PROTO] ? nla_u8(tb[IFA_PROTO]) : 0;
}

struct route_ctx { struct kstate *st; int family; };

static void parse_route(void *ctx, const struct nlmsghdr *h)
{
	struct route_ctx *c = ctx;
	if (h->nlmsg_type != RTM_NEWROUTE || h->nlmsg_len < NLMSG_LENGTH(sizeof(struct rtmsg)))
		return;
	const struct rtmsg *rtm = NLMSG_DATA(h);
	/* Strict checking filters by protocol in the kernel; older kernels send everything. A family
	 * without its own handler (IPv6 not loaded) may answer with every family: keep the asked one. */
	if (rtm->rtm_protocol != FERRY_RT_PROTO || rtm->rtm_family != c->family || (rtm->rtm_flags & RTM_F_CLONED))
		return;
	const struct nlattr *tb[RTA_MAX + 1];
	nla_parse(tb, RTA_MAX, (const char *)rtm + NLMSG_ALIGN(sizeof *rtm),
		  (long)h->nlmsg_len - NLMSG_LENGTH(NLMSG_ALIGN(sizeof *rtm)));
	struct kroute *r = kstate_add_route(c->st);
	r->raw = h;
	r->dst.addr.family = rtm->rtm_family;
	r->dst.len = rtm->rtm_dst_len;
	if (tb[RTA_DST])
		memcpy(r->dst.addr.a, nla_data_c(tb[RTA_DST]), rtm->rtm_family == AF_INET ? 4 : 16);
	r->table = tb[RTA_TABLE] ? nla_u32(tb[RTA_TABLE]) : rtm->rtm_table;
	r->priority = tb[RTA_PRIORITY] ? nla_u32(tb[RTA_PRIORITY]) : 0;
	r->tos = rtm->rtm_tos;
	r->type = rtm->rtm_type;
	r->protocol = rtm->rtm_protocol;
	r->scope = rtm->rtm_scope;
	if (tb[RTA_GATEWAY]) {
		r->has_gw = true;
		get_ip(&r->gw, tb[RTA_GATEWAY]);
		r->gw.family = rtm->rtm_family;
	}
	if (tb[RTA_OIF])
		r->oif = (int)nla_u32(tb[RTA_OIF]);
	r->multipath = tb[RTA_MULTIPATH] != NULL;
	if (tb[RTA_METRICS]) {
		NLA_FOR(m, nla_data_c(tb[RTA_METRICS]), nla_dlen(tb[RTA_METRICS]))
			if (nla_kind(m) == RTAX_MTU)
				r->mtu = nla_u32(m);
	}
}

static int dump(struct nlsock *s, struct kstate *st, uint16_t type, const void *hdr, size_t hdrlen,
		uint32_t ext_mask, void (*fn)(void *, const struct nlmsghdr *), void *ctx)
{
	struct nlbuf b;
	nlb_init(&b);
	size_t off = nlb_msg(&b, type, NLM_F_DUMP, hdr, hdrlen);
	if (ext_mask)
		nlb_put_u32(&b, IFLA_EXT_MASK, ext_mask);
	nlb_end(&b, off);
	int r = nls_dump(s, &b, &st->arena, fn, ctx);
	nlb_free(&b);
	return r;
}

static int read_once(struct nlsock *s, struct kstate *st, bool routes)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC };
	if (dump(s, st, RTM_GETLINK, &ifi, sizeof ifi, RTEXT_FILTER_SKIP_STATS, parse_link, st) < 0)
		return -1;
	kstate_index(st);

	struct addr_ctx ac = { st, NULL, 0, 0 };
	struct ifaddrmsg ifa = { .ifa_family = AF_UNSPEC };
	if (dump(s, st, RTM_GETADDR, &ifa, sizeof ifa, 0, parse_addr, &ac) < 0) {
		free(ac.all);
		return -1;
	}
	for (size_t i = 0; i < ac.n; i++) {
		const struct kaddr *a = &ac.all[i];
		const struct klink *l = kstate_link_by_index(st, a->ifindex);
		bool ours = a->proto == FERRY_RT_PROTO || (l && klink_is_ferry(l) && !kaddr_is_kernels(a));
		if (ours) {
			*kstate_add_addr(st) = *a;
		} else if (l && klink_is_ferry(l)) {
			GROW(st->lladdrs, st->n_lladdrs, st->cap_lladdrs);
			st->lladdrs[st->n_lladdrs++] = *a;
		}
	}
	free(ac.all);
	if (!routes)
		return 0;

	int families[2] = { AF_INET, AF_INET6 };
	for (int i = 0; i < 2; i++) {
		struct rtmsg rtm = { .rtm_family = families[i], .rtm_protocol = FERRY_RT_PROTO };
		struct route_ctx rc = { st, families[i] };
		if (dump(s, st, RTM_GETROUTE, &rtm, sizeof rtm, 0, parse_route, &rc) < 0) {
			/* No IPv6 in this kernel: no IPv6 routes either. */
			if (families[i] == AF_INET6 && (errno == EAFNOSUPPORT || errno == EOPNOTSUPP))
				continue;
			return -1;
		}
	}
	return 0;
}

int kstate_read_some(struct nlsock *s, struct kstate *st, bool routes)
{
	for (int attempt = 0;; attempt++) {
		kstate_free(st);
		if (read_once(s, st, routes) == 0)
			return 0;
		if (errno != EAGAIN || attempt >= 5)
			return -1;
	}
}

int kstate_read(struct nlsock *s, struct kstate *st) { return kstate_read_some(s, st, true); }

/* ---- single routes ---- */

struct get_ctx {
	struct kstate *st;
	const struct ipprefix *keys;
	bool ambiguous;
	int err;
};

static void *arena_copy(struct nl_arena *a, const struct nlmsghdr *h);

static void get_reply(void *ctx, size_t msg, const struct nlmsghdr *h)
{
	struct get_ctx *c = ctx;
	const struct ipprefix *key = &c->keys[msg];
	if (h->nlmsg_type != RTM_NEWROUTE || h->nlmsg_len < NLMSG_LENGTH(sizeof(struct rtmsg)))
		return;
	const struct rtmsg *rtm = NLMSG_DATA(h);
	if (rtm->rtm_dst_len > key->len) {
		c->ambiguous = true;   /* a longer prefix of someone's covers ours: cannot tell */
		return;
	}
	if (rtm->rtm_dst_len < key->len)
		return;                /* not there: the lookup found a shorter prefix */
	if (rtm->rtm_protocol != FERRY_RT_PROTO || rtm->rtm_table != RT_TABLE_MAIN) {
		c->ambiguous = true;   /* the same prefix, not ferry's (or elsewhere): may hide ours */
		return;
	}
	size_t before = c->st->n_routes;
	struct route_ctx rc = { c->st, key->addr.family };
	parse_route(&rc, arena_copy(&c->st->arena, h));
	if (c->st->n_routes > before) {
		const struct kroute *r = &c->st->routes[before];
		uint32_t prio = key->addr.family == AF_INET6 ? 1024 : 0;
		if (r->priority != prio || !ip_equal(&r->dst.addr, &key->addr)) {
			c->st->n_routes = before;
			c->ambiguous = true;
		}
	}
}

static void get_error(void *ctx, size_t msg, int err, const char *ext)
{
	struct get_ctx *c = ctx;
	(void)ext;
	(void)msg;
	if (err == -ENETUNREACH || err == -EHOSTUNREACH || err == -ESRCH || err == -ENOENT)
		return;                /* no route at all for it: not there */
	/* EINVAL: a blackhole, unreachable or prohibit route matches, and the kernel does not say
	 * which; anything else is not understood either. */
	c->ambiguous = true;
	c->err = err;
}

int kstate_get_routes(struct nlsock *s, struct kstate *st, const struct ipprefix *keys, size_t n)
{
	/* A lookup of 0.0.0.0 or :: does not find the default route, so a dump must tell. */
	for (size_t i = 0; i < n; i++)
		if (keys[i].len == 0) {
			errno = EINVAL;
			return 1;
		}
	struct nlbuf b;
	nlb_init(&b);
	for (size_t i = 0; i < n; i++) {
		const struct ipprefix *k = &keys[i];
		bool v6 = k->addr.family == AF_INET6;
		struct rtmsg rtm = { .rtm_family = (uint8_t)k->addr.family, .rtm_dst_len = v6 ? 128 : 32,
				     .rtm_flags = RTM_F_FIB_MATCH };
		size_t m = nlb_msg(&b, RTM_GETROUTE, 0, &rtm, sizeof rtm);
		nlb_put(&b, RTA_DST, k->addr.a, v6 ? 16 : 4);
		nlb_end(&b, m);
	}
	struct get_ctx c = { st, keys, false, 0 };
	struct nl_handler h = { get_error, get_reply, &c, NULL };
	size_t done, sent;
	int r = nls_batch(s, &b, &h, &done, &sent);
	nlb_free(&b);
	if (r < 0)
		return -1;
	if (c.ambiguous) {
		errno = EINVAL;
		return 1;
	}
	return 0;
}

static void *arena_copy(struct nl_arena *a, const struct nlmsghdr *h)
{
	return nl_arena_copy(a, h, h->nlmsg_len);
}
