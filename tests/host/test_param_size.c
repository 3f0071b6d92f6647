/* tests/host/test_param_size.c — kernel/param.c on the host.
 *
 * param_parse_size() on a table of good and bad inputs (suffixes, hex,
 * overflow), and param_parse() end to end over a private parameter table:
 * every type, quoting, and the warnings for unknown names and bad values.
 * Host shims: printk() records the warnings; the table sits in a section
 * whose __start_/__stop_ symbols the host linker provides (ASan leaves
 * variables in named sections unpadded, so the table stays an array).
 */
#include "harness.h"

#include <string.h>

#define __param_start __start_kparam_host
#define __param_end __stop_kparam_host
#include "../../kernel/param.c"
#include "../../lib/string.c"
#include "../../lib/vsnprintf.c"

#undef strcmp
#undef strstr

static int warnings;
static char last_warning[256];

void printk(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	tess_vsnprintf(last_warning, sizeof(last_warning), fmt, ap);
	va_end(ap);
	warnings++;
}

static bool flag;
static int num = 7;
static unsigned long ul;
static u64 size;
static char str[8];
static int func_calls;

static int func(const char *val)
{
	func_calls++;
	return val && !strcmp(val, "good") ? 0 : -EINVAL;
}

#define HOST_PARAM(id, n, t, v, l, f)                                      \
	static const struct kernel_param hp_##id __used                     \
		__section("kparam_host") __aligned(8) = { n, t, v, l, f, "" }
HOST_PARAM(flag, "flag", PARAM_BOOL, &flag, 0, NULL);
HOST_PARAM(num, "num", PARAM_INT, &num, 0, NULL);
HOST_PARAM(ul, "fit.timeout_ms", PARAM_ULONG, &ul, 0, NULL);
HOST_PARAM(size, "pcache", PARAM_SIZE, &size, 0, NULL);
HOST_PARAM(str, "init", PARAM_STR, str, sizeof(str), NULL);
HOST_PARAM(func, "fn", PARAM_FUNC, NULL, 0, func);

static const struct {
	const char *s;
	int ret;
	u64 v;
} size_cases[] = {
	{ "0", 0, 0 }, { "123", 0, 123 }, { "0x1f", 0, 31 }, { "0XAB", 0, 171 },
	{ "64M", 0, 64ull << 20 }, { "4k", 0, 4096 }, { "2G", 0, 2ull << 30 },
	{ "0x10K", 0, 16384 }, { "18446744073709551615", 0, ~0ull },
	{ "", -EINVAL, 0 }, { "0x", -EINVAL, 0 }, { "12Q", -EINVAL, 0 },
	{ "64MB", -EINVAL, 0 }, { "-1", -EINVAL, 0 }, { "1 ", -EINVAL, 0 },
	{ "18446744073709551616", -EINVAL, 0 }, { "abc", -EINVAL, 0 },
};

static void test_parse_size(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(size_cases); i++) {
		u64 v = 12345;
		int r = param_parse_size(size_cases[i].s, &v);

		CHECK(r == size_cases[i].ret, "\"%s\": returned %d",
		      size_cases[i].s, r);
		CHECK(r || v == size_cases[i].v, "\"%s\": %llu",
		      size_cases[i].s, (unsigned long long)v);
		CHECK(!r || v == 12345, "\"%s\": output written on error",
		      size_cases[i].s);
	}
}

static void test_parse_all_types(void)
{
	warnings = 0;
	CHECK_EQ(param_parse("flag num=-42 fit.timeout_ms=0x100 pcache=64M "
			     "init=\"/a b\" fn=good"), 0);
	CHECK_EQ(warnings, 0);
	CHECK(flag && num == -42 && ul == 256 && size == 64ull << 20,
	      "values %d %d %lu %llu", flag, num, ul, (unsigned long long)size);
	CHECK(!strcmp(str, "/a b"), "quoted string: \"%s\"", str);
	CHECK_EQ(func_calls, 1);
	CHECK(!strcmp(param_cmdline(), "flag num=-42 fit.timeout_ms=0x100 "
		      "pcache=64M init=\"/a b\" fn=good"), "cmdline kept");
	CHECK_EQ(param_parse("flag=off  num=2147483647\t"), 0);
	CHECK(!flag && num == 2147483647, "flag %d num %d", flag, num);
}

static void test_bad_input_warns(void)
{
	warnings = 0;
	CHECK_EQ(param_parse("bogus=1"), 1);
	CHECK(strstr(last_warning, "'bogus'"), "warning names it: %s",
	      last_warning);
	CHECK_EQ(param_parse("num=2147483648 flag=maybe init=toolongvalue "
			     "pcache=1X fn=bad fn num"), 7);
	CHECK(strstr(last_warning, "'num'"), "last: %s", last_warning);
	CHECK_EQ(warnings, 8);
	CHECK_EQ(num, 2147483647);
	CHECK_EQ(param_parse(""), 0);
	CHECK_EQ(param_parse(NULL), 0);
}

int main(void)
{
	RUN(test_parse_size);
	RUN(test_parse_all_types);
	RUN(test_bad_input_warns);
	return harness_exit();
}
