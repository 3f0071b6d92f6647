/* kernel/main.c — start_kernel: the boot sequence, in order.
 *
 * Called by arch/x86/boot/head.S on the boot CPU in long mode, on the boot
 * stack, interrupts off, with the boot page tables.  Each step may rely on
 * every step above it.  Roles (managers) are started last through hooks
 * they register; nothing here knows about roles.
 */
#include <asm/boot.h>
#include <asm/x86.h>
#include <drivers/serial.h>
#include <kernel/kallsyms.h>
#include <kernel/machine.h>
#include <kernel/panic.h>
#include <kernel/param.h>
#include <kernel/printk.h>
#include <mm/mm.h>

void start_kernel(u32 proto, phys_addr_t info);

void start_kernel(u32 proto, phys_addr_t info)
{
	serial_init();
	printf_set_symbolizer(kallsyms_snprint);
	if (bootinfo_parse(proto, info))
		panic("boot: unreadable boot information (protocol %u at %#llx)",
		      proto, (unsigned long long)info);
	printk("Tessera splitkernel booting (loader: %s)\n", boot_info->loader);
	printk("cmdline: %s\n", boot_info->cmdline);
	param_parse(boot_info->cmdline);
	mm_init();
	machine_exit(MACHINE_EXIT_OK);
}
