/* tests/host/test_buddy.c — the buddy allocator's bookkeeping (mm/buddy.c)
 * on a malloc'ed arena.
 *
 * The zone starts at an unaligned pfn and has reserved holes, like real
 * RAM.  After every phase check_invariants() walks the free lists: every
 * listed block is aligned, inside the zone, made of non-reserved pages,
 * no two blocks overlap, no block's buddy of the same order is also free
 * (full coalescing), and the counters agree.  Allocated blocks are
 * tracked in a shadow map to catch any overlap with another allocation
 * or with a free block.
 */
#include "harness.h"

#include <string.h>

#include "../../mm/buddy.c"

#define BASE_PFN	1003		/* deliberately unaligned */
#define NR_PAGES	5000
#define HOLE1		(BASE_PFN + 700)	/* reserved: 40 pages */
#define HOLE2		(BASE_PFN + 3001)	/* reserved: 1 page */

static struct buddy_zone zone;
static struct page pages[NR_PAGES];
static unsigned char *arena;
/* Shadow: 0 = free or reserved, else owner id. */
static unsigned int owner[NR_PAGES];

/* Every check here is a plain condition; the harness prints it. */
#define CHECK_OK(c) CHECK(c, "%s", "false")

static void setup(void)
{
	buddy_zone_init(&zone, BASE_PFN, NR_PAGES, pages,
			(unsigned long)arena);
	buddy_zone_free_range(&zone, BASE_PFN, HOLE1 - BASE_PFN);
	buddy_zone_free_range(&zone, HOLE1 + 40, HOLE2 - (HOLE1 + 40));
	buddy_zone_free_range(&zone, HOLE2 + 1,
			      BASE_PFN + NR_PAGES - HOLE2 - 1);
	memset(owner, 0, sizeof(owner));
}

static const unsigned long expected_free = NR_PAGES - 41;

static void check_invariants(void)
{
	static unsigned char covered[NR_PAGES];
	unsigned long total = 0;

	memset(covered, 0, sizeof(covered));
	for (unsigned int o = 0; o < MAX_ORDER; o++) {
		unsigned long n = 0;
		struct page *pg;

		list_for_each_entry(pg, &zone.free_list[o], lru) {
			u64 pfn = BASE_PFN + (u64)(pg - pages);
			u64 bpfn = pfn ^ (1ull << o);

			CHECK_OK(pg->flags & PG_BUDDY);
			CHECK_OK(pg->order == o);
			CHECK_OK((pfn & ((1ull << o) - 1)) == 0);
			CHECK_OK(zone_has_pfn(&zone, pfn + (1ull << o) - 1));
			for (u64 i = pfn - BASE_PFN; i < pfn - BASE_PFN +
							     (1ull << o); i++) {
				CHECK_OK(!covered[i] && !owner[i]);
				CHECK_OK(!(pages[i].flags & PG_RESERVED));
				covered[i] = 1;
			}
			if (o < MAX_ORDER - 1 && zone_has_pfn(&zone, bpfn)) {
				struct page *b = zone_page(&zone, bpfn);

				CHECK_OK(!(b->flags & PG_BUDDY) ||
					 b->order != o);
			}
			n++;
			total += 1ul << o;
		}
		CHECK_OK(n == zone.nr_free_blocks[o]);
	}
	CHECK_OK(total == zone.free_pages);
}

static void take(u64 pfn, unsigned int order, unsigned int id)
{
	for (u64 p = pfn; p < pfn + (1ull << order); p++) {
		CHECK_OK(zone_has_pfn(&zone, p));
		CHECK_OK(!owner[p - BASE_PFN]);
		CHECK_OK(!(pages[p - BASE_PFN].flags & PG_RESERVED));
		owner[p - BASE_PFN] = id;
	}
}

static void give(u64 pfn, unsigned int order)
{
	for (u64 p = pfn; p < pfn + (1ull << order); p++)
		owner[p - BASE_PFN] = 0;
}

static void test_init(void)
{
	setup();
	CHECK_OK(zone.free_pages == expected_free);
	CHECK_OK(zone.managed_pages == expected_free);
	check_invariants();
}

static void test_split_merge(void)
{
	unsigned long before[MAX_ORDER];
	u64 a, b;

	setup();
	memcpy(before, zone.nr_free_blocks, sizeof(before));
	a = buddy_zone_alloc(&zone, 0);
	b = buddy_zone_alloc(&zone, 3);
	CHECK_OK(a != BUDDY_NO_PFN && b != BUDDY_NO_PFN);
	take(a, 0, 1);
	take(b, 3, 2);
	check_invariants();
	CHECK_OK(zone.free_pages == expected_free - 9);
	CHECK_OK(buddy_zone_check_free(&zone, a, 0) == BUDDY_OK);
	buddy_zone_free(&zone, a, 0);
	give(a, 0);
	buddy_zone_free(&zone, b, 3);
	give(b, 3);
	check_invariants();
	CHECK_OK(!memcmp(before, zone.nr_free_blocks, sizeof(before)));
}

static void exhaustion(unsigned int order)
{
	static u64 got[NR_PAGES];
	unsigned long n = 0;
	u64 pfn;

	setup();
	while ((pfn = buddy_zone_alloc(&zone, order)) != BUDDY_NO_PFN) {
		CHECK_OK(n < NR_PAGES);
		if (n == NR_PAGES)
			break;
		take(pfn, order, (unsigned int)n + 1);
		got[n++] = pfn;
	}
	check_invariants();
	if (order == 0)
		CHECK_OK(n == expected_free && zone.free_pages == 0);
	for (unsigned int o = order; o < MAX_ORDER; o++)
		CHECK_OK(list_empty(&zone.free_list[o]));
	for (unsigned long i = 0; i < n; i++) {
		CHECK_OK(buddy_zone_check_free(&zone, got[i], order) ==
			 BUDDY_OK);
		buddy_zone_free(&zone, got[i], order);
		give(got[i], order);
	}
	check_invariants();
	CHECK_OK(zone.free_pages == expected_free);
}

static void test_exhaustion_order0(void)
{
	exhaustion(0);
}

static void test_exhaustion_order4(void)
{
	exhaustion(4);
}

static void test_exhaustion_max_order(void)
{
	exhaustion(MAX_ORDER - 1);
}

/* Random allocations and frees; at the end everything is back in
 * maximal blocks, exactly as after setup(). */
static void test_random(void)
{
	enum { SLOTS = 256 };
	struct { u64 pfn; unsigned int order; } held[SLOTS];
	unsigned long before[MAX_ORDER];

	setup();
		memcpy(before, zone.nr_free_blocks, sizeof(before));
	memset(held, 0xff, sizeof(held));
	for (int i = 0; i < 200000; i++) {
		unsigned int s = (unsigned int)rnd() % SLOTS;

		if (held[s].pfn == BUDDY_NO_PFN) {
			unsigned int order = (unsigned int)rnd() % 7;
			u64 pfn = buddy_zone_alloc(&zone, order);

			if (pfn == BUDDY_NO_PFN)
				continue;
			take(pfn, order, s + 1);
			held[s].pfn = pfn;
			held[s].order = order;
		} else {
			CHECK_OK(buddy_zone_check_free(&zone, held[s].pfn,
						    held[s].order) == BUDDY_OK);
			buddy_zone_free(&zone, held[s].pfn, held[s].order);
			give(held[s].pfn, held[s].order);
			held[s].pfn = BUDDY_NO_PFN;
		}
		if (i % 5000 == 0)
			check_invariants();
	}
	for (unsigned int s = 0; s < SLOTS; s++) {
		if (held[s].pfn == BUDDY_NO_PFN)
			continue;
		buddy_zone_free(&zone, held[s].pfn, held[s].order);
		give(held[s].pfn, held[s].order);
	}
	check_invariants();
	CHECK_OK(zone.free_pages == expected_free);
	CHECK_OK(!memcmp(before, zone.nr_free_blocks, sizeof(before)));
}

static void test_bad_frees(void)
{
	u64 a, b;

	setup();
	a = buddy_zone_alloc(&zone, 2);
	b = buddy_zone_alloc(&zone, 0);
	CHECK_OK(buddy_zone_check_free(&zone, a, 1) == BUDDY_ERR_ORDER);
	CHECK_OK(buddy_zone_check_free(&zone, a + 1, 0) == BUDDY_ERR_NOT_HEAD);
	CHECK_OK(buddy_zone_check_free(&zone, HOLE1 + 3, 0) ==
		 BUDDY_ERR_RESERVED);
	CHECK_OK(buddy_zone_check_free(&zone, BASE_PFN - 1, 0) ==
		 BUDDY_ERR_RANGE);
	CHECK_OK(buddy_zone_check_free(&zone, a, MAX_ORDER) == BUDDY_ERR_RANGE);
	buddy_zone_free(&zone, a, 2);
	CHECK_OK(buddy_zone_check_free(&zone, a, 2) == BUDDY_ERR_DOUBLE);
	/* A page in the middle of a (merged) free block. */
	CHECK_OK(buddy_zone_check_free(&zone, a + 1, 0) == BUDDY_ERR_DOUBLE);
	pages[b - BASE_PFN].flags |= PG_SLAB;
	CHECK_OK(buddy_zone_check_free(&zone, b, 0) == BUDDY_ERR_SLAB);
	pages[b - BASE_PFN].flags ^= PG_SLAB | PG_LARGE;
	CHECK_OK(buddy_zone_check_free(&zone, b, 0) == BUDDY_ERR_SLAB);
	pages[b - BASE_PFN].flags &= ~PG_LARGE;
	buddy_zone_free(&zone, b, 0);
	check_invariants();
}

static void test_poison(void)
{
	u64 a;
	unsigned char *p;

	setup();
	a = buddy_zone_alloc(&zone, 1);
	p = zone_pfn_virt(&zone, a);
	buddy_poison_fill(&zone, a, 1);
	CHECK_OK(p[0] == PAGE_POISON && p[8191] == PAGE_POISON);
	CHECK_OK(buddy_poison_find(&zone, a, 1) == -1);
	/* find() consumed the marks: poison again, then damage it. */
	buddy_poison_fill(&zone, a, 1);
	p[4096 + 13] = 0;
	CHECK_OK(buddy_poison_find(&zone, a, 1) == 4096 + 13);
	/* Pages never poisoned are not checked. */
	p[5] = 1;
	CHECK_OK(buddy_poison_find(&zone, a, 1) == -1);
}

int main(void)
{
	arena = aligned_alloc(4096, (size_t)NR_PAGES * 4096);
	if (!arena)
		return 2;
	RUN(test_init);
	RUN(test_split_merge);
	RUN(test_exhaustion_order0);
	RUN(test_exhaustion_order4);
	RUN(test_exhaustion_max_order);
	RUN(test_random);
	RUN(test_bad_frees);
	RUN(test_poison);
	free(arena);
	return harness_exit();
}
