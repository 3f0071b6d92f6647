/* mm/init.c — mm_init(): from the boot memory map to a working kmalloc.
 *
 * Order (each step relies on the ones before):
 *   1. memblock_add() every usable RAM range of boot_info's memory map
 *      (holes, e.g. the PCI hole below 4 GiB, simply stay out of it);
 *   2. memblock_reserve() what is not free: the first MiB (BIOS data, the
 *      SMP trampoline page TRAMPOLINE_PHYS, real-mode tables), the kernel
 *      image from KERNEL_PHYS (the .boot section precedes __kernel_start)
 *      to __kernel_end, and the boot modules;
 *   3. refuse to boot below CONFIG_MIN_RAM_MB;
 *   4. paging_init() (final page tables, page-table pages from memblock),
 *      page_alloc_init() (buddy allocator takes every free range; memblock
 *      is frozen), kmalloc_init().
 *
 * Called once by start_kernel() on the boot CPU, interrupts off, after
 * bootinfo_parse() and param_parse(), before anything allocates.
 */
#include <asm/boot.h>
#include <asm/layout.h>
#include <asm/paging.h>
#include <kernel/panic.h>
#include <kernel/printk.h>
#include "internal.h"

#define LOW_RESERVE	0x100000ull
#define MIB		(1024ull * 1024)

extern char __kernel_end[];

static const char *const mem_type_names[] = {
	[BOOT_MEM_RAM] = "usable", [BOOT_MEM_RESERVED] = "reserved",
	[BOOT_MEM_ACPI] = "ACPI data", [BOOT_MEM_NVS] = "ACPI NVS",
	[BOOT_MEM_BAD] = "unusable",
};

static void add_boot_memory(void)
{
	for (u32 i = 0; i < boot_info->nr_mem; i++) {
		const struct boot_mem *m = &boot_info->mem[i];
		u32 t = m->type < ARRAY_SIZE(mem_type_names) ? m->type : 0;

		printk("mm: [0x%012llx-0x%012llx] %s\n", m->base,
		       m->base + m->len - 1,
		       mem_type_names[t] ? mem_type_names[t] : "?");
		if (m->type == BOOT_MEM_RAM)
			memblock_add(m->base, m->len);
	}
}

static void reserve_boot(void)
{
	phys_addr_t kend = (unsigned long)__kernel_end - KERNEL_VMA;

	memblock_reserve(0, LOW_RESERVE);
	memblock_reserve(TRAMPOLINE_PHYS, PAGE_SIZE);
	memblock_reserve(KERNEL_PHYS, kend - KERNEL_PHYS);
	for (u32 i = 0; i < boot_info->nr_mods; i++) {
		const struct boot_module *m = &boot_info->mods[i];

		if (m->end > m->start)
			memblock_reserve(m->start, m->end - m->start);
	}
}

/* Firmware keeps part of the RAM a machine is given for itself (BIOS
 * data below 1 MiB, ACPI tables: about 0.5 MiB under QEMU), so "-m 64"
 * yields a little less than 64 MiB of usable RAM.  Allow 1 MiB for it. */
#define FIRMWARE_SLACK	MIB

void mm_init(void)
{
	add_boot_memory();
	reserve_boot();
	if (memblock_total_ram() + FIRMWARE_SLACK < CONFIG_MIN_RAM_MB * MIB)
		panic("mm: only %llu KiB of usable RAM found; Tessera needs at "
		      "least %d MiB (CONFIG_MIN_RAM_MB)",
		      memblock_total_ram() >> 10, CONFIG_MIN_RAM_MB);
	paging_init();
	page_alloc_init();
	kmalloc_init();
	printk("mm: %llu MiB RAM, %lu of %lu pages free (%lu MiB), "
	       "kernel image %lu KiB\n", memblock_total_ram() / MIB,
	       nr_free_pages(), nr_total_pages(), nr_free_pages() >> 8,
	       ((unsigned long)__kernel_end - KERNEL_VMA - KERNEL_PHYS) >> 10);
}
