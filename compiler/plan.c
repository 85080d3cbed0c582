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
