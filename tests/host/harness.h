/* tests/host/harness.h — the tiny harness every host unit test uses.
 *
 * A test program is a set of `static void test_x(void)` functions run by
 * RUN(test_x) from main().  Inside one, CHECK(cond, fmt, ...) records the
 * first failure of the current test (later checks still run, so ASan and
 * UBSan see the whole test).  RUN prints "ok NAME" or "FAIL NAME: why";
 * harness_exit() returns non-zero if anything failed.  tests/host/Makefile
 * builds every test_*.c with -fsanitize=address,undefined and runs it.
 *
 * Host tests #include the kernel .c file they test; its public names are
 * renamed under __HOST_TEST__ where they would clash with the host libc.
 */
#ifndef TESTS_HOST_HARNESS_H
#define TESTS_HOST_HARNESS_H

#include <stdio.h>
#include <stdlib.h>

static int harness_failures;	/* tests that failed */
static int harness_checks;	/* CHECKs evaluated */
static char harness_why[512];	/* first failure of the current test */

#define CHECK(cond, ...)                                                   \
	do {                                                               \
		harness_checks++;                                          \
		if (!(cond) && !harness_why[0]) {                          \
			int __n = snprintf(harness_why, sizeof(harness_why), \
					   "%s:%d: %s: ", __FILE__,        \
					   __LINE__, #cond);               \
			if (__n > 0 && (size_t)__n < sizeof(harness_why))  \
				snprintf(harness_why + __n,                \
					 sizeof(harness_why) - __n,        \
					 __VA_ARGS__);                     \
		}                                                          \
	} while (0)

#define CHECK_EQ(a, b)                                                     \
	CHECK((long long)(a) == (long long)(b), "%s = %lld, want %lld", #a, \
	      (long long)(a), (long long)(b))

static inline void harness_run(void (*fn)(void), const char *name)
{
	harness_why[0] = 0;
	fn();
	if (harness_why[0]) {
		harness_failures++;
		printf("FAIL %s: %s\n", name, harness_why);
	} else {
		printf("ok %s\n", name);
	}
	fflush(stdout);
}

#define RUN(fn) harness_run(fn, #fn)

static inline int harness_exit(void)
{
	printf("%d checks, %d failed tests\n", harness_checks,
	       harness_failures);
	return harness_failures ? 1 : 0;
}

/* Deterministic xorshift64* so failures reproduce. */
static unsigned long long harness_rng = 0x9e3779b97f4a7c15ull;
static inline unsigned long long rnd(void)
{
	harness_rng ^= harness_rng >> 12;
	harness_rng ^= harness_rng << 25;
	harness_rng ^= harness_rng >> 27;
	return harness_rng * 0x2545f4914f6cdd1dull;
}

#endif
