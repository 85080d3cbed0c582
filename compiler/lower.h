/* Lowering: from a validated config to the kernel objects it implies (docs/lowering.md). */
#ifndef FERRY_COMPILER_LOWER_H
#define FERRY_COMPILER_LOWER_H

#include "compiler/diag.h"
#include "compiler/plan.h"
#include "compiler/store.h"
#include "compiler/util.h"

/* Fills PLAN from a store that passed validation. Returns the number of errors (a name that
 * cannot become an interface, say); PLAN is empty then. */
int lower_store(const struct store *s, struct plan *plan, struct diags *d);

/* The kernel interface name of a VLAN, VLAN group or tunnel path: the name itself when it fits
 * and is a plain word in /Common, otherwise a readable prefix, '+' and a hash of the path. */
void lower_ifname(const char *path, char out[PLAN_IFNAMSIZ]);

/* The plan as an `ip -batch` script (and the nft ruleset as comments naming `nft -f`). */
void plan_emit_ip(struct strbuf *sb, const struct plan *p);
/* The plan as YAML: the ordered operations a fresh apply performs. */
int plan_emit_yaml(struct strbuf *sb, const struct plan *p);

#endif
