/* include/drivers/virtio.h — virtio 1.x over PCI and split virtqueues
 * (drivers/virtio/).
 *
 * A driver binds with VIRTIO_DRIVER(type), negotiates features with
 * virtio_negotiate(), creates its queues, then virtio_driver_ok().  A
 * virtqueue carries chains of physically contiguous buffers (out buffers
 * first, then in buffers) identified by an opaque token returned when the
 * device is done with the chain.  Queue operations take the queue's own
 * lock (vq->lock, irqsave); the completion callback runs in interrupt
 * context with no lock held, once per interrupt — it should drain with
 * virtqueue_get().  Covers: modern (non-legacy) virtio-pci, split rings,
 * MSI-X (one vector per queue); no packed rings, no indirect descriptors.
 */
#ifndef DRIVERS_VIRTIO_H
#define DRIVERS_VIRTIO_H

#include <drivers/pci.h>
#include <kernel/spinlock.h>

#define VIRTIO_ID_NET	1
#define VIRTIO_ID_BLOCK	2

#define VIRTIO_F_VERSION_1	32

struct virtqueue;
struct virtio_dev;

typedef void (*vq_callback_t)(struct virtqueue *vq);

struct vq_buf {
	phys_addr_t addr;
	u32 len;
};

struct virtio_dev {
	struct pci_dev *pci;
	u32 type;
	volatile u8 *common;
	volatile u8 *notify;
	u32 notify_mult;
	volatile u8 *isr;
	volatile u8 *device_cfg;
	u64 features;		/* negotiated */
	void *priv;
};

struct virtio_driver {
	const char *name;
	u32 type;
	int (*probe)(struct virtio_dev *vdev);
};

#define VIRTIO_DRIVER(id)                                                  \
	static const struct virtio_driver __virtio_drv_##id __used        \
		__section(".virtio_drivers") __aligned(8)

/* Offer @wanted & device features (VERSION_1 always required). */
int virtio_negotiate(struct virtio_dev *vdev, u64 wanted);
void virtio_driver_ok(struct virtio_dev *vdev);
void virtio_fail(struct virtio_dev *vdev);
u8 virtio_cfg_read8(struct virtio_dev *vdev, u32 off);
u16 virtio_cfg_read16(struct virtio_dev *vdev, u32 off);
u32 virtio_cfg_read32(struct virtio_dev *vdev, u32 off);
u64 virtio_cfg_read64(struct virtio_dev *vdev, u32 off);

/* Queue @index with at most @max_size entries; @cb may be NULL (polled).
 * Returns NULL with an error logged. */
struct virtqueue *virtqueue_create(struct virtio_dev *vdev, u16 index,
				   u16 max_size, vq_callback_t cb, void *priv);
/* Add a chain; returns 0 or -ENOSPC.  Caller holds vq lock. */
int virtqueue_add(struct virtqueue *vq, const struct vq_buf *bufs,
		  unsigned int n_out, unsigned int n_in, void *token);
/* Tell the device about new chains.  Caller holds vq lock. */
void virtqueue_kick(struct virtqueue *vq);
/* A finished chain's token (and bytes written) or NULL.  Caller holds
 * vq lock. */
void *virtqueue_get(struct virtqueue *vq, u32 *len);
/* Suppress or allow completion interrupts (a hint to the device). */
void virtqueue_set_cb_enabled(struct virtqueue *vq, bool on);
bool virtqueue_has_used(struct virtqueue *vq);
unsigned int virtqueue_free_slots(struct virtqueue *vq);
unsigned int virtqueue_size(struct virtqueue *vq);
spinlock_t *virtqueue_lock(struct virtqueue *vq);
void *virtqueue_priv(struct virtqueue *vq);

#endif
