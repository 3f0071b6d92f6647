/* drivers/block/virtio_blk_test.c — block device selftests: many requests
 * in flight with seeded patterns read back exactly, synchronous helpers,
 * flush, bounds checks, and -EROFS on a read-only device.  Needs a disk
 * (scripts/tessera attaches scratch disks for selftests); skips without. */
#include <drivers/blkdev.h>
#include <kernel/selftest.h>
#include <kernel/time.h>
#include <kernel/wait.h>
#include <lib/string.h>
#include <mm/mm.h>
#include <uapi/errno.h>

#define INFLIGHT 32
#define REQ_BYTES 8192

struct batch {
	struct completion done;
	int errors;
};

static void batch_done(struct blk_request *req)
{
	struct batch *b = req->priv;

	if (req->status)
		__atomic_add_fetch(&b->errors, 1, __ATOMIC_SEQ_CST);
	complete(&b->done);
}

static void pattern(u8 *buf, u32 len, u64 seed)
{
	for (u32 i = 0; i < len; i += 8) {
		seed = seed * 6364136223846793005ull + 1442695040888963407ull;
		memcpy(buf + i, &seed, 8);
	}
}

/* Issue INFLIGHT requests of @op at once, wait for all. */
static int run_batch(struct block_device *d, enum blk_op op, u8 *bufs,
		     struct blk_request *reqs, struct batch *b, u64 stride)
{
	init_completion(&b->done);
	b->errors = 0;
	for (int i = 0; i < INFLIGHT; i++) {
		reqs[i] = (struct blk_request){ .op = op, .sector = i * stride,
						.buf = bufs + i * REQ_BYTES,
						.bytes = REQ_BYTES,
						.done = batch_done, .priv = b };
		if (blk_submit(d, &reqs[i]))
			return -1;
	}
	for (int i = 0; i < INFLIGHT; i++)
		if (!wait_for_completion_timeout(&b->done, 10 * NSEC_PER_SEC))
			return -2;
	return b->errors ? -3 : 0;
}

static int rw_test(struct selftest_ctx *t, struct block_device *d)
{
	u8 *bufs = alloc_pages(6);	/* 256 KiB = INFLIGHT * REQ_BYTES */
	u8 *check = alloc_pages(1);
	struct blk_request *reqs = kcalloc(INFLIGHT, sizeof(*reqs));
	struct batch *b = kzalloc(sizeof(*b));
	u64 stride = (d->sectors / INFLIGHT) & ~15ull;

	ST_ASSERT(bufs && check && reqs && b && stride >= REQ_BYTES / 512);
	for (int i = 0; i < INFLIGHT; i++)
		pattern(bufs + i * REQ_BYTES, REQ_BYTES, i + 77);
	ST_EQ(run_batch(d, BLK_WRITE, bufs, reqs, b, stride), 0);
	if (d->has_flush)
		ST_EQ(blk_flush(d), 0);
	memset(bufs, 0, INFLIGHT * REQ_BYTES);
	ST_EQ(run_batch(d, BLK_READ, bufs, reqs, b, stride), 0);
	for (int i = 0; i < INFLIGHT; i++) {
		pattern(check, REQ_BYTES, i + 77);
		ST_ASSERT(!memcmp(check, bufs + i * REQ_BYTES, REQ_BYTES));
	}
	ST_EQ(blk_read(d, stride, check, REQ_BYTES), 0);
	ST_ASSERT(!memcmp(check, bufs + REQ_BYTES, REQ_BYTES));
	ST_EQ(blk_read(d, d->sectors - 1, check, 1024), -EINVAL);
	ST_EQ(blk_read(d, 0, check, 100), -EINVAL);
	free_pages(bufs, 6);
	free_pages(check, 1);
	kfree(reqs);
	kfree(b);
	return 0;
}

SELFTEST(virtio_blk_rw)
{
	int tested = 0;

	for (int i = 0; i < blkdev_count(); i++) {
		struct block_device *d = blkdev_get(i);
		u8 *buf = alloc_page();

		ST_ASSERT(buf);
		ST_EQ(blk_read(d, 0, buf, 4096), 0);
		if (d->read_only) {
			ST_EQ(blk_write(d, 0, buf, 4096), -EROFS);
		} else if (d->sectors >= 8192) {
			int err = rw_test(t, d);
			if (err)
				return err;
		}
		free_page(buf);
		tested++;
	}
	if (!tested)
		ST_SKIP("no block device attached");
	return 0;
}
