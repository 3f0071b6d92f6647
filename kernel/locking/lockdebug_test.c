/* kernel/locking/lockdebug_test.c — the lock debugger reports a spinlock
 * held past its timeout (CONFIG_LOCK_DEBUG): one thread holds a lock for
 * three timeouts with the timeout shortened through the setter, another
 * (on a second CPU when there is one) waits for it.  Expect a "held too
 * long" report, plus a "waited too long" one with two CPUs (which also
 * asks the holder CPU for its backtrace by NMI).
 */
#include <asm/x86.h>
#include <kernel/sched.h>
#include <kernel/selftest.h>
#include <kernel/smp.h>
#include <kernel/spinlock.h>
#include <kernel/time.h>

#define MS NSEC_PER_MSEC

#define LD_TIMEOUT_MS 150

static DEFINE_SPINLOCK(slow_lock);
static volatile int slow_held;

static int slow_holder(void *p)
{
	spin_lock(&slow_lock);
	WRITE_ONCE(slow_held, 1);
	ndelay(3 * LD_TIMEOUT_MS * MS);
	spin_unlock(&slow_lock);
	return 0;
}

static int slow_waiter(void *p)
{
	u64 t0 = ktime_get_ns();

	while (!READ_ONCE(slow_held)) {
		if (ktime_get_ns() - t0 > 2000 * MS)
			return -1;
		cpu_relax();
	}
	spin_lock(&slow_lock);
	spin_unlock(&slow_lock);
	return 0;
}

SELFTEST(lockdebug_held_too_long)
{
	int cpus[2] = { -1, -1 }, n = 0, cpu;
	unsigned long before = lockdebug_reports();
	unsigned int old = lockdebug_set_timeout_ms(LD_TIMEOUT_MS);
	struct task *h, *w = NULL;
	int rw = 0;

	for_each_online_cpu(cpu) {
		if (n < 2)
			cpus[n++] = cpu;
	}
	slow_held = 0;
	h = kthread_run_on(slow_holder, NULL, cpus[0], "ld-holder");
	if (n > 1)
		w = kthread_run_on(slow_waiter, NULL, cpus[1], "ld-waiter");
	ST_ASSERT(h != NULL);
	kthread_join(h);
	if (w)
		rw = kthread_join(w);
	lockdebug_set_timeout_ms(old);
	ST_EQ(rw, 0);
	/* held too long, plus waited too long with two CPUs */
	ST_ASSERT(lockdebug_reports() >= before + (n > 1 ? 2 : 1));
	return 0;
}
