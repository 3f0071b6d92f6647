/* kernel/main.c — start_kernel: the boot sequence, in order.
 *
 * Called by arch/x86/boot/head.S on the boot CPU in long mode, on the boot
 * stack, interrupts off, with the boot page tables.  Each step may rely on
 * every step above it:
 *
 *   serial, per-CPU (%gs), CPU features, descriptor tables  -> printk, traps
 *   boot info, command line, ACPI MADT (boot map still covers low 4 GiB)
 *   TSC clock, memory (memblock, page tables, buddy, kmalloc)
 *   LAPIC/IOAPIC, scheduler, the boot CPU's bring-up, the other CPUs
 *   PCI devices and their drivers
 *   FIT, the RPC layer between nodes (node identity, workers, discovery)
 *   selftests (selftest=GLOB), then idle.
 *
 * Managers are started through the ROLE_INIT entries they declare;
 * nothing here knows about roles.
 */
#include <asm/apic.h>
#include <asm/boot.h>
#include <asm/cpu.h>
#include <asm/irq.h>
#include <asm/smpboot.h>
#include <asm/tsc.h>
#include <asm/x86.h>
#include <drivers/pci.h>
#include <drivers/serial.h>
#include <fit/fit.h>
#include <kernel/kallsyms.h>
#include <kernel/machine.h>
#include <kernel/panic.h>
#include <kernel/param.h>
#include <kernel/printk.h>
#include <kernel/role.h>
#include <kernel/sched.h>
#include <kernel/selftest.h>
#include <kernel/smp.h>
#include <mm/mm.h>

void start_kernel(u32 proto, phys_addr_t info);

/* The rest of the boot runs in a thread: role inits may sleep (mounts,
 * network calls), and the boot context is about to become CPU 0's idle
 * task, which must never sleep. */
static int late_init(void *unused)
{
	roles_start();
	selftest_start();
	return 0;
}

void start_kernel(u32 proto, phys_addr_t info)
{
	struct task *init;

	tsc_mark_entry();
	serial_init();
	printf_set_symbolizer(kallsyms_snprint);
	cpu_early_init();
	idt_init();
	cpu_setup(0);
	if (bootinfo_parse(proto, info))
		panic("boot: unreadable boot information (protocol %u at %#llx)",
		      proto, (unsigned long long)info);
	printk("Tessera splitkernel booting (loader: %s)\n", boot_info->loader);
	printk("cmdline: %s\n", boot_info->cmdline);
	param_parse(boot_info->cmdline);
	smp_early_init();
	tsc_init();
	mm_init();
	apic_init();
	ioapic_init();
	smp_init_ipis();
	sched_init();
	cpu_bringup(0);
	smp_boot_cpus();
	pci_init();
	serial_aux_init();
	fit_init();
	init = kthread_run(late_init, NULL, "init");
	if (!init)
		panic("boot: cannot start the init thread (out of memory)");
	kthread_detach(init);
	cpu_idle_loop();
}
