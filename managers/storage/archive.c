/* managers/storage/archive.c — which boot module is the boot archive.
 *
 * The loader hands modules over in boot_info->mods[] (physical ranges,
 * kept out of the page allocator by mm/init.c, so their memory stays
 * valid and unchanged for as long as the kernel runs — what cpio_open
 * requires).  The archive is the first module whose command line
 * contains the word "archive", else the first module (QEMU's -initrd
 * gives exactly one, with an empty command line).
 * Caller: service.c at role start.
 */
#include <asm/boot.h>
#include <asm/layout.h>
#include <lib/string.h>
#include "internal.h"

static bool says_archive(const char *cmdline)
{
	for (const char *p = cmdline; *p; p++)
		if (!strncmp(p, "archive", 7) &&
		    (p == cmdline || p[-1] == ' ') && (!p[7] || p[7] == ' '))
			return true;
	return false;
}

bool storage_find_archive(const void **data, size_t *len)
{
	const struct boot_module *pick = NULL;

	for (u32 i = 0; i < boot_info->nr_mods; i++) {
		const struct boot_module *m = &boot_info->mods[i];

		if (m->end <= m->start)
			continue;
		if (says_archive(m->cmdline)) {
			pick = m;
			break;
		}
		if (!pick)
			pick = m;
	}
	if (!pick)
		return false;
	*data = phys_to_virt(pick->start);
	*len = pick->end - pick->start;
	return true;
}

u32 storage_nr_modules(void)
{
	return boot_info->nr_mods;
}
