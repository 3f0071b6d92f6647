/* managers/processor/pcache/internal.h — the pcache's private structures.
 *
 * Shared by core.c (sets, lines, the fault path), victim.c (the victim
 * cache and its flush thread) and coherence.c (munmap, mremap, mprotect,
 * fork).  The design, the line states, the victim-entry state machine and
 * the lock order are written at the top of core.c; the comments here only
 * say which lock protects which field.
 */
#ifndef PCACHE_INTERNAL_H
#define PCACHE_INTERNAL_H

#include <processor/pcache.h>
#include <kernel/spinlock.h>
#include <kernel/wait.h>
#include <lib/list.h>

/* Line flags (set lock). */
#define LINE_VALID	0x01u	/* data is the page of (space, page) */
#define LINE_DIRTY	0x02u	/* data differs from the memory node */
#define LINE_BUSY	0x04u	/* owned by one filler/upgrader; tag held */
#define LINE_MAYWRITE	0x08u	/* the memory node granted write */

/* One PTE that maps a line. */
struct pcache_rmap {
	struct pcache_rmap *next;
	u32 space_id;
	bool writable;
	u64 uva;
	void *pte;		/* opaque, from ops->install_pte */
};

struct pcache_line {
	struct pcache_space *space;	/* tag, with page; NULL when free */
	u64 page;			/* uva >> PCACHE_LINE_SHIFT */
	u32 flags;
	u32 mapcount;			/* PTEs referencing the line (rmap) */
	struct pcache_rmap *rmap;
	struct list_head order;		/* in set->order: head = next victim */
	void *data;			/* the 4 KiB page in local DRAM */
};

struct pcache_set {
	spinlock_t lock;
	u32 seq;			/* bumped on every line state change */
	struct list_head order;		/* free lines first, then FIFO/LRU */
	struct pcache_line *lines;	/* ways lines */
};

#define VICTIM_FILTER	256	/* buckets of victim_cache.queued */

/* Victim entry states (victim lock).  See core.c for the machine. */
enum victim_state {
	VICTIM_FREE,		/* on vc->free, refcount 0 */
	VICTIM_FILLING,		/* reserved by an evictor, data being copied */
	VICTIM_READY,		/* dirty page queued for write-back */
	VICTIM_FLUSHING,	/* a flusher (thread, miss, sync) writes it */
	VICTIM_DEAD,		/* out of the queue; last put frees it */
};

struct pcache_victim {
	enum victim_state state;
	u32 refcount;			/* owners; 0 only when FREE */
	struct pcache_space *space;
	u64 page;
	bool maywrite;			/* the line had LINE_MAYWRITE */
	struct list_head node;		/* vc->free or vc->queue */
	void *data;
};

struct victim_cache {
	spinlock_t lock;
	struct list_head free;		/* FREE entries */
	struct list_head queue;		/* READY and FLUSHING, oldest first */
	unsigned int nr, nr_free, nr_ready;
	u32 seq;			/* bumped on every state change */
	struct wait_queue_head wait;	/* seq changed */
	u32 waiters;			/* tasks about to wait on @wait */
	struct wait_queue_head kick;	/* the flush thread sleeps here */
	struct pcache_victim *entries;
	struct task *flusher;
	bool stop;
	/* Queued (READY or FLUSHING) entries per tag hash, changed under
	 * lock, read without it: 0 means the tag is not queued (victim.c,
	 * pc_victim_claim). */
	u16 queued[VICTIM_FILTER];
};

#define PCACHE_NR_WQ	64		/* hashed set wait queues */
#define PCACHE_MAX_AROUND 16

struct pcache_chunk {
	void *addr;
	unsigned int order;
};

struct pcache {
	struct pcache_config cfg;
	const struct pcache_ops *ops;
	unsigned int nr_sets, ways, nr_lines;
	struct pcache_set *sets;
	struct pcache_line *lines;
	struct pcache_chunk *chunks;
	unsigned int nr_chunks;
	struct wait_queue_head wq[PCACHE_NR_WQ];
	u32 wq_waiters[PCACHE_NR_WQ];	/* see pc_wake_if_waiters */
	struct victim_cache vc;
	struct pcache_stats stats;	/* atomic increments */
};

#define pc_count(pc, field) \
	__atomic_fetch_add(&(pc)->stats.field, 1, __ATOMIC_RELAXED)
#define pc_add(pc, field, n) \
	__atomic_fetch_add(&(pc)->stats.field, (n), __ATOMIC_RELAXED)

static inline u64 line_uva(const struct pcache_line *l)
{
	return l->page << PCACHE_LINE_SHIFT;
}

/* Is @page of @s in the range an mremap is moving?  Read under a set
 * lock by the fault path; the mover's walk takes every set lock of the
 * range after setting it (coherence.c). */
static inline bool pc_frozen(const struct pcache_space *s, u64 page)
{
	u64 uva = page << PCACHE_LINE_SHIFT;

	return uva >= READ_ONCE(s->frozen_start) &&
	       uva < READ_ONCE(s->frozen_end);
}

static inline struct pcache_set *pc_set_of(struct pcache *pc, u64 page)
{
	return &pc->sets[page % pc->nr_sets];
}

static inline unsigned int pc_set_wq_index(struct pcache *pc,
					   struct pcache_set *set)
{
	return (unsigned int)((unsigned long)(set - pc->sets) % PCACHE_NR_WQ);
}

/* Waiting without a lock round trip for the waker when nobody waits: a
 * waiter raises *@waiters (a full barrier) before wait_event() reads its
 * condition; a waker changes the condition, then (full barrier) reads
 * *@waiters and wakes only if it is non-zero.  One of the two sees the
 * other's store, and the wait queue's lock orders the rest. */
static inline void pc_wake_if_waiters(struct wait_queue_head *wq,
				      u32 *waiters)
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (__atomic_load_n(waiters, __ATOMIC_RELAXED))
		wake_up_all(wq);
}

/* Waits are sliced: a caller whose condition never comes re-checks its
 * own deadline (pcache_fault gives up after PCACHE_FAULT_TIMEOUT_NS). */
#define PCACHE_WAIT_SLICE_NS	(1000ull * 1000 * 1000)
#define PCACHE_FAULT_TIMEOUT_NS	(30ull * PCACHE_WAIT_SLICE_NS)

#define pc_wait_counted(wq, waiters, cond)                                 \
	do {                                                                \
		__atomic_fetch_add((waiters), 1, __ATOMIC_SEQ_CST);         \
		wait_event_timeout(wq, cond, PCACHE_WAIT_SLICE_NS);         \
		__atomic_fetch_sub((waiters), 1, __ATOMIC_SEQ_CST);         \
	} while (0)

/* core.c: helpers shared with coherence.c.  "_locked": set lock held. */
struct pcache_line *pc_lookup_locked(struct pcache_set *set,
				     struct pcache_space *s, u64 page);
void pc_unmap_line_locked(struct pcache *pc, struct pcache_line *l);
void pc_free_line_locked(struct pcache *pc, struct pcache_set *set,
			 struct pcache_line *l);
int pc_evict_locked(struct pcache *pc, struct pcache_set *set,
		    struct pcache_line *l);
struct pcache_line *pc_pick_way_locked(struct pcache *pc,
				       struct pcache_set *set, int *err);
void pc_set_changed_locked(struct pcache_set *set);
void pc_set_unlock_wake(struct pcache *pc, struct pcache_set *set);
void pc_wait_set(struct pcache *pc, struct pcache_set *set, u32 seq);
int pc_map_line_locked(struct pcache *pc, struct pcache_line *l,
		       struct pcache_space *s, bool writable);
void pc_protect_line_locked(struct pcache *pc, struct pcache_line *l);
u32 pc_csum(struct pcache *pc, const void *page);

/* victim.c.  Lock order: set lock -> victim lock. */
int pc_victim_init(struct pcache *pc);
void pc_victim_destroy(struct pcache *pc);
/* Set lock held: reserve an entry (FREE -> FILLING) or NULL when full. */
struct pcache_victim *pc_victim_reserve(struct pcache *pc);
/* Set lock held: data copied, FILLING -> READY, queued. */
void pc_victim_commit(struct pcache *pc, struct pcache_victim *v,
		      struct pcache_space *s, u64 page, bool maywrite);
/* Is any entry (READY or FLUSHING) holding the tag? */
bool pc_victim_present(struct pcache *pc, struct pcache_space *s, u64 page);
/* mprotect: entries of @s in [start, end) lose their write right. */
void pc_victim_protect_range(struct pcache *pc, struct pcache_space *s,
			     u64 start, u64 end);
/* Take the READY entry for the tag (READY -> DEAD, caller owns the only
 * reference: copy the data, then pc_victim_put).  Returns 0, -ENOENT, or
 * -EBUSY when it is being flushed (*seq set for pc_victim_wait). */
int pc_victim_claim(struct pcache *pc, struct pcache_space *s, u64 page,
		    struct pcache_victim **out, u32 *seq);
void pc_victim_put(struct pcache *pc, struct pcache_victim *v);
/* A READY entry to carry on a miss to @node (READY -> FLUSHING), or NULL. */
struct pcache_victim *pc_victim_take_piggy(struct pcache *pc, u32 node);
/* End of a write-back started by take_piggy or the flusher. */
void pc_victim_flush_done(struct pcache *pc, struct pcache_victim *v,
			  int err);
/* Account and finish a write-back of @v with result @err. */
int pc_victim_writeback_result(struct pcache *pc, struct pcache_victim *v,
			       const struct pcache_xfer *x, int err);
void pc_victim_wait(struct pcache *pc, u32 seq);
/* Wait until an entry is free (kicks the flush thread). */
void pc_victim_wait_free(struct pcache *pc);
/* Write back (or with @discard drop) every entry of @s in [start, end);
 * returns when none is left.  Returns 0 or the first write-back error. */
int pc_victim_flush_range(struct pcache *pc, struct pcache_space *s,
			  u64 start, u64 end, bool discard);
void pc_xfer_of(struct pcache *pc, const struct pcache_victim *v,
		struct pcache_xfer *x);

#endif
