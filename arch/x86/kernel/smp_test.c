/* arch/x86/kernel/smp_test.c — selftests of cross-CPU calls, TLB
 * shootdown, NMI backtraces, exception fixups, and the memory-touch probe
 * that scripts/tessera uses to decide whether KVM is really fast. */
#include <asm/extable.h>
#include <asm/irq.h>
#include <asm/layout.h>
#include <asm/paging.h>
#include <asm/x86.h>
#include <kernel/printk.h>
#include <kernel/sched.h>
#include <kernel/selftest.h>
#include <kernel/smp.h>
#include <kernel/time.h>
#include <lib/string.h>
#include <mm/mm.h>
#include <uapi/errno.h>

static int ran_on[CONFIG_NR_CPUS];
static int calls;

static void record_cpu(void *arg)
{
	ran_on[smp_processor_id()] = (int)(long)arg;
	__atomic_add_fetch(&calls, 1, __ATOMIC_SEQ_CST);
}

SELFTEST(smp_call_single)
{
	int cpu;

	memset(ran_on, 0, sizeof(ran_on));
	for_each_online_cpu(cpu)
		ST_EQ(smp_call_function_single(cpu, record_cpu,
					       (void *)(long)(cpu + 100), true), 0);
	for_each_online_cpu(cpu)
		ST_EQ(ran_on[cpu], cpu + 100);
	ST_EQ(smp_call_function_single(nr_cpus_possible(), record_cpu, NULL,
				       true), -ENXIO);
	return 0;
}

SELFTEST(smp_call_all)
{
	u64 end;

	for (int round = 0; round < 200; round++) {
		calls = 0;
		on_each_cpu(record_cpu, (void *)1l, true);
		ST_EQ(calls, nr_cpus_online());
	}
	calls = 0;
	smp_call_function(record_cpu, (void *)2l, false);
	end = ktime_get_ns() + NSEC_PER_SEC;
	while (__atomic_load_n(&calls, __ATOMIC_SEQ_CST) < nr_cpus_online() - 1 &&
	       ktime_get_ns() < end)
		msleep(1);
	ST_EQ(calls, nr_cpus_online() - 1);
	return 0;
}

#define TEST_VA (VMAP_BASE + VMAP_SIZE / 2)

static u64 seen[CONFIG_NR_CPUS];

static void read_test_va(void *arg)
{
	seen[smp_processor_id()] = *(volatile u64 *)TEST_VA;
}

SELFTEST(tlb_shootdown)
{
	u64 *a = alloc_page(), *b = alloc_page(), *pte;
	unsigned int level;
	int cpu, err = 0;

	ST_ASSERT(a && b);
	*a = 0xaaaaaaaa;
	*b = 0xbbbbbbbb;
	ST_EQ(map_kernel_page(TEST_VA, virt_to_phys(a), PTE_P | PTE_W | PTE_NX), 0);
	on_each_cpu(read_test_va, NULL, true);
	for_each_online_cpu(cpu)
		if (seen[cpu] != 0xaaaaaaaa)
			err = -1;
	pte = kernel_pte_lookup(TEST_VA, &level);
	ST_ASSERT(pte && level == 1);
	*pte = (*pte & ~PTE_ADDR_MASK) | virt_to_phys(b);
	tlb_flush_range(TEST_VA, TEST_VA + 4096);
	on_each_cpu(read_test_va, NULL, true);
	for_each_online_cpu(cpu)
		if (seen[cpu] != 0xbbbbbbbb)
			err = -2;
	*pte = 0;
	tlb_flush_range(TEST_VA, TEST_VA + 4096);
	free_page(a);
	free_page(b);
	ST_EQ(err, 0);
	return 0;
}

SELFTEST(extable_fixup)
{
	u64 v = 0, good = 0x1234;

	ST_EQ(probe_kernel_read_u64(&good, &v), 0);
	ST_EQ(v, 0x1234);
	ST_EQ(probe_kernel_read_u64((void *)(VMAP_BASE + VMAP_SIZE - 4096), &v),
	      -EFAULT);
	ST_EQ(probe_kernel_read_u64((void *)0x10, &v), -EFAULT);
	return 0;
}

static volatile bool spin_stop;

static int spin_irqs_off(void *arg)
{
	unsigned long f = local_irq_save();

	*(volatile bool *)arg = true;
	while (!spin_stop)
		cpu_relax();
	local_irq_restore(f);
	return 0;
}

SELFTEST(nmi_backtrace)
{
	volatile bool started = false;
	struct task *th;
	int target = nr_cpus_online() - 1;

	if (target == smp_processor_id())
		target = 0;
	if (nr_cpus_online() < 2)
		return smp_send_backtrace_nmi(0) == 0 ? 0 : -1;
	spin_stop = false;
	th = kthread_run_on(spin_irqs_off, (void *)&started, target, "nmi-spin");
	ST_ASSERT(th);
	while (!started)
		msleep(1);
	/* The target spins with interrupts off: only an NMI reaches it. */
	int err = smp_send_backtrace_nmi(target);
	spin_stop = true;
	kthread_join(th);
	ST_EQ(err, 0);
	return 0;
}

/* Touch 64 MiB; scripts/tessera times this to tell a real KVM from a
 * paravirtualized one that crawls on memory-touching guests. */
SELFTEST(probe_memtouch)
{
	enum { BLOCKS = 16, ORDER = 10 };	/* 16 x 4 MiB */
	void *blk[BLOCKS];
	u64 t0 = ktime_get_ns();
	int n = 0;

	for (; n < BLOCKS; n++) {
		blk[n] = alloc_pages(ORDER);
		if (!blk[n])
			break;
		memset(blk[n], 0x5a, 4096ul << ORDER);
	}
	for (int i = 0; i < n; i++)
		free_pages(blk[i], ORDER);
	ST_EQ(n, BLOCKS);
	printk("probe_memtouch: 64 MiB in %llu ms\n",
	       (ktime_get_ns() - t0) / NSEC_PER_MSEC);
	return 0;
}
