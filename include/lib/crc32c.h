/* include/lib/crc32c.h — CRC-32C (Castagnoli) checksums (lib/crc32c.c).
 *
 * The iSCSI/ext4-style CRC: reflected polynomial 0x82f63b78, initial
 * value and final xor 0xffffffff.  (The RoCEv2 ICRC is plain CRC-32, in
 * lib/crc32.h.)  crc32c("123456789") ==
 * 0xe3069283.  Pure function of its input; safe from any context.
 */
#ifndef LIB_CRC32C_H
#define LIB_CRC32C_H

#include <tessera/types.h>

/* Continue a checksum: @crc is the finished CRC of the bytes before @buf
 * (0 to start), so crc32c_update(crc32c(a), b) == crc32c(a ++ b). */
u32 crc32c_update(u32 crc, const void *buf, size_t len);

static inline u32 crc32c(const void *buf, size_t len)
{
	return crc32c_update(0, buf, len);
}

#endif
