/* managers/processor/pcache/pcache_test.c — in-kernel pcache selftests.
 *
 * They run the real pcache (this directory) against the simulated memory
 * node and page table (sim.c) with kernel threads on all CPUs:
 *   pcache_basic  zero-fill, dirty eviction, victim hit, write-back,
 *                 mremap and mprotect on one thread, with exact counters;
 *   pcache_walk   the memory walk (sim_stress.c): 4 walkers over a space
 *                 4x a 1 MiB cache plus an mremap/mprotect/munmap/fork
 *                 thread on pages in the same sets; every read checked;
 *                 evictions, victim hits and write-backs must happen.
 *                 pcache.walk=N sets the accesses per walker (default
 *                 100 000: 400 000 in all; see the note at walk_accesses).
 * The FIT-backed pcache of a running processor node is not used here.
 */
#include <kernel/param.h>
#include <kernel/printk.h>
#include <kernel/selftest.h>
#include <kernel/time.h>
#include <mm/mm.h>
#include <uapi/errno.h>
#include "internal.h"
#include "sim.h"

#define PG		4096ull
#define BASE		0x40000000ull
#define WALK_LINES	256
#define WALK_OPS_PAGES	16

/* Accesses per walker.  Under TCG with 4 CPUs on a busy 2-core host the
 * walk does about 65 000 accesses per second (1 M in ~16 s), so the
 * default (400 000 in all) takes ~6 s; pcache.walk=2500000 runs the full
 * 10 million (~150 s there). */
static unsigned long walk_accesses = 100000;
param_ulong("pcache.walk", walk_accesses,
	    "pcache_walk selftest: accesses per walker thread");

static struct pcache *make(unsigned int lines, unsigned int ways,
			   unsigned int victims, struct sim_node **node,
			   bool csum)
{
	struct pcache_config cfg;
	struct pcache *pc;
	int err;

	pcache_default_config(&cfg);
	cfg.bytes = lines * PG;
	cfg.ways = ways;
	cfg.victims = victims;
	cfg.checksum = csum;
	*node = sim_node_create(csum);
	if (!*node)
		return NULL;
	pc = pcache_create(&cfg, &sim_ops, &err);
	if (!pc)
		sim_node_destroy(*node);
	return pc;
}

static void unmake(struct pcache *pc, struct sim_node *node)
{
	pcache_destroy(pc);
	sim_node_destroy(node);
}

static int word(struct sim_space *sp, u64 page, bool write, u64 *v)
{
	return sim_access(sp, 0, BASE + page * PG + 16, write, v);
}

SELFTEST(pcache_basic)
{
	struct sim_node *node;
	struct pcache *pc = make(8, 2, 4, &node, true);
	struct pcache_stats st;
	struct sim_space sp;
	u64 v;
	int ret = 0;

	ST_ASSERT(pc != NULL);
	ST_EQ(sim_space_init(&sp, node, pc, 1, BASE, 64), 0);
	sim_mmap(&sp, BASE, 32, PCACHE_PROT_READ | PCACHE_PROT_WRITE);
	for (u64 p = 0; p < 12 && !ret; p++) {	/* sets hold 2: evictions */
		v = 0x1000 + p;
		ret = word(&sp, p, true, &v);
	}
	for (u64 p = 0; p < 12 && !ret; p++) {
		ret = word(&sp, p, false, &v);
		if (!ret && v != 0x1000 + p)
			ret = -EIO;
	}
	if (!ret)
		ret = sim_mremap(&sp, BASE, BASE + 40 * PG, 12);
	for (u64 p = 0; p < 12 && !ret; p++) {
		ret = word(&sp, 40 + p, false, &v);
		if (!ret && v != 0x1000 + p)
			ret = -EIO;
	}
	if (!ret)
		ret = sim_mprotect(&sp, BASE + 40 * PG, 1, PCACHE_PROT_READ);
	if (!ret && word(&sp, 40, true, &v) != -EFAULT)
		ret = -EINVAL;
	pcache_get_stats(pc, &st);
	sim_space_fini(&sp);
	ST_EQ(pcache_nr_valid(pc), 0);
	unmake(pc, node);
	ST_EQ(ret, 0);
	ST_EQ(st.zerofills, 12);
	ST_ASSERT(st.evict_dirty >= 8);
	ST_ASSERT(st.victim_hits + st.misses >= 8);
	ST_EQ(st.csum_errors, 0);
	return 0;
}

SELFTEST(pcache_walk)
{
	struct sim_node *node;
	struct pcache *pc = make(WALK_LINES, 8, 8, &node, false);
	struct sim_stress stress;
	struct pcache_stats st;
	struct sim_space sp;
	u64 t0, ms;
	int ret;

	ST_ASSERT(pc != NULL);
	ST_EQ(sim_space_init(&sp, node, pc, 3, BASE,
			     4 * WALK_LINES + 2 * WALK_OPS_PAGES), 0);
	stress = (struct sim_stress){ .sp = &sp, .threads = 4,
				      .accesses = walk_accesses,
				      .pages = 4 * WALK_LINES,
				      .ops_pages = WALK_OPS_PAGES,
				      .seed = 2026 };
	t0 = ktime_get_ns();
	ret = sim_stress_run(&stress);
	ms = (ktime_get_ns() - t0) / NSEC_PER_MSEC;
	if (!ret && sim_check_rmap(&sp))
		ret = -EIO;
	pcache_get_stats(pc, &st);
	pcache_dump_stats(pc);
	printk("pcache_walk: %llu accesses by 4 threads in %llu ms, %llu "
	       "ops rounds, %llu TLB flushes\n", 4ull * walk_accesses, ms,
	       stress.ops_done, node->tlb_flushes);
	printk("pcache_walk: %llu us waited in TLB shootdowns (%llu us "
	       "each)\n", node->tlb_ns / 1000,
	       node->tlb_flushes ? node->tlb_ns / node->tlb_flushes / 1000 : 0);
	sim_space_fini(&sp);
	ST_EQ(pcache_nr_valid(pc), 0);
	unmake(pc, node);
	if (ret)
		ST_FAIL("walk: %d: %s", ret, stress.why);
	ST_ASSERT(st.evict_clean > 0 && st.evict_dirty > 0);
	ST_ASSERT(st.victim_hits > 0);
	ST_ASSERT(st.flushes + st.piggybacks > 0);
	ST_ASSERT(stress.ops_done > 0);
	return 0;
}
