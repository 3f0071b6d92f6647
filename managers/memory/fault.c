/* managers/memory/fault.c — the page-fault service and kernel access to
 * user memory.
 *
 * mm_fault() answers a processor's PCACHE_MISS: find the VMA (growing a
 * GROWSDOWN stack VMA downwards when the address is just below it, within
 * MM_STACK_LIMIT and keeping MM_STACK_GUARD_GAP above the previous VMA),
 * check the access against the VMA's protection, then make the page
 * present: a zeroed page for anonymous memory, the page cache's page for
 * file mappings (filemap.c: copy-on-write when private).  A write to a
 * COW page copies it unless this space holds the only reference.  The page is shipped writable when the
 * VMA allows writing and the page is not COW; PTE_WRITE records that, so
 * mm_flush() accepts dirty data back only for such pages.
 *
 * mm_write()/mm_zero()/mm_read() are the loader's and tests' access to user memory:
 * protections ignored, pages faulted in as a write (COW broken) or read.
 *
 * Locking: the public functions take mm->lock and hold it across the copy
 * of the page, so the page cannot be freed under them.  Callers: the
 * PCACHE_MISS/ZEROFILL/FLUSH handlers, loader/exec.c.
 */
#include <lib/string.h>
#include <mm/mm.h>
#include "internal.h"

/* Grow stack VMA @v down to cover @va.  0 or -EFAULT. */
static int expand_stack(struct mm_space *mm, struct vma *v, u64 va)
{
	u64 new_start = ALIGN_DOWN(va, MM_PAGE_SIZE);
	struct vma *prev = vma_prev(v);

	if (v->flags & MM_VMA_FILE)
		return -EFAULT;
	if (new_start < MM_MIN_ADDR || v->end - new_start > MM_STACK_LIMIT)
		return -EFAULT;
	if (prev && (prev->end > new_start ||
		     new_start - prev->end < MM_STACK_GUARD_GAP))
		return -EFAULT;
	v->start = new_start;	/* keys keep their order: no overlap */
	return 0;
}

static int fault_vma(struct mm_space *mm, u64 va, struct vma **vp)
{
	struct vma *v = vma_find(mm, va);

	if (!v || va >= MM_TASK_SIZE)
		return -EFAULT;
	if (v->start > va) {
		if (!(v->flags & MM_VMA_GROWSDOWN))
			return -EFAULT;
		if (expand_stack(mm, v, va))
			return -EFAULT;
	}
	*vp = v;
	return 0;
}

/* A zeroed page for anonymous memory in *@pte. */
static int zero_page(u64 *pte)
{
	struct mm_page *p = mm_page_alloc();

	if (!p)
		return -ENOMEM;
	memset(p->data, 0, MM_PAGE_SIZE);
	*pte = (u64)(uintptr_t)p | PTE_PRESENT;
	return 0;
}

/* Give this space its own copy of the COW page at *@pte. */
static int break_cow(u64 *pte)
{
	struct mm_page *old = pte_page(*pte), *n;

	if (mm_page_refs(old) == 1) {
		*pte &= ~PTE_COW;
		return 0;
	}
	n = mm_page_alloc();
	if (!n)
		return -ENOMEM;
	memcpy(n->data, old->data, MM_PAGE_SIZE);
	*pte = (u64)(uintptr_t)n | PTE_PRESENT | (*pte & PTE_DIRTY);
	mm_page_put(old);
	return 0;
}

/* Make the page at @va (inside @v) present, and private if @write.
 * Returns its entry through @ptep.  mm->lock held. */
static int fault_in(struct mm_space *mm, struct vma *v, u64 va, bool write,
		    u64 **ptep)
{
	u64 *pte = pgt_walk(&mm->pgt, va, true);
	int err;

	if (!pte)
		return -ENOMEM;
	if (!(*pte & PTE_PRESENT)) {
		/* File pages: the page cache's, COW if private (filemap.c). */
		err = (v->flags & MM_VMA_FILE) ? filemap_fault(mm, v, va, pte)
					       : zero_page(pte);
		if (err)
			return err;
		mm->pgt.rss++;
	}
	if ((*pte & PTE_COW) && (write || mm_page_refs(pte_page(*pte)) == 1)) {
		err = break_cow(pte);
		if (err)
			return err;
	}
	if (write)
		*pte |= PTE_DIRTY;
	*ptep = pte;
	return 0;
}

int __mm_fault_page(struct mm_space *mm, struct vma *v, u64 va, bool write,
		    struct mm_page **page)
{
	u64 *pte;
	int err = fault_in(mm, v, va, write, &pte);

	if (!err)
		*page = pte_page(*pte);
	return err;
}

int mm_fault(struct mm_space *mm, u64 va, u32 flags, void *buf,
	     bool *writable)
{
	bool write = flags & MM_FAULT_WRITE;
	struct vma *v;
	u64 *pte;
	int err;

	mutex_lock(&mm->lock);
	err = fault_vma(mm, va, &v);
	if (!err && (!(v->prot & VMA_PROT_MASK) ||
		     (write && !(v->prot & PROT_WRITE))))
		err = -EACCES;
	if (!err)
		err = fault_in(mm, v, va, write, &pte);
	if (!err) {
		*writable = (v->prot & PROT_WRITE) && !(*pte & PTE_COW);
		if (*writable)
			*pte |= PTE_WRITE;
		if (buf)
			memcpy(buf, pte_page(*pte)->data, MM_PAGE_SIZE);
	}
	mutex_unlock(&mm->lock);
	return err;
}

int mm_flush(struct mm_space *mm, u64 va, const void *data)
{
	u64 *pte;
	int err = -EFAULT;

	mutex_lock(&mm->lock);
	pte = pgt_walk(&mm->pgt, ALIGN_DOWN(va, MM_PAGE_SIZE), false);
	if (pte && (*pte & PTE_PRESENT) && (*pte & PTE_WRITE)) {
		memcpy(pte_page(*pte)->data, data, MM_PAGE_SIZE);
		*pte |= PTE_DIRTY;
		err = 0;
	}
	mutex_unlock(&mm->lock);
	return err;
}

/* Copy between @buf and user memory; @to_user picks the direction; a
 * NULL @buf with @to_user writes zeroes. */
static int mm_access(struct mm_space *mm, u64 va, void *buf, u64 len,
		     bool to_user)
{
	int err = 0;

	mutex_lock(&mm->lock);
	while (len && !err) {
		u64 off = va & PAGE_MASK_LOW, n = MIN(len, MM_PAGE_SIZE - off);
		struct mm_page *p;
		struct vma *v;

		err = fault_vma(mm, va, &v);
		if (!err)
			err = __mm_fault_page(mm, v, va, to_user, &p);
		if (err)
			break;
		if (to_user && !buf)
			memset((char *)p->data + off, 0, n);
		else if (to_user)
			memcpy((char *)p->data + off, buf, n);
		else
			memcpy(buf, (char *)p->data + off, n);
		va += n;
		if (buf)
			buf = (char *)buf + n;
		len -= n;
	}
	mutex_unlock(&mm->lock);
	return err;
}

int mm_write(struct mm_space *mm, u64 va, const void *data, u64 len)
{
	return mm_access(mm, va, (void *)data, len, true);
}

int mm_read(struct mm_space *mm, u64 va, void *data, u64 len)
{
	return mm_access(mm, va, data, len, false);
}

int mm_zero(struct mm_space *mm, u64 va, u64 len)
{
	return mm_access(mm, va, NULL, len, true);
}
