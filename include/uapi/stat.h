/* include/uapi/stat.h — struct stat and struct statx of the Linux x86-64
 * ABI (asm/stat.h, linux/stat.h) and the file-type/permission bits.
 * Layouts are asserted against the host's headers in
 * tests/host/test_uapi_abi.c. */
#ifndef UAPI_STAT_H
#define UAPI_STAT_H

#include <tessera/types.h>

#define S_IFMT		00170000
#define S_IFSOCK	0140000
#define S_IFLNK		0120000
#define S_IFREG		0100000
#define S_IFBLK		0060000
#define S_IFDIR		0040000
#define S_IFCHR		0020000
#define S_IFIFO		0010000
#define S_ISUID		0004000
#define S_ISGID		0002000
#define S_ISVTX		0001000

struct stat {			/* fstat, stat, lstat, newfstatat */
	u64 st_dev;
	u64 st_ino;
	u64 st_nlink;
	u32 st_mode;
	u32 st_uid;
	u32 st_gid;
	u32 __pad0;
	u64 st_rdev;
	s64 st_size;
	s64 st_blksize;
	s64 st_blocks;
	u64 st_atime, st_atime_nsec;
	u64 st_mtime, st_mtime_nsec;
	u64 st_ctime, st_ctime_nsec;
	s64 __reserved[3];
};
_Static_assert(sizeof(struct stat) == 144, "struct stat");

struct statx_timestamp {
	s64 tv_sec;
	u32 tv_nsec;
	s32 __reserved;
};

#define STATX_TYPE		0x0001u
#define STATX_MODE		0x0002u
#define STATX_NLINK		0x0004u
#define STATX_UID		0x0008u
#define STATX_GID		0x0010u
#define STATX_ATIME		0x0020u
#define STATX_MTIME		0x0040u
#define STATX_CTIME		0x0080u
#define STATX_INO		0x0100u
#define STATX_SIZE		0x0200u
#define STATX_BLOCKS		0x0400u
#define STATX_BASIC_STATS	0x07ffu
#define STATX_BTIME		0x0800u

struct statx {
	u32 stx_mask;
	u32 stx_blksize;
	u64 stx_attributes;
	u32 stx_nlink;
	u32 stx_uid;
	u32 stx_gid;
	u16 stx_mode;
	u16 __spare0[1];
	u64 stx_ino;
	u64 stx_size;
	u64 stx_blocks;
	u64 stx_attributes_mask;
	struct statx_timestamp stx_atime, stx_btime, stx_ctime, stx_mtime;
	u32 stx_rdev_major, stx_rdev_minor;
	u32 stx_dev_major, stx_dev_minor;
	u64 __spare2[14];
};
_Static_assert(sizeof(struct statx) == 256, "struct statx");

#endif
