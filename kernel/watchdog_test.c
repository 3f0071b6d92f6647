/* kernel/watchdog_test.c — the soft-lockup watchdog reports a CPU that
 * spins with preemption disabled past the threshold (lowered to 1 s for
 * the test), and stays quiet for a task that spins preemptibly.
 */
#include <asm/x86.h>
#include <kernel/sched.h>
#include <kernel/selftest.h>
#include <kernel/time.h>

static void spin_for(u64 ns)
{
	u64 end = ktime_get_ns() + ns;

	while (ktime_get_ns() < end)
		cpu_relax();
}

SELFTEST(watchdog_softlockup)
{
	int old = watchdog_set_thresh(1);
	unsigned long before = watchdog_reports(), quiet;

	spin_for(1300 * NSEC_PER_MSEC);		/* preemptible: fine */
	quiet = watchdog_reports();
	preempt_disable();
	spin_for(1600 * NSEC_PER_MSEC);
	preempt_enable();
	watchdog_set_thresh(old);
	ST_EQ(quiet, before);
	ST_ASSERT(watchdog_reports() > before);
	return 0;
}
