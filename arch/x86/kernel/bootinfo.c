/* arch/x86/kernel/bootinfo.c — translate the boot loader's handoff.
 *
 * PVH (QEMU -kernel): struct hvm_start_info (Xen's public arch-x86/
 * hvm/start_info.h, version >= 1 has the memory map) with the command line,
 * modules and RSDP.  multiboot2 (GRUB2): a tag list with the command line,
 * the memory map (type 6), modules (type 3) and ACPI RSDP copies (14/15).
 *
 * Runs before memory management: the loader's data is read through the
 * boot direct map of the first 4 GiB, and everything is copied into the
 * static struct boot_info, so nothing later depends on loader memory.
 * Every length is checked; a malformed structure gives -EINVAL.
 */
#include <asm/boot.h>
#include <asm/layout.h>
#include <lib/string.h>
#include <uapi/errno.h>

#define PVH_MAGIC	0x336ec578
#define MB2_TAG_END	0
#define MB2_TAG_CMDLINE	1
#define MB2_TAG_MODULE	3
#define MB2_TAG_MMAP	6
#define MB2_TAG_ACPI1	14
#define MB2_TAG_ACPI2	15
#define LOW_4G		0x100000000ull

struct pvh_start_info {
	u32 magic, version, flags, nr_modules;
	u64 modlist_paddr, cmdline_paddr, rsdp_paddr;
	u64 memmap_paddr;
	u32 memmap_entries, reserved;
};

struct pvh_mod {
	u64 paddr, size, cmdline_paddr, reserved;
};

struct pvh_memmap {
	u64 addr, size;
	u32 type, reserved;
};

struct mb2_tag {
	u32 type, size;
};

static struct boot_info the_boot_info;
const struct boot_info *boot_info = &the_boot_info;

/* Read loader memory below 4 GiB only (the boot direct map's extent). */
static const void *low(u64 pa, u64 len)
{
	if (!pa || pa >= LOW_4G || len > LOW_4G - pa)
		return NULL;
	return phys_to_virt(pa);
}

static void copy_cstr(char *dst, size_t size, u64 pa)
{
	const char *s = low(pa, 1);

	dst[0] = 0;
	if (s)
		strscpy(dst, s, size);
}

static void add_mem(struct boot_info *bi, u64 base, u64 len, u32 type)
{
	if (bi->nr_mem >= BOOT_MAX_MEM || !len)
		return;
	/* e820 and multiboot2 share the type numbering 1..5. */
	if (type < BOOT_MEM_RAM || type > BOOT_MEM_BAD)
		type = BOOT_MEM_RESERVED;
	bi->mem[bi->nr_mem++] = (struct boot_mem){ base, len, type };
}

static int parse_pvh(phys_addr_t info, struct boot_info *bi)
{
	const struct pvh_start_info *si = low(info, sizeof(*si));

	if (!si || si->magic != PVH_MAGIC || si->version < 1)
		return -EINVAL;
	bi->loader = "pvh";
	copy_cstr(bi->cmdline, sizeof(bi->cmdline), si->cmdline_paddr);
	bi->rsdp = si->rsdp_paddr;
	const struct pvh_memmap *mm =
		low(si->memmap_paddr, (u64)si->memmap_entries * sizeof(*mm));
	if (!mm)
		return -EINVAL;
	for (u32 i = 0; i < si->memmap_entries; i++)
		add_mem(bi, mm[i].addr, mm[i].size, mm[i].type);
	const struct pvh_mod *mods =
		low(si->modlist_paddr, (u64)si->nr_modules * sizeof(*mods));
	for (u32 i = 0; mods && i < si->nr_modules && i < BOOT_MAX_MODS; i++) {
		struct boot_module *m = &bi->mods[bi->nr_mods++];
		m->start = mods[i].paddr;
		m->end = mods[i].paddr + mods[i].size;
		copy_cstr(m->cmdline, sizeof(m->cmdline), mods[i].cmdline_paddr);
	}
	return 0;
}

static void mb2_mmap(const struct mb2_tag *t, struct boot_info *bi)
{
	const u32 *w = (const u32 *)t;
	u32 esize = w[2];
	const u8 *e = (const u8 *)t + 16, *end = (const u8 *)t + t->size;

	if (esize < 24)
		return;
	for (; e + esize <= end; e += esize) {
		const u64 *q = (const u64 *)e;
		add_mem(bi, q[0], q[1], *(const u32 *)(e + 16));
	}
}

static void mb2_module(const struct mb2_tag *t, struct boot_info *bi)
{
	const u32 *w = (const u32 *)t;
	struct boot_module *m;

	if (t->size < 17 || bi->nr_mods >= BOOT_MAX_MODS)
		return;
	m = &bi->mods[bi->nr_mods++];
	m->start = w[2];
	m->end = w[3];
	strscpy(m->cmdline, (const char *)&w[4],
		MIN(sizeof(m->cmdline), (size_t)(t->size - 16)));
}

static int parse_mb2(phys_addr_t info, struct boot_info *bi)
{
	const u32 *hdr = low(info, 8);
	const u8 *p, *end;

	if (!hdr || hdr[0] < 16 || !low(info, hdr[0]))
		return -EINVAL;
	bi->loader = "multiboot2";
	p = (const u8 *)hdr + 8;
	end = (const u8 *)hdr + hdr[0];
	while (p + 8 <= end) {
		const struct mb2_tag *t = (const void *)p;

		if (t->size < 8 || p + t->size > end)
			return -EINVAL;
		if (t->type == MB2_TAG_END)
			break;
		if (t->type == MB2_TAG_CMDLINE)
			strscpy(bi->cmdline, (const char *)(t + 1),
				MIN(sizeof(bi->cmdline), (size_t)(t->size - 8)));
		else if (t->type == MB2_TAG_MMAP)
			mb2_mmap(t, bi);
		else if (t->type == MB2_TAG_MODULE)
			mb2_module(t, bi);
		else if ((t->type == MB2_TAG_ACPI1 || t->type == MB2_TAG_ACPI2) &&
			 !bi->rsdp)
			bi->rsdp = info + (p + 8 - (const u8 *)hdr);
		p += ALIGN_UP(t->size, 8);
	}
	return bi->nr_mem ? 0 : -EINVAL;
}

int bootinfo_parse(u32 proto, phys_addr_t info)
{
	struct boot_info *bi = &the_boot_info;

	memset(bi, 0, sizeof(*bi));
	if (proto == BOOT_PVH)
		return parse_pvh(info, bi);
	if (proto == BOOT_MB2)
		return parse_mb2(info, bi);
	return -EINVAL;
}
