/* managers/processor/p2m/p2m_zerofill_test.c — p2m_zerofill: first-touch
 * zero-fill over P2M (zerofill.c, pcache_glue.c's first_touch) with the
 * real pcache, the memory service, and the simulated user page table of
 * the pcache's tests (as p2m_pcache_test.c).  A small cache (8 sets of 2
 * ways, 2 victim entries, no fault-around) so that three pages evict.
 *
 * One process, 48 pages mapped as four private anonymous regions (each
 * its own fresh range), and a parent/child pair:
 *  - first touch: a store and a load on never-touched pages are local
 *    zero-fills (no miss); the memory node learns of them by notice;
 *  - eviction: a zero-filled dirty line evicted to the victim cache,
 *    written back (after its notice), then refetched by a miss;
 *  - mremap: zero-filled pages (dirty and clean) moved with MREMAP_FIXED
 *    as process_p2m.c does it; the new range is not fresh, the old one
 *    faults;
 *  - munmap and MAP_FIXED: a re-created mapping is fresh again and reads
 *    zero, also when MAP_FIXED replaces dirty zero-filled lines;
 *  - fork: zero-filled lines (dirty and clean) of the parent, then COW
 *    through PCACHE_UPGRADE while the child still sees the old data; no
 *    page of the parent is zero-filled locally after the fork.
 * Every value is also checked on the memory node after a write-back.
 */
#include <lib/string.h>
#include <mm/mm.h>
#include <uapi/errno.h>
#include <uapi/mman.h>
#include "../pcache/sim.h"
#include "internal.h"
#include "p2m_test.h"

#define TGID_ZF		5201
#define TGID_ZF_PAR	5202
#define TGID_ZF_CHL	5203
#define PG		4096ull
#define PAGES		48
#define RW		(PROT_READ | PROT_WRITE)
#define ANON		(MAP_PRIVATE | MAP_ANONYMOUS)

struct zf {
	struct pcache *pc;
	struct sim_node *node;
	struct pcache_ops ops;
	struct sim_space sp;
	struct p2m_changes ch;
	struct pcache_stats st;
};

static u64 va(struct zf *z, u64 page)
{
	return z->sp.base + page * PG + 8;
}

static int rd(struct zf *z, struct sim_space *sp, u64 page, u64 *v)
{
	return sim_access(sp, 0, sp->base + page * PG + 8, false, v);
}

static int wr(struct sim_space *sp, u64 page, u64 v)
{
	return sim_access(sp, 0, sp->base + page * PG + 8, true, &v);
}

/* Loads page @page's word of @sp and compares it with @want. */
static int word(struct selftest_ctx *t, struct zf *z, struct sim_space *sp,
		u64 page, u64 want)
{
	u64 v = ~0ull;

	ST_EQ(rd(z, sp, page, &v), 0);
	ST_EQ(v, want);
	return 0;
}

static int node_word(struct selftest_ctx *t, u32 tgid, u64 uva, u64 want)
{
	u64 v = ~0ull;

	ST_EQ(p2m_read_user(tgid, uva, &v, sizeof(v)), 0);
	ST_EQ(v, want);
	return 0;
}

static void apply(struct zf *z)
{
	for (unsigned int i = 0; i < z->ch.nr; i++)
		if (z->ch.c[i].kind == P2M_CHANGE_UNMAP)
			pcache_unmap_range(&z->sp.ps, z->ch.c[i].start,
					   z->ch.c[i].end, true);
}

/* mmap(MAP_FIXED) of pages [first, first + n) as process_p2m.c does. */
static int remap(struct zf *z, u64 first, u64 n)
{
	u64 at = 0;
	int err = p2m_mmap(z->sp.ps.id, z->sp.base + first * PG, n * PG, RW,
			   ANON | MAP_FIXED, 0, 0, &at, &z->ch);

	if (!err)
		apply(z);
	return err ? err : at == z->sp.base + first * PG ? 0 : -EIO;
}

static int make(struct zf *z, int node)
{
	struct pcache_config cfg;
	struct p2m_exec_out o;
	int err;

	z->ops = sim_ops;
	p2m_pcache_ops(&z->ops);
	pcache_default_config(&cfg);
	cfg.bytes = 16 * PG;
	cfg.ways = 2;
	cfg.victims = 2;
	cfg.fault_around = 0;
	cfg.checksum = p2m_csum_enabled();
	z->node = sim_node_create(cfg.checksum);
	if (!z->node)
		return -ENOMEM;
	z->pc = pcache_create(&cfg, &z->ops, &err);
	if (!z->pc)
		return err;
	err = p2m_test_exec(TGID_ZF, &o);
	if (!err)
		err = p2m_mmap(TGID_ZF, 0, PAGES * PG, RW, ANON, 0, 0,
			       &z->sp.base, &z->ch);
	if (!err)
		err = sim_space_init(&z->sp, z->node, z->pc, TGID_ZF,
				     z->sp.base, PAGES);
	z->sp.ps.home_node = (u32)node;
	/* Four regions, four fresh ranges. */
	for (u64 r = 0; !err && r < 4; r++)
		err = r ? remap(z, 24 + (r - 1) * 8, 8) : remap(z, 0, 24);
	return err;
}

static u64 stat_of(struct zf *z, int which)
{
	pcache_get_stats(z->pc, &z->st);
	return which ? z->st.misses : z->st.zerofills;
}

#define ZEROFILLS(z)	stat_of(z, 0)
#define MISSES(z)	stat_of(z, 1)

/* Pages 0, 8 and 16 share set 0 of 2 ways. */
static int first_touch_and_evict(struct selftest_ctx *t, struct zf *z)
{
	u64 zf0 = ZEROFILLS(z), miss0 = MISSES(z);

	ST_EQ(wr(&z->sp, 0, 0xa0), 0);
	ST_EQ(ZEROFILLS(z), zf0 + 1);
	if (word(t, z, &z->sp, 0, 0xa0) || word(t, z, &z->sp, 1, 0))
		return -1;
	ST_EQ(ZEROFILLS(z), zf0 + 2);
	ST_EQ(MISSES(z), miss0);
	ST_EQ(wr(&z->sp, 8, 0xa8), 0);
	ST_EQ(wr(&z->sp, 16, 0xb0), 0);		/* evicts page 0, dirty */
	ST_EQ(MISSES(z), miss0);	/* refreshes z->st */
	ST_ASSERT(z->st.evict_dirty >= 1);
	/* Written back (after its notice), then a miss brings it back. */
	ST_EQ(pcache_unmap_range(&z->sp.ps, va(z, 0) - 8, va(z, 1) - 8,
				 false), 0);
	if (word(t, z, &z->sp, 0, 0xa0))
		return -1;
	ST_EQ(MISSES(z), miss0 + 1);
	ST_EQ(ZEROFILLS(z), zf0 + 4);
	return 0;
}

/* Region 24..31 moves to 32..35 (MREMAP_FIXED over region 32..39). */
static int move(struct selftest_ctx *t, struct zf *z)
{
	u64 old = z->sp.base + 24 * PG, new = z->sp.base + 32 * PG, v, zf0;

	ST_EQ(wr(&z->sp, 24, 0x24), 0);
	ST_EQ(wr(&z->sp, 25, 0x25), 0);
	if (word(t, z, &z->sp, 26, 0))
		return -1;
	zf0 = ZEROFILLS(z);
	ST_EQ(pcache_unmap_range(&z->sp.ps, old, old + 4 * PG, false), 0);
	ST_EQ(p2m_mremap(TGID_ZF, old, 4 * PG, 4 * PG,
			 MREMAP_MAYMOVE | MREMAP_FIXED, new, &v, &z->ch), 0);
	ST_EQ(v, new);
	apply(z);
	pcache_unmap_range(&z->sp.ps, old, old + 4 * PG, true);
	if (word(t, z, &z->sp, 32, 0x24) || word(t, z, &z->sp, 33, 0x25) ||
	    word(t, z, &z->sp, 34, 0) || word(t, z, &z->sp, 35, 0) ||
	    word(t, z, &z->sp, 36, 0))
		return -1;
	ST_EQ(ZEROFILLS(z), zf0);	/* neither range is fresh now */
	ST_EQ(rd(z, &z->sp, 24, &v), -EFAULT);
	ST_EQ(wr(&z->sp, 32, 0x32), 0);
	return 0;
}

/* Region 40..47: munmap + mmap again, and MAP_FIXED over dirty lines. */
static int unmap_remap(struct selftest_ctx *t, struct zf *z)
{
	u64 at = z->sp.base + 40 * PG, v, zf0;

	ST_EQ(wr(&z->sp, 40, 0x40), 0);
	ST_EQ(p2m_munmap(TGID_ZF, at, 8 * PG, &z->ch), 0);
	ST_EQ(pcache_unmap_range(&z->sp.ps, at, at + 8 * PG, true), 0);
	ST_EQ(rd(z, &z->sp, 40, &v), -EFAULT);
	ST_EQ(remap(z, 40, 8), 0);
	zf0 = ZEROFILLS(z);
	if (word(t, z, &z->sp, 40, 0))
		return -1;
	ST_EQ(ZEROFILLS(z), zf0 + 1);	/* fresh again */
	ST_EQ(wr(&z->sp, 41, 0x41), 0);
	ST_EQ(wr(&z->sp, 40, 0x40), 0);
	ST_EQ(remap(z, 40, 8), 0);	/* replaces dirty zero-filled lines */
	if (word(t, z, &z->sp, 41, 0) || word(t, z, &z->sp, 40, 0))
		return -1;
	ST_EQ(ZEROFILLS(z), zf0 + 4);
	ST_EQ(wr(&z->sp, 42, 0x42), 0);
	return 0;
}

/* Everything written back, then checked on the memory node. */
static int check_node(struct selftest_ctx *t, struct zf *z)
{
	static const u64 want[][2] = {
		{ 0, 0xa0 }, { 1, 0 }, { 8, 0xa8 }, { 16, 0xb0 },
		{ 32, 0x32 }, { 33, 0x25 }, { 34, 0 }, { 40, 0 },
		{ 41, 0 }, { 42, 0x42 },
	};

	ST_EQ(pcache_unmap_range(&z->sp.ps, z->sp.base,
				 z->sp.base + PAGES * PG, false), 0);
	for (unsigned int i = 0; i < ARRAY_SIZE(want); i++)
		if (node_word(t, TGID_ZF, va(z, want[i][0]), want[i][1]))
			return -1;
	return 0;
}

static int fork_after_zerofill(struct selftest_ctx *t, struct zf *z,
			       int node)
{
	struct sim_space par, chl;
	struct p2m_exec_out o;
	u64 base = 0, miss0, zf0;

	ST_EQ(p2m_test_exec(TGID_ZF_PAR, &o), 0);
	ST_EQ(p2m_mmap(TGID_ZF_PAR, 0, 4 * PG, RW, ANON, 0, 0, &base,
		       &z->ch), 0);
	ST_EQ(sim_space_init(&par, z->node, z->pc, TGID_ZF_PAR, base, 4), 0);
	ST_EQ(sim_space_init(&chl, z->node, z->pc, TGID_ZF_CHL, base, 4), 0);
	par.ps.home_node = chl.ps.home_node = (u32)node;
	zf0 = ZEROFILLS(z);
	ST_EQ(wr(&par, 0, 0x11), 0);			/* dirty */
	if (word(t, z, &par, 1, 0))			/* clean */
		return -1;
	ST_EQ(ZEROFILLS(z), zf0 + 2);
	ST_EQ(pcache_fork(&par.ps, &chl.ps), 0);
	ST_EQ(p2m_fork(TGID_ZF_PAR, TGID_ZF_CHL, &z->ch), 0);
	ST_EQ(wr(&par, 0, 0x22), 0);			/* COW: UPGRADE */
	ST_EQ(wr(&par, 1, 0x33), 0);
	if (word(t, z, &chl, 0, 0x11) || word(t, z, &chl, 1, 0))
		return -1;
	miss0 = MISSES(z);
	ST_EQ(wr(&par, 2, 0x44), 0);		/* not fresh after a fork */
	ST_EQ(MISSES(z), miss0 + 1);
	ST_EQ(ZEROFILLS(z), zf0 + 2);
	ST_EQ(pcache_unmap_range(&par.ps, base, base + 4 * PG, false), 0);
	if (node_word(t, TGID_ZF_PAR, base + 8, 0x22) ||
	    node_word(t, TGID_ZF_PAR, base + PG + 8, 0x33) ||
	    node_word(t, TGID_ZF_PAR, base + 2 * PG + 8, 0x44) ||
	    node_word(t, TGID_ZF_CHL, base + 8, 0x11) ||
	    node_word(t, TGID_ZF_CHL, base + PG + 8, 0))
		return -1;
	sim_space_fini(&chl);
	sim_space_fini(&par);
	ST_EQ(p2m_exit(TGID_ZF_PAR), 0);
	ST_EQ(p2m_exit(TGID_ZF_CHL), 0);
	return 0;
}

static int zf_body(struct selftest_ctx *t, int node)
{
	struct zf *z = kzalloc(sizeof(*z));
	struct p2m_zf_stats zs0, zs;
	int err;

	ST_ASSERT(z);
	p2m_zf_get_stats(&zs0);
	err = make(z, node);
	if (!err)
		err = first_touch_and_evict(t, z) || move(t, z) ||
		      unmap_remap(t, z) || check_node(t, z) ||
		      fork_after_zerofill(t, z, node) ? -1 : 0;
	p2m_zf_get_stats(&zs);
	if (z->sp.pte)
		sim_space_fini(&z->sp);
	if (z->pc) {
		pcache_dump_stats(z->pc);
		ST_EQ(pcache_nr_valid(z->pc), 0);
		pcache_destroy(z->pc);
	}
	if (z->node)
		sim_node_destroy(z->node);
	kfree(z);
	if (t->failed)		/* keep the first failure's reason */
		return -1;
	ST_EQ(p2m_exit(TGID_ZF), 0);
	ST_EQ(err, 0);
	ST_ASSERT(zs.notices > zs0.notices);
	ST_EQ(zs.errors, zs0.errors);
	return t->failed ? -1 : 0;
}

SELFTEST(p2m_zerofill)
{
	return p2m_test_run(t, zf_body);
}
