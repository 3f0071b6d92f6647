/* arch/x86/kernel/percpu.c — per-CPU data areas.
 *
 * The linker collects per-CPU variables into .percpu.  CPU 0 uses that
 * linked copy directly (offset 0), so per-CPU data works from the first
 * instruction of start_kernel.  Before CPU 0 writes anything, a pristine
 * copy of the section is saved; every other CPU gets a fresh copy of that
 * template in pages from the buddy allocator, so no CPU ever inherits
 * another CPU's run-time state (pointers into CPU 0's lists, say).
 *
 * %gs base = address of the CPU's struct cpu_local (its `self` field
 * makes cpu_local() one load).
 */
#include <asm/cpu.h>
#include <asm/x86.h>
#include <kernel/machine.h>
#include <kernel/panic.h>
#include <kernel/printk.h>
#include <kernel/smp.h>
#include <lib/string.h>
#include <mm/mm.h>
#include <uapi/errno.h>

#define PERCPU_TEMPLATE_MAX (64 * 1024)

extern char __percpu_start[], __percpu_end[];
unsigned long percpu_offset[CONFIG_NR_CPUS];
static DEFINE_PER_CPU(struct cpu_local, cpu_local_area);
static u8 percpu_template[PERCPU_TEMPLATE_MAX];

void percpu_set_gs(int cpu)
{
	struct cpu_local *cl = per_cpu_ptr(&cpu_local_area, cpu);

	cl->self = cl;
	cl->offset = percpu_offset[cpu];
	cl->cpu = cpu;
	wrmsr(MSR_GS_BASE, (u64)cl);
	wrmsr(MSR_KERNEL_GS_BASE, 0);
}

/* Boot CPU, first thing: save the template, then use the linked copy. */
void percpu_boot_init(void)
{
	size_t size = __percpu_end - __percpu_start;

	if (size > PERCPU_TEMPLATE_MAX)
		panic("percpu: section is %zu bytes, template holds %u", size,
		      PERCPU_TEMPLATE_MAX);
	memcpy(percpu_template, __percpu_start, size);
	percpu_offset[0] = 0;
	percpu_set_gs(0);
	machine_set_cpu_local_ready();
	printk_percpu_ready();
}

int percpu_alloc_cpu(int cpu)
{
	size_t size = __percpu_end - __percpu_start;
	unsigned int order = 0;
	char *area;

	if (cpu <= 0 || cpu >= CONFIG_NR_CPUS)
		return -EINVAL;
	while ((4096ul << order) < size)
		order++;
	area = alloc_pages(order);
	if (!area)
		return -ENOMEM;
	memcpy(area, percpu_template, size);
	percpu_offset[cpu] = area - __percpu_start;
	return 0;
}
