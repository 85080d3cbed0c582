/* Validation across objects: references, addresses, uniqueness and the semantic rules.
 *
 * Cost. Every rule that relates two objects is answered by an index lookup, never by a scan:
 * the store carries a `struct vindex` (built on the first validation, then kept in step by
 * store_put/store_take through vindex_changed) that maps keys to the objects holding them:
 *   self address, self network (per prefix length), route network, route gw, references by
 *   target path, tunnel local-address and identity, VLAN interface/tag and untagged interface,
 *   group member and MAC, proxy listen, advertised network, endpoint ips.
 * Self addresses and route gws also sit in crit-bit trees, so "every self / every gw inside
 * N/len" is a walk of one subtree. A gw lookup is one hash probe per self prefix length in use.
 * validate_all checks every object; validate_journal checks only the objects the journal made
 * and the dependents of what it replaced or removed, so a one-object change costs
 * O(that object's related objects) whatever the size of the store.
 * At 100,000 routes a cache miss (~150 ns here) is the unit of cost, so the bulk build indexes
 * objects in memory order with the slot probes prefetched, buckets are arrays (adding a route to
 * a shared gw touches only the bucket), and a gw's verdict is worked out once per call.
 *
 * Messages are collected and reported sorted by location, so a file's errors read top-down.
 * A conflict between two objects is reported once, by the later-defined one (or by the changed
 * one when the other is not being checked). */
#include "compiler/validate.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compiler/addr.h"
#include "compiler/macmask.h"
#include "compiler/util.h"
#include "compiler/value.h"

/* ---- the kinds and properties validation reads, resolved once ---- */

#define MAX_KINDS 32
#define MAX_PROPS 32
#define MAX_REF_KINDS 4

static struct {
	bool ready;
	const struct kind_schema *vlan, *tunnel, *group, *self, *route, *sched, *local, *remote, *icpt, *proxy,
		*adv;
	int vlan_ifs, vlan_tag, vlan_tagging;
	int self_addr, self_vlan;
	int tun_key, tun_local, tun_profile, tun_remote;
	int grp_mac, grp_members;
	int rt_blackhole, rt_gw, rt_if, rt_net;
	int sch_entries;
	int loc_ip, rem_ip;
	int icp_dst, icp_src;
	int px_listen;
	int adv_net;
	const struct kind_schema *refk[MAX_KINDS][MAX_PROPS][MAX_REF_KINDS + 1];
} K;

static size_t kidx(const struct kind_schema *k)
{
	return (size_t)(k - schema_kinds);
}

static const struct kind_schema *kind_or_die(const char *id)
{
	const struct kind_schema *k = schema_kind(id);
	if (!k) {
		fprintf(stderr, "ferry: validate: the grammar has no kind '%s'\n", id);
		abort();
	}
	return k;
}

static int prop_or_die(const struct kind_schema *k, const char *name)
{
	const struct prop_schema *p = schema_prop(k, name);
	if (!p) {
		fprintf(stderr, "ferry: validate: %s has no property '%s'\n", k->id, name);
		abort();
	}
	return (int)(p - k->props);
}

static void kinds_init(void)
{
	if (K.ready)
		return;
	if (schema_n_kinds > MAX_KINDS)
		abort();
	K.vlan = kind_or_die("net vlan");
	K.tunnel = kind_or_die("net tunnels tunnel");
	K.group = kind_or_die("net vlan-group");
	K.self = kind_or_die("net self");
	K.route = kind_or_die("net route");
	K.sched = kind_or_die("wom bandwidth-schedule");
	K.local = kind_or_die("wom local-endpoint");
	K.remote = kind_or_die("wom remote-endpoint");
	K.icpt = kind_or_die("wom intercept");
	K.proxy = kind_or_die("wom proxy");
	K.adv = kind_or_die("wom advertised-route");
	K.vlan_ifs = prop_or_die(K.vlan, "interfaces");
	K.vlan_tag = prop_or_die(K.vlan, "tag");
	const struct prop_schema *ifs = &K.vlan->props[K.vlan_ifs];
	const struct prop_schema *tagging = schema_item_prop(ifs, "tagging");
	if (!tagging)
		abort();
	K.vlan_tagging = (int)(tagging - ifs->item_props);
	K.self_addr = prop_or_die(K.self, "address");
	K.self_vlan = prop_or_die(K.self, "vlan");
	K.tun_key = prop_or_die(K.tunnel, "key");
	K.tun_local = prop_or_die(K.tunnel, "local-address");
	K.tun_profile = prop_or_die(K.tunnel, "profile");
	K.tun_remote = prop_or_die(K.tunnel, "remote-address");
	K.grp_mac = prop_or_die(K.group, "mac-masquerade");
	K.grp_members = prop_or_die(K.group, "members");
	K.rt_blackhole = prop_or_die(K.route, "blackhole");
	K.rt_gw = prop_or_die(K.route, "gw");
	K.rt_if = prop_or_die(K.route, "interface");
	K.rt_net = prop_or_die(K.route, "network");
	K.sch_entries = prop_or_die(K.sched, "entries");
	K.loc_ip = prop_or_die(K.local, "ip");
	K.rem_ip = prop_or_die(K.remote, "ip");
	K.icp_dst = prop_or_die(K.icpt, "destination");
	K.icp_src = prop_or_die(K.icpt, "source");
	K.px_listen = prop_or_die(K.proxy, "listen");
	K.adv_net = prop_or_die(K.adv, "network");
	for (size_t k = 0; k < schema_n_kinds; k++) {
		const struct kind_schema *ks = &schema_kinds[k];
		if (ks->n_props > MAX_PROPS)
			abort();
		for (size_t p = 0; p < ks->n_props; p++) {
			const char *const *rk = ks->props[p].ref_kinds;
			for (size_t i = 0; rk && rk[i]; i++) {
				if (i >= MAX_REF_KINDS)
					abort();
				K.refk[k][p][i] = kind_or_die(rk[i]);
			}
		}
	}
	K.ready = true;
}

static const struct kind_schema *const *ref_kinds(const struct kind_schema *k, int prop)
{
	return K.refk[kidx(k)][prop];
}

static bool kind_in(const struct kind_schema *const *list, const struct kind_schema *k)
{
	for (; *list; list++)
		if (*list == k)
			return true;
	return false;
}

/* ---- small helpers over objects ---- */

static const char *val(const struct object *o, int prop)
{
	const struct propval *v = &o->props[prop];
	return v->set ? v->text : NULL;
}

static bool loc_known(struct srcloc l)
{
	return l.file || l.line;
}

/* Where a message about a property goes: its value when it was given, else the object. */
static struct srcloc vloc(const struct object *o, int prop)
{
	const struct propval *v = &o->props[prop];
	return v->set && loc_known(v->loc) ? v->loc : o->loc;
}

static struct srcloc iloc(const struct object *o, const struct item *it)
{
	return loc_known(it->loc) ? it->loc : o->loc;
}

static void label(char *buf, size_t len, const struct object *o)
{
	if (o->kind->flags & K_SINGLETON)
		snprintf(buf, len, "%s", o->kind->id);
	else
		snprintf(buf, len, "%s %s", o->kind->id, o->path);
}

static int loc_cmp(struct srcloc a, struct srcloc b)
{
	if (a.file != b.file) {
		if (!a.file || !b.file)
			return a.file ? 1 : -1;
		int r = strcmp(a.file, b.file);
		if (r)
			return r;
	}
	if (a.line != b.line)
		return a.line < b.line ? -1 : 1;
	if (a.col != b.col)
		return a.col < b.col ? -1 : 1;
	return 0;
}

/* Definition order: where each was defined, then kind and path so the order is total. */
static bool defined_before(const struct object *a, const struct object *b)
{
	int r = loc_cmp(a->loc, b->loc);
	if (r)
		return r < 0;
	if (a->kind != b->kind)
		return kidx(a->kind) < kidx(b->kind);
	return strcmp(a->path, b->path) < 0;
}

static const char *article(const char *word)
{
	return strchr("aeiouAEIOU", word[0]) ? "an" : "a";
}

static const char *family_name(int family)
{
	return family == AF_INET6 ? "IPv6" : "IPv4";
}

static int fam_index(int family)
{
	return family == AF_INET6 ? 1 : 0;
}

/* A network value: A/len, default (IPv4) or default-inet6. */
static bool parse_network(const char *text, struct ipprefix *p)
{
	memset(p, 0, sizeof *p);
	if (strcmp(text, "default") == 0) {
		p->addr.family = AF_INET;
		return true;
	}
	if (strcmp(text, "default-inet6") == 0) {
		p->addr.family = AF_INET6;
		return true;
	}
	return ip_parse_prefix(text, p);
}

static void format_prefix(const struct ipprefix *p, char *buf, size_t len)
{
	char a[IP_STRLEN];
	ip_format(&p->addr, a);
	snprintf(buf, len, "%s/%d", a, p->len);
}

/* ---- the index: keys to the objects that hold them ---- */

enum ix {
	IX_SELF_ADDR = 1,   /* [fam][16]: self IPs by address (also in tree_self) */
	IX_SELF_NET,        /* [fam][len][16]: self IPs by masked network */
	IX_ROUTE_NET,       /* [fam][len][16]: routes by network */
	IX_ROUTE_GW,        /* [fam][16]: routes by gw (also in tree_gw) */
	IX_REF,             /* path: objects referring to it, node->prop says through which property */
	IX_TUN_LOCAL,       /* [fam][16]: tunnels by local-address */
	IX_TUN_ID,          /* profile, local, remote, key: what tells a tunnel apart on the wire */
	IX_VLAN_TAG,        /* interface \0 tag: VLANs carrying the interface tagged */
	IX_VLAN_UNTAG,      /* interface: VLANs carrying it untagged */
	IX_GROUP_MEMBER,    /* member path: groups */
	IX_GROUP_MAC,       /* mac text: groups */
	IX_PROXY_LISTEN,    /* endpoint text: proxies */
	IX_ADV_NET,         /* [fam][len][16]: advertised routes */
	IX_LOCAL_IP,        /* [fam][16]: the local endpoint */
	IX_REMOTE_IP,       /* [fam][16]: remote endpoints */
};

struct xbucket;

struct xnode {                  /* one key of one object */
	struct xbucket *b;
	struct object *o;
	uint32_t pos;               /* in b->v */
	uint32_t item;              /* the list item the key comes from */
	uint8_t prop;               /* the property it comes from */
};

/* The objects holding one key. An array, not a list: adding to a bucket that many objects share
 * (a gw) touches only the bucket, which stays in cache, never another object's record. */
struct xbucket {
	uint64_t h;
	struct xnode **v;           /* &inl while it holds one */
	uint32_t count, cap;
	struct xnode *inl;
	unsigned long stamp;        /* route gw buckets: the call that memoized the two below */
	const struct xbucket *self_at; /* the self IPs with this address */
	bool on_net;                /* inside some self IP's network */
	uint32_t klen;
	unsigned char key[];        /* key[0] is the enum ix */
};

/* for each node X of bucket B (may be NULL); continue works, break does not */
#define EACH(x, b) \
	for (uint32_t x##_i = 0, x##_n = (b) ? (b)->count : 0; x##_i < x##_n; x##_i++) \
		for (const struct xnode *x = (b)->v[x##_i]; x; x = NULL)

struct vrec {                   /* an indexed object's keys and parsed values */
	struct vrec *prev, *next;   /* every indexed object, in the order it was indexed */
	struct object *o;
	unsigned long stamp;        /* the validation call that checked it fully */
	unsigned long dep_stamp;    /* the call that reported it as a dependent */
	bool has_p, has_a;
	struct ipprefix p;          /* self address; route or advertised network */
	struct ipaddr a;            /* route gw; tunnel local-address; endpoint ip */
	uint32_t n;
	struct xnode nodes[];
};

#define CB_KEYLEN 17            /* family byte + 16 address bytes */

struct cbnode {
	void *child[2];             /* a tagged struct cbnode (low bit 1) or a struct xbucket */
	uint32_t bit;               /* the first bit, from the top, in which the two sides differ */
};

struct spec {                   /* a key found for an object, before it is linked */
	uint8_t ix, prop;
	uint32_t item;
	size_t off, len;            /* in vindex.keys */
	uint64_t h;
	struct vrec *r;             /* bulk builds: whose node it becomes */
	uint32_t node;
};

struct xslot {                  /* the hash sits in the slot: a probe reads no bucket it skips */
	uint64_t h;
	struct xbucket *b;
};

struct vindex {
	struct xslot *slots;        /* open addressing, linear probing, at most half full */
	size_t cap, n;
	void *tree_self, *tree_gw;  /* crit-bit trees of IX_SELF_ADDR and IX_ROUTE_GW buckets */
	struct vrec *first, *last;  /* indexing order: memory order after a build, so walks stream */
	uint32_t lens[2][129];      /* self IPs per family and prefix length */
	unsigned long stamp;        /* validation calls so far */
	/* scratch for indexing one object */
	struct spec *specs;
	size_t n_specs, cap_specs;
	struct strbuf keys;
};

/* A key under construction. */
struct key {
	unsigned char *p;
	size_t n, cap;
	unsigned char inl[64];
};

static void key_init(struct key *k, enum ix ix)
{
	k->p = k->inl;
	k->cap = sizeof k->inl;
	k->n = 1;
	k->p[0] = (unsigned char)ix;
}

static void key_put(struct key *k, const void *data, size_t n)
{
	if (k->n + n > k->cap) {
		size_t cap = (k->n + n) * 2;
		unsigned char *p = xmalloc(cap);
		memcpy(p, k->p, k->n);
		if (k->p != k->inl)
			free(k->p);
		k->p = p;
		k->cap = cap;
	}
	memcpy(k->p + k->n, data, n);
	k->n += n;
}

static void key_free(struct key *k)
{
	if (k->p != k->inl)
		free(k->p);
}

static void key_addr(struct key *k, enum ix ix, const struct ipaddr *a)
{
	unsigned char b[CB_KEYLEN];
	b[0] = a->family == AF_INET6 ? 6 : 4;
	memset(b + 1, 0, 16);
	memcpy(b + 1, a->a, a->family == AF_INET6 ? 16 : 4);
	key_init(k, ix);
	key_put(k, b, sizeof b);
}

static void key_net(struct key *k, enum ix ix, const struct ipprefix *p)
{
	struct ipprefix net;
	unsigned char b[2 + 16];
	prefix_network(p, &net);
	b[0] = p->addr.family == AF_INET6 ? 6 : 4;
	b[1] = (unsigned char)p->len;
	memset(b + 2, 0, 16);
	memcpy(b + 2, net.addr.a, p->addr.family == AF_INET6 ? 16 : 4);
	key_init(k, ix);
	key_put(k, b, sizeof b);
}

static void key_text(struct key *k, enum ix ix, const char *text)
{
	key_init(k, ix);
	key_put(k, text, strlen(text));
}

static uint64_t hash_bytes(const unsigned char *p, size_t n)
{
	uint64_t h = 1469598103934665603ULL;
	for (size_t i = 0; i < n; i++) {
		h ^= p[i];
		h *= 1099511628211ULL;
	}
	h ^= h >> 29;                /* the low bits pick the slot: fold the high ones in */
	h *= 0xbf58476d1ce4e5b9ULL;
	h ^= h >> 32;
	return h;
}

static struct xbucket *bucket_get(const struct vindex *x, const struct key *k)
{
	if (!x->n)
		return NULL;
	uint64_t h = hash_bytes(k->p, k->n);
	size_t mask = x->cap - 1;
	for (size_t i = h & mask; x->slots[i].b; i = (i + 1) & mask) {
		const struct xbucket *b = x->slots[i].b;
		if (x->slots[i].h == h && b->klen == k->n && memcmp(b->key, k->p, k->n) == 0)
			return x->slots[i].b;
	}
	return NULL;
}

static void table_grow(struct vindex *x)
{
	size_t old_cap = x->cap;
	struct xslot *old = x->slots;
	x->cap = old_cap ? old_cap * 2 : 256;
	x->slots = xcalloc(x->cap, sizeof *x->slots);
	size_t mask = x->cap - 1;
	for (size_t i = 0; i < old_cap; i++) {
		if (!old[i].b)
			continue;
		size_t j = old[i].h & mask;
		while (x->slots[j].b)
			j = (j + 1) & mask;
		x->slots[j] = old[i];
	}
	free(old);
}

/* ---- crit-bit trees of 17-byte address keys ---- */

#define CB_IS_NODE(p) (((uintptr_t)(p)) & 1)
#define CB_NODE(p) ((struct cbnode *)((uintptr_t)(p) - 1))

static const unsigned char *cb_key(const void *leaf)
{
	return ((const struct xbucket *)leaf)->key + 1;
}

static int cb_dir(const unsigned char *k, uint32_t bit)
{
	return (k[bit >> 3] >> (7 - (bit & 7))) & 1;
}

static void cb_insert(void **root, struct xbucket *leaf)
{
	const unsigned char *k = cb_key(leaf);
	if (!*root) {
		*root = leaf;
		return;
	}
	void *p = *root;
	while (CB_IS_NODE(p))
		p = CB_NODE(p)->child[cb_dir(k, CB_NODE(p)->bit)];
	const unsigned char *q = cb_key(p);
	size_t i = 0;
	while (i < CB_KEYLEN && k[i] == q[i])
		i++;
	if (i == CB_KEYLEN)
		return;
	unsigned diff = (unsigned)(k[i] ^ q[i]);
	int top = 7;
	while (!((diff >> top) & 1))
		top--;
	uint32_t bit = (uint32_t)(i * 8 + (size_t)(7 - top));
	int dir = cb_dir(k, bit);
	struct cbnode *n = xmalloc(sizeof *n);
	n->bit = bit;
	n->child[dir] = leaf;
	void **slot = root;
	while (CB_IS_NODE(*slot) && CB_NODE(*slot)->bit < bit)
		slot = &CB_NODE(*slot)->child[cb_dir(k, CB_NODE(*slot)->bit)];
	n->child[1 - dir] = *slot;
	*slot = (void *)((uintptr_t)n | 1);
}

static void cb_remove(void **root, struct xbucket *leaf)
{
	const unsigned char *k = cb_key(leaf);
	void **slot = root, **parent_slot = NULL;
	struct cbnode *parent = NULL;
	int dir = 0;
	while (*slot && CB_IS_NODE(*slot)) {
		parent_slot = slot;
		parent = CB_NODE(*slot);
		dir = cb_dir(k, parent->bit);
		slot = &parent->child[dir];
	}
	if (*slot != leaf)
		return;
	if (!parent) {
		*root = NULL;
		return;
	}
	*parent_slot = parent->child[1 - dir];
	free(parent);
}

static void cb_free(void *p)
{
	if (p && CB_IS_NODE(p)) {
		cb_free(CB_NODE(p)->child[0]);
		cb_free(CB_NODE(p)->child[1]);
		free(CB_NODE(p));
	}
}

struct bvec { struct xbucket **v; size_t n, cap; };

static void cb_collect(void *p, struct bvec *out)
{
	if (CB_IS_NODE(p)) {
		cb_collect(CB_NODE(p)->child[0], out);
		cb_collect(CB_NODE(p)->child[1], out);
		return;
	}
	if (out->n == out->cap) {
		out->cap = out->cap ? out->cap * 2 : 16;
		out->v = xrealloc(out->v, out->cap * sizeof *out->v);
	}
	out->v[out->n++] = p;
}

static bool prefix_bits_equal(const unsigned char *a, const unsigned char *b, uint32_t bits)
{
	uint32_t bytes = bits / 8, rest = bits % 8;
	if (memcmp(a, b, bytes) != 0)
		return false;
	if (!rest)
		return true;
	unsigned char mask = (unsigned char)(0xff << (8 - rest));
	return (a[bytes] & mask) == (b[bytes] & mask);
}

/* The buckets whose address lies in P, in address order. */
static void cb_within(void *root, const struct ipprefix *p, struct bvec *out)
{
	out->n = 0;
	if (!root)
		return;
	unsigned char k[CB_KEYLEN];
	k[0] = p->addr.family == AF_INET6 ? 6 : 4;
	memset(k + 1, 0, 16);
	memcpy(k + 1, p->addr.a, p->addr.family == AF_INET6 ? 16 : 4);
	uint32_t bits = 8 + (uint32_t)p->len;
	void *n = root;
	while (CB_IS_NODE(n) && CB_NODE(n)->bit < bits)
		n = CB_NODE(n)->child[cb_dir(k, CB_NODE(n)->bit)];
	void *leaf = n;
	while (CB_IS_NODE(leaf))
		leaf = CB_NODE(leaf)->child[0];
	if (prefix_bits_equal(cb_key(leaf), k, bits))
		cb_collect(n, out);
}

/* ---- buckets ---- */

static bool in_tree(unsigned char ix)
{
	return ix == IX_SELF_ADDR || ix == IX_ROUTE_GW;
}

static void **tree_root(struct vindex *x, unsigned char ix)
{
	return ix == IX_SELF_ADDR ? &x->tree_self : &x->tree_gw;
}

static struct xbucket *bucket_add(struct vindex *x, const unsigned char *key, size_t n, uint64_t h)
{
	if ((x->n + 1) * 2 > x->cap)
		table_grow(x);
	size_t mask = x->cap - 1, i;
	for (i = h & mask; x->slots[i].b; i = (i + 1) & mask) {
		struct xbucket *b = x->slots[i].b;
		if (x->slots[i].h == h && b->klen == n && memcmp(b->key, key, n) == 0)
			return b;
	}
	struct xbucket *b = xcalloc(1, sizeof *b + n);
	b->v = &b->inl;
	b->cap = 1;
	b->h = h;
	b->klen = (uint32_t)n;
	memcpy(b->key, key, n);
	x->slots[i] = (struct xslot){ h, b };
	x->n++;
	if (in_tree(key[0]))
		cb_insert(tree_root(x, key[0]), b);
	return b;
}

static void bucket_drop(struct vindex *x, struct xbucket *b)
{
	size_t mask = x->cap - 1;
	size_t i = b->h & mask;
	while (x->slots[i].b != b)
		i = (i + 1) & mask;
	x->slots[i].b = NULL;
	for (size_t j = (i + 1) & mask; x->slots[j].b; j = (j + 1) & mask) {
		size_t home = x->slots[j].h & mask;
		bool movable = (j > i) ? (home <= i || home > j) : (home <= i && home > j);
		if (movable) {
			x->slots[i] = x->slots[j];
			x->slots[j].b = NULL;
			i = j;
		}
	}
	x->n--;
	if (in_tree(b->key[0]))
		cb_remove(tree_root(x, b->key[0]), b);
	if (b->v != &b->inl)
		free(b->v);
	free(b);
}

/* ---- indexing one object ---- */

static void spec_add(struct vindex *x, const struct key *k, int prop, size_t item)
{
	if (x->n_specs == x->cap_specs) {
		x->cap_specs = x->cap_specs ? x->cap_specs * 2 : 16;
		x->specs = xrealloc(x->specs, x->cap_specs * sizeof *x->specs);
	}
	x->specs[x->n_specs++] = (struct spec){ k->p[0], (uint8_t)prop, (uint32_t)item, x->keys.len, k->n,
						hash_bytes(k->p, k->n), NULL, 0 };
	sb_putn(&x->keys, (const char *)k->p, k->n);
}

static void spec_text(struct vindex *x, enum ix ix, const char *text, int prop, size_t item)
{
	struct key k;
	key_text(&k, ix, text);
	spec_add(x, &k, prop, item);
	key_free(&k);
}

static const char *item_tagging(const struct item *it)
{
	const struct propval *a = it->attrs ? &it->attrs[K.vlan_tagging] : NULL;
	return a && a->set && a->text ? a->text : "untagged";
}

static const char *profile_word(const struct object *tunnel)
{
	const char *p = val(tunnel, K.tun_profile);
	return p ? path_basename(p) : NULL;
}

static void tunnel_id(struct strbuf *sb, const struct object *t)
{
	const char *remote = val(t, K.tun_remote), *key = val(t, K.tun_key);
	sb_printf(sb, "%s|%s|%s|%s", profile_word(t), val(t, K.tun_local), remote ? remote : "any", key ? key : "0");
}

/* Parses O's values and lists its keys in X's scratch. */
static void object_keys(struct vindex *x, const struct object *o, struct vrec *r)
{
	const struct kind_schema *k = o->kind;
	struct key key;
	const char *t;
	for (size_t i = 0; i < k->n_props; i++) {
		const struct prop_schema *p = &k->props[i];
		const struct propval *v = &o->props[i];
		if (p->type != VT_REF || !v->set)
			continue;
		if (p->flags & P_LIST) {
			for (size_t n = 0; n < v->n_items; n++)
				spec_text(x, IX_REF, v->items[n].key, (int)i, n);
		} else if (v->text) {
			spec_text(x, IX_REF, v->text, (int)i, 0);
		}
	}
	if (k == K.self) {
		if ((t = val(o, K.self_addr)) && ip_parse_prefix(t, &r->p)) {
			r->has_p = true;
			key_addr(&key, IX_SELF_ADDR, &r->p.addr);
			spec_add(x, &key, K.self_addr, 0);
			key_net(&key, IX_SELF_NET, &r->p);
			spec_add(x, &key, K.self_addr, 0);
		}
	} else if (k == K.route) {
		if ((t = val(o, K.rt_net)) && parse_network(t, &r->p)) {
			r->has_p = true;
			key_net(&key, IX_ROUTE_NET, &r->p);
			spec_add(x, &key, K.rt_net, 0);
		}
		if ((t = val(o, K.rt_gw)) && ip_parse(t, &r->a)) {
			r->has_a = true;
			key_addr(&key, IX_ROUTE_GW, &r->a);
			spec_add(x, &key, K.rt_gw, 0);
		}
	} else if (k == K.tunnel) {
		if ((t = val(o, K.tun_local)) && ip_parse(t, &r->a)) {
			r->has_a = true;
			key_addr(&key, IX_TUN_LOCAL, &r->a);
			spec_add(x, &key, K.tun_local, 0);
		}
		const char *prof = profile_word(o);
		if (prof && t && strcmp(prof, "wan-optimized") != 0) {
			struct strbuf sb;
			sb_init(&sb);
			tunnel_id(&sb, o);
			spec_text(x, IX_TUN_ID, sb.buf, K.tun_local, 0);
			sb_free(&sb);
		}
	} else if (k == K.vlan) {
		const struct propval *ifs = &o->props[K.vlan_ifs];
		const char *tag = val(o, K.vlan_tag);
		for (size_t n = 0; n < ifs->n_items; n++) {
			const struct item *it = &ifs->items[n];
			if (strcmp(item_tagging(it), "tagged") == 0) {
				if (!tag)
					continue;
				key_text(&key, IX_VLAN_TAG, it->key);
				key_put(&key, "", 1);
				key_put(&key, tag, strlen(tag));
				spec_add(x, &key, K.vlan_ifs, n);
				key_free(&key);
			} else {
				spec_text(x, IX_VLAN_UNTAG, it->key, K.vlan_ifs, n);
			}
		}
	} else if (k == K.group) {
		const struct propval *m = &o->props[K.grp_members];
		for (size_t n = 0; n < m->n_items; n++)
			spec_text(x, IX_GROUP_MEMBER, m->items[n].key, K.grp_members, n);
		if ((t = val(o, K.grp_mac)))
			spec_text(x, IX_GROUP_MAC, t, K.grp_mac, 0);
	} else if (k == K.proxy) {
		if ((t = val(o, K.px_listen)))
			spec_text(x, IX_PROXY_LISTEN, t, K.px_listen, 0);
	} else if (k == K.adv) {
		if ((t = val(o, K.adv_net)) && parse_network(t, &r->p)) {
			r->has_p = true;
			key_net(&key, IX_ADV_NET, &r->p);
			spec_add(x, &key, K.adv_net, 0);
		}
	} else if (k == K.local || k == K.remote) {
		int ip = k == K.local ? K.loc_ip : K.rem_ip;
		if ((t = val(o, ip)) && ip_parse(t, &r->a)) {
			r->has_a = true;
			key_addr(&key, k == K.local ? IX_LOCAL_IP : IX_REMOTE_IP, &r->a);
			spec_add(x, &key, ip, 0);
		}
	}
}

/* A record for O with room for N keys, its parsed values copied from PARSED, last in the list. */
static struct vrec *vrec_make(struct vindex *x, struct object *o, const struct vrec *parsed, size_t n)
{
	struct vrec *r = xmalloc(sizeof *r + n * sizeof(struct xnode));
	*r = *parsed;
	r->n = (uint32_t)n;
	r->o = o;
	r->next = NULL;
	r->prev = x->last;
	if (x->last)
		x->last->next = r;
	else
		x->first = r;
	x->last = r;
	if (o->kind == K.self && r->has_p)
		x->lens[fam_index(r->p.addr.family)][r->p.len]++;
	o->vrec = r;
	return r;
}

static void node_link(struct vindex *x, struct vrec *r, uint32_t i, const struct spec *s)
{
	struct xbucket *b = bucket_add(x, (const unsigned char *)x->keys.buf + s->off, s->len, s->h);
	struct xnode *n = &r->nodes[i];
	n->o = r->o;
	n->b = b;
	n->item = s->item;
	n->prop = s->prop;
	if (b->count == b->cap) {
		struct xnode **v = xmalloc(b->cap * 2 * sizeof *v);
		memcpy(v, b->v, b->count * sizeof *v);
		if (b->v != &b->inl)
			free(b->v);
		b->v = v;
		b->cap *= 2;
	}
	n->pos = b->count;
	b->v[b->count++] = n;
}

static void index_object(struct vindex *x, struct object *o)
{
	struct vrec parsed;
	memset(&parsed, 0, sizeof parsed);
	x->n_specs = 0;
	x->keys.len = 0;
	object_keys(x, o, &parsed);
	struct vrec *r = vrec_make(x, o, &parsed, x->n_specs);
	for (size_t i = 0; i < x->n_specs; i++)
		node_link(x, r, (uint32_t)i, &x->specs[i]);
}

/* Indexes many objects at once, a chunk at a time: the chunk's keys first, then the links, each
 * slot fetched well before it is needed. A slot probe is a cache miss in a table of 100,000 keys;
 * overlapped, it costs little, and the chunk's scratch stays in cache. */
static void index_bulk(struct vindex *x, struct object **objs, size_t n)
{
	enum { CHUNK = 1024, AHEAD = 16 };
	while ((x->n + n * 2) * 3 > x->cap * 2)    /* about two keys an object; grown later if more */
		table_grow(x);
	for (size_t from = 0; from < n; from += CHUNK) {
		size_t to = from + CHUNK < n ? from + CHUNK : n;
		x->n_specs = 0;
		x->keys.len = 0;
		for (size_t i = from; i < to; i++) {
			struct vrec parsed;
			memset(&parsed, 0, sizeof parsed);
			size_t start = x->n_specs;
			object_keys(x, objs[i], &parsed);
			struct vrec *r = vrec_make(x, objs[i], &parsed, x->n_specs - start);
			for (size_t k = start; k < x->n_specs; k++) {
				x->specs[k].r = r;
				x->specs[k].node = (uint32_t)(k - start);
			}
		}
		while ((x->n + x->n_specs) * 3 > x->cap * 2)
			table_grow(x);
		size_t mask = x->cap - 1;
		for (size_t k = 0; k < x->n_specs; k++) {
			if (k + AHEAD < x->n_specs)
				__builtin_prefetch(&x->slots[x->specs[k + AHEAD].h & mask]);
			node_link(x, x->specs[k].r, x->specs[k].node, &x->specs[k]);
		}
	}
	x->n_specs = 0;
	x->keys.len = 0;
}

static void unindex_object(struct vindex *x, struct object *o)
{
	struct vrec *r = o->vrec;
	for (uint32_t i = 0; i < r->n; i++) {
		struct xnode *n = &r->nodes[i];
		struct xbucket *b = n->b;
		struct xnode *moved = b->v[--b->count];
		b->v[n->pos] = moved;
		moved->pos = n->pos;
		if (b->count == 0)
			bucket_drop(x, b);
	}
	if (r->prev)
		r->prev->next = r->next;
	else
		x->first = r->next;
	if (r->next)
		r->next->prev = r->prev;
	else
		x->last = r->prev;
	if (o->kind == K.self && r->has_p)
		x->lens[fam_index(r->p.addr.family)][r->p.len]--;
	free(r);
	o->vrec = NULL;
}

void vindex_changed(struct vindex *x, struct object *removed, struct object *added)
{
	if (removed && removed->vrec)
		unindex_object(x, removed);
	if (added) {
		if (added->vrec)      /* indexed elsewhere: cannot happen, but never link it twice */
			unindex_object(x, added);
		index_object(x, added);
	}
}

void vindex_free(struct vindex *x)
{
	if (!x)
		return;
	for (size_t i = 0; i < x->cap; i++) {
		struct xbucket *b = x->slots[i].b;
		if (b && b->v != &b->inl)
			free(b->v);
		free(b);
	}
	free(x->slots);
	cb_free(x->tree_self);
	cb_free(x->tree_gw);
	free(x->specs);
	sb_free(&x->keys);
	free(x);
}

struct objvec { struct object **v; size_t n; };

static void collect_one(struct object *o, void *arg)
{
	struct objvec *ov = arg;
	ov->v[ov->n++] = o;
}

static int by_address(const void *a, const void *b)
{
	uintptr_t x = (uintptr_t)*(struct object *const *)a, y = (uintptr_t)*(struct object *const *)b;
	return x < y ? -1 : x > y;
}

/* The store's index, built on first use; store_put/store_take keep it current from then on. */
static struct vindex *store_index(const struct store *cs)
{
	struct store *s = (struct store *)cs;   /* the index is a cache: building it changes no object */
	if (s->index)
		return s->index;
	struct vindex *x = xcalloc(1, sizeof *x);
	sb_init(&x->keys);
	/* In memory order, which is the order the objects were made in: reading them, their values
	 * and the records made for them then streams instead of jumping (a miss costs ~150 ns). */
	struct objvec ov = { xmalloc((s->count + 1) * sizeof *ov.v), 0 };
	for (size_t k = 0; k < schema_n_kinds; k++)
		store_each(s, &schema_kinds[k], collect_one, &ov);
	qsort(ov.v, ov.n, sizeof *ov.v, by_address);
	index_bulk(x, ov.v, ov.n);
	free(ov.v);
	s->index = x;
	return x;
}

static struct xbucket *lookup_addr(const struct vindex *x, enum ix ix, const struct ipaddr *a)
{
	struct key k;
	key_addr(&k, ix, a);
	return bucket_get(x, &k);
}

static struct xbucket *lookup_net(const struct vindex *x, enum ix ix, const struct ipprefix *p)
{
	struct key k;
	key_net(&k, ix, p);
	return bucket_get(x, &k);
}

static struct xbucket *lookup_text(const struct vindex *x, enum ix ix, const char *text)
{
	struct key k;
	key_text(&k, ix, text);
	struct xbucket *b = bucket_get(x, &k);
	key_free(&k);
	return b;
}

/* O's own bucket for index IX (the first key of that index). */
static struct xbucket *own_bucket(const struct object *o, enum ix ix)
{
	const struct vrec *r = o->vrec;
	for (uint32_t i = 0; r && i < r->n; i++)
		if (r->nodes[i].b->key[0] == ix)
			return r->nodes[i].b;
	return NULL;
}

/* ---- a validation call ---- */

struct msg {
	struct srcloc loc;
	bool warning;
	size_t seq;
	char *text;
};

struct removal { const struct kind_schema *kind; const char *path; struct srcloc loc; };

struct vctx {
	const struct store *s;
	struct vindex *x;
	const struct journal *j;    /* NULL: every object is checked */
	unsigned long stamp;
	struct msg *msgs;
	size_t n_msgs, cap_msgs;
	struct removal *rm;         /* journal mode: what the journal removed, hashed by path */
	size_t rm_cap;
	struct bvec scratch;
};

__attribute__((format(printf, 5, 6)))
static void say(struct vctx *c, bool warning, struct srcloc loc, const struct object *o, const char *fmt, ...)
{
	char body[2048], who[700];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(body, sizeof body, fmt, ap);
	va_end(ap);
	if (c->n_msgs == c->cap_msgs) {
		c->cap_msgs = c->cap_msgs ? c->cap_msgs * 2 : 16;
		c->msgs = xrealloc(c->msgs, c->cap_msgs * sizeof *c->msgs);
	}
	struct msg *m = &c->msgs[c->n_msgs];
	m->loc = loc;
	m->warning = warning;
	m->seq = c->n_msgs++;
	if (o) {
		label(who, sizeof who, o);
		m->text = xasprintf("%s: %s", who, body);
	} else {
		m->text = xstrdup(body);
	}
}

#define ERR(c, loc, o, ...) say((c), false, (loc), (o), __VA_ARGS__)
#define WARN(c, loc, o, ...) say((c), true, (loc), (o), __VA_ARGS__)

static int msg_cmp(const void *a, const void *b)
{
	const struct msg *x = a, *y = b;
	int r = loc_cmp(x->loc, y->loc);
	if (r)
		return r;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static int flush(struct vctx *c, struct diags *d)
{
	int errors = 0;
	if (c->n_msgs)
		qsort(c->msgs, c->n_msgs, sizeof *c->msgs, msg_cmp);
	for (size_t i = 0; i < c->n_msgs; i++) {
		if (c->msgs[i].warning) {
			diag_warning(d, c->msgs[i].loc, "%s", c->msgs[i].text);
		} else {
			diag_error(d, c->msgs[i].loc, "%s", c->msgs[i].text);
			errors++;
		}
		free(c->msgs[i].text);
	}
	free(c->msgs);
	free(c->rm);
	free(c->scratch.v);
	return errors;
}

/* True when this call checks O in full (so O reports its own conflicts). */
static bool checked(const struct vctx *c, const struct object *o)
{
	return !c->j || o->journal_id == c->j->id;
}

/* Of two objects in conflict, which one says so: the later-defined of two checked ones, or the
 * checked one when the other is not being checked (it was valid before this change). */
static bool reports(const struct vctx *c, const struct object *me, const struct object *other)
{
	return !checked(c, other) || defined_before(other, me);
}

/* The partners of a conflict that ME reports: the first-defined and how many more. */
struct partners { const struct xnode *first; size_t more; };

static void partner(struct partners *pp, const struct vctx *c, const struct object *me, const struct xnode *n)
{
	if (n->o == me || !reports(c, me, n->o))
		return;
	if (!pp->first) {
		pp->first = n;
		return;
	}
	pp->more++;
	if (defined_before(n->o, pp->first->o))
		pp->first = n;
}

static const char *more_text(char *buf, size_t len, size_t more)
{
	if (!more)
		buf[0] = 0;
	else
		snprintf(buf, len, " (and %zu other%s)", more, more == 1 ? "" : "s");
	return buf;
}

/* journal mode: where (KIND, PATH) was removed, if it was */
static size_t rm_slot(const struct vctx *c, const struct kind_schema *k, const char *path)
{
	size_t mask = c->rm_cap - 1;
	size_t i = (hash_bytes((const unsigned char *)path, strlen(path)) + kidx(k)) & mask;
	while (c->rm[i].path && (c->rm[i].kind != k || strcmp(c->rm[i].path, path) != 0))
		i = (i + 1) & mask;
	return i;
}

static const struct removal *removed_at(const struct vctx *c, const struct kind_schema *k, const char *path)
{
	if (!c->rm)
		return NULL;
	const struct removal *r = &c->rm[rm_slot(c, k, path)];
	return r->path ? r : NULL;
}

static void removals_init(struct vctx *c)
{
	size_t n = 0;
	for (size_t i = 0; i < c->j->n; i++)
		n += c->j->entries[i].removed;
	if (!n)
		return;
	c->rm_cap = 16;
	while (c->rm_cap < n * 2)
		c->rm_cap *= 2;
	c->rm = xcalloc(c->rm_cap, sizeof *c->rm);
	for (size_t i = 0; i < c->j->n; i++) {
		const struct journal_entry *e = &c->j->entries[i];
		if (!e->removed)
			continue;
		struct removal *r = &c->rm[rm_slot(c, e->kind, e->path)];
		*r = (struct removal){ e->kind, e->path, e->loc };   /* the last removal wins */
	}
}

static struct srcloc removal_loc(const struct vctx *c, const struct object *before)
{
	const struct removal *r = removed_at(c, before->kind, before->path);
	return r ? r->loc : before->loc;
}

/* ---- references ---- */

static void kinds_list(char *buf, size_t len, const struct kind_schema *const *kinds)
{
	size_t n = 0, used = 0;
	while (kinds[n])
		n++;
	buf[0] = 0;
	for (size_t i = 0; i < n; i++) {
		const char *sep = i == 0 ? "" : i == n - 1 ? " or " : ", ";
		int w = snprintf(buf + used, len - used, "%s%s", sep, kinds[i]->id);
		if (w < 0 || (size_t)w >= len - used)
			break;
		used += (size_t)w;
	}
}

static const struct object *resolve(const struct vctx *c, const struct kind_schema *const *kinds, const char *path)
{
	for (; *kinds; kinds++) {
		const struct object *t = store_get(c->s, *kinds, path);
		if (t)
			return t;
	}
	return NULL;
}

static const char *const l2_profiles[] = { "etherip", "gre", "vxlan", "geneve", NULL };

static void check_ref(struct vctx *c, const struct object *o, int prop, const char *target, struct srcloc loc)
{
	const struct prop_schema *p = &o->kind->props[prop];
	const struct kind_schema *const *kinds = ref_kinds(o->kind, prop);
	const struct object *t = resolve(c, kinds, target);
	char who[700], list[300], name[64];
	/* one item of a list: "member /Common/x", not "members /Common/x" */
	snprintf(name, sizeof name, "%s", p->name);
	if ((p->flags & P_LIST) && strlen(name) > 1 && name[strlen(name) - 1] == 's')
		name[strlen(name) - 1] = 0;
	if (t) {
		if (o->kind == K.group && prop == K.grp_members && t->kind == K.tunnel) {
			const char *prof = profile_word(t);
			if (prof && !schema_value_in(l2_profiles, prof))
				ERR(c, loc, o, "member %s is %s %s tunnel, which carries IP packets, not Ethernet "
				    "frames; a VLAN group bridges VLANs and etherip, gre, vxlan or geneve tunnels",
				    target, article(prof), prof);
		}
		return;
	}
	for (const struct kind_schema *const *k = kinds; *k; k++) {
		if (removed_at(c, *k, target)) {
			label(who, sizeof who, o);
			ERR(c, removed_at(c, *k, target)->loc, NULL, "%s %s cannot be deleted: %s uses it (%s)",
			    (*k)->id, target, who, p->name);
			return;
		}
	}
	kinds_list(list, sizeof list, kinds);
	for (size_t k = 0; k < schema_n_kinds; k++) {
		const struct kind_schema *ks = &schema_kinds[k];
		if (!kind_in(kinds, ks) && store_get(c->s, ks, target)) {
			ERR(c, loc, o, "%s %s is %s %s, not %s %s", name, target, article(ks->id), ks->id,
			    article(list), list);
			return;
		}
	}
	ERR(c, loc, o, "%s %s does not exist; create it first or name an existing %s", name, target, list);
}

static void check_refs(struct vctx *c, const struct object *o)
{
	const struct kind_schema *k = o->kind;
	for (size_t i = 0; i < k->n_props; i++) {
		const struct prop_schema *p = &k->props[i];
		const struct propval *v = &o->props[i];
		if (p->type != VT_REF || !v->set)
			continue;
		if (p->flags & P_LIST) {
			for (size_t n = 0; n < v->n_items; n++)
				check_ref(c, o, (int)i, v->items[n].key, iloc(o, &v->items[n]));
		} else if (v->text) {
			check_ref(c, o, (int)i, v->text, vloc(o, (int)i));
		}
	}
}

static void check_required(struct vctx *c, const struct object *o)
{
	const struct kind_schema *k = o->kind;
	for (size_t i = 0; i < k->n_props; i++) {
		const struct prop_schema *p = &k->props[i];
		if ((p->flags & P_REQUIRED) && !o->props[i].set)
			ERR(c, o->loc, o, "%s is required (%s)", p->name, vtype_describe(p));
	}
}

/* ---- net vlan ---- */

static void check_vlan(struct vctx *c, const struct object *o)
{
	const struct propval *ifs = &o->props[K.vlan_ifs];
	const char *tag = val(o, K.vlan_tag);
	char who[700], more[64];
	for (size_t n = 0; n < ifs->n_items; n++) {
		const struct item *it = &ifs->items[n];
		bool tagged = strcmp(item_tagging(it), "tagged") == 0;
		if (tagged && !tag) {
			ERR(c, iloc(o, it), o, "interface %s is tagged but the VLAN has no tag; give tag 1..4094 "
			    "or make %s untagged", it->key, it->key);
			continue;
		}
		struct xbucket *b = NULL;
		for (uint32_t i = 0; i < o->vrec->n; i++)
			if (o->vrec->nodes[i].prop == K.vlan_ifs && o->vrec->nodes[i].item == n)
				b = o->vrec->nodes[i].b;
		if (!b || b->count < 2)
			continue;
		struct partners pp = { 0 };
		EACH(x, b)
			partner(&pp, c, o, x);
		if (!pp.first)
			continue;
		label(who, sizeof who, pp.first->o);
		more_text(more, sizeof more, pp.more);
		if (tagged)
			ERR(c, iloc(o, it), o, "interface %s already carries tag %s in %s%s; a tag names one VLAN "
			    "on an interface: use another tag or another interface", it->key, tag, who, more);
		else
			ERR(c, iloc(o, it), o, "interface %s is already untagged in %s%s; an interface carries "
			    "untagged frames for one VLAN only: make one of them tagged", it->key, who, more);
	}
}

/* ---- net self ---- */

/* The self IPs whose network contains P's network (prefix length <= P's). */
static void selfs_containing(const struct vctx *c, const struct ipprefix *p, struct bvec *out)
{
	int f = fam_index(p->addr.family);
	out->n = 0;
	for (int len = 0; len <= p->len; len++) {
		if (!c->x->lens[f][len])
			continue;
		struct ipprefix q = { p->addr, len };
		struct xbucket *b = lookup_net(c->x, IX_SELF_NET, &q);
		if (b) {
			if (out->n == out->cap) {
				out->cap = out->cap ? out->cap * 2 : 16;
				out->v = xrealloc(out->v, out->cap * sizeof *out->v);
			}
			out->v[out->n++] = b;
		}
	}
}

/* Is A inside some self IP's network? */
static bool addr_on_self_network(const struct vctx *c, const struct ipaddr *a)
{
	int f = fam_index(a->family);
	for (int len = 0; len <= ip_bits(a->family); len++) {
		if (!c->x->lens[f][len])
			continue;
		struct ipprefix q = { *a, len };
		if (lookup_net(c->x, IX_SELF_NET, &q))
			return true;
	}
	return false;
}

static bool same_vlan(const struct object *a, const struct object *b)
{
	const char *va = val(a, K.self_vlan), *vb = val(b, K.self_vlan);
	return va && vb && strcmp(va, vb) == 0;
}

static void check_self(struct vctx *c, const struct object *o)
{
	const struct vrec *r = o->vrec;
	char who[700], more[64], buf[IP_STRLEN + 8];
	if (!r->has_p)
		return;
	const struct ipprefix *p = &r->p;
	const char *addr = val(o, K.self_addr);
	struct srcloc at = vloc(o, K.self_addr);
	if (p->addr.family == AF_INET && p->len <= 30) {
		struct ipprefix net, host = *p;
		prefix_network(p, &net);
		uint32_t v = (uint32_t)p->addr.a[0] << 24 | (uint32_t)p->addr.a[1] << 16 | (uint32_t)p->addr.a[2] << 8 |
			     p->addr.a[3];
		uint32_t hostmask = p->len == 0 ? 0xffffffffu : (1u << (32 - p->len)) - 1;
		if ((v & hostmask) == 0 || (v & hostmask) == hostmask) {
			bool bcast = (v & hostmask) != 0;
			uint32_t fix = bcast ? v - 1 : v + 1;
			for (int i = 0; i < 4; i++)
				host.addr.a[i] = (uint8_t)(fix >> (24 - 8 * i));
			format_prefix(&host, buf, sizeof buf);
			ERR(c, at, o, "address %s is the %s address of its network; a self IP needs a host "
			    "address, like %s", addr, bcast ? "broadcast" : "network", buf);
		}
	}
	/* the same address twice */
	struct xbucket *b = own_bucket(o, IX_SELF_ADDR);
	if (b && b->count > 1) {
		struct partners pp = { 0 };
		EACH(x, b)
			partner(&pp, c, o, x);
		if (pp.first) {
			label(who, sizeof who, pp.first->o);
			ip_format(&p->addr, buf);
			ERR(c, at, o, "address %s is already the address of %s%s; each self IP needs its own "
			    "address", buf, who, more_text(more, sizeof more, pp.more));
		}
	}
	/* networks that overlap, on another VLAN: those containing this one, then those inside it */
	struct partners pp = { 0 };
	struct bvec *v = &c->scratch;
	selfs_containing(c, p, v);
	for (size_t i = 0; i < v->n; i++)
		EACH(x, v->v[i])
			if (!same_vlan(o, x->o) && !ip_equal(&x->o->vrec->p.addr, &p->addr))
				partner(&pp, c, o, x);
	cb_within(c->x->tree_self, p, v);
	for (size_t i = 0; i < v->n; i++)
		EACH(x, v->v[i])
			if (x->o->vrec->p.len > p->len && !same_vlan(o, x->o) &&
			    !ip_equal(&x->o->vrec->p.addr, &p->addr))
				partner(&pp, c, o, x);
	if (pp.first) {
		const struct object *y = pp.first->o;
		const char *yv = val(y, K.self_vlan);
		label(who, sizeof who, y);
		ERR(c, at, o, "address %s overlaps %s (%s) on %s%s: the same network on two VLANs is ambiguous; "
		    "put both on one VLAN or use networks that do not overlap", addr, who, val(y, K.self_addr),
		    yv ? yv : "no VLAN", more_text(more, sizeof more, pp.more));
	}
	/* a route that uses this box's own address as its gateway */
	b = lookup_addr(c->x, IX_ROUTE_GW, &p->addr);
	if (b) {
		struct partners rp = { 0 };
		EACH(x, b)
			partner(&rp, c, o, x);
		if (rp.first) {
			label(who, sizeof who, rp.first->o);
			ERR(c, at, o, "address %s is the gw of %s%s; a route's gateway is the next router, not "
			    "this box", addr, who, more_text(more, sizeof more, rp.more));
		}
	}
}

/* ---- net tunnels tunnel ---- */

static int addr_family_of(const char *text)
{
	struct ipaddr a;
	return text && ip_parse(text, &a) ? a.family : 0;
}

static void check_tunnel(struct vctx *c, const struct object *o)
{
	const char *prof = profile_word(o);
	if (!prof)
		return;               /* required: reported already */
	bool wan = strcmp(prof, "wan-optimized") == 0;
	bool any_ok = strcmp(prof, "vxlan") == 0 || strcmp(prof, "geneve") == 0;
	const char *local = val(o, K.tun_local), *remote = val(o, K.tun_remote), *key = val(o, K.tun_key);
	char who[700], more[64];
	if (!local && !wan)
		ERR(c, o->loc, o, "local-address is required for profile %s; give the address of one of this "
		    "box's self IPs", prof);
	if (local && o->vrec->has_a && !lookup_addr(c->x, IX_SELF_ADDR, &o->vrec->a))
		ERR(c, vloc(o, K.tun_local), o, "local-address %s is not the address of any net self; a tunnel "
		    "starts at one of this box's self IPs: create net self %s/LEN vlan VLAN or use an existing "
		    "self IP's address", local, local);
	if (!wan) {
		if (!remote && !any_ok)
			ERR(c, o->loc, o, "remote-address is required for profile %s; give the far end's address",
			    prof);
		else if (remote && strcmp(remote, "any") == 0 && !any_ok)
			ERR(c, vloc(o, K.tun_remote), o, "remote-address any works only for vxlan and geneve; "
			    "%s %s tunnel needs the far end's address", article(prof), prof);
	}
	int lf = addr_family_of(local), rf = remote && strcmp(remote, "any") != 0 ? addr_family_of(remote) : 0;
	if (lf && rf && lf != rf)
		ERR(c, vloc(o, K.tun_remote), o, "remote-address %s is %s but local-address %s is %s; both ends "
		    "of a tunnel use one family", remote, family_name(rf), local, family_name(lf));
	else if (lf && rf && strcmp(local, remote) == 0)
		ERR(c, vloc(o, K.tun_remote), o, "remote-address %s is this tunnel's own local-address; give "
		    "the far end's address", remote);
	if (key && strcmp(key, "0") != 0) {
		if (strcmp(prof, "gre") != 0 && !any_ok)
			ERR(c, vloc(o, K.tun_key), o, "key %s does not apply to profile %s; only gre (key), vxlan "
			    "and geneve (network identifier) tunnels carry one: remove it or set key 0", key, prof);
		else if (any_ok && strtoull(key, NULL, 10) > 16777215ULL)
			ERR(c, vloc(o, K.tun_key), o, "key %s is too large for a %s network identifier; VNIs are "
			    "0..16777215", key, prof);
	}
	struct xbucket *b = own_bucket(o, IX_TUN_ID);
	if (b && b->count > 1) {
		struct partners pp = { 0 };
		EACH(x, b)
			partner(&pp, c, o, x);
		if (pp.first) {
			label(who, sizeof who, pp.first->o);
			ERR(c, vloc(o, K.tun_local), o, "same profile, local-address, remote-address and key as "
			    "%s%s; the two ends could not tell the tunnels apart: change the key or an address",
			    who, more_text(more, sizeof more, pp.more));
		}
	}
}

/* ---- net vlan-group ---- */

static void check_group(struct vctx *c, const struct object *o)
{
	const struct propval *m = &o->props[K.grp_members];
	char who[700], more[64];
	if (m->n_items == 0)
		WARN(c, vloc(o, K.grp_members), o, "has no members; it bridges nothing until you add VLANs or "
		     "tunnels (members add { NAME ... })");
	for (uint32_t i = 0; i < o->vrec->n; i++) {
		const struct xnode *n = &o->vrec->nodes[i];
		if (n->b->key[0] != IX_GROUP_MEMBER || n->b->count < 2)
			continue;
		struct partners pp = { 0 };
		EACH(x, n->b)
			partner(&pp, c, o, x);
		if (!pp.first)
			continue;
		const struct item *it = &m->items[n->item];
		label(who, sizeof who, pp.first->o);
		ERR(c, iloc(o, it), o, "member %s is already in %s%s; a VLAN or tunnel belongs to one group at "
		    "most", it->key, who, more_text(more, sizeof more, pp.more));
	}
	const char *mac_text = val(o, K.grp_mac);
	uint8_t mac[6], fix[6];
	char fixed[18];
	if (!mac_text || !mac_parse(mac_text, mac))
		return;
	struct srcloc at = vloc(o, K.grp_mac);
	memcpy(fix, mac, 6);
	fix[0] = (uint8_t)((mac[0] & ~0x01) | 0x02);
	mac_format(fix, fixed);
	if (mac_is_multicast(mac)) {
		ERR(c, at, o, "mac-masquerade %s is a multicast address (bit 0 of the first octet is set) and "
		    "cannot be a source MAC; use the unicast, locally administered %s (first octet %02x: bit 0 "
		    "cleared, bit 1 set)", mac_text, fixed, fix[0]);
	} else if (!mac_is_local(mac)) {
		WARN(c, at, o, "mac-masquerade %s is not locally administered (bit 1 of the first octet is "
		     "clear) and may clash with a vendor-assigned address; the SOL3523 form is %s (run util "
		     "mac-masquerade derive %s)", mac_text, fixed, mac_text);
	}
	struct xbucket *b = own_bucket(o, IX_GROUP_MAC);
	if (b && b->count > 1) {
		struct partners pp = { 0 };
		EACH(x, b)
			partner(&pp, c, o, x);
		if (pp.first) {
			label(who, sizeof who, pp.first->o);
			ERR(c, at, o, "mac-masquerade %s is also the mac-masquerade of %s%s; each group needs its "
			    "own", mac_text, who, more_text(more, sizeof more, pp.more));
		}
	}
}

/* ---- net route ---- */

static void check_route(struct vctx *c, const struct object *o)
{
	const struct vrec *r = o->vrec;
	const char *gw = val(o, K.rt_gw), *net = val(o, K.rt_net);
	char who[700], more[64];
	int given[3] = { K.rt_gw, K.rt_if, K.rt_blackhole };
	const char *names[3] = { "gw", "interface", "blackhole" };
	int n = 0, last = -1;
	char list[64] = "";
	for (int i = 0; i < 3; i++) {
		if (!o->props[given[i]].set)
			continue;
		n++;
		if (last < 0 || loc_cmp(vloc(o, given[i]), vloc(o, given[last])) >= 0)
			last = i;
	}
	for (int i = 0, k = 0; i < 3; i++) {
		if (!o->props[given[i]].set)
			continue;
		k++;
		snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s",
			 k == 1 ? "" : k == n ? " and " : ", ", names[i]);
	}
	if (n == 0)
		ERR(c, o->loc, o, "no next hop; give one of gw ADDRESS, interface NAME or blackhole");
	else if (n > 1)
		ERR(c, vloc(o, given[last]), o, "%s are %s given; a route takes exactly one of gw, interface or "
		    "blackhole", list, n == 2 ? "both" : "all");
	if (gw && r->has_a) {
		struct srcloc at = vloc(o, K.rt_gw);
		if (r->has_p && r->a.family != r->p.addr.family) {
			ERR(c, at, o, "gw %s is %s but network %s is %s; the next hop must be of the network's "
			    "family", gw, family_name(r->a.family), net, family_name(r->p.addr.family));
		} else {
			/* what a gw needs is the same for every route through it: once a call */
			struct xbucket *g = own_bucket(o, IX_ROUTE_GW);
			if (g->stamp != c->stamp) {
				g->stamp = c->stamp;
				g->self_at = lookup_addr(c->x, IX_SELF_ADDR, &r->a);
				g->on_net = g->self_at || addr_on_self_network(c, &r->a);
			}
			const struct xbucket *b = g->self_at;
			if (b) {
				struct partners pp = { 0 };
				EACH(x, b)
					partner(&pp, c, o, x);
				if (pp.first) {
					label(who, sizeof who, pp.first->o);
					ERR(c, at, o, "gw %s is this box's own address (%s); the gateway is the next "
					    "router on that network", gw, who);
				}
			} else if (!g->on_net) {
				ERR(c, at, o, "gw %s is not inside any self IP's network; add a self IP on that "
				    "network or use interface", gw);
			}
		}
	}
	struct xbucket *b = own_bucket(o, IX_ROUTE_NET);
	if (b && b->count > 1) {
		struct partners pp = { 0 };
		EACH(x, b)
			partner(&pp, c, o, x);
		if (pp.first) {
			label(who, sizeof who, pp.first->o);
			ERR(c, vloc(o, K.rt_net), o, "network %s is already routed by %s%s; one route per network: "
			    "modify that route instead", net, who, more_text(more, sizeof more, pp.more));
		}
	}
}

/* ---- wom ---- */

static void check_local(struct vctx *c, const struct object *o)
{
	char who[700], more[64];
	if (!o->vrec->has_a)
		return;
	struct xbucket *b = lookup_addr(c->x, IX_REMOTE_IP, &o->vrec->a);
	if (!b)
		return;
	struct partners pp = { 0 };
	EACH(x, b)
		partner(&pp, c, o, x);
	if (pp.first) {
		label(who, sizeof who, pp.first->o);
		ERR(c, vloc(o, K.loc_ip), o, "ip %s is also the ip of %s%s; the local endpoint and its peers "
		    "must differ", val(o, K.loc_ip), who, more_text(more, sizeof more, pp.more));
	}
}

static void check_remote(struct vctx *c, const struct object *o)
{
	if (!o->vrec->has_a)
		return;
	struct xbucket *b = lookup_addr(c->x, IX_LOCAL_IP, &o->vrec->a);
	if (!b)
		return;
	struct partners pp = { 0 };
	EACH(x, b)
		partner(&pp, c, o, x);
	if (pp.first)
		ERR(c, vloc(o, K.rem_ip), o, "ip %s is this site's own wom local-endpoint ip; a remote endpoint "
		    "is the peer site's ferryd", val(o, K.rem_ip));
}

/* The family of an intercept match: 0 for any. Canonical forms: any[:P], A[/len][:P], [V6[/len]]:P,
 * bare V6[/len]. */
static int match_family(const char *m)
{
	if (!m || strncmp(m, "any", 3) == 0)
		return 0;
	if (m[0] == '[')
		return AF_INET6;
	const char *colon = strchr(m, ':');
	return colon && strchr(colon + 1, ':') ? AF_INET6 : AF_INET;
}

static void check_intercept(struct vctx *c, const struct object *o)
{
	const char *src = val(o, K.icp_src), *dst = val(o, K.icp_dst);
	int sf = match_family(src), df = match_family(dst);
	if (sf && df && sf != df)
		ERR(c, vloc(o, K.icp_dst), o, "destination %s is %s but source %s is %s; an intercept matches "
		    "one family: write two intercepts", dst, family_name(df), src, family_name(sf));
}

static void check_proxy(struct vctx *c, const struct object *o)
{
	char who[700], more[64];
	struct xbucket *b = own_bucket(o, IX_PROXY_LISTEN);
	if (!b || b->count < 2)
		return;
	struct partners pp = { 0 };
	EACH(x, b)
		partner(&pp, c, o, x);
	if (pp.first) {
		label(who, sizeof who, pp.first->o);
		ERR(c, vloc(o, K.px_listen), o, "listen %s is already the listen address of %s%s; each proxy "
		    "needs its own address:port", val(o, K.px_listen), who,
		    more_text(more, sizeof more, pp.more));
	}
}

static void check_adv(struct vctx *c, const struct object *o)
{
	char who[700];
	struct xbucket *b = own_bucket(o, IX_ADV_NET);
	if (!b || b->count < 2)
		return;
	struct partners pp = { 0 };
	EACH(x, b)
		partner(&pp, c, o, x);
	if (pp.first) {
		label(who, sizeof who, pp.first->o);
		ERR(c, vloc(o, K.adv_net), o, "network %s is already advertised by %s", val(o, K.adv_net), who);
	}
}

struct sched_entry { unsigned days; int from, to; };

static const struct { const char *word; unsigned days; } day_words[] = {
	{ "daily", 0x7f }, { "weekdays", 0x1f }, { "weekends", 0x60 }, { "mon", 0x01 }, { "tue", 0x02 },
	{ "wed", 0x04 }, { "thu", 0x08 }, { "fri", 0x10 }, { "sat", 0x20 }, { "sun", 0x40 },
};

static bool parse_entry(const char *text, struct sched_entry *e)
{
	char days[16];
	int h1, m1, h2, m2;
	if (sscanf(text, "%15s %d:%d-%d:%d", days, &h1, &m1, &h2, &m2) != 5)
		return false;
	e->days = 0;
	for (size_t i = 0; i < sizeof day_words / sizeof day_words[0]; i++)
		if (strcmp(days, day_words[i].word) == 0)
			e->days = day_words[i].days;
	e->from = h1 * 60 + m1;
	e->to = h2 * 60 + m2;
	return e->days != 0;
}

static void describe_days(char *buf, size_t len, unsigned days)
{
	static const char *const names[] = { "mon", "tue", "wed", "thu", "fri", "sat", "sun" };
	for (size_t i = 0; i < 3; i++) {
		if (days == day_words[i].days) {
			snprintf(buf, len, "%s", i == 0 ? "every day" : day_words[i].word);
			return;
		}
	}
	size_t used = 0;
	buf[0] = 0;
	for (int d = 0; d < 7; d++)
		if (days & (1u << d))
			used += (size_t)snprintf(buf + used, len - used, "%s%s", used ? "," : "", names[d]);
}

static void check_schedule(struct vctx *c, const struct object *o)
{
	const struct propval *v = &o->props[K.sch_entries];
	struct sched_entry *e = xcalloc(v->n_items + 1, sizeof *e);
	bool *ok = xcalloc(v->n_items + 1, sizeof *ok);
	for (size_t i = 0; i < v->n_items; i++)
		ok[i] = parse_entry(v->items[i].key, &e[i]);
	for (size_t i = 1; i < v->n_items; i++) {
		if (!ok[i])
			continue;
		size_t first = i, more = 0;
		for (size_t k = 0; k < i; k++) {
			if (!ok[k] || !(e[i].days & e[k].days) || e[i].from >= e[k].to || e[k].from >= e[i].to)
				continue;
			if (first == i)
				first = k;
			else
				more++;
		}
		if (first == i)
			continue;
		char days[64], extra[64];
		describe_days(days, sizeof days, e[i].days & e[first].days);
		int from = e[i].from > e[first].from ? e[i].from : e[first].from;
		int to = e[i].to < e[first].to ? e[i].to : e[first].to;
		ERR(c, iloc(o, &v->items[i]), o, "entries '%s' overlaps '%s' (%s %02d:%02d-%02d:%02d)%s; one rate "
		    "applies at a time: make the ranges meet without overlapping", v->items[i].key,
		    v->items[first].key, days, from / 60, from % 60, to / 60, to % 60,
		    more_text(extra, sizeof extra, more));
	}
	free(e);
	free(ok);
}

/* ---- one object, in full ---- */

/* VLANs, VLAN groups and tunnels share one namespace, as on BIG-IP: a self IP's vlan or a group's
 * member names one of them, and each becomes a kernel interface of that name. */
static void check_interface_name(struct vctx *c, const struct object *o)
{
	const struct kind_schema *l2[] = { K.vlan, K.group, K.tunnel };
	for (size_t i = 0; i < 3; i++) {
		if (l2[i] == o->kind)
			continue;
		const struct object *other = store_get(c->s, l2[i], o->path);
		if (!other || !reports(c, o, other))
			continue;
		char who[600];
		label(who, sizeof who, other);
		ERR(c, o->loc, o, "the name is taken by %s; VLANs, VLAN groups and tunnels share one namespace, "
		    "so rename one", who);
	}
}

static void check_object(struct vctx *c, const struct object *o)
{
	if (o->vrec->stamp == c->stamp)
		return;
	o->vrec->stamp = c->stamp;
	check_required(c, o);
	check_refs(c, o);
	if (o->kind == K.vlan || o->kind == K.group || o->kind == K.tunnel)
		check_interface_name(c, o);
	const struct kind_schema *k = o->kind;
	if (k == K.vlan)
		check_vlan(c, o);
	else if (k == K.self)
		check_self(c, o);
	else if (k == K.tunnel)
		check_tunnel(c, o);
	else if (k == K.group)
		check_group(c, o);
	else if (k == K.route)
		check_route(c, o);
	else if (k == K.sched)
		check_schedule(c, o);
	else if (k == K.local)
		check_local(c, o);
	else if (k == K.remote)
		check_remote(c, o);
	else if (k == K.icpt)
		check_intercept(c, o);
	else if (k == K.proxy)
		check_proxy(c, o);
	else if (k == K.adv)
		check_adv(c, o);
}

/* ---- what depended on a replaced or removed object ---- */

/* A dependent not checked in full by this call, reported at most once. */
static bool fresh_dependent(struct vctx *c, const struct object *d)
{
	if (checked(c, d) || !d->vrec || d->vrec->dep_stamp == c->stamp)
		return false;
	d->vrec->dep_stamp = c->stamp;
	return true;
}

/* "net self X cannot be deleted" or "net self X: address cannot change to Y" */
static void dependent_error(struct vctx *c, const struct object *before, const struct object *now, int prop,
			    const char *to, const char *why)
{
	char who[700];
	label(who, sizeof who, before);
	if (!now)
		ERR(c, removal_loc(c, before), NULL, "%s cannot be deleted: %s", who, why);
	else
		ERR(c, vloc(now, prop), NULL, "%s: %s cannot change to %s: %s", who, before->kind->props[prop].name,
		    to, why);
}

static void removed_target(struct vctx *c, const struct object *before)
{
	struct xbucket *b = lookup_text(c->x, IX_REF, before->path);
	char who[700], why[900];
	EACH(x, b) {
		const struct object *r = x->o;
		const struct kind_schema *const *kinds = ref_kinds(r->kind, x->prop);
		if (checked(c, r) || !kind_in(kinds, before->kind) || resolve(c, kinds, before->path))
			continue;
		label(who, sizeof who, r);
		snprintf(why, sizeof why, "%s uses it (%s)", who, r->kind->props[x->prop].name);
		dependent_error(c, before, NULL, 0, NULL, why);
	}
}

static void replaced_tunnel(struct vctx *c, const struct object *before, const struct object *now)
{
	const char *prof = profile_word(now);
	if (!prof || schema_value_in(l2_profiles, prof))
		return;
	struct xbucket *b = lookup_text(c->x, IX_REF, now->path);
	char who[700], why[900];
	EACH(x, b) {
		if (x->o->kind != K.group || checked(c, x->o) || resolve(c, ref_kinds(K.group, K.grp_members),
									    now->path) != now)
			continue;
		label(who, sizeof who, x->o);
		snprintf(why, sizeof why, "%s bridges it (members), and only etherip, gre, vxlan and geneve "
			 "tunnels carry Ethernet frames", who);
		dependent_error(c, before, now, K.tun_profile, prof, why);
	}
}

/* A self IP went away or changed its address: the tunnels that started at it and the routes whose
 * gateway it reached. */
static void replaced_self(struct vctx *c, const struct object *before, const struct object *now)
{
	struct ipprefix old;
	const char *t = val(before, K.self_addr);
	char who[700], why[900], gw[IP_STRLEN], net[IP_STRLEN + 8];
	if (!t || !ip_parse_prefix(t, &old))
		return;
	if (now && now->vrec->has_p && ip_equal(&now->vrec->p.addr, &old.addr) && now->vrec->p.len == old.len)
		return;
	if (!lookup_addr(c->x, IX_SELF_ADDR, &old.addr)) {
		struct xbucket *b = lookup_addr(c->x, IX_TUN_LOCAL, &old.addr);
		EACH(x, b) {
			if (!fresh_dependent(c, x->o))
				continue;
			label(who, sizeof who, x->o);
			ip_format(&old.addr, gw);
			snprintf(why, sizeof why, "%s uses it (local-address %s)", who, gw);
			dependent_error(c, before, now, K.self_addr, now ? val(now, K.self_addr) : NULL, why);
		}
	}
	struct ipprefix oldnet;
	prefix_network(&old, &oldnet);
	format_prefix(&oldnet, net, sizeof net);
	struct bvec gws = { 0 };
	cb_within(c->x->tree_gw, &oldnet, &gws);
	for (size_t i = 0; i < gws.n; i++) {
		const struct xbucket *b = gws.v[i];
		const struct object *any = b->v[0]->o;
		if (addr_on_self_network(c, &any->vrec->a))
			continue;
		EACH(x, b) {
			if (!fresh_dependent(c, x->o))
				continue;
			label(who, sizeof who, x->o);
			ip_format(&x->o->vrec->a, gw);
			snprintf(why, sizeof why, "%s uses it (gw %s is inside %s)", who, gw, net);
			dependent_error(c, before, now, K.self_addr, now ? val(now, K.self_addr) : NULL, why);
		}
	}
	free(gws.v);
}

static void check_dependents(struct vctx *c, const struct journal_entry *e)
{
	const struct object *before = e->before;
	const struct object *now = store_get(c->s, e->kind, e->path);
	if (!now)
		removed_target(c, before);
	if (before->kind == K.self)
		replaced_self(c, before, now);
	else if (before->kind == K.tunnel && now)
		replaced_tunnel(c, before, now);
}

/* ---- the API ---- */

static void ctx_init(struct vctx *c, const struct store *s, const struct journal *j)
{
	kinds_init();
	memset(c, 0, sizeof *c);
	c->s = s;
	c->x = store_index(s);
	c->j = j;
	c->stamp = ++c->x->stamp;
}

int validate_all(const struct store *s, struct diags *d)
{
	struct vctx c;
	ctx_init(&c, s, NULL);
	for (const struct vrec *r = c.x->first; r; r = r->next)
		check_object(&c, r->o);
	return flush(&c, d);
}

int validate_journal(const struct store *s, const struct journal *j, struct diags *d)
{
	struct vctx c;
	ctx_init(&c, s, j);
	removals_init(&c);
	if (j->n * 4 >= s->count) {
		/* a large change (a whole file): one streaming walk beats a store lookup an entry */
		for (const struct vrec *r = c.x->first; r; r = r->next)
			if (r->o->journal_id == j->id)
				check_object(&c, r->o);
	} else {
		for (size_t i = 0; i < j->n; i++) {
			const struct journal_entry *e = &j->entries[i];
			const struct object *now = store_get(s, e->kind, e->path);
			if (now && now->journal_id == j->id)
				check_object(&c, now);
		}
	}
	for (size_t i = 0; i < j->n; i++)
		if (j->entries[i].before)
			check_dependents(&c, &j->entries[i]);
	return flush(&c, d);
}
