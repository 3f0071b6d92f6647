/* kernel/locking/spinlock.c — ticket spinlocks.
 *
 * spinlock_t holds two 16-bit counters: `next` (the next ticket to hand
 * out) and `owner` (the ticket being served).  Locking takes a ticket with
 * an atomic fetch-and-add and spins until owner reaches it; unlocking
 * increments owner with release ordering.  Waiters are served in arrival
 * order.  Up to 65535 CPUs may wait at once.
 *
 * spin_trylock() takes the lock only if nobody holds or waits for it: one
 * 32-bit compare-and-swap over {next, owner}.
 *
 * As a guest (CPUID's hypervisor bit) the vCPUs are host threads that the
 * host may deschedule at any time.  A FIFO ticket then hands the lock to a
 * waiter whose vCPU may not be running, and every other waiter stalls
 * behind it until the host runs that thread again (lock-waiter
 * preemption): under TCG with more vCPUs than host cores, 16 threads on
 * 4 vCPUs hammering one futex bucket made no visible progress for
 * minutes.  So a guest spins with test-and-set instead — the same
 * compare-and-swap as spin_trylock, retried: whoever runs when the lock
 * is released takes it.  Both modes use the same word (an unlock is
 * always owner + 1), so they mix safely.  `spinlock.fair=1` forces
 * tickets; bare metal uses tickets.
 *
 * spin_lock() disables preemption first (a task holding a spinlock never
 * sleeps or migrates); spin_lock_irqsave() also disables interrupts, and
 * is required for any lock an interrupt handler takes (LESSONS 6).  A
 * ticket must never be held across an interrupt whose handler could queue
 * behind it, so ticket waiters spin with interrupts off.  But when the
 * caller had interrupts on and the lock is busy, spin_lock_irqsave() first
 * waits with them on and without a ticket, for at most IRQSAVE_PRESPIN
 * polls, then queues: under QEMU TCG a vCPU spinning with an interrupt
 * pending but masked keeps taking QEMU's global lock, and on 8 vCPUs over
 * 2 host cores the mm allocator stress test took 11-35 s without the
 * pre-spin and 3.5-4.5 s with it.  Order among pre-spinners is not FIFO;
 * the bound guarantees they queue eventually.
 * raw_spin_lock() leaves preemption alone: the scheduler uses it with
 * interrupts already off.  Unlock order: release the lock, drop the
 * preemption count, restore interrupts, then reschedule if that became due
 * (so a tick arriving as interrupts come back sees a preemptible context).
 *
 * The lock debugger (lockdebug.c) hooks in before the ticket is taken
 * (recursion), while spinning (wait too long) and around the hold.
 */
#include <asm/cpu.h>
#include <asm/x86.h>
#include <kernel/param.h>
#include <kernel/sched.h>
#include "internal.h"

#define X86_RFLAGS_IF		(1ul << 9)
#define IRQSAVE_PRESPIN		4096	/* polls with interrupts on */

BUILD_BUG_ON(offsetof(spinlock_t, owner) != 2);

void spin_lock_init(spinlock_t *l, const char *name)
{
	*l = (spinlock_t)SPINLOCK_INIT(NULL);
#ifdef CONFIG_LOCK_DEBUG
	l->name = name;
#endif
}

static bool force_fair;
param_bool("spinlock.fair", force_fair,
	   "ticket (FIFO) spinlocks even as a guest (default: test-and-set "
	   "under a hypervisor)");

static __always_inline bool ticket_trylock(spinlock_t *l)
{
	u32 *word = (u32 *)l;
	u32 old = __atomic_load_n(word, __ATOMIC_RELAXED);
	u16 ticket = (u16)old;

	if (ticket != (u16)(old >> 16))
		return false;
	return __atomic_compare_exchange_n(word, &old,
					   (old & 0xffff0000u) | (u16)(ticket + 1),
					   false, __ATOMIC_ACQUIRE,
					   __ATOMIC_RELAXED);
}

static __always_inline void ticket_lock(spinlock_t *l, unsigned long pc)
{
	struct lockdebug_wait w = { 0, 0, false };
	u16 me;

	lockdebug_before_lock(l, pc);
	if (boot_cpu.hypervisor && !force_fair) {
		while (!ticket_trylock(l)) {
			cpu_relax();
			lockdebug_spin(l, pc, &w);
		}
		lockdebug_acquired(l, pc);
		return;
	}
	me = __atomic_fetch_add(&l->next, 1, __ATOMIC_RELAXED);
	while (__atomic_load_n(&l->owner, __ATOMIC_ACQUIRE) != me) {
		cpu_relax();
		lockdebug_spin(l, pc, &w);
	}
	lockdebug_acquired(l, pc);
}

static __always_inline void ticket_unlock(spinlock_t *l)
{
	lockdebug_release(l);
	__atomic_store_n(&l->owner, (u16)(l->owner + 1), __ATOMIC_RELEASE);
}

void raw_spin_lock(spinlock_t *l)
{
	ticket_lock(l, (unsigned long)__builtin_return_address(0));
}

void raw_spin_unlock(spinlock_t *l)
{
	ticket_unlock(l);
}

void spin_lock(spinlock_t *l)
{
	preempt_disable();
	ticket_lock(l, (unsigned long)__builtin_return_address(0));
}

void spin_unlock(spinlock_t *l)
{
	ticket_unlock(l);
	preempt_enable();
}

/* Caller had interrupts on and the lock is busy: wait with interrupts
 * on (no ticket held, so an interrupt handler here may take the lock)
 * until it looks free or IRQSAVE_PRESPIN polls passed, then queue. */
static void irqsave_prespin(spinlock_t *l, unsigned long flags)
{
	local_irq_restore(flags);
	for (int i = 0; i < IRQSAVE_PRESPIN && spin_is_locked(l); i++)
		cpu_relax();
	local_irq_disable();
}

unsigned long spin_lock_irqsave(spinlock_t *l)
{
	unsigned long flags = local_irq_save();

	preempt_disable();
	if ((flags & X86_RFLAGS_IF) && spin_is_locked(l))
		irqsave_prespin(l, flags);
	ticket_lock(l, (unsigned long)__builtin_return_address(0));
	return flags;
}

void spin_unlock_irqrestore(spinlock_t *l, unsigned long flags)
{
	ticket_unlock(l);
	preempt_enable_no_resched();
	local_irq_restore(flags);
	preempt_check_resched();
}

bool spin_trylock(spinlock_t *l)
{
	preempt_disable();
	if (!ticket_trylock(l)) {
		preempt_enable();
		return false;
	}
	lockdebug_acquired(l, (unsigned long)__builtin_return_address(0));
	return true;
}

bool spin_is_locked(spinlock_t *l)
{
	return READ_ONCE(l->owner) != READ_ONCE(l->next);
}

#ifndef CONFIG_LOCK_DEBUG
/* Without the debugger nothing is ever reported. */
unsigned long lockdebug_reports(void)
{
	return 0;
}

unsigned int lockdebug_set_timeout_ms(unsigned int ms)
{
	return 0;
}
#endif
