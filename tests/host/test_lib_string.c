/* tests/host/test_lib_string.c — lib/string.c against the host libc.
 *
 * Every function is compared with its libc namesake on edge cases and on
 * random buffers (sizes 0..300, every alignment 0..7), plus strscpy's
 * truncation contract, which libc lacks.  glob_match has its own test.
 */
#include "harness.h"

#include <string.h>

#include "../../lib/string.c"

/* Below, plain names are the host libc; tess_ names are ours. */
#undef memset
#undef memcpy
#undef memmove
#undef memcmp
#undef memchr
#undef strlen
#undef strnlen
#undef strcmp
#undef strncmp
#undef strchr
#undef strrchr

static int sign(int v)
{
	return (v > 0) - (v < 0);
}

static void fill(unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (unsigned char)rnd();
}

static void test_memset_memcpy(void)
{
	unsigned char a[320], b[320], c[320];

	for (int iter = 0; iter < 2000; iter++) {
		size_t off = rnd() % 8, n = rnd() % 301;
		int v = (int)(rnd() & 0x1ff);

		fill(a, sizeof(a));
		memcpy(b, a, sizeof(a));
		CHECK(tess_memset(a + off, v, n) == a + off, "return value");
		memset(b + off, v, n);
		CHECK(!memcmp(a, b, sizeof(a)), "memset off %zu n %zu", off, n);
		fill(c, sizeof(c));
		memcpy(b, a, sizeof(a));
		CHECK(tess_memcpy(a + off, c + (off ^ 3), n) == a + off, "ret");
		memcpy(b + off, c + (off ^ 3), n);
		CHECK(!memcmp(a, b, sizeof(a)), "memcpy off %zu n %zu", off, n);
	}
}

static void test_memmove(void)
{
	unsigned char a[320], b[320];

	for (int iter = 0; iter < 2000; iter++) {
		size_t n = rnd() % 200, src = rnd() % 100, dst = rnd() % 100;

		fill(a, sizeof(a));
		memcpy(b, a, sizeof(a));
		tess_memmove(a + dst, a + src, n);
		memmove(b + dst, b + src, n);
		CHECK(!memcmp(a, b, sizeof(a)), "src %zu dst %zu n %zu", src,
		      dst, n);
	}
}

static void test_memcmp_memchr(void)
{
	unsigned char a[64], b[64];

	for (int iter = 0; iter < 5000; iter++) {
		size_t n = rnd() % 64, i = rnd() % 64;

		fill(a, sizeof(a));
		memcpy(b, a, sizeof(a));
		if (rnd() & 1)
			b[i] = (unsigned char)rnd();
		CHECK(sign(tess_memcmp(a, b, n)) == sign(memcmp(a, b, n)),
		      "n %zu i %zu", n, i);
		CHECK(tess_memchr(a, a[i], n) == memchr(a, a[i], n), "memchr");
		CHECK(tess_memchr(a, a[i] | 0x100, n) == memchr(a, a[i], n),
		      "memchr must look at the low byte only");
	}
	CHECK(tess_memcmp("\x80", "\x01", 1) > 0, "bytes compare unsigned");
}

static const char *const strs[] = {
	"", "a", "b", "ab", "abc", "abd", "abcd", "\xff", "\x01", "hello",
	"hello world", "hellO", "zzzz", "a\xe9", "tessera",
};

static void test_str_compare(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(strs); i++) {
		const char *x = strs[i];

		CHECK(tess_strlen(x) == strlen(x), "strlen(%s)", x);
		for (size_t m = 0; m < 8; m++)
			CHECK(tess_strnlen(x, m) == strnlen(x, m), "strnlen");
		for (size_t j = 0; j < ARRAY_SIZE(strs); j++) {
			const char *y = strs[j];

			CHECK(sign(tess_strcmp(x, y)) == sign(strcmp(x, y)),
			      "strcmp(%s, %s)", x, y);
			for (size_t n = 0; n < 8; n++)
				CHECK(sign(tess_strncmp(x, y, n)) ==
					      sign(strncmp(x, y, n)),
				      "strncmp(%s, %s, %zu)", x, y, n);
		}
	}
}

static void test_strchr(void)
{
	const char *s = "hello, world";

	for (int c = 0; c < 256; c++) {
		CHECK(tess_strchr(s, c) == strchr(s, c), "strchr %d", c);
		CHECK(tess_strrchr(s, c) == strrchr(s, c), "strrchr %d", c);
	}
	CHECK(tess_strchr(s, 0) == s + 12, "strchr finds the terminator");
}

static void test_strscpy(void)
{
	char buf[8];

	memset(buf, 'x', sizeof(buf));
	CHECK_EQ(tess_strscpy(buf, "abc", sizeof(buf)), 3);
	CHECK(!strcmp(buf, "abc"), "copied");
	CHECK_EQ(tess_strscpy(buf, "1234567", sizeof(buf)), 7);
	CHECK_EQ(tess_strscpy(buf, "12345678", sizeof(buf)), -E2BIG);
	CHECK(!strcmp(buf, "1234567"), "truncated and terminated: %s", buf);
	CHECK_EQ(tess_strscpy(buf, "", sizeof(buf)), 0);
	CHECK_EQ(tess_strscpy(buf, "a", 0), -E2BIG);
	CHECK_EQ(tess_strscpy(buf, "a", 1), -E2BIG);
	CHECK(buf[0] == 0, "size 1 leaves an empty string");
}

static void test_strstarts(void)
{
	CHECK(tess_strstarts("selftest=x", "selftest="), "prefix");
	CHECK(tess_strstarts("abc", ""), "empty prefix");
	CHECK(!tess_strstarts("ab", "abc"), "longer prefix");
	CHECK(!tess_strstarts("abd", "abc"), "mismatch");
}

int main(void)
{
	RUN(test_memset_memcpy);
	RUN(test_memmove);
	RUN(test_memcmp_memchr);
	RUN(test_str_compare);
	RUN(test_strchr);
	RUN(test_strscpy);
	RUN(test_strstarts);
	return harness_exit();
}
