/* arch/x86/mm/paging.c — the kernel page tables.
 *
 * paging_init() (boot CPU, from mm_init(), after memblock knows RAM and
 * before the buddy allocator exists) builds the final tables out of
 * memblock pages and switches CR3 to them:
 *   - the direct map: every RAM, ACPI and NVS range of the boot memory map
 *     and the whole first MiB at DIRECT_MAP_BASE + phys, RW, NX, global,
 *     with 1 GiB pages where the CPU has them (CPUID 0x80000001 EDX[26]),
 *     else 2 MiB, and 4 KiB pages at unaligned edges;
 *   - the kernel image at KERNEL_VMA with 4 KiB pages: .text RX, .rodata
 *     and .kallsyms R+NX, .data/.percpu/.bss RW+NX, all global;
 *   - nothing else: no identity map, no .boot section.  GDTR and IDTR are
 *     moved to the direct-map alias of their (identity) address first.
 * It sets CR0.WP, CR4.PGE and checks EFER.NXE.  Every kernel-half PML4
 * entry that will ever exist (direct map, vmap, kernel image) is created
 * here, so later users may copy PML4[256..511] once; map_kernel_page()
 * refuses addresses under a missing PML4 entry.
 *
 * Later mappings (map_kernel_page, ioremap/iounmap,
 * paging_identity_map_low) take pt_lock (irqsave; page-table pages come
 * from the buddy allocator under it, so lock order is pt_lock -> page
 * allocator).  unmap_page() flushes the local TLB only: iounmap() shoots
 * down the others itself, paging_identity_map_low()'s callers do it if
 * other CPUs ran on the page.
 *
 * Secondary CPUs load kernel_pml4_phys() into CR3; before they enable
 * paging with it they must set EFER.NXE (NX bits are reserved otherwise),
 * and then CR4.PGE and CR0.WP like the boot CPU.
 */
#include <asm/boot.h>
#include <asm/layout.h>
#include <asm/paging.h>
#include <asm/x86.h>
#include <kernel/panic.h>
#include <kernel/printk.h>
#include <kernel/smp.h>
#include <kernel/spinlock.h>
#include <lib/string.h>
#include <mm/mm.h>
#include <uapi/errno.h>

#define LVL_SHIFT(l)	(PAGE_SHIFT + 9 * ((l) - 1))
#define LVL_IDX(va, l)	(((va) >> LVL_SHIFT(l)) & 511)
#define PML4_LEVEL	4
#define TABLE_FLAGS	(PTE_P | PTE_W)
#define LOW_MIB		0x100000ul
#define IDENTITY_END	0x100000000ul	/* boot tables identity-map below */
#define KERNEL_HALF	0xffff800000000000ul
/* ioremap uses the lower half of the vmap area; the upper half is free
 * for map_kernel_page() users. */
#define IOREMAP_END	(VMAP_BASE + VMAP_SIZE / 2)

static phys_addr_t pml4_pa;
static u64 *pml4;
static u64 pte_nx;		/* PTE_NX if the CPU has NX, else 0 */
static unsigned int max_leaf;	/* 3 with 1 GiB pages, else 2 */
static bool booted;		/* page tables now come from alloc_pages */
static spinlock_t pt_lock = SPINLOCK_INIT("paging");
static unsigned long vmap_next = VMAP_BASE;

extern char __text_start[], __text_end[], __rodata_start[], __rodata_end[];
extern char __data_start[], __data_end[], __kernel_end[];

static u64 *pt_alloc(void)
{
	if (booted)
		return alloc_page_zeroed();
	return phys_to_virt(memblock_alloc(PAGE_SIZE, PAGE_SIZE));
}

static u64 *entry_table(u64 e)
{
	return phys_to_virt(e & PTE_ADDR_MASK);
}

/* Map [va, end) to pa.. in @table of @level, using leaves of level
 * @leaf_max at most.  Returns 0, -ENOMEM or -EEXIST. */
static int map_range(u64 *table, unsigned int level, unsigned long va,
		     unsigned long end, phys_addr_t pa, u64 flags,
		     unsigned int leaf_max)
{
	unsigned long size = 1ul << LVL_SHIFT(level);

	while (va < end) {
		unsigned long next = (va | (size - 1)) + 1;
		u64 *e = &table[LVL_IDX(va, level)];
		int r;

		if (!next || next > end)
			next = end;
		if (level == 1 || (level <= leaf_max && next - va == size &&
				   IS_ALIGNED(va | pa, size))) {
			if (*e & PTE_P)
				return -EEXIST;
			*e = pa | flags | (level > 1 ? PTE_PS : 0);
		} else {
			if (!(*e & PTE_P)) {
				u64 *t = pt_alloc();

				if (!t)
					return -ENOMEM;
				*e = virt_to_phys(t) | TABLE_FLAGS;
			} else if (*e & PTE_PS) {
				return -EEXIST;
			}
			r = map_range(entry_table(*e), level - 1, va, next, pa,
				      flags, leaf_max);
			if (r)
				return r;
		}
		pa += next - va;
		va = next;
	}
	return 0;
}

u64 *kernel_pte_lookup(unsigned long va, unsigned int *level)
{
	u64 *table = pml4;

	for (unsigned int l = PML4_LEVEL; l >= 1; l--) {
		u64 *e = &table[LVL_IDX(va, l)];

		if (!(*e & PTE_P))
			return NULL;
		if (l == 1 || (l <= 3 && (*e & PTE_PS))) {
			if (level)
				*level = l;
			return e;
		}
		table = entry_table(*e);
	}
	return NULL;
}

/* --- boot: building the tables ----------------------------------------- */

struct pa_range {
	phys_addr_t start, end;
};

/* Insert [s, e) into the sorted, merged array @r of *n entries. */
static void range_add(struct pa_range *r, unsigned int *n, phys_addr_t s,
		      phys_addr_t e)
{
	unsigned int i = 0;

	while (i < *n && r[i].end < s)
		i++;
	while (i < *n && r[i].start <= e) {
		s = MIN(s, r[i].start);
		e = MAX(e, r[i].end);
		memmove(&r[i], &r[i + 1], (--*n - i) * sizeof(*r));
	}
	memmove(&r[i + 1], &r[i], (*n - i) * sizeof(*r));
	r[i] = (struct pa_range){ s, e };
	++*n;
}

static void map_direct(void)
{
	static struct pa_range r[BOOT_MAX_MEM + 1];
	unsigned int n = 0;
	u64 flags = PTE_P | PTE_W | PTE_G | pte_nx;

	range_add(r, &n, 0, LOW_MIB);
	for (u32 i = 0; i < boot_info->nr_mem; i++) {
		const struct boot_mem *m = &boot_info->mem[i];

		if (m->type != BOOT_MEM_RAM && m->type != BOOT_MEM_ACPI &&
		    m->type != BOOT_MEM_NVS)
			continue;
		range_add(r, &n, ALIGN_DOWN(m->base, PAGE_SIZE),
			  ALIGN_UP(m->base + m->len, PAGE_SIZE));
	}
	for (unsigned int i = 0; i < n; i++) {
		int e = map_range(pml4, PML4_LEVEL,
				  DIRECT_MAP_BASE + r[i].start,
				  DIRECT_MAP_BASE + r[i].end, r[i].start, flags,
				  max_leaf);
		if (e)
			panic("paging: direct map of [%#llx-%#llx) failed: %d",
			      r[i].start, r[i].end, e);
	}
}

static void map_image(void)
{
	const struct {
		unsigned long start, end;
		u64 flags;
	} seg[] = {
		{ (unsigned long)__text_start, (unsigned long)__text_end,
		  PTE_P | PTE_G },
		{ (unsigned long)__rodata_start, (unsigned long)__rodata_end,
		  PTE_P | PTE_G | pte_nx },
		{ (unsigned long)__data_start, (unsigned long)__data_end,
		  PTE_P | PTE_W | PTE_G | pte_nx },
		{ ALIGN_UP((unsigned long)__data_end, PAGE_SIZE),
		  (unsigned long)__kernel_end, PTE_P | PTE_G | pte_nx },
	};

	for (unsigned int i = 0; i < ARRAY_SIZE(seg); i++) {
		unsigned long s = seg[i].start;
		unsigned long e = ALIGN_UP(seg[i].end, PAGE_SIZE);
		int r;

		/* The linker script page-aligns and chains the segments. */
		BUG_ON(!IS_ALIGNED(s, PAGE_SIZE));
		BUG_ON(i + 1 < ARRAY_SIZE(seg) && e != seg[i + 1].start);
		r = map_range(pml4, PML4_LEVEL, s, e, s - KERNEL_VMA,
			      seg[i].flags, 1);
		if (r)
			panic("paging: mapping kernel [%#lx-%#lx) failed: %d",
			      s, e, r);
	}
}

/* Create the PML4 entries of the whole vmap area (32 PDPT pages), so no
 * kernel-half PML4 entry is ever added after boot. */
static void prealloc_vmap(void)
{
	for (unsigned long va = VMAP_BASE; va - VMAP_BASE < VMAP_SIZE;
	     va += 1ul << LVL_SHIFT(PML4_LEVEL)) {
		u64 *e = &pml4[LVL_IDX(va, PML4_LEVEL)];

		if (!(*e & PTE_P))
			*e = virt_to_phys(pt_alloc()) | TABLE_FLAGS;
	}
}

struct desc_ptr {
	u16 limit;
	u64 base;
} __packed;

/* GDTR/IDTR still hold identity (physical) bases from the boot code;
 * move them to the direct-map alias, which the new tables keep. */
static void rebase_descriptor_tables(void)
{
	struct desc_ptr d;

	__asm__ volatile("sgdt %0" : "=m"(d));
	if (d.base < IDENTITY_END) {
		d.base += DIRECT_MAP_BASE;
		__asm__ volatile("lgdt %0" : : "m"(d));
	}
	__asm__ volatile("sidt %0" : "=m"(d));
	if (d.base && d.base < IDENTITY_END) {
		d.base += DIRECT_MAP_BASE;
		__asm__ volatile("lidt %0" : : "m"(d));
	}
}

static void cpu_features(void)
{
	struct cpuid_regs r = cpuid(0x80000000, 0);

	if (r.eax >= 0x80000001) {
		r = cpuid(0x80000001, 0);
		pte_nx = (r.edx & (1u << 20)) ? PTE_NX : 0;
		max_leaf = (r.edx & (1u << 26)) ? 3 : 2;
	} else {
		max_leaf = 2;
	}
	if (!pte_nx)
		printk("paging: warning: CPU without NX; data is executable\n");
	else if (!(rdmsr(MSR_EFER) & EFER_NXE))
		wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_NXE);
	BUG_ON(pte_nx && !(rdmsr(MSR_EFER) & EFER_NXE));
}

void paging_init(void)
{
	u64 cr4;

	cpu_features();
	pml4 = pt_alloc();
	pml4_pa = virt_to_phys(pml4);
	map_direct();
	map_image();
	prealloc_vmap();
	rebase_descriptor_tables();
	write_cr0(read_cr0() | CR0_WP);
	write_cr3(pml4_pa);
	cr4 = read_cr4();
	write_cr4(cr4 & ~CR4_PGE);	/* flush global entries too */
	write_cr4(cr4 | CR4_PGE);
	booted = true;
	memblock_set_alloc_limit(~0ull);
	printk("paging: kernel page tables at %#llx, direct map with %s pages, "
	       "NX %s\n", pml4_pa, max_leaf == 3 ? "1 GiB" : "2 MiB",
	       pte_nx ? "on" : "off");
}

phys_addr_t kernel_pml4_phys(void)
{
	return pml4_pa;
}

/* --- after boot --------------------------------------------------------- */

static void unmap_page(unsigned long va)
{
	unsigned int level;
	u64 *e = kernel_pte_lookup(va, &level);

	if (e && level == 1) {
		*e = 0;
		invlpg(va);
	}
}

int map_kernel_page(unsigned long va, phys_addr_t pa, u64 flags)
{
	unsigned long irq;
	int r;

	if (!IS_ALIGNED(va | pa, PAGE_SIZE) || va < KERNEL_HALF ||
	    !(pml4[LVL_IDX(va, PML4_LEVEL)] & PTE_P))
		return -EINVAL;
	irq = spin_lock_irqsave(&pt_lock);
	r = map_range(pml4, PML4_LEVEL, va, va + PAGE_SIZE, pa,
		      flags | PTE_P, 1);
	spin_unlock_irqrestore(&pt_lock, irq);
	return r;
}

void *ioremap(phys_addr_t pa, size_t size)
{
	unsigned long off = pa & (PAGE_SIZE - 1), va, n, irq;
	u64 flags = PTE_P | PTE_W | PTE_PCD | PTE_PWT | PTE_G | pte_nx;
	int r = 0;

	if (!size || pa + size < pa)
		return NULL;
	n = DIV_ROUND_UP(off + size, PAGE_SIZE);
	irq = spin_lock_irqsave(&pt_lock);
	va = vmap_next;
	/* One unmapped guard page after each mapping. */
	if (n + 1 > (IOREMAP_END - va) / PAGE_SIZE) {
		spin_unlock_irqrestore(&pt_lock, irq);
		return NULL;
	}
	for (unsigned long i = 0; i < n && !r; i++) {
		unsigned long v = va + i * PAGE_SIZE;

		r = map_range(pml4, PML4_LEVEL, v, v + PAGE_SIZE,
			      pa - off + i * PAGE_SIZE, flags, 1);
	}
	if (r) {
		for (unsigned long i = 0; i < n; i++)
			unmap_page(va + i * PAGE_SIZE);
	} else {
		vmap_next = va + (n + 1) * PAGE_SIZE;
	}
	spin_unlock_irqrestore(&pt_lock, irq);
	return r ? NULL : (void *)(va + off);
}

void iounmap(volatile void *addr, size_t size)
{
	unsigned long va = ALIGN_DOWN((unsigned long)addr, PAGE_SIZE);
	unsigned long end = ALIGN_UP((unsigned long)addr + size, PAGE_SIZE);
	unsigned long irq;

	if (!addr)
		return;
	BUG_ON(va < VMAP_BASE || end > vmap_next);
	irq = spin_lock_irqsave(&pt_lock);
	for (unsigned long a = va; a < end; a += PAGE_SIZE)
		unmap_page(a);
	spin_unlock_irqrestore(&pt_lock, irq);
	tlb_flush_range(va, end);
}

int paging_identity_map_low(phys_addr_t pa, bool map)
{
	unsigned long irq;
	int r = 0;

	if (pa >= LOW_MIB || !IS_ALIGNED(pa, PAGE_SIZE) || !booted)
		return -EINVAL;
	irq = spin_lock_irqsave(&pt_lock);
	if (map)
		r = map_range(pml4, PML4_LEVEL, pa, pa + PAGE_SIZE, pa,
			      PTE_P | PTE_W, 1);
	else
		unmap_page(pa);
	spin_unlock_irqrestore(&pt_lock, irq);
	return r;
}
