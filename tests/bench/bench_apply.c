/* Benchmark of runtime_apply, run by tests/bench/bench-apply.sh inside a namespace it prepared
 * (a bridge br0 with 10.0.0.1/16, so that 10.0.0.2 is a reachable gateway).
 *
 *   bench_apply full N [ack-each]   apply N routes (20.x.y.0/24 via 10.0.0.2) into an empty table
 *   bench_apply change N ROUNDS     with those N routes in: change one route's gateway, ROUNDS times
 *                                   (a different route each time), then apply the same plan again;
 *                                   then the same with apply_opts.previous (the plan applied before)
 *   bench_apply links N             N bridges, each with a VXLAN port and an address, and again
 * Prints one line per measurement: "<what> <ms> ms ops <n> messages <n> (read ... diff ... apply ...
 * verify ...)". The plan is built before the clock starts: this measures the runtime, not lowering. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "compiler/util.h"
#include "runtime/runtime.h"

static double now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static void build(struct plan *p, int n)
{
	memset(p, 0, sizeof *p);
	p->routes = xcalloc((size_t)n, sizeof *p->routes);
	p->n_routes = (size_t)n;
	for (int i = 0; i < n; i++) {
		struct plan_route *r = &p->routes[i];
		r->dst.addr.family = AF_INET;
		r->dst.addr.a[0] = (uint8_t)(20 + (i >> 16));
		r->dst.addr.a[1] = (uint8_t)(i >> 8);
		r->dst.addr.a[2] = (uint8_t)i;
		r->dst.len = 24;
		r->has_gw = true;
		ip_parse("10.0.0.2", &r->gw);
		r->owner = xasprintf("/Common/route-%d", i);
	}
}

static int run(const char *what, const struct plan *p, const struct apply_opts *o);

/* Changes route K's gateway, applies; with PREV, as an incremental apply from PREV, which then
 * follows. */
static int change(const char *what, struct plan *p, struct plan *prev, int k)
{
	struct plan_route *r = &p->routes[(size_t)(k * 7919) % p->n_routes];
	ip_parse(r->gw.a[3] == 2 ? "10.0.0.3" : "10.0.0.2", &r->gw);
	struct apply_opts o = { .previous = prev };
	int rc = run(what, p, &o);
	if (prev)
		memcpy(prev->routes, p->routes, p->n_routes * sizeof *p->routes);
	return rc;
}

static int run(const char *what, const struct plan *p, const struct apply_opts *o)
{
	struct diags d;
	diag_init(&d, stderr);
	struct apply_report r;
	double t0 = now_ms();
	int rc = runtime_apply(p, o, &r, &d);
	double t = now_ms() - t0;
	printf("%s %.1f ms ops %zu messages %zu (read %.1f diff %.1f apply %.1f verify %.1f%s%s)%s\n", what, t, r.ops,
	       r.nl_messages, r.read_ms, r.diff_ms, r.apply_ms, r.verify_ms, r.incremental ? ", incremental" : "",
	       r.verify_targeted ? ", verified one by one" : "", rc ? " FAILED" : "");
	fflush(stdout);
	return rc;
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: bench_apply full N [ack-each] | change N ROUNDS\n");
		return 2;
	}
	int n = atoi(argv[2]);
	struct plan p;
	build(&p, n);
	struct apply_opts o = { 0 };
	int rc = 0;
	if (strcmp(argv[1], "full") == 0) {
		o.ack_each = argc > 3 && strcmp(argv[3], "ack-each") == 0;
		rc = run(o.ack_each ? "full-ack-each" : "full", &p, &o);
	} else if (strcmp(argv[1], "links") == 0) {
		plan_free(&p);
		memset(&p, 0, sizeof p);
		p.links = xcalloc(2 * (size_t)n, sizeof *p.links);
		p.addrs = xcalloc((size_t)n, sizeof *p.addrs);
		for (int i = 0; i < n; i++) {
			struct plan_link *b = &p.links[p.n_links++], *v = &p.links[p.n_links++];
			snprintf(b->name, sizeof b->name, "br%d", i);
			b->kind = PL_BRIDGE;
			b->owner = xasprintf("/Common/vlan%d", i);
			snprintf(v->name, sizeof v->name, "vx%d", i);
			v->kind = PL_VXLAN;
			v->key = (uint32_t)i + 1;
			v->dstport = (uint16_t)(10000 + i);
			snprintf(v->master, sizeof v->master, "br%d", i);
			v->owner = xasprintf("/Common/tunnel%d", i);
			struct plan_addr *a = &p.addrs[p.n_addrs++];
			snprintf(a->dev, sizeof a->dev, "br%d", i);
			char pfx[32];
			snprintf(pfx, sizeof pfx, "10.%d.%d.1/24", 100 + (i >> 8), i & 255);
			ip_parse_prefix(pfx, &a->prefix);
			a->owner = xasprintf("/Common/%s", pfx);
		}
		rc = run("links", &p, &o);
		if (!rc)
			rc = run("links-unchanged", &p, &o);
	} else if (strcmp(argv[1], "change") == 0) {
		int rounds = argc > 3 ? atoi(argv[3]) : 5;
		for (int k = 0; k < rounds && !rc; k++)
			rc = change("change-one", &p, NULL, k);
		if (!rc)
			rc = run("unchanged", &p, &o);
		/* The same with the plan applied before: a shallow copy (owners shared, freed once). */
		struct plan prev = p;
		prev.routes = xmalloc(p.n_routes * sizeof *p.routes);
		memcpy(prev.routes, p.routes, p.n_routes * sizeof *p.routes);
		for (int k = 0; k < rounds && !rc; k++)
			rc = change("change-one-incremental", &p, &prev, rounds + k);
		o.previous = &prev;
		if (!rc)
			rc = run("unchanged-incremental", &p, &o);
		free(prev.routes);
	} else {
		fprintf(stderr, "bench_apply: unknown mode %s\n", argv[1]);
		rc = 2;
	}
	plan_free(&p);
	return rc ? 1 : 0;
}
