/* arch/x86/mm/paging_test.c — selftests of the kernel page tables
 * (arch/x86/mm/paging.c).
 *
 * mm_paging_perms: the running CR3 is kernel_pml4_phys(); .text is
 * present, read-only and executable; .rodata and .kallsyms read-only and
 * NX; .data and .bss writable and NX; the direct map writable and NX;
 * the image is global; .boot and the low identity map are gone.  Writes
 * to .text and .rodata really fault (CR0.WP), probed through an
 * exception-table fixup.
 * mm_ioremap: an uncached alias of a page reads what the direct map
 * wrote, at the right offset within the page; map_kernel_page refuses bad
 * and duplicate requests.
 */
#include <asm/extable.h>
#include <asm/layout.h>
#include <asm/paging.h>
#include <asm/x86.h>
#include <kernel/selftest.h>
#include <mm/mm.h>
#include <uapi/errno.h>

extern char __text_start[], __rodata_start[], __data_start[], __bss_start[];
extern char __kernel_end[];

static const u64 some_rodata = 0x1234;
static u64 some_data = 1;
static u64 some_bss;

/* Write @v to @p; returns 0 or -EFAULT if the write faulted. */
static int probe_write_u8(void *p, u8 v)
{
	int r = 0;

	__asm__ volatile("1: movb %b2, (%1)\n"
			 "2:\n"
			 ".pushsection .text.fixup, \"ax\"\n"
			 "3: movl %3, %0\n"
			 "jmp 2b\n"
			 ".popsection\n"
			 _ASM_EXTABLE(1b, 3b)
			 : "+r"(r)
			 : "r"(p), "q"(v), "i"(-EFAULT)
			 : "memory");
	return r;
}

/* Check the leaf entry of @va: present and exactly the W/NX/G wanted. */
static int check_pte(struct selftest_ctx *t, const char *what, const void *va,
		     u64 want, unsigned int want_level)
{
	unsigned int level = 0;
	u64 *e = kernel_pte_lookup((unsigned long)va, &level);
	u64 mask = PTE_P | PTE_W | PTE_NX | PTE_G;

	if (!e)
		ST_FAIL("%s (%p) is not mapped", what, va);
	if ((*e & mask) != want)
		ST_FAIL("%s (%p): PTE %#llx has flags %#llx, want %#llx", what,
			va, *e, *e & mask, want);
	if (want_level && level != want_level)
		ST_FAIL("%s (%p) mapped at level %u, want %u", what, va, level,
			want_level);
	return 0;
}

SELFTEST(mm_paging_perms)
{
	u64 nx = (rdmsr(MSR_EFER) & EFER_NXE) ? PTE_NX : 0;
	u8 *page = alloc_page();
	u8 old;

	ST_ASSERT(page);
	ST_EQ(read_cr3() & PTE_ADDR_MASK, kernel_pml4_phys());
	ST_ASSERT(read_cr0() & CR0_WP);
	ST_ASSERT(read_cr4() & CR4_PGE);
	ST_ASSERT(nx);
	if (check_pte(t, ".text", (void *)__text_start, PTE_P | PTE_G, 1) ||
	    check_pte(t, "mm_paging_perms", (void *)__st_fn_mm_paging_perms,
		      PTE_P | PTE_G, 1) ||
	    check_pte(t, ".rodata", &some_rodata, PTE_P | PTE_G | nx, 1) ||
	    check_pte(t, ".kallsyms", (void *)((unsigned long)__kernel_end - 1),
		      PTE_P | PTE_G | nx, 1) ||
	    check_pte(t, ".data", &some_data, PTE_P | PTE_W | PTE_G | nx, 1) ||
	    check_pte(t, ".bss", &some_bss, PTE_P | PTE_W | PTE_G | nx, 1) ||
	    check_pte(t, "direct map", page, PTE_P | PTE_W | PTE_G | nx, 0))
		return -1;
	ST_ASSERT(!kernel_pte_lookup(KERNEL_PHYS, NULL));	/* .boot */
	ST_ASSERT(!kernel_pte_lookup(KERNEL_VMA + KERNEL_PHYS, NULL));
	ST_ASSERT(!kernel_pte_lookup(0x100000, NULL));		/* identity */

	old = *(volatile u8 *)__text_start;
	ST_EQ(probe_write_u8(__text_start, old), -EFAULT);
	old = *(const volatile u8 *)&some_rodata;
	ST_EQ(probe_write_u8((void *)&some_rodata, old), -EFAULT);
	ST_EQ(probe_write_u8(&some_data, 7), 0);
	ST_EQ(some_data, 7);
	ST_EQ(probe_write_u8(page, 9), 0);
	free_page(page);
	return 0;
}

SELFTEST(mm_ioremap)
{
	u8 *page = alloc_page_zeroed();
	phys_addr_t pa;
	volatile u8 *io;
	u64 *e;

	ST_ASSERT(page);
	pa = virt_to_phys(page);
	page[0x123] = 0x42;
	io = ioremap(pa + 0x123, 16);
	ST_ASSERT(io);
	ST_EQ((unsigned long)io & (PAGE_SIZE - 1),
	      (pa + 0x123) & (PAGE_SIZE - 1));
	ST_ASSERT((unsigned long)io >= VMAP_BASE &&
		  (unsigned long)io < VMAP_BASE + VMAP_SIZE);
	ST_EQ(*io, 0x42);
	e = kernel_pte_lookup((unsigned long)io, NULL);
	ST_ASSERT(e && (*e & (PTE_PCD | PTE_PWT)) == (PTE_PCD | PTE_PWT));
	ST_ASSERT(e && (*e & PTE_ADDR_MASK) == ALIGN_DOWN(pa, PAGE_SIZE));
	iounmap(io, 16);
	/* A range crossing a page boundary maps both pages. */
	io = ioremap(pa + PAGE_SIZE - 4, 8);
	ST_ASSERT(io && kernel_pte_lookup((unsigned long)io + 4, NULL));
	ST_EQ(map_kernel_page((unsigned long)io & ~0xfffUL, pa, PTE_W),
	      -EEXIST);
	iounmap(io, 8);
	ST_ASSERT(!kernel_pte_lookup((unsigned long)io, NULL));
	ST_ASSERT(!kernel_pte_lookup((unsigned long)io + 4, NULL));
	ST_EQ(map_kernel_page(VMAP_BASE + 1, pa, PTE_W), -EINVAL);
	ST_EQ(map_kernel_page(0x400000, pa, PTE_W), -EINVAL);
	ST_ASSERT(ioremap(pa, 0) == NULL);
	free_page(page);
	return 0;
}
