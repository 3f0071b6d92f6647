/* include/kernel/mutex.h — sleeping locks (kernel/locking/mutex.c).
 * Sleep while waiting; never taken from interrupts.  Owner recorded, so
 * unlocking a mutex one does not hold is reported (WARN) and ignored. */
#ifndef KERNEL_MUTEX_H
#define KERNEL_MUTEX_H

#include <kernel/spinlock.h>
#include <kernel/wait.h>

struct task;
struct mutex {
	spinlock_t lock;
	struct task *owner;
	struct wait_queue_head waiters;
	const char *name;
};

void mutex_init(struct mutex *m, const char *name);
void mutex_lock(struct mutex *m);
bool mutex_trylock(struct mutex *m);
void mutex_unlock(struct mutex *m);
bool mutex_is_locked(struct mutex *m);

#endif
