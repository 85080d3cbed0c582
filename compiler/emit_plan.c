/* The plan as text: an `ip -batch` script users can apply themselves, and YAML for tools. Both
 * list the operations a fresh apply performs, in the order it performs them. */
#include <string.h>

#include "compiler/lower.h"

/* Each line of TEXT, behind PREFIX. */
static void put_indented(struct strbuf *sb, const char *prefix, const char *text)
{
	while (*text) {
		const char *nl = strchr(text, '\n');
		size_t len = nl ? (size_t)(nl - text) : strlen(text);
		sb_puts(sb, prefix);
		sb_putn(sb, text, len);
		sb_putc(sb, '\n');
		text += len + (nl ? 1 : 0);
	}
}

/* The plan's words for a link: the kernel's kind, but a TAP is "tap" (ip tuntap ... mode tap). */
static const char *link_type(const struct plan_link *l)
{
	if (l->kind == PL_TAP)
		return "tap";
	return l->kind == PL_PHYSICAL ? "physical" : plan_link_kind(l);
}

static void put_addr(struct strbuf *sb, const char *word, const struct ipaddr *a)
{
	char buf[IP_STRLEN];
	if (!a->family)
		return;
	ip_format(a, buf);
	sb_printf(sb, " %s %s", word, buf);
}

static void put_prefix(struct strbuf *sb, const struct ipprefix *p)
{
	char buf[IP_STRLEN];
	ip_format(&p->addr, buf);
	sb_printf(sb, "%s/%d", buf, p->len);
}

static const struct plan_link *bridge_named(const struct plan *p, const char *name)
{
	for (size_t i = 0; i < p->n_links; i++)
		if (p->links[i].kind == PL_BRIDGE && strcmp(p->links[i].name, name) == 0)
			return &p->links[i];
	return NULL;
}

static void ip_link_add(struct strbuf *sb, const struct plan_link *l)
{
	if (l->kind == PL_TAP) {
		sb_printf(sb, "tuntap add dev %s mode tap\n", l->name);
		if (l->mtu)
			sb_printf(sb, "link set dev %s mtu %d\n", l->name, l->mtu);
		return;
	}
	if (l->kind == PL_VLAN)
		sb_printf(sb, "link add link %s name %s", l->parent, l->name);
	else
		sb_printf(sb, "link add name %s", l->name);
	if (l->mtu)
		sb_printf(sb, " mtu %d", l->mtu);
	if (l->has_mac)
		sb_printf(sb, " address %02x:%02x:%02x:%02x:%02x:%02x", l->mac[0], l->mac[1], l->mac[2], l->mac[3],
			  l->mac[4], l->mac[5]);
	sb_printf(sb, " type %s", link_type(l));
	switch (l->kind) {
	case PL_VLAN:
		sb_printf(sb, " id %d", l->vlan_id);
		break;
	case PL_VXLAN:
		sb_printf(sb, " id %u", l->has_key ? l->key : 0);
		put_addr(sb, "local", &l->local);
		put_addr(sb, "remote", &l->remote);
		sb_printf(sb, " dstport %u", l->dstport);
		break;
	case PL_GENEVE:
		sb_printf(sb, " id %u", l->has_key ? l->key : 0);
		put_addr(sb, "remote", &l->remote);
		sb_printf(sb, " dstport %u", l->dstport);
		break;
	case PL_GRE: case PL_GRETAP: case PL_IPIP:
		put_addr(sb, "local", &l->local);
		put_addr(sb, "remote", &l->remote);
		if (l->kind == PL_IPIP && l->local.family == AF_INET6)
			sb_puts(sb, " mode any");
		if (l->has_key && l->kind != PL_IPIP)
			sb_printf(sb, " key %u", l->key);
		if (l->tos >= 0)
			sb_printf(sb, " tos %d", l->tos);
		else if (l->kind != PL_IPIP || l->local.family != AF_INET6)
			sb_puts(sb, " tos inherit");
		break;
	default:
		break;
	}
	sb_putc(sb, '\n');
}

void plan_emit_ip(struct strbuf *sb, const struct plan *p)
{
	sb_puts(sb, "# ferry plan as an ip -batch script: ip [-n NETNS] -batch FILE\n");
	for (size_t i = 0; i < p->n_links; i++) {
		const struct plan_link *l = &p->links[i];
		if (l->kind == PL_PHYSICAL)
			continue;
		ip_link_add(sb, l);
		sb_printf(sb, "link set dev %s alias \"%s%s\"\n", l->name, FERRY_ALIAS_PREFIX, l->owner);
	}
	for (size_t i = 0; i < p->n_links; i++) {
		const struct plan_link *l = &p->links[i];
		if (!l->master[0])
			continue;
		sb_printf(sb, "link set dev %s master %s\n", l->name, l->master);
		const struct plan_link *br = bridge_named(p, l->master);
		if (br && br->proxy_arp)
			sb_printf(sb, "link set dev %s type bridge_slave isolated on proxy_arp on\n", l->name);
	}
	for (size_t i = 0; i < p->n_links; i++)
		sb_printf(sb, "link set dev %s up\n", p->links[i].name);
	for (size_t i = 0; i < p->n_addrs; i++) {
		sb_puts(sb, "address add ");
		put_prefix(sb, &p->addrs[i].prefix);
		sb_printf(sb, " dev %s\n", p->addrs[i].dev);
	}
	for (size_t i = 0; i < p->n_routes; i++) {
		const struct plan_route *r = &p->routes[i];
		sb_puts(sb, r->blackhole ? "route add blackhole " : "route add ");
		put_prefix(sb, &r->dst);
		if (r->has_gw)
			put_addr(sb, "via", &r->gw);
		if (r->dev[0])
			sb_printf(sb, " dev %s", r->dev);
		sb_printf(sb, " proto %d", FERRY_RT_PROTO);
		if (r->mtu)
			sb_printf(sb, " mtu %d", r->mtu);
		sb_putc(sb, '\n');
	}
	if (p->nft_ruleset) {
		sb_puts(sb, "# port lockdown is an nftables table; apply it with nft -f FILE:\n");
		put_indented(sb, "#   ", p->nft_ruleset);
	}
}

static void yaml_str(struct strbuf *sb, const char *key, const char *value)
{
	sb_printf(sb, "    %s: \"", key);
	for (const char *c = value; *c; c++) {
		if (*c == '"' || *c == '\\')
			sb_putc(sb, '\\');
		sb_putc(sb, *c);
	}
	sb_puts(sb, "\"\n");
}

static void yaml_addr(struct strbuf *sb, const char *key, const struct ipaddr *a)
{
	char buf[IP_STRLEN];
	if (!a->family)
		return;
	ip_format(a, buf);
	yaml_str(sb, key, buf);
}

static void yaml_prefix(struct strbuf *sb, const char *key, const struct ipprefix *p)
{
	char buf[IP_STRLEN + 8];
	ip_format(&p->addr, buf);
	snprintf(buf + strlen(buf), sizeof buf - strlen(buf), "/%d", p->len);
	yaml_str(sb, key, buf);
}

int plan_emit_yaml(struct strbuf *sb, const struct plan *p)
{
	sb_puts(sb, "operations:\n");
	for (size_t i = 0; i < p->n_links; i++) {
		const struct plan_link *l = &p->links[i];
		if (l->kind == PL_PHYSICAL)
			continue;
		sb_puts(sb, "  - op: link-add\n");
		yaml_str(sb, "name", l->name);
		yaml_str(sb, "type", link_type(l));
		yaml_str(sb, "owner", l->owner);
		if (l->parent[0])
			yaml_str(sb, "parent", l->parent);
		if (l->kind == PL_VLAN)
			sb_printf(sb, "    id: %d\n", l->vlan_id);
		if (l->has_key)
			sb_printf(sb, "    key: %u\n", l->key);
		yaml_addr(sb, "local", &l->local);
		yaml_addr(sb, "remote", &l->remote);
		if (l->mtu)
			sb_printf(sb, "    mtu: %d\n", l->mtu);
		if (l->has_mac)
			sb_printf(sb, "    mac: \"%02x:%02x:%02x:%02x:%02x:%02x\"\n", l->mac[0], l->mac[1], l->mac[2],
				  l->mac[3], l->mac[4], l->mac[5]);
	}
	for (size_t i = 0; i < p->n_links; i++) {
		const struct plan_link *l = &p->links[i];
		sb_puts(sb, "  - op: link-set\n");
		yaml_str(sb, "name", l->name);
		if (l->master[0])
			yaml_str(sb, "master", l->master);
		sb_puts(sb, "    up: true\n");
	}
	for (size_t i = 0; i < p->n_addrs; i++) {
		sb_puts(sb, "  - op: address-add\n");
		yaml_prefix(sb, "address", &p->addrs[i].prefix);
		yaml_str(sb, "dev", p->addrs[i].dev);
		yaml_str(sb, "owner", p->addrs[i].owner);
	}
	for (size_t i = 0; i < p->n_routes; i++) {
		const struct plan_route *r = &p->routes[i];
		sb_puts(sb, "  - op: route-add\n");
		yaml_prefix(sb, "destination", &r->dst);
		if (r->has_gw)
			yaml_addr(sb, "gw", &r->gw);
		if (r->dev[0])
			yaml_str(sb, "dev", r->dev);
		if (r->blackhole)
			sb_puts(sb, "    blackhole: true\n");
		if (r->mtu)
			sb_printf(sb, "    mtu: %d\n", r->mtu);
		sb_printf(sb, "    protocol: %d\n", FERRY_RT_PROTO);
		yaml_str(sb, "owner", r->owner);
	}
	if (p->nft_ruleset) {
		sb_puts(sb, "  - op: nftables-replace\n    table: \"inet ferry\"\n    ruleset: |\n");
		put_indented(sb, "      ", p->nft_ruleset);
	}
	if (p->ferryd_yaml) {
		sb_puts(sb, "  - op: ferryd-reload\n    config: |\n");
		put_indented(sb, "      ", p->ferryd_yaml);
	}
	return 0;
}
