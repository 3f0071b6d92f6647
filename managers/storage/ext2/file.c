/* managers/storage/ext2/file.c — reading, writing and truncating regular
 * files by inode number.
 *
 * Data moves through the block cache a block at a time.  A read that
 * misses the cache first reads, in one device request, the run of
 * following blocks that are contiguous on disk: the rest of the request,
 * or EXT2_READAHEAD blocks (within the file) when the read starts where
 * the previous read of the same file ended (fs->ra_ino/ra_next), so
 * random reads do not pull in blocks nobody asked for.  Holes read as
 * zeros; a write allocates the blocks it touches (bmap.c zeroes them).  A
 * write that covers a whole block does not read it first.  A write that
 * runs out of space returns the bytes written before it ran out, or
 * -ENOSPC if none were.  Truncating down zeroes the tail of the new last
 * block and frees every block past it, indirect blocks included; growing
 * only changes the size (the new range is a hole).
 *
 * Access times are not updated (as with Linux's noatime); mtime and ctime
 * are.  Only regular files are read or written here: a directory gives
 * -EISDIR, anything else -EINVAL.  The caller serializes (no locks).
 */
#include "internal.h"

static int ext2_get_file(struct ext2_fs *fs, u32 ino, struct ext2_inode *in)
{
	int err = ext2_iget(fs, ino, in);

	if (err < 0)
		return err;
	if (ext2_is_dir(in))
		return -EISDIR;
	if (!ext2_is_reg(in))
		return -EINVAL;
	return 0;
}

#define EXT2_READAHEAD	64	/* blocks */

/* Before reading uncached @pblk (logical @lblk), read ahead the blocks
 * after it that follow it on disk, up to logical block @last. */
static void ext2_readahead(struct ext2_fs *fs, struct ext2_inode *in,
			   u64 lblk, u32 pblk, u64 last)
{
	u32 n = 1, next;

	if (ext2_cache_has(fs, pblk))
		return;
	while (n < EXT2_READAHEAD && lblk + n <= last &&
	       !ext2_bmap(fs, in, lblk + n, false, &next) && next == pblk + n)
		n++;
	ext2_cache_readahead(fs, pblk, n);
}

ssize_t ext2_read(struct ext2_fs *fs, u32 ino, u64 off, void *buf, size_t len)
{
	struct ext2_inode in;
	u64 size, ra_last;
	size_t done = 0;
	int err = ext2_get_file(fs, ino, &in);

	if (err < 0)
		return err;
	size = ext2_isize(&in);
	if (off >= size)
		return 0;
	len = MIN((u64)len, size - off);
	ra_last = (off + len - 1) >> fs->log_block_size;
	if (fs->ra_ino == ino && fs->ra_next == off >> fs->log_block_size)
		ra_last = (size - 1) >> fs->log_block_size;
	fs->ra_ino = ino;
	fs->ra_next = (off + len) >> fs->log_block_size;
	while (done < len) {
		u64 pos = off + done;
		u32 boff = pos & (fs->block_size - 1);
		u32 n = MIN((u64)fs->block_size - boff, (u64)(len - done));
		struct ext2_buf *b;
		u32 pblk;

		err = ext2_bmap(fs, &in, pos >> fs->log_block_size, false, &pblk);
		if (!err && pblk) {
			ext2_readahead(fs, &in, pos >> fs->log_block_size, pblk,
				       ra_last);
			err = ext2_bread(fs, pblk, &b);
		}
		if (err < 0)
			return done ? (ssize_t)done : err;
		if (pblk) {
			memcpy((u8 *)buf + done, b->data + boff, n);
			ext2_brelse(fs, b);
		} else {
			memset((u8 *)buf + done, 0, n);
		}
		done += n;
	}
	return done;
}

/* Write one block's worth (@n bytes at @boff of logical block @lblk). */
static int ext2_write_block(struct ext2_fs *fs, struct ext2_inode *in,
			    u64 lblk, u32 boff, const void *src, u32 n)
{
	struct ext2_buf *b;
	u32 pblk;
	int err = ext2_bmap(fs, in, lblk, true, &pblk);

	if (err < 0)
		return err;
	if (n == fs->block_size)
		err = ext2_bzero(fs, pblk, &b);
	else
		err = ext2_bread(fs, pblk, &b);
	if (err < 0)
		return err;
	memcpy(b->data + boff, src, n);
	ext2_bdirty(b);
	ext2_brelse(fs, b);
	return 0;
}

ssize_t ext2_write(struct ext2_fs *fs, u32 ino, u64 off, const void *buf,
		   size_t len)
{
	struct ext2_inode in;
	size_t done = 0;
	int err, e;

	if (fs->read_only)
		return -EROFS;
	err = ext2_get_file(fs, ino, &in);
	if (err < 0 || !len)
		return err;
	if (off >= fs->max_file_size)
		return -EFBIG;
	len = MIN((u64)len, fs->max_file_size - off);
	while (done < len) {
		u64 pos = off + done;
		u32 boff = pos & (fs->block_size - 1);
		u32 n = MIN((u64)fs->block_size - boff, (u64)(len - done));

		err = ext2_write_block(fs, &in, pos >> fs->log_block_size, boff,
				       (const u8 *)buf + done, n);
		if (err < 0)
			break;
		done += n;
	}
	if (off + done > ext2_isize(&in))
		ext2_set_isize(fs, &in, off + done);
	if (done)
		ext2_touch(fs, &in, true);
	e = ext2_iput(fs, &in);
	if (done)
		return done;
	return err < 0 ? err : e;
}

/* Zero the bytes of the block holding @size that lie past it. */
static int ext2_zero_tail(struct ext2_fs *fs, struct ext2_inode *in, u64 size)
{
	u32 boff = size & (fs->block_size - 1), pblk;
	struct ext2_buf *b;
	int err;

	if (!boff)
		return 0;
	err = ext2_bmap(fs, in, size >> fs->log_block_size, false, &pblk);
	if (err < 0 || !pblk)
		return err;
	err = ext2_bread(fs, pblk, &b);
	if (err < 0)
		return err;
	memset(b->data + boff, 0, fs->block_size - boff);
	ext2_bdirty(b);
	ext2_brelse(fs, b);
	return 0;
}

/* Set the size of @in (not written back: the caller calls ext2_iput). */
int ext2_itruncate(struct ext2_fs *fs, struct ext2_inode *in, u64 size)
{
	int err = 0;

	if (size > fs->max_file_size)
		return -EFBIG;
	if (size < ext2_isize(in)) {
		ext2_rsv_drop(fs, in->ino);
		err = ext2_zero_tail(fs, in, size);
		if (!err)
			err = ext2_free_range(fs, in,
				DIV_ROUND_UP(size, (u64)fs->block_size));
	}
	ext2_set_isize(fs, in, size);
	ext2_touch(fs, in, true);
	return err;
}

int ext2_truncate(struct ext2_fs *fs, u32 ino, u64 size)
{
	struct ext2_inode in;
	int err, e;

	if (fs->read_only)
		return -EROFS;
	err = ext2_get_file(fs, ino, &in);
	if (err < 0)
		return err;
	err = ext2_itruncate(fs, &in, size);
	e = ext2_iput(fs, &in);
	return err ? err : e;
}
