#include "compiler/plan.h"

#include <stdlib.h>
#include <string.h>

void plan_free(struct plan *p)
{
	for (size_t i = 0; i < p->n_links; i++)
		free(p->links[i].owner);
	for (size_t i = 0; i < p->n_addrs; i++)
		free(p->addrs[i].owner);
	for (size_t i = 0; i < p->n_routes; i++)
		free(p->routes[i].owner);
	free(p->links);
	free(p->addrs);
	free(p->routes);
	free(p->nft_ruleset);
	free(p->ferryd_yaml);
	memset(p, 0, sizeof *p);
}

int plan_tunnel_family(const struct plan_link *pl)
{
	if (pl->local.family)
		return pl->local.family;
	if (pl->remote.family)
		return pl->remote.family;
	return AF_INET;
}

const char *plan_link_kind(const struct plan_link *pl)
{
	bool v6 = plan_tunnel_family(pl) == AF_INET6;
	switch (pl->kind) {
	case PL_PHYSICAL: return "";
	case PL_BRIDGE: return "bridge";
	case PL_VLAN: return "vlan";
	case PL_VXLAN: return "vxlan";
	case PL_GENEVE: return "geneve";
	case PL_GRE: return v6 ? "ip6gre" : "gre";
	case PL_GRETAP: return v6 ? "ip6gretap" : "gretap";
	case PL_IPIP: return v6 ? "ip6tnl" : "ipip";
	case PL_TAP: return "tun";
	}
	return "?";
}
