/* include/drivers/blkdev.h — block devices (drivers/block/).
 *
 * Requests are in 512-byte sectors on buffers in the kernel direct map
 * (physically contiguous).  blk_submit() queues a request and returns at
 * once; the driver calls req->done(req) from its interrupt (or from the
 * submitter, on an immediate error) with req->status set to 0 or -EIO,
 * -EROFS, -EINVAL.  blk_read/blk_write/blk_flush are the synchronous forms
 * (they sleep).  Many requests may be in flight at once.
 */
#ifndef DRIVERS_BLKDEV_H
#define DRIVERS_BLKDEV_H

#include <tessera/compiler.h>

#define SECTOR_SIZE 512

enum blk_op { BLK_READ, BLK_WRITE, BLK_FLUSH };

struct blk_request {
	enum blk_op op;
	u64 sector;
	void *buf;
	u32 bytes;			/* multiple of SECTOR_SIZE */
	int status;
	void (*done)(struct blk_request *req);
	void *priv;			/* for the submitter */
	u8 dev_status;			/* driver scratch (device-written) */
};

struct block_device;

struct block_device_ops {
	int (*submit)(struct block_device *bdev, struct blk_request *req);
};

struct blk_stats {
	u64 reads, writes, flushes, read_bytes, write_bytes, errors;
};

struct block_device {
	char name[16];
	u64 sectors;
	u32 max_bytes;			/* largest single request */
	bool read_only, has_flush;
	const struct block_device_ops *ops;
	struct blk_stats stats;
	void *priv;
};

int blkdev_register(struct block_device *bdev);
int blkdev_count(void);
struct block_device *blkdev_get(int index);
/* Validate and queue; returns 0 (done() will run) or a negative errno
 * (done() will not run). */
int blk_submit(struct block_device *bdev, struct blk_request *req);
int blk_read(struct block_device *bdev, u64 sector, void *buf, u32 bytes);
int blk_write(struct block_device *bdev, u64 sector, const void *buf,
	      u32 bytes);
int blk_flush(struct block_device *bdev);

#endif
