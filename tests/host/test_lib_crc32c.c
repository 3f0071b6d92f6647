/* tests/host/test_lib_crc32c.c — lib/crc32c.c.
 *
 * The standard check value, other published CRC-32C vectors (RFC 3720
 * B.4: 32 bytes of zeros, of 0xff, ascending, descending), every table
 * entry recomputed bit by bit from the polynomial, a bitwise reference
 * on random buffers, and chaining through crc32c_update().
 */
#include "harness.h"
#include "../../lib/crc32c.c"

#include <string.h>

static u32 crc_bitwise(const u8 *p, size_t n)
{
	u32 c = ~0u;

	while (n--) {
		c ^= *p++;
		for (int k = 0; k < 8; k++)
			c = (c >> 1) ^ (0x82f63b78u & -(c & 1));
	}
	return ~c;
}

static void test_vectors(void)
{
	u8 buf[32];

	CHECK_EQ(crc32c("123456789", 9), 0xe3069283u);
	CHECK_EQ(crc32c("", 0), 0);
	CHECK_EQ(crc32c("a", 1), 0xc1d04330u);
	memset(buf, 0, sizeof(buf));
	CHECK_EQ(crc32c(buf, 32), 0x8a9136aau);
	memset(buf, 0xff, sizeof(buf));
	CHECK_EQ(crc32c(buf, 32), 0x62a8ab43u);
	for (int i = 0; i < 32; i++)
		buf[i] = (u8)i;
	CHECK_EQ(crc32c(buf, 32), 0x46dd794eu);
	for (int i = 0; i < 32; i++)
		buf[i] = (u8)(31 - i);
	CHECK_EQ(crc32c(buf, 32), 0x113fdb5cu);
}

static void test_table(void)
{
	for (u32 i = 0; i < 256; i++) {
		u32 c = i;

		for (int k = 0; k < 8; k++)
			c = (c >> 1) ^ (0x82f63b78u & -(c & 1));
		CHECK(crc32c_table[i] == c, "table[%u] = %#x, want %#x", i,
		      crc32c_table[i], c);
	}
}

static void test_random_and_chaining(void)
{
	static u8 buf[5000];

	for (int iter = 0; iter < 300; iter++) {
		size_t n = rnd() % sizeof(buf), cut = n ? rnd() % n : 0;

		for (size_t i = 0; i < n; i++)
			buf[i] = (u8)rnd();
		CHECK_EQ(crc32c(buf, n), crc_bitwise(buf, n));
		CHECK_EQ(crc32c_update(crc32c(buf, cut), buf + cut, n - cut),
			 crc32c(buf, n));
	}
}

int main(void)
{
	RUN(test_vectors);
	RUN(test_table);
	RUN(test_random_and_chaining);
	return harness_exit();
}
