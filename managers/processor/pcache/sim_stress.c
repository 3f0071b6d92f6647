/* managers/processor/pcache/sim_stress.c — the pcache memory walk: several
 * threads fault on a space larger than the cache while another one moves,
 * protects, unmaps and forks its own pages in the same sets.
 *
 * Words: accessor t owns 8 words of every page (slot j at byte offset
 * (t * 8 + j) * 32).  A write stores value(page, t, seq) and records it in
 * the thread's shadow; a read of an own word must return the shadow (0
 * before the first write); a read of another thread's word must be 0 or
 * carry that page and that thread (a wrong page or stale line shows).
 * Accesses come in bursts of 16 on one page (locality, like a program);
 * at the end every thread re-reads all its words.
 *
 * The operations thread (accessor @threads) owns pages [P, P + n) and
 * [P + n, P + 2n) past the walk; each round it writes a pattern, mremaps
 * A -> B and checks B (and that A faults), makes B read-only and checks a
 * write fails, restores it, every 4th round forks and checks the child's
 * copy and copy-on-write, mremaps back, and every 3rd round munmaps and
 * re-mmaps A and checks it reads zero.  It runs until the walkers finish.
 * A racer (accessor @threads + 1) reads both regions meanwhile, so faults
 * land on the very pages being moved: each read must fault (-EFAULT) or
 * return 0 or a value the operations thread wrote to that page index —
 * never another page's data (a PTE/rmap/tag mismatch).
 * Walkers are pinned to the online CPUs in turn.  Used by pcache_test.c
 * and tests/host/test_pcache_stress.c.
 */
#include <kernel/printk.h>
#include <kernel/sched.h>
#include <kernel/smp.h>
#include <lib/printf.h>
#include <lib/random.h>
#include <mm/mm.h>
#include <uapi/errno.h>
#include "sim.h"

#define SLOTS	8
#define BURST	16

struct walker {
	struct sim_stress *st;
	unsigned int idx;
	u64 rng;
	u64 *shadow;		/* pages * SLOTS */
	struct task *task;
	int err;
};

static volatile unsigned int walkers_done;

static u64 value(u64 page, unsigned int t, u32 seq)
{
	return (page << 40) | ((u64)t << 32) | seq;
}

static u64 word_uva(struct sim_space *sp, u64 page, unsigned int t,
		    unsigned int j)
{
	return sp->base + page * PCACHE_LINE_SIZE + (t * SLOTS + j) * 32;
}

static int fail(struct sim_stress *st, int err, const char *what, u64 page,
		u64 got, u64 want)
{
	snprintf(st->why, sizeof(st->why),
		 "%s: page %llu got %#llx want %#llx (err %d)", what, page,
		 got, want, err);
	return err ? err : -EIO;
}

/* One burst of accesses on one page. */
static int burst(struct walker *w, u64 page, u32 *seq)
{
	struct sim_stress *st = w->st;
	struct sim_space *sp = st->sp;

	for (int k = 0; k < BURST; k++) {
		u64 r = xorshift64s(&w->rng), v;
		unsigned int j = r % SLOTS, t = (r >> 8) % (st->threads);
		u64 *sh = &w->shadow[page * SLOTS + j];
		int err;

		if (r & 0x10000) {
			v = value(page, w->idx, ++*seq);
			err = sim_access(sp, w->idx, word_uva(sp, page, w->idx, j),
					 true, &v);
			if (err)
				return fail(st, err, "write", page, 0, v);
			*sh = v;
		} else if (r & 0x20000 || t == w->idx) {
			err = sim_access(sp, w->idx, word_uva(sp, page, w->idx, j),
					 false, &v);
			if (err || v != *sh)
				return fail(st, err, "read own", page, v, *sh);
		} else {
			err = sim_access(sp, w->idx, word_uva(sp, page, t, j),
					 false, &v);
			if (err || (v && (v >> 32) != ((page << 8) | t)))
				return fail(st, err, "read other", page, v, t);
		}
	}
	return 0;
}

static int final_check(struct walker *w)
{
	struct sim_space *sp = w->st->sp;

	for (u64 p = 0; p < w->st->pages; p++) {
		for (unsigned int j = 0; j < SLOTS; j++) {
			u64 v, want = w->shadow[p * SLOTS + j];
			int err = sim_access(sp, w->idx,
					     word_uva(sp, p, w->idx, j), false,
					     &v);

			if (err || v != want)
				return fail(w->st, err, "final", p, v, want);
		}
	}
	return 0;
}

static int walker_fn(void *arg)
{
	struct walker *w = arg;
	u32 seq = 0;

	for (u64 n = 0; n < w->st->accesses && !w->err; n += BURST)
		w->err = burst(w, xorshift64s(&w->rng) % w->st->pages, &seq);
	if (!w->err)
		w->err = final_check(w);
	__atomic_add_fetch(&walkers_done, 1, __ATOMIC_RELEASE);
	return w->err;
}

/* --- the operations thread --------------------------------------------- */

struct opsctx {
	struct sim_stress *st;
	unsigned int who;
	u64 a, b, n;		/* region A, region B (uva), pages */
	u32 round;
};

static int fill_region(struct opsctx *o, struct sim_space *sp, u64 at)
{
	for (u64 i = 0; i < o->n; i++) {
		u64 v = value(i, o->who, o->round);
		int err = sim_access(sp, o->who, at + i * 4096, true, &v);

		if (err)
			return fail(o->st, err, "ops write", i, 0, v);
	}
	return 0;
}

static int check_region(struct opsctx *o, struct sim_space *sp, u64 at,
			u32 round, bool zero)
{
	for (u64 i = 0; i < o->n; i++) {
		u64 v, want = zero ? 0 : value(i, o->who, round);
		int err = sim_access(sp, o->who, at + i * 4096, false, &v);

		if (err || v != want)
			return fail(o->st, err, "ops read", i, v, want);
	}
	return 0;
}

static int check_fork(struct opsctx *o)
{
	struct sim_space *sp = o->st->sp, child;
	u64 v = value(0, o->who, ~o->round);	/* well formed for the racer */
	int err;

	err = sim_space_init(&child, sp->node, sp->ps.pc, sp->ps.id + 1000,
			     sp->base, sp->npages);
	if (err)
		return fail(o->st, err, "fork init", 0, 0, 0);
	err = sim_fork(sp, &child);
	if (!err)
		err = check_region(o, &child, o->b, o->round, false);
	if (!err && sim_access(sp, o->who, o->b, true, &v))
		err = fail(o->st, -EFAULT, "cow write", 0, 0, v);
	if (!err && (sim_access(&child, o->who, o->b, false, &v) ||
		     v != value(0, o->who, o->round)))
		err = fail(o->st, -EIO, "child after cow", 0, v, 0);
	if (!err) {
		v = value(0, o->who, o->round);
		err = sim_access(sp, o->who, o->b, true, &v);
	}
	sim_space_fini(&child);
	return err;
}

static int ops_round(struct opsctx *o)
{
	struct sim_space *sp = o->st->sp;
	u64 v = 7;
	int err;

	err = fill_region(o, sp, o->a);
	if (!err)
		err = sim_mremap(sp, o->a, o->b, o->n);
	if (!err)
		err = check_region(o, sp, o->b, o->round, false);
	if (!err && sim_access(sp, o->who, o->a, false, &v) != -EFAULT)
		err = fail(o->st, -EIO, "old range still mapped", 0, v, 0);
	if (!err)
		err = sim_mprotect(sp, o->b, o->n, PCACHE_PROT_READ);
	if (!err && sim_access(sp, o->who, o->b, true, &v) != -EFAULT)
		err = fail(o->st, -EIO, "write to read-only", 0, v, 0);
	if (!err)
		err = sim_mprotect(sp, o->b, o->n,
				   PCACHE_PROT_READ | PCACHE_PROT_WRITE);
	if (!err && o->round % 4 == 1)
		err = check_fork(o);
	if (!err)
		err = sim_mremap(sp, o->b, o->a, o->n);
	if (!err)
		err = check_region(o, sp, o->a, o->round, false);
	if (!err && o->round % 3 == 2) {
		err = sim_munmap(sp, o->a, o->n);
		sim_mmap(sp, o->a, o->n, PCACHE_PROT_READ | PCACHE_PROT_WRITE);
		if (!err)
			err = check_region(o, sp, o->a, o->round, true);
	}
	return err;
}

static int racer_fn(void *arg)
{
	struct opsctx *o = arg;
	u64 rng = 99;

	while (__atomic_load_n(&walkers_done, __ATOMIC_ACQUIRE) <
	       o->st->threads) {
		u64 r = xorshift64s(&rng), i = r % o->n, v;
		u64 at = ((r >> 20) & 1 ? o->b : o->a) + i * 4096;
		int err = sim_access(o->st->sp, o->who + 1, at, false, &v);

		if (err == -EFAULT)
			continue;
		if (err || (v && (v >> 32) != ((i << 8) | o->who)))
			return fail(o->st, err, "racer", i, v, o->who);
	}
	return 0;
}

static int ops_fn(void *arg)
{
	struct opsctx *o = arg;
	int err = 0;

	while (!err && __atomic_load_n(&walkers_done, __ATOMIC_ACQUIRE) <
			       o->st->threads) {
		o->round++;
		err = ops_round(o);
		o->st->ops_done++;
	}
	return err;
}

/* Walker @i runs on the online CPUs in turn. */
static int walker_cpu(unsigned int i)
{
	int cpu, n = 0, want = (int)(i % (unsigned int)nr_cpus_online());

	for_each_online_cpu(cpu) {
		if (n++ == want)
			return cpu;
	}
	return 0;
}

static void join_into(struct task *t, int *ret)
{
	int err = t ? kthread_join(t) : 0;

	if (err && !*ret)
		*ret = err;
}

static void stop_walkers(struct walker *w, unsigned int n, int *ret)
{
	for (unsigned int i = 0; i < n; i++) {
		int err = kthread_join(w[i].task);

		if (err && !*ret)
			*ret = err;
		kfree(w[i].shadow);
	}
}

int sim_stress_run(struct sim_stress *st)
{
	struct sim_space *sp = st->sp;
	struct walker *w = kcalloc(st->threads, sizeof(*w));
	struct opsctx o = { st, st->threads, 0, 0, st->ops_pages, 0 };
	struct task *ops = NULL, *racer = NULL;
	unsigned int started = 0;
	int ret = 0;

	if (!w || st->threads + 2 > SIM_MAX_ACCESSORS ||
	    (st->pages + 2 * st->ops_pages) > sp->npages) {
		kfree(w);
		return -EINVAL;
	}
	walkers_done = 0;
	sim_mmap(sp, sp->base, st->pages + st->ops_pages,
		 PCACHE_PROT_READ | PCACHE_PROT_WRITE);
	for (; started < st->threads; started++) {
		struct walker *x = &w[started];

		*x = (struct walker){ st, started, st->seed * 77 + started + 1,
				      kcalloc(st->pages * SLOTS, 8), NULL, 0 };
		if (x->shadow)
			x->task = kthread_run_on(walker_fn, x,
						 walker_cpu(started),
						 "pcache_walk");
		if (!x->task) {
			kfree(x->shadow);
			ret = -ENOMEM;
			break;
		}
	}
	if (st->ops_pages && !ret) {
		o.a = sp->base + st->pages * 4096;
		o.b = o.a + st->ops_pages * 4096;
		ops = kthread_run(ops_fn, &o, "pcache_ops");
		racer = kthread_run(racer_fn, &o, "pcache_racer");
	}
	stop_walkers(w, started, &ret);
	join_into(ops, &ret);
	join_into(racer, &ret);
	if (!ret && started < st->threads)
		ret = -ENOMEM;
	kfree(w);
	return ret;
}
