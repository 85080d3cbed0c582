#include "runtime/nft.h"

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <nftables/libnftables.h>

#include "compiler/util.h"

static const struct srcloc noloc = { NULL, 0, 0 };

void nftstate_free(struct nftstate *s)
{
	free(s->hash);
	free(s->saved);
	memset(s, 0, sizeof *s);
}

/* Runs CMD; *OUT gets the output (may be NULL), *ERR the error text. Returns nft's status. A
 * multi-line CMD goes through a memfd, so that nft's error messages quote the right line (from a
 * buffer, libnftables 1.0.6 quotes the first one). */
static int run(const char *cmd, char **out, char **err)
{
	struct nft_ctx *ctx = nft_ctx_new(NFT_CTX_DEFAULT);
	if (!ctx) {
		if (err)
			*err = xstrdup("libnftables: cannot create a context");
		return -1;
	}
	nft_ctx_buffer_output(ctx);
	nft_ctx_buffer_error(ctx);
	int r;
	int fd = strchr(cmd, '\n') ? memfd_create("ferry-nft", MFD_CLOEXEC) : -1;
	if (fd >= 0 && write(fd, cmd, strlen(cmd)) == (ssize_t)strlen(cmd)) {
		char path[64];
		snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
		r = nft_run_cmd_from_filename(ctx, path);
	} else {
		r = nft_run_cmd_from_buffer(ctx, cmd);
	}
	if (fd >= 0)
		close(fd);
	if (out)
		*out = xstrdup(nft_ctx_get_output_buffer(ctx));
	if (err) {
		const char *e = nft_ctx_get_error_buffer(ctx);
		struct strbuf sb;
		sb_init(&sb);
		sb_puts(&sb, "");
		/* "/proc/self/fd/N:7:26-26: Error: ..." reads better as "nft_ruleset:7:26-26: ..." */
		for (const char *p = e ? e : ""; *p;) {
			if (strncmp(p, "/proc/self/fd/", 14) == 0) {
				p += 14;
				while (*p >= '0' && *p <= '9')
					p++;
				sb_puts(&sb, "nft_ruleset");
			} else {
				sb_putc(&sb, *p++);
			}
		}
		*err = sb_steal(&sb);
	}
	nft_ctx_free(ctx);
	return r;
}

static char *text_hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL;
	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ULL;
	}
	return xasprintf("%016llx", (unsigned long long)h);
}

static void trim(char *s)
{
	size_t n = strlen(s);
	while (n && isspace((unsigned char)s[n - 1]))
		s[--n] = 0;
}

int nft_read(struct nftstate *s, struct diags *d)
{
	(void)d;
	memset(s, 0, sizeof *s);
	char *out = NULL, *err = NULL;
	int r = run("list table inet ferry", &out, &err);
	if (r == 0) {
		s->exists = true;
		s->saved = out;
		out = NULL;
		/* translucent VLAN groups: the bridge table goes and comes back with the inet one */
		char *bout = NULL, *berr = NULL;
		if (run("list table bridge ferry", &bout, &berr) == 0 && bout) {
			char *both = xasprintf("%s\n%s", s->saved, bout);
			free(s->saved);
			s->saved = both;
		}
		free(bout);
		free(berr);
		const char *c = strstr(s->saved, "comment \"ferry:");
		if (c) {
			c += strlen("comment \"ferry:");
			size_t n = strcspn(c, "\"");
			s->hash = xstrndup(c, n);
		}
	}
	/* Anything else means no such table (nftables answers ENOENT as an error text). */
	free(out);
	free(err);
	return 0;
}

bool nft_needs_change(const struct nftstate *cur, const char *ruleset)
{
	if (!ruleset)
		return cur->exists;
	if (!cur->exists || !cur->hash)
		return true;
	char *h = text_hash(ruleset);
	bool same = strcmp(h, cur->hash) == 0;
	free(h);
	return !same;
}

/* Every "table FAMILY NAME" in the text must be inet ferry, and nothing may name the ruleset. */
bool nft_ruleset_ok(const char *rs, struct diags *d)
{
	const char *p = rs;
	bool found = false;
	while (*p) {
		if (*p == '"') {   /* skip strings */
			p = strchr(p + 1, '"');
			if (!p)
				break;
			p++;
			continue;
		}
		if (*p == '#') {
			p += strcspn(p, "\n");
			continue;
		}
		if (isalpha((unsigned char)*p) && (p == rs || !(isalnum((unsigned char)p[-1]) || p[-1] == '_' || p[-1] == '-'))) {
			size_t n = 0;
			while (isalnum((unsigned char)p[n]) || p[n] == '_' || p[n] == '-')
				n++;
			if (n == 7 && strncmp(p, "ruleset", 7) == 0) {
				diag_error(d, noloc, "nftables ruleset: names the whole ruleset; ferry only owns table inet ferry");
				return false;
			}
			if (n == 5 && strncmp(p, "table", 5) == 0) {
				char fam[32] = "", name[64] = "";
				if (sscanf(p + 5, " %31[a-z0-9] %63[A-Za-z0-9_.-]", fam, name) != 2 ||
				    (strcmp(fam, "inet") != 0 && strcmp(fam, "bridge") != 0) || strcmp(name, "ferry") != 0) {
					diag_error(d, noloc, "nftables ruleset: 'table %s %s': ferry only owns table inet ferry "
						   "and table bridge ferry", fam, name);
					return false;
				}
				found |= strcmp(fam, "inet") == 0;
			}
			p += n;
			continue;
		}
		p++;
	}
	if (!found) {
		diag_error(d, noloc, "nftables ruleset: does not define table inet ferry");
		return false;
	}
	return true;
}

/* The ruleset with the hash comment put in the table's block, on the same line: nft's messages
 * keep the plan text's line numbers. */
static char *marked(const char *rs)
{
	const char *t = strstr(rs, "table inet ferry");
	const char *b = t ? strchr(t, '{') : NULL;
	char *h = text_hash(rs);
	char *out;
	if (b)
		out = xasprintf("%.*s{ comment \"ferry:%s\";%s", (int)(b - rs), rs, h, b + 1);
	else
		out = xstrdup(rs);
	free(h);
	return out;
}

static int load(const char *text, const char *what, struct diags *d)
{
	char *err = NULL;
	/* One line before the text, so that line numbers in errors are the text's own. */
	char *cmd = xasprintf("add table inet ferry; delete table inet ferry; add table bridge ferry; "
			      "delete table bridge ferry; %s\n", text ? text : "");
	int r = run(cmd, NULL, &err);
	if (r != 0) {
		trim(err);
		diag_error(d, noloc, "nftables: %s: %s", what, err[0] ? err : "failed");
	}
	free(cmd);
	free(err);
	return r == 0 ? 0 : -1;
}

int nft_load(const char *ruleset, struct diags *d)
{
	if (!ruleset)
		return load(NULL, "remove table inet ferry", d);
	char *m = marked(ruleset);
	int r = load(m, "load table inet ferry", d);
	free(m);
	return r;
}

int nft_restore(const struct nftstate *s, struct diags *d)
{
	return load(s->exists ? s->saved : NULL, "put back table inet ferry", d);
}
