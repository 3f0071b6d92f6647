/* kernel/locking/lock_test.c — lock selftests: a spinlock and a mutex
 * counting exactly under contention from every CPU (the mutex holder also
 * sleeps), and a lock shared between threads and timer callbacks
 * (irqsave).  The lock debugger's test is in lockdebug_test.c.
 */
#include <asm/x86.h>
#include <kernel/mutex.h>
#include <kernel/sched.h>
#include <kernel/selftest.h>
#include <kernel/smp.h>
#include <kernel/spinlock.h>
#include <kernel/time.h>

#define MS NSEC_PER_MSEC

/* Start fn on @per_cpu threads bound to each online CPU, join them all.
 * Returns the number of threads whose return value was not 0, or -1 if
 * one could not start. */
static int run_on_all_cpus(kthread_fn_t fn, int per_cpu, int *nr)
{
	struct task *ts[2 * CONFIG_NR_CPUS];
	int n = 0, bad = 0, cpu;

	for_each_online_cpu(cpu) {
		for (int j = 0; j < per_cpu; j++) {
			ts[n] = kthread_run_on(fn, NULL, cpu, "locker");
			if (!ts[n])
				bad = -1;
			else
				n++;
		}
	}
	for (int i = 0; i < n; i++)
		if (kthread_join(ts[i]) && bad >= 0)
			bad++;
	*nr = n;
	return bad;
}

/* --- lock_spinlock_smp --- */

#define RUN_NS (250 * MS)	/* each locker thread runs this long */

static DEFINE_SPINLOCK(count_lock);
static volatile unsigned long counter;
static unsigned long total;	/* sum of every thread's own count */

static int spin_incr(void *p)
{
	u64 end = ktime_get_ns() + RUN_NS;
	unsigned long mine = 0;

	do {
		unsigned long v;

		if (mine % 3 == 0) {
			while (!spin_trylock(&count_lock))
				cpu_relax();
		} else {
			spin_lock(&count_lock);
		}
		v = counter;
		barrier();
		counter = v + 1;
		spin_unlock(&count_lock);
		mine++;
	} while (ktime_get_ns() < end);
	__atomic_add_fetch(&total, mine, __ATOMIC_RELAXED);
	return 0;
}

SELFTEST(lock_spinlock_smp)
{
	int n;

	counter = total = 0;
	ST_EQ(run_on_all_cpus(spin_incr, 2, &n), 0);
	ST_EQ(counter, total);
	ST_ASSERT(!spin_is_locked(&count_lock));
	return 0;
}

/* --- lock_mutex --- */

#define MUTEX_ITERS 30

static DEFINE_MUTEX(count_mutex);

static int mutex_incr(void *p)
{
	for (int i = 0; i < MUTEX_ITERS; i++) {
		unsigned long v;

		mutex_lock(&count_mutex);
		v = counter;
		if (i % 15 == 0)
			msleep(1);		/* sleeping holder */
		else
			yield();
		counter = v + 1;
		mutex_unlock(&count_mutex);
	}
	return 0;
}

SELFTEST(lock_mutex)
{
	int n;

	counter = 0;
	mutex_lock(&count_mutex);
	ST_ASSERT(mutex_is_locked(&count_mutex));
	ST_ASSERT(!mutex_trylock(&count_mutex));
	mutex_unlock(&count_mutex);
	ST_ASSERT(mutex_trylock(&count_mutex));
	mutex_unlock(&count_mutex);
	ST_ASSERT(!mutex_is_locked(&count_mutex));
	ST_EQ(run_on_all_cpus(mutex_incr, 2, &n), 0);
	ST_EQ(counter, (unsigned long)n * MUTEX_ITERS);
	ST_ASSERT(!mutex_is_locked(&count_mutex));
	return 0;
}

/* --- lock_irqsave: a lock shared with timer callbacks --- */

struct irq_timer {
	struct timer timer;
	bool stop;
};

static DEFINE_SPINLOCK(irq_lock);
static unsigned long irq_counter, irq_by_timers;

static void irq_timer_fn(struct timer *tm)
{
	struct irq_timer *it = container_of(tm, struct irq_timer, timer);
	unsigned long flags = spin_lock_irqsave(&irq_lock);

	irq_counter++;
	irq_by_timers++;
	spin_unlock_irqrestore(&irq_lock, flags);
	if (!READ_ONCE(it->stop))
		timer_arm(tm, 2 * MS);
}

static int irq_incr(void *p)
{
	struct irq_timer it = { .stop = false };
	u64 end = ktime_get_ns() + RUN_NS;
	unsigned long mine = 0;

	timer_init(&it.timer, irq_timer_fn);
	timer_arm(&it.timer, 2 * MS);
	do {
		unsigned long flags = spin_lock_irqsave(&irq_lock);
		unsigned long v = irq_counter;

		for (int k = 0; k < 20; k++)
			barrier();
		irq_counter = v + 1;
		spin_unlock_irqrestore(&irq_lock, flags);
		mine++;
		udelay(50);	/* mostly uncontended: see spinlock.c */
	} while (ktime_get_ns() < end);
	WRITE_ONCE(it.stop, true);
	timer_cancel(&it.timer);
	__atomic_add_fetch(&total, mine, __ATOMIC_RELAXED);
	return 0;
}

SELFTEST(lock_irqsave)
{
	int n;

	irq_counter = irq_by_timers = total = 0;
	ST_EQ(run_on_all_cpus(irq_incr, 1, &n), 0);
	ST_ASSERT(irq_by_timers >= (unsigned long)n);
	ST_EQ(irq_counter, total + irq_by_timers);
	return 0;
}
