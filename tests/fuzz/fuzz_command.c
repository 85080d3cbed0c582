/* libFuzzer: tmsh command lines. Anything may be typed; nothing may crash, leak or misbehave,
 * and whatever the store ends up holding must print in a form that loads back unchanged. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compiler/exec.h"
#include "compiler/print.h"

static void check_round_trip(const struct store *st)
{
	struct strbuf first;
	sb_init(&first);
	print_store(&first, st, PRINT_SAVED);
	struct diags d;
	diag_init(&d, NULL);
	struct store *again = store_new();
	if (config_load_text(again, first.buf ? first.buf : "", first.len, "printed", false, &d) != 0)
		abort();    /* what ferry prints, ferry must read */
	struct strbuf second;
	sb_init(&second);
	print_store(&second, again, PRINT_SAVED);
	if (first.len != second.len || (first.len && memcmp(first.buf, second.buf, first.len) != 0))
		abort();
	sb_free(&first);
	sb_free(&second);
	store_free(again);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct diags d;
	diag_init(&d, NULL);
	struct store *st = store_new();
	struct session s;
	FILE *sink = fopen("/dev/null", "w");
	session_init(&s, st, &d, sink);
	session_run_text(&s, (const char *)data, size, "fuzz", false);
	check_round_trip(st);
	session_free(&s);
	fclose(sink);
	store_free(st);
	return 0;
}
