/* drivers/block/virtio_blk.c — virtio-blk.
 *
 * One request queue.  Each request is a three-descriptor chain: the
 * 16-byte header (type, sector), the data buffer, and the one status byte
 * the device writes (a flush has no data).  Headers live in a per-device
 * array indexed by a free-slot bitmap so requests need no allocation; the
 * number of slots bounds the requests in flight (queue size / 3).
 * Completions arrive by interrupt (MSI-X) and call req->done() there.
 * A full queue makes submit wait (spinning with yields) for a free slot.
 * Covers: virtio-blk (modern) read, write, flush, read-only, block size.
 */
#include <asm/layout.h>
#include <drivers/blkdev.h>
#include <drivers/virtio.h>
#include <kernel/printk.h>
#include <kernel/sched.h>
#include <mm/mm.h>
#include <uapi/errno.h>

#define F_SIZE_MAX	1
#define F_SEG_MAX	2
#define F_RO		5
#define F_BLK_SIZE	6
#define F_FLUSH		9
#define T_IN		0
#define T_OUT		1
#define T_FLUSH		4
#define MAX_SLOTS	64
#define MAX_REQ_BYTES	(1u << 20)

struct vblk_hdr {
	u32 type, reserved;
	u64 sector;
};

struct vblk {
	struct block_device bdev;
	struct virtqueue *vq;
	struct vblk_hdr hdr[MAX_SLOTS];
	struct blk_request *reqs[MAX_SLOTS];
	u64 free_slots;			/* bit set = free; under vq lock */
	unsigned int nr_slots;
};

static void vblk_irq(struct virtqueue *vq)
{
	struct vblk *b = virtqueue_priv(vq);
	spinlock_t *l = virtqueue_lock(vq);

	for (;;) {
		unsigned long f = spin_lock_irqsave(l);
		struct blk_request *req;
		void *tok = virtqueue_get(vq, NULL);
		unsigned int slot;

		if (!tok) {
			spin_unlock_irqrestore(l, f);
			return;
		}
		slot = (unsigned int)((struct vblk_hdr *)tok - b->hdr);
		req = b->reqs[slot];
		b->reqs[slot] = NULL;
		b->free_slots |= 1ull << slot;
		spin_unlock_irqrestore(l, f);
		req->status = req->dev_status == 0 ? 0 :
			      req->dev_status == 2 ? -EOPNOTSUPP : -EIO;
		if (req->status)
			b->bdev.stats.errors++;
		req->done(req);
	}
}

static int take_slot(struct vblk *b, unsigned long *flags)
{
	spinlock_t *l = virtqueue_lock(b->vq);

	for (;;) {
		*flags = spin_lock_irqsave(l);
		if (b->free_slots)
			return __builtin_ctzll(b->free_slots);
		spin_unlock_irqrestore(l, *flags);
		yield();
	}
}

static int vblk_submit(struct block_device *bdev, struct blk_request *req)
{
	struct vblk *b = bdev->priv;
	struct vq_buf bufs[3];
	unsigned long f;
	unsigned int n = 0, n_out;
	int slot = take_slot(b, &f), err;
	struct vblk_hdr *h = &b->hdr[slot];

	h->type = req->op == BLK_READ ? T_IN : req->op == BLK_WRITE ? T_OUT
								   : T_FLUSH;
	h->reserved = 0;
	h->sector = req->op == BLK_FLUSH ? 0 : req->sector;
	bufs[n++] = (struct vq_buf){ virt_to_phys(h), sizeof(*h) };
	if (req->op != BLK_FLUSH)
		bufs[n++] = (struct vq_buf){ virt_to_phys(req->buf), req->bytes };
	n_out = req->op == BLK_READ || req->op == BLK_FLUSH ? 1 : 2;
	req->dev_status = 0xff;
	bufs[n++] = (struct vq_buf){ virt_to_phys(&req->dev_status), 1 };
	err = virtqueue_add(b->vq, bufs, n_out, n - n_out, h);
	if (!err) {
		b->free_slots &= ~(1ull << slot);
		b->reqs[slot] = req;
		virtqueue_kick(b->vq);
		if (req->op == BLK_READ) {
			bdev->stats.reads++;
			bdev->stats.read_bytes += req->bytes;
		} else if (req->op == BLK_WRITE) {
			bdev->stats.writes++;
			bdev->stats.write_bytes += req->bytes;
		} else {
			bdev->stats.flushes++;
		}
	}
	spin_unlock_irqrestore(virtqueue_lock(b->vq), f);
	return err;
}

static const struct block_device_ops vblk_ops = { .submit = vblk_submit };

static int vblk_probe(struct virtio_dev *v)
{
	struct vblk *b = kzalloc(sizeof(*b));
	int err;

	if (!b)
		return -ENOMEM;
	err = virtio_negotiate(v, (1ull << F_RO) | (1ull << F_BLK_SIZE) |
				  (1ull << F_FLUSH) | (1ull << F_SIZE_MAX) |
				  (1ull << F_SEG_MAX));
	if (err)
		return err;
	b->vq = virtqueue_create(v, 0, 256, vblk_irq, b);
	if (!b->vq)
		return -EIO;
	b->nr_slots = MIN(virtqueue_size(b->vq) / 3, (unsigned int)MAX_SLOTS);
	b->free_slots = b->nr_slots == 64 ? ~0ull : (1ull << b->nr_slots) - 1;
	b->bdev.sectors = virtio_cfg_read64(v, 0);
	b->bdev.read_only = v->features & (1ull << F_RO);
	b->bdev.has_flush = v->features & (1ull << F_FLUSH);
	b->bdev.max_bytes = MAX_REQ_BYTES;
	if (v->features & (1ull << F_SIZE_MAX)) {
		u32 sm = virtio_cfg_read32(v, 8) & ~(SECTOR_SIZE - 1);
		if (sm && sm < b->bdev.max_bytes)
			b->bdev.max_bytes = sm;
	}
	b->bdev.ops = &vblk_ops;
	b->bdev.priv = b;
	v->priv = b;
	virtio_driver_ok(v);
	return blkdev_register(&b->bdev);
}

VIRTIO_DRIVER(blk) = {
	.name = "virtio-blk",
	.type = VIRTIO_ID_BLOCK,
	.probe = vblk_probe,
};
