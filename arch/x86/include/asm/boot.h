/* arch/x86/include/asm/boot.h — what the boot loader told us, in one
 * loader-independent form (arch/x86/kernel/bootinfo.c parses PVH's
 * hvm_start_info and multiboot2's tag list into it). */
#ifndef ASM_BOOT_H
#define ASM_BOOT_H

#include <tessera/types.h>

#define BOOT_PVH	1
#define BOOT_MB2	2

#define BOOT_MAX_MEM	64
#define BOOT_MAX_MODS	8

enum boot_mem_type { BOOT_MEM_RAM = 1, BOOT_MEM_RESERVED = 2,
		     BOOT_MEM_ACPI = 3, BOOT_MEM_NVS = 4, BOOT_MEM_BAD = 5 };

struct boot_mem {
	u64 base, len;
	u32 type;
};

struct boot_module {
	u64 start, end;		/* physical */
	char cmdline[64];
};

struct boot_info {
	const char *loader;		/* "pvh" or "multiboot2" */
	char cmdline[1024];
	struct boot_mem mem[BOOT_MAX_MEM];
	u32 nr_mem;
	struct boot_module mods[BOOT_MAX_MODS];
	u32 nr_mods;
	u64 rsdp;			/* physical, 0 if the loader gave none */
};

/* Parse the loader's data at physical @info for protocol @proto.
 * Returns 0 or -EINVAL (the caller panics: nothing else can run). */
int bootinfo_parse(u32 proto, phys_addr_t info);
extern const struct boot_info *boot_info;

#endif
