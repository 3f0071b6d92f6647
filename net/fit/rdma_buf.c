/* net/fit/rdma_buf.c — message buffers of the RDMA transport (rdma.c).
 *
 * Every message sent is copied into a buffer that lives until its send
 * completion (rxe may retransmit from it until the peer acknowledged);
 * every message received is copied out of its receive buffer or slot into
 * one that FIT's core owns and kfree()s.  Messages of more than SMALL and
 * up to FIT_RDMA_BUF bytes (a 4 KiB page and its header) get a buffer of
 * exactly FIT_RDMA_BUF from a small free list instead of a fresh order-1
 * kmalloc, which with CONFIG_DEBUG_SLAB (poison checked on allocation)
 * cost about 15 us per message under TCG, on the path of every call.
 * Send completions return buffers; received ones leave with the core, so
 * the poll thread tops the list up to REFILL before it sleeps, off the
 * path of any call.  Smaller messages come from kmalloc's slabs, larger
 * ones from kmalloc.  Every buffer is kmalloc'ed, so kfree is valid for
 * all.  Lock: buf_lock (threads only, never interrupts), a leaf.
 * Callers: rdma.c.
 */
#include <kernel/spinlock.h>
#include <mm/mm.h>
#include "internal.h"

#define SMALL		2048u		/* kmalloc's largest slab class */
#define CACHE_MAX	32		/* free buffers kept: 256 KiB */
#define REFILL		8		/* kept ready while idle */

static DEFINE_SPINLOCK(buf_lock);
static void *free_bufs[CACHE_MAX];
static unsigned int nr_free;

void *fit_rdma_buf_get(u32 len)
{
	void *b = NULL;

	if (len <= SMALL || len > FIT_RDMA_BUF)
		return kmalloc(len);
	spin_lock(&buf_lock);
	if (nr_free)
		b = free_bufs[--nr_free];
	spin_unlock(&buf_lock);
	return b ? b : kmalloc(FIT_RDMA_BUF);
}

void fit_rdma_buf_put(void *b)
{
	if (b && ksize(b) == FIT_RDMA_BUF) {
		spin_lock(&buf_lock);
		if (nr_free < CACHE_MAX) {
			free_bufs[nr_free++] = b;
			b = NULL;
		}
		spin_unlock(&buf_lock);
	}
	kfree(b);
}

void fit_rdma_buf_refill(void)
{
	while (__atomic_load_n(&nr_free, __ATOMIC_RELAXED) < REFILL) {
		void *b = kmalloc(FIT_RDMA_BUF);

		if (!b)
			return;
		fit_rdma_buf_put(b);
	}
}
