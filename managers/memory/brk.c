/* managers/memory/brk.c — brk(2).
 *
 * The heap is [start_brk, brk): start_brk is set once by the loader (the
 * page after the highest segment), brk moves byte-granular as user code
 * asks, and the VMA behind it covers [start_brk, PAGE_ALIGN(brk)) as an
 * anonymous private read-write mapping (merged with neighbours like any
 * other).  Like Linux, brk() never fails visibly: it returns the break in
 * force after the call, the old one if the request was refused — below
 * start_brk, into another mapping (keeping one page, plus the guard gap of
 * a stack, free above the heap), beyond the user address space, or out of
 * memory.  Shrinking unmaps the freed pages (MM_CHANGE_UNMAP).
 *
 * Locking: mm_brk and mm_set_brk take mm->lock.  Callers: the P2M_BRK
 * handler, the loader.
 */
#include "internal.h"

static bool brk_grow_ok(struct mm_space *mm, u64 olda, u64 newa)
{
	struct vma *next;

	if (newa > MM_TASK_SIZE - MM_PAGE_SIZE)
		return false;
	if (mm->nr_vmas + 1 > MM_MAX_MAP_COUNT)
		return false;
	next = vma_find(mm, olda);
	return !next || newa + MM_PAGE_SIZE <= vma_gap_start(next);
}

static u64 __mm_brk(struct mm_space *mm, u64 req, struct mm_changes *ch)
{
	u64 old = mm->brk, olda = ALIGN_UP(old, MM_PAGE_SIZE), newa;
	struct vma_spares s = { 0 };
	struct vma *v;

	if (!mm->start_brk || req < mm->start_brk || req > MM_TASK_SIZE)
		return old;
	newa = ALIGN_UP(req, MM_PAGE_SIZE);
	if (newa < olda) {
		if (__mm_munmap(mm, newa, olda - newa, ch))
			return old;
	} else if (newa > olda) {
		if (!brk_grow_ok(mm, olda, newa) || vma_spares_get(&s, 1))
			return old;
		v = vma_spare_take(&s);
		v->start = olda;
		v->end = newa;
		v->prot = PROT_READ | PROT_WRITE;
		vma_insert(mm, v);
		vma_merge_around(mm, olda, newa);
	}
	mm->brk = req;
	return req;
}

u64 mm_brk(struct mm_space *mm, u64 brk, struct mm_changes *ch)
{
	u64 ret;

	if (ch)
		ch->nr = 0;
	mutex_lock(&mm->lock);
	ret = __mm_brk(mm, brk, ch);
	mutex_unlock(&mm->lock);
	return ret;
}

void mm_set_brk(struct mm_space *mm, u64 start_brk)
{
	mutex_lock(&mm->lock);
	mm->start_brk = ALIGN_UP(start_brk, MM_PAGE_SIZE);
	mm->brk = mm->start_brk;
	mutex_unlock(&mm->lock);
}
