/* kernel/sched/wait_test.c — selftests of wait queues and completions:
 * wait_event_timeout's return value and timing in its three cases (true at
 * once, true later, never), wake_up_all with several sleepers, and
 * completion timeouts, counting and complete_all.
 */
#include <kernel/selftest.h>
#include <kernel/time.h>
#include <kernel/wait.h>

#define MS NSEC_PER_MSEC

struct delayed_set {
	struct timer timer;
	struct wait_queue_head *wq;
	volatile int *flag;
	struct completion *c;
};

/* Timer callback (interrupt context): set the flag / complete, wake. */
static void delayed_set_fn(struct timer *tm)
{
	struct delayed_set *d = container_of(tm, struct delayed_set, timer);

	if (d->flag) {
		WRITE_ONCE(*d->flag, 1);
		wake_up(d->wq);
	}
	if (d->c)
		complete(d->c);
}

SELFTEST(sched_wait_event_timeout)
{
	static DEFINE_WAIT_QUEUE_HEAD(wq);
	static volatile int flag;
	struct delayed_set d = { .wq = &wq, .flag = &flag };
	u64 t0, dt, left;

	flag = 1;
	t0 = ktime_get_ns();
	left = wait_event_timeout(wq, flag, 50 * MS);
	ST_ASSERT(left > 0);
	ST_ASSERT(ktime_get_ns() - t0 < 40 * MS);

	flag = 0;
	t0 = ktime_get_ns();
	left = wait_event_timeout(wq, flag, 20 * MS);
	dt = ktime_get_ns() - t0;
	ST_EQ(left, 0);
	ST_ASSERT(dt >= 20 * MS);
	ST_ASSERT(dt < 150 * MS);

	timer_init(&d.timer, delayed_set_fn);
	t0 = ktime_get_ns();
	timer_arm(&d.timer, 10 * MS);
	left = wait_event_timeout(wq, flag, 2000 * MS);
	dt = ktime_get_ns() - t0;
	timer_cancel(&d.timer);
	ST_ASSERT(left > 0);
	ST_ASSERT(flag == 1);
	ST_ASSERT(dt >= 10 * MS);
	ST_ASSERT(left <= 2000 * MS - dt + MS);
	return 0;
}

struct sleeper {
	struct wait_queue_head *wq;
	volatile int *go;
	volatile int *woken;
};

static int sleeper_fn(void *p)
{
	struct sleeper *s = p;

	wait_event(*s->wq, READ_ONCE(*s->go));
	__atomic_add_fetch(s->woken, 1, __ATOMIC_RELAXED);
	return 0;
}

SELFTEST(sched_wait_wake_up_all)
{
	static DEFINE_WAIT_QUEUE_HEAD(wq);
	static volatile int go, woken;
	struct sleeper s = { &wq, &go, &woken };
	struct task *ts[8];

	go = 0;
	woken = 0;
	for (int i = 0; i < 8; i++) {
		ts[i] = kthread_run(sleeper_fn, &s, "sleeper");
		ST_ASSERT(ts[i] != NULL);
	}
	msleep(20);
	wake_up_all(&wq);		/* spurious: condition still false */
	msleep(10);
	ST_EQ(READ_ONCE(woken), 0);
	WRITE_ONCE(go, 1);
	wake_up_all(&wq);
	for (int i = 0; i < 8; i++)
		kthread_join(ts[i]);
	ST_EQ(woken, 8);
	return 0;
}

SELFTEST(sched_completion_timeout)
{
	static struct completion c;
	struct delayed_set d = { .c = &c };
	u64 t0, dt, left;

	init_completion(&c);
	t0 = ktime_get_ns();
	ST_EQ(wait_for_completion_timeout(&c, 15 * MS), 0);
	dt = ktime_get_ns() - t0;
	ST_ASSERT(dt >= 15 * MS && dt < 150 * MS);

	complete(&c);
	complete(&c);
	ST_ASSERT(wait_for_completion_timeout(&c, 15 * MS) > 0);
	ST_ASSERT(try_wait_for_completion(&c));
	ST_ASSERT(!try_wait_for_completion(&c));

	timer_init(&d.timer, delayed_set_fn);
	t0 = ktime_get_ns();
	timer_arm(&d.timer, 10 * MS);
	left = wait_for_completion_timeout(&c, 2000 * MS);
	dt = ktime_get_ns() - t0;
	timer_cancel(&d.timer);
	ST_ASSERT(left > 0 && dt >= 10 * MS && dt < 1000 * MS);
	ST_ASSERT(!try_wait_for_completion(&c));

	complete_all(&c);
	for (int i = 0; i < 3; i++)
		ST_ASSERT(wait_for_completion_timeout(&c, MS) > 0);
	reinit_completion(&c);
	ST_ASSERT(!try_wait_for_completion(&c));
	return 0;
}
