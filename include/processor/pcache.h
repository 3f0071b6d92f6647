/* include/processor/pcache.h — the processor node's cache of remote memory.
 *
 * A pcache is a set-associative cache of 4 KiB lines in local DRAM, indexed
 * by user virtual address.  Every page a user program touches lives on its
 * home memory node; the pcache keeps the working set here and maps lines
 * into the user page tables.  Design, line states, victim-cache state
 * machine and lock order: managers/processor/pcache/core.c.
 *
 * The pcache never talks to the network or the page tables itself: it calls
 * the hooks in struct pcache_ops (FIT requests, the user page-table code;
 * the tests provide a simulated memory node and page table).  Everything
 * here may sleep unless said otherwise; nothing may be called from
 * interrupts.
 */
#ifndef PROCESSOR_PCACHE_H
#define PROCESSOR_PCACHE_H

#include <tessera/compiler.h>

#define PCACHE_LINE_SHIFT	12
#define PCACHE_LINE_SIZE	(1ull << PCACHE_LINE_SHIFT)

struct pcache;

/* One user address space as the pcache sees it.  Owned by the caller; it
 * must outlive every line and victim entry tagged with it: call
 * pcache_unmap_range(s, 0, ~0ull, true) before freeing it. */
struct pcache_space {
	struct pcache *pc;
	u32 id;			/* address-space id (tgid): part of the tag */
	u32 home_node;		/* memory node that owns the address space */
	void *priv;		/* for the hooks (page table, process) */
	/* [frozen_start, frozen_end): an mremap is moving it; faults there
	 * wait (pcache_move_prepare .. pcache_move_range/cancel). */
	u64 frozen_start, frozen_end;
};

/* Rights a line may be mapped with (from the memory node's reply). */
#define PCACHE_PROT_READ	0x1u
#define PCACHE_PROT_WRITE	0x2u

/* A page crossing the network: one dirty line written back.  @csum is the
 * CRC32C of the page when checksums are on (else 0). */
struct pcache_xfer {
	struct pcache_space *space;
	u64 uva;
	const void *page;
	u32 csum;
};

/* Hooks.  All may sleep except the three PTE hooks and tlb_flush, which
 * are called with a set lock held (a spinlock: no sleeping). */
struct pcache_ops {
	/* Fill up to @nr consecutive pages from @uva into pages[i] and put
	 * their CRC32C into csums[i] (checksum mode; @csums is NULL when
	 * the pcache's checksums are off).  Page 0 is the fault;
	 * the others (fault-around) are filled only while they lie in the
	 * same VMA at the time the memory node answers.  @write: the fault
	 * was a write.  *@prot receives the rights of the VMA.  @piggy, if
	 * not NULL, is a dirty line to write back in the same round trip;
	 * its result goes to *@piggy_err (as for flush), whatever the
	 * fetch's.  Returns the number of pages filled (>= 1), -EFAULT (no
	 * VMA / no right), -ETIMEDOUT or -EIO. */
	int (*fetch)(struct pcache_space *s, u64 uva, void **pages,
		     u32 *csums, unsigned int nr, bool write, u32 *prot,
		     const struct pcache_xfer *piggy, int *piggy_err);
	/* Write one dirty line back.  Returns 0; -EFAULT if the page is no
	 * longer mapped (the data is dropped); another negative errno
	 * (transport) keeps the entry queued for a retry. */
	int (*flush)(const struct pcache_xfer *x);
	/* True if (@s, @uva) is anonymous memory never populated: the line
	 * is zero-filled locally; *@prot receives the VMA's rights. */
	bool (*first_touch)(struct pcache_space *s, u64 uva, u32 *prot);
	/* Notice that (@s, @uva) was zero-filled here; may be NULL (the
	 * P2M glue queues its notice in first_touch, zerofill.c). */
	void (*zerofill_notify)(struct pcache_space *s, u64 uva);
	/* A write hit a line mapped without write right: may the space
	 * write it now (the memory node resolves copy-on-write)?  Returns
	 * 0 or -EFAULT. */
	int (*check_write)(struct pcache_space *s, u64 uva);
	/* How many pages after @uva, up to @max, lie in the same VMA. */
	unsigned int (*vma_pages_after)(struct pcache_space *s, u64 uva,
					unsigned int max);
	/* Page-table hooks (set lock held).  install_pte returns an opaque
	 * PTE location kept in the line's rmap. */
	void *(*install_pte)(struct pcache_space *s, u64 uva, void *page,
			     bool writable);
	void (*clear_pte)(struct pcache_space *s, u64 uva, void *pte);
	void (*protect_pte)(struct pcache_space *s, u64 uva, void *pte);
	/* Flush [start, end) of @s from every CPU's TLB before returning. */
	void (*tlb_flush)(struct pcache_space *s, u64 start, u64 end);
};

enum pcache_policy { PCACHE_POLICY_FIFO, PCACHE_POLICY_LRU };

struct pcache_config {
	u64 bytes;			/* rounded down to whole sets */
	unsigned int ways;
	unsigned int victims;		/* victim-cache entries */
	unsigned int fault_around;	/* extra pages per miss; 0 = off */
	enum pcache_policy policy;
	bool checksum;			/* CRC32C on every page in transit */
};

struct pcache_stats {
	u64 hits;		/* faults on a valid line (PTE upgrade, remap) */
	u64 victim_hits;	/* misses refilled from the victim cache */
	u64 misses;		/* fetches from the memory node */
	u64 zerofills;
	u64 evict_clean;
	u64 evict_dirty;
	u64 flushes;		/* write-backs by the flush thread or sync */
	u64 piggybacks;		/* write-backs carried by a miss */
	u64 retries;		/* waits for a busy line, entry or full cache */
	u64 fault_around;	/* neighbour pages filled by fault-around */
	u64 csum_errors;
	u64 flush_errors;
	u64 timeouts;		/* faults that gave up waiting (-ETIMEDOUT) */
};

/* Fill @cfg with the Kconfig / command-line defaults (pcache=, victim=). */
void pcache_default_config(struct pcache_config *cfg);
/* Create a pcache: carve cfg->bytes of DRAM into lines, start its flush
 * thread.  Returns NULL on bad config or -ENOMEM (*@err says which). */
struct pcache *pcache_create(const struct pcache_config *cfg,
			     const struct pcache_ops *ops, int *err);
/* Stop the flush thread (after writing every victim back), free all.
 * Every space must have been dropped. */
void pcache_destroy(struct pcache *pc);

/* The processor role's pcache: pcache_init() creates it from the
 * pcache=SIZE[,WAYS] and victim=N parameters; pcache_get() returns it. */
int pcache_init(u64 bytes, unsigned int ways, const struct pcache_ops *ops);
struct pcache *pcache_get(void);

/* The fault path.  A user access to @uva in @s faulted (not present, or
 * a write to a read-only PTE).  Finds or fills the line and installs the
 * PTE.  May sleep.  Returns 0, -EFAULT, -ETIMEDOUT (the memory node did
 * not answer, or no line or victim entry came free for 30 s), -EIO or
 * -ENOMEM. */
int pcache_fault(struct pcache_space *s, u64 uva, bool write);

/* Coherence with the address space (called by the address-space ops with
 * the process's address-space lock held for writing; faults elsewhere in
 * the space may run concurrently).  Ranges are page aligned, end
 * exclusive.
 *
 * unmap: drop lines, victim entries and PTEs in the range; @discard
 * (munmap, exit) throws dirty data away, else it is written back first. */
int pcache_unmap_range(struct pcache_space *s, u64 start, u64 end,
		       bool discard);
/* mremap, in three steps, as Linux's mmap_lock makes it atomic for
 * faults: pcache_move_prepare(s, old, len) BEFORE the memory node moves
 * the pages freezes the range (faults there, and fault-around into it,
 * wait until the move is over) and writes every dirty page of it back in
 * place (lines stay, clean and read-only; victim entries go), so the node
 * moves current data and nothing can dirty the range again meanwhile;
 * an error leaves nothing frozen.  pcache_move_range(s, old, new, len)
 * AFTER the node moved [old, old+len) to [new, new+len): lines move with
 * their tags, flags, rmaps and PTEs, replacing any line at the new
 * address; victim entries of both ranges and lines left at the old
 * address are dropped; then the range thaws.  Overlapping or unaligned
 * ranges: -EINVAL (nothing moved, thawed).  pcache_move_cancel(s) thaws
 * when the node did not move (an error, or a change in place). */
int pcache_move_prepare(struct pcache_space *s, u64 old, u64 len);
void pcache_move_cancel(struct pcache_space *s);
int pcache_move_range(struct pcache_space *s, u64 old, u64 new, u64 len);
/* mprotect: narrow the rights of lines in the range to @prot (widening
 * happens on the next fault).  TLB shot down before return. */
void pcache_protect_range(struct pcache_space *s, u64 start, u64 end,
			  u32 prot);
/* fork: write every dirty line of @parent back (the memory node copies
 * current data for the child), write-protect its writable lines and shoot
 * down the TLB.  @child starts with no lines.  Returns 0 or an error. */
int pcache_fork(struct pcache_space *parent, struct pcache_space *child);

void pcache_get_stats(struct pcache *pc, struct pcache_stats *out);
void pcache_dump_stats(struct pcache *pc);
/* Lines currently valid, victim entries in use (tests, leak checks). */
unsigned int pcache_nr_valid(struct pcache *pc);
unsigned int pcache_nr_victims(struct pcache *pc);

#endif
