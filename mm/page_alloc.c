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
 * included.  It never sleeps.  Order-0 pages go through per-CPU lists
 * (pcp[], PG_PCP pages, touched by their CPU with interrupts off) that
 * borrow and return PCP_BATCH pages at a time, so most order-0 traffic
 * takes no shared lock.  Pages on those lists are free: nr_free_pages()
 * counts them, and freeing one again is a double free.  An order-0 free
 * is validated on the page alone (buddy_page_check_free) and claimed with
 * an atomic PG_PCP, so two racing frees of one page still panic.
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
#include <asm/x86.h>
#include <kernel/machine.h>
#include <kernel/panic.h>
#include <kernel/printk.h>
#include <kernel/smp.h>
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

/* Per-CPU lists of free order-0 pages (PG_PCP): most order-0 traffic never
 * takes zone_lock.  Touched only by their CPU with interrupts off. */
#define PCP_BATCH	16	/* pages moved to or from the zones at once */
#define PCP_HIGH	64	/* a longer list gives a batch back */

struct pcp_list {
	struct list_head pages;	/* most recently freed first */
	unsigned int count;
} __aligned(64);

static struct pcp_list pcp[CONFIG_NR_CPUS];

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

static struct buddy_zone *page_zone(const struct page *pg)
{
	for (unsigned int i = 0; i < nr_zones; i++)
		if (pg >= zones[i].pages &&
		    pg < zones[i].pages + zones[i].nr_pages)
			return &zones[i];
	return NULL;
}

static u64 page_pfn(const struct buddy_zone *z, const struct page *pg)
{
	return z->base_pfn + (u64)(pg - z->pages);
}

void *page_to_virt(const struct page *pg)
{
	const struct buddy_zone *z = page_zone(pg);

	return z ? zone_pfn_virt(z, page_pfn(z, pg)) : NULL;
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
	for (unsigned int c = 0; c < CONFIG_NR_CPUS; c++)
		INIT_LIST_HEAD(&pcp[c].pages);
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

/* Highest zone first.  zone_lock held. */
static u64 __zones_alloc(unsigned int order, struct buddy_zone **zp)
{
	for (unsigned int i = nr_zones; i-- > 0;) {
		u64 pfn = buddy_zone_alloc(&zones[i], order);

		if (pfn != BUDDY_NO_PFN) {
			*zp = &zones[i];
			return pfn;
		}
	}
	return BUDDY_NO_PFN;
}

/* --- per-CPU order-0 lists ------------------------------------------------ */

/* Move up to PCP_BATCH pages from the zones to @l.  Interrupts off. */
static void pcp_refill(struct pcp_list *l)
{
	unsigned long flags = spin_lock_irqsave(&zone_lock);
	struct buddy_zone *z;

	for (unsigned int i = 0; i < PCP_BATCH; i++) {
		u64 pfn = __zones_alloc(0, &z);
		struct page *pg;

		if (pfn == BUDDY_NO_PFN)
			break;
		pg = zone_page(z, pfn);
		pg->flags = (pg->flags & ~PG_HEAD) | PG_PCP;
		list_add_tail(&pg->lru, &l->pages);
		l->count++;
	}
	spin_unlock_irqrestore(&zone_lock, flags);
}

/* Give the @n least recently freed pages of @l back.  Interrupts off. */
static void pcp_drain(struct pcp_list *l, unsigned int n)
{
	unsigned long flags = spin_lock_irqsave(&zone_lock);

	while (n-- && l->count) {
		struct page *pg = list_entry(l->pages.prev, struct page, lru);
		struct buddy_zone *z = page_zone(pg);

		list_del(&pg->lru);
		l->count--;
		pg->flags &= ~PG_PCP;
		buddy_zone_free(z, page_pfn(z, pg), 0);
	}
	spin_unlock_irqrestore(&zone_lock, flags);
}

static struct page *pcp_alloc(void)
{
	unsigned long flags = local_irq_save();
	struct pcp_list *l = &pcp[smp_processor_id()];
	struct page *pg = NULL;

	if (!l->count)
		pcp_refill(l);
	if (l->count) {
		pg = list_first_entry(&l->pages, struct page, lru);
		list_del(&pg->lru);
		l->count--;
		pg->flags = (pg->flags & ~PG_PCP) | PG_HEAD;
		pg->order = 0;
	}
	local_irq_restore(flags);
	return pg;
}

/* @pg passed buddy_page_check_free(); claim it so a racing second free of
 * the same page fails, then list it. */
static void pcp_free(struct page *pg, const void *addr, void *caller)
{
	u16 old = __atomic_fetch_or(&pg->flags, PG_PCP, __ATOMIC_ACQ_REL);
	unsigned long flags;
	struct pcp_list *l;

	if (old & PG_PCP)
		bad_free(addr, 0, BUDDY_ERR_DOUBLE, pg, caller);
	pg->flags &= ~PG_HEAD;
	flags = local_irq_save();
	l = &pcp[smp_processor_id()];
	list_add(&pg->lru, &l->pages);
	if (++l->count > PCP_HIGH)
		pcp_drain(l, PCP_BATCH);
	local_irq_restore(flags);
}

/* --- the API --------------------------------------------------------- */

void *alloc_pages(unsigned int order)
{
	struct buddy_zone *z = NULL;
	unsigned long flags;
	u64 pfn = BUDDY_NO_PFN;

	if (order >= MAX_ORDER || !ready)
		return NULL;
	if (order == 0 && cpu_local_ready()) {
		struct page *pg = pcp_alloc();

		if (pg) {
			z = page_zone(pg);
			pfn = page_pfn(z, pg);
		}
	} else {
		flags = spin_lock_irqsave(&zone_lock);
		pfn = __zones_alloc(order, &z);
		spin_unlock_irqrestore(&zone_lock, flags);
	}
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
	    !(zone_page(z, pfn)->flags & (PG_RESERVED | PG_BUDDY | PG_PCP)))
		buddy_poison_fill(z, pfn, order);
	if (z && order == 0 && cpu_local_ready()) {
		struct page *pg = zone_page(z, pfn);

		e = buddy_page_check_free(pg, 0);
		if (e != BUDDY_OK)
			bad_free(addr, order, e, pg, caller);
		pcp_free(pg, addr, caller);
		return;
	}
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
	for (unsigned int c = 0; c < CONFIG_NR_CPUS; c++)
		n += READ_ONCE(pcp[c].count);
	return n;
}

unsigned long nr_total_pages(void)
{
	return ram_pages;
}
