/* A minimal unit-test framework.
 *
 *   #include "tests/unit/unit.h"
 *   TEST(vlan_tag_range) {
 *       const struct kind_schema *k = schema_kind("net vlan");
 *       if (!CHECK(k != NULL)) return;       // every CHECK is an expression: stop when later lines need it
 *       CHECK_INT_EQ(schema_prop(k, "tag")->max, 4094);
 *   }
 *
 * Each TEST registers itself before main runs (constructor attribute); unit.c's main runs them all
 * in file and line order and prints `PASS <binary>/<test>` or `FAIL <binary>/<test>: <first failure>`,
 * further failures of the same test indented beneath. A failed CHECK does not stop the test.
 * `test_x NAME...` runs only the named tests. The exit status is 1 when any test failed. */
#ifndef FERRY_TESTS_UNIT_H
#define FERRY_TESTS_UNIT_H

#include <stdbool.h>

struct unit_test {
	const char *name;
	void (*fn)(void);
	const char *file;
	int line;
	struct unit_test *next;
};

void unit_register(struct unit_test *t);
/* Records a failure of the running test; returns false so CHECK can be used as a condition. */
bool unit_fail(const char *file, int line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
bool unit_str_eq(const char *file, int line, const char *expr_a, const char *expr_b,
		 const char *a, const char *b);
bool unit_int_eq(const char *file, int line, const char *expr_a, const char *expr_b,
		 long long a, long long b);

#define TEST(name_)                                                                   \
	static void unit_fn_##name_(void);                                            \
	static struct unit_test unit_test_##name_ = { #name_, unit_fn_##name_,        \
						       __FILE__, __LINE__, 0 };       \
	__attribute__((constructor)) static void unit_reg_##name_(void)              \
	{                                                                             \
		unit_register(&unit_test_##name_);                                    \
	}                                                                             \
	static void unit_fn_##name_(void)

#define CHECK(cond_) \
	((cond_) ? true : unit_fail(__FILE__, __LINE__, "CHECK(%s) failed", #cond_))

/* Strings are compared with strcmp; NULL equals only NULL. Values are printed quoted and escaped. */
#define CHECK_STR_EQ(a_, b_) unit_str_eq(__FILE__, __LINE__, #a_, #b_, (a_), (b_))

/* Both sides are converted to long long, so mixing int, size_t and enums is fine. */
#define CHECK_INT_EQ(a_, b_) \
	unit_int_eq(__FILE__, __LINE__, #a_, #b_, (long long)(a_), (long long)(b_))

#endif
