/* include/kernel/mutex.h — sleeping locks (kernel/locking/mutex.c).
 * Sleep while waiting; never taken from interrupts; only by tasks (after
 * sched_init_cpu).  Owner recorded, so unlocking a mutex one does not hold
 * is reported (WARN) and ignored; locking it twice panics.  Waiters are
 * served in FIFO order: unlock hands the mutex to the first waiter. */
#ifndef KERNEL_MUTEX_H
#define KERNEL_MUTEX_H

#include <kernel/spinlock.h>
#include <lib/list.h>

struct task;
struct mutex {
	spinlock_t lock;
	struct task *owner;
	struct list_head waiters;	/* of struct mutex_waiter, FIFO */
	const char *name;
};

#define MUTEX_INIT(m, n) { SPINLOCK_INIT(n), NULL, LIST_HEAD_INIT((m).waiters), n }
#define DEFINE_MUTEX(m) struct mutex m = MUTEX_INIT(m, #m)

void mutex_init(struct mutex *m, const char *name);
void mutex_lock(struct mutex *m);
bool mutex_trylock(struct mutex *m);
void mutex_unlock(struct mutex *m);
bool mutex_is_locked(struct mutex *m);

#endif
