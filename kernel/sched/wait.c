/* kernel/sched/wait.c — wait queues, completions and timed sleeps.
 *
 * A wait queue is a list of wait_queue_entry (usually on the sleeper's
 * stack) under wq->lock, taken with interrupts off because wake_up() may
 * run in interrupt context.  A wake-up removes the entry it wakes from the
 * list ("autoremove"), so prepare_to_wait() re-queues it on the next round
 * and an entry is never woken twice for one queueing.  The sleeper sets its
 * state under the same lock that the waker holds while calling
 * wake_up_process(), so a wake-up is never lost (kernel/sched/core.c).
 *
 * Completions: c->done counts complete() calls not yet consumed, or is
 * COMPLETION_ALL after complete_all().  Waiters queue exclusively: one
 * complete() wakes one waiter.
 *
 * Timed sleeps arm a timer on the sleeper's stack that wakes it, and cancel
 * it (waiting for a running callback) before returning.
 *
 * Lock order: wq->lock -> rq locks.  Timer callbacks take rq locks only.
 */
#include <kernel/panic.h>
#include <kernel/time.h>
#include <kernel/wait.h>
#include <kernel/machine.h>
#include <kernel/smp.h>

void init_waitqueue_head(struct wait_queue_head *wq)
{
	spin_lock_init(&wq->lock, "waitqueue");
	INIT_LIST_HEAD(&wq->head);
}

/* wq->lock held.  Wakes every non-exclusive entry and up to @nr exclusive
 * ones (nr < 0: all). */
static void __wake_up_locked(struct wait_queue_head *wq, int nr)
{
	struct wait_queue_entry *e, *n;

	list_for_each_entry_safe(e, n, &wq->head, node) {
		bool excl = e->exclusive;

		list_del(&e->node);
		wake_up_process(e->task);
		if (excl && --nr == 0)
			break;
	}
}

void wake_up(struct wait_queue_head *wq)
{
	unsigned long flags = spin_lock_irqsave(&wq->lock);

	__wake_up_locked(wq, 1);
	spin_unlock_irqrestore(&wq->lock, flags);
}

void wake_up_all(struct wait_queue_head *wq)
{
	unsigned long flags = spin_lock_irqsave(&wq->lock);

	__wake_up_locked(wq, -1);
	spin_unlock_irqrestore(&wq->lock, flags);
}

void prepare_to_wait(struct wait_queue_head *wq, struct wait_queue_entry *e,
		     enum task_state state)
{
	unsigned long flags = spin_lock_irqsave(&wq->lock);

	e->task = current_task();
	if (list_empty(&e->node))
		list_add_tail(&e->node, &wq->head);
	set_current_state(state);
	spin_unlock_irqrestore(&wq->lock, flags);
}

void finish_wait(struct wait_queue_head *wq, struct wait_queue_entry *e)
{
	unsigned long flags;

	set_current_state(TASK_RUNNING);
	flags = spin_lock_irqsave(&wq->lock);
	if (!list_empty(&e->node))
		list_del(&e->node);
	spin_unlock_irqrestore(&wq->lock, flags);
}

/* --- completions --- */

void init_completion(struct completion *c)
{
	c->done = 0;
	init_waitqueue_head(&c->wait);
}

void reinit_completion(struct completion *c)
{
	WRITE_ONCE(c->done, 0);
}

void complete(struct completion *c)
{
	unsigned long flags = spin_lock_irqsave(&c->wait.lock);

	if (c->done != COMPLETION_ALL)
		c->done++;
	__wake_up_locked(&c->wait, 1);
	spin_unlock_irqrestore(&c->wait.lock, flags);
}

void complete_all(struct completion *c)
{
	unsigned long flags = spin_lock_irqsave(&c->wait.lock);

	c->done = COMPLETION_ALL;
	__wake_up_locked(&c->wait, -1);
	spin_unlock_irqrestore(&c->wait.lock, flags);
}

/* Wait for c->done; @timed: give up when @ns runs out.  Returns the ns
 * left (at least 1) on success, 0 on timeout. */
static u64 do_wait_for_completion(struct completion *c, u64 ns, bool timed)
{
	DEFINE_WAIT(e);
	unsigned long flags = spin_lock_irqsave(&c->wait.lock);
	u64 ret = 0;

	e.exclusive = true;
	while (!c->done && (!timed || ns)) {
		if (list_empty(&e.node))
			list_add_tail(&e.node, &c->wait.head);
		set_current_state(TASK_UNINTERRUPTIBLE);
		spin_unlock_irqrestore(&c->wait.lock, flags);
		if (timed)
			ns = schedule_timeout(ns);
		else
			schedule();
		flags = spin_lock_irqsave(&c->wait.lock);
	}
	if (!list_empty(&e.node))
		list_del(&e.node);
	set_current_state(TASK_RUNNING);
	if (c->done) {
		if (c->done != COMPLETION_ALL)
			c->done--;
		ret = ns ? ns : 1;
	}
	spin_unlock_irqrestore(&c->wait.lock, flags);
	return ret;
}

void wait_for_completion(struct completion *c)
{
	do_wait_for_completion(c, 1, false);
}

u64 wait_for_completion_timeout(struct completion *c, u64 ns)
{
	return do_wait_for_completion(c, ns, true);
}

bool try_wait_for_completion(struct completion *c)
{
	unsigned long flags = spin_lock_irqsave(&c->wait.lock);
	bool ok = c->done != 0;

	if (ok && c->done != COMPLETION_ALL)
		c->done--;
	spin_unlock_irqrestore(&c->wait.lock, flags);
	return ok;
}

/* --- timed sleeps --- */

struct sleep_timer {
	struct timer timer;
	struct task *task;
};

static void sleep_timer_fn(struct timer *t)
{
	wake_up_process(container_of(t, struct sleep_timer, timer)->task);
}

u64 schedule_timeout(u64 ns)
{
	struct sleep_timer st = { .task = current_task() };
	u64 deadline = ktime_get_ns() + ns, now;

	timer_init(&st.timer, sleep_timer_fn);
	timer_arm(&st.timer, ns);
	schedule();
	timer_cancel(&st.timer);
	now = ktime_get_ns();
	return now < deadline ? deadline - now : 0;
}

/* Before the scheduler runs on this CPU there is nobody to switch to:
 * early boot code gets a busy wait. */
void sleep_ns(u64 ns)
{
	if (!current_task()) {
		ndelay(ns);
		return;
	}
	while (ns) {
		set_current_state(TASK_UNINTERRUPTIBLE);
		ns = schedule_timeout(ns);
	}
	set_current_state(TASK_RUNNING);
}

void msleep(unsigned int ms)
{
	sleep_ns((u64)ms * NSEC_PER_MSEC);
}
