/* Allocation that cannot fail quietly, and a growable string. */
#ifndef FERRY_COMPILER_UTIL_H
#define FERRY_COMPILER_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
__attribute__((format(printf, 1, 2))) char *xasprintf(const char *fmt, ...);

struct strbuf {
	char *buf;
	size_t len, cap;
};
void sb_init(struct strbuf *sb);
void sb_free(struct strbuf *sb);
void sb_putc(struct strbuf *sb, char c);
void sb_puts(struct strbuf *sb, const char *s);
void sb_putn(struct strbuf *sb, const char *s, size_t n);
__attribute__((format(printf, 2, 3))) void sb_printf(struct strbuf *sb, const char *fmt, ...);
void sb_indent(struct strbuf *sb, int depth);   /* 4 spaces a level */
char *sb_steal(struct strbuf *sb);                /* the string; the buffer is empty after */

/* True when S is well-formed UTF-8; *BAD is the offset of the first bad byte otherwise. */
bool utf8_valid(const char *s, size_t len, size_t *bad);

/* Reads a whole file; NULL with errno set on failure. */
char *read_file(const char *path, size_t *len);
/* Writes atomically: temp file in the same folder, fsync, rename, fsync the folder. */
int write_file_atomic(const char *path, const char *data, size_t len);

#endif
