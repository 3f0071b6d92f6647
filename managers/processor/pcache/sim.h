/* managers/processor/pcache/sim.h — a simulated memory node and user page
 * table for testing the pcache (sim.c), shared by the in-kernel selftests
 * (pcache_test.c) and the host tests (tests/host/test_pcache_*.c).
 *
 * The memory node keeps pages in a hash map keyed by (space id, page) and
 * a per-page "VMA" (rights, 0 = unmapped) per space.  The page table is an
 * array of PTE words per space: line address | present | writable.  A
 * simulated user access (sim_access) reads the PTE and touches the line
 * directly, like the MMU; it announces itself in a per-accessor "active"
 * word so that the tlb_flush hook can wait until no access that may have
 * seen an old PTE is still in flight (the TLB shootdown).
 */
#ifndef PCACHE_SIM_H
#define PCACHE_SIM_H

#include <processor/pcache.h>
#include <kernel/spinlock.h>

#define SIM_MAX_ACCESSORS	16
#define SIM_HASH		4096
#define SIM_LOCKS		64	/* bucket b: locks[b % SIM_LOCKS] */

struct sim_page;

struct sim_accessor {
	u64 active;
	u64 pad[7];
};

struct sim_node {
	spinlock_t locks[SIM_LOCKS];
	struct sim_page *hash[SIM_HASH];
	bool checksum;
	bool zerofill;			/* answer first_touch */
	u32 corrupt;			/* damage this many fetched pages */
	u64 fetches, flushes, notices, csum_bad, tlb_flushes;
	u64 tlb_ns;			/* time tlb_flush waited */
	struct sim_accessor acc[SIM_MAX_ACCESSORS];
};

struct sim_space {
	struct pcache_space ps;		/* ps.priv == this */
	struct sim_node *node;
	u64 base;			/* user VA of page 0 */
	u64 npages;
	u64 *pte;			/* PTE words, atomics */
	u8 *vma;			/* per page: PCACHE_PROT_* or 0 */
};

extern const struct pcache_ops sim_ops;

struct sim_node *sim_node_create(bool checksum);
void sim_node_destroy(struct sim_node *n);
int sim_space_init(struct sim_space *sp, struct sim_node *n,
		   struct pcache *pc, u32 id, u64 base, u64 npages);
/* Drops the space's lines and memory-node pages. */
void sim_space_fini(struct sim_space *sp);

/* Address-space operations in the order the real ops will do them. */
void sim_mmap(struct sim_space *sp, u64 uva, u64 npages, u32 prot);
int sim_munmap(struct sim_space *sp, u64 uva, u64 npages);
int sim_mprotect(struct sim_space *sp, u64 uva, u64 npages, u32 prot);
int sim_mremap(struct sim_space *sp, u64 old, u64 new, u64 npages);
/* @child: initialised, empty; gets a copy of the parent's memory. */
int sim_fork(struct sim_space *parent, struct sim_space *child);

/* Quiescent check of the rmaps against the page table: every rmap entry
 * of a valid line is a present PTE pointing at the line, every present PTE
 * belongs to such an entry.  Returns the number of mismatches. */
unsigned int sim_check_rmap(struct sim_space *sp);

/* A user load/store of one u64 at @uva by accessor @who. */
int sim_access(struct sim_space *sp, unsigned int who, u64 uva, bool write,
	       u64 *val);

/* The stress workload: @threads accessors doing @accesses each on pages
 * [0, @pages) of @sp, plus (if @ops_pages) accessor @threads doing
 * mremap/mprotect/munmap/fork on its own pages just past them.  Runs the
 * workers as kernel threads (host: pthreads through the shims).
 * Returns 0 or the first error, with a description in @why. */
struct sim_stress {
	struct sim_space *sp;
	unsigned int threads;
	u64 accesses;
	u64 pages;
	u64 ops_pages;		/* 0: no address-space operations */
	u64 seed;
	char why[160];
	u64 ops_done;
};
int sim_stress_run(struct sim_stress *st);

#endif
