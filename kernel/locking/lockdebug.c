/* kernel/locking/lockdebug.c — the spinlock debugger (CONFIG_LOCK_DEBUG).
 *
 * Every spinlock_t records, while held, the holder CPU (+1, so a zeroed
 * lock is free), the acquire site (return address of the lock call) and
 * the acquire time.  Three reports:
 *  - recursion: this CPU already holds the lock it is about to take — a
 *    certain deadlock (typically an interrupt handler taking a lock that
 *    the interrupted code holds without irqsave, LESSONS 6): report, panic;
 *  - wait too long: a waiter that spins for more than the timeout prints
 *    the lock, the holder CPU and its acquire site, its own backtrace and
 *    asks the holder CPU for its backtrace through an NMI; once per wait,
 *    then it keeps waiting;
 *  - held too long: on release, a hold longer than the timeout is printed
 *    with its acquire site and the releasing backtrace.
 * The fields are written only by the holder; waiters read them racily,
 * which is good enough for a report.  Reports go through printk, whose
 * lock is not a spinlock_t, so the debugger can always print.
 */
#include <kernel/machine.h>
#include <kernel/panic.h>
#include <kernel/printk.h>
#include <kernel/smp.h>
#include <kernel/time.h>
#include "internal.h"

static unsigned int timeout_ms = CONFIG_LOCK_DEBUG_TIMEOUT_MS;
static unsigned long nr_reports;

unsigned long lockdebug_reports(void)
{
	return __atomic_load_n(&nr_reports, __ATOMIC_RELAXED);
}

unsigned int lockdebug_set_timeout_ms(unsigned int ms)
{
	return __atomic_exchange_n(&timeout_ms, ms, __ATOMIC_RELAXED);
}

static u64 timeout_ns(void)
{
	return (u64)READ_ONCE(timeout_ms) * NSEC_PER_MSEC;
}

static const char *lock_name(spinlock_t *l)
{
	return l->name ? l->name : "(unnamed)";
}

static void count_report(void)
{
	__atomic_add_fetch(&nr_reports, 1, __ATOMIC_RELAXED);
}

void lockdebug_before_lock(spinlock_t *l, unsigned long pc)
{
	int me;

	if (!cpu_local_ready())
		return;
	me = smp_processor_id();
	if (likely(READ_ONCE(l->holder) != me + 1))
		return;
	count_report();
	printk("lockdebug: cpu%d takes spinlock %s (%p) again at %pS; it "
	       "took it at %pS\n", me, lock_name(l), l, (void *)pc,
	       (void *)l->holder_pc);
	panic("lockdebug: recursive spinlock %s: certain deadlock",
	      lock_name(l));
}

static void report_wait(spinlock_t *l, unsigned long pc, u64 waited)
{
	int me = cpu_local_ready() ? smp_processor_id() : 0;
	int holder = READ_ONCE(l->holder) - 1;
	unsigned long hpc = READ_ONCE(l->holder_pc);

	count_report();
	printk("lockdebug: cpu%d has waited %llu ms for spinlock %s (%p) at "
	       "%pS\n", me, waited / NSEC_PER_MSEC, lock_name(l), l, (void *)pc);
	printk("lockdebug: holder cpu%d acquired it at %pS\n", holder,
	       (void *)hpc);
	printk("lockdebug: waiter (cpu%d) backtrace:\n", me);
	dump_stack();
	if (holder >= 0 && holder != me) {
		printk("lockdebug: holder (cpu%d) backtrace follows (NMI)\n",
		       holder);
		smp_send_backtrace_nmi(holder);
	}
}

void lockdebug_spin(spinlock_t *l, unsigned long pc, struct lockdebug_wait *w)
{
	u64 now;

	if (w->reported || (++w->spins & 1023))
		return;
	now = ktime_get_ns();
	if (!w->start_ns) {
		w->start_ns = now;
		return;
	}
	if (now - w->start_ns < timeout_ns())
		return;
	w->reported = true;
	report_wait(l, pc, now - w->start_ns);
}

void lockdebug_acquired(spinlock_t *l, unsigned long pc)
{
	l->holder = cpu_local_ready() ? smp_processor_id() + 1 : 0;
	l->holder_pc = pc;
	l->acquired_ns = ktime_get_ns();
}

void lockdebug_release(spinlock_t *l)
{
	u64 held = ktime_get_ns() - l->acquired_ns;

	if (l->acquired_ns && held > timeout_ns()) {
		count_report();
		printk("lockdebug: spinlock %s (%p) held for %llu ms, acquired "
		       "at %pS; released by:\n", lock_name(l), l,
		       held / NSEC_PER_MSEC, (void *)l->holder_pc);
		dump_stack();
	}
	l->holder = 0;
	l->acquired_ns = 0;
}
