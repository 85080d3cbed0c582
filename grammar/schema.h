/* The grammar: every module, object kind and property ferry knows.
 * The parser, printers, validation of types, completion and help all read these tables;
 * nothing else in the tree repeats a property name, range or default. */
#ifndef FERRY_GRAMMAR_SCHEMA_H
#define FERRY_GRAMMAR_SCHEMA_H

#include <stdbool.h>
#include <stddef.h>

enum vtype {
	VT_STRING,       /* free text, quoted when it holds spaces (description) */
	VT_NAME,         /* an interface or other plain name */
	VT_PATH,         /* a /partition/name that ferry does not resolve (traffic-group) */
	VT_REF,          /* a reference to an object of one of prop->ref_kinds */
	VT_ADDR,         /* IPv4 or IPv6 host address */
	VT_ADDR_ANY,     /* host address or the word any */
	VT_PREFIX,       /* address/len (host bits may be set: a self IP's address) */
	VT_NETWORK,      /* address/len with no host bits, or the word default */
	VT_ENDPOINT,     /* address:port, [v6]:port */
	VT_MATCH,        /* address[/len][:port[-port]] or any[:ports] */
	VT_MAC,          /* 48-bit Ethernet address */
	VT_INT,          /* integer in min..max */
	VT_ENUM,         /* one of enum_values */
	VT_PROFILE,      /* a built-in tunnel profile, printed as /Common/NAME */
	VT_RATE,         /* 45mbit, 1gbit, 500kbit, 1000000 (bit/s) */
	VT_SERVICE,      /* proto:port for port lockdown (tcp:22, udp:53, tcp:0 = all tcp), or default */
	VT_SCHEDULE,     /* days HH:MM-HH:MM rate — three words */
	VT_FILE,         /* a file name */
	VT_FLAG,         /* a bare keyword with no value (blackhole) */
	VT_INT_OR_WORD,  /* an integer in min..max or one of enum_values (tos preserve) */
};

enum prop_flags {
	P_LIST      = 1 << 0,  /* { a b } with add / delete / replace-all-with / none */
	P_REQUIRED  = 1 << 1,
	P_BARE      = 1 << 2,  /* inside an item block: the value stands alone (eth3 { tagged }) */
	P_NONE_OK   = 1 << 3,  /* the word none clears a scalar */
};

struct prop_schema {
	const char *name;
	enum vtype type;             /* the scalar's type, or each list item's */
	unsigned flags;
	long long min, max;          /* VT_INT */
	const char *const *values;   /* VT_ENUM, VT_PROFILE, VT_INT_OR_WORD; for lists: scalar words (all) */
	const char *const *ref_kinds;/* VT_REF: kind ids such as "net vlan" */
	const char *default_text;    /* printed by all-properties; NULL = none */
	const char *help;
	const struct prop_schema *item_props; /* P_LIST items that carry a block: eth3 { tagged } */
	size_t n_item_props;
};

enum kind_flags {
	K_NAME_IS_ADDRESS = 1 << 0,  /* create net self 10.1.1.1/24: name 10.1.1.1, address 10.1.1.1/24 */
	K_SINGLETON       = 1 << 1,  /* no name: wom local-endpoint */
};

struct kind_schema {
	const char *id;          /* "net tunnels tunnel": module words then the kind word */
	const char *module;      /* "net tunnels" */
	const char *word;        /* "tunnel" */
	const char *help;
	unsigned flags;
	const struct prop_schema *props;   /* sorted by name: the saved format prints in this order */
	size_t n_props;
	const char *address_prop;          /* K_NAME_IS_ADDRESS: the property the name fills */
};

struct module_schema {
	const char *path;        /* "net", "net tunnels", "wom", "sys", "cli" */
	const char *help;
};

struct command_schema {
	const char *word;
	const char *help;
	const char *usage;
};

extern const struct kind_schema schema_kinds[];
extern const size_t schema_n_kinds;
extern const struct module_schema schema_modules[];
extern const size_t schema_n_modules;
extern const struct command_schema schema_commands[];
extern const size_t schema_n_commands;

/* Legacy spellings users type from older guides ("net tunnel" for "net tunnels"). */
struct module_alias { const char *alias, *path; };
extern const struct module_alias schema_module_aliases[];
extern const size_t schema_n_module_aliases;

const struct kind_schema *schema_kind(const char *id);
const struct kind_schema *schema_kind_in(const char *module, const char *word);
const struct prop_schema *schema_prop(const struct kind_schema *k, const char *name);
const struct prop_schema *schema_item_prop(const struct prop_schema *list, const char *name);
int schema_prop_index(const struct kind_schema *k, const struct prop_schema *p);
const struct module_schema *schema_module(const char *path);
const char *schema_module_canonical(const char *path);  /* resolves aliases; NULL if unknown */
bool schema_value_in(const char *const *values, const char *word);
const char *vtype_describe(const struct prop_schema *p); /* "an integer 1..4094", "a MAC address" */

#endif
