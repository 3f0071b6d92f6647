/* tests/host/test_lib_vsnprintf.c — lib/vsnprintf.c against glibc.
 *
 * Builds every combination of flags (subsets of "-0+ #"), width (none,
 * fixed, '*'), precision (none, fixed, '*') and length modifier for each
 * integer conversion, and for %s/%c, then formats random and extreme values
 * with both tess_snprintf and the host snprintf and compares text and
 * return value.  Combinations the C standard leaves undefined ('#' with
 * %d, '0' with %s, precision with %c) are skipped.  Separate tests cover
 * truncation (exact-size heap buffers, so ASan sees any overrun), %p and
 * the %pS symbolizer hook.
 */
#include "harness.h"

#include <limits.h>
#include <string.h>

#include "../../lib/string.c"
#include "../../lib/vsnprintf.c"

#undef snprintf
#undef vsnprintf
#undef strlen
#undef strcmp
#undef memset

enum kind { K_INT, K_LONG, K_UINT, K_ULONG, K_STR, K_CHAR };

static long long nfmt, nmismatch;

/* Format @v (interpreted per @k) with both engines; @stars is how many
 * leading int arguments ('*' width/precision) the format takes. */
static void compare(const char *fmt, enum kind k, int stars, int w, int p,
		    long long v, const char *s)
{
	char ours[512], host[512];
	int a = 0, b = 0;

#define BOTH(...)                                                          \
	do {                                                               \
		a = tess_snprintf(ours, sizeof(ours), fmt, __VA_ARGS__);   \
		b = snprintf(host, sizeof(host), fmt, __VA_ARGS__);        \
	} while (0)
#define BY_STARS(val)                                                      \
	do {                                                               \
		if (stars == 0)                                            \
			BOTH(val);                                         \
		else if (stars == 1)                                       \
			BOTH(w, val);                                      \
		else                                                       \
			BOTH(w, p, val);                                   \
	} while (0)
	switch (k) {
	case K_INT: BY_STARS((int)v); break;
	case K_UINT: BY_STARS((unsigned int)v); break;
	case K_LONG: BY_STARS(v); break;
	case K_ULONG: BY_STARS((unsigned long long)v); break;
	case K_CHAR: BY_STARS((int)(unsigned char)v); break;
	case K_STR: BY_STARS(s); break;
	}
#undef BY_STARS
#undef BOTH
	nfmt++;
	if (a != b || strcmp(ours, host))
		nmismatch++;
	CHECK(a == b && !strcmp(ours, host),
	      "fmt \"%s\" w %d p %d v %lld: ours \"%s\" (%d), host \"%s\" (%d)",
	      fmt, w, p, v, ours, a, host, b);
}

static const long long specials[] = {
	0, 1, -1, 7, 8, 9, 10, 15, 16, 99, 100, 127, 128, 255, 256, -128,
	-129, 32767, -32768, 65535, 65536, INT_MAX, INT_MIN, UINT_MAX,
	(long long)UINT_MAX + 1, LLONG_MAX, LLONG_MIN, 1234567890123LL,
	-987654321LL,
};

static long long random_value(int i)
{
	if (i < (int)ARRAY_SIZE(specials))
		return specials[i];
	return (long long)(rnd() >> (rnd() % 64));
}

static const char *const flag_sets[] = {
	"", "-", "0", "+", " ", "#", "-0", "-+", "0+", "+ ", "#0", "-#",
	"0 ", "-+ ", "#0-", "-0+ #",
};
static const char *const widths[] = { "", "1", "5", "21", "*" };
static const char *const precs[] = { "", ".", ".0", ".1", ".4", ".25", ".*" };

struct conv {
	const char *len;
	char c;
	enum kind k;
};

static const struct conv int_convs[] = {
	{ "hh", 'd', K_INT }, { "h", 'd', K_INT }, { "", 'd', K_INT },
	{ "", 'i', K_INT }, { "l", 'd', K_LONG }, { "ll", 'i', K_LONG },
	{ "z", 'd', K_LONG }, { "t", 'd', K_LONG }, { "j", 'd', K_LONG },
	{ "hh", 'u', K_UINT }, { "h", 'x', K_UINT }, { "", 'u', K_UINT },
	{ "", 'x', K_UINT }, { "", 'X', K_UINT }, { "", 'o', K_UINT },
	{ "l", 'u', K_ULONG }, { "ll", 'x', K_ULONG }, { "lX", 0, K_ULONG },
	{ "z", 'u', K_ULONG }, { "ll", 'o', K_ULONG }, { "j", 'x', K_ULONG },
};

static bool undefined_combo(const char *flags, char c, const char *prec)
{
	bool sharp = strchr(flags, '#'), zero = strchr(flags, '0');
	bool sign = strchr(flags, '+') || strchr(flags, ' ');

	if (sharp && (c == 'd' || c == 'i' || c == 'u' || c == 's' || c == 'c'))
		return true;
	if ((zero || sign) && (c == 's' || c == 'c'))
		return true;
	return c == 'c' && prec[0];
}

static void run_conv(const struct conv *cv, const char *fl, const char *wd,
		     const char *pr, int values)
{
	char fmt[32], c = cv->c ? cv->c : 'X';
	const char *len = cv->c ? cv->len : "l";
	bool star_prec = pr[0] && pr[1] == '*';
	int stars = (wd[0] == '*') + star_prec;

	if (undefined_combo(fl, c, pr))
		return;
	snprintf(fmt, sizeof(fmt), "<%%%s%s%s%s%c>", fl, wd, pr, len, c);
	for (int i = 0; i < values; i++) {
		int w = (int)(rnd() % 41) - 20, p = (int)(rnd() % 30) - 3;
		long long v = random_value(i);

		if (stars == 1 && star_prec)
			w = p;	/* the only '*' argument is the precision */
		compare(fmt, cv->k, stars, w, p, v, NULL);
	}
}

static void test_integers(void)
{
	for (size_t c = 0; c < ARRAY_SIZE(int_convs); c++)
		for (size_t f = 0; f < ARRAY_SIZE(flag_sets); f++)
			for (size_t w = 0; w < ARRAY_SIZE(widths); w++)
				for (size_t p = 0; p < ARRAY_SIZE(precs); p++)
					run_conv(&int_convs[c], flag_sets[f],
						 widths[w], precs[p],
						 ARRAY_SIZE(specials) + 8);
}

static const char *const strings[] = {
	"", "a", "hello", "hello, world", "tessera splitkernel", "\t\x7f",
};

static void test_strings_chars(void)
{
	char fmt[32];

	for (size_t f = 0; f < ARRAY_SIZE(flag_sets); f++)
		for (size_t w = 0; w < ARRAY_SIZE(widths); w++)
			for (size_t p = 0; p < ARRAY_SIZE(precs); p++) {
				const char *fl = flag_sets[f], *wd = widths[w];
				const char *pr = precs[p];
				int stars = (wd[0] == '*') +
					    (pr[0] && pr[1] == '*');

				if (!undefined_combo(fl, 's', pr)) {
					snprintf(fmt, sizeof(fmt), "[%%%s%s%ss]",
						 fl, wd, pr);
					for (size_t i = 0; i < ARRAY_SIZE(strings); i++)
						compare(fmt, K_STR, stars, 7, 3, 0,
							strings[i]);
				}
				if (!undefined_combo(fl, 'c', pr)) {
					snprintf(fmt, sizeof(fmt), "[%%%s%sc]", fl, wd);
					compare(fmt, K_CHAR, stars, -4, 0, 'Q', NULL);
				}
			}
	compare("%s|%%|x", K_STR, 0, 0, 0, 0, "s");
}

static void test_truncation(void)
{
	const char *full = "value=12345 name=tessera";

	for (size_t size = 0; size <= strlen(full) + 2; size++) {
		char *buf = size ? malloc(size) : NULL;
		int n = tess_snprintf(buf, size, "value=%d name=%s", 12345,
				      "tessera");

		CHECK_EQ(n, (int)strlen(full));
		if (size) {
			CHECK(strlen(buf) == MIN(size - 1, strlen(full)),
			      "size %zu: \"%s\"", size, buf);
			CHECK(!strncmp(buf, full, size - 1), "size %zu", size);
		}
		free(buf);
	}
}

static int fake_symbolizer(char *buf, size_t size, unsigned long addr)
{
	if (addr != 0x1234)
		return 0;
	return tess_snprintf(buf, size, "start_kernel+0x4/0x40");
}

static void test_pointers(void)
{
	char ours[64], host[64];
	void *ptrs[] = { (void *)1, (void *)0xffffffff80001234ul, &ours[0] };

	for (size_t i = 0; i < ARRAY_SIZE(ptrs); i++) {
		tess_snprintf(ours, sizeof(ours), "%p|%20p|%-20p|", ptrs[i],
			      ptrs[i], ptrs[i]);
		snprintf(host, sizeof(host), "%p|%20p|%-20p|", ptrs[i],
			 ptrs[i], ptrs[i]);
		CHECK(!strcmp(ours, host), "ours %s host %s", ours, host);
	}
	tess_snprintf(ours, sizeof(ours), "%pS", (void *)0x1234);
	CHECK(!strcmp(ours, "0x1234"), "no symbolizer: %s", ours);
	tess_printf_set_symbolizer(fake_symbolizer);
	tess_snprintf(ours, sizeof(ours), "at %pS [%pS]", (void *)0x1234,
		      (void *)0x99);
	CHECK(!strcmp(ours, "at start_kernel+0x4/0x40 [0x99]"), "%s", ours);
	tess_printf_set_symbolizer(NULL);
}

int main(void)
{
	RUN(test_integers);
	RUN(test_strings_chars);
	RUN(test_truncation);
	RUN(test_pointers);
	printf("%lld formats compared, %lld mismatches\n", nfmt, nmismatch);
	return harness_exit();
}
