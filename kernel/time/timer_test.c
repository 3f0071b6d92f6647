/* kernel/time/timer_test.c — timer selftests: expiry order and lateness
 * bounds, cancel of a pending timer, re-arm, self re-arming callbacks, and
 * (with two CPUs or more) timer_cancel waiting for a callback running on
 * another CPU.  The ordering part runs in a thread bound to one CPU, since
 * timers fire on the CPU that armed them.
 */
#include <asm/x86.h>
#include <kernel/sched.h>
#include <kernel/selftest.h>
#include <kernel/smp.h>
#include <kernel/time.h>

#define MS NSEC_PER_MSEC
#define NR_ORDER 5
/* Lateness allowed: an expiry is never early, and late only by as long as
 * the host may leave this vCPU unscheduled (seen: over 60 ms at load 8 on
 * two cores); far later means a lost tick or a broken wheel. */
#define LATE_MAX (500 * MS)

struct rec_timer {
	struct timer timer;
	u64 due;			/* ktime deadline it was armed for */
	u64 fired_at;
	int fired;
	int periodic_left;
};

static int order_log[NR_ORDER + 4];
static int order_n;
static struct rec_timer rt[NR_ORDER + 3];

static void rec_fn(struct timer *tm)
{
	struct rec_timer *r = container_of(tm, struct rec_timer, timer);

	r->fired_at = ktime_get_ns();
	r->fired++;
	if (order_n < (int)ARRAY_SIZE(order_log))
		order_log[order_n++] = (int)(r - rt);
	if (r->periodic_left > 0 && --r->periodic_left > 0)
		timer_arm(tm, 2 * MS);
}

static void rec_arm(int i, u64 delay)
{
	rt[i].due = ktime_get_ns() + delay;
	timer_arm(&rt[i].timer, delay);
}

/* Runs bound to one CPU.  Returns 0 or a line number of the failed check. */
static int timer_order_body(void *p)
{
	static const int delay_ms[NR_ORDER] = { 60, 15, 45, 30, 75 };
	static const int expect[NR_ORDER] = { 1, 3, 2, 0, 4 };

	for (int i = 0; i < (int)ARRAY_SIZE(rt); i++) {
		rt[i] = (struct rec_timer){ 0 };
		timer_init(&rt[i].timer, rec_fn);
	}
	order_n = 0;
	for (int i = 0; i < NR_ORDER; i++)
		rec_arm(i, delay_ms[i] * MS);
	rec_arm(5, 20 * MS);			/* cancelled below */
	rec_arm(6, 500 * MS);			/* re-armed to 5 ms */
	rec_arm(6, 5 * MS);
	if (!timer_cancel(&rt[5].timer) || timer_cancel(&rt[5].timer))
		return __LINE__;
	msleep(120);
	for (int i = 0; i < NR_ORDER; i++)	/* a busy host runs us late */
		for (int w = 0; w < 200 && !READ_ONCE(rt[i].fired); w++)
			msleep(10);
	for (int i = 0; i < NR_ORDER; i++) {
		if (rt[i].fired != 1 || rt[i].fired_at < rt[i].due ||
		    rt[i].fired_at > rt[i].due + LATE_MAX)
			return __LINE__;
	}
	/* Log order: the re-armed timer 6 first, then by deadline. */
	if (order_n != NR_ORDER + 1 || order_log[0] != 6)
		return __LINE__;
	for (int i = 0; i < NR_ORDER; i++)
		if (order_log[i + 1] != expect[i])
			return __LINE__;
	if (rt[5].fired || rt[6].fired != 1)
		return __LINE__;
	/* Periodic: five expiries, then it stops by itself.  Waited for
	 * (a host that does not run this vCPU delays every expiry), then
	 * checked not to fire again. */
	rt[7].periodic_left = 5;
	rec_arm(7, 2 * MS);
	for (int i = 0; i < 200 && READ_ONCE(rt[7].fired) < 5; i++)
		msleep(10);
	msleep(20);
	timer_cancel(&rt[7].timer);
	return rt[7].fired == 5 ? 0 : __LINE__;
}

SELFTEST(timer_basic)
{
	struct task *k;
	int line;

	k = kthread_run_on(timer_order_body, NULL, smp_processor_id(), "timer");
	ST_ASSERT(k != NULL);
	line = kthread_join(k);
	if (line)
		ST_FAIL("check at timer_test.c:%d failed (fired %d order_n %d)",
			line, rt[0].fired, order_n);
	ST_ASSERT(!timer_cancel(&rt[0].timer));
	return 0;
}

/* --- timer_cancel_running --- */

static volatile int slow_started, slow_finished;
static struct timer slow_timer;

static void slow_fn(struct timer *tm)
{
	WRITE_ONCE(slow_started, 1);
	ndelay(30 * MS);
	WRITE_ONCE(slow_finished, 1);
}

static int arm_slow(void *p)
{
	timer_arm(&slow_timer, MS);
	return smp_processor_id();
}

SELFTEST(timer_cancel_running)
{
	int me = smp_processor_id(), other = -1, c;
	struct task *k;
	u64 t0;

	for_each_online_cpu(c) {
		if (c != me && other < 0)
			other = c;
	}
	if (other < 0)
		return 0;	/* one CPU: nothing can run concurrently */
	slow_started = slow_finished = 0;
	timer_init(&slow_timer, slow_fn);
	k = kthread_run_on(arm_slow, NULL, other, "armer");
	ST_ASSERT(k != NULL);
	ST_EQ(kthread_join(k), other);
	t0 = ktime_get_ns();
	while (!READ_ONCE(slow_started)) {
		if (ktime_get_ns() - t0 > 2000 * MS)
			ST_FAIL("slow timer never started on cpu%d", other);
		cpu_relax();
	}
	timer_cancel(&slow_timer);
	ST_EQ(READ_ONCE(slow_finished), 1);
	return 0;
}
