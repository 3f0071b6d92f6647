/* tests/host/test_lib_crc32.c — lib/crc32.c.
 *
 * The published check value crc32("123456789") == 0xcbf43926, other known
 * vectors, the RoCEv2 ICRC seed (register after eight 0xff bytes ==
 * 0xdebb20e3), every entry of the slice-by-8 tables recomputed bit by bit,
 * a bit-by-bit reference on random buffers at every alignment and length,
 * and chaining.
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

/* Register contribution of byte @i followed by @zeros zero bytes. */
static u32 table_ref(u32 i, int zeros)
{
	u32 c = i;

	for (int k = 0; k < 8 * (zeros + 1); k++)
		c = (c >> 1) ^ (0xedb88320u & -(c & 1));
	return c;
}

static void test_tables(void)
{
	for (int k = 0; k < 8; k++)
		for (u32 i = 0; i < 256; i++)
			CHECK(crc32_table[k][i] == table_ref(i, k),
			      "table %d entry %u", k, i);
}

static void test_alignments(void)
{
	static u8 buf[64 + 8];

	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (u8)rnd();
	for (size_t off = 0; off < 8; off++)
		for (size_t n = 0; n <= 64; n++)
			CHECK_EQ(crc32(buf + off, n), crc_bitwise(buf + off, n));
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
	RUN(test_tables);
	RUN(test_alignments);
	RUN(test_random_vs_bitwise);
	return harness_exit();
}
