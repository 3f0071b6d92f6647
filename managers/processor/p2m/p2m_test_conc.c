/* managers/processor/p2m/p2m_test_conc.c — p2m_concurrent: the memory
 * node serves several callers at once (FIT's worker pool, the process
 * table, per-process locks).
 *
 * Four threads each own a process and write/read seeded page versions
 * (MISS + FLUSH) in random order; two more threads share one process:
 * one does the same on its region while the other mmaps, mprotects,
 * mremaps and munmaps another region of that space.  Every read must
 * return the version last written (a mismatch is reported as -EIO); at
 * the end all processes exit and the
 * harness checks that the memory node's pages came back.
 */
#include <kernel/sched.h>
#include <lib/string.h>
#include <mm/mm.h>
#include <uapi/errno.h>
#include <uapi/mman.h>
#include "p2m_test.h"

#define TGID_CONC	4001
#define SHARED_TGID	4100
#define PAGES		16
#define STEPS		150
#define OWN		4
#define PG		P2M_PAGE_SIZE

struct worker {
	u32 tgid;
	u64 seed, base;
	bool churn;		/* the mapping-churn thread of the pair */
	int err;
	u32 version[PAGES];
	u64 *want, *got;
};

static u64 rnd(u64 *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static int rw_step(struct worker *w)
{
	u64 page = rnd(&w->seed) % PAGES, va = w->base + page * PG;
	int err;

	if (rnd(&w->seed) & 1) {
		p2m_test_pattern(w->want, page, ++w->version[page]);
		return p2m_write_user(w->tgid, va, w->want, PG);
	}
	p2m_test_pattern(w->want, page, w->version[page]);
	err = p2m_read_user(w->tgid, va, w->got, PG);
	return err ? err : memcmp(w->want, w->got, PG) ? -EIO : 0;
}

static int churn_step(struct worker *w)
{
	struct p2m_changes ch;
	u64 a, b;
	int err = p2m_mmap(w->tgid, 0, 4 * PG, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS, 0, 0, &a, &ch);

	if (!err)
		err = p2m_write_user(w->tgid, a, w->want, PG);
	if (!err)
		err = p2m_mprotect(w->tgid, a + PG, PG, PROT_READ, &ch);
	if (!err)	/* back to one VMA: mremap needs one (-EFAULT) */
		err = p2m_mprotect(w->tgid, a + PG, PG,
				   PROT_READ | PROT_WRITE, &ch);
	if (!err)
		err = p2m_mremap(w->tgid, a, 4 * PG, 8 * PG, MREMAP_MAYMOVE, 0,
				 &b, &ch);
	if (!err)
		err = p2m_read_user(w->tgid, b, w->got, PG);
	if (!err && memcmp(w->want, w->got, PG))
		err = -EIO;
	if (!err)
		err = p2m_munmap(w->tgid, b, 8 * PG, &ch);
	return err;
}

static int worker_fn(void *arg)
{
	struct worker *w = arg;
	struct p2m_changes ch;

	w->want = kmalloc(PG);
	w->got = kmalloc(PG);
	w->err = w->want && w->got ? 0 : -ENOMEM;
	if (!w->err && !w->churn)
		w->err = p2m_mmap(w->tgid, 0, PAGES * PG,
				  PROT_READ | PROT_WRITE,
				  MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE,
				  0, 0, &w->base, &ch);
	for (u64 p = 0; p < PAGES && !w->err && !w->churn; p++) {
		p2m_test_pattern(w->want, p, 0);
		w->err = p2m_write_user(w->tgid, w->base + p * PG, w->want, PG);
	}
	for (int s = 0; s < STEPS && !w->err; s++)
		w->err = w->churn ? churn_step(w) : rw_step(w);
	kfree(w->want);
	kfree(w->got);
	return 0;
}

static int conc_body(struct selftest_ctx *t, int node)
{
	struct worker *w = kcalloc(OWN + 2, sizeof(*w));
	struct task *task[OWN + 2];
	struct p2m_exec_out o;
	int i;

	ST_ASSERT(w);
	for (i = 0; i < OWN + 2; i++) {
		w[i].tgid = i < OWN ? TGID_CONC + i : SHARED_TGID;
		w[i].seed = 0xc0ffee00 + i;
		w[i].churn = i == OWN + 1;
		if (i <= OWN)
			ST_EQ(p2m_test_exec(w[i].tgid, &o), 0);
	}
	for (i = 0; i < OWN + 2; i++) {
		task[i] = kthread_run(worker_fn, &w[i], "p2m-conc");
		ST_ASSERT(task[i]);
	}
	for (i = 0; i < OWN + 2; i++)
		kthread_join(task[i]);
	for (i = 0; i <= OWN; i++)
		ST_EQ(p2m_exit(w[i].tgid), 0);
	for (i = 0; i < OWN + 2; i++)
		if (w[i].err)
			ST_FAIL("thread %d (tgid %u): error %d", i, w[i].tgid,
				w[i].err);
	kfree(w);
	return 0;
}

SELFTEST(p2m_concurrent)
{
	return p2m_test_run(t, conc_body);
}
