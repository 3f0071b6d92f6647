/* include/kernel/spinlock.h — spinlocks (kernel/locking/spinlock.c).
 *
 * Ticket locks.  spin_lock() disables preemption; spin_lock_irqsave() also
 * disables interrupts and MUST be used for any lock an interrupt handler
 * takes (LESSONS 6).  With CONFIG_LOCK_DEBUG each lock records its owner
 * CPU and the caller's address; a CPU that waits longer than
 * CONFIG_LOCK_DEBUG_TIMEOUT_MS reports the lock, the holder CPU and its
 * acquire site, its own backtrace and the holder's backtrace (through
 * smp_send_backtrace_nmi), once per wait, and keeps waiting; a lock held
 * that long is reported when released.  Recursion on the same CPU is a
 * certain deadlock: reported at once, then panic.
 *
 * A zero-filled spinlock_t (kzalloc, .bss) is a valid unlocked lock.
 * Before %gs holds the per-CPU area (early boot), locks work but neither
 * count preemption nor record a holder CPU.
 */
#ifndef KERNEL_SPINLOCK_H
#define KERNEL_SPINLOCK_H

#include <tessera/compiler.h>

typedef struct spinlock {
	volatile u16 next;
	volatile u16 owner;
#ifdef CONFIG_LOCK_DEBUG
	s32 holder;		/* holder CPU + 1; 0 when free */
	unsigned long holder_pc;
	u64 acquired_ns;
	const char *name;
#endif
} spinlock_t;

#ifdef CONFIG_LOCK_DEBUG
#define SPINLOCK_INIT(n) { 0, 0, 0, 0, 0, n }
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

/* Lock debugger controls (CONFIG_LOCK_DEBUG; without it the counter stays
 * 0 and the setter does nothing).  Reports counts every report printed
 * (wait too long, held too long); selftests compare it before and after. */
unsigned long lockdebug_reports(void);
/* Set the report threshold; returns the previous one. */
unsigned int lockdebug_set_timeout_ms(unsigned int ms);

#endif
