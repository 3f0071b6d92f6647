/* lib/crc32.c — table-driven CRC-32 (reflected 0xedb88320).
 *
 * One 256-entry table, built at compile time by a constant expression so
 * there is no init call and no writable state: the byte-wise algorithm
 * reg = table[(reg ^ byte) & 0xff] ^ (reg >> 8).  Callers: the RoCEv2 ICRC
 * (drivers/infiniband/sw/rxe/icrc.c).  Tested in tests/host/test_lib_crc32.c
 * against the published check value and a bit-by-bit reference.
 */
#include <lib/crc32.h>

#define CRC32_POLY 0xedb88320u
#define B1(c) (((c) >> 1) ^ (CRC32_POLY & (0u - ((c) & 1u))))
#define B8(c) B1(B1(B1(B1(B1(B1(B1(B1((u32)(c)))))))))
#define R4(n) B8(n), B8((n) + 1), B8((n) + 2), B8((n) + 3)
#define R16(n) R4(n), R4((n) + 4), R4((n) + 8), R4((n) + 12)
#define R64(n) R16(n), R16((n) + 16), R16((n) + 32), R16((n) + 48)

static const u32 crc32_table[256] = {
	R64(0), R64(64), R64(128), R64(192)
};

u32 crc32_le_raw(u32 reg, const void *buf, size_t len)
{
	const u8 *p = buf;

	while (len--)
		reg = crc32_table[(reg ^ *p++) & 0xff] ^ (reg >> 8);
	return reg;
}
