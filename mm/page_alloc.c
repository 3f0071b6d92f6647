/* mm/page_alloc.c — alloc_pages/free_pages: the kernel side of the buddy
 * allocator (bookkeeping in mm/buddy.c).
 *
 * page_alloc_init() (boot, after paging_init) makes one zone per RAM
 * region of memblock, with its struct page array taken from memblock,
 * then gives every free memblock range to its zone and freezes memblock.
 * Zones are sorted by pfn and never change afterwards, so looking one up
 * needs no lock.
 *
 * Locking: zone_lock (one for all zones) protects every free list and
 * every struct page field the buddy code touches; it is a leaf and is
 * taken with irqsave, so the allocator works in any context, interrupts
 * included.  It never sleeps.
 *
 * CONFIG_DEBUG_SLAB: a freed block is poisoned before the lock is taken
 * (if the free then turns out invalid, the kernel panics anyway; two
 * racing frees of one block both poison it, and the second fails the
 * check under the lock), and the poison is checked when the block is
 * handed out again.  A damaged poison is reported with its address through
 * mm_debug_corruption(), which panics unless a selftest asked for
 * report-only mode.  Invalid frees panic with the caller's symbol.
 */
#include <asm/layout.h>
#include <kernel/panic.h>
#include <kernel/printk.h>
#include <kernel/spinlock.h>
#include <lib/string.h>
#include "internal.h"

#define MAX_ZONES	64

static struct buddy_zone zones[MAX_ZONES];
static unsigned int nr_zones;
static spinlock_t zone_lock = SPINLOCK_INIT("page_alloc");
static bool ready;
static unsigned long ram_pages;

extern const char __text_start[], __text_end[];

static bool report_only;
static unsigned long corruptions;

/* --- debug reporting --------------------------------------------------- */

bool mm_debug_set_report_only(bool on)
{
	return __atomic_exchange_n(&report_only, on, __ATOMIC_SEQ_CST);
}

unsigned long mm_debug_corruptions(void)
{
	return __atomic_load_n(&corruptions, __ATOMIC_SEQ_CST);
}

void mm_debug_corruption(const char *fmt, ...)
{
	char msg[192];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	__atomic_fetch_add(&corruptions, 1, __ATOMIC_SEQ_CST);
	if (!READ_ONCE(report_only))
		panic("%s", msg);
	printk("mm: %s (report-only mode)\n", msg);
}

bool mm_kernel_text(const void *addr)
{
	return (const char *)addr >= __text_start &&
	       (const char *)addr < __text_end;
}

/* --- zones -------------------------------------------------------------- */

static struct buddy_zone *pfn_zone(u64 pfn)
{
	unsigned int lo = 0, hi = nr_zones;

	while (lo < hi) {
		unsigned int mid = (lo + hi) / 2;

		if (pfn < zones[mid].base_pfn)
			hi = mid;
		else if (pfn - zones[mid].base_pfn >= zones[mid].nr_pages)
			lo = mid + 1;
		else
			return &zones[mid];
	}
	return NULL;
}

static bool in_direct_map(unsigned long a)
{
	return a >= DIRECT_MAP_BASE && a < VMAP_BASE;
}

struct page *virt_to_page(const void *addr)
{
	unsigned long a = (unsigned long)addr;
	struct buddy_zone *z;
	u64 pfn;

	if (!in_direct_map(a))
		return NULL;
	pfn = (a - DIRECT_MAP_BASE) >> PAGE_SHIFT;
	z = pfn_zone(pfn);
	return z ? zone_page(z, pfn) : NULL;
}

void *page_to_virt(const struct page *pg)
{
	for (unsigned int i = 0; i < nr_zones; i++) {
		const struct buddy_zone *z = &zones[i];

		if (pg >= z->pages && pg < z->pages + z->nr_pages)
			return zone_pfn_virt(z, z->base_pfn +
						     (u64)(pg - z->pages));
	}
	return NULL;
}

bool page_alloc_ready(void)
{
	return ready;
}

static void add_zone(phys_addr_t start, phys_addr_t end, void *arg)
{
	u64 base = start >> PAGE_SHIFT, n = (end - start) >> PAGE_SHIFT;
	struct buddy_zone *z;
	phys_addr_t pa;

	if (nr_zones == MAX_ZONES)
		panic("page_alloc: more than %d RAM regions", MAX_ZONES);
	z = &zones[nr_zones++];
	pa = memblock_alloc(n * sizeof(struct page), PAGE_SIZE);
	buddy_zone_init(z, base, n, phys_to_virt(pa), DIRECT_MAP_BASE + start);
	ram_pages += n;
}

static void free_range(phys_addr_t start, phys_addr_t end, void *arg)
{
	u64 pfn = start >> PAGE_SHIFT;
	struct buddy_zone *z = pfn_zone(pfn);

	BUG_ON(!z || !zone_has_pfn(z, (end >> PAGE_SHIFT) - 1));
	buddy_zone_free_range(z, pfn, (end - start) >> PAGE_SHIFT);
}

void page_alloc_init(void)
{
	memblock_for_each_memory(add_zone, NULL);
	memblock_for_each_free(free_range, NULL);
	memblock_freeze();
	ready = true;
}

/* --- allocation ---------------------------------------------------------- */

static void check_poison(struct buddy_zone *z, u64 pfn, unsigned int order)
{
	long bad = buddy_poison_find(z, pfn, order);
	u8 *p;

	if (bad < 0)
		return;
	p = (u8 *)zone_pfn_virt(z, pfn) + bad;
	mm_debug_corruption("page_alloc: use after free: byte at %p (+%#lx in "
			    "an order-%u block) is %#x, expected %#x",
			    p, bad, order, *p, PAGE_POISON);
}

void *alloc_pages(unsigned int order)
{
	struct buddy_zone *z = NULL;
	unsigned long flags;
	u64 pfn = BUDDY_NO_PFN;

	if (order >= MAX_ORDER || !ready)
		return NULL;
	flags = spin_lock_irqsave(&zone_lock);
	for (unsigned int i = nr_zones; i-- > 0 && pfn == BUDDY_NO_PFN;) {
		z = &zones[i];
		pfn = buddy_zone_alloc(z, order);
	}
	spin_unlock_irqrestore(&zone_lock, flags);
	if (pfn == BUDDY_NO_PFN)
		return NULL;
	if (MM_DEBUG)
		check_poison(z, pfn, order);
	return zone_pfn_virt(z, pfn);
}

void *alloc_page(void)
{
	return alloc_pages(0);
}

void *alloc_page_zeroed(void)
{
	void *p = alloc_pages(0);

	if (p)
		mm_fill64(p, 0, PAGE_SIZE);
	return p;
}

static __noreturn void bad_free(const void *addr, unsigned int order,
				enum buddy_err e, const struct page *pg,
				void *caller)
{
	if (e == BUDDY_ERR_ORDER)
		panic("free_pages(%p, %u): %s (order %u), called from %pS",
		      addr, order, buddy_err_str(e), pg->order, caller);
	panic("free_pages(%p, %u): %s, called from %pS", addr, order,
	      buddy_err_str(e), caller);
}

void free_pages_caller(const void *addr, unsigned int order, void *caller)
{
	unsigned long a = (unsigned long)addr, flags;
	struct buddy_zone *z = NULL;
	enum buddy_err e = BUDDY_ERR_RANGE;
	u64 pfn = 0;

	if (in_direct_map(a) && IS_ALIGNED(a, PAGE_SIZE)) {
		pfn = (a - DIRECT_MAP_BASE) >> PAGE_SHIFT;
		z = pfn_zone(pfn);
	}
	if (MM_DEBUG && z && order < MAX_ORDER &&
	    zone_has_pfn(z, pfn + (1ull << order) - 1) &&
	    !(zone_page(z, pfn)->flags & (PG_RESERVED | PG_BUDDY)))
		buddy_poison_fill(z, pfn, order);
	flags = spin_lock_irqsave(&zone_lock);
	if (z)
		e = buddy_zone_check_free(z, pfn, order);
	if (e != BUDDY_OK) {
		spin_unlock_irqrestore(&zone_lock, flags);
		bad_free(addr, order, e, z ? zone_page(z, pfn) : NULL, caller);
	}
	buddy_zone_free(z, pfn, order);
	spin_unlock_irqrestore(&zone_lock, flags);
}

void free_pages(void *addr, unsigned int order)
{
	free_pages_caller(addr, order, __builtin_return_address(0));
}

void free_page(void *addr)
{
	free_pages_caller(addr, 0, __builtin_return_address(0));
}

unsigned long nr_free_pages(void)
{
	unsigned long flags, n = 0;

	flags = spin_lock_irqsave(&zone_lock);
	for (unsigned int i = 0; i < nr_zones; i++)
		n += zones[i].free_pages;
	spin_unlock_irqrestore(&zone_lock, flags);
	return n;
}

unsigned long nr_total_pages(void)
{
	return ram_pages;
}
