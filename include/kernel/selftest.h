/* include/kernel/selftest.h — in-kernel selftests (kernel/selftest.c).
 *
 * SELFTEST(name) { ... } defines a test; it registers itself through the
 * .selftest linker section — there is no central list.  `selftest=GLOB` on
 * the command line runs the matching tests in a kernel thread after boot,
 * prints "TEST ok NAME", "TEST FAIL NAME: reason" or "TEST skip NAME:
 * reason", then a summary line "selftest: N passed, N failed, N skipped", and exits QEMU via isa-debug-exit with the verdict.
 *
 * Inside a test: ST_ASSERT(cond), ST_EQ(a, b) fail the test with file, line
 * and values; ST_FAIL(fmt, ...) fails it with a message; ST_SKIP(fmt, ...)
 * says it cannot run on this machine.  Tests may sleep.
 */
#ifndef KERNEL_SELFTEST_H
#define KERNEL_SELFTEST_H

#include <tessera/compiler.h>

struct selftest_ctx {
	char reason[192];
	bool failed;
	bool skipped;
};

struct selftest {
	const char *name;
	int (*fn)(struct selftest_ctx *t);
};

#define SELFTEST(id)                                                        \
	static int __st_fn_##id(struct selftest_ctx *t);                   \
	static const struct selftest __st_##id __used                      \
		__section(".selftest.1") __aligned(8) = { #id, __st_fn_##id }; \
	static int __st_fn_##id(struct selftest_ctx *t)

__printf(4, 5) int selftest_fail(struct selftest_ctx *t, const char *file,
				 int line, const char *fmt, ...);

/* The test cannot run here (e.g. a device it needs is absent): reported
 * as "TEST skip NAME: reason", counted apart from passes and failures. */
__printf(2, 3) int selftest_skip(struct selftest_ctx *t, const char *fmt, ...);
#define ST_SKIP(fmt, ...) return selftest_skip(t, fmt, ##__VA_ARGS__)

#define ST_FAIL(fmt, ...) \
	return selftest_fail(t, __FILE__, __LINE__, fmt, ##__VA_ARGS__)
#define ST_ASSERT(c)                                                        \
	do {                                                                \
		if (!(c))                                                   \
			ST_FAIL("assertion failed: %s", #c);                \
	} while (0)
#define ST_EQ(a, b)                                                         \
	do {                                                                \
		long long __a = (long long)(a), __b = (long long)(b);      \
		if (__a != __b)                                             \
			ST_FAIL("%s == %lld, expected %s == %lld", #a, __a, \
				#b, __b);                                   \
	} while (0)

/* Run the tests matching @glob; returns the number that failed. */
int selftest_run(const char *glob);
/* The selftest= parameter value, or NULL. */
const char *selftest_glob(void);
/* Boot: start the runner thread if selftest= was given. */
void selftest_start(void);

#endif
