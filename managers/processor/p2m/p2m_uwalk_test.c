/* managers/processor/p2m/p2m_uwalk_test.c — p2m_upt_walk: the memory walk
 * over the real P2M protocol and real user page tables.
 *
 * A process is created on the memory node (p2m_test_upt.c) with an
 * anonymous mapping of 4x the cache (a private pcache of UWALK_LINES
 * lines, 8 ways, 8 victim entries, fault-around 3, whose misses and
 * write-backs are PCACHE_MISS/FLUSH over FIT: RDMA on `p,m`, loopback on
 * role=all).  Four kernel threads, pinned to the online CPUs in turn,
 * load the process's page table and write and re-read seeded words in
 * random order with single 8-byte user loads and stores: every access
 * goes through the MMU and the user PTEs, and every absent or read-only
 * page raises #PF, which the user-fault hook sends to pcache_fault().
 *
 * Words: thread t owns SLOTS words of every page.  A write stores
 * value(page, t, seq) and records it in the thread's shadow; a read of an
 * own word must return the shadow (0 before the first write); a read of
 * another thread's word must be 0 or carry that page and that thread.
 * Accesses come in bursts of p2m.uwalk_burst (default 64) on one random
 * page, so most are hits through an installed PTE and about 1 in 85 a
 * fault — a cache's working point, and affordable under TCG.  Every
 * SWEEP_EVERY-th visit instead writes SWEEP pages of one set and re-reads
 * the first, which the later fills evicted dirty: a victim-cache hit
 * unless the flush thread wrote it back first.  At the
 * end each thread re-reads all its words; then every dirty line is
 * written back and every page is read on the memory node itself and
 * compared with all four shadows.  Evictions, victim hits and write-backs
 * by the flush thread must all have happened before that final write-back.
 *
 * p2m.uwalk=N sets the accesses per thread (default 10 000: 40 000 in
 * all, seconds under TCG); p2m.uwalk=2500000 is the full 10 million run
 * (Documentation/pcache.md has the command and the figures).
 */
#include <kernel/param.h>
#include <kernel/printk.h>
#include <kernel/sched.h>
#include <kernel/time.h>
#include <lib/printf.h>
#include <lib/random.h>
#include <lib/string.h>
#include <mm/mm.h>
#include <uapi/errno.h>
#include "p2m_test.h"

#define TGID_UWALK	5201
#define UWALK_LINES	256
#define UWALK_PAGES	(4 * UWALK_LINES)
#define UWALK_WAYS	8
#define UWALK_SETS	(UWALK_LINES / UWALK_WAYS)
#define SWEEP		(UWALK_WAYS + 4)	/* pages per set sweep */
#define SWEEP_EVERY	8			/* bursts per sweep */
#define PROGRESS_EVERY	1024			/* bursts per progress line */
#define THREADS		4
#define SLOTS		8
#define PG		4096ull

static unsigned long uwalk_accesses = 10000;
param_ulong("p2m.uwalk", uwalk_accesses,
	    "p2m_upt_walk selftest: accesses per walker thread");
static unsigned long uwalk_burst = 64;
param_ulong("p2m.uwalk_burst", uwalk_burst,
	    "p2m_upt_walk selftest: accesses per page visit");

struct uwalker {
	struct p2m_uspace *u;
	unsigned int idx;
	u64 rng;
	u64 *shadow;		/* UWALK_PAGES * SLOTS */
	struct task *task;
	u64 done;		/* accesses before the final check */
	int err;
	char why[120];
};

static u64 value(u64 page, unsigned int t, u32 seq)
{
	return (page << 40) | ((u64)t << 32) | seq;
}

static u64 word_uva(struct p2m_uspace *u, u64 page, unsigned int t,
		    unsigned int j)
{
	return u->base + page * PG + (t * SLOTS + j) * 32;
}

static int fail(struct uwalker *w, int err, const char *what, u64 page,
		u64 got, u64 want)
{
	snprintf(w->why, sizeof(w->why),
		 "thread %u %s: page %llu got %#llx want %#llx (err %d)",
		 w->idx, what, page, got, want, err);
	return err ? err : -EIO;
}

/* One access of a burst on @page. */
static int access(struct uwalker *w, u64 page, u32 *seq)
{
	u64 r = xorshift64s(&w->rng), v;
	unsigned int j = r % SLOTS, t = (r >> 8) % THREADS;
	u64 *sh = &w->shadow[page * SLOTS + j];
	int err;

	if (r & 0x10000) {
		v = value(page, w->idx, ++*seq);
		err = p2m_uput(word_uva(w->u, page, w->idx, j), v);
		if (err)
			return fail(w, err, "write", page, 0, v);
		*sh = v;
	} else if ((r & 0x20000) || t == w->idx) {
		err = p2m_uget(word_uva(w->u, page, w->idx, j), &v);
		if (err || v != *sh)
			return fail(w, err, "read own", page, v, *sh);
	} else {
		err = p2m_uget(word_uva(w->u, page, t, j), &v);
		if (err || (v && (v >> 32) != ((page << 8) | t)))
			return fail(w, err, "read other", page, v, t);
	}
	return 0;
}

/* Write own words of SWEEP pages of one set, starting at @page, then
 * re-read the @reread'th: with FIFO order the later fills evict it
 * (dirty), so the re-read usually refills it from the victim cache. */
static int sweep(struct uwalker *w, u64 page, unsigned int reread, u32 *seq)
{
	u64 v;
	int err;

	for (unsigned int k = 0; k < SWEEP; k++) {
		u64 p = page + k * UWALK_SETS;

		v = value(p, w->idx, ++*seq);
		err = p2m_uput(word_uva(w->u, p, w->idx, 0), v);
		if (err)
			return fail(w, err, "sweep write", p, 0, v);
		w->shadow[p * SLOTS] = v;
	}
	page += reread * UWALK_SETS;
	err = p2m_uget(word_uva(w->u, page, w->idx, 0), &v);
	if (err || v != w->shadow[page * SLOTS])
		return fail(w, err, "sweep read", page, v,
			    w->shadow[page * SLOTS]);
	return 0;
}

/* After the walk, alone: when four threads sweep at once, each miss can
 * piggyback the victim a sweep is about to re-read (seen on p,m: 1,302
 * dirty evictions, 894 piggybacks, no victim hit).  With one thread the
 * set holds only its own pages, the line evicted by the last fill is the
 * youngest victim, and re-reading it finds it there unless the flush
 * thread took it first: up to 32 tries, every read still checked. */
static int victim_probe(struct uwalker *w, struct pcache *pc)
{
	struct pcache_stats st;
	u32 seq = 1u << 30;
	int err = 0;

	p2m_uspace_enter(w->u);
	for (unsigned int i = 0; i < 32 && !err; i++) {
		pcache_get_stats(pc, &st);
		if (st.victim_hits)
			break;
		err = sweep(w, i % UWALK_SETS, SWEEP - UWALK_WAYS - 1, &seq);
	}
	p2m_uspace_leave();
	return err;
}

static int final_check(struct uwalker *w)
{
	for (u64 p = 0; p < UWALK_PAGES; p++) {
		for (unsigned int j = 0; j < SLOTS; j++) {
			u64 v, want = w->shadow[p * SLOTS + j];
			int err = p2m_uget(word_uva(w->u, p, w->idx, j), &v);

			if (err || v != want)
				return fail(w, err, "final", p, v, want);
		}
	}
	return 0;
}

static int walker_fn(void *arg)
{
	struct uwalker *w = arg;
	u64 burst = uwalk_burst ? uwalk_burst : 1, n = 0;
	u32 seq = 0;

	p2m_uspace_enter(w->u);
	for (u64 b = 0; n < uwalk_accesses && !w->err; b++) {
		u64 page = xorshift64s(&w->rng) % UWALK_PAGES;

		if (!w->idx && b % PROGRESS_EVERY == PROGRESS_EVERY - 1)
			printk("p2m_upt_walk: thread 0 at %llu accesses, %llu "
			       "user faults in all\n", n, READ_ONCE(w->u->faults));
		if (b % SWEEP_EVERY == SWEEP_EVERY - 1) {
			w->err = sweep(w, page % (UWALK_PAGES -
						  SWEEP * UWALK_SETS), 0, &seq);
			n += SWEEP + 1;
			continue;
		}
		for (u64 k = 0; k < burst && n < uwalk_accesses && !w->err;
		     k++, n++)
			w->err = access(w, page, &seq);
	}
	w->done = n;
	if (!w->err)
		w->err = final_check(w);
	p2m_uspace_leave();
	return w->err;
}

/* Every page on the memory node holds every thread's last words. */
static int check_node(struct p2m_uspace *u, struct uwalker *w, char *why,
		      size_t len)
{
	u64 *buf = kmalloc(PG);
	int err = buf ? 0 : -ENOMEM;

	for (u64 p = 0; p < UWALK_PAGES && !err; p++) {
		err = p2m_read_user(u->tgid, u->base + p * PG, buf, PG);
		if (err)
			snprintf(why, len, "memory node read of page %llu: %d",
				 p, err);
		for (unsigned int i = 0; i < THREADS * SLOTS && !err; i++) {
			u64 want = w[i / SLOTS].shadow[p * SLOTS + i % SLOTS];

			if (buf[i * 4] == want)
				continue;
			snprintf(why, len, "memory node page %llu word %u: "
				 "%#llx want %#llx", p, i, buf[i * 4], want);
			err = -EIO;
		}
	}
	kfree(buf);
	return err;
}

/* Start the walkers and join them; 0 or the first error (its story in
 * @why). */
static int run_walkers(struct p2m_uspace *u, struct uwalker *w, char *why,
		       size_t len)
{
	unsigned int started = 0;
	int ret = 0;

	for (unsigned int i = 0; i < THREADS; i++) {
		w[i] = (struct uwalker){ .u = u, .idx = i,
					 .rng = 2026 * 77 + i + 1 };
		w[i].shadow = kcalloc(UWALK_PAGES * SLOTS, sizeof(u64));
		if (!w[i].shadow)
			return -ENOMEM;
	}
	for (; started < THREADS; started++) {
		w[started].task = kthread_run_on(walker_fn, &w[started],
						 p2m_test_cpu(started),
						 "p2m_uwalk");
		if (!w[started].task) {
			ret = -ENOMEM;
			break;
		}
	}
	for (unsigned int i = 0; i < started; i++) {
		int err = kthread_join(w[i].task);

		if (err && !ret) {
			ret = err;
			strscpy(why, w[i].why, len);
		}
	}
	return ret;
}

static void report(struct p2m_uspace *u, const struct uwalker *w,
		   const struct pcache_stats *st, u64 ns)
{
	u64 n = 0, ms = ns / NSEC_PER_MSEC;

	for (unsigned int i = 0; i < THREADS; i++)
		n += w[i].done;

	pcache_dump_stats(u->pc);
	printk("p2m_upt_walk: %llu accesses done (+%u final reads) by %u threads "
	       "in %llu ms (%llu/s), burst %lu: %llu user faults, %llu "
	       "misses, %llu TLB shootdowns\n", n,
	       THREADS * UWALK_PAGES * SLOTS, THREADS, ms,
	       ms ? n * 1000 / ms : 0, uwalk_burst, u->faults, st->misses,
	       u->tlb_flushes);
	printk("p2m_upt_walk: %llu us per fault, %llu us per shootdown "
	       "(means)\n", u->faults ? u->fault_ns / u->faults / 1000 : 0,
	       u->tlb_flushes ? u->tlb_ns / u->tlb_flushes / 1000 : 0);
}

static int uwalk_body(struct selftest_ctx *t, int node)
{
	struct uwalker *w = kcalloc(THREADS, sizeof(*w));
	struct pcache_stats st = { 0 };
	struct pcache_config cfg;
	struct p2m_uspace u;
	char why[160] = "";
	int ret, gone;
	u64 t0;

	ST_ASSERT(w);
	pcache_default_config(&cfg);
	cfg.bytes = UWALK_LINES * PG;
	cfg.ways = UWALK_WAYS;
	cfg.victims = 8;
	cfg.fault_around = 3;
	cfg.checksum = p2m_csum_enabled();
	ret = p2m_uspace_create(&u, TGID_UWALK, node, UWALK_PAGES, &cfg);
	if (!ret) {
		t0 = ktime_get_ns();
		ret = run_walkers(&u, w, why, sizeof(why));
		if (!ret) {
			ret = victim_probe(&w[0], u.pc);
			if (ret)
				strscpy(why, w[0].why, sizeof(why));
		}
		pcache_get_stats(u.pc, &st);
		report(&u, w, &st, ktime_get_ns() - t0);
	}
	if (!ret)
		ret = pcache_unmap_range(&u.ps, u.base,
					 u.base + UWALK_PAGES * PG, false);
	if (!ret)
		ret = check_node(&u, w, why, sizeof(why));
	gone = p2m_uspace_destroy(&u);
	for (unsigned int i = 0; i < THREADS; i++)
		kfree(w[i].shadow);
	kfree(w);
	if (ret)
		ST_FAIL("walk: %d: %s", ret, why);
	ST_EQ(gone, 0);
	ST_ASSERT(st.evict_clean + st.evict_dirty > 0);
	ST_ASSERT(st.victim_hits > 0);
	ST_ASSERT(st.flushes > 0);
	/* flush_errors may count transient transport errors (the entry is
	 * requeued and written again): the memory-node check above is what
	 * proves no write was lost. */
	ST_EQ(st.csum_errors + st.timeouts, 0);
	return 0;
}

SELFTEST(p2m_upt_walk)
{
	return p2m_test_run(t, uwalk_body);
}
