/* kernel/locking/mutex.c — sleeping locks.
 *
 * m->lock (a spinlock, never taken from interrupts) protects m->owner and
 * m->waiters.  A contended locker queues a mutex_waiter on its stack and
 * sleeps until it finds itself the owner: mutex_unlock() hands the mutex
 * directly to the first waiter (FIFO, no barging, no starvation) and wakes
 * it.  The waiter sets its sleeping state before dropping m->lock, so the
 * hand-off's wake-up cannot be lost (kernel/sched/core.c).
 *
 * Lock order: m->lock -> rq locks.  Callers: tasks only (may sleep).
 */
#include <kernel/mutex.h>
#include <kernel/panic.h>
#include <kernel/sched.h>

struct mutex_waiter {
	struct task *task;
	struct list_head node;
};

void mutex_init(struct mutex *m, const char *name)
{
	spin_lock_init(&m->lock, name);
	m->owner = NULL;
	INIT_LIST_HEAD(&m->waiters);
	m->name = name;
}

void mutex_lock(struct mutex *m)
{
	struct task *me = current_task();
	struct mutex_waiter w = { me, LIST_HEAD_INIT(w.node) };

	BUG_ON(!me);
	spin_lock(&m->lock);
	if (!m->owner) {
		m->owner = me;
		spin_unlock(&m->lock);
		return;
	}
	if (m->owner == me)
		panic("mutex %s: locked twice by %s", m->name, task_name(me));
	list_add_tail(&w.node, &m->waiters);
	for (;;) {
		set_current_state(TASK_UNINTERRUPTIBLE);
		if (m->owner == me)
			break;
		spin_unlock(&m->lock);
		schedule();
		spin_lock(&m->lock);
	}
	set_current_state(TASK_RUNNING);
	spin_unlock(&m->lock);
}

bool mutex_trylock(struct mutex *m)
{
	bool ok;

	spin_lock(&m->lock);
	ok = !m->owner;
	if (ok)
		m->owner = current_task();
	spin_unlock(&m->lock);
	return ok;
}

void mutex_unlock(struct mutex *m)
{
	struct task *me = current_task();

	spin_lock(&m->lock);
	if (WARN_ON(m->owner != me)) {
		spin_unlock(&m->lock);
		return;
	}
	if (list_empty(&m->waiters)) {
		m->owner = NULL;
	} else {
		struct mutex_waiter *w =
			list_first_entry(&m->waiters, struct mutex_waiter, node);

		list_del(&w->node);
		m->owner = w->task;
		wake_up_process(w->task);
	}
	spin_unlock(&m->lock);
}

bool mutex_is_locked(struct mutex *m)
{
	return READ_ONCE(m->owner) != NULL;
}
