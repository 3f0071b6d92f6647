/* kernel/locking/internal.h — hooks between the spinlock fast path
 * (spinlock.c) and the lock debugger (lockdebug.c, CONFIG_LOCK_DEBUG).
 * Without the debugger they compile to nothing. */
#ifndef KERNEL_LOCKING_INTERNAL_H
#define KERNEL_LOCKING_INTERNAL_H

#include <kernel/spinlock.h>

/* State of one wait, kept on the waiter's stack. */
struct lockdebug_wait {
	u64 start_ns;
	unsigned int spins;
	bool reported;
};

#ifdef CONFIG_LOCK_DEBUG
/* Before taking a ticket: panics if this CPU already holds @l. */
void lockdebug_before_lock(spinlock_t *l, unsigned long pc);
/* Every spin while waiting; reports once when the wait is too long. */
void lockdebug_spin(spinlock_t *l, unsigned long pc, struct lockdebug_wait *w);
void lockdebug_acquired(spinlock_t *l, unsigned long pc);
/* Before the release: reports a lock held too long. */
void lockdebug_release(spinlock_t *l);
#else
static inline void lockdebug_before_lock(spinlock_t *l, unsigned long pc) {}
static inline void lockdebug_spin(spinlock_t *l, unsigned long pc,
				  struct lockdebug_wait *w) {}
static inline void lockdebug_acquired(spinlock_t *l, unsigned long pc) {}
static inline void lockdebug_release(spinlock_t *l) {}
#endif

#endif
