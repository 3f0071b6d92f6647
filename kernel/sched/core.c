/* kernel/sched/core.c — per-CPU runqueues, schedule(), wake-ups, the tick,
 * preemption and the idle loop.
 *
 * Policy: round-robin per CPU with a time slice of SCHED_SLICE_TICKS ticks
 * of CPU time, charged in nanoseconds (t->slice_left; an overrun is paid
 * back from the next slice, see slice_refill).  A task that is
 * preempted or wakes up with slice left goes to the head of the queue (and
 * a wake-up with slice left preempts the running task); a task whose slice
 * is used up gets a fresh one at the tail.  A task can therefore jump the
 * queue only with what is left of one slice: nobody starves.
 *
 * Runqueue invariants (rq->lock held, interrupts off):
 *  - rq->curr is running on that CPU; it is never in rq->queue.  The idle
 *    task is never queued and never leaves its CPU.
 *  - t->on_rq: t is queued or running.  nr_running counts on_rq tasks other
 *    than idle.  t->cpu is the CPU of the runqueue that owns t.
 *  - A task in rq->queue is completely switched out: the lock is held from
 *    picking the next task until the new task runs sched_finish_switch(),
 *    so a stealing CPU (balance.c) never sees half-saved registers.
 *
 * Wake-up without loss: set_current_state() stores the state with a full
 * barrier; wake_up_process() turns a sleeping state into TASK_RUNNING under
 * the owning rq lock, and schedule() dequeues the task only if its state is
 * still not RUNNING under that same lock.  Preemption (tick, preempt_enable)
 * calls __schedule(true), which never dequeues: a task preempted between
 * set_current_state() and schedule() stays runnable.
 *
 * preempt_count is per CPU; every task enters the switch with it at
 * exactly 1 (taken by the schedule path), so it is consistent across the
 * switch, new tasks included (kthread_entry drops it).
 *
 * Lock order: see internal.h.  Callers: everything; the arch entry code
 * calls sched_tick(), preempt_schedule_irq() and sched_resched_ipi().
 */
#include <asm/x86.h>
#include <kernel/machine.h>
#include <kernel/panic.h>
#include <kernel/printk.h>
#include <kernel/time.h>
#include <mm/mm.h>
#include <lib/printf.h>
#include "internal.h"

#define BALANCE_TICKS	8	/* busy CPUs look for imbalance this often */

static struct rq runqueues[CONFIG_NR_CPUS];

struct rq *sched_rq(int cpu)
{
	return &runqueues[cpu];
}

struct rq *task_rq_lock(struct task *t)
{
	for (;;) {
		int cpu = READ_ONCE(t->cpu);
		struct rq *rq = sched_rq(cpu);

		raw_spin_lock(&rq->lock);
		if (READ_ONCE(t->cpu) == cpu)
			return rq;
		raw_spin_unlock(&rq->lock);
	}
}

void rq_double_lock(struct rq *a, struct rq *b)
{
	if (a == b) {
		raw_spin_lock(&a->lock);
	} else if (a->cpu < b->cpu) {
		raw_spin_lock(&a->lock);
		raw_spin_lock(&b->lock);
	} else {
		raw_spin_lock(&b->lock);
		raw_spin_lock(&a->lock);
	}
}

void rq_double_unlock(struct rq *a, struct rq *b)
{
	raw_spin_unlock(&a->lock);
	if (a != b)
		raw_spin_unlock(&b->lock);
}

void rq_enqueue(struct rq *rq, struct task *t, bool head)
{
	if (head)
		list_add(&t->rq_node, &rq->queue);
	else
		list_add_tail(&t->rq_node, &rq->queue);
	if (t->bound_cpu < 0)
		rq->nr_migratable++;
}

void rq_dequeue(struct rq *rq, struct task *t)
{
	list_del(&t->rq_node);
	if (t->bound_cpu < 0)
		rq->nr_migratable--;
}

void rq_resched(struct rq *rq)
{
	if (READ_ONCE(rq->cl->need_resched))
		return;
	WRITE_ONCE(rq->cl->need_resched, true);
	if (rq->cpu != smp_processor_id())
		smp_send_reschedule(rq->cpu);
}

/* Charge the running task for the time since it was last charged, in
 * wall-clock time.  The running task is charged at every tick; a gap over
 * SCHED_MAX_CHARGE_NS (20 ticks) means this CPU was not running — a vCPU
 * the host stalled (there is no steal-time clock to ask) or, a bug,
 * interrupts off that long — and is charged as SCHED_MAX_CHARGE_NS, so
 * one stall does not make a task's runtime or slice debt meaningless. */
static void update_curr(struct task *t, u64 now)
{
	u64 delta = now > t->exec_start ? now - t->exec_start : 0;

	delta = MIN(delta, SCHED_MAX_CHARGE_NS);
	t->runtime_ns += delta;
	t->slice_left -= (s64)delta;
	t->exec_start = now;
}

/* Start a new slice.  Overrun of the last one (a late tick, a vCPU the
 * host did not run) is paid back from the next slices, up to
 * SCHED_MAX_DEBT_SLICES slices' worth, so CPU time stays fair as charged;
 * a task in debt still runs a tick per turn.  What is left of a slice
 * given up (yield) is dropped. */
static void slice_refill(struct task *t)
{
	s64 debt = MIN(t->slice_left, 0);

	debt = MAX(debt, -SCHED_MAX_DEBT_SLICES * (s64)SCHED_SLICE_NS);
	t->slice_left = debt + SCHED_SLICE_NS;
}

/* A task becomes runnable on @rq (locked).  Returns true if the running
 * task should be preempted. */
static bool activate_task(struct rq *rq, struct task *t)
{
	bool head = t->slice_left > 0;

	if (!head)
		slice_refill(t);
	t->on_rq = true;
	rq->nr_running++;
	rq_enqueue(rq, t, head);
	return head || rq->curr->idle;
}

bool wake_up_process(struct task *t)
{
	unsigned long flags = local_irq_save();
	struct rq *rq = task_rq_lock(t);
	bool woke = false;

	if (t->state & (TASK_INTERRUPTIBLE | TASK_UNINTERRUPTIBLE)) {
		woke = true;
		WRITE_ONCE(t->state, TASK_RUNNING);
		if (!t->on_rq && activate_task(rq, t))
			rq_resched(rq);
	}
	raw_spin_unlock(&rq->lock);
	local_irq_restore(flags);
	return woke;
}

/* Put the outgoing task back in the queue (it stays runnable). */
static void requeue_prev(struct rq *rq, struct task *prev)
{
	if (prev->yielding || prev->slice_left <= 0) {
		slice_refill(prev);
		rq_enqueue(rq, prev, false);
	} else {
		rq_enqueue(rq, prev, true);
	}
}

static struct task *pick_next(struct rq *rq, struct task *prev)
{
	struct task *next = NULL;

	if (!list_empty(&rq->queue)) {
		next = list_first_entry(&rq->queue, struct task, rq_node);
		rq_dequeue(rq, next);
	}
	if (prev->on_rq && !prev->idle) {
		if (!next)
			return prev;
		requeue_prev(rq, prev);
	}
	return next ? next : rq->idle;
}

/* The core: interrupts off, preempt_count == 1 (taken by the caller). */
static void __schedule(bool preempt)
{
	struct rq *rq = this_rq();
	struct task *prev, *next;
	u64 now;

	raw_spin_lock(&rq->lock);
	rq->cl->need_resched = false;
	prev = rq->curr;
	now = ktime_get_ns();
	update_curr(prev, now);
	if (!preempt && prev->state != TASK_RUNNING) {
		BUG_ON(prev->idle);
		prev->on_rq = false;
		rq->nr_running--;
	}
	if (unlikely(prev->stack && *(u64 *)prev->stack != STACK_CANARY))
		panic("sched: kernel stack overflow in task %s", prev->name);
	next = pick_next(rq, prev);
	prev->yielding = false;
	if (next == prev) {
		raw_spin_unlock(&rq->lock);
		return;
	}
	next->exec_start = now;
	next->nr_switches++;
	rq->nr_switches++;
	rq->curr = next;
	rq->cl->current = next;
	watchdog_touch();
	/* FPU (XSAVE), TLS bases, page tables, kernel stack of user threads;
	 * nothing to do between kernel threads. */
	arch_thread_switch(&prev->arch, &next->arch);
	prev = __switch_to(prev, next);
	sched_finish_switch(prev);
}

void sched_finish_switch(struct task *prev)
{
	bool dead = prev->state == TASK_DEAD;

	raw_spin_unlock(&this_rq()->lock);
	if (dead)
		sched_task_dead(prev);
}

static void schedule_bug(const char *what)
{
	struct task *t = cl_current();

	panic("BUG: scheduling %s: task %s preempt_count %d irq_depth %u",
	      what, t ? t->name : "?", cl_preempt_count(), cl_irq_depth());
}

void schedule(void)
{
	unsigned long flags;

	if (!cpu_local_ready() || !cl_current())
		return;
	if (unlikely(cl_irq_depth()))
		schedule_bug("in interrupt");
	if (unlikely(cl_preempt_count()))
		schedule_bug("while atomic");
	flags = local_irq_save();
	cl_preempt_inc();
	__schedule(false);
	while (cl_need_resched())
		__schedule(true);
	cl_preempt_dec();
	local_irq_restore(flags);
}

/* Preemption from preempt_enable(): interrupts on, count just hit 0. */
static void preempt_schedule(void)
{
	unsigned long flags = local_irq_save();

	cl_preempt_inc();
	do {
		__schedule(true);
	} while (cl_need_resched());
	cl_preempt_dec();
	local_irq_restore(flags);
}

void preempt_schedule_irq(void)
{
	if (!cl_current() || cl_preempt_count() || cl_irq_depth())
		return;
	cl_preempt_inc();
	do {
		__schedule(true);
	} while (cl_need_resched());
	cl_preempt_dec();
}

__noreturn void sched_exit_current(void)
{
	struct task *t = cl_current();

	BUG_ON(t->idle);
	if (cl_preempt_count() || cl_irq_depth())
		schedule_bug("at exit");
	local_irq_disable();
	cl_preempt_inc();
	__atomic_store_n(&t->state, TASK_DEAD, __ATOMIC_SEQ_CST);
	__schedule(false);
	panic("sched: dead task %s was scheduled again", t->name);
}

void yield(void)
{
	struct task *t = current_task();

	if (!t)
		return;
	t->yielding = true;
	schedule();
}

void set_current_state(enum task_state s)
{
	__atomic_store_n(&cl_current()->state, s, __ATOMIC_SEQ_CST);
}

struct task *current_task(void)
{
	return cpu_local_ready() ? cl_current() : NULL;
}

bool in_interrupt(void)
{
	return cpu_local_ready() && cl_irq_depth() != 0;
}

void preempt_disable(void)
{
	if (likely(cpu_local_ready()))
		cl_preempt_inc();
	barrier();
}

void preempt_enable_no_resched(void)
{
	barrier();
	if (likely(cpu_local_ready()))
		cl_preempt_dec();
}

void preempt_check_resched(void)
{
	if (likely(cpu_local_ready()) && unlikely(cl_need_resched()) &&
	    !cl_preempt_count() && !cl_irq_depth() && cl_current() &&
	    !irqs_disabled())
		preempt_schedule();
}

void preempt_enable(void)
{
	preempt_enable_no_resched();
	preempt_check_resched();
}

bool preemptible(void)
{
	return cpu_local_ready() && !cl_preempt_count() && !cl_irq_depth() &&
	       !irqs_disabled();
}

void sched_resched_ipi(void)
{
	WRITE_ONCE(cpu_local()->need_resched, true);
}

void sched_tick(void)
{
	struct rq *rq = this_rq();
	struct task *curr;
	bool balance = false;

	if (!rq->online)
		return;
	raw_spin_lock(&rq->lock);
	curr = rq->curr;
	update_curr(curr, ktime_get_ns());
	if (!list_empty(&rq->queue) && (curr->idle || curr->slice_left <= 0))
		rq->cl->need_resched = true;
	else if (curr->slice_left <= 0)
		curr->slice_left = SCHED_SLICE_NS;
	if (!curr->idle && ++rq->balance_tick >= BALANCE_TICKS) {
		rq->balance_tick = 0;
		balance = true;
	}
	raw_spin_unlock(&rq->lock);
	watchdog_tick();
	if (balance)
		sched_balance(false);
}

__noreturn void cpu_idle_loop(void)
{
	for (;;) {
		local_irq_disable();
		watchdog_touch();
		if (cl_need_resched() || sched_balance(true)) {
			cl_preempt_inc();
			do {
				__schedule(false);
			} while (cl_need_resched());
			cl_preempt_dec();
			local_irq_enable();
			continue;
		}
		safe_halt();
	}
}

void sched_init(void)
{
	for (int cpu = 0; cpu < CONFIG_NR_CPUS; cpu++) {
		struct rq *rq = sched_rq(cpu);

		spin_lock_init(&rq->lock, "rq");
		INIT_LIST_HEAD(&rq->queue);
		rq->cpu = cpu;
		rq->balance_tick = cpu;
	}
}

void sched_init_cpu(int cpu)
{
	struct rq *rq = sched_rq(cpu);
	struct cpu_local *cl = cpu_local();
	struct task *t = kzalloc(sizeof(*t));

	BUG_ON(!t || smp_processor_id() != cpu || !irqs_disabled());
	snprintf(t->name, sizeof(t->name), "idle/%d", cpu);
	t->state = TASK_RUNNING;
	t->cpu = cpu;
	t->bound_cpu = cpu;
	t->idle = true;
	t->refs = 1;
	t->exec_start = ktime_get_ns();
	INIT_LIST_HEAD(&t->rq_node);
	init_completion(&t->exited);
	sched_tasks_add(t);
	rq->idle = t;
	rq->curr = t;
	rq->cl = cl;
	cl->current = t;
	cl->preempt_count = 0;
	cl->need_resched = false;
	WRITE_ONCE(rq->online, true);
}

unsigned long sched_nr_switches(int cpu)
{
	return READ_ONCE(sched_rq(cpu)->nr_switches);
}
