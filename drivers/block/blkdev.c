/* drivers/block/blkdev.c — block device registry, request validation and
 * the synchronous helpers.
 *
 * blk_submit() is the one place that checks a request against the device
 * (alignment, bounds, read-only, size), so drivers see only valid
 * requests.  Synchronous helpers split large transfers into max_bytes
 * pieces and wait on a completion with a generous timeout: a device that
 * never answers gives -ETIMEDOUT and a log line, never a hang (the request
 * memory then stays allocated, since the device may still write it).
 */
#include <drivers/blkdev.h>
#include <kernel/printk.h>
#include <kernel/time.h>
#include <kernel/wait.h>
#include <lib/printf.h>
#include <mm/mm.h>
#include <uapi/errno.h>

#define MAX_BLKDEVS 8
#define SYNC_TIMEOUT_NS (30 * NSEC_PER_SEC)

static struct block_device *devices[MAX_BLKDEVS];
static int nr_devices;

int blkdev_register(struct block_device *bdev)
{
	if (nr_devices >= MAX_BLKDEVS)
		return -ENOSPC;
	snprintf(bdev->name, sizeof(bdev->name), "vd%c", 'a' + nr_devices);
	devices[nr_devices] = bdev;
	__atomic_store_n(&nr_devices, nr_devices + 1, __ATOMIC_RELEASE);
	printk("%s: %llu sectors (%llu MiB)%s%s\n", bdev->name, bdev->sectors,
	       bdev->sectors >> 11, bdev->read_only ? ", read-only" : "",
	       bdev->has_flush ? ", flush" : "");
	return 0;
}

int blkdev_count(void)
{
	return __atomic_load_n(&nr_devices, __ATOMIC_ACQUIRE);
}

struct block_device *blkdev_get(int index)
{
	return index >= 0 && index < blkdev_count() ? devices[index] : NULL;
}

int blk_submit(struct block_device *bdev, struct blk_request *req)
{
	if (req->op == BLK_FLUSH) {
		if (!bdev->has_flush)
			return -EOPNOTSUPP;
	} else {
		if (!req->bytes || req->bytes % SECTOR_SIZE ||
		    req->bytes > bdev->max_bytes || !req->buf)
			return -EINVAL;
		if (req->sector > bdev->sectors ||
		    req->bytes / SECTOR_SIZE > bdev->sectors - req->sector)
			return -EINVAL;
		if (req->op == BLK_WRITE && bdev->read_only)
			return -EROFS;
	}
	req->status = -EINPROGRESS;
	return bdev->ops->submit(bdev, req);
}

struct sync_wait {
	struct completion done;
};

static void sync_done(struct blk_request *req)
{
	complete(&((struct sync_wait *)req->priv)->done);
}

static int sync_one(struct block_device *bdev, enum blk_op op, u64 sector,
		    void *buf, u32 bytes)
{
	struct sync_wait *w = kzalloc(sizeof(*w));
	struct blk_request *req = kzalloc(sizeof(*req));
	int err;

	if (!w || !req) {
		kfree(w);
		kfree(req);
		return -ENOMEM;
	}
	init_completion(&w->done);
	*req = (struct blk_request){ .op = op, .sector = sector, .buf = buf,
				     .bytes = bytes, .done = sync_done,
				     .priv = w };
	err = blk_submit(bdev, req);
	if (!err && !wait_for_completion_timeout(&w->done, SYNC_TIMEOUT_NS)) {
		pr_warn("%s: request (op %d, sector %llu) timed out\n",
			bdev->name, op, sector);
		return -ETIMEDOUT;	/* req and w stay: the device owns them */
	}
	if (!err)
		err = req->status;
	kfree(req);
	kfree(w);
	return err;
}

static int sync_rw(struct block_device *bdev, enum blk_op op, u64 sector,
		   void *buf, u32 bytes)
{
	while (bytes) {
		u32 n = MIN(bytes, bdev->max_bytes);
		int err = sync_one(bdev, op, sector, buf, n);

		if (err)
			return err;
		sector += n / SECTOR_SIZE;
		buf = (u8 *)buf + n;
		bytes -= n;
	}
	return 0;
}

int blk_read(struct block_device *bdev, u64 sector, void *buf, u32 bytes)
{
	return sync_rw(bdev, BLK_READ, sector, buf, bytes);
}

int blk_write(struct block_device *bdev, u64 sector, const void *buf,
	      u32 bytes)
{
	return sync_rw(bdev, BLK_WRITE, sector, (void *)buf, bytes);
}

int blk_flush(struct block_device *bdev)
{
	return sync_one(bdev, BLK_FLUSH, 0, NULL, 0);
}
