/* tests/host/test_lib_crc32.c — lib/crc32.c.
 *
 * The published check value crc32("123456789") == 0xcbf43926, other known
 * vectors, the RoCEv2 ICRC seed (register after eight 0xff bytes ==
 * 0xdebb20e3), a bit-by-bit reference on random buffers, and chaining.
 */
#include "harness.h"
#include "../../lib/crc32.c"

#include <string.h>

static u32 crc_bitwise(const u8 *p, size_t n)
{
	u32 c = ~0u;

	while (n--) {
		c ^= *p++;
		for (int k = 0; k < 8; k++)
			c = (c >> 1) ^ (0xedb88320u & -(c & 1));
	}
	return ~c;
}

static void test_vectors(void)
{
	u8 ff[8];

	CHECK_EQ(crc32("123456789", 9), 0xcbf43926u);
	CHECK_EQ(crc32("", 0), 0);
	CHECK_EQ(crc32("a", 1), 0xe8b7be43u);
	CHECK_EQ(crc32("The quick brown fox jumps over the lazy dog", 43),
		 0x414fa339u);
	memset(ff, 0xff, sizeof(ff));
	CHECK_EQ(crc32_le_raw(0xffffffffu, ff, 8), 0xdebb20e3u);
}

static void test_random_vs_bitwise(void)
{
	static u8 buf[4096];

	for (int round = 0; round < 200; round++) {
		size_t n = rnd() % sizeof(buf);

		for (size_t i = 0; i < n; i++)
			buf[i] = (u8)rnd();
		CHECK_EQ(crc32(buf, n), crc_bitwise(buf, n));
		size_t cut = n ? rnd() % n : 0;
		CHECK_EQ(crc32_update(crc32(buf, cut), buf + cut, n - cut),
			 crc32(buf, n));
	}
}

int main(void)
{
	RUN(test_vectors);
	RUN(test_random_vs_bitwise);
	return harness_exit();
}
