/* kernel/sched/sched_test.c — scheduler selftests: kthread lifetime,
 * fairness from runtime accounting, sleep accuracy and cross-CPU wake-up
 * ping-pong, spreading over every CPU (placement and load balancing).
 * Each test takes at most a few seconds of guest time with 1..8 CPUs.
 */
#include <asm/x86.h>
#include <kernel/printk.h>
#include <kernel/selftest.h>
#include <kernel/time.h>
#include <mm/mm.h>
#include "internal.h"

static int online_cpus(int *ids)
{
	int n = 0;

	for (int cpu = 0; cpu < CONFIG_NR_CPUS; cpu++) {
		if (READ_ONCE(sched_rq(cpu)->online))
			ids[n++] = cpu;
	}
	return n;
}

/* --- sched_kthread_basic --- */

struct basic_arg {
	int value;
	int ran_on;
	bool sleep;
};

static int basic_fn(void *p)
{
	struct basic_arg *a = p;

	if (a->sleep)
		msleep(2);
	a->ran_on = smp_processor_id();
	return a->value * 3 + 1;
}

static volatile int detached_done;

static int detached_fn(void *p)
{
	msleep(5);
	__atomic_add_fetch(&detached_done, 1, __ATOMIC_RELEASE);
	return 0;
}

#define BASIC_N 64

SELFTEST(sched_kthread_basic)
{
	static struct basic_arg args[BASIC_N];
	static struct task *tasks[BASIC_N];
	int cpus[CONFIG_NR_CPUS], n = online_cpus(cpus);

	for (int i = 0; i < BASIC_N; i++) {
		args[i] = (struct basic_arg){ i, -1, i % 4 == 0 };
		if (i % 2)
			tasks[i] = kthread_run_on(basic_fn, &args[i],
						  cpus[i % n], "basic");
		else
			tasks[i] = kthread_run(basic_fn, &args[i], "basic");
		ST_ASSERT(tasks[i] != NULL);
	}
	for (int i = 0; i < BASIC_N; i++) {
		ST_EQ(kthread_join(tasks[i]), i * 3 + 1);
		if (i % 2)
			ST_EQ(args[i].ran_on, cpus[i % n]);
	}
	ST_ASSERT(kthread_create_on(basic_fn, &args[0], CONFIG_NR_CPUS,
				    "bad") == NULL);
	detached_done = 0;
	for (int i = 0; i < 8; i++) {
		struct task *d = kthread_run(detached_fn, NULL, "detached");

		ST_ASSERT(d != NULL);
		kthread_detach(d);
	}
	for (int i = 0; i < 500 && READ_ONCE(detached_done) < 8; i++)
		msleep(2);
	ST_EQ(READ_ONCE(detached_done), 8);
	return 0;
}

/* --- sched_fairness --- */

#define FAIR_PER_CPU 3

static volatile bool fair_stop;

static int hog_fn(void *p)
{
	while (!READ_ONCE(fair_stop))
		cpu_relax();
	return 0;
}

struct hog_sample {
	u64 runtime;
	unsigned long turns;		/* times switched in */
};

/* Over the window each hog of a CPU must have had about as many turns
 * (round-robin: within 2 + 20%) and comparable CPU time.  Runtime is
 * charged in wall-clock time; under TCG with more vCPUs than host cores,
 * a vCPU the host does not run charges its current task (on 8 vCPUs over
 * 2 busy cores, 16 ms slices measured 30 ms on average, some 100+ ms;
 * update_curr caps one charge at 80 ms), so over ~10 turns per hog the
 * runtime bound is loose: a factor 4.  The hogs' total may fall below
 * the window by the capped stalls, never exceed it by more than the
 * snapshot lag.  Without preemption a hog gets no turn at all. */
static int check_cpu_fairness(struct selftest_ctx *t,
			      const struct hog_sample *s0,
			      const struct hog_sample *s1, int cpu, u64 elapsed)
{
	u64 min = ~0ull, max = 0, sum = 0;
	unsigned long tmin = ~0ul, tmax = 0;

	for (int j = 0; j < FAIR_PER_CPU; j++) {
		u64 r = s1[j].runtime - s0[j].runtime;
		unsigned long turns = s1[j].turns - s0[j].turns;

		min = MIN(min, r);
		max = MAX(max, r);
		sum += r;
		tmin = MIN(tmin, turns);
		tmax = MAX(tmax, turns);
	}
	if (!tmin || tmax - tmin > 2 + tmax / 5)
		ST_FAIL("cpu%d: hogs had %lu to %lu turns", cpu, tmin, tmax);
	if (min * 4 < max)
		ST_FAIL("cpu%d unfair: min %llu ms max %llu ms of %llu ms", cpu,
			min / NSEC_PER_MSEC, max / NSEC_PER_MSEC,
			elapsed / NSEC_PER_MSEC);
	if (!sum || sum > elapsed + SCHED_MAX_CHARGE_NS + SCHED_SLICE_NS)
		ST_FAIL("cpu%d: hogs ran %llu ms in %llu ms", cpu,
			sum / NSEC_PER_MSEC, elapsed / NSEC_PER_MSEC);
	return 0;
}

static void snapshot(struct task *ts[][FAIR_PER_CPU],
		     struct hog_sample s[][FAIR_PER_CPU], int n)
{
	for (int i = 0; i < n; i++) {
		for (int j = 0; j < FAIR_PER_CPU; j++) {
			s[i][j].runtime = task_runtime_ns(ts[i][j]);
			s[i][j].turns = READ_ONCE(ts[i][j]->nr_switches);
		}
	}
}

/* FAIR_PER_CPU hogs bound to every CPU, measured over 1 s after a
 * warm-up. */
SELFTEST(sched_fairness)
{
	static struct task *ts[CONFIG_NR_CPUS][FAIR_PER_CPU];
	static struct hog_sample s0[CONFIG_NR_CPUS][FAIR_PER_CPU];
	static struct hog_sample s1[CONFIG_NR_CPUS][FAIR_PER_CPU];
	int cpus[CONFIG_NR_CPUS], n = online_cpus(cpus), err = 0;
	u64 start, elapsed;

	fair_stop = false;
	for (int i = 0; i < n; i++) {
		for (int j = 0; j < FAIR_PER_CPU; j++) {
			ts[i][j] = kthread_run_on(hog_fn, NULL, cpus[i], "hog");
			ST_ASSERT(ts[i][j] != NULL);
		}
	}
	msleep(50);
	snapshot(ts, s0, n);
	start = ktime_get_ns();
	msleep(1000);
	snapshot(ts, s1, n);
	elapsed = ktime_get_ns() - start;
	for (int i = 0; i < n && !err; i++)
		err = check_cpu_fairness(t, s0[i], s1[i], cpus[i], elapsed);
	WRITE_ONCE(fair_stop, true);
	for (int i = 0; i < n; i++)
		for (int j = 0; j < FAIR_PER_CPU; j++)
			kthread_join(ts[i][j]);
	return err;
}

/* --- sched_sleep_wake --- */

#define PINGPONG_ROUNDS 1000

struct pingpong {
	struct completion ping, pong;
	int rounds;
};

static int ponger(void *p)
{
	struct pingpong *pp = p;

	for (int i = 0; i < pp->rounds; i++) {
		if (!wait_for_completion_timeout(&pp->ping, 5 * NSEC_PER_SEC))
			return -1;
		complete(&pp->pong);
	}
	return 0;
}

static int check_msleep(struct selftest_ctx *t, unsigned int ms)
{
	u64 t0 = ktime_get_ns(), dt;

	msleep(ms);
	dt = ktime_get_ns() - t0;
	if (dt < ms * NSEC_PER_MSEC)
		ST_FAIL("msleep(%u) took only %llu us", ms, dt / NSEC_PER_USEC);
	if (dt > ms * NSEC_PER_MSEC + 100 * NSEC_PER_MSEC)
		ST_FAIL("msleep(%u) took %llu us", ms, dt / NSEC_PER_USEC);
	return 0;
}

SELFTEST(sched_sleep_wake)
{
	static struct pingpong pp;
	int cpus[CONFIG_NR_CPUS], n = online_cpus(cpus);
	static const unsigned int ms[] = { 1, 5, 20, 50 };
	struct task *a;
	u64 t0;

	for (unsigned int i = 0; i < ARRAY_SIZE(ms); i++) {
		int err = check_msleep(t, ms[i]);

		if (err)
			return err;
	}
	init_completion(&pp.ping);
	init_completion(&pp.pong);
	pp.rounds = PINGPONG_ROUNDS;
	a = kthread_run_on(ponger, &pp, cpus[n - 1], "ponger");
	ST_ASSERT(a != NULL);
	t0 = ktime_get_ns();
	for (int i = 0; i < PINGPONG_ROUNDS; i++) {
		complete(&pp.ping);
		if (!wait_for_completion_timeout(&pp.pong, 5 * NSEC_PER_SEC)) {
			complete_all(&pp.ping);	/* let the ponger finish */
			kthread_join(a);
			ST_FAIL("ping-pong stalled at round %d", i);
		}
	}
	ST_EQ(kthread_join(a), 0);
	printk("sched_sleep_wake: %d round trips to cpu%d, %llu ns each\n",
	       PINGPONG_ROUNDS, cpus[n - 1],
	       (ktime_get_ns() - t0) / PINGPONG_ROUNDS);
	return 0;
}

/* --- sched_spread --- */

#define SEEN_WORDS DIV_ROUND_UP(CONFIG_NR_CPUS, 64)

struct spread_arg {
	u64 deadline;
	unsigned long want[SEEN_WORDS];		/* every online CPU */
	unsigned long seen[SEEN_WORDS];		/* CPUs a hog ran on */
};

static bool all_seen(struct spread_arg *a)
{
	for (int i = 0; i < SEEN_WORDS; i++)
		if ((READ_ONCE(a->seen[i]) & a->want[i]) != a->want[i])
			return false;
	return true;
}

/* Spin, noting the CPUs we run on, until every CPU has had a hog (or a
 * deadline generous enough for vCPUs that the host runs rarely). */
static int spread_fn(void *p)
{
	struct spread_arg *a = p;

	do {
		int cpu = smp_processor_id();

		__atomic_or_fetch(&a->seen[cpu / 64], 1ul << (cpu % 64),
				  __ATOMIC_RELAXED);
		cpu_relax();
	} while (!all_seen(a) && ktime_get_ns() < a->deadline);
	return 0;
}

/* Start 2 unbound hogs per CPU; with @all_on_first, queue them all on the
 * first CPU before waking them, so only the balancer can spread them. */
static int spread_round(struct selftest_ctx *t, bool all_on_first)
{
	static struct spread_arg arg;
	static struct task *ts[2 * CONFIG_NR_CPUS];
	int cpus[CONFIG_NR_CPUS], n = online_cpus(cpus);

	arg = (struct spread_arg){ .deadline = ktime_get_ns() + 5 * NSEC_PER_SEC };
	for (int i = 0; i < n; i++)
		arg.want[cpus[i] / 64] |= 1ul << (cpus[i] % 64);
	for (int i = 0; i < 2 * n; i++) {
		ts[i] = kthread_create(spread_fn, &arg, "spread");
		ST_ASSERT(ts[i] != NULL);
		if (all_on_first)
			ts[i]->cpu = cpus[0];	/* not yet woken: ours */
	}
	for (int i = 0; i < 2 * n; i++)
		wake_up_process(ts[i]);
	for (int i = 0; i < 2 * n; i++)
		kthread_join(ts[i]);
	for (int i = 0; i < n; i++) {
		if (!(arg.seen[cpus[i] / 64] & (1ul << (cpus[i] % 64))))
			ST_FAIL("no thread ran on cpu%d in 5 s (%s)", cpus[i],
				all_on_first ? "balancing" : "placement");
	}
	return 0;
}

SELFTEST(sched_spread)
{
	int err = spread_round(t, false);

	return err ? err : spread_round(t, true);
}
