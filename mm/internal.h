/* mm/internal.h — what the files of mm/ share with each other (and with
 * their selftests and host tests), but not with the rest of the kernel.
 *
 *   memblock.c   boot-time range lists; hands the free ranges to
 *                page_alloc.c exactly once (memblock_for_each_free)
 *   buddy.c      struct page bookkeeping of the buddy allocator
 *                (buddy_zone_*): no locks, no output, so that
 *                tests/host/test_buddy.c compiles it against a malloc'ed arena
 *   page_alloc.c the zone table, its lock, per-CPU order-0 lists,
 *                alloc_pages/free_pages, debug poisoning and reports
 *   slab.c       kmalloc size classes on top of alloc_pages
 *   init.c       mm_init(): the boot order
 *   *_test.c     selftests; tests/host/test_{buddy,slab}.c host tests
 *
 * Locks: zone_lock (page_alloc.c) is a leaf.  A kmalloc class lock is
 * never held across a call into the page allocator.  arch/x86/mm's
 * pt_lock is taken before zone_lock (page-table pages are allocated
 * under it).  All of them are taken with interrupts off.
 */
#ifndef MM_INTERNAL_H
#define MM_INTERNAL_H

#include <lib/list.h>
#include <mm/mm.h>

#ifdef CONFIG_DEBUG_SLAB
#define MM_DEBUG	1
#else
#define MM_DEBUG	0
#endif

#define MM_PAGE_SHIFT	12
#define MM_PAGE_SIZE	(1ul << MM_PAGE_SHIFT)

/* struct page.flags */
#define PG_RESERVED	(1u << 0)	/* never given to the allocator */
#define PG_BUDDY	(1u << 1)	/* head of a free block of 2^order */
#define PG_HEAD		(1u << 2)	/* head of an allocated block */
#define PG_POISONED	(1u << 3)	/* filled with PAGE_POISON when freed */
#define PG_SLAB		(1u << 4)	/* owned by a kmalloc size class */
#define PG_LARGE	(1u << 5)	/* head of a kmalloc > 2048 block */
#define PG_PCP		(1u << 6)	/* free, on a CPU's order-0 list */

/* One per 4 KiB page of RAM.  Buddy fields are changed only under the
 * page allocator lock; slab fields only under the owning class's lock
 * (while the page is allocated, the allocator never writes them). */
struct page {
	struct list_head lru;	/* free list, or the class's partial list */
	void *freelist;		/* slab: first free object, NULL if full */
	u16 flags;
	u8 order;		/* free block or allocation order */
	u8 slab_class;		/* slab: index into the class table */
	u16 inuse;		/* slab: objects handed out */
	u16 pad;
};
BUILD_BUG_ON(sizeof(struct page) != 32);

/* A contiguous range of page frames with its own metadata array.  Block
 * alignment is absolute (a block of order k starts at a pfn that is a
 * multiple of 2^k), so zones of any base merge correctly.  virt_base is
 * the address of pfn base_pfn (the direct map in the kernel, the arena in
 * host tests). */
struct buddy_zone {
	u64 base_pfn;
	u64 nr_pages;
	struct page *pages;
	unsigned long virt_base;
	struct list_head free_list[MAX_ORDER];
	unsigned long nr_free_blocks[MAX_ORDER];
	unsigned long free_pages;	/* pages in free blocks */
	unsigned long managed_pages;	/* pages ever given to the zone */
};

#define BUDDY_NO_PFN	(~0ull)

/* Results of buddy_zone_check_free() (0 = fine). */
enum buddy_err {
	BUDDY_OK = 0,
	BUDDY_ERR_RANGE,	/* pfn not in the zone or bad order */
	BUDDY_ERR_RESERVED,	/* page was never allocatable */
	BUDDY_ERR_DOUBLE,	/* page is (inside) a free block */
	BUDDY_ERR_NOT_HEAD,	/* not the first page of an allocation */
	BUDDY_ERR_ORDER,	/* allocated with a different order */
	BUDDY_ERR_SLAB,		/* page belongs to kmalloc */
};

/* Byte written over freed pages (CONFIG_DEBUG_SLAB). */
#define PAGE_POISON	0x5a

/* --- buddy.c (no locking: the caller serializes) --- */
void buddy_zone_init(struct buddy_zone *z, u64 base_pfn, u64 nr_pages,
		     struct page *pages, unsigned long virt_base);
void buddy_zone_free_range(struct buddy_zone *z, u64 pfn, u64 count);
u64 buddy_zone_alloc(struct buddy_zone *z, unsigned int order);
enum buddy_err buddy_zone_check_free(const struct buddy_zone *z, u64 pfn,
				     unsigned int order);
/* The subset of the checks that reads only the page itself (safe without
 * the lock for a page the caller claims to own). */
enum buddy_err buddy_page_check_free(const struct page *pg,
				     unsigned int order);
void buddy_zone_free(struct buddy_zone *z, u64 pfn, unsigned int order);
const char *buddy_err_str(enum buddy_err e);
/* Debug poisoning: fill a block, and find the first byte of a block that
 * lost its poison (returns its offset, or -1 if the block is intact). */
void buddy_poison_fill(struct buddy_zone *z, u64 pfn, unsigned int order);
long buddy_poison_find(struct buddy_zone *z, u64 pfn, unsigned int order);

/* Fill @bytes (a multiple of 8, @p 8-byte aligned) with @pattern.  Eight
 * bytes per store: under TCG "rep stosb" costs ~20 ns per byte, which made
 * zeroing the struct page arrays of 4 GiB take half a second. */
static inline void mm_fill64(void *p, u64 pattern, size_t bytes)
{
#if defined(__x86_64__) && !defined(__HOST_TEST__)
	size_t n = bytes / 8;

	__asm__ volatile("rep stosq" : "+D"(p), "+c"(n) : "a"(pattern)
			 : "memory");
#else
	u64 *w = p;

	for (size_t i = 0; i < bytes / 8; i++)
		w[i] = pattern;
#endif
}

static inline struct page *zone_page(const struct buddy_zone *z, u64 pfn)
{
	return &z->pages[pfn - z->base_pfn];
}
static inline bool zone_has_pfn(const struct buddy_zone *z, u64 pfn)
{
	return pfn >= z->base_pfn && pfn - z->base_pfn < z->nr_pages;
}
static inline void *zone_pfn_virt(const struct buddy_zone *z, u64 pfn)
{
	return (void *)(z->virt_base + ((pfn - z->base_pfn) << MM_PAGE_SHIFT));
}

/* --- memblock.c --- */
typedef void (*memblock_range_fn)(phys_addr_t start, phys_addr_t end,
				  void *arg);
/* Call @fn for every RAM region, or every free (RAM minus reserved) range,
 * in ascending order, page-aligned inwards. */
void memblock_for_each_memory(memblock_range_fn fn, void *arg);
void memblock_for_each_free(memblock_range_fn fn, void *arg);
/* After this memblock_alloc() panics: the buddy allocator owns memory. */
void memblock_freeze(void);

/* --- page_alloc.c (tests/host/test_slab.c provides its own) --- */
/* The struct page of a direct-map address, or NULL if it is not RAM the
 * allocator manages. */
struct page *virt_to_page(const void *addr);
void *page_to_virt(const struct page *pg);
bool page_alloc_ready(void);
/* free_pages() reporting @caller (for kfree of large allocations). */
void free_pages_caller(const void *addr, unsigned int order, void *caller);

/* --- debug reporting (CONFIG_DEBUG_SLAB) --- */
/* A detected corruption (poison overwritten) normally panics after the
 * report; with report-only set (selftests) it is counted instead. */
bool mm_debug_set_report_only(bool on);
unsigned long mm_debug_corruptions(void);
void mm_debug_corruption(const char *fmt, ...) __printf(1, 2);

/* Is @addr inside the kernel's .text?  (Checks recorded call sites.) */
bool mm_kernel_text(const void *addr);

/* --- slab.c --- */
/* Pages currently held by the size classes (in use or cached empty). */
unsigned long kmalloc_slab_pages(void);

#endif
