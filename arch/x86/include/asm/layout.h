/* arch/x86/include/asm/layout.h — the kernel's virtual memory layout.
 *
 *   0x0000000000000000 .. 0x00007fffffffffff  user space (later issues)
 *   0xffff888000000000 .. +64 TiB             direct map of all RAM (PML4 273..)
 *   0xffffc90000000000 .. +32 TiB             vmap/ioremap space (PML4 402..)
 *   0xffffffff80000000 .. +1 GiB              kernel image (phys 0 .. 1 GiB)
 *
 * Usable from assembly: only #defines here.
 */
#ifndef ASM_LAYOUT_H
#define ASM_LAYOUT_H

#define KERNEL_VMA		0xffffffff80000000
#define KERNEL_PHYS		0x200000
#define DIRECT_MAP_BASE		0xffff888000000000
#define VMAP_BASE		0xffffc90000000000
#define VMAP_SIZE		0x0000100000000000
#define PAGE_SHIFT		12
#define PAGE_SIZE		4096
#define KSTACK_SIZE		16384
/* SMP trampoline page, below 1 MiB (real-mode reachable). */
#define TRAMPOLINE_PHYS		0x8000

#ifndef __ASSEMBLER__
#include <tessera/types.h>
static inline void *phys_to_virt(phys_addr_t p)
{
	return (void *)(p + DIRECT_MAP_BASE);
}
static inline phys_addr_t virt_to_phys(const void *v)
{
	unsigned long a = (unsigned long)v;
	if (a >= KERNEL_VMA)
		return a - KERNEL_VMA;
	return a - DIRECT_MAP_BASE;
}
#endif

#endif
