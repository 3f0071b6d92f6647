/* managers/memory/mremap.c — mremap(2), with the semantics of Linux 6.18
 * (checked against the host kernel by tests/host/test_mm_linux.c).
 *
 * A VMA must contain @addr (else -EFAULT).  Then:
 *  - no MREMAP_FIXED: shrinking unmaps [addr + new_len, addr + old_len)
 *    (holes and several VMAs allowed there); the same length is a no-op;
 *    growing needs [addr, addr + old_len) inside one VMA (-EFAULT) and
 *    grows in place when the pages after the VMA are free, or moves to a
 *    new top-down area with MREMAP_MAYMOVE (else -ENOMEM);
 *  - MREMAP_FIXED: a shrink first drops the tail, then the range moves to
 *    new_addr, replacing what was there; a move of unchanged length may
 *    span several VMAs and holes (each VMA keeps its offset in the range),
 *    a shrinking or growing move needs what it keeps inside one VMA.
 * MREMAP_DONTUNMAP moves (same length, one VMA) and leaves the old VMA in
 * place, empty.  A move takes the pages along: the page-table entries move
 * (pgt_move) and the caller gets an MM_CHANGE_MOVE so the processor moves
 * its pcache lines, their rmap and PTEs together (LESSONS 4).
 *
 * Departures from Linux, on the side of doing less: old_len == 0
 * (duplicate a shared mapping) is refused with -EINVAL; every check runs
 * before anything changes, so a failing call never half-happens.
 *
 * Locking: mm_mremap takes mm->lock.  Caller: the P2M_MREMAP handler.
 */
#include <kernel/panic.h>
#include "internal.h"

struct mremap_req {
	u64 addr, old_len, new_len, new_addr;
	u32 flags;
	u64 tail;		/* MREMAP_FIXED shrink: bytes dropped at the end */
};

static int mremap_check_flags(struct mremap_req *r)
{
	u32 f = r->flags;

	if (f & ~(MREMAP_MAYMOVE | MREMAP_FIXED | MREMAP_DONTUNMAP))
		return -EINVAL;
	if ((f & MREMAP_FIXED) && !(f & MREMAP_MAYMOVE))
		return -EINVAL;
	if ((f & MREMAP_DONTUNMAP) &&
	    (!(f & MREMAP_MAYMOVE) || r->old_len != r->new_len))
		return -EINVAL;
	if (r->addr & PAGE_MASK_LOW)
		return -EINVAL;
	r->old_len = ALIGN_UP(r->old_len, MM_PAGE_SIZE);
	r->new_len = ALIGN_UP(r->new_len, MM_PAGE_SIZE);
	if (!r->new_len || !r->old_len)
		return -EINVAL;
	if (r->old_len > MM_TASK_SIZE || r->addr > MM_TASK_SIZE - r->old_len)
		return -EFAULT;
	if (!(f & MREMAP_FIXED))
		return 0;
	if (r->new_addr & PAGE_MASK_LOW)
		return -EINVAL;
	if (r->new_len > MM_TASK_SIZE ||
	    r->new_addr > MM_TASK_SIZE - r->new_len)
		return -EINVAL;
	if (r->addr + r->old_len > r->new_addr &&
	    r->new_addr + r->new_len > r->addr)
		return -EINVAL;
	if (r->new_addr < MM_MIN_ADDR)
		return -EPERM;
	return 0;
}

/* [addr, addr + len) lies inside the single VMA @v. */
static bool in_one_vma(const struct vma *v, u64 addr, u64 len)
{
	return len <= v->end - addr;
}

static bool can_grow_in_place(struct mm_space *mm, struct vma *v,
			      struct mremap_req *r)
{
	struct vma *n;

	if (r->addr + r->old_len != v->end)
		return false;
	if (r->new_len > MM_TASK_SIZE - r->addr)
		return false;
	n = vma_next(v);
	return !n || n->start >= r->addr + r->new_len;
}

/* Where source piece [from, to) of VMA-covered memory lands. */
static void dest_of(const struct mremap_req *r, u64 from, u64 to, u64 *ds,
		    u64 *de)
{
	*ds = r->new_addr + (from - r->addr);
	*de = r->old_len == r->new_len ? r->new_addr + (to - r->addr)
				       : r->new_addr + r->new_len;
}

/* New VMAs for every piece of [addr, addr + old_len), at new_addr, onto
 * the list @made.  A growing move has one piece, which takes the whole
 * new length. */
static void mremap_new_vmas(struct mm_space *mm, struct mremap_req *r,
			    struct vma_spares *s, struct vma_spares *made)
{
	u64 end = r->addr + r->old_len;
	struct vma *v;

	for (v = vma_find(mm, r->addr); v && v->start < end; v = vma_next(v)) {
		struct vma *nv = vma_spare_take(s);
		u64 from = MAX(v->start, r->addr), to = MIN(v->end, end);

		dest_of(r, from, to, &nv->start, &nv->end);
		nv->prot = v->prot;
		nv->flags = v->flags;
		nv->file = v->file;
		if (vma_has_object(v))
			nv->off = v->off + (from - v->start);
		vma_file_hold(mm, nv);
		nv->rb.left = made->head ? &made->head->rb : NULL;
		made->head = nv;
		made->nr++;
	}
}

/* Act step of a move: cannot fail (spares and tables pre-allocated).  Like
 * Linux, only the destination pieces that receive a VMA are replaced. */
static void mremap_move(struct mm_space *mm, struct mremap_req *r,
			struct vma_spares *s, struct mm_changes *ch)
{
	u64 tail_at = r->addr + r->old_len, keep = r->old_len;
	struct vma_spares made = { 0 };
	struct vma *nv;

	if (r->tail) {
		vma_isolate(mm, tail_at, tail_at + r->tail, s);
		vma_unmap_range(mm, tail_at, tail_at + r->tail);
		mm_changes_add(ch, MM_CHANGE_UNMAP, tail_at, tail_at + r->tail,
			       0, 0);
	}
	mremap_new_vmas(mm, r, s, &made);
	for (nv = made.head; nv;
	     nv = rb_entry_safe(nv->rb.left, struct vma, rb)) {
		if (vma_range_free(mm, nv->start, nv->end))
			continue;
		vma_isolate(mm, nv->start, nv->end, s);
		vma_unmap_range(mm, nv->start, nv->end);
		mm_changes_add(ch, MM_CHANGE_UNMAP, nv->start, nv->end, 0, 0);
	}
	pgt_move(&mm->pgt, r->addr, r->new_addr, keep);
	mm_changes_add(ch, MM_CHANGE_MOVE, r->addr, r->addr + keep,
		       r->new_addr, 0);
	if (!(r->flags & MREMAP_DONTUNMAP)) {
		vma_isolate(mm, r->addr, r->addr + keep, s);
		vma_unmap_range(mm, r->addr, r->addr + keep);
	}
	while (made.head)
		vma_insert(mm, vma_spare_take(&made));
	vma_merge_around(mm, r->new_addr, r->new_addr + r->new_len);
	vma_merge_around(mm, r->addr, r->addr + keep);
}

/* Count what a move needs: new VMAs (*@nvmas), splits of the destination
 * pieces (*@splits) and change records (*@changes). */
static void mremap_count(struct mm_space *mm, const struct mremap_req *r,
			 unsigned int *nvmas, unsigned int *splits,
			 unsigned int *changes)
{
	u64 end = r->addr + r->old_len, ds, de;
	struct vma *v;

	*nvmas = *splits = 0;
	*changes = 1 + (r->tail ? 1 : 0);
	for (v = vma_find(mm, r->addr); v && v->start < end; v = vma_next(v)) {
		dest_of(r, MAX(v->start, r->addr), MIN(v->end, end), &ds, &de);
		(*nvmas)++;
		if (!(r->flags & MREMAP_FIXED) || vma_range_free(mm, ds, de))
			continue;
		*splits += vma_split_count(mm, ds, de);
		(*changes)++;
	}
}

/* Decode step of a move: destination, limits, spares, tables. */
static int mremap_prepare_move(struct mm_space *mm, struct mremap_req *r,
			       struct vma_spares *s)
{
	unsigned int nvmas, splits, changes;
	int err;

	if (!(r->flags & MREMAP_MAYMOVE))
		return -ENOMEM;
	if (!(r->flags & MREMAP_FIXED)) {
		err = mm_get_area(mm, 0, r->new_len, 0, &r->new_addr);
		if (err)
			return err;
	}
	mremap_count(mm, r, &nvmas, &splits, &changes);
	if (changes > MM_CHANGES_MAX)
		return -ENOMEM;		/* a Tessera limit, see mm_space.h */
	if (mm->nr_vmas + nvmas + splits + 3 > MM_MAX_MAP_COUNT)
		return -ENOMEM;
	splits += vma_split_count(mm, r->addr,
				  r->addr + r->old_len + r->tail) + 1;
	err = vma_spares_get(s, nvmas + splits);
	if (err)
		return err;
	err = pgt_prepare(&mm->pgt, r->new_addr, r->new_addr + r->new_len);
	if (err)
		vma_spares_put(s);
	return err;
}

/* The cases that do not move; returns 1 if the call must move. */
static int mremap_in_place(struct mm_space *mm, struct vma *v,
			   struct mremap_req *r, struct mm_changes *ch)
{
	r->new_addr = r->addr;
	if (r->new_len < r->old_len)
		return __mm_munmap(mm, r->addr + r->new_len,
				   r->old_len - r->new_len, ch);
	if (r->new_len == r->old_len)
		return 0;
	if (!in_one_vma(v, r->addr, r->old_len))
		return -EFAULT;
	if (!can_grow_in_place(mm, v, r))
		return 1;
	v->end = r->addr + r->new_len;
	vma_merge_around(mm, v->start, v->end);
	return 0;
}

static int __mm_mremap(struct mm_space *mm, struct mremap_req *r,
		       struct mm_changes *ch)
{
	struct vma_spares s = { 0 };
	struct vma *v;
	int err;

	err = mremap_check_flags(r);
	if (err)
		return err;
	v = vma_find(mm, r->addr);
	if (!v || v->start > r->addr)
		return -EFAULT;
	if (r->flags & MREMAP_FIXED) {
		bool pure = r->old_len == r->new_len;

		if (r->old_len > r->new_len) {
			r->tail = r->old_len - r->new_len;
			r->old_len = r->new_len;
		}
		if (!pure && !in_one_vma(v, r->addr, r->old_len))
			return -EFAULT;
	} else if (r->flags & MREMAP_DONTUNMAP) {
		if (!in_one_vma(v, r->addr, r->old_len))
			return -EFAULT;
	} else {
		err = mremap_in_place(mm, v, r, ch);
		if (err <= 0)
			return err;
	}
	err = mremap_prepare_move(mm, r, &s);
	if (err)
		return err;
	mremap_move(mm, r, &s, ch);
	vma_spares_put(&s);
	return 0;
}

int mm_mremap(struct mm_space *mm, u64 addr, u64 old_len, u64 new_len,
	      u32 flags, u64 new_addr, u64 *addr_out, struct mm_changes *ch)
{
	struct mremap_req r = { addr, old_len, new_len, new_addr, flags, 0 };
	int err;

	if (ch)
		ch->nr = 0;
	mutex_lock(&mm->lock);
	err = __mm_mremap(mm, &r, ch);
	mutex_unlock(&mm->lock);
	if (!err)
		*addr_out = r.new_addr;
	return err;
}
