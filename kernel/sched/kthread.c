/* kernel/sched/kthread.c — kernel threads: creation, start, exit, join,
 * detach, and the global task list (sched_dump_tasks).
 *
 * Lifetime: a task struct (kzalloc) and its kernel stack (alloc_pages,
 * KSTACK_SIZE, no guard page but a canary word at the bottom, checked
 * at every switch) carry two references: the thread's own,
 * dropped after its last switch-out (sched_task_dead, on the next task's
 * stack — never while running on the stack being freed), and the creator's,
 * dropped by kthread_join() or kthread_detach().  The last drop frees.
 *
 * A new thread's stack is built so that the first __switch_to() "returns"
 * into kthread_trampoline (switch.S) with callee-saved registers zero;
 * kthread_entry() then finishes the switch and calls fn(arg).
 *
 * A user thread's architecture state (t->arch: XSAVE area, page tables,
 * TLS) is set up by its owner through task_arch() before it first runs;
 * the XSAVE area is freed with the task.
 *
 * tasks_lock (irqsave, a leaf) protects all_tasks.
 */
#include <asm/layout.h>
#include <asm/x86.h>
#include <kernel/panic.h>
#include <kernel/printk.h>
#include <lib/string.h>
#include <mm/mm.h>
#include "internal.h"

#define KSTACK_ORDER	2
BUILD_BUG_ON(KSTACK_SIZE != PAGE_SIZE << KSTACK_ORDER);
BUILD_BUG_ON(offsetof(struct task, rsp) != 0);

static DEFINE_SPINLOCK(tasks_lock);
static LIST_HEAD(all_tasks);
static u64 next_task_id;

void sched_tasks_add(struct task *t)
{
	unsigned long flags = spin_lock_irqsave(&tasks_lock);

	t->id = next_task_id++;
	list_add_tail(&t->all_node, &all_tasks);
	spin_unlock_irqrestore(&tasks_lock, flags);
}

static void task_free(struct task *t)
{
	unsigned long flags = spin_lock_irqsave(&tasks_lock);

	list_del(&t->all_node);
	spin_unlock_irqrestore(&tasks_lock, flags);
	if (t->arch.fpu.area)
		fpu_free(&t->arch.fpu);
	free_pages(t->stack, KSTACK_ORDER);
	kfree(t);
}

static void task_put(struct task *t)
{
	if (__atomic_sub_fetch(&t->refs, 1, __ATOMIC_ACQ_REL) == 0)
		task_free(t);
}

/* After the dead task's last switch-out; interrupts off. */
void sched_task_dead(struct task *t)
{
	complete(&t->exited);
	task_put(t);
}

/* Six callee-saved registers (r15 r14 r13 r12 rbx rbp = 0) under the
 * trampoline's address; after `ret` rsp is 16-byte aligned, as a call
 * site needs. */
static void build_initial_frame(struct task *t)
{
	unsigned long top = (unsigned long)t->stack + KSTACK_SIZE - 16;
	unsigned long *sp = (unsigned long *)top;

	*--sp = (unsigned long)kthread_trampoline;
	for (int i = 0; i < 6; i++)
		*--sp = 0;
	t->rsp = (unsigned long)sp;
	*(u64 *)t->stack = STACK_CANARY;
}

static struct task *task_create(kthread_fn_t fn, void *arg, int cpu,
				int bound, const char *name)
{
	struct task *t = kzalloc(sizeof(*t));

	if (!t)
		return NULL;
	t->stack = alloc_pages(KSTACK_ORDER);
	if (!t->stack) {
		kfree(t);
		return NULL;
	}
	strscpy(t->name, name, sizeof(t->name));
	t->fn = fn;
	t->arg = arg;
	t->state = TASK_UNINTERRUPTIBLE;	/* wake_up_process starts it */
	t->cpu = cpu;
	t->bound_cpu = bound;
	t->refs = 2;
	t->slice_left = SCHED_SLICE_NS;
	INIT_LIST_HEAD(&t->rq_node);
	init_completion(&t->exited);
	build_initial_frame(t);
	sched_tasks_add(t);
	return t;
}

struct task *kthread_create(kthread_fn_t fn, void *arg, const char *name)
{
	return task_create(fn, arg, sched_pick_cpu(), -1, name);
}

/* Returns NULL also when @cpu is not online in the scheduler. */
struct task *kthread_create_on(kthread_fn_t fn, void *arg, int cpu,
			       const char *name)
{
	if (cpu < 0 || cpu >= CONFIG_NR_CPUS || !READ_ONCE(sched_rq(cpu)->online))
		return NULL;
	return task_create(fn, arg, cpu, cpu, name);
}

struct task *kthread_run(kthread_fn_t fn, void *arg, const char *name)
{
	struct task *t = kthread_create(fn, arg, name);

	if (t)
		wake_up_process(t);
	return t;
}

struct task *kthread_run_on(kthread_fn_t fn, void *arg, int cpu,
			    const char *name)
{
	struct task *t = kthread_create_on(fn, arg, cpu, name);

	if (t)
		wake_up_process(t);
	return t;
}

void kthread_entry(struct task *prev)
{
	struct task *t;

	sched_finish_switch(prev);
	cl_preempt_dec();
	local_irq_enable();
	t = cl_current();
	kthread_exit(t->fn(t->arg));
}

void kthread_exit(int code)
{
	cl_current()->exit_code = code;
	sched_exit_current();
}

int kthread_join(struct task *t)
{
	int code;

	BUG_ON(t == current_task());
	wait_for_completion(&t->exited);
	code = t->exit_code;
	task_put(t);
	return code;
}

void kthread_detach(struct task *t)
{
	task_put(t);
}

struct thread_arch *task_arch(struct task *t)
{
	return &t->arch;
}

void *task_abi(const struct task *t)
{
	return t->abi;
}

void task_set_abi(struct task *t, void *abi)
{
	t->abi = abi;
}

unsigned long task_kstack_top(const struct task *t)
{
	return t->stack ? (unsigned long)t->stack + KSTACK_SIZE : 0;
}

const char *task_name(const struct task *t)
{
	return t->name;
}

int task_cpu(const struct task *t)
{
	return READ_ONCE(t->cpu);
}

u64 task_runtime_ns(const struct task *t)
{
	return READ_ONCE(t->runtime_ns);
}

static const char *state_name(int s)
{
	switch (s) {
	case TASK_RUNNING: return "R";
	case TASK_INTERRUPTIBLE: return "S";
	case TASK_UNINTERRUPTIBLE: return "D";
	case TASK_DEAD: return "X";
	default: return "?";
	}
}

static void dump_switched_out(const struct task *t);

/* The task list, tasks_lock held; with @stacks, the backtraces of the
 * tasks that sleep. */
static void print_tasks(bool stacks)
{
	struct task *t;

	printk("  id state cpu bound  runtime_ms switches name\n");
	list_for_each_entry(t, &all_tasks, all_node) {
		printk("%4llu %5s %3d %5d %11llu %8lu %s\n", t->id,
		       state_name(t->state), t->cpu, t->bound_cpu,
		       t->runtime_ns / NSEC_PER_MSEC, t->nr_switches, t->name);
		if (stacks && (t->state == TASK_INTERRUPTIBLE ||
			       t->state == TASK_UNINTERRUPTIBLE))
			dump_switched_out(t);
	}
}

void sched_dump_tasks(void)
{
	unsigned long flags = spin_lock_irqsave(&tasks_lock);

	print_tasks(false);
	spin_unlock_irqrestore(&tasks_lock, flags);
}

/* The backtrace of switched-out @t from the frame __switch_to left at
 * t->rsp ([r15 r14 r13 r12 rbx rbp ret], arch/x86/kernel/switch.S); only
 * frames inside its own stack are followed, so a stale or racing frame
 * ends the walk instead of faulting. */
static void dump_switched_out(const struct task *t)
{
	unsigned long lo = (unsigned long)t->stack, hi = lo + KSTACK_SIZE;
	const unsigned long *f = (const unsigned long *)t->rsp;
	unsigned long rbp;
	int depth = 0;

	if (!t->stack || t->rsp < lo || t->rsp + 7 * 8 > hi)
		return;
	printk("      [<%016lx>] %pS\n", f[6], (void *)f[6]);
	for (rbp = f[5]; rbp >= lo && rbp + 16 <= hi && IS_ALIGNED(rbp, 8) &&
	     depth++ < 24; rbp = ((const unsigned long *)rbp)[0]) {
		unsigned long ret = ((const unsigned long *)rbp)[1];

		if (ret < KERNEL_VMA)
			break;
		printk("      [<%016lx>] %pS\n", ret, (void *)ret);
		if (((const unsigned long *)rbp)[0] <= rbp)
			break;
	}
}

void sched_dump_tasks_nmi(void)
{
	if (!spin_trylock(&tasks_lock)) {
		printk("tasks: the task list is locked (a CPU holds it)\n");
		return;
	}
	print_tasks(true);
	spin_unlock(&tasks_lock);
}
