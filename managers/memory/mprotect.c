/* managers/memory/mprotect.c — mprotect(2).
 *
 * Splits the VMAs at the range's ends, sets the new protection and merges
 * again.  When any VMA in the range loses a right, the caller gets an
 * MM_CHANGE_PROTECT for the whole range: the processor must downgrade its
 * PTEs and shoot down TLBs before answering (LESSONS 3).  The memory
 * node's PTE_WRITE bits are left alone: they record that the processor may
 * still hold dirty data written while the page was writable, which it is
 * entitled to flush back.
 *
 * Departures from Linux: a hole in the range gives -ENOMEM with nothing
 * changed (Linux changes the VMAs before the hole); PROT_SEM is accepted
 * and ignored; there are no pkeys; -EACCES for PROT_WRITE on a shared
 * mapping of a file not open for writing (MM_VMA_NOWRITE, Linux's
 * VM_MAYWRITE) changes nothing either (Linux changes the VMAs before).
 *
 * Locking: mm_mprotect takes mm->lock.  Caller: the P2M_MPROTECT handler.
 */
#include "internal.h"

#define PROT_ALLOWED	(PROT_READ | PROT_WRITE | PROT_EXEC | PROT_SEM | \
			 PROT_GROWSDOWN | PROT_GROWSUP)

static int mprotect_check(struct mm_space *mm, u64 *start, u64 *len,
			  u32 prot)
{
	struct vma *v;
	u64 end;

	if (*start & PAGE_MASK_LOW)
		return -EINVAL;
	if (prot & ~PROT_ALLOWED)
		return -EINVAL;
	if ((prot & PROT_GROWSDOWN) && (prot & PROT_GROWSUP))
		return -EINVAL;
	*len = ALIGN_UP(*len, MM_PAGE_SIZE);
	end = *start + *len;
	if (end <= *start)
		return -ENOMEM;
	v = vma_find(mm, *start);
	if (!v)
		return -ENOMEM;
	if (prot & PROT_GROWSDOWN) {
		if (v->start >= end)
			return -ENOMEM;
		if (!(v->flags & MM_VMA_GROWSDOWN))
			return -EINVAL;
		*len = end - v->start;
		*start = v->start;
	} else if (prot & PROT_GROWSUP) {
		return -EINVAL;		/* x86 has no GROWSUP VMAs */
	}
	if (!vma_range_mapped(mm, *start, *start + *len))
		return -ENOMEM;
	for (v = vma_find(mm, *start); (prot & PROT_WRITE) && v &&
	     v->start < *start + *len; v = vma_next(v))
		if (v->flags & MM_VMA_NOWRITE)
			return -EACCES;
	if (mm->nr_vmas + vma_split_count(mm, *start, *start + *len) >
	    MM_MAX_MAP_COUNT)
		return -ENOMEM;
	return 0;
}

static int __mm_mprotect(struct mm_space *mm, u64 start, u64 len, u32 prot,
			 struct mm_changes *ch)
{
	struct vma_spares s = { 0 };
	bool narrowed = false;
	struct vma *v;
	u64 end;
	int err;

	if (!len && !(start & PAGE_MASK_LOW))
		return 0;
	err = mprotect_check(mm, &start, &len, prot);
	if (err)
		return err;
	end = start + len;
	prot &= VMA_PROT_MASK;
	err = vma_spares_get(&s, vma_split_count(mm, start, end));
	if (err)
		return err;
	vma_isolate(mm, start, end, &s);
	for (v = vma_find(mm, start); v && v->start < end; v = vma_next(v)) {
		if (v->prot & ~prot)
			narrowed = true;
		v->prot = prot;
	}
	vma_merge_around(mm, start, end);
	if (narrowed)
		mm_changes_add(ch, MM_CHANGE_PROTECT, start, end, 0, prot);
	vma_spares_put(&s);
	return 0;
}

int mm_mprotect(struct mm_space *mm, u64 addr, u64 len, u32 prot,
		struct mm_changes *ch)
{
	int err;

	if (ch)
		ch->nr = 0;
	mutex_lock(&mm->lock);
	err = __mm_mprotect(mm, addr, len, prot, ch);
	mutex_unlock(&mm->lock);
	return err;
}
