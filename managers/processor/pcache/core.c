/* managers/processor/pcache/core.c — the pcache: sets, lines, the fault path.
 *
 * WHAT.  The processor node caches the memory of its processes, which lives
 * on their home memory node, in a region of local DRAM cut into 4 KiB lines.
 * The cache is set associative: nr_sets = lines / ways, and the set of user
 * page P is P % nr_sets.  A line's tag is (address space, user page).  A
 * valid line is mapped into the user page table; the hardware then reaches
 * it without the kernel.  A fault on an unmapped page (or a write to a page
 * mapped read-only) comes here: pcache_fault() finds or fills the line and
 * installs the PTE.  The network (FIT) and the page tables are reached only
 * through struct pcache_ops, so this file also runs in host tests against a
 * simulated memory node and page table (sim.c).
 *
 * LINE STATES (flags, under the set lock):
 *   FREE          space == NULL, flags 0, at the head of set->order.
 *   BUSY          tag set, owned by one task that fills it (from the victim
 *                 cache, by zero-fill or from the memory node) with no lock
 *                 held; everybody else who needs the tag waits on the set's
 *                 wait queue for set->seq to change.  BUSY|VALID: a write
 *                 upgrade asking the memory node (check_write).
 *   VALID         data is the page; DIRTY if it differs from the memory
 *                 node; MAYWRITE if the memory node granted write.  Mapped
 *                 by the PTEs in its rmap (mapcount of them).
 *   FREE -> BUSY (a miss claims a way) -> VALID (published) or -> FREE
 *   (the fill failed).  VALID -> FREE: clean eviction, munmap.  VALID|DIRTY
 *   -> FREE with the data in a victim entry: dirty eviction.  VALID -> FREE
 *   in one set and VALID in another: mremap swaps the data page into a line
 *   of the new set.  Only a BUSY line's owner changes it; no other path
 *   touches a BUSY line (evictors skip it, range operations wait for it).
 *   Dirty tracking is in software: a read fault maps read-only, so the
 *   first write faults again and marks the line DIRTY before the PTE
 *   becomes writable.  There is no separate RECLAIM state: an eviction
 *   (PTEs cleared, TLB shot down, data to a victim entry, line freed)
 *   completes inside one set-lock section, so nobody can observe a line
 *   half reclaimed.
 *
 * VICTIM CACHE (victim.c; vc->lock).  Each entry follows one machine:
 *   FREE -reserve-> FILLING -commit-> READY -take-> FLUSHING -done-> DEAD
 *   READY -claim (victim hit, munmap)-> DEAD;  FLUSHING -error-> READY;
 *   DEAD -last put-> FREE.
 *   refcount: the queue holds one reference while the entry is READY or
 *   FLUSHING, a flusher holds one while FLUSHING; claim hands the queue's
 *   reference to the claimer.  References are only taken on an entry in
 *   READY state (count >= 1), so no path raises a count from zero, and only
 *   the put that reaches zero frees it (DEAD -> FREE, BUG_ON otherwise).
 *   A hit on a FLUSHING entry does not copy it: the filler waits until the
 *   write-back finished and then fetches, so a tag is never in two entries
 *   and write-backs of one page never overtake each other.
 *
 * INVARIANTS.  A tag is held by at most one line of its set (VALID or
 * BUSY) and at most one victim entry; a VALID line and a READY entry never
 * hold the same tag.  A dirty line's PTEs are cleared and the TLB shot down
 * before its data is copied out (no write is lost in flight).  A filler
 * checks the victim cache only after its BUSY line holds the tag, and an
 * evictor queues the entry in the same set-lock section that frees the
 * line, so the filler sees one or the other, never neither.
 *
 * LOCK ORDER.  (caller: the process's address-space lock) -> set lock (two
 * sets: lower index first) -> victim lock -> wait-queue locks.  The PTE
 * hooks and tlb_flush run under a set lock; fetch, flush, first_touch,
 * check_write and zerofill_notify run with no pcache lock held.
 *
 * CALLERS.  The processor's page-fault handler (pcache_fault), the address-
 * space ops (coherence.c), the processor role's start-up (init.c), tests.
 */
#include <kernel/panic.h>
#include <kernel/printk.h>
#include <kernel/sched.h>
#include <kernel/time.h>
#include <lib/crc32c.h>
#include <lib/string.h>
#include <mm/mm.h>
#include <uapi/errno.h>
#include "internal.h"

/* --- sets and lines --------------------------------------------------- */

struct pcache_line *pc_lookup_locked(struct pcache_set *set,
				     struct pcache_space *s, u64 page)
{
	struct pcache_line *l;

	list_for_each_entry(l, &set->order, order) {
		if (l->space == s && l->page == page)
			return l;
	}
	return NULL;
}

void pc_set_changed_locked(struct pcache_set *set)
{
	set->seq++;
}

void pc_set_unlock_wake(struct pcache *pc, struct pcache_set *set)
{
	unsigned int i = pc_set_wq_index(pc, set);

	spin_unlock(&set->lock);
	pc_wake_if_waiters(&pc->wq[i], &pc->wq_waiters[i]);
}

/* Sleep until the set's seq moved past @seq (a line changed state). */
void pc_wait_set(struct pcache *pc, struct pcache_set *set, u32 seq)
{
	unsigned int i = pc_set_wq_index(pc, set);

	pc_count(pc, retries);
	pc_wait_counted(pc->wq[i], &pc->wq_waiters[i],
			READ_ONCE(set->seq) != seq);
}

u32 pc_csum(struct pcache *pc, const void *page)
{
	return pc->cfg.checksum ? crc32c(page, PCACHE_LINE_SIZE) : 0;
}

/* Install (or re-install with new rights) the PTE of @s for @l. */
int pc_map_line_locked(struct pcache *pc, struct pcache_line *l,
		       struct pcache_space *s, bool writable)
{
	u64 uva = line_uva(l);
	struct pcache_rmap *r;

	for (r = l->rmap; r; r = r->next) {
		if (r->space_id == s->id && r->uva == uva)
			break;
	}
	if (!r) {
		r = kzalloc(sizeof(*r));
		if (!r)
			return -ENOMEM;
		r->space_id = s->id;
		r->uva = uva;
		r->next = l->rmap;
		l->rmap = r;
		l->mapcount++;
	} else if (r->writable && !writable) {
		return 0;	/* never narrow on a fault */
	}
	r->pte = pc->ops->install_pte(s, uva, l->data, writable);
	r->writable = writable;
	return 0;
}

/* Clear every PTE of @l and shoot them down; the rmap becomes empty. */
void pc_unmap_line_locked(struct pcache *pc, struct pcache_line *l)
{
	struct pcache_rmap *r, *next;

	for (r = l->rmap; r; r = next) {
		next = r->next;
		pc->ops->clear_pte(l->space, r->uva, r->pte);
		pc->ops->tlb_flush(l->space, r->uva, r->uva + PCACHE_LINE_SIZE);
		kfree(r);
		BUG_ON(l->mapcount == 0);
		l->mapcount--;
	}
	l->rmap = NULL;
	BUG_ON(l->mapcount != 0);
}

/* Write-protect every writable PTE of @l and shoot them down. */
void pc_protect_line_locked(struct pcache *pc, struct pcache_line *l)
{
	struct pcache_rmap *r;

	for (r = l->rmap; r; r = r->next) {
		if (!r->writable)
			continue;
		pc->ops->protect_pte(l->space, r->uva, r->pte);
		pc->ops->tlb_flush(l->space, r->uva, r->uva + PCACHE_LINE_SIZE);
		r->writable = false;
	}
}

void pc_free_line_locked(struct pcache *pc, struct pcache_set *set,
			 struct pcache_line *l)
{
	BUG_ON(l->mapcount != 0);
	l->space = NULL;
	l->page = 0;
	l->flags = 0;
	list_del(&l->order);
	list_add(&l->order, &set->order);
	pc_set_changed_locked(set);
}

/* Evict VALID, not BUSY @l: clean lines are dropped, dirty ones go to the
 * victim cache.  Returns 0, or -EBUSY if the victim cache is full (nothing
 * changed then). */
int pc_evict_locked(struct pcache *pc, struct pcache_set *set,
		    struct pcache_line *l)
{
	struct pcache_victim *v = NULL;

	BUG_ON(!(l->flags & LINE_VALID) || (l->flags & LINE_BUSY));
	if (l->flags & LINE_DIRTY) {
		v = pc_victim_reserve(pc);
		if (!v)
			return -EBUSY;
	}
	pc_unmap_line_locked(pc, l);
	if (v) {
		memcpy(v->data, l->data, PCACHE_LINE_SIZE);
		pc_victim_commit(pc, v, l->space, l->page,
				 l->flags & LINE_MAYWRITE);
		pc_count(pc, evict_dirty);
	} else {
		pc_count(pc, evict_clean);
	}
	pc_free_line_locked(pc, set, l);
	return 0;
}

/* A free way, or the policy's victim evicted.  NULL with *err = -EAGAIN
 * when every way is busy, -EBUSY when the victim cache is full. */
struct pcache_line *pc_pick_way_locked(struct pcache *pc,
				       struct pcache_set *set, int *err)
{
	struct pcache_line *l;

	*err = -EAGAIN;
	list_for_each_entry(l, &set->order, order) {
		if (l->flags & LINE_BUSY)
			continue;
		if (!(l->flags & LINE_VALID))
			return l;
		*err = pc_evict_locked(pc, set, l);
		return *err ? NULL : l;
	}
	return NULL;
}

/* Take @l (free) for the tag: it becomes BUSY, youngest in FIFO order. */
static void claim_line_locked(struct pcache_set *set, struct pcache_line *l,
			      struct pcache_space *s, u64 page)
{
	BUG_ON(l->flags || l->space || l->mapcount);
	l->space = s;
	l->page = page;
	l->flags = LINE_BUSY;
	list_move_tail(&l->order, &set->order);
	pc_set_changed_locked(set);
}

/* --- the fault path ---------------------------------------------------- */

/* What a fill produced, for publish(). */
struct fill {
	struct pcache_line *line[1 + PCACHE_MAX_AROUND];
	void *pages[1 + PCACHE_MAX_AROUND];
	u32 csums[1 + PCACHE_MAX_AROUND];
	unsigned int nr;	/* line[0] is the faulting page */
	u32 prot;
	bool dirty;		/* line[0] came from a victim entry */
};

/* Release a BUSY line whose fill failed or was abandoned. */
static void release_busy(struct pcache *pc, struct pcache_line *l)
{
	struct pcache_set *set = pc_set_of(pc, l->page);

	spin_lock(&set->lock);
	BUG_ON(!(l->flags & LINE_BUSY));
	pc_free_line_locked(pc, set, l);
	pc_set_unlock_wake(pc, set);
}

/* Claim up to fault_around BUSY lines after @uva, stopping at the first
 * page that is cached, in a victim entry, or whose set would need a dirty
 * eviction.  Never sleeps. */
static void claim_neighbours(struct pcache *pc, struct pcache_space *s,
			     u64 uva, struct fill *f)
{
	unsigned int n = MIN(pc->cfg.fault_around, PCACHE_MAX_AROUND);
	u64 page = uva >> PCACHE_LINE_SHIFT;

	if (!n || !pc->ops->vma_pages_after)
		return;
	n = pc->ops->vma_pages_after(s, uva, n);
	for (unsigned int i = 1; i <= n; i++) {
		struct pcache_set *set = pc_set_of(pc, page + i);
		struct pcache_line *l = NULL, *c;

		spin_lock(&set->lock);
		if (!pc_frozen(s, page + i) &&
		    !pc_lookup_locked(set, s, page + i)) {
			list_for_each_entry(c, &set->order, order) {
				if (c->flags & (LINE_BUSY | LINE_DIRTY))
					continue;
				l = c;
				break;
			}
		}
		if (l && (l->flags & LINE_VALID))
			pc_evict_locked(pc, set, l);	/* clean: cannot fail */
		if (l)
			claim_line_locked(set, l, s, page + i);
		spin_unlock(&set->lock);
		if (!l)
			return;
		if (pc_victim_present(pc, s, page + i)) {
			release_busy(pc, l);
			return;
		}
		f->line[f->nr] = l;
		f->pages[f->nr] = l->data;
		f->nr++;
	}
}

static int verify_csums(struct pcache *pc, struct pcache_space *s, u64 uva,
			struct fill *f)
{
	for (unsigned int i = 0; pc->cfg.checksum && i < f->nr; i++) {
		if (crc32c(f->pages[i], PCACHE_LINE_SIZE) == f->csums[i])
			continue;
		pc_count(pc, csum_errors);
		pr_err("pcache: checksum mismatch on page %#llx of space %u "
		       "from node %u\n", uva + i * PCACHE_LINE_SIZE, s->id,
		       s->home_node);
		return -EIO;
	}
	return 0;
}

/* Fetch line[0] (and neighbours) from the memory node, with a dirty
 * victim entry piggybacked on the request when one is waiting. */
static int fetch_remote(struct pcache *pc, struct pcache_space *s, u64 uva,
			bool write, struct fill *f)
{
	struct pcache_victim *piggy;
	struct pcache_xfer x;
	int ret, perr = -ETIMEDOUT;

	claim_neighbours(pc, s, uva, f);
	piggy = pc_victim_take_piggy(pc, s->home_node);
	if (piggy)
		pc_xfer_of(pc, piggy, &x);
	ret = pc->ops->fetch(s, uva, f->pages,
			     pc->cfg.checksum ? f->csums : NULL, f->nr, write,
			     &f->prot, piggy ? &x : NULL, &perr);
	if (piggy) {
		pc_victim_writeback_result(pc, piggy, &x, perr);
		if (!perr)
			pc_count(pc, piggybacks);
	}
	if (ret < 0)
		return ret;
	BUG_ON(ret == 0 || (unsigned int)ret > f->nr);
	while (f->nr > (unsigned int)ret)	/* past the VMA by now */
		release_busy(pc, f->line[--f->nr]);
	ret = verify_csums(pc, s, uva, f);
	if (!ret) {
		pc_count(pc, misses);
		pc_add(pc, fault_around, f->nr - 1);
	}
	return ret;
}

/* Fill BUSY f->line[0] with no lock held: victim cache, zero-fill, or the
 * memory node. */
static int fill_line(struct pcache *pc, struct pcache_space *s, u64 uva,
		     bool write, struct fill *f)
{
	struct pcache_victim *v;
	u32 seq;
	int ret;

	while ((ret = pc_victim_claim(pc, s, uva >> PCACHE_LINE_SHIFT, &v,
				      &seq)) == -EBUSY)
		pc_victim_wait(pc, seq);
	if (!ret) {
		memcpy(f->pages[0], v->data, PCACHE_LINE_SIZE);
		f->prot = PCACHE_PROT_READ;
		if (v->maywrite)
			f->prot |= PCACHE_PROT_WRITE;
		pc_victim_put(pc, v);
		f->dirty = true;
		pc_count(pc, victim_hits);
		return 0;
	}
	if (pc->ops->first_touch && pc->ops->first_touch(s, uva, &f->prot)) {
		memset(f->pages[0], 0, PCACHE_LINE_SIZE);
		if (pc->ops->zerofill_notify)
			pc->ops->zerofill_notify(s, uva);
		pc_count(pc, zerofills);
		return 0;
	}
	return fetch_remote(pc, s, uva, write, f);
}

/* Make the filled lines VALID and map them: line[0] writable if the fault
 * was a write (the caller checked the right) or holds dirty victim data
 * it may write; neighbours read-only. */
static int publish(struct pcache *pc, struct pcache_space *s, bool write,
		   struct fill *f)
{
	bool maywrite = f->prot & PCACHE_PROT_WRITE;
	int ret = 0;

	for (unsigned int i = 0; i < f->nr; i++) {
		struct pcache_line *l = f->line[i];
		struct pcache_set *set = pc_set_of(pc, l->page);
		bool dirty = !i && (f->dirty || write);
		int err;

		spin_lock(&set->lock);
		l->flags = LINE_VALID;
		if (maywrite)
			l->flags |= LINE_MAYWRITE;
		if (dirty)
			l->flags |= LINE_DIRTY;
		err = pc_map_line_locked(pc, l, s, dirty && maywrite);
		if (err && !i)
			ret = err;
		pc_set_changed_locked(set);
		pc_set_unlock_wake(pc, set);
	}
	return ret;
}

/* A write to a line the memory node has not (yet) let us write: ask it.
 * Called and returns with the set lock held; drops it meanwhile. */
static int upgrade_locked(struct pcache *pc, struct pcache_set *set,
			  struct pcache_line *l, struct pcache_space *s)
{
	int ret;

	l->flags |= LINE_BUSY;
	spin_unlock(&set->lock);
	ret = pc->ops->check_write(s, line_uva(l));
	spin_lock(&set->lock);
	l->flags &= ~LINE_BUSY;
	if (!ret)
		l->flags |= LINE_MAYWRITE;
	pc_set_changed_locked(set);
	return ret;
}

/* Set lock held, @l VALID: map it for the fault. */
static int hit_locked(struct pcache *pc, struct pcache_set *set,
		      struct pcache_line *l, struct pcache_space *s, bool write)
{
	int ret;

	pc_count(pc, hits);
	if (write && !(l->flags & LINE_MAYWRITE)) {
		ret = upgrade_locked(pc, set, l, s);
		if (ret)
			return ret;
	}
	if (write)
		l->flags |= LINE_DIRTY;
	if (pc->cfg.policy == PCACHE_POLICY_LRU)
		list_move_tail(&l->order, &set->order);
	return pc_map_line_locked(pc, l, s,
				  write || ((l->flags & LINE_DIRTY) &&
					    (l->flags & LINE_MAYWRITE)));
}

#define FAULT_FROZEN	1	/* waited for an mremap: not a retry */

/* One attempt.  Returns 0/-errno, -EAGAIN after having waited for a line
 * or victim entry, FAULT_FROZEN after having waited for an mremap. */
static int fault_once(struct pcache *pc, struct pcache_space *s, u64 uva,
		      bool write)
{
	u64 page = uva >> PCACHE_LINE_SHIFT;
	struct pcache_set *set = pc_set_of(pc, page);
	struct pcache_line *l;
	struct fill f;
	u32 seq;
	int ret;

	spin_lock(&set->lock);
	seq = set->seq;
	if (pc_frozen(s, page)) {	/* an mremap moves it: wait it out */
		spin_unlock(&set->lock);
		pc_wait_set(pc, set, seq);
		return FAULT_FROZEN;
	}
	l = pc_lookup_locked(set, s, page);
	if (l && !(l->flags & LINE_BUSY)) {
		ret = hit_locked(pc, set, l, s, write);
		pc_set_unlock_wake(pc, set);
		return ret;
	}
	if (!l)
		l = pc_pick_way_locked(pc, set, &ret);
	if (!l || (l->flags & LINE_BUSY)) {
		spin_unlock(&set->lock);
		if (!l && ret == -EBUSY)
			pc_victim_wait_free(pc);
		else
			pc_wait_set(pc, set, seq);
		return -EAGAIN;
	}
	claim_line_locked(set, l, s, page);
	spin_unlock(&set->lock);

	f.line[0] = l;
	f.pages[0] = l->data;
	f.nr = 1;
	f.prot = 0;
	f.dirty = false;
	ret = fill_line(pc, s, uva, write, &f);
	if (ret) {
		for (unsigned int i = 0; i < f.nr; i++)
			release_busy(pc, f.line[i]);
		return ret;
	}
	if (write && !(f.prot & PCACHE_PROT_WRITE)) {
		/* Victim data mapped read-only: ask; never drop its data. */
		if (f.dirty && !pc->ops->check_write(s, uva)) {
			f.prot |= PCACHE_PROT_WRITE;
		} else {
			write = false;
			ret = -EFAULT;
		}
	}
	return publish(pc, s, write, &f) ?: ret;
}

int pcache_fault(struct pcache_space *s, u64 uva, bool write)
{
	u64 deadline = 0;
	int ret;

	uva = ALIGN_DOWN(uva, PCACHE_LINE_SIZE);
	while ((ret = fault_once(s->pc, s, uva, write)) == -EAGAIN ||
	       ret == FAULT_FROZEN) {
		u64 now = ktime_get_ns();

		if (ret == FAULT_FROZEN) {	/* the mremap's time, not ours */
			deadline = 0;
			continue;
		}

		if (!deadline) {
			deadline = now + PCACHE_FAULT_TIMEOUT_NS;
		} else if (now > deadline) {
			pc_count(s->pc, timeouts);
			pr_warn("pcache: fault on %#llx (space %u, node %u) "
				"gave up: no line or victim entry came free\n",
				uva, s->id, s->home_node);
			return -ETIMEDOUT;
		}
	}
	return ret;
}

/* --- creation and statistics ------------------------------------------- */

/* Carve @nr_lines pages out of the largest free blocks available. */
static int carve_region(struct pcache *pc)
{
	unsigned int done = 0, order = MAX_ORDER - 1;

	pc->chunks = kcalloc(pc->nr_lines, sizeof(*pc->chunks));
	if (!pc->chunks)
		return -ENOMEM;
	while (done < pc->nr_lines) {
		void *p;

		while ((1u << order) > pc->nr_lines - done)
			order--;
		p = alloc_pages(order);
		if (!p) {
			if (!order)
				return -ENOMEM;
			order--;
			continue;
		}
		pc->chunks[pc->nr_chunks++] = (struct pcache_chunk){ p, order };
		for (unsigned int i = 0; i < (1u << order); i++)
			pc->lines[done++].data = (char *)p + i * PCACHE_LINE_SIZE;
	}
	return 0;
}

static int setup_sets(struct pcache *pc)
{
	pc->sets = kcalloc(pc->nr_sets, sizeof(*pc->sets));
	pc->lines = kcalloc(pc->nr_lines, sizeof(*pc->lines));
	if (!pc->sets || !pc->lines)
		return -ENOMEM;
	for (unsigned int i = 0; i < pc->nr_sets; i++) {
		struct pcache_set *set = &pc->sets[i];

		spin_lock_init(&set->lock, "pcache_set");
		INIT_LIST_HEAD(&set->order);
		set->lines = &pc->lines[i * pc->ways];
		for (unsigned int w = 0; w < pc->ways; w++)
			list_add_tail(&set->lines[w].order, &set->order);
	}
	for (unsigned int i = 0; i < PCACHE_NR_WQ; i++)
		init_waitqueue_head(&pc->wq[i]);
	return carve_region(pc);
}

struct pcache *pcache_create(const struct pcache_config *cfg,
			     const struct pcache_ops *ops, int *err)
{
	struct pcache *pc;
	u64 lines = cfg->bytes >> PCACHE_LINE_SHIFT;

	*err = -EINVAL;
	if (!cfg->ways || cfg->ways > 64 || lines < cfg->ways ||
	    lines / cfg->ways > (1u << 24) || !cfg->victims ||
	    cfg->victims > 4096 || cfg->fault_around > PCACHE_MAX_AROUND)
		return NULL;
	*err = -ENOMEM;
	pc = kzalloc(sizeof(*pc));
	if (!pc)
		return NULL;
	pc->cfg = *cfg;
	pc->ops = ops;
	pc->ways = cfg->ways;
	pc->nr_sets = (unsigned int)(lines / cfg->ways);
	pc->nr_lines = pc->nr_sets * pc->ways;
	pc->cfg.bytes = (u64)pc->nr_lines << PCACHE_LINE_SHIFT;
	*err = setup_sets(pc);
	if (!*err)
		*err = pc_victim_init(pc);
	if (*err) {
		pcache_destroy(pc);
		return NULL;
	}
	return pc;
}

void pcache_destroy(struct pcache *pc)
{
	pc_victim_destroy(pc);
	for (unsigned int i = 0; pc->lines && i < pc->nr_lines; i++)
		BUG_ON(pc->lines[i].mapcount || pc->lines[i].flags);
	for (unsigned int i = 0; i < pc->nr_chunks; i++)
		free_pages(pc->chunks[i].addr, pc->chunks[i].order);
	kfree(pc->chunks);
	kfree(pc->lines);
	kfree(pc->sets);
	kfree(pc);
}

void pcache_get_stats(struct pcache *pc, struct pcache_stats *out)
{
	const u64 *src = (const u64 *)&pc->stats;
	u64 *dst = (u64 *)out;

	for (size_t i = 0; i < sizeof(*out) / sizeof(u64); i++)
		dst[i] = __atomic_load_n(&src[i], __ATOMIC_RELAXED);
}

unsigned int pcache_nr_victims(struct pcache *pc)
{
	unsigned int n;

	spin_lock(&pc->vc.lock);
	n = pc->vc.nr - pc->vc.nr_free;
	spin_unlock(&pc->vc.lock);
	return n;
}

unsigned int pcache_nr_valid(struct pcache *pc)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < pc->nr_sets; i++) {
		struct pcache_set *set = &pc->sets[i];

		spin_lock(&set->lock);
		for (unsigned int w = 0; w < pc->ways; w++)
			n += !!(set->lines[w].flags & LINE_VALID);
		spin_unlock(&set->lock);
	}
	return n;
}

void pcache_dump_stats(struct pcache *pc)
{
	struct pcache_stats st;

	pcache_get_stats(pc, &st);
	printk("pcache: %u sets x %u ways (%llu KiB), %u victim entries, "
	       "%u valid\n", pc->nr_sets, pc->ways, pc->cfg.bytes >> 10,
	       pc->vc.nr, pcache_nr_valid(pc));
	printk("pcache: hits %llu victim-hits %llu misses %llu zero-fills "
	       "%llu fault-around %llu\n", st.hits, st.victim_hits, st.misses,
	       st.zerofills, st.fault_around);
	printk("pcache: evict clean %llu dirty %llu, flushes %llu piggybacks "
	       "%llu, retries %llu, errors csum %llu flush %llu timeout %llu\n",
	       st.evict_clean, st.evict_dirty, st.flushes, st.piggybacks,
	       st.retries, st.csum_errors, st.flush_errors, st.timeouts);
}
