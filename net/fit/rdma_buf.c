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
 * all.  The list is a buf_cache (mm/bufcache.c).
 * Callers: rdma.c.
 */
#include <mm/mm.h>
#include "internal.h"

#define SMALL		2048u		/* kmalloc's largest slab class */
#define REFILL		8		/* kept ready while idle */

DEFINE_BUF_CACHE(page_bufs, FIT_RDMA_BUF, 32);	/* 256 KiB at most */

void *fit_rdma_buf_get(u32 len)
{
	if (len <= SMALL || len > FIT_RDMA_BUF)
		return kmalloc(len);
	return buf_cache_get(&page_bufs);
}

void fit_rdma_buf_put(void *b)
{
	if (b && ksize(b) == FIT_RDMA_BUF)
		buf_cache_put(&page_bufs, b);
	else
		kfree(b);
}

void fit_rdma_buf_refill(void)
{
	buf_cache_fill(&page_bufs, REFILL);
}
