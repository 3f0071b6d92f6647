/* tests/host/test_pcache_stress.c — the pcache memory walk on pthreads.
 *
 * 4 walker threads do seeded random reads and writes over a space 4x the
 * cache (sim_stress.c: every read returns what was last written), while a
 * fifth thread mremaps, mprotects, munmaps and forks its own pages, which
 * share the walkers' sets.  Run with LRU and FIFO, with and without
 * checksums and fault-around.  Afterwards the counters must show
 * evictions (clean and dirty), victim-cache hits and write-backs, no
 * checksum or write-back errors, and after the space is dropped no line
 * is valid and no page is leaked.
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
#include "../../managers/processor/pcache/sim_stress.c"

#define LINES		128	/* 16 sets x 8 ways */
#define OPS_PAGES	8

static void run(enum pcache_policy pol, bool csum, unsigned int around,
		u64 accesses)
{
	struct pcache_config cfg = { LINES * 4096ull, 8, 8, around, pol,
				     csum };
	struct sim_node *node = sim_node_create(csum);
	struct sim_space sp;
	struct sim_stress st = { 0 };
	struct pcache_stats s;
	struct pcache *pc;
	int err;

	pc = pcache_create(&cfg, &sim_ops, &err);
	CHECK(pc != NULL, "create %d", err);
	if (!pc)
		return;
	CHECK_EQ(sim_space_init(&sp, node, pc, 7, 0x10000000ull,
				4 * LINES + 2 * OPS_PAGES), 0);
	st = (struct sim_stress){ .sp = &sp, .threads = 4,
				  .accesses = accesses, .pages = 4 * LINES,
				  .ops_pages = OPS_PAGES, .seed = 12345 };
	err = sim_stress_run(&st);
	CHECK(err == 0, "stress: %d: %s", err, st.why);
	CHECK_EQ(sim_check_rmap(&sp), 0);
	pcache_get_stats(pc, &s);
	pcache_dump_stats(pc);
	printf("  ops rounds %llu, node fetches %llu flushes %llu, "
	       "tlb flushes %llu\n", st.ops_done, node->fetches,
	       node->flushes, node->tlb_flushes);
	CHECK(s.evict_clean > 0 && s.evict_dirty > 0, "evictions");
	CHECK(s.victim_hits > 0, "victim hits");
	CHECK(s.flushes + s.piggybacks > 0, "write-backs");
	CHECK(s.misses > 0 && s.zerofills > 0, "fills");
	CHECK(st.ops_done > 0, "ops rounds");
	CHECK_EQ(s.csum_errors, 0);
	CHECK_EQ(node->csum_bad, 0);
	if (around)
		CHECK(s.fault_around > 0, "fault-around");
	sim_space_fini(&sp);
	CHECK_EQ(pcache_nr_valid(pc), 0);
	pcache_destroy(pc);
	sim_node_destroy(node);
	CHECK_EQ(shim_pages_out, 0);
}

static void test_stress_lru(void)
{
	run(PCACHE_POLICY_LRU, false, 0, 200000);
}

static void test_stress_fifo_csum(void)
{
	run(PCACHE_POLICY_FIFO, true, 0, 100000);
}

static void test_stress_fault_around(void)
{
	run(PCACHE_POLICY_LRU, false, 4, 100000);
}

int main(void)
{
	RUN(test_stress_lru);
	RUN(test_stress_fifo_csum);
	RUN(test_stress_fault_around);
	return harness_exit();
}
