/* libFuzzer: the completion engine behind TAB and `?`. Any text typed so far, in any module or
 * kind, must complete without crashing, leaking or reading out of bounds, and the result must be
 * well formed: the partial word is a suffix of the text, every insertable word starts with it. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compiler/exec.h"
#include "shell/complete.h"

static const char *const contexts[] = { "", "net", "net tunnels", "net vlan-group", "wom", "sys", "cli",
					"wom local-endpoint" };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct store *st;
	static struct diags d;
	if (!st) {
		diag_init(&d, NULL);
		st = store_new();
		const char *cfg = "net vlan v1 { tag 1 interfaces { eth1 { tagged } } }\n"
				  "net tunnels tunnel eip { profile /Common/etherip }\n"
				  "net vlan-group g { members { /Common/v1 /Common/eip } }\n"
				  "net self 10.0.0.1 { address 10.0.0.1/24 vlan /Common/v1 }\n";
		config_load_text(st, cfg, strlen(cfg), "fuzz", false, &d);
	}
	if (size < 1)
		return 0;
	struct session s;
	session_init(&s, st, &d, NULL);
	snprintf(s.module, sizeof s.module, "%s", contexts[data[0] % (sizeof contexts / sizeof contexts[0])]);
	const char *text = (const char *)data + 1;
	size_t len = size - 1;
	struct complete_opts o = { "/nonexistent", 16 };
	struct completion c;
	complete(text, len, &s, &o, &c);
	if (c.start > len || !c.common || !c.partial)
		abort();
	if (strncmp(c.common, c.partial, strlen(c.partial)) != 0)
		abort();
	for (size_t i = 0; i < c.n; i++)
		if (!c.cands[i].placeholder && strncmp(c.cands[i].word, c.partial, strlen(c.partial)) != 0)
			abort();
	if (c.n > 16 + 8)     /* the shown ones, plus placeholders and a few fixed words */
		abort();
	completion_free(&c);
	complete_needs_more(text, len);
	session_free(&s);
	return 0;
}
