/* kernel/watchdog.c — the soft-lockup watchdog (CONFIG_SOFTLOCKUP_WATCHDOG).
 *
 * A CPU is locked up when it keeps running code that cannot be preempted
 * — preemption or interrupts disabled, e.g. spinning on a lock — so the
 * scheduler cannot run anything else there.  Per CPU we keep the last
 * time the CPU was known to be fine ("touched"): at every context switch,
 * in every idle-loop iteration, and at every tick that interrupted
 * preemptible code (interrupts were on and preempt_count was 0, so the
 * scheduler could have switched).  A tick that finds the stamp older than
 * the threshold prints "watchdog: soft lockup on cpuN for Xs", the task,
 * the interrupted registers (cpu_local()->irq_regs) and their backtrace,
 * then re-arms, so a lockup that lasts is reported once per threshold.
 * Interrupts stuck off stop the tick too: that is a hard lockup, which
 * this watchdog cannot see (the lock debugger catches the spinning case).
 *
 * Parameter: watchdog_thresh=SECONDS (0 disables).  Callers: the scheduler
 * (watchdog_touch, watchdog_tick from sched_tick), selftests.
 */
#include <asm/ptrace.h>
#include <asm/x86.h>
#include <kernel/panic.h>
#include <kernel/param.h>
#include <kernel/printk.h>
#include <kernel/sched.h>
#include <kernel/smp.h>
#include <kernel/time.h>

#define RFLAGS_IF	(1ul << 9)

static int watchdog_thresh = CONFIG_SOFTLOCKUP_THRESH_S;
param_int("watchdog_thresh", watchdog_thresh,
	  "soft-lockup threshold in seconds (0: off)");

static u64 touched_ns[CONFIG_NR_CPUS];
static unsigned long nr_reports;

void watchdog_touch(void)
{
	WRITE_ONCE(touched_ns[smp_processor_id()], ktime_get_ns());
}

int watchdog_set_thresh(int seconds)
{
	return __atomic_exchange_n(&watchdog_thresh, seconds, __ATOMIC_RELAXED);
}

unsigned long watchdog_reports(void)
{
	return __atomic_load_n(&nr_reports, __ATOMIC_RELAXED);
}

static void report(int cpu, u64 stuck_ns, struct pt_regs *regs)
{
	struct task *t = current_task();

	__atomic_add_fetch(&nr_reports, 1, __ATOMIC_RELAXED);
	printk("watchdog: soft lockup on cpu%d for %llus [%s]\n", cpu,
	       stuck_ns / NSEC_PER_SEC, t ? task_name(t) : "?");
	dump_regs(regs);
	dump_stack_from(regs->rip, regs->rbp);
}

void watchdog_tick(void)
{
	struct cpu_local *cl = cpu_local();
	struct pt_regs *regs = cl->irq_regs;
	int cpu = smp_processor_id(), thresh = READ_ONCE(watchdog_thresh);
	u64 now = ktime_get_ns(), last = touched_ns[cpu];

	/* No trap frame: we cannot tell what was interrupted; assume fine. */
	if (thresh <= 0 || !last || !regs ||
	    ((regs->rflags & RFLAGS_IF) && !cl->preempt_count)) {
		touched_ns[cpu] = now;
		return;
	}
	if (now - last < (u64)thresh * NSEC_PER_SEC)
		return;
	touched_ns[cpu] = now;
	report(cpu, now - last, regs);
}
