/* Kernel tests of the runtime: runtime_apply against real network namespaces. Each test runs in a
 * child that unshare()s a fresh network namespace (gone when the child exits, so nothing is left
 * behind) and checks the result with `ip -j` and `nft` (the oracle is iproute2, never the
 * runtime's own reading code). Run by tests/netns/t_runtime.sh (host kernel) and
 * tests/uml/t_runtime_vlan.sh (802.1Q, GRE and the other tunnels the host lacks).
 *
 *   runtime_netns [-p PREFIX] [TEST...]   no TEST: every host test; PREFIX names results PREFIX/test */
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "compiler/addr.h"
#include "compiler/diag.h"
#include "compiler/plan.h"
#include "compiler/util.h"
#include "runtime/runtime.h"

static const char *prefix = "t_runtime";
static const char *current;
static struct strbuf failures;
static int n_failures;

/* ---- checks ---- */

__attribute__((format(printf, 2, 3)))
static bool fail_at(int line, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *m;
	if (vasprintf(&m, fmt, ap) < 0)
		abort();
	va_end(ap);
	if (n_failures++ == 0)
		sb_printf(&failures, "%s (line %d)", m, line);
	else
		sb_printf(&failures, "\n    also: %s (line %d)", m, line);
	free(m);
	return false;
}
#define EXPECT(cond, ...) ((cond) ? true : fail_at(__LINE__, __VA_ARGS__))

__attribute__((format(printf, 1, 2)))
static int sh(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *cmd;
	if (vasprintf(&cmd, fmt, ap) < 0)
		abort();
	va_end(ap);
	fflush(stdout);
	int st = system(cmd);
	free(cmd);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

__attribute__((format(printf, 1, 2)))
static char *sh_out(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *cmd;
	if (vasprintf(&cmd, fmt, ap) < 0)
		abort();
	va_end(ap);
	fflush(stdout);
	FILE *f = popen(cmd, "r");
	free(cmd);
	struct strbuf sb;
	sb_init(&sb);
	sb_puts(&sb, "");
	if (f) {
		char buf[65536];
		size_t n;
		while ((n = fread(buf, 1, sizeof buf, f)) > 0)
			sb_putn(&sb, buf, n);
		pclose(f);
	}
	return sb_steal(&sb);
}

/* jq FILTER on `ip -j ARGS`; true when it yields true. Filters use double quotes only. */
static bool ipjq(const char *args, const char *filter)
{
	return sh("ip -j %s 2>/dev/null | jq -e '%s' >/dev/null 2>&1", args, filter) == 0;
}
#define EXPECT_IP(args, filter) EXPECT(ipjq(args, filter), "ip -j %s | jq '%s' is not true", args, filter)

static long ipcount(const char *args)
{
	char *s = sh_out("ip -j %s 2>/dev/null | jq length", args);
	long n = strtol(s, NULL, 10);
	free(s);
	return n;
}

/* Everything iproute2 and nft show about the namespace, with the bridge's running timers (keys
 * ending in _timer) removed, and routes sorted: the kernel lists routes to the same prefix through
 * different devices (fe80::/64 on each) in the order the devices got them, and a link made again
 * gets its own last. */
static char *snapshot_now(void)
{
	return sh_out("ip -j -d link show | jq -S 'walk(if type == \"object\" then with_entries(select(.key | "
		      "endswith(\"_timer\") | not)) else . end)'; ip -j addr show | jq -S .; "
		      "ip -j route show table all | jq -S 'sort_by(.table, .dst, .dev)'; "
		      "ip -j -6 route show table all | jq -S 'sort_by(.table, .dst, .dev)'; nft list ruleset");
}

/* A snapshot once the kernel has settled: operstate and carrier changes reach the link state
 * through linkwatch, up to a second after what caused them, and one can cause another (a port's
 * carrier, then its bridge's). Settled: the same for 1.2 s (at most 8 s). */
static char *snapshot(void)
{
	struct timespec ts = { 0, 400 * 1000 * 1000 };
	char *prev = snapshot_now();
	int same = 0;
	for (int i = 0; i < 20 && same < 3; i++) {
		nanosleep(&ts, NULL);
		char *cur = snapshot_now();
		same = strcmp(cur, prev) == 0 ? same + 1 : 0;
		free(prev);
		prev = cur;
	}
	return prev;
}

static bool same_snapshot(const char *before, const char *after, const char *what)
{
	if (strcmp(before, after) == 0)
		return true;
	char b[] = "/tmp/ferry-snap-b.XXXXXX", a[] = "/tmp/ferry-snap-a.XXXXXX";
	int fb = mkstemp(b), fa = mkstemp(a);
	if (fb >= 0 && fa >= 0) {
		if (write(fb, before, strlen(before)) < 0 || write(fa, after, strlen(after)) < 0)
			(void)0;
		close(fb);
		close(fa);
		char *diff = sh_out("diff -U 25 %s %s | head -${SNAPDIFF_LINES:-40} | sed 's/^/      /'", b, a);
		fail_at(__LINE__, "%s: the namespace differs from before:\n%s", what, diff);
		free(diff);
	} else {
		fail_at(__LINE__, "%s: the namespace differs from before", what);
	}
	unlink(b);
	unlink(a);
	return false;
}

/* ---- plans ---- */

/* Room for element N (zeroed): capacity is the next power of two, so adding is amortized O(1). */
static void *grow(void *arr, size_t n, size_t size)
{
	if ((n & (n - 1)) == 0)
		arr = xrealloc(arr, (n ? 2 * n : 1) * size);
	memset((char *)arr + n * size, 0, size);
	return arr;
}

static struct plan_link *add_link(struct plan *p, const char *name, enum plan_link_kind kind, const char *owner)
{
	p->links = grow(p->links, p->n_links, sizeof *p->links);
	struct plan_link *l = &p->links[p->n_links++];
	snprintf(l->name, sizeof l->name, "%s", name);
	l->kind = kind;
	l->owner = xstrdup(owner);
	l->tos = 0;
	return l;
}

static struct plan_link *find_link(struct plan *p, const char *name)
{
	for (size_t i = 0; i < p->n_links; i++)
		if (strcmp(p->links[i].name, name) == 0)
			return &p->links[i];
	abort();
}

static void set_ip(struct ipaddr *ip, const char *s)
{
	if (!ip_parse(s, ip))
		abort();
}

static struct plan_addr *add_addr(struct plan *p, const char *dev, const char *pfx)
{
	p->addrs = grow(p->addrs, p->n_addrs, sizeof *p->addrs);
	struct plan_addr *a = &p->addrs[p->n_addrs++];
	snprintf(a->dev, sizeof a->dev, "%s", dev);
	if (!ip_parse_prefix(pfx, &a->prefix))
		abort();
	a->owner = xasprintf("/Common/%s", pfx);
	return a;
}

/* VIA: a gateway, "dev X", "blackhole", or "A dev X". */
static struct plan_route *add_route(struct plan *p, const char *dst, const char *via)
{
	p->routes = grow(p->routes, p->n_routes, sizeof *p->routes);
	struct plan_route *r = &p->routes[p->n_routes++];
	if (!ip_parse_prefix(dst, &r->dst))
		abort();
	r->owner = xasprintf("/Common/route-%s", dst);
	if (strcmp(via, "blackhole") == 0) {
		r->blackhole = true;
	} else if (strncmp(via, "dev ", 4) == 0) {
		snprintf(r->dev, sizeof r->dev, "%s", via + 4);
	} else {
		char gw[64];
		const char *dev = strstr(via, " dev ");
		snprintf(gw, sizeof gw, "%.*s", dev ? (int)(dev - via) : (int)strlen(via), via);
		set_ip(&r->gw, gw);
		r->has_gw = true;
		if (dev)
			snprintf(r->dev, sizeof r->dev, "%s", dev + 5);
	}
	return r;
}

static void remove_route(struct plan *p, const char *dst)
{
	struct ipprefix want;
	ip_parse_prefix(dst, &want);
	for (size_t i = 0; i < p->n_routes; i++)
		if (p->routes[i].dst.len == want.len && ip_equal(&p->routes[i].dst.addr, &want.addr)) {
			free(p->routes[i].owner);
			memmove(&p->routes[i], &p->routes[i + 1], (p->n_routes - i - 1) * sizeof *p->routes);
			p->n_routes--;
			return;
		}
	abort();
}

/* ---- applying ---- */

static struct diags diags;
static char *diag_text;
static size_t diag_len;
static FILE *diag_file;

static void diag_reset(void)
{
	if (diag_file)
		fclose(diag_file);
	free(diag_text);
	diag_text = NULL;
	diag_len = 0;
	diag_file = open_memstream(&diag_text, &diag_len);
	diag_init(&diags, diag_file);
}

static const char *diag_str(void)
{
	fflush(diag_file);
	return diag_text ? diag_text : "";
}

/* Applies; returns runtime_apply's result, *R the report. */
static int apply(const struct plan *p, struct apply_report *r, bool dry)
{
	struct apply_opts o = { .dry_run = dry };
	diag_reset();
	return runtime_apply(p, &o, r, &diags);
}

#define EXPECT_APPLY(p, want_ops)                                                                 \
	do {                                                                                      \
		struct apply_report r_;                                                           \
		int rc_ = apply((p), &r_, false);                                                 \
		EXPECT(rc_ == 0, "apply failed:\n%s", diag_str());                                 \
		if ((long)(want_ops) >= 0)                                                        \
			EXPECT(r_.ops == (size_t)(want_ops), "apply did %zu operations, expected %ld\n%s", \
			       r_.ops, (long)(want_ops), diag_str());                             \
	} while (0)

/* ---- the tests ---- */

static void setup_ns(void)
{
	sh("ip link set lo up");
	/* No DAD anywhere: addresses never sit tentative, so snapshots taken a moment apart agree. */
	sh("sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0 2>/dev/null");
}

/* A bridge with a VXLAN, a TAP and an existing interface as ports, IPv4 and IPv6 addresses, and
 * routes of every kind. */
static void base_plan(struct plan *p)
{
	memset(p, 0, sizeof *p);
	add_link(p, "br-a", PL_BRIDGE, "/Common/vlan-a");
	struct plan_link *vx = add_link(p, "vx-a", PL_VXLAN, "/Common/vx-a");
	vx->key = 100;
	vx->has_key = true;
	set_ip(&vx->local, "10.1.0.1");
	vx->dstport = 4789;
	snprintf(vx->master, sizeof vx->master, "br-a");
	struct plan_link *tap = add_link(p, "tap-a", PL_TAP, "/Common/eip-a");
	snprintf(tap->master, sizeof tap->master, "br-a");
	struct plan_link *eth = add_link(p, "eth1", PL_PHYSICAL, "/Common/vlan-a");
	snprintf(eth->master, sizeof eth->master, "br-a");
	add_addr(p, "br-a", "10.1.0.1/24");
	add_addr(p, "br-a", "2001:db8:1::1/64");
	add_route(p, "20.0.0.0/24", "10.1.0.254");
	add_route(p, "20.0.1.0/24", "dev br-a");
	add_route(p, "20.0.2.0/24", "blackhole");
	add_route(p, "20.0.3.0/24", "10.1.0.254")->mtu = 1400;
	add_route(p, "20.0.4.0/24", "10.1.0.253 dev br-a");
	add_route(p, "2001:db8:2::/64", "2001:db8:1::fe");
	add_route(p, "2001:db8:3::/64", "dev br-a");
	add_route(p, "2001:db8:4::/64", "blackhole");
	add_route(p, "2001:db8:5::/64", "2001:db8:1::fd")->mtu = 1300;
}

static void make_eth1(void)
{
	sh("ip link add eth1 type veth peer name eth1p && ip link set eth1p up");
}

static void check_base(void)
{
	EXPECT_IP("-d link show dev br-a", ".[0] | .linkinfo.info_kind == \"bridge\" and .ifalias == \"ferry:/Common/vlan-a\" and (.flags | index([\"UP\"]) != null)");
	EXPECT_IP("-d link show dev vx-a", ".[0] | .linkinfo.info_kind == \"vxlan\" and .linkinfo.info_data.id == 100 and .linkinfo.info_data.port == 4789 and .linkinfo.info_data.local == \"10.1.0.1\" and .master == \"br-a\" and .ifalias == \"ferry:/Common/vx-a\" and (.flags | index([\"UP\"]) != null)");
	EXPECT_IP("-d link show dev tap-a", ".[0] | .linkinfo.info_kind == \"tun\" and .linkinfo.info_data.type == \"tap\" and .linkinfo.info_data.persist == true and .linkinfo.info_data.user == \"nobody\" and .master == \"br-a\" and .ifalias == \"ferry:/Common/eip-a\" and (.flags | index([\"UP\"]) != null)");
	EXPECT_IP("-d link show dev eth1", ".[0] | .master == \"br-a\" and .ifalias == null and (.flags | index([\"UP\"]) != null)");
	EXPECT_IP("addr show dev br-a", "[.[0].addr_info[] | select(.local == \"10.1.0.1\" and .prefixlen == 24)] | length == 1");
	EXPECT_IP("addr show dev br-a", "[.[0].addr_info[] | select(.local == \"2001:db8:1::1\" and .prefixlen == 64)] | length == 1");
	EXPECT_IP("route show 20.0.0.0/24 proto 77", ".[0].gateway == \"10.1.0.254\" and .[0].dev == \"br-a\"");
	EXPECT_IP("route show 20.0.1.0/24 proto 77", ".[0].dev == \"br-a\" and .[0].scope == \"link\"");
	EXPECT_IP("route show 20.0.2.0/24 proto 77", ".[0].type == \"blackhole\"");
	EXPECT_IP("route show 20.0.3.0/24 proto 77", ".[0].gateway == \"10.1.0.254\" and .[0].metrics[0].mtu == 1400");
	EXPECT_IP("route show 20.0.4.0/24 proto 77", ".[0].gateway == \"10.1.0.253\" and .[0].dev == \"br-a\"");
	EXPECT_IP("-6 route show 2001:db8:2::/64 proto 77", ".[0].gateway == \"2001:db8:1::fe\" and .[0].dev == \"br-a\"");
	EXPECT_IP("-6 route show 2001:db8:3::/64 proto 77", ".[0].dev == \"br-a\" and (.[0].gateway == null)");
	EXPECT_IP("-6 route show 2001:db8:4::/64 proto 77", ".[0].type == \"blackhole\"");
	EXPECT_IP("-6 route show 2001:db8:5::/64 proto 77", ".[0].gateway == \"2001:db8:1::fd\" and .[0].metrics[0].mtu == 1300");
	long n4 = ipcount("-4 route show table all proto 77"), n6 = ipcount("-6 route show table all proto 77");
	EXPECT(n4 == 5, "%ld IPv4 routes of ferry's, expected 5", n4);
	EXPECT(n6 == 4, "%ld IPv6 routes of ferry's, expected 4", n6);
}

static void t_create(void)
{
	make_eth1();
	struct plan p;
	base_plan(&p);
	EXPECT_APPLY(&p, 3 + 1 + 2 + 9);   /* 3 created, eth1 enslaved, 2 addresses, 9 routes */
	check_base();
	EXPECT_APPLY(&p, 0);
	plan_free(&p);
}

static void t_dry_run(void)
{
	make_eth1();
	struct plan p;
	base_plan(&p);
	char *before = snapshot();
	struct apply_report r;
	EXPECT(apply(&p, &r, true) == 0, "dry run failed:\n%s", diag_str());
	EXPECT(r.ops == 15 && r.link_ops == 4 && r.addr_ops == 2 && r.route_ops == 9 && r.nft_ops == 0,
	       "dry run counted %zu ops (%zu link, %zu addr, %zu route, %zu nft)", r.ops, r.link_ops, r.addr_ops,
	       r.route_ops, r.nft_ops);
	char *after = snapshot();
	same_snapshot(before, after, "dry run");
	free(before);
	free(after);
	plan_free(&p);
}

static void t_modify(void)
{
	make_eth1();
	struct plan p;
	base_plan(&p);
	EXPECT_APPLY(&p, -1);

	find_link(&p, "vx-a")->mtu = 1400;
	EXPECT_APPLY(&p, 1);
	EXPECT_IP("link show dev vx-a", ".[0].mtu == 1400");
	/* A device's MTU carries an IPv6 route with an MTU of its own: the route is set again (the
	 * kernel moves such a route's MTU along with the device's when they were equal). */
	find_link(&p, "br-a")->mtu = 1300;
	EXPECT_APPLY(&p, 2);
	EXPECT_IP("link show dev br-a", ".[0].mtu == 1300");
	find_link(&p, "br-a")->mtu = 1500;
	EXPECT_APPLY(&p, 2);
	EXPECT_IP("-6 route show 2001:db8:5::/64 proto 77", ".[0].metrics[0].mtu == 1300");

	struct plan_link *vx = find_link(&p, "vx-a");
	vx->has_mac = true;
	memcpy(vx->mac, "\x02\x00\x00\x00\xaa\x01", 6);
	EXPECT_APPLY(&p, 1);
	EXPECT_IP("link show dev vx-a", ".[0].address == \"02:00:00:00:aa:01\"");

	add_link(&p, "br-b", PL_BRIDGE, "/Common/vlan-b");
	snprintf(find_link(&p, "tap-a")->master, PLAN_IFNAMSIZ, "br-b");
	EXPECT_APPLY(&p, 2);   /* br-b made, tap-a moved */
	EXPECT_IP("-d link show dev tap-a", ".[0].master == \"br-b\"");
	EXPECT_IP("-d link show dev br-b", ".[0].ifalias == \"ferry:/Common/vlan-b\"");

	set_ip(&p.routes[0].gw, "10.1.0.253");
	EXPECT_APPLY(&p, 1);
	EXPECT_IP("route show 20.0.0.0/24 proto 77", ".[0].gateway == \"10.1.0.253\"");

	remove_route(&p, "20.0.2.0/24");
	EXPECT_APPLY(&p, 1);
	EXPECT(ipcount("route show 20.0.2.0/24") == 0, "20.0.2.0/24 is still there");
	remove_route(&p, "2001:db8:4::/64");
	EXPECT_APPLY(&p, 1);
	EXPECT(ipcount("-6 route show 2001:db8:4::/64") == 0, "2001:db8:4::/64 is still there");

	/* The IPv6 address's length changes: deleted first (the kernel refuses it twice), then added. */
	free(p.addrs[1].owner);
	p.addrs[1].owner = xstrdup("/Common/2001:db8:1::1");
	p.addrs[1].prefix.len = 80;
	EXPECT_APPLY(&p, 2);
	EXPECT_IP("addr show dev br-a", "[.[0].addr_info[] | select(.local == \"2001:db8:1::1\")] | length == 1 and .[0].prefixlen == 80");

	/* A new VNI: the VXLAN is made again, back on its bridge with its mac and alias. */
	vx = find_link(&p, "vx-a");   /* add_link moved the array */
	vx->key = 101;
	EXPECT_APPLY(&p, 2);
	EXPECT_IP("-d link show dev vx-a", ".[0] | .linkinfo.info_data.id == 101 and .master == \"br-a\" and .address == \"02:00:00:00:aa:01\" and .ifalias == \"ferry:/Common/vx-a\"");

	/* The owner changes: only the alias. */
	free(vx->owner);
	vx->owner = xstrdup("/Common/vx-renamed");
	EXPECT_APPLY(&p, 1);
	EXPECT_IP("link show dev vx-a", ".[0].ifalias == \"ferry:/Common/vx-renamed\"");

	/* eth1 leaves the plan: released, not deleted. */
	for (size_t i = 0; i < p.n_links; i++)
		if (strcmp(p.links[i].name, "eth1") == 0) {
			free(p.links[i].owner);
			memmove(&p.links[i], &p.links[i + 1], (p.n_links - i - 1) * sizeof *p.links);
			p.n_links--;
			break;
		}
	EXPECT_APPLY(&p, 1);
	EXPECT_IP("-d link show dev eth1", ".[0].master == null");
	EXPECT_APPLY(&p, 0);
	plan_free(&p);
}

static void make_foreign(void)
{
	sh("ip link add fx0 type veth peer name fx1 && ip link set fx0 up && ip link set fx1 up && "
	   "ip addr add 10.9.0.1/24 dev fx0 && ip route add 30.0.0.0/24 via 10.9.0.2 && "
	   "ip -6 addr add 2001:db8:99::1/64 dev fx0 nodad && ip -6 route add 2001:db8:98::/64 via 2001:db8:99::2 && "
	   "nft add table inet other && nft add chain inet other c '{ type filter hook input priority 0; }' && "
	   "nft add rule inet other c tcp dport 22 accept");
}

/* What is not ferry's: every link but the plan's (eth1 is the plan's to enslave), the foreign
 * addresses, routes on other links than the plan's, the foreign table. (Protocol 77 has no name in
 * iproute2's rt_protos, so ip prints the number.) */
static char *foreign_snapshot(void)
{
	const char *mine = "[\"br-a\", \"vx-a\", \"tap-a\", \"eth1\", \"eth1p\"]";
	return sh_out("ip -j -d link show | jq -S '[.[] | select(.ifname as $n | %s | index([$n]) | not)]'; "
		      "ip -j addr show dev fx0 | jq -S .; "
		      "ip -j -4 route show table all | jq -S '[.[] | select(.protocol != \"77\" and (.dev as $d | %s | index([$d]) | not))]'; "
		      "ip -j -6 route show table all | jq -S '[.[] | select(.protocol != \"77\" and (.dev as $d | %s | index([$d]) | not))]'; "
		      "nft list table inet other", mine, mine, mine);
}

static void t_foreign(void)
{
	make_eth1();
	make_foreign();
	char *before = foreign_snapshot();
	struct plan p;
	base_plan(&p);
	EXPECT_APPLY(&p, -1);
	check_base();
	char *after = foreign_snapshot();
	same_snapshot(before, after, "after applying");
	free(after);

	/* Removing everything of ferry's leaves the foreign objects as they were. */
	struct plan empty = { 0 };
	EXPECT_APPLY(&empty, -1);
	after = foreign_snapshot();
	same_snapshot(before, after, "after removing ferry's objects");
	free(after);
	free(before);

	/* A plan link named like a foreign interface is an error, and nothing changes. */
	EXPECT_APPLY(&p, -1);
	before = snapshot();
	add_link(&p, "fx0", PL_BRIDGE, "/Common/takeover");
	struct apply_report r;
	EXPECT(apply(&p, &r, false) < 0, "a plan link named like the foreign fx0 was accepted");
	EXPECT(strstr(diag_str(), "fx0") && strstr(diag_str(), "not ferry's") && strstr(diag_str(), "/Common/takeover"),
	       "the error does not say fx0 is not ferry's, with the owner path: %s", diag_str());
	after = snapshot();
	same_snapshot(before, after, "after the refused takeover");
	free(before);
	free(after);
	plan_free(&p);
}

static void t_delete_all(void)
{
	make_eth1();
	make_foreign();
	struct plan p;
	base_plan(&p);
	p.nft_ruleset = xstrdup("table inet ferry {\n\tchain input {\n\t\ttype filter hook input priority 0; policy accept;\n\t\ttcp dport 4789 accept\n\t}\n}\n");
	EXPECT_APPLY(&p, 16);
	struct plan empty = { 0 };
	EXPECT_APPLY(&empty, 3 + 1 + 2 + 9 + 1);   /* 3 deleted, eth1 released, 2 addresses, 9 routes, the table */
	EXPECT(ipcount("link show") == 5, "expected only lo, eth1, eth1p, fx0, fx1 to be left");
	EXPECT_IP("-d link show dev eth1", ".[0].master == null");
	EXPECT(ipcount("-4 route show table all proto 77") == 0 && ipcount("-6 route show table all proto 77") == 0,
	       "routes of ferry's are left");
	EXPECT(sh("nft list table inet ferry >/dev/null 2>&1") != 0, "table inet ferry is left");
	EXPECT(sh("nft list table inet other | grep -q 'tcp dport 22 accept'") == 0, "table inet other is gone or changed");
	EXPECT_IP("route show 30.0.0.0/24", ".[0].gateway == \"10.9.0.2\"");
	EXPECT_APPLY(&empty, 0);
	plan_free(&p);
}

static void t_nft(void)
{
	make_foreign();
	struct plan p = { 0 };
	p.nft_ruleset = xstrdup("table inet ferry {\n\tchain input {\n\t\ttype filter hook input priority 0; policy accept;\n\t\ttcp dport 22 accept\n\t}\n}\n");
	EXPECT_APPLY(&p, 1);
	EXPECT(sh("nft list table inet ferry | grep -q 'tcp dport 22 accept'") == 0, "table inet ferry lacks the rule");
	EXPECT_APPLY(&p, 0);
	free(p.nft_ruleset);
	p.nft_ruleset = xstrdup("table inet ferry {\n\tchain input {\n\t\ttype filter hook input priority 0; policy accept;\n\t\ttcp dport 443 accept\n\t}\n}\n");
	EXPECT_APPLY(&p, 1);
	EXPECT(sh("nft list table inet ferry | grep -q 'tcp dport 443 accept'") == 0, "table inet ferry was not replaced");
	EXPECT(sh("nft list table inet ferry | grep -q 'dport 22 '") != 0, "the old rule is still there");
	/* Other tables are refused in the ruleset, and untouched. */
	char *before = snapshot();
	free(p.nft_ruleset);
	p.nft_ruleset = xstrdup("table inet ferry { }\ntable inet other { }\n");
	struct apply_report r;
	EXPECT(apply(&p, &r, false) < 0 && strstr(diag_str(), "inet other"), "a ruleset naming inet other was accepted: %s", diag_str());
	char *after = snapshot();
	same_snapshot(before, after, "after the refused ruleset");
	free(before);
	free(after);
	free(p.nft_ruleset);
	p.nft_ruleset = NULL;
	EXPECT_APPLY(&p, 1);
	EXPECT(sh("nft list table inet ferry >/dev/null 2>&1") != 0, "table inet ferry was not removed");
	EXPECT(sh("nft list table inet other | grep -q 'tcp dport 22 accept'") == 0, "table inet other changed");
	plan_free(&p);
}

/* 100 objects: a bridge and 9 VXLAN ports, 20 addresses, 70 routes. The 60th operation (the 30th
 * route) goes through a gateway no connected network reaches, and the kernel refuses it. */
static void hundred_plan(struct plan *p, const char *bad)
{
	memset(p, 0, sizeof *p);
	add_link(p, "br-f", PL_BRIDGE, "/Common/vlan-f");
	for (int i = 0; i < 9; i++) {
		char name[16], owner[64];
		snprintf(name, sizeof name, "vxf%d", i);
		snprintf(owner, sizeof owner, "/Common/vxf%d", i);
		struct plan_link *l = add_link(p, name, PL_VXLAN, owner);
		l->key = 1000 + (uint32_t)i;
		l->dstport = (uint16_t)(4789 + i);
		snprintf(l->master, sizeof l->master, "br-f");
	}
	for (int i = 0; i < 20; i++) {
		char a[64];
		snprintf(a, sizeof a, "10.50.%d.1/24", i);
		add_addr(p, "br-f", a);
	}
	for (int i = 0; i < 70; i++) {
		char d[64];
		snprintf(d, sizeof d, "40.0.%d.0/24", i);
		struct plan_route *r = add_route(p, d, i == 29 && strcmp(bad, "route") == 0 ? "192.0.2.1" : "10.50.0.254");
		if (i == 29) {
			free(r->owner);
			r->owner = xstrdup("/Common/the-bad-route");
		}
	}
	if (strcmp(bad, "mtu") == 0)
		p->links[5].mtu = 70000;   /* more than any device takes */
}

static void t_rollback_route(void)
{
	make_foreign();
	char *before = snapshot();
	struct plan p;
	hundred_plan(&p, "route");
	struct apply_report r;
	EXPECT(apply(&p, &r, false) < 0, "the apply with a bad route succeeded");
	EXPECT(r.ops == 100, "the plan made %zu operations, expected 100", r.ops);
	EXPECT(strstr(diag_str(), "/Common/the-bad-route") && strstr(diag_str(), "40.0.29.0/24"),
	       "the error does not name the route and its owner: %s", diag_str());
	EXPECT(strstr(diag_str(), "gateway") || strstr(diag_str(), "Nexthop"), "no extended-ACK text in: %s", diag_str());
	/* The kernel goes on after the refused message within the same batch: every other of the
	 * 100 succeeded, and all of them are undone. */
	EXPECT(r.undone == 99, "%zu operations undone, expected 99", r.undone);
	char *after = snapshot();
	same_snapshot(before, after, "after the failed apply");
	free(before);
	free(after);
	plan_free(&p);
}

static void t_rollback_mtu(void)
{
	char *before = snapshot();
	struct plan p;
	hundred_plan(&p, "mtu");
	struct apply_report r;
	EXPECT(apply(&p, &r, false) < 0, "the apply with a bad MTU succeeded");
	EXPECT(strstr(diag_str(), "/Common/vxf4") != NULL, "the error does not name /Common/vxf4: %s", diag_str());
	char *after = snapshot();
	same_snapshot(before, after, "after the failed apply");
	free(before);
	free(after);
	plan_free(&p);
}

/* From a state with ferry's objects and foreign ones: a plan that changes, adds and deletes
 * (links, a TAP, addresses, routes, the nft table) and fails at its very end (nftables refuses
 * the ruleset), so that every kind of operation is undone. */
static void t_rollback_everything(void)
{
	make_eth1();
	make_foreign();
	struct plan p;
	base_plan(&p);
	add_link(&p, "br-x", PL_BRIDGE, "/Common/vlan-x");
	struct plan_link *t2 = add_link(&p, "tap-x", PL_TAP, "/Common/eip-x");
	snprintf(t2->master, sizeof t2->master, "br-x");
	add_addr(&p, "br-x", "10.2.0.1/24");
	add_addr(&p, "br-x", "10.2.0.2/24");   /* a secondary */
	add_addr(&p, "br-x", "2001:db8:7::1/64");
	add_addr(&p, "br-x", "2001:db8:7::2/64");
	add_route(&p, "20.0.9.0/24", "10.2.0.254");
	p.nft_ruleset = xstrdup("table inet ferry {\n\tchain input {\n\t\ttype filter hook input priority 0; policy accept;\n\t}\n}\n");
	EXPECT_APPLY(&p, -1);
	sh("ip link set eth1 mtu 1400");   /* not ferry's business: kept as is */
	char *before = snapshot();

	struct plan q;
	base_plan(&q);
	find_link(&q, "br-a")->mtu = 1300;
	struct plan_link *vx = find_link(&q, "vx-a");
	vx->has_mac = true;
	memcpy(vx->mac, "\x02\x00\x00\x00\xbb\x01", 6);
	vx->key = 555;                                   /* made again */
	snprintf(find_link(&q, "tap-a")->master, PLAN_IFNAMSIZ, "br-n");
	add_link(&q, "br-n", PL_BRIDGE, "/Common/vlan-n"); /* after its port in the list: levels sort it */
	set_ip(&q.routes[0].gw, "10.1.0.250");          /* replaced */
	remove_route(&q, "20.0.1.0/24");
	remove_route(&q, "2001:db8:3::/64");
	add_route(&q, "20.0.8.0/24", "10.1.0.254");
	q.addrs[1].prefix.len = 96;                      /* IPv6 length change */
	/* br-x, tap-x, their addresses and route: gone. And a ruleset nftables refuses, at the end. */
	q.nft_ruleset = xstrdup("table inet ferry {\n\tchain input {\n\t\ttype filter hook input priority 0; policy accept;\n\t\ttcp dport 22 frobnicate\n\t}\n}\n");
	struct apply_report r;
	EXPECT(apply(&q, &r, false) < 0, "the apply with a bad ruleset succeeded");
	EXPECT(strstr(diag_str(), "nftables") != NULL, "the error does not come from nftables: %s", diag_str());
	/* nftables goes before the deletions: only what adds and changes was done, and undone. */
	EXPECT(r.undone >= 8, "only %zu operations undone", r.undone);
	char *after = snapshot();
	if (!same_snapshot(before, after, "after the failed apply"))
		printf("%s", diag_str());
	free(after);
	/* Failing after everything (deletions included) puts the deleted links, TAP, addresses and
	 * routes back as well. */
	free(q.nft_ruleset);
	q.nft_ruleset = xstrdup("table inet ferry {\n\tchain input {\n\t\ttype filter hook input priority 0; policy accept;\n\t\ttcp dport 22 accept\n\t}\n}\n");
	struct apply_opts fo = { .fail_verify = true };
	diag_reset();
	EXPECT(runtime_apply(&q, &fo, &r, &diags) < 0, "fail_verify did not fail");
	EXPECT(r.undone == r.ops, "%zu of %zu operations undone:\n%s", r.undone, r.ops, diag_str());
	after = snapshot();
	if (!same_snapshot(before, after, "after failing at the very end")) {
		printf("%s", diag_str());
		if (getenv("FERRY_TEST_DEBUG"))
			sh("bridge link; ip -d link show tap-x; sleep 3; ip link show br-x");
	}
	free(after);
	free(before);
	/* And the same plan with a good ruleset goes through. */
	free(q.nft_ruleset);
	q.nft_ruleset = xstrdup("table inet ferry {\n\tchain input {\n\t\ttype filter hook input priority 0; policy accept;\n\t\ttcp dport 22 accept\n\t}\n}\n");
	EXPECT_APPLY(&q, -1);
	EXPECT_IP("-d link show dev vx-a", ".[0] | .linkinfo.info_data.id == 555 and .master == \"br-a\"");
	EXPECT_IP("-d link show dev tap-a", ".[0].master == \"br-n\"");
	EXPECT(ipcount("link show dev br-x") == 0 && ipcount("link show dev tap-x") == 0, "br-x or tap-x is left");
	EXPECT_APPLY(&q, 0);
	plan_free(&p);
	plan_free(&q);
}

/* A big apply killed part-way; applying again converges. */
static void t_kill9(void)
{
	struct plan p = { 0 };
	add_link(&p, "br-k", PL_BRIDGE, "/Common/vlan-k");
	for (int i = 0; i < 8; i++) {
		char name[16], owner[64];
		snprintf(name, sizeof name, "vxk%d", i);
		snprintf(owner, sizeof owner, "/Common/vxk%d", i);
		struct plan_link *l = add_link(&p, name, PL_VXLAN, owner);
		l->key = 2000 + (uint32_t)i;
		l->dstport = (uint16_t)(5000 + i);
		snprintf(l->master, sizeof l->master, "br-k");
	}
	add_addr(&p, "br-k", "10.60.0.1/16");
	int n = 100000;
	for (int i = 0; i < n; i++) {
		char d[64];
		snprintf(d, sizeof d, "%d.%d.%d.0/24", 50 + (i >> 16), (i >> 8) & 255, i & 255);
		add_route(&p, d, "10.60.0.254");
	}
	int pfd[2];
	if (pipe(pfd) < 0)
		abort();
	pid_t pid = fork();
	if (pid == 0) {
		close(pfd[0]);
		if (write(pfd[1], "x", 1) < 0)
			_exit(2);
		struct apply_report r;
		_exit(apply(&p, &r, false) == 0 ? 0 : 1);
	}
	close(pfd[1]);
	char c;
	if (read(pfd[0], &c, 1) < 0)
		abort();
	close(pfd[0]);
	struct timespec ts = { 0, 250 * 1000 * 1000 };
	nanosleep(&ts, NULL);
	kill(pid, SIGKILL);
	int st;
	waitpid(pid, &st, 0);
	long partial = ipcount("route show proto 77");
	printf("    killed with %ld of %d routes in (%s)\n", partial, n,
	       WIFSIGNALED(st) ? "killed mid-apply" : "the apply had finished: no partial state to converge from");
	struct apply_report r;
	EXPECT(apply(&p, &r, false) == 0, "the apply after the kill failed:\n%s", diag_str());
	EXPECT(r.ops == (size_t)(n + 10) - (size_t)partial - (partial ? 10 : 0) || !WIFSIGNALED(st) || partial == 0,
	       "the second apply did %zu operations with %ld routes in", r.ops, partial);
	EXPECT(ipcount("route show proto 77") == n, "not all %d routes are in", n);
	EXPECT(ipcount("link show master br-k") == 8, "br-k does not have its 8 ports");
	EXPECT_APPLY(&p, 0);
	plan_free(&p);
}

static void t_enter_netns(void)
{
	struct diags d;
	diag_reset();
	d = diags;
	EXPECT(runtime_enter_netns("ferry-no-such-namespace", &d) < 0, "entering a missing namespace succeeded");
	EXPECT(strstr(diag_str(), "does not exist") != NULL, "the error does not say it does not exist: %s", diag_str());
	EXPECT(runtime_enter_netns("../etc", &d) < 0, "a name with a slash was accepted");

	const char *pre = getenv("FERRYT_PREFIX");
	char name[128];
	snprintf(name, sizeof name, "%s-enter", pre ? pre : "ferryt-runtime");
	if (sh("ip netns add %s", name) != 0) {
		fail_at(__LINE__, "ip netns add %s failed", name);
		return;
	}
	pid_t pid = fork();
	if (pid == 0) {
		diag_reset();
		if (runtime_enter_netns(name, &diags) < 0)
			_exit(1);
		struct plan p = { 0 };
		add_link(&p, "br-e", PL_BRIDGE, "/Common/vlan-e");
		struct apply_report r;
		_exit(apply(&p, &r, false) == 0 ? 0 : 2);
	}
	int st;
	waitpid(pid, &st, 0);
	EXPECT(WIFEXITED(st) && WEXITSTATUS(st) == 0, "apply inside %s failed (status %d)", name, st);
	char args[256];
	snprintf(args, sizeof args, "-n %s link show dev br-e", name);
	EXPECT_IP(args, ".[0].ifalias == \"ferry:/Common/vlan-e\"");
	EXPECT(ipcount("link show dev br-e") == 0, "br-e appeared in the test's own namespace");
	sh("ip netns del %s", name);
}

/* An opaque VLAN group (plan_link.proxy_arp): its ports get the bridge's proxy_arp and isolated
 * flags; a port moved in or out, or the group changed, gets them set or cleared. */
static void t_proxy_arp(void)
{
	make_eth1();
	struct plan p = { 0 };
	add_link(&p, "br-o", PL_BRIDGE, "/Common/vg-opaque")->proxy_arp = true;
	struct plan_link *v = add_link(&p, "vx-o", PL_VXLAN, "/Common/vx-o");
	v->key = 7;
	snprintf(v->master, sizeof v->master, "br-o");
	struct plan_link *t = add_link(&p, "tap-o", PL_TAP, "/Common/eip-o");
	snprintf(t->master, sizeof t->master, "br-o");
	struct plan_link *e = add_link(&p, "eth1", PL_PHYSICAL, "/Common/vg-opaque");
	snprintf(e->master, sizeof e->master, "br-o");
	EXPECT_APPLY(&p, 4);
	const char *on = ".[0].linkinfo.info_slave_data | .proxy_arp == true and .isolated == true";
	const char *off = ".[0].linkinfo.info_slave_data | .proxy_arp == false and .isolated == false";
	EXPECT_IP("-d link show dev vx-o", on);
	EXPECT_IP("-d link show dev tap-o", on);
	EXPECT_IP("-d link show dev eth1", on);
	EXPECT_APPLY(&p, 0);
	/* The group becomes transparent: every port's flags cleared, one operation each. */
	p.links[0].proxy_arp = false;
	EXPECT_APPLY(&p, 3);
	EXPECT_IP("-d link show dev vx-o", off);
	EXPECT_IP("-d link show dev eth1", off);
	EXPECT_APPLY(&p, 0);
	plan_free(&p);
}

/* A deep copy of a plan (the "previous" of an incremental apply). */
static void plan_copy(struct plan *dst, const struct plan *src)
{
	*dst = *src;
	dst->links = xmalloc((src->n_links + 1) * sizeof *dst->links);
	dst->addrs = xmalloc((src->n_addrs + 1) * sizeof *dst->addrs);
	dst->routes = xmalloc((src->n_routes + 1) * sizeof *dst->routes);
	memcpy(dst->links, src->links, src->n_links * sizeof *dst->links);
	memcpy(dst->addrs, src->addrs, src->n_addrs * sizeof *dst->addrs);
	memcpy(dst->routes, src->routes, src->n_routes * sizeof *dst->routes);
	for (size_t i = 0; i < src->n_links; i++)
		dst->links[i].owner = xstrdup(src->links[i].owner);
	for (size_t i = 0; i < src->n_addrs; i++)
		dst->addrs[i].owner = xstrdup(src->addrs[i].owner);
	for (size_t i = 0; i < src->n_routes; i++)
		dst->routes[i].owner = xstrdup(src->routes[i].owner);
	dst->nft_ruleset = src->nft_ruleset ? xstrdup(src->nft_ruleset) : NULL;
	dst->ferryd_yaml = src->ferryd_yaml ? xstrdup(src->ferryd_yaml) : NULL;
}

/* Applies P with PREV as the plan applied before; checks the operation count and whether the
 * apply could stay incremental. */
static void apply_from(const struct plan *p, const struct plan *prev, long want_ops, bool want_incremental, int line)
{
	struct apply_opts o = { .previous = prev };
	struct apply_report r;
	diag_reset();
	int rc = runtime_apply(p, &o, &r, &diags);
	if (rc != 0)
		fail_at(line, "incremental apply failed:\n%s", diag_str());
	else if (want_ops >= 0 && r.ops != (size_t)want_ops)
		fail_at(line, "incremental apply did %zu operations, expected %ld", r.ops, want_ops);
	else if (r.incremental != want_incremental)
		fail_at(line, "the apply was %sincremental, expected %s", r.incremental ? "" : "not ", want_incremental ? "it to be" : "not");
}

static void t_incremental(void)
{
	make_eth1();
	struct plan p, prev;
	base_plan(&p);
	EXPECT_APPLY(&p, -1);
	plan_copy(&prev, &p);

	/* One route's gateway: one operation, read and verified one by one. */
	set_ip(&p.routes[0].gw, "10.1.0.252");
	apply_from(&p, &prev, 1, true, __LINE__);
	EXPECT_IP("route show 20.0.0.0/24 proto 77", ".[0].gateway == \"10.1.0.252\"");
	plan_free(&prev);
	plan_copy(&prev, &p);
	apply_from(&p, &prev, 0, true, __LINE__);

	/* A route gone, a route added (a blackhole: the kernel's answer for one is not conclusive, so
	 * its verification reads everything), an IPv6 one changed. */
	remove_route(&p, "20.0.4.0/24");
	add_route(&p, "20.0.7.0/24", "blackhole");
	p.routes[4].mtu = 1280;   /* 2001:db8:2::/64 */
	apply_from(&p, &prev, 3, true, __LINE__);
	EXPECT(ipcount("route show 20.0.4.0/24") == 0, "20.0.4.0/24 is still there");
	EXPECT_IP("route show 20.0.7.0/24 proto 77", ".[0].type == \"blackhole\"");
	EXPECT_IP("-6 route show 2001:db8:2::/64 proto 77", ".[0].metrics[0].mtu == 1280");
	/* the blackhole is there now: asking for it is not conclusive, so everything is read */
	plan_free(&prev);
	plan_copy(&prev, &p);
	set_ip(&p.routes[0].gw, "10.1.0.251");
	apply_from(&p, &prev, 1, true, __LINE__);
	plan_free(&prev);
	plan_copy(&prev, &p);

	/* Changes that can take untouched routes with them make it read everything. */
	find_link(&p, "br-a")->mtu = 1400;
	apply_from(&p, &prev, -1, false, __LINE__);
	plan_free(&prev);
	plan_copy(&prev, &p);

	/* Drift: a route of ferry's deleted by hand. With the previous plan it is trusted (not
	 * read); without, the apply puts it back. */
	sh("ip route del 20.0.3.0/24");
	apply_from(&p, &prev, 0, true, __LINE__);
	EXPECT(ipcount("route show 20.0.3.0/24") == 0, "an incremental apply repaired what it does not read");
	EXPECT_APPLY(&p, 1);
	EXPECT_IP("route show 20.0.3.0/24 proto 77", ".[0].gateway == \"10.1.0.254\"");

	/* A failure in an incremental apply is undone like any other. */
	char *before = snapshot();
	struct plan q;
	plan_copy(&q, &p);
	set_ip(&q.routes[0].gw, "10.1.0.249");
	add_route(&q, "20.0.8.0/24", "192.0.2.1");   /* unreachable */
	struct apply_opts o = { .previous = &p };
	struct apply_report r;
	diag_reset();
	EXPECT(runtime_apply(&q, &o, &r, &diags) < 0, "the failing incremental apply succeeded");
	char *after = snapshot();
	same_snapshot(before, after, "after the failed incremental apply");
	free(before);
	free(after);
	plan_free(&q);
	plan_free(&prev);
	plan_free(&p);
}

/* ---- UML only: 802.1Q, GRE and the tunnels the host kernel lacks ---- */

static void t_uml_vlan(void)
{
	sh("ip link add eth3 type veth peer name eth3p && ip link set eth3p up");
	struct plan p = { 0 };
	add_link(&p, "eth3", PL_PHYSICAL, "/Common/vlan-eip1");
	add_link(&p, "br-eip1", PL_BRIDGE, "/Common/vlan-eip1");
	add_link(&p, "br-srv", PL_BRIDGE, "/Common/vlan-server1");
	struct plan_link *v = add_link(&p, "eth3.4092", PL_VLAN, "/Common/vlan-eip1");
	snprintf(v->parent, sizeof v->parent, "eth3");
	v->vlan_id = 4092;
	snprintf(v->master, sizeof v->master, "br-eip1");
	v = add_link(&p, "eth3.100", PL_VLAN, "/Common/vlan-server1");
	snprintf(v->parent, sizeof v->parent, "eth3");
	v->vlan_id = 100;
	snprintf(v->master, sizeof v->master, "br-srv");
	struct plan_link *g = add_link(&p, "gt-eip", PL_GRETAP, "/Common/eip");
	set_ip(&g->local, "10.133.64.245");
	set_ip(&g->remote, "10.133.65.245");
	g->key = 7;
	g->has_key = true;
	snprintf(g->master, sizeof g->master, "br-srv");
	struct plan_link *g6 = add_link(&p, "gt6", PL_GRETAP, "/Common/eip6");
	set_ip(&g6->local, "2001:db8:64::245");
	set_ip(&g6->remote, "2001:db8:65::245");
	g6->tos = -1;
	snprintf(g6->master, sizeof g6->master, "br-srv");
	struct plan_link *gre = add_link(&p, "gre1", PL_GRE, "/Common/gre1");
	set_ip(&gre->local, "10.133.64.245");
	set_ip(&gre->remote, "10.133.66.245");
	struct plan_link *gn = add_link(&p, "gnv1", PL_GENEVE, "/Common/gnv1");
	gn->key = 42;
	set_ip(&gn->remote, "10.133.67.245");
	struct plan_link *ip4 = add_link(&p, "ipip1", PL_IPIP, "/Common/ipip1");
	set_ip(&ip4->local, "10.133.64.245");
	set_ip(&ip4->remote, "10.133.68.245");
	struct plan_link *ip6 = add_link(&p, "ip6t1", PL_IPIP, "/Common/ip6t1");
	set_ip(&ip6->local, "2001:db8:64::245");
	set_ip(&ip6->remote, "2001:db8:69::245");
	add_addr(&p, "br-eip1", "10.133.64.245/24");
	add_route(&p, "10.133.65.0/24", "10.133.64.1");
	EXPECT_APPLY(&p, 10 + 1 + 1 + 1);   /* 10 links made, eth3 up, 1 address, 1 route */
	EXPECT_IP("-d link show dev eth3.4092", ".[0] | .linkinfo.info_kind == \"vlan\" and .linkinfo.info_data.protocol == \"802.1Q\" and .linkinfo.info_data.id == 4092 and .link == \"eth3\" and .master == \"br-eip1\" and .ifalias == \"ferry:/Common/vlan-eip1\" and (.flags | index([\"UP\"]) != null)");
	EXPECT_IP("-d link show dev eth3.100", ".[0] | .linkinfo.info_data.id == 100 and .master == \"br-srv\"");
	EXPECT_IP("-d link show dev gt-eip", ".[0] | .linkinfo.info_kind == \"gretap\" and .linkinfo.info_data.local == \"10.133.64.245\" and .linkinfo.info_data.remote == \"10.133.65.245\" and .linkinfo.info_data.ikey == \"0.0.0.7\" and .master == \"br-srv\"");
	EXPECT_IP("-d link show dev gt6", ".[0] | .linkinfo.info_kind == \"ip6gretap\" and .linkinfo.info_data.local == \"2001:db8:64::245\" and .linkinfo.info_data.remote == \"2001:db8:65::245\" and .master == \"br-srv\"");
	EXPECT_IP("-d link show dev gre1", ".[0] | .linkinfo.info_kind == \"gre\" and .linkinfo.info_data.remote == \"10.133.66.245\"");
	EXPECT_IP("-d link show dev gnv1", ".[0] | .linkinfo.info_kind == \"geneve\" and .linkinfo.info_data.id == 42 and .linkinfo.info_data.remote == \"10.133.67.245\"");
	EXPECT_IP("-d link show dev ipip1", ".[0] | .linkinfo.info_kind == \"ipip\" and .linkinfo.info_data.remote == \"10.133.68.245\"");
	EXPECT_IP("-d link show dev ip6t1", ".[0] | .linkinfo.info_kind == \"ip6tnl\" and .linkinfo.info_data.remote == \"2001:db8:69::245\"");
	EXPECT_APPLY(&p, 0);

	/* A new tag: the sub-interface is made again. */
	find_link(&p, "eth3.100")->vlan_id = 101;
	EXPECT_APPLY(&p, 2);
	EXPECT_IP("-d link show dev eth3.100", ".[0] | .linkinfo.info_data.id == 101 and .master == \"br-srv\"");
	/* A new remote: the gretap is made again; a new key on the gre too. */
	set_ip(&find_link(&p, "gt-eip")->remote, "10.133.65.246");
	find_link(&p, "gre1")->has_key = true;
	find_link(&p, "gre1")->key = 9;
	EXPECT_APPLY(&p, 4);
	EXPECT_IP("-d link show dev gt-eip", ".[0] | .linkinfo.info_data.remote == \"10.133.65.246\" and .master == \"br-srv\"");
	EXPECT_APPLY(&p, 0);

	/* A failure part-way in a plan with VLANs and GRE: undone byte for byte. */
	char *before = snapshot();
	struct plan q = { 0 };
	for (size_t i = 0; i < p.n_links; i++) {
		struct plan_link *l = add_link(&q, p.links[i].name, p.links[i].kind, p.links[i].owner);
		char *owner = l->owner;
		*l = p.links[i];
		l->owner = owner;
	}
	struct plan_link *v2 = add_link(&q, "eth3.200", PL_VLAN, "/Common/vlan-200");
	snprintf(v2->parent, sizeof v2->parent, "eth3");
	v2->vlan_id = 200;
	snprintf(v2->master, sizeof v2->master, "br-eip1");
	find_link(&q, "eth3.100")->vlan_id = 102;
	add_addr(&q, "br-eip1", "10.133.64.245/24");
	add_route(&q, "10.133.65.0/24", "10.133.64.1");
	add_route(&q, "10.133.70.0/24", "192.0.2.77");   /* unreachable */
	struct apply_report r;
	EXPECT(apply(&q, &r, false) < 0, "the failing apply succeeded");
	char *after = snapshot();
	same_snapshot(before, after, "after the failed apply");
	free(before);
	free(after);

	struct plan empty = { 0 };
	EXPECT_APPLY(&empty, -1);
	/* (the tunnel modules' own gre0, tunl0, ip6tnl0... stay: they are the kernel's) */
	EXPECT_IP("link show", "[.[] | select((.ifalias // \"\") | startswith(\"ferry:\"))] | length == 0");
	EXPECT_IP("-d link show dev eth3", ".[0].master == null");
	plan_free(&p);
	plan_free(&q);
}

/* ---- running ---- */

/* In the sanitizer build: a leak check before the result line, so that a leak fails the test
 * that leaked (LeakSanitizer's own check at exit would come after PASS). */
extern int __lsan_do_recoverable_leak_check(void) __attribute__((weak));

struct test {
	const char *name;
	void (*fn)(void);
	bool uml;   /* needs the UML kernel (802.1Q, GRE) */
};

static const struct test tests[] = {
	{ "create", t_create, false },
	{ "dry-run", t_dry_run, false },
	{ "modify", t_modify, false },
	{ "foreign", t_foreign, false },
	{ "delete-all", t_delete_all, false },
	{ "nft", t_nft, false },
	{ "rollback-route", t_rollback_route, false },
	{ "rollback-mtu", t_rollback_mtu, false },
	{ "rollback-everything", t_rollback_everything, false },
	{ "kill9", t_kill9, false },
	{ "incremental", t_incremental, false },
	{ "proxy-arp", t_proxy_arp, false },
	{ "enter-netns", t_enter_netns, false },
	{ "uml-vlan-gre", t_uml_vlan, true },
};

static int run(const struct test *t)
{
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		current = t->name;
		if (strcmp(t->name, "enter-netns") != 0 && unshare(CLONE_NEWNET) < 0) {
			printf("SKIP %s/%s: unshare(CLONE_NEWNET): %s\n", prefix, t->name, strerror(errno));
			_exit(0);
		}
		if (strcmp(t->name, "enter-netns") != 0)
			setup_ns();
		sb_init(&failures);
		struct timespec t0, t1;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		t->fn();
		if (diag_file) {
			fclose(diag_file);
			diag_file = NULL;
			free(diag_text);
			diag_text = NULL;
		}
		if (__lsan_do_recoverable_leak_check && __lsan_do_recoverable_leak_check())
			fail_at(__LINE__, "LeakSanitizer found leaks (report on stderr)");
		clock_gettime(CLOCK_MONOTONIC, &t1);
		double s = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
		if (n_failures)
			printf("FAIL %s/%s: %s\n", prefix, t->name, failures.buf);
		else
			printf("PASS %s/%s\n    %.2f s\n", prefix, t->name, s);
		fflush(stdout);
		_exit(n_failures ? 1 : 0);
	}
	int st;
	waitpid(pid, &st, 0);
	if (!WIFEXITED(st)) {
		printf("FAIL %s/%s: the test died (signal %d)\n", prefix, t->name, WIFSIGNALED(st) ? WTERMSIG(st) : 0);
		return 1;
	}
	return WEXITSTATUS(st);
}

int main(int argc, char **argv)
{
	int i = 1;
	if (argc > 2 && strcmp(argv[1], "-p") == 0) {
		prefix = argv[2];
		i = 3;
	}
	int failed = 0;
	if (i == argc) {
		for (size_t k = 0; k < sizeof tests / sizeof *tests; k++)
			if (!tests[k].uml)
				failed |= run(&tests[k]);
		return failed;
	}
	for (; i < argc; i++) {
		size_t k;
		for (k = 0; k < sizeof tests / sizeof *tests; k++)
			if (strcmp(tests[k].name, argv[i]) == 0)
				break;
		if (k == sizeof tests / sizeof *tests) {
			printf("FAIL %s/%s: no such test\n", prefix, argv[i]);
			failed = 1;
			continue;
		}
		failed |= run(&tests[k]);
	}
	return failed;
}
