/* kernel/postmortem.c — what a hung machine says when asked.
 *
 * An NMI that no CPU requested (arch/x86/kernel/smp.c: nmi_handler) is a
 * request for a post-mortem: the launcher sends one through QEMU's monitor
 * (`nmi` reaches every CPU) when a run times out, and on real hardware it
 * is the front-panel NMI button.  Every CPU prints what it was doing (the
 * interrupted registers and kernel backtrace, or the user RIP); the first
 * CPU to arrive waits briefly for the others, then prints every task with
 * the kernel backtrace of the sleeping ones (sched_dump_tasks_nmi) and
 * runs the subsystems' registered dumps (FIT and pcache counters...).
 *
 * Everything here runs in NMI context: no sleeping, no locks that the
 * interrupted code may hold (the task list is taken with a trylock), and
 * printk's lock gives up after a bounded spin.  A second request while
 * one is in progress is ignored, a later one is answered again.
 */
#include <asm/ptrace.h>
#include <asm/x86.h>
#include <kernel/panic.h>
#include <kernel/printk.h>
#include <kernel/sched.h>
#include <kernel/smp.h>
#include <kernel/time.h>

static struct postmortem_hook *hooks;
static volatile int arrived;
static volatile int leader = -1;

void postmortem_register(struct postmortem_hook *h)
{
	h->next = hooks;
	hooks = h;
}

static void this_cpu_report(struct pt_regs *r)
{
	int cpu = smp_processor_id();

	if (user_mode(r)) {
		printk("post-mortem cpu%d: in user mode at rip %016llx rsp %016llx"
		       " (task %s)\n", cpu, r->rip, r->rsp, task_name(current_task()));
		return;
	}
	printk("post-mortem cpu%d: in the kernel (task %s)\n", cpu,
	       task_name(current_task()));
	dump_regs(r);
	dump_stack_from(r->rip, r->rbp);
}

void postmortem_nmi(struct pt_regs *r)
{
	int cpu = smp_processor_id(), none = -1;
	u64 until;

	if (!__atomic_compare_exchange_n(&leader, &none, cpu, false,
					 __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)) {
		this_cpu_report(r);
		__atomic_add_fetch(&arrived, 1, __ATOMIC_SEQ_CST);
		return;
	}
	printk("post-mortem requested (NMI) — %d CPUs online\n",
	       nr_cpus_online());
	this_cpu_report(r);
	/* Let the other CPUs print first (bounded: one may be stuck with
	 * NMIs blocked, or already in its own NMI). */
	until = ktime_get_ns() + 500 * NSEC_PER_MSEC;
	while (arrived < nr_cpus_online() - 1 && ktime_get_ns() < until)
		cpu_relax();
	sched_dump_tasks_nmi();
	for (struct postmortem_hook *h = hooks; h; h = h->next) {
		printk("post-mortem: %s\n", h->name);
		h->dump();
	}
	printk("post-mortem end\n");
	arrived = 0;
	__atomic_store_n(&leader, -1, __ATOMIC_SEQ_CST);
}
