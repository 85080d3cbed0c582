/* Runtime state in aligned tables, as tmsh's show prints it: one row per object of the config,
 * with what the kernel says about it. The kernel is read once per command. */
#include "shell/show.h"

#include <errno.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>

#include "compiler/lower.h"
#include "compiler/util.h"
#include "compiler/value.h"
#include "runtime/ferryd_ctl.h"
#include "runtime/state.h"

/* Packets and bytes from the link's IFLA_STATS64, kept raw by the state reader. */
static bool link_stats(const struct klink *l, struct rtnl_link_stats64 *st)
{
	if (!l->raw)
		return false;
	const struct ifinfomsg *ifi = NLMSG_DATA(l->raw);
	const struct rtattr *a = (const struct rtattr *)((const char *)ifi + NLMSG_ALIGN(sizeof *ifi));
	int len = (int)l->raw->nlmsg_len - (int)NLMSG_LENGTH(sizeof *ifi);
	for (; RTA_OK(a, len); a = RTA_NEXT(a, len)) {
		if (a->rta_type == IFLA_STATS64 && RTA_PAYLOAD(a) >= sizeof *st) {
			memcpy(st, RTA_DATA(a), sizeof *st);
			return true;
		}
	}
	return false;
}

static const char *link_state(const struct klink *l)
{
	if (!l)
		return "missing";
	if (!(l->flags & IFF_UP))
		return "down";
	return (l->flags & IFF_RUNNING) ? "up" : "no-carrier";
}

static void print_link_row(FILE *out, const char *path, const struct klink *l, const char *ifname)
{
	struct rtnl_link_stats64 st = { 0 };
	char mac[18] = "-";
	if (l && l->has_mac)
		mac_format(l->mac, mac);
	bool stats = l && link_stats(l, &st);
	fprintf(out, "%-28s %-15s %-10s %-17s %5d", path, ifname, link_state(l), mac, l ? l->mtu : 0);
	if (stats)
		fprintf(out, " %10llu %12llu %10llu %12llu\n", (unsigned long long)st.rx_packets,
			(unsigned long long)st.rx_bytes, (unsigned long long)st.tx_packets,
			(unsigned long long)st.tx_bytes);
	else
		fputs("          -            -          -            -\n", out);
}

static bool wanted(const struct command *c, const char *path)
{
	if (!c->n_names)
		return true;
	for (size_t i = 0; i < c->n_names; i++)
		if (strcmp(c->names[i], path) == 0)
			return true;
	return false;
}

static bool has_addr(const struct kstate *ks, const struct ipprefix *p)
{
	for (size_t i = 0; i < ks->n_addrs; i++)
		if (ip_equal(&ks->addrs[i].prefix.addr, &p->addr) && ks->addrs[i].prefix.len == p->len)
			return true;
	return false;
}

static bool has_route(const struct kstate *ks, const struct plan_route *r)
{
	for (size_t i = 0; i < ks->n_routes; i++) {
		const struct kroute *k = &ks->routes[i];
		if (k->dst.len == r->dst.len && ip_equal(&k->dst.addr, &r->dst.addr) && k->table == RT_TABLE_MAIN)
			return true;
	}
	return false;
}

/* The VLAN group a VLAN is a member of: its ports are that group's bridge ports then. */
static const struct object *group_of(const struct store *st, const char *path)
{
	size_t n;
	struct object **groups = store_sorted(st, schema_kind("net vlan-group"), &n);
	const struct object *found = NULL;
	for (size_t i = 0; i < n && !found; i++)
		if (propval_find_item(object_cprop(groups[i], "members"), path))
			found = groups[i];
	free(groups);
	return found;
}

static void show_links(struct session *s, const struct command *c, const struct kstate *ks)
{
	FILE *out = s->out;
	fprintf(out, "%-28s %-15s %-10s %-17s %5s %10s %12s %10s %12s\n", c->kind->id, "interface", "state",
		"mac", "mtu", "rx-pkts", "rx-bytes", "tx-pkts", "tx-bytes");
	size_t n;
	struct object **list = store_sorted(s->store, c->kind, &n);
	for (size_t i = 0; i < n; i++) {
		if (!wanted(c, list[i]->path))
			continue;
		char ifname[PLAN_IFNAMSIZ];
		const struct object *group = c->kind == schema_kind("net vlan") ? group_of(s->store, list[i]->path) : NULL;
		if (group) {
			lower_ifname(group->path, ifname);
			fprintf(out, "%-28s %-15s in net vlan-group %s (its bridge carries this VLAN)\n", list[i]->path,
				ifname, group->path);
			continue;
		}
		lower_ifname(list[i]->path, ifname);
		const struct klink *l = kstate_link(ks, ifname);
		print_link_row(out, list[i]->path, l, ifname);
		if (c->kind != schema_kind("net tunnels tunnel") || !s->show_arg)
			continue;
		const char *profile = object_get(list[i], "profile");
		if (!profile || strcmp(path_basename(profile), "etherip") != 0)
			continue;
		char *reply = NULL;
		if (ferryd_request(s->show_arg, "show", &reply) == 0 && reply) {
			/* ferryd's counters for this tunnel: packets and bytes in and out, drops by reason */
			fprintf(out, "  ferryd (EtherIP):\n");
			const char *line = reply;
			while (*line) {
				const char *nl = strchr(line, '\n');
				size_t len = nl ? (size_t)(nl - line) : strlen(line);
				fprintf(out, "    %.*s\n", (int)len, line);
				line += len + (nl ? 1 : 0);
			}
		} else {
			fprintf(out, "  ferryd (EtherIP): not running\n");
		}
		free(reply);
	}
	free(list);
}

static void show_selfs(struct session *s, const struct command *c, const struct kstate *ks,
		       const struct plan *plan)
{
	FILE *out = s->out;
	fprintf(out, "%-28s %-20s %-15s %s\n", "net self", "address", "interface", "in kernel");
	for (size_t i = 0; i < plan->n_addrs; i++) {
		const struct plan_addr *a = &plan->addrs[i];
		if (!wanted(c, a->owner))
			continue;
		char addr[IP_STRLEN + 8];
		ip_format(&a->prefix.addr, addr);
		snprintf(addr + strlen(addr), sizeof addr - strlen(addr), "/%d", a->prefix.len);
		const struct klink *l = kstate_link(ks, a->dev);
		fprintf(out, "%-28s %-20s %-15s %s\n", a->owner, addr, a->dev,
			has_addr(ks, &a->prefix) ? (l && (l->flags & IFF_UP) ? "yes" : "yes, link down") : "no");
	}
}

static void show_routes(struct session *s, const struct command *c, const struct kstate *ks,
			const struct plan *plan)
{
	FILE *out = s->out;
	fprintf(out, "%-28s %-22s %-24s %s\n", "net route", "network", "next hop", "in kernel");
	for (size_t i = 0; i < plan->n_routes; i++) {
		const struct plan_route *r = &plan->routes[i];
		if (!wanted(c, r->owner))
			continue;
		char dst[IP_STRLEN + 8], hop[IP_STRLEN + 24];
		ip_format(&r->dst.addr, dst);
		snprintf(dst + strlen(dst), sizeof dst - strlen(dst), "/%d", r->dst.len);
		if (r->blackhole)
			snprintf(hop, sizeof hop, "blackhole");
		else if (r->has_gw)
			ip_format(&r->gw, hop);
		else
			snprintf(hop, sizeof hop, "dev %s", r->dev);
		fprintf(out, "%-28s %-22s %-24s %s\n", r->owner, dst, hop, has_route(ks, r) ? "yes" : "no");
	}
}

int show_runtime(struct session *s, const struct command *c)
{
	const struct kind_schema *k = c->kind;
	bool links = k == schema_kind("net vlan") || k == schema_kind("net vlan-group") ||
		     k == schema_kind("net tunnels tunnel");
	if (!links && k != schema_kind("net self") && k != schema_kind("net route")) {
		diag_error(s->diags, c->loc, "show %s: no runtime state to show; list prints its configuration "
			   "(show wom comes with the WAN optimizer)", k->id);
		return -1;
	}
	for (size_t i = 0; i < c->n_names; i++)
		if (!store_get(s->store, k, c->names[i])) {
			diag_error(s->diags, c->name_locs[i], "%s %s was not found", k->id, c->names[i]);
			return -1;
		}
	struct nlsock sock;
	struct kstate ks;
	kstate_init(&ks);
	if (nls_open(&sock) < 0) {
		diag_error(s->diags, c->loc, "show: cannot open a netlink socket: %s", strerror(errno));
		return -1;
	}
	if (kstate_read(&sock, &ks) < 0) {
		diag_error(s->diags, c->loc, "show: cannot read the kernel's state: %s", strerror(errno));
		kstate_free(&ks);
		nls_close(&sock);
		return -1;
	}
	int rc = 0;
	if (links) {
		show_links(s, c, &ks);
	} else {
		struct plan plan;
		if (lower_store(s->store, &plan, s->diags)) {
			rc = -1;
		} else {
			if (k == schema_kind("net self"))
				show_selfs(s, c, &ks, &plan);
			else
				show_routes(s, c, &ks, &plan);
			plan_free(&plan);
		}
	}
	kstate_free(&ks);
	nls_close(&sock);
	return rc;
}
