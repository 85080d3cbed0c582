/* The one table of what exists. Properties of each kind are listed in alphabetical order,
 * the order BIG-IP prints them in and the order ferry's saved format keeps. */
#include "grammar/schema.h"

#include <stdio.h>
#include <string.h>

#define N(a) (sizeof(a) / sizeof((a)[0]))

static const char *const enabled_disabled[] = { "enabled", "disabled", NULL };
static const char *const tagging_words[] = { "tagged", "untagged", NULL };
static const char *const vg_modes[] = { "transparent", "translucent", "opaque", NULL };
static const char *const tunnel_profiles[] = {
	"etherip", "gre", "vxlan", "geneve", "ipip", "wan-optimized", NULL };
static const char *const tos_words[] = { "preserve", NULL };
static const char *const allow_service_words[] = { "all", NULL };
static const char *const compression_words[] = { "auto", "zstd", "lz4", "none", NULL };
static const char *const protocol_words[] = { "tcp", "udp", "all", NULL };

static const char *const ref_l2[] = { "net vlan", "net vlan-group", "net tunnels tunnel", NULL };
static const char *const ref_group_member[] = { "net vlan", "net tunnels tunnel", NULL };
static const char *const ref_remote_endpoint[] = { "wom remote-endpoint", NULL };
static const char *const ref_schedule[] = { "wom bandwidth-schedule", NULL };

#define DESC { "description", VT_STRING, P_NONE_OK, 0, 0, NULL, NULL, NULL, \
	"free text shown by list; quote it when it holds spaces", NULL, 0 }

static const struct prop_schema vlan_interface_props[] = {
	{ "tagging", VT_ENUM, P_BARE, 0, 0, tagging_words, NULL, "untagged",
	  "tagged: 802.1Q frames with the VLAN's tag; untagged: plain frames", NULL, 0 },
};

static const struct prop_schema vlan_props[] = {
	DESC,
	{ "interfaces", VT_NAME, P_LIST, 0, 0, NULL, NULL, NULL,
	  "physical interfaces in the VLAN: IF { tagged | untagged }",
	  vlan_interface_props, N(vlan_interface_props) },
	{ "mtu", VT_INT, 0, 576, 9198, NULL, NULL, "1500", "maximum transmission unit in bytes", NULL, 0 },
	{ "tag", VT_INT, 0, 1, 4094, NULL, NULL, NULL,
	  "802.1Q VLAN id used on tagged interfaces", NULL, 0 },
};

static const struct prop_schema self_props[] = {
	{ "address", VT_PREFIX, P_REQUIRED, 0, 0, NULL, NULL, NULL,
	  "the self IP and its network length: 10.1.1.1/24 or 2001:db8::1/64", NULL, 0 },
	{ "allow-service", VT_SERVICE, P_LIST, 0, 0, allow_service_words, NULL, "none",
	  "port lockdown: none, default, all, or { tcp:22 udp:53 ... }", NULL, 0 },
	DESC,
	{ "traffic-group", VT_PATH, 0, 0, 0, NULL, NULL, "/Common/traffic-group-local-only",
	  "the traffic group the address floats with", NULL, 0 },
	{ "vlan", VT_REF, P_REQUIRED, 0, 0, NULL, ref_l2, NULL,
	  "the VLAN, VLAN group or tunnel the address lives on", NULL, 0 },
};

static const struct prop_schema tunnel_props[] = {
	DESC,
	{ "key", VT_INT, 0, 0, 4294967295LL, NULL, NULL, "0",
	  "GRE key or VXLAN/Geneve network identifier", NULL, 0 },
	{ "local-address", VT_ADDR, 0, 0, 0, NULL, NULL, NULL,
	  "this end's address: a self IP of this box", NULL, 0 },
	{ "mtu", VT_INT, 0, 0, 9198, NULL, NULL, "0",
	  "maximum transmission unit in bytes; 0 derives it from the path, as BIG-IP does", NULL, 0 },
	{ "profile", VT_PROFILE, P_REQUIRED, 0, 0, tunnel_profiles, NULL, NULL,
	  "encapsulation: etherip, gre, vxlan, geneve, ipip or wan-optimized", NULL, 0 },
	{ "remote-address", VT_ADDR_ANY, 0, 0, 0, NULL, NULL, "any",
	  "the far end's address, or any", NULL, 0 },
	{ "tos", VT_INT_OR_WORD, 0, 0, 255, tos_words, NULL, "preserve",
	  "type of service of the outer header: 0..255 or preserve", NULL, 0 },
};

static const struct prop_schema vlan_group_props[] = {
	{ "bridge-in-standby", VT_ENUM, 0, 0, 0, enabled_disabled, NULL, "enabled",
	  "keep bridging while the box is standby", NULL, 0 },
	DESC,
	{ "mac-masquerade", VT_MAC, P_NONE_OK, 0, 0, NULL, NULL, NULL,
	  "a unicast, locally administered MAC the group answers with", NULL, 0 },
	{ "members", VT_REF, P_LIST, 0, 0, NULL, ref_group_member, NULL,
	  "the VLANs and tunnels bridged together", NULL, 0 },
	{ "mode", VT_ENUM, 0, 0, 0, vg_modes, NULL, "translucent",
	  "transparent: plain bridge; translucent: bridge, local bit flipped; opaque: proxy ARP", NULL, 0 },
};

static const struct prop_schema route_props[] = {
	{ "blackhole", VT_FLAG, 0, 0, 0, NULL, NULL, NULL, "drop traffic to the network", NULL, 0 },
	DESC,
	{ "gw", VT_ADDR, 0, 0, 0, NULL, NULL, NULL, "next-hop address, inside a self IP's network", NULL, 0 },
	{ "interface", VT_REF, 0, 0, 0, NULL, ref_l2, NULL,
	  "send directly out of this VLAN, VLAN group or tunnel", NULL, 0 },
	{ "mtu", VT_INT, 0, 0, 9198, NULL, NULL, "0", "path MTU for the route; 0 = the interface's", NULL, 0 },
	{ "network", VT_NETWORK, P_REQUIRED, 0, 0, NULL, NULL, NULL,
	  "destination: A/len or default", NULL, 0 },
};

static const struct prop_schema wom_local_props[] = {
	{ "allow-nat", VT_ENUM, 0, 0, 0, enabled_disabled, NULL, "disabled",
	  "accept peers whose address is translated on the way", NULL, 0 },
	{ "certificate", VT_FILE, 0, 0, 0, NULL, NULL, NULL, "PEM certificate presented to peers", NULL, 0 },
	{ "ip", VT_ADDR, P_REQUIRED, 0, 0, NULL, NULL, NULL, "WAN address ferryd listens on", NULL, 0 },
	{ "key", VT_FILE, 0, 0, 0, NULL, NULL, NULL, "PEM private key of the certificate", NULL, 0 },
	{ "port", VT_INT, 0, 1, 65535, NULL, NULL, "3919", "WAN port ferryd listens on", NULL, 0 },
};

static const struct prop_schema wom_remote_props[] = {
	{ "bandwidth-schedule", VT_REF, P_NONE_OK, 0, 0, NULL, ref_schedule, NULL,
	  "time-of-day rates that override max-rate", NULL, 0 },
	{ "compression", VT_ENUM, 0, 0, 0, compression_words, NULL, "auto",
	  "auto chooses per chunk from link rate and CPU", NULL, 0 },
	{ "deduplication", VT_ENUM, 0, 0, 0, enabled_disabled, NULL, "enabled",
	  "send chunks the peer already holds as references", NULL, 0 },
	DESC,
	{ "encryption", VT_ENUM, 0, 0, 0, enabled_disabled, NULL, "enabled",
	  "TLS 1.3 between the sites", NULL, 0 },
	{ "ip", VT_ADDR, P_REQUIRED, 0, 0, NULL, NULL, NULL, "the peer ferryd's WAN address", NULL, 0 },
	{ "max-rate", VT_RATE, 0, 0, 0, NULL, NULL, NULL, "WAN rate limit: 45mbit, 1gbit", NULL, 0 },
	{ "port", VT_INT, 0, 1, 65535, NULL, NULL, "3919", "the peer's WAN port", NULL, 0 },
	{ "state", VT_ENUM, 0, 0, 0, enabled_disabled, NULL, "enabled",
	  "disabled stops new optimized connections to the peer", NULL, 0 },
};

static const struct prop_schema wom_intercept_props[] = {
	DESC,
	{ "destination", VT_MATCH, 0, 0, 0, NULL, NULL, "any",
	  "A[/len][:port[-port]] the traffic is sent to", NULL, 0 },
	{ "forward-at-limit", VT_ENUM, 0, 0, 0, enabled_disabled, NULL, "enabled",
	  "pass connections unoptimized when max-connections is reached", NULL, 0 },
	{ "max-connections", VT_INT, 0, 1, 1000000, NULL, NULL, "10000",
	  "optimized connections at once", NULL, 0 },
	{ "protocol", VT_ENUM, 0, 0, 0, protocol_words, NULL, "tcp", "tcp, udp or all", NULL, 0 },
	{ "remote-endpoint", VT_REF, 0, 0, 0, NULL, ref_remote_endpoint, NULL,
	  "the peer that carries it; unset: chosen by advertised routes", NULL, 0 },
	{ "source", VT_MATCH, 0, 0, 0, NULL, NULL, "any",
	  "A[/len][:port[-port]] the traffic comes from", NULL, 0 },
};

static const struct prop_schema wom_proxy_props[] = {
	DESC,
	{ "destination", VT_ENDPOINT, P_REQUIRED, 0, 0, NULL, NULL, NULL,
	  "address:port the peer site connects to", NULL, 0 },
	{ "listen", VT_ENDPOINT, P_REQUIRED, 0, 0, NULL, NULL, NULL,
	  "local address:port that accepts connections", NULL, 0 },
	{ "remote-endpoint", VT_REF, P_REQUIRED, 0, 0, NULL, ref_remote_endpoint, NULL,
	  "the peer that carries it", NULL, 0 },
};

static const struct prop_schema wom_schedule_props[] = {
	DESC,
	{ "entries", VT_SCHEDULE, P_LIST, 0, 0, NULL, NULL, NULL,
	  "DAYS HH:MM-HH:MM RATE ...; DAYS: daily, weekdays, weekends, mon..sun", NULL, 0 },
};

static const struct prop_schema wom_advertised_props[] = {
	DESC,
	{ "network", VT_NETWORK, P_REQUIRED, 0, 0, NULL, NULL, NULL,
	  "a network this site offers to its peers", NULL, 0 },
};

#define KIND(id_, mod_, word_, help_, flags_, props_, addr_) \
	{ id_, mod_, word_, help_, flags_, props_, N(props_), addr_ }

/* Dependency order: what is referred to comes first, so printed configs read top-down. */
const struct kind_schema schema_kinds[] = {
	KIND("net vlan", "net", "vlan", "a layer-2 broadcast domain on physical interfaces", 0,
	     vlan_props, NULL),
	KIND("net tunnels tunnel", "net tunnels", "tunnel", "an encapsulating tunnel to another site", 0,
	     tunnel_props, NULL),
	KIND("net vlan-group", "net", "vlan-group", "VLANs and tunnels bridged into one domain", 0,
	     vlan_group_props, NULL),
	KIND("net self", "net", "self", "an IP address of this box on a VLAN, group or tunnel",
	     K_NAME_IS_ADDRESS, self_props, "address"),
	KIND("net route", "net", "route", "a static route", 0, route_props, NULL),
	KIND("wom bandwidth-schedule", "wom", "bandwidth-schedule", "WAN rates by time of day", 0,
	     wom_schedule_props, NULL),
	KIND("wom local-endpoint", "wom", "local-endpoint", "this site's WAN optimizer endpoint",
	     K_SINGLETON, wom_local_props, NULL),
	KIND("wom remote-endpoint", "wom", "remote-endpoint", "a peer site's WAN optimizer", 0,
	     wom_remote_props, NULL),
	KIND("wom intercept", "wom", "intercept", "gateway mode: traffic to optimize, by match", 0,
	     wom_intercept_props, NULL),
	KIND("wom proxy", "wom", "proxy", "proxy mode: a local port carried to a remote destination", 0,
	     wom_proxy_props, NULL),
	KIND("wom advertised-route", "wom", "advertised-route", "a network offered to peer sites", 0,
	     wom_advertised_props, NULL),
};
const size_t schema_n_kinds = N(schema_kinds);

const struct module_schema schema_modules[] = {
	{ "net", "network: VLANs, self IPs, tunnels, VLAN groups, routes" },
	{ "net tunnels", "tunnels" },
	{ "wom", "WAN optimization: endpoints, intercepts, proxies, schedules" },
	{ "sys", "system: config save and load, version" },
	{ "cli", "the shell itself: transactions" },
	{ "util", "utilities (after run)" },
};
const size_t schema_n_modules = N(schema_modules);

const struct module_alias schema_module_aliases[] = {
	{ "net tunnel", "net tunnels" },
};
const size_t schema_n_module_aliases = N(schema_module_aliases);

const struct command_schema schema_commands[] = {
	{ "create", "create an object", "create MODULE KIND NAME [PROPERTY VALUE ...] [{ ... }] | create cli transaction" },
	{ "modify", "change properties of an object", "modify MODULE KIND NAME PROPERTY VALUE ..." },
	{ "delete", "delete objects", "delete MODULE KIND NAME [NAME ...] | delete cli transaction" },
	{ "list", "print configuration", "list [MODULE [KIND [NAME ...]]] [one-line] [all-properties] | list cli transaction" },
	{ "show", "print runtime state", "show MODULE KIND [NAME] | show running-config | show sys version" },
	{ "save", "write the configuration to disk", "save sys config [file FILE]" },
	{ "load", "read configuration from disk", "load sys config [merge] [verify] [file FILE]" },
	{ "edit", "edit objects in $EDITOR, applied as one change", "edit MODULE [KIND [NAME ...]]" },
	{ "run", "run a utility", "run util mac-masquerade derive MAC" },
	{ "submit", "apply the open cli transaction as one change", "submit cli transaction" },
	{ "cd", "change the current module or kind", "cd /net | cd /net vlan-group | cd .. | cd /" },
	{ "help", "describe commands and objects", "help [COMMAND | MODULE KIND]" },
	{ "quit", "leave the shell", "quit" },
	{ "exit", "leave the current module, or the shell at the top", "exit" },
};
const size_t schema_n_commands = N(schema_commands);

const struct kind_schema *schema_kind(const char *id)
{
	for (size_t i = 0; i < schema_n_kinds; i++)
		if (strcmp(schema_kinds[i].id, id) == 0)
			return &schema_kinds[i];
	return NULL;
}

const struct kind_schema *schema_kind_in(const char *module, const char *word)
{
	for (size_t i = 0; i < schema_n_kinds; i++)
		if (strcmp(schema_kinds[i].module, module) == 0 && strcmp(schema_kinds[i].word, word) == 0)
			return &schema_kinds[i];
	return NULL;
}

const struct prop_schema *schema_prop(const struct kind_schema *k, const char *name)
{
	for (size_t i = 0; i < k->n_props; i++)
		if (strcmp(k->props[i].name, name) == 0)
			return &k->props[i];
	return NULL;
}

const struct prop_schema *schema_item_prop(const struct prop_schema *list, const char *name)
{
	for (size_t i = 0; i < list->n_item_props; i++)
		if (strcmp(list->item_props[i].name, name) == 0)
			return &list->item_props[i];
	return NULL;
}

int schema_prop_index(const struct kind_schema *k, const struct prop_schema *p)
{
	return (int)(p - k->props);
}

const struct module_schema *schema_module(const char *path)
{
	for (size_t i = 0; i < schema_n_modules; i++)
		if (strcmp(schema_modules[i].path, path) == 0)
			return &schema_modules[i];
	return NULL;
}

const char *schema_module_canonical(const char *path)
{
	for (size_t i = 0; i < schema_n_module_aliases; i++)
		if (strcmp(schema_module_aliases[i].alias, path) == 0)
			return schema_module_aliases[i].path;
	const struct module_schema *m = schema_module(path);
	return m ? m->path : NULL;
}

bool schema_value_in(const char *const *values, const char *word)
{
	for (; values && *values; values++)
		if (strcmp(*values, word) == 0)
			return true;
	return false;
}

static void join_words(char *buf, size_t len, const char *const *values, const char *sep)
{
	size_t used = 0;
	buf[0] = 0;
	for (const char *const *v = values; v && *v; v++) {
		int n = snprintf(buf + used, len - used, "%s%s", v == values ? "" : sep, *v);
		if (n < 0 || (size_t)n >= len - used)
			break;
		used += (size_t)n;
	}
}

/* "a, b or c" */
static void join_list(char *buf, size_t len, const char *const *values)
{
	size_t n = 0, used = 0;
	while (values && values[n])
		n++;
	buf[0] = 0;
	for (size_t i = 0; i < n; i++) {
		int w = snprintf(buf + used, len - used, "%s%s", i == 0 ? "" : i == n - 1 ? " or " : ", ", values[i]);
		if (w < 0 || (size_t)w >= len - used)
			break;
		used += (size_t)w;
	}
}

const char *vtype_describe(const struct prop_schema *p)
{
	static __thread char buf[256];
	char words[200];
	switch (p->type) {
	case VT_STRING: return "a text (quote it when it holds spaces)";
	case VT_NAME: return "a name";
	case VT_PATH: return "a /partition/name";
	case VT_REF:
		join_list(words, sizeof words, p->ref_kinds);
		snprintf(buf, sizeof buf, "the name of a %s", words);
		return buf;
	case VT_ADDR: return "an IPv4 or IPv6 address";
	case VT_ADDR_ANY: return "an IPv4 or IPv6 address, or any";
	case VT_PREFIX: return "an address with its length, like 10.1.1.1/24 or 2001:db8::1/64";
	case VT_NETWORK: return "a network like 10.1.0.0/16 or 2001:db8::/32, or default";
	case VT_ENDPOINT: return "address:port, like 10.1.1.1:8000 or [2001:db8::1]:8000";
	case VT_MATCH: return "any, or address[/len][:port[-port]]";
	case VT_MAC: return "a MAC address like 02:01:d7:92:c0:c4";
	case VT_INT:
		snprintf(buf, sizeof buf, "an integer %lld..%lld", p->min, p->max);
		return buf;
	case VT_ENUM:
	case VT_PROFILE:
		join_words(words, sizeof words, p->values, " | ");
		snprintf(buf, sizeof buf, "one of %s", words);
		return buf;
	case VT_RATE: return "a rate like 45mbit, 1gbit, 500kbit or bits per second";
	case VT_SERVICE: return "proto:port like tcp:22 or udp:53, or default";
	case VT_SCHEDULE: return "DAYS HH:MM-HH:MM RATE, like weekdays 08:00-18:00 20mbit";
	case VT_FILE: return "a file name";
	case VT_FLAG: return "nothing (a bare keyword)";
	case VT_INT_OR_WORD:
		join_words(words, sizeof words, p->values, " | ");
		snprintf(buf, sizeof buf, "an integer %lld..%lld or %s", p->min, p->max, words);
		return buf;
	}
	return "a value";
}
