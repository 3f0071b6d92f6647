/* include/protocol/storage.h — the file service's wire messages: P2S
 * (processor -> storage) and M2S (memory -> storage).
 *
 * Every operation has one number, STORAGE_OP_*, the low byte of its
 * opcode; the same message is valid in both ranges (P2S_OP(x) from a
 * processor's file layer, M2S_OP(x) from a memory node's loader), and the
 * server registers each handler under both.  A request is the FIT payload
 * (FIT adds the msg.h header): a fixed struct per opcode, then, for some,
 * variable bytes (names, a path, a symlink target, data) whose lengths
 * the struct states and the server checks against the message length.
 *
 * Objects are named by handle after lookup: {fs id, inode number,
 * generation}.  A handle whose inode was freed (or freed and reused) is
 * stale: -ESTALE.  fs id 0 in a LOOKUP's directory handle means "the root
 * of the root filesystem" (how a client starts).  Errors come back as FIT
 * error replies carrying a negative Linux errno.
 *
 * All fields are little-endian and fixed width, padding explicit, sizes
 * _Static_assert'ed.  Names are 1..255 bytes without '/' or NUL (no
 * terminator on the wire); paths are 1..4095 bytes without NUL.
 */
#ifndef PROTOCOL_STORAGE_H
#define PROTOCOL_STORAGE_H

#include <protocol/msg.h>

enum storage_op {
	STORAGE_OP_LOOKUP = 0x01,
	STORAGE_OP_OPEN = 0x02,
	STORAGE_OP_READ = 0x03,
	STORAGE_OP_WRITE = 0x04,
	STORAGE_OP_STAT = 0x05,
	STORAGE_OP_READDIR = 0x06,
	STORAGE_OP_CREATE = 0x07,
	STORAGE_OP_MKDIR = 0x08,
	STORAGE_OP_UNLINK = 0x09,
	STORAGE_OP_RMDIR = 0x0a,
	STORAGE_OP_RENAME = 0x0b,
	STORAGE_OP_TRUNCATE = 0x0c,
	STORAGE_OP_SYMLINK = 0x0d,
	STORAGE_OP_READLINK = 0x0e,
	STORAGE_OP_FSYNC = 0x0f,
	STORAGE_OP_STATFS = 0x10,
	STORAGE_OP_LINK = 0x11,
	STORAGE_OP_COUNT,		/* one past the last */
	STORAGE_OP_TEST_FIRST = 0xf0,	/* 0xf0-0xff: selftests only */
	STORAGE_OP_TEST_DONE = 0xf0,	/* driver -> storage node: leave */
	STORAGE_OP_TEST_TIMING = 0xf1,	/* driver -> storage node: print and
					 * clear the timing (tag follows) */
};

#define P2S_OP(x)	((u16)(MSG_PROTO_P2S | (x)))
#define M2S_OP(x)	((u16)(MSG_PROTO_M2S | (x)))

#define STORAGE_NAME_MAX	255
#define STORAGE_PATH_MAX	4096	/* a path is shorter than this */
#define STORAGE_IO_MAX		61440	/* data bytes in one READ/WRITE (15 pages:
					 * with its header, one FIT payload) */

struct storage_handle {
	u32 fs;				/* 0: invalid (LOOKUP: the root fs) */
	u32 ino;
	u32 gen;
	u32 reserved;			/* zero */
};
_Static_assert(sizeof(struct storage_handle) == 16, "wire size");

/* File types in storage_stat.mode: Linux's S_IF* values. */
#define STORAGE_S_IFMT		0170000
#define STORAGE_S_IFDIR		0040000
#define STORAGE_S_IFREG		0100000
#define STORAGE_S_IFLNK		0120000

struct storage_stat {
	u32 ino;
	u32 mode;			/* STORAGE_S_IF* | permission bits */
	u32 nlink;
	u32 uid;
	u32 gid;
	u32 blksize;
	u64 size;
	u64 blocks;			/* 512-byte units */
	u64 atime, mtime, ctime;	/* seconds since 1970 */
};
_Static_assert(sizeof(struct storage_stat) == 64, "wire size");

/* Reply of LOOKUP, CREATE, MKDIR, SYMLINK. */
struct storage_entry_rep {
	struct storage_handle h;
	struct storage_stat st;
};
_Static_assert(sizeof(struct storage_entry_rep) == 80, "wire size");

#define STORAGE_LOOKUP_FOLLOW	0x1	/* follow a symlink at the end */

struct storage_lookup_req {		/* LOOKUP: + path_len bytes */
	struct storage_handle dir;	/* start of a relative path */
	u32 flags;			/* STORAGE_LOOKUP_* */
	u32 path_len;
};
_Static_assert(sizeof(struct storage_lookup_req) == 24, "wire size");

/* OPEN: Linux open flags; only O_ACCMODE and O_TRUNC matter (creation is
 * CREATE).  Reply: struct storage_stat after the checks and truncation. */
#define STORAGE_O_ACCMODE	00000003	/* Linux O_ACCMODE */
#define STORAGE_O_RDONLY	00000000
#define STORAGE_O_WRONLY	00000001
#define STORAGE_O_RDWR		00000002
#define STORAGE_O_TRUNC		00001000	/* Linux O_TRUNC */
struct storage_open_req {
	struct storage_handle h;
	u32 flags;
	u32 reserved;
};
_Static_assert(sizeof(struct storage_open_req) == 24, "wire size");

struct storage_read_req {		/* READ */
	struct storage_handle h;
	u64 offset;
	u32 len;			/* <= STORAGE_IO_MAX */
	u32 reserved;
};
_Static_assert(sizeof(struct storage_read_req) == 32, "wire size");

struct storage_read_rep {		/* + len bytes (short at EOF) */
	u32 len;
	u32 reserved;
	u64 size;			/* file size now */
};
_Static_assert(sizeof(struct storage_read_rep) == 16, "wire size");

struct storage_write_req {		/* WRITE: + len bytes */
	struct storage_handle h;
	u64 offset;
	u32 len;			/* <= STORAGE_IO_MAX */
	u32 reserved;
};
_Static_assert(sizeof(struct storage_write_req) == 32, "wire size");

struct storage_write_rep {
	u32 len;			/* written (short if the disk filled) */
	u32 reserved;
	u64 size;
};
_Static_assert(sizeof(struct storage_write_rep) == 16, "wire size");

struct storage_stat_req {		/* STAT: reply struct storage_stat */
	struct storage_handle h;
};
_Static_assert(sizeof(struct storage_stat_req) == 16, "wire size");

struct storage_readdir_req {		/* READDIR */
	struct storage_handle dir;
	u64 cookie;			/* 0 to start */
	u32 max_bytes;			/* of entries in the reply */
	u32 max_entries;		/* 0: as many as fit */
};
_Static_assert(sizeof(struct storage_readdir_req) == 32, "wire size");

struct storage_readdir_rep {		/* + count entries */
	u64 cookie;			/* to continue from */
	u32 count;
	u32 eof;			/* 1: no entries after these */
};
_Static_assert(sizeof(struct storage_readdir_rep) == 16, "wire size");

struct storage_dirent {			/* + name_len bytes, padded to 8 */
	u32 ino;
	u16 rec_len;			/* this entry with name and padding */
	u8 type;			/* Linux d_type (DT_*) */
	u8 name_len;
};
_Static_assert(sizeof(struct storage_dirent) == 8, "wire size");

#define STORAGE_CREATE_EXCL	0x1	/* -EEXIST if the name exists */

struct storage_create_req {		/* CREATE: + name_len bytes */
	struct storage_handle dir;
	u32 mode;			/* permission bits */
	u32 uid, gid;
	u16 name_len;
	u16 flags;			/* STORAGE_CREATE_* */
};
_Static_assert(sizeof(struct storage_create_req) == 32, "wire size");

struct storage_mkdir_req {		/* MKDIR: + name_len bytes */
	struct storage_handle dir;
	u32 mode;
	u32 uid, gid;
	u16 name_len;
	u16 reserved;
};
_Static_assert(sizeof(struct storage_mkdir_req) == 32, "wire size");

struct storage_unlink_req {		/* UNLINK: + name_len bytes */
	struct storage_handle dir;
	u16 name_len;
	u16 reserved0;
	u32 reserved1;
};
_Static_assert(sizeof(struct storage_unlink_req) == 24, "wire size");

struct storage_rmdir_req {		/* RMDIR: + name_len bytes */
	struct storage_handle dir;
	u16 name_len;
	u16 reserved0;
	u32 reserved1;
};
_Static_assert(sizeof(struct storage_rmdir_req) == 24, "wire size");

struct storage_rename_req {		/* RENAME: + old name, new name */
	struct storage_handle odir;
	struct storage_handle ndir;
	u16 oname_len;
	u16 nname_len;
	u32 reserved;
};
_Static_assert(sizeof(struct storage_rename_req) == 40, "wire size");

struct storage_truncate_req {		/* TRUNCATE */
	struct storage_handle h;
	u64 size;
};
_Static_assert(sizeof(struct storage_truncate_req) == 24, "wire size");

struct storage_symlink_req {		/* SYMLINK: + name, target */
	struct storage_handle dir;
	u32 uid, gid;
	u16 name_len;
	u16 target_len;			/* 1..4095 */
	u32 reserved;
};
_Static_assert(sizeof(struct storage_symlink_req) == 32, "wire size");

struct storage_readlink_req {		/* READLINK */
	struct storage_handle h;
};
_Static_assert(sizeof(struct storage_readlink_req) == 16, "wire size");

struct storage_readlink_rep {		/* + len bytes of target */
	u32 len;
	u32 reserved;
};
_Static_assert(sizeof(struct storage_readlink_rep) == 8, "wire size");

struct storage_fsync_req {		/* FSYNC: reply empty */
	struct storage_handle h;
	u32 flags;			/* 1: datasync (same effect today) */
	u32 reserved;
};
_Static_assert(sizeof(struct storage_fsync_req) == 24, "wire size");

struct storage_statfs_req {		/* STATFS */
	u32 fs;				/* 0: the root filesystem */
	u32 reserved;
};
_Static_assert(sizeof(struct storage_statfs_req) == 8, "wire size");

#define STORAGE_FS_EXT2		1
#define STORAGE_FS_ARCHIVE	2	/* the cpio boot archive */
#define STORAGE_STATFS_RDONLY	0x1

struct storage_statfs_rep {
	u32 fs;				/* its id, for handles */
	u32 type;			/* STORAGE_FS_* */
	u32 bsize;
	u32 namelen;
	u64 blocks, bfree, bavail;
	u64 files, ffree;
	u32 flags;			/* STORAGE_STATFS_* */
	u32 reserved;
	struct storage_handle root;
};
_Static_assert(sizeof(struct storage_statfs_rep) == 80, "wire size");

struct storage_link_req {		/* LINK: + name_len bytes; reply stat */
	struct storage_handle h;	/* existing file */
	struct storage_handle dir;	/* new name's directory */
	u16 name_len;
	u16 reserved0;
	u32 reserved1;
};
_Static_assert(sizeof(struct storage_link_req) == 40, "wire size");

#endif
