/* drivers/virtio/virtqueue.c — split virtqueues.
 *
 * One allocation of contiguous pages holds the descriptor table, the
 * available ring and the used ring.  Free descriptors form a list through
 * their `next` fields.  virtqueue_add() takes n descriptors off the free
 * list, chains them, and publishes the head in the available ring;
 * virtqueue_get() consumes used-ring entries and returns the chains'
 * descriptors to the free list.  The driver-visible token of each head is
 * kept in tokens[head].  Ordering: descriptor writes, then the avail ring
 * entry, then (release) avail->idx; the device's writes to the used ring
 * are read after an acquire load of used->idx.
 *
 * All four operations need vq->lock held by the caller (irqsave); the
 * interrupt handler calls the driver's callback without the lock.
 */
#include <asm/irq.h>
#include <asm/layout.h>
#include <drivers/virtio.h>
#include <kernel/printk.h>
#include <kernel/smp.h>
#include <lib/string.h>
#include <mm/mm.h>
#include <uapi/errno.h>
#include "internal.h"

#define DESC_F_NEXT	1
#define DESC_F_WRITE	2
#define AVAIL_F_NO_INTERRUPT 1

struct vring_desc {
	u64 addr;
	u32 len;
	u16 flags, next;
};

struct vring_used_elem {
	u32 id, len;
};

struct virtqueue {
	spinlock_t lock;
	struct virtio_dev *vdev;
	u16 index, size, free_head, num_free, last_used;
	struct vring_desc *desc;
	volatile u16 *avail;		/* flags, idx, ring[size] */
	volatile u16 *used;		/* flags, idx, then elems */
	volatile u16 *notify;
	vq_callback_t cb;
	void *priv;
	void **tokens;
	int vector;
};

static void vq_irq(struct pt_regs *regs, void *data)
{
	struct virtqueue *vq = data;

	if (vq->cb)
		vq->cb(vq);
}

static unsigned int ring_bytes(u16 size)
{
	unsigned int desc = 16 * size, avail = 6 + 2 * size;
	unsigned int used = 6 + 8 * size;

	return ALIGN_UP(desc + avail, 4) + used;
}

static int setup_irq(struct virtqueue *vq)
{
	struct pci_dev *p = vq->vdev->pci;

	if (!vq->cb || !p->msix_table || p->msix_count < vq->index + 2)
		return 0;	/* polled */
	vq->vector = irq_alloc_vector(vq_irq, vq);
	if (vq->vector < 0)
		return vq->vector;
	/* Spread queue interrupts over the CPUs. */
	pci_msix_route(p, vq->index + 1, vq->vector,
		       vq->index % nr_cpus_online());
	vp_write16(vq->vdev, VP_Q_MSIX, vq->index + 1);
	if (vp_read16(vq->vdev, VP_Q_MSIX) != vq->index + 1)
		return -EIO;
	return 0;
}

static int alloc_rings(struct virtqueue *vq)
{
	unsigned int bytes = ring_bytes(vq->size), order = 0;
	u8 *mem;

	while ((4096u << order) < bytes)
		order++;
	mem = alloc_pages(order);
	vq->tokens = kcalloc(vq->size, sizeof(void *));
	if (!mem || !vq->tokens)
		return -ENOMEM;
	memset(mem, 0, 4096u << order);
	vq->desc = (struct vring_desc *)mem;
	vq->avail = (volatile u16 *)(mem + 16 * vq->size);
	vq->used = (volatile u16 *)(mem + ALIGN_UP(16 * vq->size + 6 +
						   2 * vq->size, 4));
	for (u16 i = 0; i < vq->size; i++)
		vq->desc[i].next = i + 1;
	vq->num_free = vq->size;
	return 0;
}

struct virtqueue *virtqueue_create(struct virtio_dev *v, u16 index,
				   u16 max_size, vq_callback_t cb, void *priv)
{
	struct virtqueue *vq = kzalloc(sizeof(*vq));
	u16 size;

	if (!vq)
		return NULL;
	vp_write16(v, VP_Q_SELECT, index);
	size = vp_read16(v, VP_Q_SIZE);
	if (!size) {
		pr_warn("virtio: queue %u does not exist\n", index);
		kfree(vq);
		return NULL;
	}
	while (size > max_size)
		size /= 2;	/* sizes are powers of two */
	spin_lock_init(&vq->lock, "virtqueue");
	vq->vdev = v;
	vq->index = index;
	vq->size = size;
	vq->cb = cb;
	vq->priv = priv;
	vq->vector = -1;
	if (alloc_rings(vq) || setup_irq(vq)) {
		pr_warn("virtio: cannot set up queue %u\n", index);
		return NULL;
	}
	vp_write16(v, VP_Q_SIZE, size);
	vp_write64(v, VP_Q_DESC, virt_to_phys(vq->desc));
	vp_write64(v, VP_Q_DRIVER, virt_to_phys((void *)vq->avail));
	vp_write64(v, VP_Q_DEVICE, virt_to_phys((void *)vq->used));
	vq->notify = (volatile u16 *)(v->notify +
				      vp_read16(v, VP_Q_NOTIFY_OFF) * v->notify_mult);
	vp_write16(v, VP_Q_ENABLE, 1);
	return vq;
}

int virtqueue_add(struct virtqueue *vq, const struct vq_buf *bufs,
		  unsigned int n_out, unsigned int n_in, void *token)
{
	unsigned int n = n_out + n_in;
	u16 head, i, idx;

	if (!n || n > vq->num_free)
		return -ENOSPC;
	head = i = vq->free_head;
	for (unsigned int k = 0; k < n; k++) {
		struct vring_desc *d = &vq->desc[i];

		d->addr = bufs[k].addr;
		d->len = bufs[k].len;
		d->flags = (k < n_out ? 0 : DESC_F_WRITE) |
			   (k + 1 < n ? DESC_F_NEXT : 0);
		i = d->next;
	}
	vq->free_head = i;
	vq->num_free -= n;
	vq->tokens[head] = token;
	idx = vq->avail[1];
	vq->avail[2 + (idx % vq->size)] = head;
	__atomic_store_n(&vq->avail[1], (u16)(idx + 1), __ATOMIC_RELEASE);
	return 0;
}

void virtqueue_kick(struct virtqueue *vq)
{
	__sync_synchronize();
	if (!(__atomic_load_n(&vq->used[0], __ATOMIC_ACQUIRE) & 1))
		*vq->notify = vq->index;
}

bool virtqueue_has_used(struct virtqueue *vq)
{
	return __atomic_load_n(&vq->used[1], __ATOMIC_ACQUIRE) != vq->last_used;
}

void *virtqueue_get(struct virtqueue *vq, u32 *len)
{
	const volatile struct vring_used_elem *ring =
		(const volatile struct vring_used_elem *)(vq->used + 2);
	u32 id;
	u16 i, n = 1;
	void *token;

	if (!virtqueue_has_used(vq))
		return NULL;
	id = ring[vq->last_used % vq->size].id;
	if (len)
		*len = ring[vq->last_used % vq->size].len;
	vq->last_used++;
	if (id >= vq->size || !vq->tokens[id]) {
		pr_warn_once("virtio: device returned bad descriptor %u\n", id);
		return NULL;
	}
	token = vq->tokens[id];
	vq->tokens[id] = NULL;
	for (i = id; vq->desc[i].flags & DESC_F_NEXT; i = vq->desc[i].next)
		n++;
	vq->desc[i].next = vq->free_head;
	vq->free_head = id;
	vq->num_free += n;
	return token;
}

void virtqueue_set_cb_enabled(struct virtqueue *vq, bool on)
{
	vq->avail[0] = on ? 0 : AVAIL_F_NO_INTERRUPT;
	__sync_synchronize();
}

unsigned int virtqueue_free_slots(struct virtqueue *vq)
{
	return vq->num_free;
}

unsigned int virtqueue_size(struct virtqueue *vq)
{
	return vq->size;
}

spinlock_t *virtqueue_lock(struct virtqueue *vq)
{
	return &vq->lock;
}

void *virtqueue_priv(struct virtqueue *vq)
{
	return vq->priv;
}
