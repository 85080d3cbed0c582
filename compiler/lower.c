/* Lowering a validated config into the plan. The rules are written down in docs/lowering.md;
 * this file and that page change together. */
#include "compiler/lower.h"

#include <stdlib.h>
#include <string.h>

#include "compiler/value.h"

static const struct kind_schema *kind_vlan, *kind_group, *kind_tunnel, *kind_self, *kind_route;

static void lookup_kinds(void)
{
	kind_vlan = schema_kind("net vlan");
	kind_group = schema_kind("net vlan-group");
	kind_tunnel = schema_kind("net tunnels tunnel");
	kind_self = schema_kind("net self");
	kind_route = schema_kind("net route");
}

/* ---- interface names ---- */

static unsigned long long fnv1a(const char *s)
{
	unsigned long long h = 1469598103934665603ULL;
	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ULL;
	}
	return h;
}

static bool plain_name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
	       c == '_';
}

void lower_ifname(const char *path, char out[PLAN_IFNAMSIZ])
{
	const char *base = path_basename(path);
	size_t len = strlen(base);
	bool plain = strncmp(path, "/Common/", 8) == 0 && len >= 1 && len <= PLAN_IFNAMSIZ - 1;
	for (size_t i = 0; plain && i < len; i++)
		plain = plain_name_char(base[i]);
	if (plain) {
		memcpy(out, base, len + 1);
		return;
	}
	/* 9 readable characters, '+', 5 hex digits of the whole path. No plain name holds '+' or '.',
	 * so a hashed name never equals a plain one or an 802.1Q sub-interface (IF.TAG). */
	size_t n = 0;
	for (size_t i = 0; i < len && n < 9; i++)
		out[n++] = plain_name_char(base[i]) ? base[i] : '_';
	snprintf(out + n, PLAN_IFNAMSIZ - n, "+%05llx", fnv1a(path) & 0xfffffULL);
}

static void subif_name(const char *phys, int tag, char out[PLAN_IFNAMSIZ])
{
	char buf[64];
	snprintf(buf, sizeof buf, "%s.%d", phys, tag);
	if (strlen(buf) < PLAN_IFNAMSIZ) {
		memcpy(out, buf, strlen(buf) + 1);
		return;
	}
	snprintf(out, PLAN_IFNAMSIZ, "%.4s+%05llx.%d", phys, fnv1a(buf) & 0xfffffULL, tag);
}

/* ---- building the plan ---- */

struct lowering {
	const struct store *s;
	struct plan *p;
	struct diags *d;
	int errors;
	size_t cap_links, cap_addrs, cap_routes;
	struct member { const char *path; char group_if[PLAN_IFNAMSIZ]; } *members;
	size_t n_members;
};

static struct plan_link *add_link(struct lowering *lw, const char *name, enum plan_link_kind kind,
				  const char *owner)
{
	struct plan *p = lw->p;
	if (p->n_links == lw->cap_links) {
		lw->cap_links = lw->cap_links ? lw->cap_links * 2 : 64;
		p->links = xrealloc(p->links, lw->cap_links * sizeof *p->links);
	}
	struct plan_link *l = &p->links[p->n_links++];
	memset(l, 0, sizeof *l);
	snprintf(l->name, sizeof l->name, "%s", name);
	l->kind = kind;
	l->owner = owner ? xstrdup(owner) : NULL;
	l->tos = -1;
	return l;
}

/* Physical interfaces are few; a VLAN lists one or two. */
static struct plan_link *find_physical(struct plan *p, const char *name)
{
	for (size_t i = p->n_links; i-- > 0;)
		if (p->links[i].kind == PL_PHYSICAL && strcmp(p->links[i].name, name) == 0)
			return &p->links[i];
	return NULL;
}

static int by_member_path(const void *a, const void *b)
{
	return strcmp(((const struct member *)a)->path, ((const struct member *)b)->path);
}

static void index_group_members(struct lowering *lw)
{
	size_t n;
	struct object **groups = store_sorted(lw->s, kind_group, &n);
	for (size_t g = 0; g < n; g++) {
		const struct propval *m = object_cprop(groups[g], "members");
		for (size_t i = 0; i < m->n_items; i++) {
			lw->members = xrealloc(lw->members, (lw->n_members + 1) * sizeof *lw->members);
			lw->members[lw->n_members].path = m->items[i].key;
			lower_ifname(groups[g]->path, lw->members[lw->n_members].group_if);
			lw->n_members++;
		}
	}
	free(groups);
	qsort(lw->members, lw->n_members, sizeof *lw->members, by_member_path);
}

/* The bridge of the group a VLAN or tunnel is a member of, or NULL. */
static const char *group_of(const struct lowering *lw, const char *path)
{
	struct member key = { .path = path };
	const struct member *m = bsearch(&key, lw->members, lw->n_members, sizeof *lw->members, by_member_path);
	return m ? m->group_if : NULL;
}

static int int_prop(const struct object *o, const char *name, int dflt)
{
	const char *t = object_get(o, name);
	return t ? atoi(t) : dflt;
}

static void lower_bridges(struct lowering *lw)
{
	size_t n;
	struct object **list = store_sorted(lw->s, kind_vlan, &n);
	for (size_t i = 0; i < n; i++) {
		if (group_of(lw, list[i]->path))
			continue;            /* its ports join the group's bridge instead */
		char name[PLAN_IFNAMSIZ];
		lower_ifname(list[i]->path, name);
		struct plan_link *l = add_link(lw, name, PL_BRIDGE, list[i]->path);
		l->mtu = int_prop(list[i], "mtu", 0);
	}
	free(list);
	list = store_sorted(lw->s, kind_group, &n);
	for (size_t i = 0; i < n; i++) {
		char name[PLAN_IFNAMSIZ];
		lower_ifname(list[i]->path, name);
		struct plan_link *l = add_link(lw, name, PL_BRIDGE, list[i]->path);
		const char *mac = object_get(list[i], "mac-masquerade");
		if (mac && mac_parse(mac, l->mac))
			l->has_mac = true;
		const char *mode = object_get(list[i], "mode");
		l->proxy_arp = mode && strcmp(mode, "opaque") == 0;
	}
	free(list);
}

static const char *profile_word(const struct object *t)
{
	const char *p = object_get(t, "profile");
	return p ? path_basename(p) : "";
}

static void lower_tunnels(struct lowering *lw)
{
	size_t n;
	struct object **list = store_sorted(lw->s, kind_tunnel, &n);
	for (size_t i = 0; i < n; i++) {
		const struct object *t = list[i];
		const char *profile = profile_word(t);
		const char *group = group_of(lw, t->path);
		enum plan_link_kind kind;
		if (strcmp(profile, "etherip") == 0)
			kind = PL_TAP;
		else if (strcmp(profile, "gre") == 0)
			kind = group ? PL_GRETAP : PL_GRE;
		else if (strcmp(profile, "vxlan") == 0)
			kind = PL_VXLAN;
		else if (strcmp(profile, "geneve") == 0)
			kind = PL_GENEVE;
		else if (strcmp(profile, "ipip") == 0)
			kind = PL_IPIP;
		else
			continue;            /* wan-optimized: carried by ferryd, no interface */
		char name[PLAN_IFNAMSIZ];
		lower_ifname(t->path, name);
		struct plan_link *l = add_link(lw, name, kind, t->path);
		if (group)
			snprintf(l->master, sizeof l->master, "%s", group);
		l->mtu = int_prop(t, "mtu", 0);
		const char *local = object_get(t, "local-address"), *remote = object_get(t, "remote-address");
		if (local)
			ip_parse(local, &l->local);
		if (remote && strcmp(remote, "any") != 0)
			ip_parse(remote, &l->remote);
		const char *key = object_get(t, "key");
		if (key) {
			l->key = (uint32_t)strtoul(key, NULL, 10);
			l->has_key = true;
		}
		const char *tos = object_get(t, "tos");
		l->tos = tos && strcmp(tos, "preserve") != 0 ? atoi(tos) : -1;
		if (kind == PL_VXLAN)
			l->dstport = 4789;
		else if (kind == PL_GENEVE)
			l->dstport = 6081;
	}
	free(list);
}

/* Physical interfaces and 802.1Q sub-interfaces, after the bridges they join. */
static void lower_ports(struct lowering *lw)
{
	size_t n;
	struct object **list = store_sorted(lw->s, kind_vlan, &n);
	for (size_t i = 0; i < n; i++) {
		const struct object *v = list[i];
		char bridge[PLAN_IFNAMSIZ];
		const char *group = group_of(lw, v->path);
		if (group)
			snprintf(bridge, sizeof bridge, "%s", group);
		else
			lower_ifname(v->path, bridge);
		const struct propval *ifs = object_cprop(v, "interfaces");
		int tag = int_prop(v, "tag", 0);
		for (size_t k = 0; k < ifs->n_items; k++) {
			const struct item *it = &ifs->items[k];
			bool tagged = it->attrs && it->attrs[0].set && strcmp(it->attrs[0].text, "tagged") == 0;
			struct plan_link *phys = find_physical(lw->p, it->key);
			if (!phys)
				phys = add_link(lw, it->key, PL_PHYSICAL, NULL);
			if (!tagged) {
				snprintf(phys->master, sizeof phys->master, "%s", bridge);
				continue;
			}
			char sub[PLAN_IFNAMSIZ];
			subif_name(it->key, tag, sub);
			char *owner = xasprintf("%s/%s", v->path, it->key);
			struct plan_link *l = add_link(lw, sub, PL_VLAN, owner);
			free(owner);
			snprintf(l->parent, sizeof l->parent, "%s", it->key);
			snprintf(l->master, sizeof l->master, "%s", bridge);
			l->vlan_id = tag;
			l->mtu = int_prop(v, "mtu", 0);
		}
	}
	free(list);
}

/* The interface a self IP or interface route lands on. */
static bool target_ifname(struct lowering *lw, const char *path, char out[PLAN_IFNAMSIZ])
{
	if (store_get(lw->s, kind_vlan, path)) {
		const char *group = group_of(lw, path);
		if (group)
			snprintf(out, PLAN_IFNAMSIZ, "%s", group);
		else
			lower_ifname(path, out);
		return true;
	}
	const struct object *t = store_get(lw->s, kind_tunnel, path);
	if (t && strcmp(profile_word(t), "wan-optimized") == 0)
		return false;
	lower_ifname(path, out);
	return store_get(lw->s, kind_group, path) || t;
}

static void lower_addresses(struct lowering *lw)
{
	size_t n;
	struct object **list = store_sorted(lw->s, kind_self, &n);
	lw->p->addrs = xcalloc(n, sizeof *lw->p->addrs);
	for (size_t i = 0; i < n; i++) {
		struct plan_addr *a = &lw->p->addrs[lw->p->n_addrs];
		const char *vlan = object_get(list[i], "vlan");
		if (!vlan || !target_ifname(lw, vlan, a->dev)) {
			diag_error(lw->d, list[i]->loc, "net self %s: %s has no interface to carry the address",
				   list[i]->path, vlan ? vlan : "(no vlan)");
			lw->errors++;
			continue;
		}
		ip_parse_prefix(object_get(list[i], "address"), &a->prefix);
		a->owner = xstrdup(list[i]->path);
		lw->p->n_addrs++;
	}
	free(list);
}

static void lower_routes(struct lowering *lw)
{
	size_t n;
	struct object **list = store_sorted(lw->s, kind_route, &n);
	lw->p->routes = xcalloc(n, sizeof *lw->p->routes);
	for (size_t i = 0; i < n; i++) {
		const struct object *o = list[i];
		struct plan_route *r = &lw->p->routes[lw->p->n_routes];
		memset(r, 0, sizeof *r);
		const char *net = object_get(o, "network");
		if (strcmp(net, "default") == 0)
			ip_parse_prefix("0.0.0.0/0", &r->dst);
		else if (strcmp(net, "default-inet6") == 0)
			ip_parse_prefix("::/0", &r->dst);
		else
			ip_parse_prefix(net, &r->dst);
		const char *gw = object_get(o, "gw"), *dev = object_get(o, "interface");
		if (gw) {
			r->has_gw = ip_parse(gw, &r->gw);
		} else if (dev && !target_ifname(lw, dev, r->dev)) {
			diag_error(lw->d, o->loc, "net route %s: interface %s has no kernel interface", o->path, dev);
			lw->errors++;
			continue;
		}
		r->blackhole = object_get(o, "blackhole") != NULL;
		r->mtu = int_prop(o, "mtu", 0);
		r->owner = xstrdup(o->path);
		lw->p->n_routes++;
	}
	free(list);
}

/* ---- port lockdown ---- */

struct lockdown {
	struct strbuf locked[2], ports[2], protos[2], tunnels[2];  /* [0] IPv4, [1] IPv6 */
};

static void set_elem(struct strbuf *sb, const char *fmt, const char *a, const char *b, const char *c)
{
	sb_puts(sb, sb->len ? ", " : "");
	sb_printf(sb, fmt, a, b, c);
}

/* The services `allow-service default` opens (docs/lowering.md keeps the same list). */
static const char *const default_services[] = {
	"tcp:22", "tcp:53", "udp:53", "tcp:161", "udp:161", "tcp:443", "udp:520", "tcp:3919", "udp:3919",
	"udp:4789", "udp:6081", NULL,
};

static void allow_service(struct lockdown *ld, int fam, const char *addr, const char *svc)
{
	char proto[16];
	const char *colon = strchr(svc, ':');
	snprintf(proto, sizeof proto, "%.*s", (int)(colon - svc), svc);
	if (strcmp(proto, "icmpv6") == 0)
		snprintf(proto, sizeof proto, "ipv6-icmp");
	if (strcmp(colon + 1, "0") == 0 || strcmp(proto, "icmp") == 0 || strcmp(proto, "ipv6-icmp") == 0 ||
	    strcmp(proto, "gre") == 0 || strcmp(proto, "esp") == 0)
		set_elem(&ld->protos[fam], "%s . %s", addr, proto, NULL);
	else
		set_elem(&ld->ports[fam], "%s . %s . %s", addr, proto, colon + 1);
}

static const char *tunnel_l4proto(const char *profile, int fam)
{
	if (strcmp(profile, "etherip") == 0)
		return "97";
	if (strcmp(profile, "gre") == 0)
		return "gre";
	if (strcmp(profile, "ipip") == 0)
		return fam ? "41" : "4";
	if (strcmp(profile, "vxlan") == 0 || strcmp(profile, "geneve") == 0)
		return "udp";
	return NULL;
}

static void lower_lockdown(struct lowering *lw)
{
	struct lockdown ld;
	for (int f = 0; f < 2; f++) {
		sb_init(&ld.locked[f]);
		sb_init(&ld.ports[f]);
		sb_init(&ld.protos[f]);
		sb_init(&ld.tunnels[f]);
	}
	size_t n, nt;
	struct object **selfs = store_sorted(lw->s, kind_self, &n);
	struct object **tunnels = store_sorted(lw->s, kind_tunnel, &nt);
	bool any = false;
	for (size_t i = 0; i < n; i++) {
		const struct object *o = selfs[i];
		const struct propval *svc = object_cprop(o, "allow-service");
		if (svc->text && strcmp(svc->text, "all") == 0)
			continue;
		struct ipprefix pfx;
		char addr[IP_STRLEN];
		ip_parse_prefix(object_get(o, "address"), &pfx);
		ip_format(&pfx.addr, addr);
		int fam = pfx.addr.family == AF_INET6;
		any = true;
		set_elem(&ld.locked[fam], "%s", addr, NULL, NULL);
		for (size_t k = 0; k < svc->n_items; k++) {
			if (strcmp(svc->items[k].key, "default") == 0)
				for (const char *const *d = default_services; *d; d++)
					allow_service(&ld, fam, addr, *d);
			else
				allow_service(&ld, fam, addr, svc->items[k].key);
		}
		/* A tunnel that ends on this address gets its own encapsulation through, from its peer. */
		for (size_t t = 0; t < nt; t++) {
			const char *local = object_get(tunnels[t], "local-address");
			const char *remote = object_get(tunnels[t], "remote-address");
			const char *proto = tunnel_l4proto(profile_word(tunnels[t]), fam);
			if (!local || strcmp(local, addr) != 0 || !proto)
				continue;
			if (remote && strcmp(remote, "any") != 0)
				set_elem(&ld.tunnels[fam], "%s . %s . %s", remote, addr, proto);
			else
				set_elem(&ld.protos[fam], "%s . %s", addr, proto, NULL);
		}
	}
	free(selfs);
	free(tunnels);
	/* Translucent VLAN groups (BIG-IP's default mode) forward frames with the locally administered
	 * bit of the source MAC flipped: a bridge-family rule on the groups' bridges does that. */
	struct strbuf translucent;
	sb_init(&translucent);
	size_t ng;
	struct object **groups = store_sorted(lw->s, kind_group, &ng);
	for (size_t i = 0; i < ng; i++) {
		const char *mode = object_get(groups[i], "mode");
		if (mode && strcmp(mode, "translucent") != 0)
			continue;
		char name[PLAN_IFNAMSIZ];
		lower_ifname(groups[i]->path, name);
		/* the rule names the group's ports: nft cannot match the input bridge in this kernel */
		for (size_t l = 0; l < lw->p->n_links; l++)
			if (strcmp(lw->p->links[l].master, name) == 0)
				sb_printf(&translucent, "%s\"%s\"", translucent.len ? ", " : "", lw->p->links[l].name);
	}
	free(groups);
	if (!any && !translucent.len) {
		sb_free(&translucent);
		goto out;
	}
	static const char *const fam_word[2] = { "ip", "ip6" };
	static const char *const addr_type[2] = { "ipv4_addr", "ipv6_addr" };
	struct strbuf sb;
	sb_init(&sb);
	sb_puts(&sb, "table inet ferry {\n");
	for (int f = 0; f < 2; f++) {
		sb_printf(&sb, "\tset locked%d {\n\t\ttype %s\n", f ? 6 : 4, addr_type[f]);
		if (ld.locked[f].len)
			sb_printf(&sb, "\t\telements = { %s }\n", ld.locked[f].buf);
		sb_printf(&sb, "\t}\n\tset ports%d {\n\t\ttype %s . inet_proto . inet_service\n", f ? 6 : 4,
			  addr_type[f]);
		if (ld.ports[f].len)
			sb_printf(&sb, "\t\telements = { %s }\n", ld.ports[f].buf);
		sb_printf(&sb, "\t}\n\tset protos%d {\n\t\ttype %s . inet_proto\n", f ? 6 : 4, addr_type[f]);
		if (ld.protos[f].len)
			sb_printf(&sb, "\t\telements = { %s }\n", ld.protos[f].buf);
		sb_printf(&sb, "\t}\n\tset tunnels%d {\n\t\ttype %s . %s . inet_proto\n", f ? 6 : 4, addr_type[f],
			  addr_type[f]);
		if (ld.tunnels[f].len)
			sb_printf(&sb, "\t\telements = { %s }\n", ld.tunnels[f].buf);
		sb_puts(&sb, "\t}\n");
	}
	sb_puts(&sb, "\tchain input {\n"
		     "\t\ttype filter hook input priority filter; policy accept;\n"
		     "\t\tct state established,related accept\n"
		     "\t\tmeta l4proto { icmp, ipv6-icmp } accept\n");
	for (int f = 0; f < 2; f++) {
		int v = f ? 6 : 4;
		sb_printf(&sb, "\t\t%s daddr . meta l4proto . th dport @ports%d accept\n", fam_word[f], v);
		sb_printf(&sb, "\t\t%s daddr . meta l4proto @protos%d accept\n", fam_word[f], v);
		sb_printf(&sb, "\t\t%s saddr . %s daddr . meta l4proto @tunnels%d accept\n", fam_word[f],
			  fam_word[f], v);
		sb_printf(&sb, "\t\t%s daddr @locked%d drop\n", fam_word[f], v);
	}
	sb_puts(&sb, "\t}\n}\n");
	if (translucent.len)
		sb_printf(&sb, "table bridge ferry {\n"
			  "\tchain forward {\n"
			  "\t\ttype filter hook forward priority filter; policy accept;\n"
			  "\t\tiifname { %s } ether saddr set ether saddr ^ 02:00:00:00:00:00\n"
			  "\t}\n}\n", translucent.buf);
	sb_free(&translucent);
	lw->p->nft_ruleset = sb_steal(&sb);
out:
	for (int f = 0; f < 2; f++) {
		sb_free(&ld.locked[f]);
		sb_free(&ld.ports[f]);
		sb_free(&ld.protos[f]);
		sb_free(&ld.tunnels[f]);
	}
}

/* ---- ferryd ---- */

static void lower_ferryd(struct lowering *lw)
{
	size_t n;
	struct object **list = store_sorted(lw->s, kind_tunnel, &n);
	struct strbuf sb;
	sb_init(&sb);
	for (size_t i = 0; i < n; i++) {
		if (strcmp(profile_word(list[i]), "etherip") != 0)
			continue;
		char name[PLAN_IFNAMSIZ];
		lower_ifname(list[i]->path, name);
		if (!sb.len)
			sb_puts(&sb, "version: 1\netherip:\n");
		sb_printf(&sb, "  - name: \"%s\"\n    interface: %s\n    local: %s\n    remote: %s\n",
			  list[i]->path, name, object_get(list[i], "local-address"),
			  object_get(list[i], "remote-address"));
	}
	free(list);
	lw->p->ferryd_yaml = sb.len ? sb_steal(&sb) : NULL;
	sb_free(&sb);
}

static int by_link_name(const void *a, const void *b)
{
	return strcmp((*(struct plan_link *const *)a)->name, (*(struct plan_link *const *)b)->name);
}

/* Two objects whose names map to one interface name (a hash clash, or a VLAN named like a
 * physical interface another VLAN uses) cannot both exist in the kernel. */
static void check_names(struct lowering *lw)
{
	struct plan *p = lw->p;
	struct plan_link **sorted = xmalloc((p->n_links + 1) * sizeof *sorted);
	for (size_t i = 0; i < p->n_links; i++)
		sorted[i] = &p->links[i];
	qsort(sorted, p->n_links, sizeof *sorted, by_link_name);
	for (size_t i = 1; i < p->n_links; i++) {
		const struct plan_link *a = sorted[i - 1], *b = sorted[i];
		if (strcmp(a->name, b->name) != 0)
			continue;
		diag_error(lw->d, (struct srcloc){ 0 }, "%s and %s both need the interface name %s; rename one",
			   a->owner ? a->owner : "a physical interface", b->owner ? b->owner : "a physical interface",
			   a->name);
		lw->errors++;
	}
	free(sorted);
}

int lower_store(const struct store *s, struct plan *plan, struct diags *d)
{
	lookup_kinds();
	memset(plan, 0, sizeof *plan);
	struct lowering lw = { .s = s, .p = plan, .d = d };
	index_group_members(&lw);
	lower_bridges(&lw);
	lower_tunnels(&lw);
	lower_ports(&lw);
	check_names(&lw);
	lower_addresses(&lw);
	lower_routes(&lw);
	lower_lockdown(&lw);
	lower_ferryd(&lw);
	free(lw.members);
	if (lw.errors)
		plan_free(plan);
	return lw.errors;
}
