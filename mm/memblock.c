/* mm/memblock.c — boot-time physical memory: which ranges are RAM and
 * which of them are taken.
 *
 * Two fixed arrays of regions, "memory" (usable RAM from the boot memory
 * map) and "reserved" (kernel image, low memory, boot modules, early
 * allocations).  Invariant of both arrays: sorted by base, no two regions
 * overlap or touch (adjacent and overlapping ranges are merged on insert),
 * sizes are non-zero.  memory regions are page-aligned inwards on insert.
 *
 * memblock_alloc() allocates top-down below the allocation limit (4 GiB,
 * what the boot page tables map, until paging_init() has mapped all RAM)
 * from memory that is in "memory" and not in "reserved", and reserves what
 * it returns.  Once page_alloc_init() has handed the free
 * ranges to the buddy allocator, memblock is frozen and memblock_alloc()
 * panics.
 *
 * Boot only: single CPU, interrupts off, no locking.  Called by mm_init()
 * (mm/init.c), paging_init() (arch/x86/mm/paging.c) and page_alloc_init().
 */
#include <asm/layout.h>
#include <kernel/panic.h>
#include <kernel/printk.h>
#include <lib/string.h>
#include "internal.h"

#define MEMBLOCK_MAX	128

struct memblock_region {
	phys_addr_t base;
	u64 size;
};

struct memblock_type {
	const char *name;
	unsigned int cnt;
	struct memblock_region r[MEMBLOCK_MAX];
};

static struct memblock_type memory = { .name = "memory" };
static struct memblock_type reserved = { .name = "reserved" };
static bool frozen;
/* The boot tables map 0..4 GiB; paging_init() lifts the limit. */
static phys_addr_t alloc_limit = 0x100000000ull;

static phys_addr_t rend(const struct memblock_region *r)
{
	return r->base + r->size;
}

static void remove_at(struct memblock_type *t, unsigned int i)
{
	memmove(&t->r[i], &t->r[i + 1], (t->cnt - i - 1) * sizeof(t->r[0]));
	t->cnt--;
}

/* Insert [base, end) keeping the array sorted and merged. */
static void type_add(struct memblock_type *t, phys_addr_t base, phys_addr_t end)
{
	unsigned int i = 0;

	if (end <= base)
		return;
	while (i < t->cnt && rend(&t->r[i]) < base)
		i++;
	/* Absorb every region that overlaps or touches [base, end). */
	while (i < t->cnt && t->r[i].base <= end) {
		base = MIN(base, t->r[i].base);
		end = MAX(end, rend(&t->r[i]));
		remove_at(t, i);
	}
	if (t->cnt == MEMBLOCK_MAX)
		panic("memblock: more than %d %s regions", MEMBLOCK_MAX,
		      t->name);
	memmove(&t->r[i + 1], &t->r[i], (t->cnt - i) * sizeof(t->r[0]));
	t->r[i] = (struct memblock_region){ base, end - base };
	t->cnt++;
}

void memblock_add(phys_addr_t base, u64 size)
{
	phys_addr_t start = ALIGN_UP(base, PAGE_SIZE);
	phys_addr_t end = ALIGN_DOWN(base + size, PAGE_SIZE);

	if (size && base + size > base && end > start)
		type_add(&memory, start, end);
}

void memblock_reserve(phys_addr_t base, u64 size)
{
	if (!size)
		return;
	if (base + size < base)
		size = -base;
	type_add(&reserved, ALIGN_DOWN(base, PAGE_SIZE),
		 ALIGN_UP(base + size, PAGE_SIZE));
}

/* The lowest reserved region overlapping [base, end), or NULL. */
static const struct memblock_region *reserved_overlap(phys_addr_t base,
						      phys_addr_t end)
{
	for (unsigned int i = 0; i < reserved.cnt; i++) {
		const struct memblock_region *r = &reserved.r[i];

		if (r->base >= end)
			break;
		if (rend(r) > base)
			return r;
	}
	return NULL;
}

/* Highest aligned free [x, x+size) inside [lo, hi), or 0 if none. */
static phys_addr_t find_top_down(phys_addr_t lo, phys_addr_t hi, u64 size,
				 u64 align)
{
	while (hi > lo && hi - lo >= size) {
		phys_addr_t cand = ALIGN_DOWN(hi - size, align);
		const struct memblock_region *r;

		if (cand < lo)
			return 0;
		r = reserved_overlap(cand, cand + size);
		if (!r)
			return cand;
		hi = r->base;
	}
	return 0;
}

phys_addr_t memblock_alloc(u64 size, u64 align)
{
	if (frozen)
		panic("memblock_alloc(%llu) after the page allocator took over",
		      size);
	BUG_ON(!size || !align || (align & (align - 1)));
	size = ALIGN_UP(size, PAGE_SIZE);
	align = MAX(align, (u64)PAGE_SIZE);
	for (unsigned int i = memory.cnt; i-- > 0;) {
		const struct memblock_region *m = &memory.r[i];
		phys_addr_t hi = MIN(rend(m), alloc_limit);
		phys_addr_t pa;

		if (m->base >= alloc_limit)
			continue;
		pa = find_top_down(MAX(m->base, (phys_addr_t)PAGE_SIZE), hi,
				   size, align);
		if (pa) {
			memblock_reserve(pa, size);
			mm_fill64(phys_to_virt(pa), 0, size);
			return pa;
		}
	}
	panic("memblock: out of memory allocating %llu bytes (align %llu) "
	      "below %#llx", size, align, alloc_limit);
}

void memblock_set_alloc_limit(phys_addr_t limit)
{
	alloc_limit = limit;
}

u64 memblock_total_ram(void)
{
	u64 total = 0;

	for (unsigned int i = 0; i < memory.cnt; i++)
		total += memory.r[i].size;
	return total;
}

phys_addr_t memblock_end_of_ram(void)
{
	return memory.cnt ? rend(&memory.r[memory.cnt - 1]) : 0;
}

void memblock_for_each_memory(memblock_range_fn fn, void *arg)
{
	for (unsigned int i = 0; i < memory.cnt; i++)
		fn(memory.r[i].base, rend(&memory.r[i]), arg);
}

/* Walk one memory region, calling @fn for the gaps between reservations. */
static void free_in_region(const struct memblock_region *m,
			   memblock_range_fn fn, void *arg)
{
	phys_addr_t pos = m->base, end = rend(m);

	for (unsigned int j = 0; j < reserved.cnt && pos < end; j++) {
		const struct memblock_region *r = &reserved.r[j];

		if (rend(r) <= pos)
			continue;
		if (r->base >= end)
			break;
		if (r->base > pos)
			fn(pos, r->base, arg);
		pos = rend(r);
	}
	if (pos < end)
		fn(pos, end, arg);
}

void memblock_for_each_free(memblock_range_fn fn, void *arg)
{
	for (unsigned int i = 0; i < memory.cnt; i++)
		free_in_region(&memory.r[i], fn, arg);
}

void memblock_freeze(void)
{
	frozen = true;
}

static void dump_type(const struct memblock_type *t)
{
	printk("memblock: %s: %u regions\n", t->name, t->cnt);
	for (unsigned int i = 0; i < t->cnt; i++)
		printk("  [0x%012llx-0x%012llx] %llu KiB\n", t->r[i].base,
		       rend(&t->r[i]) - 1, t->r[i].size >> 10);
}

void memblock_dump(void)
{
	dump_type(&memory);
	dump_type(&reserved);
}
