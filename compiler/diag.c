#include "compiler/diag.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

void diag_init(struct diags *d, FILE *out)
{
	memset(d, 0, sizeof *d);
	d->out = out;
}

static void report(struct diags *d, struct srcloc loc, const char *severity, const char *fmt, va_list ap)
{
	if (!d->out)
		return;
	if (loc.file && loc.line > 0)
		fprintf(d->out, "%s:%d:%d: ", loc.file, loc.line, loc.col);
	else if (loc.file)
		fprintf(d->out, "%s: ", loc.file);
	fprintf(d->out, "%s: ", severity);
	vfprintf(d->out, fmt, ap);
	fputc('\n', d->out);
}

void diag_error(struct diags *d, struct srcloc loc, const char *fmt, ...)
{
	va_list ap;
	d->errors++;
	if (d->max_errors && d->errors > d->max_errors)
		return;
	va_start(ap, fmt);
	report(d, loc, "error", fmt, ap);
	va_end(ap);
}

void diag_warning(struct diags *d, struct srcloc loc, const char *fmt, ...)
{
	va_list ap;
	d->warnings++;
	if (d->quiet_warnings)
		return;
	va_start(ap, fmt);
	report(d, loc, "warning", fmt, ap);
	va_end(ap);
}

void diag_note(struct diags *d, struct srcloc loc, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	report(d, loc, "note", fmt, ap);
	va_end(ap);
}

struct interned { struct interned *next; char name[]; };
static struct interned *interned_names;

const char *intern_filename(const char *name)
{
	if (!name)
		return NULL;
	for (struct interned *i = interned_names; i; i = i->next)
		if (strcmp(i->name, name) == 0)
			return i->name;
	size_t len = strlen(name) + 1;
	struct interned *i = malloc(sizeof *i + len);
	if (!i)
		abort();
	memcpy(i->name, name, len);
	i->next = interned_names;
	interned_names = i;
	return i->name;
}
