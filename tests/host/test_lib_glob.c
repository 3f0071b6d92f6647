/* tests/host/test_lib_glob.c — glob_match() (lib/string.c), which picks
 * the selftests to run from selftest=GLOB.
 *
 * A table of patterns with the expected verdict, then random patterns
 * checked against the host fnmatch(3) (which agrees with us on '*' and '?'
 * when the pattern has no '[' or '\\' and FNM flags are 0).
 */
#include "harness.h"
#include "../../lib/string.c"

#include <fnmatch.h>

static const struct {
	const char *pat, *s;
	bool match;
} cases[] = {
	{ "*", "", true },
	{ "*", "anything", true },
	{ "", "", true },
	{ "", "a", false },
	{ "a", "", false },
	{ "mm_*", "mm_buddy_stress", true },
	{ "mm_*", "sched_fairness", false },
	{ "*_stress", "mm_buddy_stress", true },
	{ "*_stress", "mm_buddy_stress2", false },
	{ "sched_*_wake", "sched_sleep_wake", true },
	{ "?", "a", true },
	{ "?", "", false },
	{ "??", "a", false },
	{ "a*b*c", "aXXbYYc", true },
	{ "a*b*c", "aXXbYY", false },
	{ "a*b*c", "abcabc", true },
	{ "*a*a*a*", "aaa", true },
	{ "*a*a*a*", "aa", false },
	{ "**", "x", true },
	{ "*?", "", false },
	{ "*?", "x", true },
	{ "probe_memtouch", "probe_memtouch", true },
	{ "probe_memtouch", "probe_memtouch2", false },
	{ "lock*", "locks", true },
	{ "*lock", "deadlock", true },
	{ "*lock", "deadlocks", false },
};

static void test_table(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++)
		CHECK(tess_glob_match(cases[i].pat, cases[i].s) ==
			      cases[i].match,
		      "glob_match(\"%s\", \"%s\")", cases[i].pat, cases[i].s);
}

static void random_word(char *buf, size_t max, const char *alphabet)
{
	size_t n = rnd() % max, k = strlen(alphabet);

	for (size_t i = 0; i < n; i++)
		buf[i] = alphabet[rnd() % k];
	buf[n] = 0;
}

static void test_random_vs_fnmatch(void)
{
	char pat[12], s[16];

	for (int iter = 0; iter < 200000; iter++) {
		random_word(pat, sizeof(pat), "ab*?");
		random_word(s, sizeof(s), "ab");
		CHECK(tess_glob_match(pat, s) == (fnmatch(pat, s, 0) == 0),
		      "glob_match(\"%s\", \"%s\")", pat, s);
	}
}

int main(void)
{
	RUN(test_table);
	RUN(test_random_vs_fnmatch);
	return harness_exit();
}
