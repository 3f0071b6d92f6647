/* include/kernel/spinlock.h — spinlocks (kernel/locking/spinlock.c).
 *
 * Ticket locks.  spin_lock() disables preemption; spin_lock_irqsave() also
 * disables interrupts and MUST be used for any lock an interrupt handler
 * takes (LESSONS 6).  With CONFIG_LOCK_DEBUG each lock records its owner
 * CPU and the caller's address; a CPU that waits longer than
 * CONFIG_LOCK_DEBUG_TIMEOUT_MS reports the lock, its own backtrace and
 * (through an NMI-free IPI-less handshake) the holder's recorded site, and
 * a lock held that long is reported when released.  Recursion on the same
 * CPU is reported at once.
 */
#ifndef KERNEL_SPINLOCK_H
#define KERNEL_SPINLOCK_H

#include <tessera/compiler.h>

typedef struct spinlock {
	volatile u16 next;
	volatile u16 owner;
#ifdef CONFIG_LOCK_DEBUG
	s32 holder_cpu;		/* -1 when free */
	unsigned long holder_pc;
	u64 acquired_ns;
	const char *name;
#endif
} spinlock_t;

#ifdef CONFIG_LOCK_DEBUG
#define SPINLOCK_INIT(n) { 0, 0, -1, 0, 0, n }
#else
#define SPINLOCK_INIT(n) { 0, 0 }
#endif
#define DEFINE_SPINLOCK(x) spinlock_t x = SPINLOCK_INIT(#x)

void spin_lock_init(spinlock_t *l, const char *name);
void spin_lock(spinlock_t *l);
void spin_unlock(spinlock_t *l);
bool spin_trylock(spinlock_t *l);
unsigned long spin_lock_irqsave(spinlock_t *l);
void spin_unlock_irqrestore(spinlock_t *l, unsigned long flags);
bool spin_is_locked(spinlock_t *l);
/* Lock without touching preemption (scheduler internals only). */
void raw_spin_lock(spinlock_t *l);
void raw_spin_unlock(spinlock_t *l);

#endif
