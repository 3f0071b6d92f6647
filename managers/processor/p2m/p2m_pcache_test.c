/* managers/processor/p2m/p2m_pcache_test.c — the pcache over P2M: the
 * real pcache (managers/processor/pcache) with its memory-node hooks from
 * pcache_glue.c talking to the memory service, and the simulated user
 * page table of the pcache's own tests (sim.c: PTE hooks, TLB shootdown,
 * simulated user loads and stores).  Harness: p2m_test_common.c.
 *
 *  p2m_pcache_walk  four threads write and re-read their words of a
 *                   mapping 4x the cache (sim_stress: every read returns
 *                   what was last written), so lines are evicted, dirty
 *                   ones go back by the flush thread or piggybacked on
 *                   misses, and victims are hit; then everything is
 *                   written back and one word per page is checked on the
 *                   memory node itself.  p2m.walk=N accesses per thread.
 *  p2m_pcache_fork  a dirty line, pcache_fork + FORK, then a write by the
 *                   parent through its write-protected line (check_write:
 *                   PCACHE_UPGRADE breaks COW) while the child still reads
 *                   the old value; both checked on the memory node.
 */
#include <kernel/param.h>
#include <kernel/printk.h>
#include <lib/string.h>
#include <mm/mm.h>
#include <uapi/errno.h>
#include <uapi/mman.h>
#include "../pcache/sim.h"
#include "p2m_test.h"

#define TGID_WALK	5001
#define TGID_PARENT	5101
#define TGID_CHILD	5102
#define LINES		64
#define PG		4096ull
#define RW		(PROT_READ | PROT_WRITE)

static unsigned long walk_accesses = 5000;
param_ulong("p2m.walk", walk_accesses,
	    "p2m_pcache_walk selftest: accesses per walker thread");

static struct pcache_ops glue_ops;

static struct pcache *make(struct sim_node **node)
{
	struct pcache_config cfg;
	struct pcache *pc;
	int err;

	glue_ops = sim_ops;
	p2m_pcache_ops(&glue_ops);
	pcache_default_config(&cfg);
	cfg.bytes = LINES * PG;
	cfg.ways = 8;
	cfg.victims = 8;
	cfg.fault_around = 3;
	cfg.checksum = p2m_csum_enabled();
	*node = sim_node_create(cfg.checksum);
	if (!*node)
		return NULL;
	pc = pcache_create(&cfg, &glue_ops, &err);
	if (!pc)
		sim_node_destroy(*node);
	return pc;
}

/* A space of @npages at a fresh mapping of process @tgid. */
static int space(struct sim_space *sp, struct sim_node *n, struct pcache *pc,
		 u32 tgid, int node, u64 npages)
{
	struct p2m_changes ch;
	struct p2m_exec_out o;
	u64 base;
	int err = p2m_test_exec(tgid, &o);

	if (!err)
		err = p2m_mmap(tgid, 0, npages * PG, RW,
			       MAP_PRIVATE | MAP_ANONYMOUS, 0, 0, &base, &ch);
	if (!err)
		err = sim_space_init(sp, n, pc, tgid, base, npages);
	sp->ps.home_node = (u32)node;
	return err;
}

static int walk_check(struct selftest_ctx *t, struct sim_space *sp,
		      struct pcache_stats *st)
{
	ST_EQ(sim_check_rmap(sp), 0);
	ST_ASSERT(st->misses > 0 && st->evict_dirty > 0);
	ST_ASSERT(st->flushes + st->piggybacks > 0);
	ST_EQ(st->csum_errors, 0);
	/* Written back: the memory node holds every line's last data. */
	ST_EQ(pcache_unmap_range(&sp->ps, sp->base, sp->base + sp->npages * PG,
				 false), 0);
	for (u64 p = 0; p < sp->npages; p++) {
		u64 w[8];

		ST_EQ(p2m_read_user(sp->ps.id, sp->base + p * PG, w,
				    sizeof(w)), 0);
		if (w[0] && (w[0] >> 40) != p)
			ST_FAIL("page %llu holds page %llu's word", p,
				w[0] >> 40);
	}
	return 0;
}

static int walk_body(struct selftest_ctx *t, int node)
{
	struct sim_node *n;
	struct pcache *pc = make(&n);
	struct sim_stress stress;
	struct pcache_stats st;
	struct sim_space sp;
	int ret;

	ST_ASSERT(pc);
	ST_EQ(space(&sp, n, pc, TGID_WALK, node, 4 * LINES), 0);
	stress = (struct sim_stress){ .sp = &sp, .threads = 4,
				      .accesses = walk_accesses,
				      .pages = 4 * LINES, .seed = 5 };
	ret = sim_stress_run(&stress);
	pcache_get_stats(pc, &st);
	pcache_dump_stats(pc);
	if (!ret)
		ret = walk_check(t, &sp, &st);
	sim_space_fini(&sp);
	ST_EQ(pcache_nr_valid(pc), 0);
	pcache_destroy(pc);
	sim_node_destroy(n);
	ST_EQ(p2m_exit(TGID_WALK), 0);
	if (ret && !t->failed)
		ST_FAIL("walk: %d: %s", ret, stress.why);
	return t->failed ? -1 : 0;
}

SELFTEST(p2m_pcache_walk)
{
	return p2m_test_run(t, walk_body);
}

static int word_is(struct selftest_ctx *t, u32 tgid, u64 va, u64 want)
{
	u64 v = 0;

	ST_EQ(p2m_read_user(tgid, va, &v, sizeof(v)), 0);
	ST_EQ(v, want);
	return 0;
}

static int fork_body(struct selftest_ctx *t, int node)
{
	struct sim_space par, chl;
	struct p2m_changes ch;
	struct sim_node *n;
	struct pcache *pc = make(&n);
	u64 v = 0x1111, va;

	ST_ASSERT(pc);
	ST_EQ(space(&par, n, pc, TGID_PARENT, node, 4), 0);
	sim_mmap(&par, par.base, 4, PCACHE_PROT_READ | PCACHE_PROT_WRITE);
	va = par.base + 8;
	ST_EQ(sim_access(&par, 0, va, true, &v), 0);
	ST_EQ(sim_space_init(&chl, n, pc, TGID_CHILD, par.base, 4), 0);
	chl.ps.home_node = (u32)node;
	ST_EQ(pcache_fork(&par.ps, &chl.ps), 0);
	ST_EQ(p2m_fork(TGID_PARENT, TGID_CHILD, &ch), 0);
	v = 0x2222;
	ST_EQ(sim_access(&par, 0, va, true, &v), 0);	/* check_write */
	ST_EQ(sim_access(&chl, 1, va, false, &v), 0);
	ST_EQ(v, 0x1111);
	ST_EQ(sim_access(&par, 0, va, false, &v), 0);
	ST_EQ(v, 0x2222);
	ST_EQ(pcache_unmap_range(&par.ps, par.base, par.base + 4 * PG, false),
	      0);
	if (word_is(t, TGID_PARENT, va, 0x2222) ||
	    word_is(t, TGID_CHILD, va, 0x1111))
		return -1;
	sim_space_fini(&chl);
	sim_space_fini(&par);
	pcache_destroy(pc);
	sim_node_destroy(n);
	ST_EQ(p2m_exit(TGID_PARENT), 0);
	ST_EQ(p2m_exit(TGID_CHILD), 0);
	return 0;
}

SELFTEST(p2m_pcache_fork)
{
	return p2m_test_run(t, fork_body);
}
