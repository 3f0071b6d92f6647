/* tests/host/test_pcache_basic.c — the pcache (managers/processor/pcache)
 * one behaviour at a time, single-threaded, against the simulated memory
 * node and page table (sim.c) and the pthread shims.
 *
 * Covers: configuration checks; zero-fill, hits and write upgrade;
 * eviction of clean and dirty lines; refill from the victim cache and its
 * write-back by the flush thread; a full victim cache; the victim-entry
 * state machine step by step; fault-around; checksums catching a damaged
 * page; munmap (discard and write-back), mprotect, mremap with lines and
 * victim entries in the range (also with a read fault refilling a dirty
 * victim entry in the middle of it), fork's write-protect and copy-on-write;
 * FIFO and LRU order.
 */
#include "harness.h"
#include "test_pcache_shim.h"

#include "../../lib/string.c"
#include "../../lib/vsnprintf.c"
#include "../../lib/crc32c.c"
#include "../../managers/processor/pcache/core.c"
#include "../../managers/processor/pcache/victim.c"
#include "../../managers/processor/pcache/coherence.c"
#include "../../managers/processor/pcache/sim.c"

#define BASE	0x400000ull
#define PG	4096ull
#define P5	((BASE >> 12) + 5)	/* a page number inside the space */

static struct pcache *pc;
static struct sim_node *node;
static struct sim_space sp;

/* 4 sets x 2 ways, 2 victim entries. */
static void setup(unsigned int ways, unsigned int sets, unsigned int victims,
		  unsigned int around, enum pcache_policy pol, bool csum)
{
	struct pcache_config cfg = { (u64)ways * sets * PG, ways, victims,
				     around, pol, csum };
	int err;

	node = sim_node_create(csum);
	pc = pcache_create(&cfg, &sim_ops, &err);
	CHECK(pc != NULL, "create: %d", err);
	CHECK_EQ(sim_space_init(&sp, node, pc, 1, BASE, 256), 0);
	sim_mmap(&sp, BASE, 256, PCACHE_PROT_READ | PCACHE_PROT_WRITE);
}

static void teardown(void)
{
	sim_space_fini(&sp);
	CHECK_EQ(pcache_nr_valid(pc), 0);
	pcache_destroy(pc);
	sim_node_destroy(node);
}

static u64 rd(u64 page)
{
	u64 v = ~0ull;
	int err = sim_access(&sp, 0, BASE + page * PG + 8, false, &v);

	CHECK_EQ(err, 0);
	return v;
}

static void wr(u64 page, u64 v)
{
	CHECK_EQ(sim_access(&sp, 0, BASE + page * PG + 8, true, &v), 0);
}

static struct pcache_stats stats(void)
{
	struct pcache_stats st;

	pcache_get_stats(pc, &st);
	return st;
}

/* Direct state-machine tests: no flush thread racing with them. */
static void stop_flusher(void)
{
	WRITE_ONCE(pc->vc.stop, true);
	wake_up_all(&pc->vc.kick);
	kthread_join(pc->vc.flusher);
	pc->vc.flusher = NULL;
}

static void test_config(void)
{
	struct pcache_config bad[] = {
		{ 64 * PG, 0, 8, 0, PCACHE_POLICY_LRU, false },
		{ 64 * PG, 65, 8, 0, PCACHE_POLICY_LRU, false },
		{ 2 * PG, 4, 8, 0, PCACHE_POLICY_LRU, false },
		{ 64 * PG, 8, 0, 0, PCACHE_POLICY_LRU, false },
		{ 64 * PG, 8, 8, 17, PCACHE_POLICY_LRU, false },
	};
	struct pcache_config ok = { 100 * PG + 5, 8, 8, 0, 0, false };
	int err;

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		CHECK(pcache_create(&bad[i], &sim_ops, &err) == NULL, "%zu", i);
		CHECK_EQ(err, -EINVAL);
	}
	pc = pcache_create(&ok, &sim_ops, &err);
	CHECK(pc != NULL, "err %d", err);
	CHECK_EQ(pc->nr_sets, 12);	/* 100 lines / 8 ways, rounded down */
	CHECK_EQ(pc->cfg.bytes, 96 * PG);
	pcache_destroy(pc);
	CHECK_EQ(shim_pages_out, 0);
}

static void test_zerofill_hit_upgrade(void)
{
	struct pcache_stats st;

	setup(2, 4, 2, 0, PCACHE_POLICY_LRU, false);
	CHECK_EQ(rd(0), 0);
	st = stats();
	CHECK_EQ(st.zerofills, 1);
	CHECK_EQ(st.misses, 0);
	CHECK_EQ(node->notices, 1);
	CHECK(!(sp.pte[0] & PTE_W), "read fault maps read-only");
	wr(0, 42);			/* write upgrade: a hit */
	CHECK_EQ(stats().hits, 1);
	CHECK(sp.pte[0] & PTE_W, "now writable");
	CHECK(pc->sets[0].lines[0].flags & LINE_DIRTY ||
	      pc->sets[0].lines[1].flags & LINE_DIRTY, "dirty");
	CHECK_EQ(rd(0), 42);
	CHECK_EQ(stats().hits, 1);	/* no fault for a mapped read */
	teardown();
}

static void test_evict_victim_flush(void)
{
	struct pcache_stats st;

	setup(2, 4, 4, 0, PCACHE_POLICY_FIFO, false);
	/* pages 0, 4, 8 share set 0 (2 ways): the third evicts page 0. */
	wr(0, 100);
	wr(4, 104);
	wr(8, 108);
	st = stats();
	CHECK_EQ(st.evict_dirty, 1);
	CHECK_EQ(sp.pte[0], 0);
	CHECK_EQ(rd(0), 100);		/* from the victim cache */
	st = stats();
	CHECK_EQ(st.victim_hits, 1);
	CHECK_EQ(st.evict_dirty, 2);	/* page 4 went out for it */
	/* Make the flush thread write everything back, then miss. */
	pcache_unmap_range(&sp.ps, BASE, BASE + 256 * PG, false);
	CHECK_EQ(pcache_nr_valid(pc), 0);
	CHECK(stats().flushes >= 3, "flushes %llu", stats().flushes);
	node->zerofill = false;
	CHECK_EQ(rd(4), 104);
	CHECK_EQ(rd(8), 108);
	CHECK_EQ(rd(0), 100);
	st = stats();
	CHECK_EQ(st.misses, 3);
	CHECK_EQ(st.evict_clean, 1);
	teardown();
}

static void test_victim_full(void)
{
	setup(1, 1, 1, 0, PCACHE_POLICY_FIFO, false);
	for (u64 p = 0; p < 40; p++)
		wr(p, p * 3 + 1);
	for (u64 p = 0; p < 40; p++)
		CHECK_EQ(rd(p), p * 3 + 1);
	CHECK(stats().flushes + stats().piggybacks >= 39, "write-backs");
	teardown();
}

static void test_victim_machine(void)
{
	struct pcache_victim *v, *got = NULL, *p;
	u32 seq;

	setup(2, 4, 2, 0, PCACHE_POLICY_FIFO, false);
	stop_flusher();
	v = pc_victim_reserve(pc);
	CHECK(v && v->state == VICTIM_FILLING && v->refcount == 1, "reserve");
	CHECK_EQ(pc_victim_claim(pc, &sp.ps, P5, &got, &seq), -ENOENT);
	pc_victim_commit(pc, v, &sp.ps, P5, true);
	CHECK_EQ(v->state, VICTIM_READY);
	CHECK(pc_victim_present(pc, &sp.ps, P5), "present");
	/* A second reservation empties the cache. */
	p = pc_victim_reserve(pc);
	CHECK(p != NULL, "second");
	CHECK(pc_victim_reserve(pc) == NULL, "full");
	pc_victim_commit(pc, p, &sp.ps, P5 + 1, true);
	CHECK_EQ(v->refcount, 1);
	/* Hit: READY -> DEAD, the claimer owns the last reference. */
	CHECK_EQ(pc_victim_claim(pc, &sp.ps, P5, &got, &seq), 0);
	CHECK(got == v && v->state == VICTIM_DEAD, "claimed");
	CHECK(!pc_victim_present(pc, &sp.ps, P5), "gone from lookup");
	pc_victim_put(pc, v);
	CHECK_EQ(v->state, VICTIM_FREE);
	CHECK_EQ(pc->vc.nr_free, 1);
	teardown();
}

static void test_flushing_claim_waits(void)
{
	struct pcache_victim *v, *got = NULL;
	u32 seq;

	setup(2, 4, 4, 0, PCACHE_POLICY_FIFO, false);
	stop_flusher();
	v = pc_victim_reserve(pc);
	pc_victim_commit(pc, v, &sp.ps, P5 + 4, true);
	spin_lock(&pc->vc.lock);
	start_flush_locked(&pc->vc, v);	/* as a flusher would */
	spin_unlock(&pc->vc.lock);
	CHECK_EQ(v->refcount, 2);
	CHECK_EQ(pc_victim_claim(pc, &sp.ps, P5 + 4, &got, &seq), -EBUSY);
	pc_victim_flush_done(pc, v, -ETIMEDOUT);	/* failed: requeued */
	CHECK(v->state == VICTIM_READY && v->refcount == 1, "requeued");
	spin_lock(&pc->vc.lock);
	start_flush_locked(&pc->vc, v);
	spin_unlock(&pc->vc.lock);
	pc_victim_flush_done(pc, v, 0);
	CHECK(v->state == VICTIM_FREE && v->refcount == 0, "freed once");
	CHECK_EQ(pc_victim_claim(pc, &sp.ps, P5 + 4, &got, &seq), -ENOENT);
	teardown();
}

static void test_fault_around(void)
{
	struct pcache_stats st;

	setup(4, 16, 4, 4, PCACHE_POLICY_LRU, false);
	node->zerofill = false;
	CHECK_EQ(rd(10), 0);
	st = stats();
	CHECK_EQ(st.misses, 1);
	CHECK_EQ(st.fault_around, 4);
	CHECK_EQ(node->fetches, 5);
	for (u64 p = 11; p <= 14; p++)
		CHECK(sp.pte[p] & PTE_P, "neighbour %llu mapped", p);
	CHECK_EQ(rd(12), 0);
	CHECK_EQ(stats().misses, 1);
	/* The VMA ends at page 255: no neighbours past it. */
	CHECK_EQ(rd(254), 0);
	CHECK_EQ(stats().fault_around, 5);
	teardown();
}

static void test_checksum(void)
{
	u64 v;

	setup(2, 4, 2, 0, PCACHE_POLICY_LRU, true);
	node->zerofill = false;
	wr(3, 33);
	node->corrupt = 1;
	CHECK_EQ(sim_access(&sp, 0, BASE + 2 * PG, false, &v), -EIO);
	CHECK_EQ(stats().csum_errors, 1);
	CHECK_EQ(rd(2), 0);		/* the retry gets a good copy */
	CHECK_EQ(rd(3), 33);
	pcache_unmap_range(&sp.ps, BASE, BASE + 256 * PG, false);
	CHECK_EQ(node->csum_bad, 0);	/* write-backs checked at the node */
	CHECK_EQ(rd(3), 33);
	teardown();
}

static void test_munmap_mprotect(void)
{
	u64 v = 5;

	setup(2, 4, 2, 0, PCACHE_POLICY_LRU, false);
	wr(1, 11);
	wr(2, 22);
	CHECK_EQ(sim_munmap(&sp, BASE + PG, 1), 0);
	CHECK_EQ(sim_access(&sp, 0, BASE + PG, false, &v), -EFAULT);
	sim_mmap(&sp, BASE + PG, 1, PCACHE_PROT_READ | PCACHE_PROT_WRITE);
	CHECK_EQ(rd(1), 0);		/* discarded, not written back */
	CHECK_EQ(sim_mprotect(&sp, BASE + 2 * PG, 1, PCACHE_PROT_READ), 0);
	CHECK(!(sp.pte[2] & PTE_W), "write-protected");
	CHECK_EQ(sim_access(&sp, 0, BASE + 2 * PG, true, &v), -EFAULT);
	CHECK_EQ(rd(2), 22);		/* dirty data kept */
	CHECK_EQ(sim_mprotect(&sp, BASE + 2 * PG, 1,
			      PCACHE_PROT_READ | PCACHE_PROT_WRITE), 0);
	wr(2, 23);
	CHECK_EQ(rd(2), 23);
	CHECK_EQ(sim_mprotect(&sp, BASE + 2 * PG, 1, 0), 0);
	CHECK_EQ(sp.pte[2], 0);
	CHECK_EQ(sim_access(&sp, 0, BASE + 2 * PG, false, &v), -EFAULT);
	teardown();
}

static void test_mremap(void)
{
	setup(2, 2, 2, 0, PCACHE_POLICY_FIFO, false);
	for (u64 p = 0; p < 6; p++)
		wr(p, 1000 + p);	/* some in lines, some in victims */
	CHECK(stats().evict_dirty >= 1, "a victim in the range");
	CHECK_EQ(sim_mremap(&sp, BASE, BASE + 101 * PG, 6), 0);
	for (u64 p = 0; p < 6; p++)
		CHECK_EQ(rd(101 + p), 1000 + p);
	for (u64 p = 0; p < 6; p++)
		CHECK_EQ(sp.pte[p], 0);
	wr(103, 7);
	CHECK_EQ(sim_mremap(&sp, BASE + 101 * PG, BASE + 40 * PG, 6), 0);
	CHECK_EQ(rd(42), 7);
	CHECK_EQ(rd(45), 1005);
	CHECK_EQ(pcache_move_range(&sp.ps, BASE, BASE + PG, 2 * PG), -EINVAL);
	teardown();
}

/* mremap with a read fault racing with it: the hook starts a thread that
 * reads page 0 (a dirty victim entry: a hit would take the dirtiness
 * back into a line) from inside the write-back of page 1.  The range is
 * frozen, so the fault waits until the move is over and then finds the
 * old address gone; the data, written back in place and moved with the
 * node's pages, is all at the new address, and the moved lines are
 * clean.  (Without the freeze the fault could dirty a line behind the
 * write-back walk, and an eviction of it after the node moved would
 * write to an address the node no longer maps.) */
static bool claim_armed;
static volatile int racer_ret = 1;
static struct task *racer_task;

static int racer_read(void *arg)
{
	u64 v;

	racer_ret = sim_access(&sp, 0, BASE, false, &v);
	return 0;
}

static int claim_flush(const struct pcache_xfer *x)
{
	if (claim_armed && x->uva == BASE + PG) {
		claim_armed = false;
		racer_task = kthread_run(racer_read, NULL, "racer");
		CHECK(racer_task, "racer started");
		msleep(30);
		CHECK_EQ(racer_ret, 1);		/* still waiting */
	}
	return sim_flush(x);
}

static void test_mremap_refault(void)
{
	struct pcache_ops ops;
	struct pcache_set *set;
	struct pcache_line *l;
	u64 filler[2], n = 0;

	setup(2, 4, 4, 0, PCACHE_POLICY_FIFO, false);
	stop_flusher();
	ops = *pc->ops;
	ops.flush = claim_flush;
	pc->ops = &ops;
	for (u64 p = 2; p < 256 && n < 2; p++)
		if (pc_set_of(pc, p + (BASE >> 12)) == pc_set_of(pc, BASE >> 12))
			filler[n++] = p;
	CHECK_EQ(n, 2);
	CHECK(pc_set_of(pc, (BASE >> 12) + 1) != pc_set_of(pc, BASE >> 12),
	      "pages 0 and 1 in different sets");
	wr(0, 500);
	wr(filler[0], 1);
	wr(filler[1], 2);			/* page 0 -> victim cache */
	CHECK(pc_victim_present(pc, &sp.ps, BASE >> 12), "page 0 a victim");
	wr(1, 600);
	claim_armed = true;
	CHECK_EQ(sim_mremap(&sp, BASE, BASE + 100 * PG, 2), 0);
	CHECK(!claim_armed, "the hook ran");
	CHECK(racer_task, "racer ran");
	if (racer_task)
		kthread_join(racer_task);
	CHECK_EQ(racer_ret, -EFAULT);		/* after the move: gone */
	set = pc_set_of(pc, (BASE >> 12) + 101);
	spin_lock(&set->lock);
	l = pc_lookup_locked(set, &sp.ps, (BASE >> 12) + 101);
	CHECK(l && !(l->flags & LINE_DIRTY), "moved line clean");
	spin_unlock(&set->lock);
	CHECK_EQ(sp.pte[0], 0);
	CHECK_EQ(pcache_unmap_range(&sp.ps, BASE + 100 * PG, BASE + 102 * PG,
				    true), 0);	/* the node has it all */
	CHECK_EQ(stats().flush_errors, 0);
	CHECK_EQ(rd(100), 500);
	CHECK_EQ(rd(101), 600);
	pc->ops = &sim_ops;
	teardown();
}

static void test_fork(void)
{
	struct sim_space child;
	u64 v;

	setup(2, 4, 2, 0, PCACHE_POLICY_LRU, false);
	wr(0, 1);
	wr(1, 2);
	CHECK_EQ(sim_space_init(&child, node, pc, 2, BASE, 256), 0);
	CHECK_EQ(sim_fork(&sp, &child), 0);
	CHECK(!(sp.pte[0] & PTE_W) && !(sp.pte[1] & PTE_W), "parent RO");
	wr(0, 10);			/* copy-on-write upgrade */
	CHECK_EQ(sim_access(&child, 0, BASE + 8, false, &v), 0);
	CHECK_EQ(v, 1);
	CHECK_EQ(sim_access(&child, 0, BASE + PG + 8, false, &v), 0);
	CHECK_EQ(v, 2);
	CHECK_EQ(rd(0), 10);
	sim_space_fini(&child);
	teardown();
}

static void test_lru_vs_fifo(void)
{
	for (int pol = 0; pol < 2; pol++) {
		setup(2, 1, 2, 0, pol, false);
		wr(0, 1);
		wr(1, 2);
		pcache_protect_range(&sp.ps, BASE, BASE + PG, PCACHE_PROT_READ);
		wr(0, 3);		/* a fault on page 0: LRU touches it */
		wr(2, 4);		/* evicts page 1 (LRU) or 0 (FIFO) */
		CHECK_EQ(!!(sp.pte[0] & PTE_P), pol == PCACHE_POLICY_LRU);
		CHECK_EQ(!!(sp.pte[1] & PTE_P), pol == PCACHE_POLICY_FIFO);
		CHECK_EQ(rd(0), 3);
		CHECK_EQ(rd(1), 2);
		teardown();
	}
}

int main(void)
{
	RUN(test_config);
	RUN(test_zerofill_hit_upgrade);
	RUN(test_evict_victim_flush);
	RUN(test_victim_full);
	RUN(test_victim_machine);
	RUN(test_flushing_claim_waits);
	RUN(test_fault_around);
	RUN(test_checksum);
	RUN(test_munmap_mprotect);
	RUN(test_mremap);
	RUN(test_mremap_refault);
	RUN(test_fork);
	RUN(test_lru_vs_fifo);
	return harness_exit();
}
