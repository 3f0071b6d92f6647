/* managers/storage/bdev.c — ext2's block interface (struct ext2_bdev,
 * include/storage/ext2.h) on a block device of drivers/block
 * (include/drivers/blkdev.h).
 *
 * Sector math: ext2 counts in 512-byte sectors, as the block layer does
 * (SECTOR_SIZE == EXT2_SECTOR_SIZE, checked at compile time), so a
 * request maps one to one; every request is bounds-checked here against
 * the device size (an out-of-range request is -EIO, never sent) and split
 * into pieces of at most ADAPT_CHUNK bytes so that `count * 512` never
 * overflows the block layer's u32.  The block layer itself splits by the
 * device's max_bytes and waits (with a timeout) for each piece.
 *
 * Buffers: the device DMAs into one physically contiguous buffer, which
 * the direct map and the kernel image give (ext2's cache buffers come
 * from kmalloc, kernel stacks from alloc_pages).  A buffer anywhere else
 * (vmap space) goes through a bounce page, so no caller can hand the
 * device a buffer it cannot reach.
 *
 * Flush: a device without a volatile write cache (no VIRTIO_BLK_F_FLUSH)
 * makes a write durable when it completes, so flush is then a no-op.
 * Read-only devices are reported as such (ext2 mounts them read-only).
 * Callers: vol.c, under the volume lock; may sleep.
 */
#include <asm/layout.h>
#include <kernel/printk.h>
#include <kernel/time.h>
#include <lib/string.h>
#include <mm/mm.h>
#include <uapi/errno.h>
#include "internal.h"
#include "timing.h"

_Static_assert(SECTOR_SIZE == EXT2_SECTOR_SIZE, "ext2 and blkdev sectors");

#define ADAPT_CHUNK	(1u << 20)	/* bytes per block-layer call */
/* The superblock starts at byte 1024 (sector 2); offsets inside it. */
#define EXT2_SB_SECTOR	2
#define EXT2_MTIME_OFF	44		/* s_mtime: last mount */
#define EXT2_WTIME_OFF	48		/* s_wtime: last write */
#define EXT2_MAGIC_OFF	56		/* s_magic */
#define EXT2_MAGIC_VAL	0xef53

static bool dma_reachable(const void *p)
{
	unsigned long a = (unsigned long)p;

	return (a >= DIRECT_MAP_BASE && a < VMAP_BASE) || a >= KERNEL_VMA;
}

static int chunk_io(struct block_device *bdev, bool write, u64 sector,
		    void *buf, u32 bytes)
{
	void *bounce;
	int err;

	if (dma_reachable(buf))
		return write ? blk_write(bdev, sector, buf, bytes) :
			       blk_read(bdev, sector, buf, bytes);
	bounce = kmalloc(bytes);
	if (!bounce)
		return -ENOMEM;
	if (write)
		memcpy(bounce, buf, bytes);
	err = write ? blk_write(bdev, sector, bounce, bytes) :
		      blk_read(bdev, sector, bounce, bytes);
	if (!err && !write)
		memcpy(buf, bounce, bytes);
	kfree(bounce);
	return err;
}

static int adapt_io(void *ctx, bool write, u64 sector, void *buf, u32 count)
{
	struct block_device *bdev = ctx;
	u64 t0 = ktime_get_ns(), bytes = (u64)count * SECTOR_SIZE;
	u8 *p = buf;
	int err = 0;

	if (sector > bdev->sectors || count > bdev->sectors - sector)
		return -EIO;
	while (count && !err) {
		u32 n = MIN(count, ADAPT_CHUNK / SECTOR_SIZE);

		err = chunk_io(bdev, write, sector, p, n * SECTOR_SIZE);
		sector += n;
		p += (size_t)n * SECTOR_SIZE;
		count -= n;
	}
	storage_time_dev(write ? STORAGE_DEV_WRITE : STORAGE_DEV_READ, bytes,
			 ktime_get_ns() - t0);
	if (err)
		return err == -EROFS ? err : -EIO;
	return 0;
}

static int adapt_read(void *ctx, u64 sector, void *buf, u32 count)
{
	return adapt_io(ctx, false, sector, buf, count);
}

static int adapt_write(void *ctx, u64 sector, const void *buf, u32 count)
{
	return adapt_io(ctx, true, sector, (void *)buf, count);
}

static int adapt_flush(void *ctx)
{
	struct block_device *bdev = ctx;
	u64 t0 = ktime_get_ns();
	int err;

	if (!bdev->has_flush)
		return 0;
	err = blk_flush(bdev);
	storage_time_dev(STORAGE_DEV_FLUSH, 0, ktime_get_ns() - t0);
	return err ? -EIO : 0;
}

static const struct ext2_bdev_ops adapt_ops = {
	.read = adapt_read,
	.write = adapt_write,
	.flush = adapt_flush,
};

void storage_bdev_init(struct ext2_bdev *eb, struct block_device *bdev)
{
	eb->ops = &adapt_ops;
	eb->ctx = bdev;
	eb->nr_sectors = bdev->sectors;
	eb->read_only = bdev->read_only;
}

static u32 le32_at(const u8 *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (u32)p[3] << 24;
}

bool storage_bdev_has_ext2(struct block_device *bdev, u32 *last_time)
{
	u8 *sec = kmalloc(SECTOR_SIZE);
	bool found = false;

	if (!sec)
		return false;
	if (bdev->sectors > 4 &&
	    !blk_read(bdev, EXT2_SB_SECTOR, sec, SECTOR_SIZE))
		found = (sec[EXT2_MAGIC_OFF] | sec[EXT2_MAGIC_OFF + 1] << 8) ==
			EXT2_MAGIC_VAL;
	if (found)
		*last_time = MAX(le32_at(sec + EXT2_MTIME_OFF),
				 le32_at(sec + EXT2_WTIME_OFF));
	kfree(sec);
	return found;
}
