/* managers/processor/pcache/coherence.c — munmap, mremap, mprotect and fork
 * as the pcache sees them.
 *
 * The address-space ops (processor side of P2M_MUNMAP/MREMAP/MPROTECT/
 * FORK) call these with the process's address-space lock held for writing;
 * faults on other pages of the same space, and of other spaces in the same
 * sets, run concurrently.  Every change to a line's tag, rmap or PTEs
 * happens under the set lock the fault path takes (LESSONS 4), and BUSY
 * lines (a fill or write upgrade in progress) are waited for, never
 * touched.  Every narrowing of a PTE's rights is followed by a TLB
 * shootdown (ops->tlb_flush) before the function returns (LESSONS 3): per
 * line, inside the set lock, so no writer can slip in behind the walk.
 *
 * A range walk visits the sets its pages map to (each once, when the
 * range has fewer pages than there are sets) or every set, and applies one
 * operation to each line of the space inside the range:
 *   DROP    clear PTEs, free the line, dirty data discarded (munmap, exit)
 *   EVICT   clear PTEs, dirty data to the victim cache (unmap with
 *           write-back); the victim range is then written back
 *   PROTECT write-protect PTEs and drop LINE_MAYWRITE; PROT_NONE evicts
 *           the line (a later fault asks the memory node, which refuses)
 *   CLEAN   write a dirty line back in place: the line is made BUSY and
 *           its PTEs read-only (shot down), the page is written back with
 *           no lock held, then BUSY and DIRTY are cleared
 *
 * mremap: pcache_move_prepare (freeze the range, write it back in place)
 * before the memory node moves the pages, then pcache_move_range after it, page by page under both set locks (lower
 * index first): the line at the old address is re-tagged in place (same
 * set) or its data page is swapped into a way of the new set; its flags
 * and rmap entries move with it and every PTE is cleared at the old
 * address and installed at the new one.  See the header for why that
 * order.
 */
#include <kernel/panic.h>
#include <kernel/printk.h>
#include <mm/mm.h>
#include <uapi/errno.h>
#include "internal.h"

enum range_op { OP_DROP, OP_EVICT, OP_PROTECT, OP_CLEAN };

#define WALK_CLEAN	1	/* apply_locked: write back this line */

struct range {
	struct pcache_space *s;
	u64 start, end;
	enum range_op op;
	u32 prot;
};

static bool line_in(const struct pcache_line *l, const struct range *r)
{
	u64 uva = line_uva(l);

	return l->space == r->s && uva >= r->start && uva < r->end;
}

/* Set lock held, @l not BUSY.  0, -EBUSY (victim full), or WALK_CLEAN
 * with @l made BUSY for the caller. */
static int apply_locked(struct pcache *pc, struct pcache_set *set,
			struct pcache_line *l, const struct range *r)
{
	switch (r->op) {
	case OP_DROP:
		pc_unmap_line_locked(pc, l);
		pc_free_line_locked(pc, set, l);
		return 0;
	case OP_EVICT:
		return pc_evict_locked(pc, set, l);
	case OP_PROTECT:
		if (!(r->prot & PCACHE_PROT_READ))
			return pc_evict_locked(pc, set, l);
		if (!(r->prot & PCACHE_PROT_WRITE)) {
			pc_protect_line_locked(pc, l);
			l->flags &= ~LINE_MAYWRITE;
		}
		return 0;
	case OP_CLEAN:
		if (!(l->flags & LINE_DIRTY))
			return 0;
		pc_protect_line_locked(pc, l);
		l->flags |= LINE_BUSY;
		pc_set_changed_locked(set);
		return WALK_CLEAN;
	}
	return 0;
}

/* Write back BUSY, write-protected @l in place; then clean and not BUSY. */
static int clean_line(struct pcache *pc, struct pcache_set *set,
		      struct pcache_line *l)
{
	struct pcache_xfer x = {
		.space = l->space, .uva = line_uva(l), .page = l->data,
		.csum = pc_csum(pc, l->data),
	};
	int ret = pc->ops->flush(&x);

	if (ret)
		pc_count(pc, flush_errors);
	else
		pc_count(pc, flushes);
	if (ret == -EFAULT)
		ret = 0;	/* unmapped meanwhile: nothing to keep */
	spin_lock(&set->lock);
	BUG_ON(!(l->flags & LINE_BUSY) || !(l->flags & LINE_DIRTY));
	l->flags &= ~LINE_BUSY;
	if (!ret)
		l->flags &= ~LINE_DIRTY;
	pc_set_changed_locked(set);
	pc_set_unlock_wake(pc, set);
	return ret;
}

static int walk_set(struct pcache *pc, struct pcache_set *set,
		    const struct range *r)
{
	for (;;) {
		struct pcache_line *l, *n, *hit = NULL;
		bool busy = false;
		int ret = 0;
		u32 seq;

		spin_lock(&set->lock);
		list_for_each_entry_safe(l, n, &set->order, order) {
			if (!line_in(l, r))
				continue;
			if (l->flags & LINE_BUSY) {
				busy = true;
				continue;
			}
			ret = apply_locked(pc, set, l, r);
			if (ret) {
				hit = l;
				break;
			}
		}
		seq = set->seq;
		pc_set_unlock_wake(pc, set);
		if (ret == WALK_CLEAN)
			ret = clean_line(pc, set, hit);
		else if (ret == -EBUSY)
			pc_victim_wait_free(pc);
		else if (!ret && busy)
			pc_wait_set(pc, set, seq);
		else if (!ret)
			return 0;
		if (ret && ret != -EBUSY)
			return ret;
	}
}

static int walk_range(struct pcache *pc, const struct range *r)
{
	u64 first = r->start >> PCACHE_LINE_SHIFT;
	u64 pages = (r->end - r->start) >> PCACHE_LINE_SHIFT;
	int ret;

	if (pages < pc->nr_sets) {
		for (u64 p = first; p < first + pages; p++) {
			ret = walk_set(pc, pc_set_of(pc, p), r);
			if (ret)
				return ret;
		}
		return 0;
	}
	for (unsigned int i = 0; i < pc->nr_sets; i++) {
		ret = walk_set(pc, &pc->sets[i], r);
		if (ret)
			return ret;
	}
	return 0;
}

static bool bad_range(u64 start, u64 end)
{
	return !IS_ALIGNED(start, PCACHE_LINE_SIZE) || end < start ||
	       (end != ~0ull && !IS_ALIGNED(end, PCACHE_LINE_SIZE));
}

int pcache_unmap_range(struct pcache_space *s, u64 start, u64 end,
		       bool discard)
{
	struct range r = { s, start, end, discard ? OP_DROP : OP_EVICT, 0 };
	int ret;

	if (bad_range(start, end))
		return -EINVAL;
	ret = walk_range(s->pc, &r);
	if (ret)
		return ret;
	return pc_victim_flush_range(s->pc, s, start, end, discard);
}

void pcache_protect_range(struct pcache_space *s, u64 start, u64 end,
			  u32 prot)
{
	struct range r = { s, start, end, OP_PROTECT, prot };

	if (bad_range(start, end))
		return;
	walk_range(s->pc, &r);
	if (!(prot & PCACHE_PROT_READ))		/* no refill from them */
		pc_victim_flush_range(s->pc, s, start, end, false);
	else if (!(prot & PCACHE_PROT_WRITE))
		pc_victim_protect_range(s->pc, s, start, end);
}

/* Write back every dirty page of @s in [start, end): lines in place, then
 * the victim entries. */
static int clean_range(struct pcache_space *s, u64 start, u64 end)
{
	struct range r = { s, start, end, OP_CLEAN, 0 };
	int ret = walk_range(s->pc, &r);

	return ret ?: pc_victim_flush_range(s->pc, s, start, end, false);
}

/* Thaw the frozen range: every set it maps to changes, so the faults
 * waiting there (pc_wait_set) look again. */
static void thaw(struct pcache_space *s)
{
	struct pcache *pc = s->pc;
	u64 first = s->frozen_start >> PCACHE_LINE_SHIFT;
	u64 pages = (s->frozen_end - s->frozen_start) >> PCACHE_LINE_SHIFT;

	WRITE_ONCE(s->frozen_end, 0);
	WRITE_ONCE(s->frozen_start, 0);
	for (u64 i = 0; i < MIN(pages, (u64)pc->nr_sets); i++) {
		struct pcache_set *set = pages < pc->nr_sets ?
			pc_set_of(pc, first + i) : &pc->sets[i];

		spin_lock(&set->lock);
		pc_set_changed_locked(set);
		pc_set_unlock_wake(pc, set);
	}
}

int pcache_move_prepare(struct pcache_space *s, u64 old, u64 len)
{
	int ret;

	if (!IS_ALIGNED(old | len, PCACHE_LINE_SIZE) || old + len < old)
		return -EINVAL;
	/* Set before the walk takes each set's lock: a fault that takes
	 * one after the walk sees it, one before left a line (or a BUSY
	 * one) the walk sees. */
	WRITE_ONCE(s->frozen_start, old);
	WRITE_ONCE(s->frozen_end, old + len);
	__sync_synchronize();
	ret = clean_range(s, old, old + len);
	if (ret)
		thaw(s);
	return ret;
}

void pcache_move_cancel(struct pcache_space *s)
{
	if (READ_ONCE(s->frozen_end))
		thaw(s);
}

int pcache_fork(struct pcache_space *parent, struct pcache_space *child)
{
	/* Stop the parent's writers first, then make the memory node's
	 * copy current; the child has no lines yet. */
	pcache_protect_range(parent, 0, ~0ull, PCACHE_PROT_READ);
	return clean_range(parent, 0, ~0ull);
}

/* --- mremap ------------------------------------------------------------ */

static void lock_two(struct pcache_set *a, struct pcache_set *b)
{
	if (a == b) {
		spin_lock(&a->lock);
	} else if (a < b) {
		spin_lock(&a->lock);
		spin_lock(&b->lock);
	} else {
		spin_lock(&b->lock);
		spin_lock(&a->lock);
	}
}

static void unlock_two(struct pcache *pc, struct pcache_set *a,
		       struct pcache_set *b)
{
	if (a != b)
		pc_set_unlock_wake(pc, b);
	pc_set_unlock_wake(pc, a);
}

/* Both set locks held.  Move tag, flags, rmap and PTEs of @from (at its
 * old page) to @to (free, or @from itself) at @page, with @from's data. */
static void retag_locked(struct pcache *pc, struct pcache_set *to_set,
			 struct pcache_line *from, struct pcache_line *to,
			 u64 page)
{
	struct pcache_space *s = from->space;
	struct pcache_rmap *r;
	u64 new_uva = page << PCACHE_LINE_SHIFT;

	for (r = from->rmap; r; r = r->next) {
		pc->ops->clear_pte(s, r->uva, r->pte);
		pc->ops->tlb_flush(s, r->uva, r->uva + PCACHE_LINE_SIZE);
	}
	if (to != from) {
		void *data = to->data;

		to->data = from->data;
		from->data = data;
		to->space = s;
		to->flags = from->flags;
		to->rmap = from->rmap;
		to->mapcount = from->mapcount;
		from->rmap = NULL;
		from->mapcount = 0;
		pc_free_line_locked(pc, pc_set_of(pc, from->page), from);
	}
	to->page = page;
	list_move_tail(&to->order, &to_set->order);
	for (r = to->rmap; r; r = r->next) {
		r->uva = new_uva;
		r->pte = pc->ops->install_pte(s, new_uva, to->data, r->writable);
	}
	pc_set_changed_locked(to_set);
}

/* Move the line of (s, op) to (s, np), replacing whatever np held.  The
 * memory node has moved the page already, so the line's data is the
 * newest copy of the page now at np (clean after pcache_move_prepare;
 * dirty only if moved without it). */
static void move_page(struct pcache *pc, struct pcache_space *s, u64 op,
		      u64 np)
{
	struct pcache_set *so = pc_set_of(pc, op), *sn = pc_set_of(pc, np);

	for (;;) {
		struct pcache_line *lo, *ln, *dst;
		u32 seq_o, seq_n;
		int err = 0;

		lock_two(so, sn);
		seq_o = so->seq;
		seq_n = sn->seq;
		lo = pc_lookup_locked(so, s, op);
		ln = pc_lookup_locked(sn, s, np);
		if ((lo && (lo->flags & LINE_BUSY)) ||
		    (ln && (ln->flags & LINE_BUSY))) {
			unlock_two(pc, so, sn);
			if (lo && (lo->flags & LINE_BUSY))
				pc_wait_set(pc, so, seq_o);
			else
				pc_wait_set(pc, sn, seq_n);
			continue;
		}
		if (ln) {
			pc_unmap_line_locked(pc, ln);
			pc_free_line_locked(pc, sn, ln);
		}
		dst = lo;
		if (lo && so != sn)
			dst = pc_pick_way_locked(pc, sn, &err);
		if (dst)
			retag_locked(pc, sn, lo, dst, np);
		unlock_two(pc, so, sn);
		if (!lo || dst)
			return;
		if (err == -EBUSY)
			pc_victim_wait_free(pc);
		else
			pc_wait_set(pc, sn, seq_n);
	}
}

int pcache_move_range(struct pcache_space *s, u64 old, u64 new, u64 len)
{
	u64 pages = len >> PCACHE_LINE_SHIFT;
	int ret;

	if (!IS_ALIGNED(old | new | len, PCACHE_LINE_SIZE) ||
	    old + len < old || new + len < new ||
	    (old < new + len && new < old + len)) {
		pcache_move_cancel(s);
		return -EINVAL;
	}
	/* Entries at the new address are older than the node's pages there;
	 * the frozen old range has none (prepare wrote them back). */
	ret = pc_victim_flush_range(s->pc, s, new, new + len, true);
	for (u64 i = 0; i < pages && !ret; i++)
		move_page(s->pc, s, (old >> PCACHE_LINE_SHIFT) + i,
			  (new >> PCACHE_LINE_SHIFT) + i);
	if (!ret)
		ret = pcache_unmap_range(s, old, old + len, true);
	pcache_move_cancel(s);
	return ret;
}
