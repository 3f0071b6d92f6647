/* kernel/time/timer.c — per-CPU timer lists.
 *
 * Each CPU has a timer_base: a list of armed timers sorted by expiry
 * (equal deadlines keep arming order), its lock (irqsave: the tick takes
 * it), and `running`, the timer whose callback this CPU is executing.
 * t->cpu is the CPU whose list holds t, or -1; it changes only under that
 * base's lock.  timers_run() pops expired timers one at a time and calls
 * them with the base unlocked and interrupts off, so a callback may re-arm
 * its own timer or arm others.
 *
 * timer_cancel() removes a pending timer, then waits until no other CPU is
 * running its callback (and repeats if the callback re-armed it), so the
 * caller may free the timer when it returns.  A callback cancelling its own
 * timer does not wait for itself.  A timer must not be armed from two CPUs
 * at the same time (its owner serialises arming).
 *
 * Lock order: base locks are not nested with each other; callbacks run
 * with no timer lock held.  Callers: timer_arm/timer_cancel from anywhere;
 * timers_run from the tick; timers_init_cpu from each CPU's bring-up.
 */
#include <asm/x86.h>
#include <kernel/panic.h>
#include <kernel/smp.h>
#include <kernel/spinlock.h>
#include <kernel/time.h>

struct timer_base {
	spinlock_t lock;
	struct list_head list;
	struct timer *running;
	bool online;
} __aligned(64);

static struct timer_base bases[CONFIG_NR_CPUS];

void timers_init_cpu(int cpu)
{
	struct timer_base *b = &bases[cpu];

	spin_lock_init(&b->lock, "timer_base");
	INIT_LIST_HEAD(&b->list);
	b->running = NULL;
	WRITE_ONCE(b->online, true);
}

void timer_init(struct timer *t, void (*fn)(struct timer *t))
{
	INIT_LIST_HEAD(&t->node);
	t->expires = 0;
	t->fn = fn;
	t->cpu = -1;
}

/* Remove @t from whatever list holds it.  Returns true if it was armed. */
static bool timer_detach(struct timer *t)
{
	for (;;) {
		int cpu = READ_ONCE(t->cpu);
		struct timer_base *b;
		unsigned long flags;

		if (cpu < 0)
			return false;
		b = &bases[cpu];
		flags = spin_lock_irqsave(&b->lock);
		if (t->cpu == cpu) {
			list_del(&t->node);
			WRITE_ONCE(t->cpu, -1);
			spin_unlock_irqrestore(&b->lock, flags);
			return true;
		}
		spin_unlock_irqrestore(&b->lock, flags);
	}
}

/* Base locked: insert keeping the list sorted, after equal deadlines. */
static void timer_insert(struct timer_base *b, struct timer *t)
{
	struct list_head *p;

	for (p = b->list.prev; p != &b->list; p = p->prev) {
		if (list_entry(p, struct timer, node)->expires <= t->expires)
			break;
	}
	__list_add(&t->node, p, p->next);
}

void timer_arm(struct timer *t, u64 delay_ns)
{
	unsigned long irq = local_irq_save();
	int cpu = smp_processor_id();
	struct timer_base *b = &bases[cpu];
	unsigned long flags;

	BUG_ON(!b->online);
	timer_detach(t);
	flags = spin_lock_irqsave(&b->lock);
	t->expires = ktime_get_ns() + delay_ns;
	timer_insert(b, t);
	WRITE_ONCE(t->cpu, cpu);
	spin_unlock_irqrestore(&b->lock, flags);
	local_irq_restore(irq);
}

/* Spin while another CPU runs @t's callback.  Returns true if it did. */
static bool timer_wait_running(struct timer *t)
{
	int me = smp_processor_id();
	bool waited = false;

	for (int cpu = 0; cpu < nr_cpus_possible(); cpu++) {
		if (cpu == me)
			continue;
		while (READ_ONCE(bases[cpu].running) == t) {
			waited = true;
			cpu_relax();
		}
	}
	return waited;
}

bool timer_cancel(struct timer *t)
{
	bool pending = false;

	do {
		if (timer_detach(t))
			pending = true;
	} while (timer_wait_running(t));
	return pending;
}

void timers_run(void)
{
	struct timer_base *b = &bases[smp_processor_id()];
	u64 now = ktime_get_ns();

	if (!b->online)
		return;
	raw_spin_lock(&b->lock);
	while (!list_empty(&b->list)) {
		struct timer *t = list_first_entry(&b->list, struct timer, node);

		if (t->expires > now)
			break;
		list_del(&t->node);
		WRITE_ONCE(t->cpu, -1);
		WRITE_ONCE(b->running, t);
		raw_spin_unlock(&b->lock);
		t->fn(t);
		raw_spin_lock(&b->lock);
		WRITE_ONCE(b->running, NULL);
	}
	raw_spin_unlock(&b->lock);
}
