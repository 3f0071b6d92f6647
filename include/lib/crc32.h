/* include/lib/crc32.h — CRC-32 as Ethernet, zlib and the RoCEv2 ICRC use it
 * (lib/crc32.c).
 *
 * Reflected polynomial 0xedb88320 (0x04c11db7 bit-reversed), initial value
 * and final xor 0xffffffff: crc32("123456789") == 0xcbf43926.  This is not
 * CRC-32C (lib/crc32c.c).  Pure functions; safe from any context.
 */
#ifndef LIB_CRC32_H
#define LIB_CRC32_H

#include <tessera/types.h>

/* Raw register update: no pre- or post-inversion.  @reg is the running
 * shift register (0xffffffff to start a standard CRC); the finished CRC is
 * ~reg.  Used where a protocol seeds the register with a precomputed value
 * (the RoCEv2 ICRC's masked LRH). */
u32 crc32_le_raw(u32 reg, const void *buf, size_t len);

/* Continue a checksum: @crc is the finished CRC of the bytes before @buf
 * (0 to start), so crc32_update(crc32(a), b) == crc32(a ++ b). */
static inline u32 crc32_update(u32 crc, const void *buf, size_t len)
{
	return ~crc32_le_raw(~crc, buf, len);
}

static inline u32 crc32(const void *buf, size_t len)
{
	return crc32_update(0, buf, len);
}

#endif
