/* include/mm/mm.h — kernel memory: memblock, the buddy page allocator and
 * kmalloc (mm/).  Kernel memory only; user address spaces belong to the
 * memory manager.
 *
 * Boot order: memblock_add() every usable RAM range from the boot memory
 * map, memblock_reserve() the kernel image, boot modules and low memory;
 * paging_init() builds the direct map of all RAM; page_alloc_init() hands
 * every free page to the buddy allocator; kmalloc works from then on.
 *
 * alloc_pages/free_pages and kmalloc/kfree may be called from any context
 * including interrupts (they never sleep); they return NULL when memory is
 * exhausted.  kmalloc(0) returns a minimal object; kfree(NULL) does
 * nothing; kfree() of anything kmalloc did not return panics.  With CONFIG_DEBUG_SLAB freed memory is poisoned and checked
 * on reuse, and double frees panic with both call sites.
 */
#ifndef MM_MM_H
#define MM_MM_H

#include <kernel/spinlock.h>
#include <tessera/compiler.h>

#define MAX_ORDER	11		/* blocks of 2^0 .. 2^10 pages */

/* Boot CPU, once: memblock from the boot memory map, page tables, buddy,
 * kmalloc.  Panics if there is too little RAM. */
void mm_init(void);

/* --- memblock: boot-time physical memory ranges --- */
void memblock_add(phys_addr_t base, u64 size);
void memblock_reserve(phys_addr_t base, u64 size);
/* Early allocation before the buddy allocator; physical, zeroed via the
 * direct map once it exists.  Panics if nothing fits (boot only). */
phys_addr_t memblock_alloc(u64 size, u64 align);
/* memblock_alloc() stays below @limit (4 GiB at boot; paging_init() lifts
 * it once the direct map covers all RAM). */
void memblock_set_alloc_limit(phys_addr_t limit);
u64 memblock_total_ram(void);
phys_addr_t memblock_end_of_ram(void);
void memblock_dump(void);

/* --- pages --- */
/* Returns the direct-map address of 2^order contiguous pages (contents
 * undefined), or NULL.  free_pages() takes the same order back. */
void *alloc_pages(unsigned int order);
void free_pages(void *addr, unsigned int order);
void *alloc_page(void);
void free_page(void *addr);
void *alloc_page_zeroed(void);
/* Free pages in the allocator; all pages of RAM (reserved ones too). */
unsigned long nr_free_pages(void);
unsigned long nr_total_pages(void);
void page_alloc_init(void);

/* --- kmalloc --- */
/* Objects are aligned to 8 bytes at least (power-of-two sizes to their
 * size, up to 2048); sizes above 2048 are whole pages from alloc_pages. */
void *kmalloc(size_t size);
void *kzalloc(size_t size);
void *kcalloc(size_t n, size_t size);
void kfree(const void *p);
size_t ksize(const void *p);
void kmalloc_init(void);
/* Give the size classes' cached empty slab pages back to the page
 * allocator (memory pressure, exact leak checks in tests). */
void kmalloc_shrink(void);

/* --- buffer caches (mm/bufcache.c) --- */
/* A few free kmalloc buffers of one size kept for reuse, for hot paths
 * whose buffers are over a page: those are buddy blocks, which
 * CONFIG_DEBUG_SLAB poisons on every free and checks on every
 * allocation.  Define one with DEFINE_BUF_CACHE(name, size, max). */
struct buf_cache {
	spinlock_t lock;
	size_t size;			/* every buffer's kmalloc size */
	unsigned int max, nr;		/* slots, and buffers in them */
	void **slots;
};
#define DEFINE_BUF_CACHE(name, sz, n)					\
	static void *name##_slots[n];					\
	static struct buf_cache name = { SPINLOCK_INIT(#name), (sz), (n), \
					 0, name##_slots }
/* A cached buffer of c->size bytes, else a fresh kmalloc (NULL if none). */
void *buf_cache_get(struct buf_cache *c);
/* Keep @p (from buf_cache_get) if a slot is free, else kfree it. */
void buf_cache_put(struct buf_cache *c, void *p);
/* Allocate until @n buffers are cached (or memory runs out). */
void buf_cache_fill(struct buf_cache *c, unsigned int n);

#endif
