/* include/storage/ext2.h — ext2 (revision 1; 1, 2 and 4 KiB blocks) over a
 * block device.  Design, on-disk layout, cache and allocation policy:
 * managers/storage/ext2/super.c and Documentation/storage.md.
 *
 * Locking: none inside.  The caller (the storage manager's file service)
 * serializes every call on one struct ext2_fs; different filesystems are
 * independent.  Calls may sleep in the block device.
 *
 * Objects are named by inode number after lookup.  Names are NUL-terminated
 * single path components; paths are only taken by ext2_walk().  Every call
 * returns 0 (or a byte count) or a negative Linux errno: -ENOENT, -EEXIST,
 * -ENOTDIR, -EISDIR, -ENOTEMPTY, -ENAMETOOLONG, -ELOOP, -EMLINK, -ENOSPC,
 * -EFBIG, -EROFS, -EINVAL, -ENOMEM, and -EUCLEAN (corrupt metadata) or
 * -EIO (the device failed).  Corruption never crashes; it is logged once
 * per kind.
 */
#ifndef STORAGE_EXT2_H
#define STORAGE_EXT2_H

#include <tessera/compiler.h>

#define EXT2_SECTOR_SIZE	512
#define EXT2_ROOT		2	/* inode number of "/" */
#define EXT2_SYMLOOP_MAX	40
#define EXT2_PATH_MAX		4096

/* The block device, in 512-byte sectors.  read/write move @count sectors
 * and return 0 or a negative errno; flush makes completed writes durable. */
struct ext2_bdev_ops {
	int (*read)(void *ctx, u64 sector, void *buf, u32 count);
	int (*write)(void *ctx, u64 sector, const void *buf, u32 count);
	int (*flush)(void *ctx);
};

struct ext2_bdev {
	const struct ext2_bdev_ops *ops;
	void *ctx;
	u64 nr_sectors;
	bool read_only;
};

struct ext2_mount_opts {
	u32 cache_blocks;		/* block cache size; 0: default (256) */
	bool read_only;			/* mount read-only even if writable */
	u32 (*now)(void *ctx);		/* seconds since 1970; NULL: 0 */
	void *now_ctx;
};

struct ext2_fs;

struct ext2_stat {
	u32 ino;
	u16 mode;			/* S_IF* | permission bits */
	u16 nlink;
	u32 uid, gid;
	u64 size;
	u64 blocks;			/* 512-byte units */
	u32 atime, mtime, ctime;
	u32 blksize;
	u32 generation;			/* changes when the inode is reused */
};

struct ext2_statfs {
	u32 bsize;
	u64 blocks, bfree, bavail;
	u64 files, ffree;
	u32 namelen;
	bool read_only;
};

#define EXT2_DT_UNKNOWN	0
#define EXT2_DT_FIFO	1
#define EXT2_DT_CHR	2
#define EXT2_DT_DIR	4
#define EXT2_DT_BLK	6
#define EXT2_DT_REG	8
#define EXT2_DT_LNK	10
#define EXT2_DT_SOCK	12

struct ext2_dirent_info {
	u32 ino;
	u8 type;			/* EXT2_DT_* (Linux d_type values) */
	u8 name_len;
	char name[256];			/* NUL-terminated */
};

/* Mount: validate the superblock and group descriptors.  Unknown INCOMPAT
 * features: -EINVAL; unknown RO_COMPAT features: mounted read-only. */
int ext2_mount(const struct ext2_bdev *bdev, const struct ext2_mount_opts *o,
	       struct ext2_fs **out);
/* Write everything back, mark the volume clean, free @fs (even on error). */
int ext2_unmount(struct ext2_fs *fs);
/* Write back every dirty block and the superblock, then flush the device. */
int ext2_sync(struct ext2_fs *fs);
/* Make @ino's data and metadata durable (today: the whole volume). */
int ext2_fsync(struct ext2_fs *fs, u32 ino);
int ext2_statfs(struct ext2_fs *fs, struct ext2_statfs *st);
bool ext2_is_read_only(const struct ext2_fs *fs);
/* True if @ino can name a file: the root or a non-reserved inode number
 * inside the volume (a check of a number from outside, e.g. a handle). */
bool ext2_ino_usable(const struct ext2_fs *fs, u32 ino);
/* True if a sync would write anything (a dirty cached block). */
bool ext2_needs_sync(struct ext2_fs *fs);
/* Write back the @max lowest-numbered dirty blocks, without a flush and
 * without the superblock (an ext2_sync must follow to make anything
 * durable): 1 if dirty blocks remain, 0 if none, or a negative errno.
 * Lets a caller write back in slices, releasing its lock in between. */
int ext2_writeback_some(struct ext2_fs *fs, u32 max);

int ext2_lookup(struct ext2_fs *fs, u32 dir, const char *name, u32 *ino);
/* Resolve @path relative to @cwd ("/"-prefixed: from the root).  Symlinks
 * in the middle are followed; the last one too when @follow.  -ELOOP past
 * EXT2_SYMLOOP_MAX links, -ENOTDIR through a non-directory. */
int ext2_walk(struct ext2_fs *fs, u32 cwd, const char *path, bool follow,
	      u32 *ino);
int ext2_stat(struct ext2_fs *fs, u32 ino, struct ext2_stat *st);

ssize_t ext2_read(struct ext2_fs *fs, u32 ino, u64 off, void *buf, size_t len);
ssize_t ext2_write(struct ext2_fs *fs, u32 ino, u64 off, const void *buf,
		   size_t len);
int ext2_truncate(struct ext2_fs *fs, u32 ino, u64 size);

/* @mode carries permission bits (07777); the type is implied by the call.
 * *ino (may be NULL) receives the new inode's number. */
int ext2_create(struct ext2_fs *fs, u32 dir, const char *name, u16 mode,
		u32 uid, u32 gid, u32 *ino);
int ext2_mkdir(struct ext2_fs *fs, u32 dir, const char *name, u16 mode,
	       u32 uid, u32 gid, u32 *ino);
int ext2_symlink(struct ext2_fs *fs, u32 dir, const char *name,
		 const char *target, u32 uid, u32 gid, u32 *ino);
int ext2_link(struct ext2_fs *fs, u32 ino, u32 dir, const char *name);
int ext2_unlink(struct ext2_fs *fs, u32 dir, const char *name);
int ext2_rmdir(struct ext2_fs *fs, u32 dir, const char *name);
int ext2_rename(struct ext2_fs *fs, u32 odir, const char *oname, u32 ndir,
		const char *nname);
/* Copy the target (not NUL-terminated, at most @len bytes); returns its
 * length.  -EINVAL if @ino is not a symlink. */
ssize_t ext2_readlink(struct ext2_fs *fs, u32 ino, char *buf, size_t len);
/* Iterate: *cookie starts at 0.  Returns 1 with @ent filled and *cookie
 * advanced, 0 at the end, or a negative errno.  Cookies stay valid across
 * changes to the directory (entries added meanwhile may or may not show). */
int ext2_readdir(struct ext2_fs *fs, u32 dir, u64 *cookie,
		 struct ext2_dirent_info *ent);

#endif
