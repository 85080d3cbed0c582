/* The runtime: makes the kernel match a plan.
 *
 *   struct apply_opts o = { .dry_run = false };
 *   struct apply_report r;
 *   if (runtime_enter_netns("site-a", &d) < 0 || runtime_apply(&plan, &o, &r, &d) < 0)
 *       ...errors are in d...
 *
 * Ownership (what ferry may change or remove): links whose alias starts with FERRY_ALIAS_PREFIX,
 * routes with protocol FERRY_RT_PROTO, addresses on ferry's links (not the kernel's own IPv6
 * link-local ones) and addresses with IFA_PROTO FERRY_RT_PROTO (ferry marks every address it adds
 * so), and `table inet ferry`. The plan's PL_PHYSICAL links are only enslaved, set up (and given
 * the plan's mtu/mac), and released when the plan drops them. Everything else is never touched. */
#ifndef FERRY_RUNTIME_RUNTIME_H
#define FERRY_RUNTIME_RUNTIME_H

#include <stdbool.h>
#include <stddef.h>

#include "compiler/diag.h"
#include "compiler/plan.h"

struct apply_opts {
	bool dry_run;          /* compute and count the operations, change nothing */
	bool ack_each;         /* NLM_F_ACK on every message instead of one barrier per chunk (slower;
	                          for comparison in the benchmark) */
	bool verbose;          /* one diag note per operation (dry runs show what would be done) */
	bool fail_verify;      /* tests: fail after applying everything, so that all of it is undone */
	/* The plan last applied to this namespace with success, when the caller has it (NULL: none).
	 * Then the routes that are the same in both are trusted to be in the kernel as they were and
	 * are not read: only links, addresses and the routes that differ are (one by one), so that
	 * changing one route of 100,000 reads one. Drift of the others (someone deleting a route of
	 * ferry's by hand) is repaired by the next apply without PREVIOUS. Whenever the kernel's
	 * answers are not conclusive (a blackhole, or another route over ours), or the changes could
	 * take routes with them (a deleted link or address, an MTU change), or more than a few
	 * thousand routes differ, everything is read as without it. */
	const struct plan *previous;
};

struct apply_report {
	size_t ops, link_ops, addr_ops, route_ops, nft_ops;   /* what was (or would be) done */
	size_t undone;         /* operations rolled back after a failure */
	size_t nl_messages;    /* netlink messages sent, rollback included */
	double read_ms, diff_ms, apply_ms, verify_ms;          /* where the time went */
	bool incremental;      /* PREVIOUS was used: only the routes that differ were read */
	bool verify_targeted;  /* the verification read the routes operated on one by one */
};

/* Makes the current network namespace match PLAN. All or nothing: on any failure everything this
 * call changed is undone, the error is reported through D (netlink extended-ACK text when the
 * kernel gives one, and the plan object's owner path), and -1 is returned. R may be NULL. */
int runtime_apply(const struct plan *plan, const struct apply_opts *o, struct apply_report *r, struct diags *d);

/* Enters the named network namespace (/var/run/netns/NAME) for the rest of the process. */
int runtime_enter_netns(const char *name, struct diags *d);

#endif
