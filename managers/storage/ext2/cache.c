/* managers/storage/ext2/cache.c — the ext2 block cache.
 *
 * Every metadata and data block goes through here.  A buffer holds one
 * filesystem block; buffers live in a hash table (block number -> buffer)
 * and on an LRU list (least recently used first).  ext2_bread() pins a
 * buffer (refs++) and ext2_brelse() unpins it; only unpinned buffers are
 * evicted.  When the cache holds its maximum, the least recently used
 * unpinned buffer is reused: written back first if dirty (write-back
 * cache).  If every buffer is pinned the cache grows past its maximum
 * rather than fail; it shrinks back as buffers are released.
 *
 * Device requests are coalesced: a write-back (ext2_cache_sync(), or an
 * eviction that meets a dirty buffer, which writes back every unpinned
 * dirty buffer at once) sorts the dirty buffers by block number and
 * writes each run of consecutive blocks, up to EXT2_RUN_BYTES, as one
 * request; ext2_cache_readahead() reads a run of uncached blocks as one
 * request into clean buffers.
 *
 * ext2_cache_sync() writes every dirty buffer and flushes the device;
 * ext2_cache_writeback_some() writes only the lowest-numbered ones, so
 * that a caller can write back in slices and let others in between.
 * Nothing is written between syncs except by eviction, so a crash loses
 * at most what was written since the last sync (see
 * Documentation/storage.md for what that means on disk).
 *
 * Invariant: a block number is in the hash at most once.  Block numbers
 * passed in are checked against the volume size; a bad one is corruption
 * (-EUCLEAN), never a device access outside the volume.
 *
 * Callers: every other file in this directory.  No locks (the filesystem's
 * caller serializes).
 */
#include "internal.h"

#define EXT2_HASH_BUCKETS	1024
#define EXT2_RUN_BYTES		(256u << 10)	/* largest coalesced request */

static int ext2_writeback(struct ext2_fs *fs, bool pinned_too, u32 max);

static struct list_head *ext2_bucket(struct ext2_cache *c, u64 block)
{
	return &c->buckets[(block * 0x9E3779B97F4A7C15ull >> 40) % c->nbuckets];
}

int ext2_cache_init(struct ext2_fs *fs, u32 max)
{
	struct ext2_cache *c = &fs->cache;

	c->nbuckets = EXT2_HASH_BUCKETS;
	c->buckets = kcalloc(c->nbuckets, sizeof(*c->buckets));
	if (!c->buckets)
		return -ENOMEM;
	for (u32 i = 0; i < c->nbuckets; i++)
		INIT_LIST_HEAD(&c->buckets[i]);
	INIT_LIST_HEAD(&c->lru);
	c->nr = 0;
	c->max = max < 16 ? 16 : max;
	c->fs = fs;
	return 0;
}

static void ext2_buf_free(struct ext2_cache *c, struct ext2_buf *b)
{
	list_del(&b->hash);
	list_del(&b->lru);
	kfree(b->data);
	kfree(b);
	c->nr--;
}

/* Drop every buffer, dirty or not (unmount calls sync first). */
void ext2_cache_destroy(struct ext2_fs *fs)
{
	struct ext2_cache *c = &fs->cache;
	struct ext2_buf *b, *n;

	if (!c->buckets)
		return;
	list_for_each_entry_safe(b, n, &c->lru, lru)
		ext2_buf_free(c, b);
	kfree(c->buckets);
	c->buckets = NULL;
}

/* Raw device access in bytes; @byte_off and @len are sector multiples. */
int ext2_dev_read(struct ext2_fs *fs, u64 byte_off, void *buf, u32 len)
{
	u64 sector = byte_off / EXT2_SECTOR_SIZE;
	u32 count = len / EXT2_SECTOR_SIZE;

	if (sector + count > fs->bdev.nr_sectors)
		return -EIO;
	return fs->bdev.ops->read(fs->bdev.ctx, sector, buf, count);
}

static int ext2_buf_write(struct ext2_fs *fs, struct ext2_buf *b)
{
	u64 sector = b->block * fs->sectors_per_block;
	int err;

	if (fs->bdev.read_only)
		return -EROFS;
	err = fs->bdev.ops->write(fs->bdev.ctx, sector, b->data,
				  fs->sectors_per_block);
	if (err < 0) {
		pr_warn_once("ext2: write of block %llu failed: %d\n",
			     (unsigned long long)b->block, err);
		return err < 0 ? err : -EIO;
	}
	b->dirty = false;
	return 0;
}

static struct ext2_buf *ext2_cache_find(struct ext2_cache *c, u64 block)
{
	struct list_head *h = ext2_bucket(c, block);
	struct ext2_buf *b;

	list_for_each_entry(b, h, hash)
		if (b->block == block)
			return b;
	return NULL;
}

/* Reuse the least recently used unpinned buffer, or allocate a new one. */
static int ext2_cache_slot(struct ext2_fs *fs, struct ext2_buf **out)
{
	struct ext2_cache *c = &fs->cache;
	struct ext2_buf *b;
	int err;

	if (c->nr >= c->max) {
		list_for_each_entry(b, &c->lru, lru) {
			if (b->refs)
				continue;
			if (b->dirty && (err = ext2_writeback(fs, false, ~0u)) < 0)
				return err;
			list_del(&b->hash);
			list_del(&b->lru);
			*out = b;
			return 0;
		}
	}
	b = kzalloc(sizeof(*b));
	if (!b)
		return -ENOMEM;
	b->data = kmalloc(fs->block_size);
	if (!b->data) {
		kfree(b);
		return -ENOMEM;
	}
	INIT_LIST_HEAD(&b->hash);
	INIT_LIST_HEAD(&b->lru);
	c->nr++;
	*out = b;
	return 0;
}

static void ext2_cache_insert(struct ext2_cache *c, struct ext2_buf *b,
			      u64 block)
{
	b->block = block;
	b->refs = 1;
	b->dirty = false;
	list_add(&b->hash, ext2_bucket(c, block));
	list_add_tail(&b->lru, &c->lru);
}

/* Give back a slot that never made it into the hash. */
static void ext2_cache_unslot(struct ext2_cache *c, struct ext2_buf *b)
{
	kfree(b->data);
	kfree(b);
	c->nr--;
}

static int ext2_getblk(struct ext2_fs *fs, u64 block, bool read,
		       struct ext2_buf **out)
{
	struct ext2_cache *c = &fs->cache;
	struct ext2_buf *b;
	int err;

	if (block >= fs->sb.s_blocks_count) {
		ext2_corrupt(fs, "block %llu past the end of the volume",
			     (unsigned long long)block);
		return -EUCLEAN;
	}
	b = ext2_cache_find(c, block);
	if (b) {
		b->refs++;
		list_move_tail(&b->lru, &c->lru);
		*out = b;
		return 0;
	}
	err = ext2_cache_slot(fs, &b);
	if (err < 0)
		return err;
	if (read) {
		err = fs->bdev.ops->read(fs->bdev.ctx,
					 block * fs->sectors_per_block,
					 b->data, fs->sectors_per_block);
		if (err < 0) {
			pr_warn_once("ext2: read of block %llu failed: %d\n",
				     (unsigned long long)block, err);
			ext2_cache_unslot(c, b);
			return -EIO;
		}
	}
	ext2_cache_insert(c, b, block);
	*out = b;
	return 0;
}

/* Pin @block, reading it if it is not cached. */
int ext2_bread(struct ext2_fs *fs, u64 block, struct ext2_buf **out)
{
	return ext2_getblk(fs, block, true, out);
}

/* Pin @block with zeroed, dirty contents (a block just allocated). */
int ext2_bzero(struct ext2_fs *fs, u64 block, struct ext2_buf **out)
{
	int err = ext2_getblk(fs, block, false, out);

	if (err < 0)
		return err;
	memset((*out)->data, 0, fs->block_size);
	(*out)->dirty = true;
	return 0;
}

void ext2_brelse(struct ext2_fs *fs, struct ext2_buf *b)
{
	struct ext2_cache *c = &fs->cache;

	if (!b)
		return;
	b->refs--;
	if (!b->refs && c->nr > c->max && !b->dirty)
		ext2_buf_free(c, b);
}

void ext2_bdirty(struct ext2_buf *b)
{
	b->dirty = true;
}

/* A freed block's cached contents are worthless: drop them unwritten. */
void ext2_bforget(struct ext2_fs *fs, u64 block)
{
	struct ext2_buf *b = ext2_cache_find(&fs->cache, block);

	if (b && !b->refs)
		ext2_buf_free(&fs->cache, b);
	else if (b)
		b->dirty = false;
}

/* Bottom-up merge sort by block number (@tmp holds @n pointers). */
static void ext2_sort_bufs(struct ext2_buf **v, struct ext2_buf **tmp, u32 n)
{
	for (u32 w = 1; w < n; w *= 2) {
		for (u32 lo = 0; lo < n; lo += 2 * w) {
			u32 mid = MIN(lo + w, n), hi = MIN(lo + 2 * w, n);
			u32 i = lo, j = mid, k = lo;

			while (i < mid || j < hi)
				tmp[k++] = j >= hi || (i < mid &&
					   v[i]->block <= v[j]->block) ?
					   v[i++] : v[j++];
		}
		memcpy(v, tmp, n * sizeof(*v));
	}
}

bool ext2_cache_dirty(struct ext2_fs *fs)
{
	struct ext2_buf *b;

	list_for_each_entry(b, &fs->cache.lru, lru)
		if (b->dirty)
			return true;
	return false;
}

/* Write the @n consecutive blocks of @v as one request through @run. */
static int ext2_run_write(struct ext2_fs *fs, struct ext2_buf **v, u32 n,
			  u8 *run)
{
	int err;

	if (fs->bdev.read_only)
		return -EROFS;
	for (u32 i = 0; i < n; i++)
		memcpy(run + (size_t)i * fs->block_size, v[i]->data,
		       fs->block_size);
	err = fs->bdev.ops->write(fs->bdev.ctx, v[0]->block *
				  fs->sectors_per_block, run,
				  n * fs->sectors_per_block);
	if (err < 0) {
		pr_warn_once("ext2: write of blocks %llu+%u failed: %d\n",
			     (unsigned long long)v[0]->block, n, err);
		return err;
	}
	for (u32 i = 0; i < n; i++)
		v[i]->dirty = false;
	return 0;
}

/* Write sorted dirty buffers, each run of consecutive blocks at once
 * (one block at a time if no run buffer can be had). */
static int ext2_write_sorted(struct ext2_fs *fs, struct ext2_buf **v, u32 n)
{
	u32 per = MAX(EXT2_RUN_BYTES / fs->block_size, 1u);
	u8 *run = per > 1 ? kmalloc(EXT2_RUN_BYTES) : NULL;
	int err = 0, e;

	for (u32 i = 0, k; i < n; i += k) {
		for (k = 1; run && i + k < n && k < per &&
		     v[i + k]->block == v[i]->block + k; k++)
			;
		e = k > 1 ? ext2_run_write(fs, v + i, k, run) :
			    ext2_buf_write(fs, v[i]);
		if (e < 0 && !err)
			err = e;
	}
	kfree(run);
	return err;
}

/* Write the @max lowest-numbered dirty buffers (unpinned ones only,
 * unless @pinned_too); 1 if dirty ones were left, 0, or an errno. */
static int ext2_writeback(struct ext2_fs *fs, bool pinned_too, u32 max)
{
	struct ext2_cache *c = &fs->cache;
	struct ext2_buf *b, **v;
	u32 n = 0;
	int err;

	v = kcalloc(c->nr ? 2 * c->nr : 2, sizeof(*v));
	if (!v)
		return -ENOMEM;
	list_for_each_entry(b, &c->lru, lru)
		if (b->dirty && (pinned_too || !b->refs) && n < c->nr)
			v[n++] = b;
	ext2_sort_bufs(v, v + c->nr, n);
	err = ext2_write_sorted(fs, v, MIN(n, max));
	kfree(v);
	return err < 0 ? err : n > max;
}

int ext2_cache_writeback_some(struct ext2_fs *fs, u32 max)
{
	return ext2_writeback(fs, true, max);
}

/* Write every dirty buffer (ascending block order), then flush. */
int ext2_cache_sync(struct ext2_fs *fs)
{
	int err = ext2_writeback(fs, true, ~0u);

	if (!err && fs->bdev.ops->flush)
		err = fs->bdev.ops->flush(fs->bdev.ctx);
	return err;
}

bool ext2_cache_has(struct ext2_fs *fs, u64 block)
{
	return ext2_cache_find(&fs->cache, block) != NULL;
}

/* Read up to @n blocks from @block that are not cached (stopping at the
 * first cached one) in one request, into clean unpinned buffers.  Best
 * effort: on any failure the caller's ext2_bread() reads the block
 * itself. */
void ext2_cache_readahead(struct ext2_fs *fs, u64 block, u32 n)
{
	struct ext2_buf *b;
	u32 k;
	u8 *run;

	n = MIN(n, MAX(EXT2_RUN_BYTES / fs->block_size, 1u));
	if (block >= fs->sb.s_blocks_count)
		return;
	n = (u32)MIN((u64)n, fs->sb.s_blocks_count - block);
	for (k = 0; k < n && !ext2_cache_find(&fs->cache, block + k); k++)
		;
	if (k < 2 || !(run = kmalloc((size_t)k * fs->block_size)))
		return;
	if (fs->bdev.ops->read(fs->bdev.ctx, block * fs->sectors_per_block,
			       run, k * fs->sectors_per_block) < 0)
		k = 0;
	for (u32 i = 0; i < k && !ext2_cache_slot(fs, &b); i++) {
		memcpy(b->data, run + (size_t)i * fs->block_size,
		       fs->block_size);
		ext2_cache_insert(&fs->cache, b, block + i);
		b->refs = 0;
	}
	kfree(run);
}
