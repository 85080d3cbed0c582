/* The kernel's state as the runtime sees it: every link, ferry's addresses and ferry's routes,
 * read from rtnetlink dumps. Raw messages stay in the dump's memory (the raw pointers), so an
 * object ferry deletes can be put back exactly as it was when an apply rolls back. The diff reads
 * only the parsed fields, so tests can build a state by hand (raw pointers NULL). */
#ifndef FERRY_RUNTIME_STATE_H
#define FERRY_RUNTIME_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "compiler/addr.h"
#include "compiler/plan.h"
#include "runtime/nl.h"

/* What ferry sets when it creates a link and cannot change in place: a change means delete and
 * create again. Fields that do not apply to the kind stay zero, on both sides, so two of them
 * compare with linkparams_equal whatever the kind. */
struct linkparams {
	char kind[16];            /* the kernel's IFLA_INFO_KIND: bridge, vlan, vxlan, geneve, gre,
	                             gretap, ip6gre, ip6gretap, ipip, ip6tnl, tun; "" for none */
	uint32_t id;              /* 802.1Q id, VNI, GRE key */
	bool has_key;             /* GRE: a key is set */
	struct ipaddr local, remote;   /* family 0: unset */
	uint16_t port;            /* VXLAN / Geneve UDP destination port, host order */
	int tos;                  /* -1 inherit, else the value */
	bool tap;                 /* tun: a TAP (not a TUN) */
	char parent[PLAN_IFNAMSIZ];    /* vlan: the lower device's name */
};

bool linkparams_equal(const struct linkparams *a, const struct linkparams *b);

struct klink {
	int ifindex;
	char name[PLAN_IFNAMSIZ];
	unsigned flags;           /* ifi_flags: IFF_UP... */
	int mtu;
	int master;               /* ifindex, 0 for none */
	int link;                 /* IFLA_LINK: the lower device's ifindex, 0 for none */
	bool has_mac;
	uint8_t mac[6];
	char *alias;              /* NULL for none (owned) */
	struct linkparams p;      /* kind and creation parameters; p.parent filled from link */
	char slave_kind[16];      /* "bridge" for a bridge port */
	bool proxy_arp, isolated; /* bridge port flags */
	uint32_t tun_owner;       /* tun: the owner uid, (uint32_t)-1 for none */
	const struct nlattr *info_data;   /* raw IFLA_INFO_DATA, for putting a deleted link back */
	const struct nlmsghdr *raw;
};

struct kaddr {
	int ifindex;
	struct ipprefix prefix;   /* the address (IFA_LOCAL, else IFA_ADDRESS) and its length */
	uint8_t proto;            /* IFA_PROTO */
	uint32_t flags;           /* IFA_FLAGS */
	const struct nlmsghdr *raw;
};

struct kroute {
	struct ipprefix dst;
	uint32_t table, priority;
	uint8_t tos, type, protocol, scope;
	bool has_gw;
	struct ipaddr gw;
	int oif;                  /* 0: none */
	uint32_t mtu;             /* RTAX_MTU, 0 for none */
	bool multipath;           /* RTA_MULTIPATH: ferry never makes one, so it never matches */
	const struct nlmsghdr *raw;
};

/* An index: open addressing over positions in an array (stored as position + 1), each slot with
 * 32 bits of its hash so that most probes compare no key. */
struct kslot {
	uint32_t pos;             /* position + 1, 0 for an empty slot */
	uint32_t tag;
};
struct kindex {
	struct kslot *slots;
	size_t mask;
};

struct kstate {
	struct klink *links;
	size_t n_links, cap_links;
	struct kaddr *addrs;      /* ferry's: on ferry's links (not the kernel's own link-local ones),
	                             or marked with IFA_PROTO FERRY_RT_PROTO anywhere */
	size_t n_addrs, cap_addrs;
	struct kaddr *lladdrs;    /* the kernel's own addresses on ferry's links (IPv6 link-local):
	                             not ferry's to change, kept to put a deleted link back as it was */
	size_t n_lladdrs, cap_lladdrs;
	struct kroute *routes;    /* ferry's: protocol FERRY_RT_PROTO, every table */
	size_t n_routes, cap_routes;
	struct kindex by_name, by_index;   /* over links */
	struct nl_arena arena;    /* the dumps the raw pointers point into */
};

void kstate_init(struct kstate *st);
void kstate_free(struct kstate *st);
/* Adding by hand (tests) or from a dump; the alias is copied. Indexes are rebuilt by kstate_index. */
struct klink *kstate_add_link(struct kstate *st);
struct kaddr *kstate_add_addr(struct kstate *st);
struct kroute *kstate_add_route(struct kstate *st);
void kstate_index(struct kstate *st);
const struct klink *kstate_link(const struct kstate *st, const char *name);
const struct klink *kstate_link_by_index(const struct kstate *st, int ifindex);
bool klink_is_ferry(const struct klink *l);
/* The owner path in a ferry alias ("/Common/x"), or NULL. */
const char *klink_owner(const struct klink *l);
/* Is this address one the kernel made by itself (IPv6 link-local, loopback, router advertised)? */
bool kaddr_is_kernels(const struct kaddr *a);

/* Reads everything with dumps on S. Returns 0, or -1 with errno set (EAGAIN is retried). */
int kstate_read(struct nlsock *s, struct kstate *st);
/* The same, without ferry's routes when ROUTES is false (links and addresses only). */
int kstate_read_some(struct nlsock *s, struct kstate *st, bool routes);
/* Adds to ST ferry's routes to the prefixes KEYS (main table, the kernel's default metric), one
 * RTM_GETROUTE with RTM_F_FIB_MATCH each, all in one batch; a key without one adds nothing.
 * Returns 0; 1 when the kernel's answers cannot say (a blackhole matches, or a longer or foreign
 * route to the same place hides ours): then only a dump tells; -1 when the socket failed. */
int kstate_get_routes(struct nlsock *s, struct kstate *st, const struct ipprefix *keys, size_t n);

/* Hashing helpers shared with the diff. */
uint64_t hash_bytes(const void *p, size_t n, uint64_t h);
void kindex_init(struct kindex *ix, size_t n);   /* room for N entries */
void kindex_free(struct kindex *ix);
void kindex_put(struct kindex *ix, uint64_t h, size_t pos);
/* The position of the first entry with hash H for which EQ says yes, or (size_t)-1. */
size_t kindex_find(const struct kindex *ix, uint64_t h, bool (*eq)(const void *ctx, size_t pos), const void *ctx);

#endif
