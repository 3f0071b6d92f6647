/* net/fit/rdma_buf.c — send buffers of the RDMA transport (rdma.c).
 *
 * Every message is copied into a buffer that lives until its send
 * completion (rxe may retransmit from it until the peer acknowledged).
 * Messages of up to FIT_RDMA_BUF bytes (a 4 KiB page and its header
 * included) get a buffer of exactly that size, kept on a small free list
 * when done, instead of a fresh allocation: an order-1 kmalloc, with
 * CONFIG_DEBUG_SLAB's poison filled on free and checked on allocation,
 * cost about 15 us per message under TCG.  Larger messages use kmalloc.
 * Every buffer is a kmalloc'ed one, so kfree stays valid for all of them.
 * Lock: buf_lock (senders and the poll thread; never in interrupts), a
 * leaf.  Callers: rdma.c.
 */
#include <kernel/spinlock.h>
#include <mm/mm.h>
#include "internal.h"

#define CACHE_MAX	32		/* free buffers kept: 256 KiB */

static DEFINE_SPINLOCK(buf_lock);
static void *free_bufs[CACHE_MAX];
static unsigned int nr_free;

void *fit_rdma_buf_get(u32 len)
{
	void *b = NULL;

	if (len > FIT_RDMA_BUF)
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
