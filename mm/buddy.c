/* mm/buddy.c — the buddy allocator's bookkeeping (no locks, no output).
 *
 * Memory is managed in zones (struct buddy_zone, mm/internal.h): one per
 * RAM region of memblock, each with a struct page for every frame.  A free
 * block of 2^k pages starts at a pfn that is a multiple of 2^k; its first
 * page carries PG_BUDDY and order k and sits on free_list[k].  Other pages
 * of a free block have neither PG_BUDDY nor PG_HEAD.  An allocated block's
 * first page carries PG_HEAD and the allocation order.  Freeing merges a
 * block with its buddy (pfn ^ 2^k) while the buddy is a free block of the
 * same order inside the same zone, so after everything is freed each zone
 * is back to maximal blocks.
 *
 * This file is pure bookkeeping: the caller serializes (mm/page_alloc.c
 * holds its zone lock around every call) and reports errors.
 * tests/host/test_buddy.c compiles it with __HOST_TEST__ and drives it on
 * a malloc'ed arena.  buddy_zone_check_free() validates a free without
 * changing anything; buddy_zone_free() then cannot fail (validate, then
 * act).  The poison helpers fill and check blocks for CONFIG_DEBUG_SLAB.
 */
#include <lib/list.h>
#include "internal.h"

static void free_list_add(struct buddy_zone *z, u64 pfn, unsigned int order)
{
	struct page *pg = zone_page(z, pfn);

	pg->flags = (pg->flags & ~PG_HEAD) | PG_BUDDY;
	pg->order = (u8)order;
	list_add(&pg->lru, &z->free_list[order]);
	z->nr_free_blocks[order]++;
}

static void free_list_del(struct buddy_zone *z, struct page *pg)
{
	list_del(&pg->lru);
	pg->flags &= ~PG_BUDDY;
	z->nr_free_blocks[pg->order]--;
}

void buddy_zone_init(struct buddy_zone *z, u64 base_pfn, u64 nr_pages,
		     struct page *pages, unsigned long virt_base)
{
	z->base_pfn = base_pfn;
	z->nr_pages = nr_pages;
	z->pages = pages;
	z->virt_base = virt_base;
	z->free_pages = 0;
	z->managed_pages = 0;
	for (unsigned int o = 0; o < MAX_ORDER; o++) {
		INIT_LIST_HEAD(&z->free_list[o]);
		z->nr_free_blocks[o] = 0;
	}
	for (u64 i = 0; i < nr_pages; i++) {
		pages[i] = (struct page){ .flags = PG_RESERVED };
		INIT_LIST_HEAD(&pages[i].lru);
	}
}

/* Merge the free block [pfn, 2^order) with its buddies and list it.
 * The caller counts the pages in free_pages. */
static void free_block(struct buddy_zone *z, u64 pfn, unsigned int order)
{
	while (order < MAX_ORDER - 1) {
		u64 bpfn = pfn ^ (1ull << order);
		struct page *b;

		if (!zone_has_pfn(z, bpfn) ||
		    !zone_has_pfn(z, bpfn + (1ull << order) - 1))
			break;
		b = zone_page(z, bpfn);
		if (!(b->flags & PG_BUDDY) || b->order != order)
			break;
		free_list_del(z, b);
		pfn &= ~(1ull << order);
		order++;
	}
	free_list_add(z, pfn, order);
}

/* Give [pfn, pfn+count) to the allocator for the first time: largest
 * aligned blocks first. */
void buddy_zone_free_range(struct buddy_zone *z, u64 pfn, u64 count)
{
	u64 end = pfn + count;

	for (u64 p = pfn; p < end; p++)
		zone_page(z, p)->flags &= ~PG_RESERVED;
	z->managed_pages += count;
	z->free_pages += count;
	while (pfn < end) {
		unsigned int order = MAX_ORDER - 1;

		while (order && ((pfn & ((1ull << order) - 1)) ||
				 pfn + (1ull << order) > end))
			order--;
		free_block(z, pfn, order);
		pfn += 1ull << order;
	}
}

u64 buddy_zone_alloc(struct buddy_zone *z, unsigned int order)
{
	unsigned int o = order;
	struct page *pg;
	u64 pfn;

	if (order >= MAX_ORDER)
		return BUDDY_NO_PFN;
	while (o < MAX_ORDER && list_empty(&z->free_list[o]))
		o++;
	if (o == MAX_ORDER)
		return BUDDY_NO_PFN;
	pg = list_first_entry(&z->free_list[o], struct page, lru);
	free_list_del(z, pg);
	pfn = z->base_pfn + (u64)(pg - z->pages);
	/* Split: keep the lower half, list the upper halves. */
	while (o > order) {
		o--;
		free_list_add(z, pfn + (1ull << o), o);
	}
	pg->flags |= PG_HEAD;
	pg->order = (u8)order;
	z->free_pages -= 1ul << order;
	return pfn;
}

/* Is @pfn inside a free block (possibly as its head)? */
static bool pfn_in_free_block(const struct buddy_zone *z, u64 pfn)
{
	for (unsigned int o = 0; o < MAX_ORDER; o++) {
		u64 head = pfn & ~((1ull << o) - 1);
		const struct page *pg;

		if (!zone_has_pfn(z, head))
			break;
		pg = zone_page(z, head);
		if ((pg->flags & PG_BUDDY) && pg->order >= o)
			return true;
	}
	return false;
}

enum buddy_err buddy_page_check_free(const struct page *pg,
				     unsigned int order)
{
	if (pg->flags & PG_RESERVED)
		return BUDDY_ERR_RESERVED;
	if (pg->flags & (PG_BUDDY | PG_PCP))
		return BUDDY_ERR_DOUBLE;
	if (!(pg->flags & PG_HEAD))
		return BUDDY_ERR_NOT_HEAD;
	if (pg->flags & (PG_SLAB | PG_LARGE))
		return BUDDY_ERR_SLAB;
	if (pg->order != order)
		return BUDDY_ERR_ORDER;
	return BUDDY_OK;
}

enum buddy_err buddy_zone_check_free(const struct buddy_zone *z, u64 pfn,
				     unsigned int order)
{
	if (order >= MAX_ORDER || !zone_has_pfn(z, pfn))
		return BUDDY_ERR_RANGE;
	if (zone_page(z, pfn)->flags & PG_RESERVED)
		return BUDDY_ERR_RESERVED;
	if (pfn_in_free_block(z, pfn))
		return BUDDY_ERR_DOUBLE;
	return buddy_page_check_free(zone_page(z, pfn), order);
}

/* The caller checked the block with buddy_zone_check_free(). */
void buddy_zone_free(struct buddy_zone *z, u64 pfn, unsigned int order)
{
	zone_page(z, pfn)->flags &= ~PG_HEAD;
	z->free_pages += 1ul << order;
	free_block(z, pfn, order);
}

const char *buddy_err_str(enum buddy_err e)
{
	switch (e) {
	case BUDDY_OK:
		return "ok";
	case BUDDY_ERR_RANGE:
		return "not a page of the page allocator (or bad order)";
	case BUDDY_ERR_RESERVED:
		return "page is reserved, it was never allocated";
	case BUDDY_ERR_DOUBLE:
		return "double free: page is already free";
	case BUDDY_ERR_NOT_HEAD:
		return "not the first page of an allocated block";
	case BUDDY_ERR_ORDER:
		return "freed with a different order than allocated";
	case BUDDY_ERR_SLAB:
		return "page belongs to kmalloc (use kfree)";
	}
	return "?";
}

void buddy_poison_fill(struct buddy_zone *z, u64 pfn, unsigned int order)
{
	u64 pattern = 0x0101010101010101ull * PAGE_POISON;

	mm_fill64(zone_pfn_virt(z, pfn), pattern, MM_PAGE_SIZE << order);
	for (u64 p = pfn; p < pfn + (1ull << order); p++)
		zone_page(z, p)->flags |= PG_POISONED;
}

/* Checks every page of the block that was poisoned and clears the mark. */
long buddy_poison_find(struct buddy_zone *z, u64 pfn, unsigned int order)
{
	u64 pattern = 0x0101010101010101ull * PAGE_POISON;
	long bad = -1;

	for (u64 p = pfn; p < pfn + (1ull << order); p++) {
		struct page *pg = zone_page(z, p);
		const u64 *w = zone_pfn_virt(z, p);

		if (!(pg->flags & PG_POISONED))
			continue;
		pg->flags &= ~PG_POISONED;
		for (unsigned long i = 0; bad < 0 && i < MM_PAGE_SIZE / 8;
		     i++) {
			if (w[i] == pattern)
				continue;
			bad = (long)(((p - pfn) << MM_PAGE_SHIFT) + i * 8);
			while (((const u8 *)w)[bad & (MM_PAGE_SIZE - 1)] ==
			       PAGE_POISON)
				bad++;
		}
	}
	return bad;
}
