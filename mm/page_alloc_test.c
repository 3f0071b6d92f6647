/* mm/page_alloc_test.c — selftest of the page allocator (mm/page_alloc.c).
 *
 * mm_buddy_basic: alignment, distinctness, order limits, zeroed pages,
 * exact free page accounting.  The runner runs one test at a time, so
 * nothing else allocates while the counts are compared.
 */
#include <asm/layout.h>
#include <kernel/selftest.h>
#include <lib/string.h>
#include "internal.h"

SELFTEST(mm_buddy_basic)
{
	unsigned long before = nr_free_pages();
	void *blocks[MAX_ORDER];
	u8 *a, *b;

	ST_ASSERT(before > 0 && before <= nr_total_pages());
	a = alloc_pages(0);
	b = alloc_page();
	ST_ASSERT(a && b && a != b);
	ST_EQ(nr_free_pages(), before - 2);
	memset(a, 0xa5, PAGE_SIZE);
	memset(b, 0x5a, PAGE_SIZE);
	ST_ASSERT(a[PAGE_SIZE - 1] == 0xa5 && b[0] == 0x5a);
	free_page(a);
	free_pages(b, 0);
	ST_EQ(nr_free_pages(), before);

	for (unsigned int o = 0; o < MAX_ORDER; o++) {
		blocks[o] = alloc_pages(o);
		ST_ASSERT(blocks[o]);
		ST_ASSERT(IS_ALIGNED(virt_to_phys(blocks[o]), PAGE_SIZE << o));
		ST_EQ(virt_to_page(blocks[o])->order, o);
		/* Touch the first and last byte: the whole block is mapped. */
		((u8 *)blocks[o])[0] = 1;
		((u8 *)blocks[o])[(PAGE_SIZE << o) - 1] = 1;
	}
	for (unsigned int o = 0; o < MAX_ORDER; o++)
		for (unsigned int p = o + 1; p < MAX_ORDER; p++) {
			unsigned long x = (unsigned long)blocks[o];
			unsigned long y = (unsigned long)blocks[p];

			ST_ASSERT(x + (PAGE_SIZE << o) <= y ||
				  y + (PAGE_SIZE << p) <= x);
		}
	for (unsigned int o = 0; o < MAX_ORDER; o++)
		free_pages(blocks[o], o);
	ST_EQ(nr_free_pages(), before);
	ST_ASSERT(alloc_pages(MAX_ORDER) == NULL);

	a = alloc_page_zeroed();
	ST_ASSERT(a);
	for (unsigned int i = 0; i < PAGE_SIZE; i++)
		ST_ASSERT(a[i] == 0);
	free_page(a);
	ST_EQ(nr_free_pages(), before);
	return 0;
}
