/* mm/page_alloc_test.c — selftest of the page allocator (mm/page_alloc.c).
 *
 * mm_buddy_basic: alignment, distinctness, order limits, zeroed pages,
 * exact free page accounting.  mm_reserved: the first MiB, the SMP
 * trampoline page, the kernel image, boot modules and the struct page
 * arrays never reached the allocator.  The runner runs one test at a time, so
 * nothing else allocates while the counts are compared.
 */
#include <asm/boot.h>
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

extern char __kernel_end[];

/* Pages of [start, end) must never have reached the allocator. */
static int check_reserved(struct selftest_ctx *t, const char *what,
			  phys_addr_t start, phys_addr_t end)
{
	for (phys_addr_t pa = ALIGN_DOWN(start, PAGE_SIZE); pa < end;
	     pa += PAGE_SIZE) {
		const struct page *pg = virt_to_page(phys_to_virt(pa));

		if (pg && !(pg->flags & PG_RESERVED))
			ST_FAIL("%s: page %#llx is not reserved (flags %#x)",
				what, pa, pg->flags);
	}
	return 0;
}

SELFTEST(mm_reserved)
{
	phys_addr_t kend = (unsigned long)__kernel_end - KERNEL_VMA;

	if (check_reserved(t, "first MiB", 0, 0x100000) ||
	    check_reserved(t, "trampoline", TRAMPOLINE_PHYS,
			   TRAMPOLINE_PHYS + PAGE_SIZE) ||
	    check_reserved(t, "kernel image", KERNEL_PHYS, kend))
		return -1;
	for (u32 i = 0; i < boot_info->nr_mods; i++)
		if (check_reserved(t, "boot module", boot_info->mods[i].start,
				   boot_info->mods[i].end))
			return -1;
	/* The struct page arrays themselves came from memblock. */
	ST_ASSERT(virt_to_page(virt_to_page(phys_to_virt(kend))) != NULL);
	ST_ASSERT(virt_to_page(virt_to_page(phys_to_virt(kend)))->flags &
		  PG_RESERVED);
	ST_ASSERT(nr_free_pages() < nr_total_pages());
	return 0;
}
