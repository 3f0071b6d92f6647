/* mm/bufcache.c — small caches of free kmalloc buffers of one size.
 *
 * Hot paths that move a page and a header per message (FIT's RDMA
 * transport, the P2M miss client) need buffers just over a page, which
 * kmalloc takes from the buddy allocator; with CONFIG_DEBUG_SLAB every
 * such block is poisoned when freed and checked when allocated again,
 * tens of microseconds under TCG.  A buf_cache keeps up to `max` freed
 * buffers of exactly `size` bytes and hands them out again unpoisoned.
 * Every buffer is an ordinary kmalloc block, so kfree is always valid.
 * Lock: c->lock, a leaf, taken in thread context only (never from
 * interrupts).
 */
#include <mm/mm.h>

void *buf_cache_get(struct buf_cache *c)
{
	void *p = NULL;

	spin_lock(&c->lock);
	if (c->nr)
		p = c->slots[--c->nr];
	spin_unlock(&c->lock);
	return p ? p : kmalloc(c->size);
}

void buf_cache_put(struct buf_cache *c, void *p)
{
	if (!p)
		return;
	spin_lock(&c->lock);
	if (c->nr < c->max) {
		c->slots[c->nr++] = p;
		p = NULL;
	}
	spin_unlock(&c->lock);
	kfree(p);
}

void buf_cache_fill(struct buf_cache *c, unsigned int n)
{
	n = MIN(n, c->max);
	while (__atomic_load_n(&c->nr, __ATOMIC_RELAXED) < n) {
		void *p = kmalloc(c->size);

		if (!p)
			return;
		buf_cache_put(c, p);
	}
}
