/* managers/memory/mremap.c — mremap(2).
 *
 * Cases, in Linux's order: shrink (unmap the tail, same address); grow in
 * place when the pages after the VMA are free; otherwise, with
 * MREMAP_MAYMOVE, move to a new top-down area (or to new_addr with
 * MREMAP_FIXED, replacing what was there).  A move takes the pages along:
 * the page-table entries move (pgt_move) and the caller is told with an
 * MM_CHANGE_MOVE so the processor moves its pcache lines, their rmap and
 * PTEs together (LESSONS 4).  MREMAP_DONTUNMAP leaves the old VMA in
 * place, empty.
 *
 * Departures from Linux, both on the side of doing less: old_len == 0
 * (duplicate a shared mapping) is refused with -EINVAL; and all checks run
 * before anything changes, so a failing MREMAP_FIXED no longer destroys
 * the destination first.
 *
 * Locking: mm_mremap takes mm->lock.  Caller: the P2M_MREMAP handler.
 */
#include <kernel/panic.h>
#include "internal.h"

struct mremap_req {
	u64 addr, old_len, new_len, new_addr;
	u32 flags;
	struct vma *v;		/* VMA holding [addr, addr + old_len) */
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
	if (!(f & MREMAP_FIXED))
		return 0;
	if (r->new_addr & PAGE_MASK_LOW)
		return -EINVAL;
	if (r->new_len > MM_TASK_SIZE || r->new_addr > MM_TASK_SIZE -
	    r->new_len)
		return -EINVAL;
	if (r->addr + r->old_len > r->new_addr &&
	    r->new_addr + r->new_len > r->addr)
		return -EINVAL;
	if (r->new_addr < MM_MIN_ADDR)
		return -EPERM;
	return 0;
}

/* The old range must lie inside one VMA. */
static int mremap_find_vma(struct mm_space *mm, struct mremap_req *r)
{
	struct vma *v = vma_find(mm, r->addr);

	if (!v || v->start > r->addr)
		return -EFAULT;
	if (r->old_len > v->end - r->addr)
		return -EFAULT;
	r->v = v;
	return 0;
}

static bool can_grow_in_place(struct mm_space *mm, struct mremap_req *r)
{
	struct vma *n;

	if (r->addr + r->old_len != r->v->end)
		return false;
	if (r->new_len > MM_TASK_SIZE - r->addr)
		return false;
	n = vma_next(r->v);
	return !n || n->start >= r->addr + r->new_len;
}

/* Act step of a move: cannot fail (spares and tables pre-allocated). */
static void mremap_move(struct mm_space *mm, struct mremap_req *r,
			struct vma_spares *s, struct mm_changes *ch)
{
	struct vma *v = r->v, *nv = vma_spare_take(s);
	u64 keep = MIN(r->old_len, r->new_len);

	/* Describe the new VMA before splits may change @v. */
	nv->start = r->new_addr;
	nv->end = r->new_addr + r->new_len;
	nv->prot = v->prot;
	nv->flags = v->flags;
	nv->file = v->file;
	if (v->flags & MM_VMA_FILE)
		nv->off = v->off + (r->addr - v->start);
	if ((r->flags & MREMAP_FIXED) &&
	    !vma_range_free(mm, r->new_addr, r->new_addr + r->new_len)) {
		vma_isolate(mm, r->new_addr, r->new_addr + r->new_len, s);
		vma_unmap_range(mm, r->new_addr, r->new_addr + r->new_len);
		mm_changes_add(ch, MM_CHANGE_UNMAP, r->new_addr,
			       r->new_addr + r->new_len, 0, 0);
	}
	pgt_move(&mm->pgt, r->addr, r->new_addr, keep);
	mm_changes_add(ch, MM_CHANGE_MOVE, r->addr, r->addr + keep,
		       r->new_addr, 0);
	if (!(r->flags & MREMAP_DONTUNMAP)) {
		vma_isolate(mm, r->addr, r->addr + r->old_len, s);
		vma_unmap_range(mm, r->addr, r->addr + r->old_len);
		if (r->old_len > keep)
			mm_changes_add(ch, MM_CHANGE_UNMAP, r->addr + keep,
				       r->addr + r->old_len, 0, 0);
	}
	vma_insert(mm, nv);
	vma_merge_around(mm, r->new_addr, r->new_addr + r->new_len);
	vma_merge_around(mm, r->addr, r->addr + r->old_len);
}

/* Decode step of a move: destination, map count, spares, tables. */
static int mremap_prepare_move(struct mm_space *mm, struct mremap_req *r,
			       struct vma_spares *s)
{
	unsigned int n = 1;
	int err;

	if (!(r->flags & MREMAP_MAYMOVE))
		return -ENOMEM;
	if (mm->nr_vmas + 3 > MM_MAX_MAP_COUNT)
		return -ENOMEM;
	if (!(r->flags & MREMAP_FIXED)) {
		err = mm_get_area(mm, 0, r->new_len, 0, &r->new_addr);
		if (err)
			return err;
	} else {
		n += vma_split_count(mm, r->new_addr, r->new_addr + r->new_len);
	}
	if (!(r->flags & MREMAP_DONTUNMAP))
		n += vma_split_count(mm, r->addr, r->addr + r->old_len);
	err = vma_spares_get(s, n);
	if (err)
		return err;
	err = pgt_prepare(&mm->pgt, r->new_addr, r->new_addr + r->new_len);
	if (err)
		vma_spares_put(s);
	return err;
}

static int __mm_mremap(struct mm_space *mm, struct mremap_req *r,
		       struct mm_changes *ch)
{
	struct vma_spares s = { 0 };
	int err;

	err = mremap_check_flags(r);
	if (!err)
		err = mremap_find_vma(mm, r);
	if (err)
		return err;
	if (!(r->flags & MREMAP_FIXED) && !(r->flags & MREMAP_DONTUNMAP)) {
		if (r->new_len <= r->old_len) {
			r->new_addr = r->addr;
			if (r->new_len == r->old_len)
				return 0;
			return __mm_munmap(mm, r->addr + r->new_len,
					   r->old_len - r->new_len, ch);
		}
		if (can_grow_in_place(mm, r)) {
			r->v->end = r->addr + r->new_len;
			vma_merge_around(mm, r->v->start, r->v->end);
			r->new_addr = r->addr;
			return 0;
		}
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
	struct mremap_req r = { addr, old_len, new_len, new_addr, flags, NULL };
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
