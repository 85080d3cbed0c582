/* libFuzzer: the saved-format loader, with and without --skip-unsupported. A file that loads
 * must print in a form that loads back to the same print. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "compiler/exec.h"
#include "compiler/print.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	bool skip = data[0] & 1;
	struct diags d;
	diag_init(&d, NULL);
	struct store *st = store_new();
	if (config_load_text(st, (const char *)data + 1, size - 1, "fuzz.conf", skip, &d) == 0) {
		struct strbuf first, second;
		sb_init(&first);
		sb_init(&second);
		print_store(&first, st, PRINT_SAVED);
		struct store *again = store_new();
		if (config_load_text(again, first.buf ? first.buf : "", first.len, "printed.conf", false, &d) != 0)
			abort();
		print_store(&second, again, PRINT_SAVED);
		if (first.len != second.len || (first.len && memcmp(first.buf, second.buf, first.len) != 0))
			abort();
		sb_free(&first);
		sb_free(&second);
		store_free(again);
	}
	store_free(st);
	return 0;
}
