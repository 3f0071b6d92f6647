/* arch/x86/kernel/smpboot.c — finding and starting the CPUs.
 *
 * CPU numbers are dense: 0 is the boot CPU, then the MADT's other enabled
 * CPUs in table order.  APs are started one at a time (they share the
 * trampoline page): INIT, 10 ms, SIPI, and a second SIPI if the AP has
 * not checked in after 1 ms; an AP that never checks in within a second
 * is reported and left offline.
 *
 * cpu_bringup() is the one per-CPU bring-up path (LESSONS 7): the boot CPU
 * and every AP run it, in the same order, with interrupts off.
 */
#include <asm/apic.h>
#include <asm/boot.h>
#include <asm/cpu.h>
#include <asm/layout.h>
#include <asm/paging.h>
#include <asm/smpboot.h>
#include <asm/x86.h>
#include <drivers/acpi.h>
#include <kernel/panic.h>
#include <kernel/printk.h>
#include <kernel/sched.h>
#include <kernel/smp.h>
#include <kernel/time.h>
#include <lib/string.h>
#include <mm/mm.h>
#include <uapi/errno.h>

extern const char trampoline_start[], trampoline_end[], trampoline_params[];

struct tramp_params {
	u64 cr3, stack, entry, cpu;
};

static struct acpi_madt_info madt;
static u32 cpu_apicid[CONFIG_NR_CPUS];
static int nr_possible = 1;
static volatile bool online[CONFIG_NR_CPUS];
static volatile int nr_online;

const struct acpi_madt_info *smp_madt(void)
{
	return &madt;
}

int nr_cpus_online(void)
{
	return nr_online;
}

int nr_cpus_possible(void)
{
	return nr_possible;
}

bool cpu_is_online(int cpu)
{
	return cpu >= 0 && cpu < nr_possible && online[cpu];
}

u32 cpu_to_apicid(int cpu)
{
	return cpu_apicid[cpu];
}

static u32 bsp_apicid(void)
{
	struct cpuid_regs r = cpuid(0, 0);

	if (r.eax >= 0xb && cpuid(0xb, 0).ebx)
		return cpuid(0xb, 0).edx;
	return cpuid(1, 0).ebx >> 24;
}

void smp_early_init(void)
{
	u32 bsp = bsp_apicid();

	cpu_apicid[0] = bsp;
	if (acpi_madt_parse(boot_info->rsdp, &madt)) {
		pr_warn("smp: no usable MADT, running on the boot CPU only\n");
		return;
	}
	for (u32 i = 0; i < madt.nr_cpus; i++)
		if (madt.apic_ids[i] != bsp && nr_possible < CONFIG_NR_CPUS)
			cpu_apicid[nr_possible++] = madt.apic_ids[i];
	printk("smp: %d CPUs in the MADT, %u I/O APIC(s)\n", nr_possible,
	       madt.nr_ioapics);
}

void cpu_bringup(int cpu)
{
	smp_call_init_cpu(cpu);
	apic_cpu_init();
	timers_init_cpu(cpu);
	sched_init_cpu(cpu);
	cpu_local()->apic_id = apic_id();
	online[cpu] = true;
	__atomic_add_fetch(&nr_online, 1, __ATOMIC_SEQ_CST);
}

static __noreturn void ap_entry(int cpu)
{
	percpu_set_gs(cpu);
	cpu_setup(cpu);
	cpu_bringup(cpu);
	cpu_idle_loop();
}

static bool wait_online(int cpu, u64 ns)
{
	u64 end = ktime_get_ns() + ns;

	while (!online[cpu] && ktime_get_ns() < end)
		cpu_relax();
	return online[cpu];
}

static int start_ap(int cpu)
{
	struct tramp_params *p;
	u8 *stack = alloc_pages(2);	/* KSTACK_SIZE */
	int err = percpu_alloc_cpu(cpu);

	if (!stack || err)
		return -ENOMEM;
	p = phys_to_virt(TRAMPOLINE_PHYS + (trampoline_params - trampoline_start));
	p->cr3 = kernel_pml4_phys();
	p->stack = (u64)stack + KSTACK_SIZE;
	p->entry = (u64)ap_entry;
	p->cpu = cpu;
	__sync_synchronize();
	apic_send_ipi(cpu_apicid[cpu], APIC_DM_INIT, 0);
	udelay(10000);
	for (int i = 0; i < 2; i++) {
		apic_send_ipi(cpu_apicid[cpu], APIC_DM_STARTUP,
			      TRAMPOLINE_PHYS >> 12);
		if (wait_online(cpu, i ? 1000 * NSEC_PER_MSEC : NSEC_PER_MSEC))
			return 0;
	}
	/* Keep the stack: a late AP may still be about to use it. */
	return -ETIMEDOUT;
}

void smp_boot_cpus(void)
{
	size_t len = trampoline_end - trampoline_start;

	if (nr_possible == 1)
		return;
	if (kernel_pml4_phys() >= (1ull << 32))
		panic("smp: kernel page tables above 4 GiB; APs cannot load them");
	if (paging_identity_map_low(TRAMPOLINE_PHYS, true))
		panic("smp: cannot map the trampoline page");
	memcpy(phys_to_virt(TRAMPOLINE_PHYS), trampoline_start, len);
	for (int cpu = 1; cpu < nr_possible; cpu++)
		if (start_ap(cpu))
			pr_warn("smp: cpu%d (APIC id %u) did not start\n", cpu,
				cpu_apicid[cpu]);
	paging_identity_map_low(TRAMPOLINE_PHYS, false);
	printk("smp: %d of %d CPUs online\n", nr_online, nr_possible);
}
