/* kernel/sched/internal.h — the task and runqueue structures, private to
 * kernel/sched/ (and kernel/watchdog.c).  Everybody else sees struct task
 * as opaque through include/kernel/sched.h.
 *
 * Ownership and locking (see core.c for the full story):
 *  - struct rq is per CPU (a static array indexed by CPU number).  rq->lock
 *    is taken with interrupts off (raw, the caller already disabled
 *    preemption/interrupts) and protects the queue, curr, nr_running, and
 *    for every task t with t->cpu == that CPU: t->state transitions to
 *    TASK_RUNNING, t->on_rq, t->rq_node, t->slice_left.
 *  - t->cpu changes only with the old and the new rq locked (migration), or
 *    before the task was ever woken.
 *  - Lock order: wait-queue/completion/mutex/timer locks -> rq locks;
 *    two rq locks in increasing CPU order; tasks_lock is a leaf.
 */
#ifndef KERNEL_SCHED_INTERNAL_H
#define KERNEL_SCHED_INTERNAL_H

#include <asm/thread.h>
#include <kernel/sched.h>
#include <kernel/smp.h>
#include <kernel/spinlock.h>
#include <kernel/time.h>
#include <kernel/wait.h>
#include <lib/list.h>

#define TASK_NAME_LEN	24
/* Round-robin time slice: SCHED_SLICE_TICKS ticks of CPU time. */
#define SCHED_SLICE_TICKS	4
#define SCHED_TICK_NS		(NSEC_PER_SEC / CONFIG_HZ)
#define SCHED_SLICE_NS		(SCHED_SLICE_TICKS * SCHED_TICK_NS)
#define SCHED_MAX_DEBT_SLICES	8
/* Written at the lowest word of every kthread stack, checked at each
 * switch away from the task: an overflow is caught at the next switch. */
#define STACK_CANARY		0x5741434b43414e41ull
#define SCHED_MAX_CHARGE_NS	(5 * SCHED_SLICE_NS)	/* see update_curr */

struct task {
	/* Saved kernel stack pointer while switched out.  MUST stay first:
	 * arch/x86/kernel/switch.S stores and loads it at offset 0. */
	unsigned long rsp;
	volatile int state;		/* enum task_state */
	int cpu;			/* runqueue that owns the task */
	int bound_cpu;			/* -1: the balancer may move it */
	bool on_rq;			/* runnable: queued or running */
	bool idle;			/* this CPU's idle task, never queued */
	bool yielding;			/* schedule() from yield() */
	struct list_head rq_node;	/* in rq->queue while queued */
	struct list_head all_node;	/* in the global task list */

	void *stack;			/* KSTACK_SIZE pages, NULL for idle */
	kthread_fn_t fn;
	void *arg;
	int exit_code;
	int refs;			/* thread + joiner; last one frees */
	struct completion exited;	/* completed after the last switch-out */

	s64 slice_left;			/* ns of the current slice left */
	u64 exec_start;			/* ns when last charged */
	u64 runtime_ns;			/* total CPU time */
	unsigned long nr_switches;	/* times switched in */
	u64 id;
	char name[TASK_NAME_LEN];
	/* FPU/XSAVE area, user page tables, TLS bases, kernel stack top of a
	 * user thread; all zero for kernel threads (asm/thread.h). */
	struct thread_arch arch;
	/* The user ABI layer's thread (managers/processor), NULL for kernel
	 * threads; owned and freed by that layer. */
	void *abi;
};

struct rq {
	spinlock_t lock;
	struct list_head queue;		/* runnable, not running; head first */
	struct task *curr;
	struct task *idle;
	struct cpu_local *cl;		/* that CPU's cpu_local (need_resched) */
	unsigned int nr_running;	/* on_rq tasks here, idle excluded */
	unsigned int nr_migratable;	/* queued tasks that are not bound */
	unsigned long nr_switches;
	unsigned int balance_tick;
	int cpu;
	bool online;
} __aligned(64);

struct rq *sched_rq(int cpu);
/* Lock the runqueue owning @t (stable against migration); irqs off. */
struct rq *task_rq_lock(struct task *t);
/* Lock two runqueues in CPU order (irqs off); either may be equal. */
void rq_double_lock(struct rq *a, struct rq *b);
void rq_double_unlock(struct rq *a, struct rq *b);
/* Queue @t (already on_rq, t->cpu == rq's CPU) at the head or tail, or
 * take it out of the queue.  rq locked. */
void rq_enqueue(struct rq *rq, struct task *t, bool head);
void rq_dequeue(struct rq *rq, struct task *t);
/* Ask rq's CPU to reschedule (flag + IPI when remote).  rq locked. */
void rq_resched(struct rq *rq);

/* kernel/sched/balance.c */
int sched_pick_cpu(void);
/* Pull work from a busier CPU onto this one; irqs off, rq unlocked.
 * Returns true if a task was pulled. */
bool sched_balance(bool idle);

/* kernel/sched/kthread.c */
void sched_task_dead(struct task *t);
void sched_tasks_add(struct task *t);

/* kernel/switch.S: saves callee-saved registers and rsp into prev->rsp,
 * loads next->rsp, restores, returns @prev in the context of @next. */
struct task *__switch_to(struct task *prev, struct task *next);
/* First "return address" of a new kthread: calls kthread_entry(prev). */
void kthread_trampoline(void);
void kthread_entry(struct task *prev);
/* Second half of a context switch, on the new task's stack. */
void sched_finish_switch(struct task *prev);
/* kthread_exit(): become TASK_DEAD and switch away for good. */
__noreturn void sched_exit_current(void);

/* Per-CPU fields of struct cpu_local read/written with one %gs-relative
 * instruction, so that preemption between "which CPU" and the access
 * cannot hit another CPU's copy. */
#define CL_OFF(f) offsetof(struct cpu_local, f)
static inline struct task *cl_current(void)
{
	struct task *t;
	__asm__ volatile("movq %%gs:%c1, %0" : "=r"(t) : "i"(CL_OFF(current)));
	return t;
}
static inline s32 cl_preempt_count(void)
{
	s32 v;
	__asm__ volatile("movl %%gs:%c1, %0"
			 : "=r"(v) : "i"(CL_OFF(preempt_count)));
	return v;
}
static inline void cl_preempt_inc(void)
{
	__asm__ volatile("incl %%gs:%c0" : : "i"(CL_OFF(preempt_count))
			 : "memory", "cc");
}
static inline void cl_preempt_dec(void)
{
	__asm__ volatile("decl %%gs:%c0" : : "i"(CL_OFF(preempt_count))
			 : "memory", "cc");
}
static inline bool cl_need_resched(void)
{
	u8 v;
	__asm__ volatile("movb %%gs:%c1, %0"
			 : "=q"(v) : "i"(CL_OFF(need_resched)) : "memory");
	return v;
}
static inline u32 cl_irq_depth(void)
{
	u32 v;
	__asm__ volatile("movl %%gs:%c1, %0"
			 : "=r"(v) : "i"(CL_OFF(irq_depth)));
	return v;
}

static inline struct rq *this_rq(void)
{
	return sched_rq(smp_processor_id());
}

#endif
