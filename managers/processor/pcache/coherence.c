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
 * shootdown (ops->tlb_flush) before the function returns (LESSONS 3).
 *
 * One shootdown per range, not per line: a range walk first narrows the
 * PTEs of every line of the range (strip pass: cleared, or write-protected,
 * rmaps dropped with cleared PTEs), then shoots the whole span down once,
 * then applies the operation.  A line whose PTEs were stripped is still
 * VALID with the same tag and data until the apply pass, so a stale TLB
 * entry in between reaches the right data; no line is freed, evicted or
 * written back before the shootdown that covers it.  A PTE that a racing
 * fault re-installs in between is narrowed again by the apply pass with a
 * shootdown of its own (pc_unmap_line_locked, pc_protect_line_locked).
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
 * mremap (caller's sequence in the header): pcache_move_begin fences
 * write-backs of the old range's victim entries (victim.c) so that none
 * lands at the old address after the memory node moved its pages; after
 * P2M_MREMAP, pcache_move_range strips the old range's PTEs (one
 * shootdown), re-tags its READY victim entries to the new pages, and moves
 * its lines page by page under both set locks (lower index first): the
 * line is re-tagged in place (same set) or its data page is swapped into
 * a way of the new set (a way the policy frees, a dirty one going to the
 * victim cache); flags (DIRTY included), and rmap move with it; the PTEs
 * at the new address come back on the first access (a hit: no network).
 * Entries evicted from the old range meanwhile are re-tagged at the end;
 * pcache_move_end lifts the fence.  Nothing is written back or fetched
 * again: the dirty data keeps living in the pcache at its new address.
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

/* The uva span whose PTEs a strip pass narrowed. */
struct span {
	u64 lo, hi;		/* hi exclusive; lo >= hi: nothing */
};

static void span_add(struct span *sp, u64 uva)
{
	sp->lo = MIN(sp->lo, uva);
	sp->hi = MAX(sp->hi, uva + PCACHE_LINE_SIZE);
}

/* Clear every PTE of @l without a shootdown (the caller's covers it). */
static void strip_unmap_locked(struct pcache *pc, struct pcache_line *l,
			       struct span *sp)
{
	struct pcache_rmap *r, *next;

	for (r = l->rmap; r; r = next) {
		next = r->next;
		pc->ops->clear_pte(l->space, r->uva, r->pte);
		span_add(sp, r->uva);
		kfree(r);
		BUG_ON(l->mapcount == 0);
		l->mapcount--;
	}
	l->rmap = NULL;
}

static void strip_protect_locked(struct pcache *pc, struct pcache_line *l,
				 struct span *sp)
{
	struct pcache_rmap *r;

	for (r = l->rmap; r; r = r->next) {
		if (!r->writable)
			continue;
		pc->ops->protect_pte(l->space, r->uva, r->pte);
		r->writable = false;
		span_add(sp, r->uva);
	}
}

/* What the apply pass will do to a line's PTEs: 2 clear, 1 write-protect,
 * 0 nothing. */
static int strip_kind(const struct range *r, const struct pcache_line *l)
{
	switch (r->op) {
	case OP_DROP:
	case OP_EVICT:
		return 2;
	case OP_PROTECT:
		if (!(r->prot & PCACHE_PROT_READ))
			return 2;
		return (r->prot & PCACHE_PROT_WRITE) ? 0 : 1;
	case OP_CLEAN:
		return (l->flags & LINE_DIRTY) ? 1 : 0;
	}
	return 0;
}

static void strip_set(struct pcache *pc, struct pcache_set *set,
		      const struct range *r, struct span *sp)
{
	struct pcache_line *l;

	spin_lock(&set->lock);
	list_for_each_entry(l, &set->order, order) {
		int kind;

		if (!l->rmap || !line_in(l, r) || (l->flags & LINE_BUSY))
			continue;
		kind = strip_kind(r, l);
		if (kind == 2)
			strip_unmap_locked(pc, l, sp);
		else if (kind == 1)
			strip_protect_locked(pc, l, sp);
	}
	spin_unlock(&set->lock);
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

/* The strip pass over the sets of @r, then one shootdown for its span. */
static void strip_range(struct pcache *pc, const struct range *r)
{
	u64 first = r->start >> PCACHE_LINE_SHIFT;
	u64 pages = (r->end - r->start) >> PCACHE_LINE_SHIFT;
	struct span sp = { ~0ull, 0 };

	if (pages < pc->nr_sets) {
		for (u64 p = first; p < first + pages; p++)
			strip_set(pc, pc_set_of(pc, p), r, &sp);
	} else {
		for (unsigned int i = 0; i < pc->nr_sets; i++)
			strip_set(pc, &pc->sets[i], r, &sp);
	}
	if (sp.lo < sp.hi)
		pc->ops->tlb_flush(r->s, sp.lo, sp.hi);
}

static int walk_range(struct pcache *pc, const struct range *r)
{
	u64 first = r->start >> PCACHE_LINE_SHIFT;
	u64 pages = (r->end - r->start) >> PCACHE_LINE_SHIFT;
	int ret;

	strip_range(pc, r);
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

/* One mremap in progress (pcache_move_range). */
struct move {
	struct pcache_space *s;
	u64 old, new, len;	/* bytes, page aligned */
};

/* Re-tag every READY victim entry of the old range to its new page.  A
 * line at the new page (a racer fetched the memory node's copy, older
 * than the entry) is dropped first. */
static void retag_victims(struct pcache *pc, const struct move *mv)
{
	u64 page;

	while (pc_victim_first_ready(pc, mv->s, mv->old, mv->old + mv->len,
				     &page)) {
		/* new + (uva - old): the move may go down */
		u64 np = ((page << PCACHE_LINE_SHIFT) - mv->old + mv->new) >>
			 PCACHE_LINE_SHIFT;
		struct pcache_set *sn = pc_set_of(pc, np);
		struct pcache_line *ln;
		u32 seq;
		int ret;

		spin_lock(&sn->lock);
		seq = sn->seq;
		ln = pc_lookup_locked(sn, mv->s, np);
		if (ln && (ln->flags & LINE_BUSY)) {
			pc_set_unlock_wake(pc, sn);
			pc_wait_set(pc, sn, seq);
			continue;
		}
		if (ln) {
			pc_unmap_line_locked(pc, ln);
			pc_free_line_locked(pc, sn, ln);
		}
		ret = pc_victim_retag(pc, mv->s, page, np, &seq);
		pc_set_unlock_wake(pc, sn);
		if (ret == 1)
			pc_count(pc, moved_victims);
		else if (ret == -EAGAIN)
			pc_victim_wait(pc, seq);
	}
}

/* Move the line of (s, op), if any, to (s, np), replacing what np held;
 * without a line at op, np's line (moved already, or fetched after the
 * memory node moved) is left alone. */
static void move_page(struct pcache *pc, const struct move *mv, u64 op,
		      u64 np)
{
	struct pcache_set *so = pc_set_of(pc, op), *sn = pc_set_of(pc, np);
	struct pcache_space *s = mv->s;

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
			bool old_busy = lo && (lo->flags & LINE_BUSY);

			unlock_two(pc, so, sn);
			if (old_busy) {
				/* its filler may wait for a fenced entry */
				retag_victims(pc, mv);
				pc_wait_set(pc, so, seq_o);
			} else {
				pc_wait_set(pc, sn, seq_n);
			}
			continue;
		}
		if (lo && ln) {	/* a racer's fetch of the moved page: older */
			pc_unmap_line_locked(pc, ln);
			pc_free_line_locked(pc, sn, ln);
		}
		dst = lo;
		if (lo && so != sn)
			dst = pc_pick_way_locked(pc, sn, &err);
		if (dst)
			retag_locked(pc, sn, lo, dst, np);
		unlock_two(pc, so, sn);
		if (dst)
			pc_count(pc, moved_lines);
		if (!lo || dst)
			return;
		if (err == -EBUSY) {
			/* The victim cache may be full of this range's
			 * fenced entries: re-tagged, they can be written
			 * back to their new pages. */
			retag_victims(pc, mv);
			pc_victim_wait_free(pc);
		} else {
			pc_wait_set(pc, sn, seq_n);
		}
	}
}

static bool bad_move(u64 old, u64 new, u64 len)
{
	return !IS_ALIGNED(old | new | len, PCACHE_LINE_SIZE) ||
	       old + len < old || new + len < new ||
	       (old < new + len && new < old + len);
}

int pcache_move_begin(struct pcache_space *s, u64 old, u64 len)
{
	if (bad_range(old, old + len) || old + len < old)
		return -EINVAL;
	return pc_victim_fence(s->pc, s, old, old + len);
}

void pcache_move_end(struct pcache_space *s, u64 old, u64 len)
{
	pc_victim_unfence(s->pc, s, old, old + len);
}

int pcache_move_range(struct pcache_space *s, u64 old, u64 new, u64 len)
{
	struct pcache *pc = s->pc;
	struct move mv = { s, old, new, len };
	struct range r = { s, old, old + len, OP_DROP, 0 };
	u64 pages = len >> PCACHE_LINE_SHIFT;
	int ret;

	if (bad_move(old, new, len))
		return -EINVAL;
	ret = pc_victim_flush_range(pc, s, new, new + len, true);
	if (ret)
		return ret;
	strip_range(pc, &r);		/* one shootdown for the old PTEs */
	retag_victims(pc, &mv);
	for (u64 i = 0; i < pages; i++)
		move_page(pc, &mv, (old >> PCACHE_LINE_SHIFT) + i,
				   (new >> PCACHE_LINE_SHIFT) + i);
	/* Lines of the old range evicted during the walk.  No line can
	 * appear at an old address any more: a miss there waits for a
	 * fenced entry, then the memory node says the page moved. */
	retag_victims(pc, &mv);
	return 0;
}
