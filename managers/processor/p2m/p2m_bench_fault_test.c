/* managers/processor/p2m/p2m_bench_fault_test.c — p2m_bench_fault: the
 * pcache's miss as a user access sees it, for scripts/run-bench.
 *
 * A process behind a real user page table and a private pcache
 * (p2m_test_upt.c; no fault-around, a cache larger than the mapping, so
 * no eviction, write-back or shootdown in the timed parts) is populated
 * on the memory node first, directly (MISS + FLUSH), and every timed
 * access goes to a page of its own.  Then, in one run:
 *  - latency: a load from a page not in the pcache — #PF, the
 *    user-fault hook, pcache_fault, PCACHE_MISS, the PTE, the retried
 *    load — against the raw fit_call 4 KiB round trip (empty request,
 *    4 KiB reply: P2M_TEST_OP_PAGE), the two interleaved sample by sample;
 *  - throughput: 1, 2 and 4 threads (pinned to the online CPUs in turn)
 *    each load one word of each of its own FB_TPUT fresh pages; misses per
 *    second from the first start to the last finish;
 *  - zero-fill: a first store to a never-touched anonymous page (a miss
 *    that makes the memory node allocate a zero page, or a local zero-fill
 *    when the pcache's first_touch says so — `zerofills` tells which)
 *    against a plain local page fault (a zeroed local page mapped by the
 *    fault hook, no pcache, no network), interleaved.
 * Output lines (ns):
 *   P2M_FAULT_BENCH samples=N fault_median_ns=.. fault_p99_ns=..
 *     raw_median_ns=.. raw_p99_ns=..
 *   P2M_FAULT_TPUT threads=T misses=M ns=..
 *   P2M_ZEROFILL_BENCH samples=N zerofill_median_ns=.. zerofill_p99_ns=..
 *     local_median_ns=.. local_p99_ns=.. local_zerofills=..
 * Fails only if an access returns wrong data or a call fails; the
 * numbers are not judged (speed targets are benchmarks, not tests).
 */
#include <fit/fit.h>
#include <kernel/printk.h>
#include <kernel/sched.h>
#include <kernel/time.h>
#include <lib/sort.h>
#include <mm/mm.h>
#include <uapi/errno.h>
#include "p2m_test.h"

#define TGID_FB		3101
#define PG		4096ull
#define SAMPLES		500
#define FB_THREADS	4
#define FB_TPUT		128			/* pages per thread */
/* Pages: SAMPLES for the latency, then 1 + 2 + 4 threads' worth for the
 * throughput rounds, all populated; then FB_ZF never touched.  Every
 * timed access is to a page of its own, so no line is ever dropped (no
 * shootdown) before the end. */
#define FB_TPUT_AT	SAMPLES
#define FB_PAGES	(FB_TPUT_AT + 7 * FB_TPUT)
#define FB_ZF		256			/* zero-fill samples */
#define FB_LINES	2048			/* > FB_PAGES + FB_ZF */

struct fb {
	struct p2m_uspace u;
	int node;
	u64 lat[SAMPLES], raw[SAMPLES], zf[FB_ZF], loc[FB_ZF];
	u8 page[PG];
};

static int cmp_u64(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

static u64 pct(u64 *v, unsigned int n, unsigned int p)
{
	sort(v, n, sizeof(u64), cmp_u64);
	return v[(u64)n * p / 100];
}

static u64 page_va(struct fb *b, u64 p)
{
	return b->u.base + p * PG;
}

/* Every bench page holds its number on the memory node, written there
 * directly (MISS + FLUSH), so the pcache holds no line of them. */
static int populate(struct fb *b)
{
	int err = 0;

	for (u64 p = 0; p < FB_PAGES && !err; p++) {
		u64 v = p + 1;

		err = p2m_write_user(b->u.tgid, page_va(b, p), &v, sizeof(v));
	}
	return err;
}

static int latency(struct fb *b)
{
	for (int i = 0; i < SAMPLES; i++) {
		u64 p = (u64)i, v = 0, t0 = ktime_get_ns();
		int r = p2m_uget(page_va(b, p), &v);

		b->lat[i] = ktime_get_ns() - t0;
		if (r || v != p + 1)
			return r ? r : -EIO;
		t0 = ktime_get_ns();
		r = fit_call((u16)b->node, P2M_TEST_OP_PAGE, NULL, 0, b->page,
			     PG, 0);
		b->raw[i] = ktime_get_ns() - t0;
		if (r != (int)PG)
			return r < 0 ? r : -EPROTO;
	}
	return 0;
}

struct tput {
	struct fb *b;
	unsigned int idx, threads;
	u64 first;		/* this round's first page */
	volatile unsigned int *go;
	u64 t0, t1;
	int err;
};

static int tput_fn(void *arg)
{
	struct tput *t = arg;
	struct fb *b = t->b;

	p2m_uspace_enter(&b->u);
	__atomic_add_fetch(t->go, 1, __ATOMIC_SEQ_CST);
	while (__atomic_load_n(t->go, __ATOMIC_ACQUIRE) < t->threads)
		yield();
	t->t0 = ktime_get_ns();
	for (u64 i = 0; i < FB_TPUT && !t->err; i++) {
		u64 p = t->first + t->idx * FB_TPUT + i, v = 0;

		t->err = p2m_uget(page_va(b, p), &v);
		if (!t->err && v != p + 1)
			t->err = -EIO;
	}
	t->t1 = ktime_get_ns();
	p2m_uspace_leave();
	return t->err;
}

static int throughput(struct fb *b, unsigned int threads)
{
	struct tput t[FB_THREADS];
	volatile unsigned int go = 0;
	unsigned int started = 0;
	u64 t0 = ~0ull, t1 = 0, tlb, faults, fault_ns;
	u64 first = FB_TPUT_AT + (threads - 1) * FB_TPUT;	/* 0, 1, 3 */
	struct task *task[FB_THREADS];
	int ret = 0;

	tlb = READ_ONCE(b->u.tlb_flushes);
	faults = READ_ONCE(b->u.faults);
	fault_ns = READ_ONCE(b->u.fault_ns);

	for (; !ret && started < threads; started++) {
		t[started] = (struct tput){ b, started, threads, first, &go,
					    0, 0, 0 };
		task[started] = kthread_run_on(tput_fn, &t[started],
					       p2m_test_cpu(started),
					       "p2m_bench_tput");
		if (!task[started])
			break;
	}
	if (started < threads) {	/* let the started ones run */
		ret = ret ?: -ENOMEM;
		__atomic_store_n(&go, threads, __ATOMIC_RELEASE);
	}
	for (unsigned int i = 0; i < started; i++) {
		int err = kthread_join(task[i]);

		ret = ret ?: err;
		t0 = MIN(t0, t[i].t0);
		t1 = MAX(t1, t[i].t1);
	}
	faults = READ_ONCE(b->u.faults) - faults;
	if (!ret)
		printk("P2M_FAULT_TPUT threads=%u misses=%u ns=%llu (%llu "
		       "faults, %llu us each, %llu shootdowns)\n", threads,
		       threads * FB_TPUT, t1 - t0, faults, faults ?
		       (READ_ONCE(b->u.fault_ns) - fault_ns) / faults / 1000 :
		       0, READ_ONCE(b->u.tlb_flushes) - tlb);
	return ret;
}

static int zerofill(struct fb *b)
{
	for (u64 i = 0; i < FB_ZF; i++) {
		u64 va = page_va(b, FB_PAGES + i), v = 1, t0 = ktime_get_ns();
		int r = p2m_uput(va, i + 7);

		b->zf[i] = ktime_get_ns() - t0;
		if (!r)
			r = p2m_uget(va + 8, &v);
		if (r || v)
			return r ? r : -EIO;	/* the rest must be zero */
		t0 = ktime_get_ns();
		r = p2m_uput(P2M_USPACE_LOCAL + i * PG, i + 7);
		b->loc[i] = ktime_get_ns() - t0;
		if (r)
			return r;
	}
	return 0;
}

static int measure(struct fb *b)
{
	int err;

	err = populate(b);
	p2m_uspace_enter(&b->u);
	if (!err)
		err = latency(b);
	if (!err)
		err = zerofill(b);
	p2m_uspace_leave();
	for (unsigned int n = 1; !err && n <= FB_THREADS; n *= 2)
		err = throughput(b, n);
	return err;
}

static int bench_body(struct selftest_ctx *t, int node)
{
	struct fb *b = kzalloc(sizeof(*b));
	struct pcache_config cfg;
	struct pcache_stats st;
	int err, gone;

	ST_ASSERT(b);
	b->node = node;
	pcache_default_config(&cfg);
	cfg.bytes = FB_LINES * PG;
	cfg.ways = 8;
	cfg.victims = 8;
	cfg.fault_around = 0;
	cfg.checksum = p2m_csum_enabled();
	err = p2m_uspace_create(&b->u, TGID_FB, node, FB_PAGES + FB_ZF, &cfg);
	if (!err)
		err = p2m_uspace_local(&b->u, FB_ZF);
	if (!err)
		err = measure(b);
	if (!err) {
		pcache_get_stats(b->u.pc, &st);
		printk("P2M_FAULT_BENCH samples=%d fault_median_ns=%llu "
		       "fault_p99_ns=%llu raw_median_ns=%llu raw_p99_ns=%llu\n",
		       SAMPLES, pct(b->lat, SAMPLES, 50),
		       pct(b->lat, SAMPLES, 99), pct(b->raw, SAMPLES, 50),
		       pct(b->raw, SAMPLES, 99));
		printk("P2M_ZEROFILL_BENCH samples=%d zerofill_median_ns=%llu "
		       "zerofill_p99_ns=%llu local_median_ns=%llu "
		       "local_p99_ns=%llu local_zerofills=%llu\n", FB_ZF,
		       pct(b->zf, FB_ZF, 50), pct(b->zf, FB_ZF, 99),
		       pct(b->loc, FB_ZF, 50), pct(b->loc, FB_ZF, 99),
		       st.zerofills);
		pcache_dump_stats(b->u.pc);
	}
	gone = p2m_uspace_destroy(&b->u);
	kfree(b);
	ST_EQ(err, 0);
	ST_EQ(gone, 0);
	return 0;
}

SELFTEST(p2m_bench_fault)
{
	return p2m_test_run(t, bench_body);
}
