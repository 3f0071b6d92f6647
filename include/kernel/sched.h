/* include/kernel/sched.h — tasks and the scheduler (kernel/sched/).
 *
 * Per-CPU runqueues, round-robin with a time slice, preemption on the timer
 * tick and on wake-up.  Kernel threads are tasks without a user address
 * space.  A task runs on one CPU unless migrated by the load balancer;
 * kthread_create_on() pins it.
 *
 * Sleeping: set_current_state(TASK_INTERRUPTIBLE/UNINTERRUPTIBLE), check the
 * condition, schedule().  A wake_up_process() between the two is never
 * lost, and a preemption between the two does not put the task to sleep.
 * Wait queues and completions build on this (kernel/wait.h).
 *
 * Per-CPU state in struct cpu_local (kernel/smp.h), as the scheduler
 * defines it:
 *  - current: the task running on this CPU (its idle task when idle);
 *    NULL until sched_init_cpu() ran on the CPU.
 *  - preempt_count: preempt_disable() nesting (spin_lock counts).  0 means
 *    preemptible if interrupts are on and irq_depth is 0.  Interrupt entry
 *    does not change it.
 *  - need_resched: this CPU should call the scheduler at the next
 *    preemption point (interrupt return, preempt_enable()).  Set by the
 *    tick and by wake-ups; cleared by the scheduler under the runqueue lock.
 *  - irq_depth: interrupt nesting, maintained by the arch entry code; no
 *    sleeping or scheduling while it is non-zero.
 */
#ifndef KERNEL_SCHED_H
#define KERNEL_SCHED_H

#include <tessera/compiler.h>

struct task;
struct thread_arch;

enum task_state {
	TASK_RUNNING = 0,
	TASK_INTERRUPTIBLE = 1,
	TASK_UNINTERRUPTIBLE = 2,
	TASK_DEAD = 4,
};

typedef int (*kthread_fn_t)(void *arg);

/* Create a kernel thread (not yet running).  Returns NULL on -ENOMEM.
 * May sleep. */
struct task *kthread_create(kthread_fn_t fn, void *arg, const char *name);
/* As above, bound to @cpu. */
struct task *kthread_create_on(kthread_fn_t fn, void *arg, int cpu,
			       const char *name);
struct task *kthread_run(kthread_fn_t fn, void *arg, const char *name);
struct task *kthread_run_on(kthread_fn_t fn, void *arg, int cpu,
			    const char *name);
/* Wait for @t to exit; returns its return value and frees it.  Every
 * created kthread is joined exactly once, or detached with kthread_detach. */
int kthread_join(struct task *t);
void kthread_detach(struct task *t);
__noreturn void kthread_exit(int code);

struct task *current_task(void);
/* The architecture part of @t (asm/thread.h): a user thread's owner fills
 * it in before the thread first runs; the XSAVE area is freed with @t. */
struct thread_arch *task_arch(struct task *t);
/* Top of @t's kernel stack (0 for an idle task, which runs on the boot or
 * AP stack). */
unsigned long task_kstack_top(const struct task *t);
/* The user ABI layer's per-thread object (managers/processor/ sets it
 * before a user thread first runs; NULL for kernel threads). */
void *task_abi(const struct task *t);
void task_set_abi(struct task *t, void *abi);
const char *task_name(const struct task *t);
int task_cpu(const struct task *t);
u64 task_runtime_ns(const struct task *t);

void set_current_state(enum task_state s);
bool wake_up_process(struct task *t);
void schedule(void);
void yield(void);
/* Sleep at least @ns (rounded up to the timer tick).  May sleep. */
void sleep_ns(u64 ns);
void msleep(unsigned int ms);
/* schedule() with a timeout: returns remaining ns (0 if it expired). */
u64 schedule_timeout(u64 ns);

void preempt_disable(void);
void preempt_enable(void);
bool preemptible(void);
/* preempt_enable() split in two, for sequences that turn interrupts back
 * on in between (spin_unlock_irqrestore): drop the count while interrupts
 * are still off, so a tick arriving right after they come back finds a
 * preemptible context, then reschedule if that is due. */
void preempt_enable_no_resched(void);
void preempt_check_resched(void);

/* Called by the timer interrupt on every CPU, interrupts off. */
void sched_tick(void);
/* True in interrupt context (irq_depth > 0). */
bool in_interrupt(void);
/* Boot: make the running context the idle task of this CPU and start
 * scheduling.  sched_init() once on the boot CPU before any kthread. */
void sched_init(void);
void sched_init_cpu(int cpu);
__noreturn void cpu_idle_loop(void);
/* Set by the arch IPI handler: reschedule on interrupt return. */
void sched_resched_ipi(void);
/* Called on interrupt exit, interrupts off, on the interrupted task's own
 * kernel stack, after irq_depth went back to 0, when the interrupted
 * context had interrupts on and need_resched && preempt_count == 0.  The
 * task may resume later on another CPU: per-CPU values read before the
 * call are stale after it. */
void preempt_schedule_irq(void);

/* Statistics for selftests and the debugger. */
unsigned long sched_nr_switches(int cpu);
void sched_dump_tasks(void);
/* The same from NMI context (trylock), with the kernel backtrace of every
 * task that is switched out. */
void sched_dump_tasks_nmi(void);

/* Soft-lockup watchdog (kernel/watchdog.c, CONFIG_SOFTLOCKUP_WATCHDOG):
 * a CPU that stays in non-preemptible code (preemption or interrupts
 * disabled) for watchdog_thresh= seconds without scheduling is reported
 * from its timer tick with the task name, registers and backtrace. */
#ifdef CONFIG_SOFTLOCKUP_WATCHDOG
/* This CPU scheduled or idled: it is not locked up. */
void watchdog_touch(void);
/* From sched_tick(), interrupts off. */
void watchdog_tick(void);
/* Threshold in seconds (0 disables); returns the previous one. */
int watchdog_set_thresh(int seconds);
unsigned long watchdog_reports(void);
#else
static inline void watchdog_touch(void) {}
static inline void watchdog_tick(void) {}
#endif

#endif
