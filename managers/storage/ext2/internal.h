/* managers/storage/ext2/internal.h — what the ext2 files share.
 *
 *   cache.c   block cache: hash + LRU of block buffers, write-back
 *   super.c   mount (validation), sync, unmount, statfs, group descriptors
 *   alloc.c   block and inode bitmaps: allocation and freeing
 *   rsv.c     reservation windows: runs of blocks set aside per file
 *   inode.c   inode read/write, new inodes, freeing an inode, stat
 *   bmap.c    logical -> physical block map, indirect blocks, truncate
 *   file.c    read, write, truncate by inode
 *   dir.c     directory blocks: check, find, add, remove, readdir
 *   namei.c   create, mkdir, symlink, link, unlink, rmdir, lookup
 *   rename.c  rename
 *   path.c    path walk with symlinks, readlink
 *
 * No locks: the caller serializes all calls on one filesystem (see
 * include/storage/ext2.h).  Buffers returned by ext2_bread() are pinned
 * until ext2_brelse(); a caller never holds more than a handful at once.
 */
#ifndef STORAGE_EXT2_INTERNAL_H
#define STORAGE_EXT2_INTERNAL_H

#include <storage/ext2.h>
#include <lib/list.h>
#include <lib/string.h>
#include <kernel/printk.h>
#include <mm/mm.h>
#include <uapi/errno.h>
#include "ext2_disk.h"

struct ext2_buf {
	struct list_head hash;		/* bucket chain */
	struct list_head lru;		/* cache->lru, least recent first */
	u64 block;
	u32 refs;
	bool dirty;
	u8 *data;
};

struct ext2_cache {
	struct list_head *buckets;
	u32 nbuckets;
	struct list_head lru;
	u32 nr, max;
	struct ext2_fs *fs;
};

/* A reservation window (rsv.c): blocks [start, end) of one group, set
 * aside in memory for inode @ino (0: free slot); start == end: released,
 * @size kept for the next window. */
struct ext2_rsv {
	u32 ino;
	u32 start, end;
	u32 size;			/* blocks in the next window */
	u64 used;			/* fs->rsv_clock at the last use */
};

#define EXT2_RSV_SLOTS	32
#define EXT2_RSV_MIN	8		/* blocks in a first window */
#define EXT2_RSV_MAX	1024		/* largest window, in blocks */
#define EXT2_RSV_IGNORE	(~0u)		/* "ino" that sees through windows */

struct ext2_fs {
	struct ext2_bdev bdev;
	struct ext2_super sb;		/* in-core copy, written on sync */
	struct ext2_cache cache;
	u32 block_size;
	u32 log_block_size;		/* log2(block_size) */
	u32 sectors_per_block;
	u32 addr_per_block;		/* block numbers per indirect block */
	u32 groups;
	u32 gdt_blocks;
	u32 inode_size;
	u32 inodes_per_block;
	u32 first_ino;
	u64 max_file_size;
	bool read_only;
	bool filetype;			/* dirents carry file_type */
	bool sb_dirty;
	u32 nr_errors;
	u32 ra_ino;			/* file.c: where the last read ended, */
	u64 ra_next;			/* to tell sequential reads */
	u32 (*now)(void *ctx);
	void *now_ctx;
	struct ext2_rsv rsv[EXT2_RSV_SLOTS];
	u64 rsv_clock;
};

/* In-core inode: a copy of the first 128 bytes, written back by
 * ext2_iput() when dirty. */
struct ext2_inode {
	u32 ino;
	bool dirty;
	struct ext2_dinode d;
};

/* Report corruption once per call site; count it. */
#define ext2_corrupt(fs, fmt, ...)                                          \
	do {                                                                \
		(fs)->nr_errors++;                                          \
		pr_warn_once("ext2: corrupt: " fmt "\n", ##__VA_ARGS__);    \
	} while (0)

/* cache.c */
int ext2_cache_init(struct ext2_fs *fs, u32 max);
void ext2_cache_destroy(struct ext2_fs *fs);
int ext2_bread(struct ext2_fs *fs, u64 block, struct ext2_buf **out);
int ext2_bzero(struct ext2_fs *fs, u64 block, struct ext2_buf **out);
void ext2_brelse(struct ext2_fs *fs, struct ext2_buf *b);
void ext2_bdirty(struct ext2_buf *b);
void ext2_bforget(struct ext2_fs *fs, u64 block);
bool ext2_cache_dirty(struct ext2_fs *fs);
int ext2_cache_sync(struct ext2_fs *fs);
int ext2_cache_writeback_some(struct ext2_fs *fs, u32 max);
bool ext2_cache_has(struct ext2_fs *fs, u64 block);
void ext2_cache_readahead(struct ext2_fs *fs, u64 block, u32 n);
int ext2_dev_read(struct ext2_fs *fs, u64 byte_off, void *buf, u32 len);

/* super.c */
u32 ext2_now(struct ext2_fs *fs);
int ext2_gd_get(struct ext2_fs *fs, u32 group, struct ext2_buf **b,
		struct ext2_group_desc **gd);
bool ext2_block_valid(const struct ext2_fs *fs, u64 block);

/* alloc.c.  Blocks: @ino is the inode the block is for (its window is
 * used and other windows are skipped), 0 for none (every window is
 * skipped), EXT2_RSV_IGNORE to see through windows.  ext2_alloc_block is
 * the entry point; _range takes the first free block in [from, to) of one
 * group, _near the first at or after @goal in any group (wrapping);
 * both return 0 or -ENOSPC or another errno. */
int ext2_alloc_block(struct ext2_fs *fs, u32 ino, u32 goal, u32 *out);
int ext2_alloc_range(struct ext2_fs *fs, u32 ino, u32 from, u32 to, u32 *out);
int ext2_alloc_near(struct ext2_fs *fs, u32 ino, u32 goal, u32 *out);
int ext2_free_block(struct ext2_fs *fs, u32 block);
int ext2_alloc_inode(struct ext2_fs *fs, u32 parent, bool dir, u32 *out);
int ext2_free_inode_bit(struct ext2_fs *fs, u32 ino, bool dir);

/* rsv.c */
/* A block for @ino near @goal (valid), through its window: 0, -ENOSPC
 * (nothing free outside other windows) or another errno. */
int ext2_rsv_alloc(struct ext2_fs *fs, u32 ino, u32 goal, u32 *out);
/* True if @blk lies in another inode's window; *end: that window's end. */
bool ext2_rsv_other(const struct ext2_fs *fs, u32 ino, u32 blk, u32 *end);
/* Give every window's unused blocks back (sync, fsync). */
void ext2_rsv_release_all(struct ext2_fs *fs);
/* Forget @ino's window and its size (truncate, inode freed). */
void ext2_rsv_drop(struct ext2_fs *fs, u32 ino);

/* inode.c */
int ext2_iget(struct ext2_fs *fs, u32 ino, struct ext2_inode *in);
int ext2_iput(struct ext2_fs *fs, struct ext2_inode *in);
int ext2_inew(struct ext2_fs *fs, u32 parent, u16 mode, u32 uid, u32 gid,
	      struct ext2_inode *in);
int ext2_idrop_link(struct ext2_fs *fs, struct ext2_inode *in);
int ext2_ievict(struct ext2_fs *fs, struct ext2_inode *in);
u64 ext2_isize(const struct ext2_inode *in);
void ext2_set_isize(struct ext2_fs *fs, struct ext2_inode *in, u64 size);
bool ext2_is_dir(const struct ext2_inode *in);
bool ext2_is_reg(const struct ext2_inode *in);
bool ext2_is_lnk(const struct ext2_inode *in);
bool ext2_fast_symlink(const struct ext2_fs *fs, const struct ext2_inode *in);
void ext2_touch(struct ext2_fs *fs, struct ext2_inode *in, bool mtime);
u8 ext2_mode_to_ft(u16 mode);

/* bmap.c */
int ext2_bmap(struct ext2_fs *fs, struct ext2_inode *in, u64 lblk,
	      bool create, u32 *pblk);
int ext2_free_range(struct ext2_fs *fs, struct ext2_inode *in, u64 from);
u64 ext2_max_blocks(const struct ext2_fs *fs);

/* file.c */
int ext2_itruncate(struct ext2_fs *fs, struct ext2_inode *in, u64 size);

/* dir.c */
struct ext2_dirpos {
	u64 lblk;			/* directory block */
	u32 off;			/* entry offset in the block */
	u32 prev;			/* previous entry's offset, or ~0 */
	u32 ino;
	u8 file_type;
};
int ext2_dir_find(struct ext2_fs *fs, struct ext2_inode *dir,
		  const char *name, u32 len, struct ext2_dirpos *pos);
int ext2_dir_add(struct ext2_fs *fs, struct ext2_inode *dir,
		 const char *name, u32 len, u32 ino, u8 ft);
int ext2_dir_remove(struct ext2_fs *fs, struct ext2_inode *dir,
		    const struct ext2_dirpos *pos);
int ext2_dir_set(struct ext2_fs *fs, struct ext2_inode *dir,
		 const struct ext2_dirpos *pos, u32 ino, u8 ft);
int ext2_dir_empty(struct ext2_fs *fs, struct ext2_inode *dir);
int ext2_dir_init(struct ext2_fs *fs, struct ext2_inode *dir, u32 parent);
int ext2_dir_set_parent(struct ext2_fs *fs, struct ext2_inode *dir,
			u32 parent);
int ext2_dir_parent(struct ext2_fs *fs, struct ext2_inode *dir, u32 *parent);
int ext2_check_name(const char *name, u32 *len);

#endif
