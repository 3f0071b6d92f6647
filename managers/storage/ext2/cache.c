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
 * ext2_cache_sync() writes every dirty buffer in ascending block order and
 * flushes the device.  Nothing is written between syncs except by
 * eviction, so a crash loses at most what was written since the last sync
 * (see Documentation/storage.md for what that means on disk).
 *
 * Invariant: a block number is in the hash at most once.  Block numbers
 * passed in are checked against the volume size; a bad one is corruption
 * (-EUCLEAN), never a device access outside the volume.
 *
 * Callers: every other file in this directory.  No locks (the filesystem's
 * caller serializes).
 */
#include "internal.h"

#define EXT2_HASH_BUCKETS	256

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
			if (b->dirty && (err = ext2_buf_write(fs, b)) < 0)
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

static int ext2_cmp_buf(const void *a, const void *b)
{
	const struct ext2_buf *x = *(struct ext2_buf *const *)a;
	const struct ext2_buf *y = *(struct ext2_buf *const *)b;

	return x->block < y->block ? -1 : x->block > y->block;
}

/* Insertion sort: the dirty set is small and often nearly sorted. */
static void ext2_sort_bufs(struct ext2_buf **v, u32 n)
{
	for (u32 i = 1; i < n; i++) {
		struct ext2_buf *x = v[i];
		u32 j = i;

		while (j > 0 && ext2_cmp_buf(&v[j - 1], &x) > 0) {
			v[j] = v[j - 1];
			j--;
		}
		v[j] = x;
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

/* Write every dirty buffer (ascending block order), then flush. */
int ext2_cache_sync(struct ext2_fs *fs)
{
	struct ext2_cache *c = &fs->cache;
	struct ext2_buf *b, **v;
	u32 n = 0;
	int err = 0, e;

	v = kcalloc(c->nr ? c->nr : 1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	list_for_each_entry(b, &c->lru, lru)
		if (b->dirty && n < c->nr)
			v[n++] = b;
	ext2_sort_bufs(v, n);
	for (u32 i = 0; i < n; i++) {
		e = ext2_buf_write(fs, v[i]);
		if (e < 0 && !err)
			err = e;
	}
	kfree(v);
	if (!err && fs->bdev.ops->flush)
		err = fs->bdev.ops->flush(fs->bdev.ctx);
	return err;
}
