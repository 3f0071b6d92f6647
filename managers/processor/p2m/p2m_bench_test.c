/* managers/processor/p2m/p2m_bench_test.c — p2m_bench_miss: the round
 * trip of a PCACHE_MISS (8 pages of an anonymous mapping, all present
 * on the memory node, read in turn: the memory node copies a page and
 * ships it) against the raw fit_call 4 KiB round trips measured in the
 * same run: P2M_TEST_OP_PAGE (empty request, 4 KiB reply — the same
 * bytes on the wire as a miss without its headers) and FIT_OP_PING of
 * 4 KiB each way.  Prints one line for scripts/run-bench:
 *   P2M_BENCH samples=N miss_median_ns=.. miss_p99_ns=.. raw_median_ns=..
 *   raw_p99_ns=.. ping4k_median_ns=.. ping4k_p99_ns=..
 * The three kinds are interleaved so that drift of a shared host hits
 * them alike.  Fails only if a call fails; the numbers are not judged.
 */
#include <fit/fit.h>
#include <kernel/printk.h>
#include <kernel/time.h>
#include <lib/sort.h>
#include <lib/string.h>
#include <mm/mm.h>
#include <protocol/fit.h>
#include <uapi/errno.h>
#include <uapi/mman.h>
#include "p2m_test.h"

#define TGID_BENCH	3001
#define SAMPLES		1000
#define PAGES		8

static int cmp_u64(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

struct series {
	u64 ns[SAMPLES];
};

static u64 median(struct series *s)
{
	return s->ns[SAMPLES / 2];
}

static u64 p99(struct series *s)
{
	return s->ns[SAMPLES * 99 / 100];
}

/* One sample of each kind; returns 0 or the first error. */
static int sample(int node, u64 base, int i, u8 *page, struct series *s)
{
	u64 t0 = ktime_get_ns();
	int r = p2m_miss(TGID_BENCH, base + (i % PAGES) * P2M_PAGE_SIZE, 0,
			 NULL, page, NULL);

	s[0].ns[i] = ktime_get_ns() - t0;
	if (r)
		return r;
	t0 = ktime_get_ns();
	r = fit_call((u16)node, P2M_TEST_OP_PAGE, NULL, 0, page,
		     P2M_PAGE_SIZE, 0);
	s[1].ns[i] = ktime_get_ns() - t0;
	if (r != P2M_PAGE_SIZE)
		return r < 0 ? r : -EPROTO;
	t0 = ktime_get_ns();
	r = fit_call((u16)node, FIT_OP_PING, page, P2M_PAGE_SIZE, page,
		     P2M_PAGE_SIZE, 0);
	s[2].ns[i] = ktime_get_ns() - t0;
	return r == P2M_PAGE_SIZE ? 0 : r < 0 ? r : -EPROTO;
}

static int bench_body(struct selftest_ctx *t, int node)
{
	struct series *s = kcalloc(3, sizeof(*s));
	u8 *page = kmalloc(P2M_PAGE_SIZE);
	struct p2m_changes ch;
	struct p2m_exec_out o;
	int err;
	u64 a;

	ST_ASSERT(s && page);
	ST_EQ(p2m_test_exec(TGID_BENCH, &o), 0);
	err = p2m_mmap(TGID_BENCH, 0, PAGES * P2M_PAGE_SIZE,
		       PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, 0,
		       0, &a, &ch);
	for (int i = 0; i < PAGES && !err; i++)	/* populate, warm up */
		err = sample(node, a, i, page, s);
	for (int i = 0; i < SAMPLES && !err; i++)
		err = sample(node, a, i, page, s);
	p2m_exit(TGID_BENCH);
	if (!err) {
		for (int k = 0; k < 3; k++)
			sort(s[k].ns, SAMPLES, sizeof(u64), cmp_u64);
		printk("P2M_BENCH node=%d samples=%d miss_median_ns=%llu "
		       "miss_p99_ns=%llu raw_median_ns=%llu raw_p99_ns=%llu "
		       "ping4k_median_ns=%llu ping4k_p99_ns=%llu\n", node,
		       SAMPLES, median(&s[0]), p99(&s[0]), median(&s[1]),
		       p99(&s[1]), median(&s[2]), p99(&s[2]));
	}
	kfree(s);
	kfree(page);
	ST_EQ(err, 0);
	return 0;
}

SELFTEST(p2m_bench_miss)
{
	return p2m_test_run(t, bench_body);
}
