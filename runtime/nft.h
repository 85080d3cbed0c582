/* ferry's one nftables table, `table inet ferry`, through libnftables. The plan's ruleset is
 * loaded in one transaction that removes the old table (if any) and adds the new one; a comment
 * in the table ("ferry:<hash of the plan's text>") tells a later apply whether it is current. */
#ifndef FERRY_RUNTIME_NFT_H
#define FERRY_RUNTIME_NFT_H

#include <stdbool.h>

#include "compiler/diag.h"

struct nftstate {
	bool exists;          /* table inet ferry is there */
	char *hash;           /* the hash in its comment, NULL when it has none */
	char *saved;          /* its listing, to put it back on rollback */
};

void nftstate_free(struct nftstate *s);
/* Reads the table's state. -1 (with a diag) when nftables cannot be asked at all. */
int nft_read(struct nftstate *s, struct diags *d);
/* Does making the kernel match RULESET (NULL: no table) need a transaction? */
bool nft_needs_change(const struct nftstate *cur, const char *ruleset);
/* Checks that RULESET only defines table inet ferry. */
bool nft_ruleset_ok(const char *ruleset, struct diags *d);
/* Loads RULESET (NULL: removes the table) in one transaction. */
int nft_load(const char *ruleset, struct diags *d);
/* Puts back what nft_read saw. */
int nft_restore(const struct nftstate *s, struct diags *d);

#endif
