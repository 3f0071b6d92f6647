/* arch/x86/include/asm/paging.h — kernel page tables (arch/x86/mm/).
 *
 * paging_init() replaces the boot tables: a direct map of all RAM at
 * DIRECT_MAP_BASE (1 GiB pages where the CPU has them, else 2 MiB; NX),
 * the kernel image at KERNEL_VMA with text RX, rodata R+NX, data RW+NX,
 * and nothing else (no identity map).  Secondary CPUs load the same CR3
 * (with EFER.NXE set before paging is on).  ioremap() hands out uncached
 * (PCD|PWT) page-granular mappings from a bump allocator in the vmap area.
 */
#ifndef ASM_PAGING_H
#define ASM_PAGING_H

#include <tessera/types.h>

#define PTE_P		(1ull << 0)
#define PTE_W		(1ull << 1)
#define PTE_U		(1ull << 2)
#define PTE_PWT		(1ull << 3)
#define PTE_PCD		(1ull << 4)
#define PTE_A		(1ull << 5)
#define PTE_D		(1ull << 6)
#define PTE_PS		(1ull << 7)
#define PTE_G		(1ull << 8)
#define PTE_NX		(1ull << 63)
#define PTE_ADDR_MASK	0x000ffffffffff000ull

void paging_init(void);
phys_addr_t kernel_pml4_phys(void);
/* Map MMIO [pa, pa+size) uncached; returns its virtual address or NULL. */
void *ioremap(phys_addr_t pa, size_t size);
/* Remove a mapping ioremap() returned, on every CPU (the virtual range is
 * not reused).  Interrupts must be on (TLB shootdown). */
void iounmap(volatile void *addr, size_t size);
/* Map one 4 KiB kernel page; returns 0 or -ENOMEM/-EEXIST. */
int map_kernel_page(unsigned long va, phys_addr_t pa, u64 flags);
/* The PTE for @va in the kernel tables, or NULL (for tests/debugging).
 * *level tells which table holds it: 1 = 4 KiB PTE, 2 = 2 MiB PDE,
 * 3 = 1 GiB PDPTE. */
u64 *kernel_pte_lookup(unsigned long va, unsigned int *level);
/* SMP bring-up: add (@map) or remove a 4 KiB identity mapping (RWX, not
 * global) of the page @pa < 1 MiB in the kernel tables, so a CPU can turn
 * on paging with kernel_pml4_phys() while running there.  Returns 0,
 * -EINVAL (pa not page-aligned or >= 1 MiB), -EEXIST or -ENOMEM.  Removal
 * flushes only this CPU's TLB: flush the others (tlb_flush_all) if they
 * ran there. */
int paging_identity_map_low(phys_addr_t pa, bool map);

#endif
