/* managers/memory/fault.c — the page-fault service and kernel access to
 * user memory.
 *
 * mm_fault() answers a processor's PCACHE_MISS: find the VMA (growing a
 * GROWSDOWN stack VMA downwards when the address is just below it, within
 * MM_STACK_LIMIT and keeping MM_STACK_GUARD_GAP above the previous VMA),
 * check the access against the VMA's protection, then make the page
 * present: a zeroed page for anonymous memory, a page filled by the file
 * callback for file mappings.  A write to a COW page copies it unless this
 * space holds the only reference.  The page is shipped writable when the
 * VMA allows writing and the page is not COW; PTE_WRITE records that, so
 * mm_flush() accepts dirty data back only for such pages.
 *
 * mm_write()/mm_zero()/mm_read() are the loader's and tests' access to user memory:
 * protections ignored, pages faulted in as a write (COW broken) or read.
 *
 * Locking: mm_fault, mm_flush and mm_read/write/zero take mm->lock.
 * Page-table changes made by a fault (tables, a new page, COW broken,
 * PTE flags) are also made under mm->pt_lock, a spinlock, so that the
 * _shared variants may run at once on one space: they take no mm->lock
 * and rely on their caller to exclude every VMA change meanwhile (the
 * P2M service's per-process lock held shared; VMA changes hold it
 * exclusive).  Under pt_lock nothing sleeps: a file page is read before
 * it is taken (and dropped if another fault made the page present
 * first), and the page is copied out after it is dropped, holding a
 * reference so the page cannot be freed under the copy.  A _shared fault
 * that would grow a stack VMA returns -EAGAIN (the caller retries with
 * mm_fault, VMA changes excluded).  Callers: the PCACHE_MISS/ZEROFILL/
 * FLUSH/UPGRADE handlers, loader/exec.c.
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

static int fill_page(struct mm_space *mm, struct vma *v, u64 va,
		     struct mm_page *p)
{
	if (!(v->flags & MM_VMA_FILE)) {
		memset(p->data, 0, MM_PAGE_SIZE);
		return 0;
	}
	return mm->fops->read_page(mm->fctx, v->file,
				   v->off + (ALIGN_DOWN(va, MM_PAGE_SIZE) -
					     v->start), p->data);
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
 * Returns its entry through @ptep.  @filled, if not NULL, is a page
 * already filled for @va (a file page read with no lock held): it is
 * used, and *@filled cleared, if the entry is still empty.  mm->lock or
 * pt_lock held (see mm_fault_shared). */
static int fault_in(struct mm_space *mm, struct vma *v, u64 va, bool write,
		    u64 **ptep, struct mm_page **filled)
{
	u64 *pte = pgt_walk(&mm->pgt, va, true);
	int err;

	if (!pte)
		return -ENOMEM;
	if (!(*pte & PTE_PRESENT)) {
		struct mm_page *p = filled ? *filled : NULL;

		if (p) {
			*filled = NULL;
		} else {
			p = mm_page_alloc();
			if (!p)
				return -ENOMEM;
			err = fill_page(mm, v, va, p);
			if (err) {
				mm_page_put(p);
				return err;
			}
		}
		*pte = (u64)(uintptr_t)p | PTE_PRESENT;
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
	int err = fault_in(mm, v, va, write, &pte, NULL);

	if (!err)
		*page = pte_page(*pte);
	return err;
}

static int check_access(const struct vma *v, bool write)
{
	if (!(v->prot & VMA_PROT_MASK) || (write && !(v->prot & PROT_WRITE)))
		return -EACCES;
	return 0;
}

/* The page is present: record and return whether it goes out writable,
 * and take a reference for the copy made after the lock is dropped. */
static struct mm_page *give_out(const struct vma *v, u64 *pte,
				bool *writable, bool copy)
{
	*writable = (v->prot & PROT_WRITE) && !(*pte & PTE_COW);
	if (*writable)
		*pte |= PTE_WRITE;
	if (!copy)
		return NULL;
	mm_page_get(pte_page(*pte));
	return pte_page(*pte);
}

static void copy_out(struct mm_page *p, void *buf)
{
	if (p) {
		memcpy(buf, p->data, MM_PAGE_SIZE);
		mm_page_put(p);
	}
}

static int prefill(struct mm_space *mm, struct vma *v, u64 va,
		   struct mm_page **out);

/* Check the access, fault the page in under pt_lock (a file page is
 * read before), and with @copy take a reference in *@page for the copy. */
static int fault_pt(struct mm_space *mm, struct vma *v, u64 va, bool write,
		    bool *writable, bool copy, struct mm_page **page)
{
	struct mm_page *filled;
	u64 *pte;
	int err = check_access(v, write);

	if (!err)
		err = prefill(mm, v, va, &filled);
	if (err)
		return err;
	spin_lock(&mm->pt_lock);
	err = fault_in(mm, v, va, write, &pte, &filled);
	if (!err)
		*page = give_out(v, pte, writable, copy);
	spin_unlock(&mm->pt_lock);
	if (filled)		/* someone else made the page present */
		mm_page_put(filled);
	return err;
}

int mm_fault(struct mm_space *mm, u64 va, u32 flags, void *buf,
	     bool *writable)
{
	struct mm_page *page = NULL;
	struct vma *v;
	int err;

	mutex_lock(&mm->lock);
	err = fault_vma(mm, va, &v);
	if (!err)
		err = fault_pt(mm, v, va, flags & MM_FAULT_WRITE, writable,
			       buf != NULL, &page);
	mutex_unlock(&mm->lock);
	if (!err)
		copy_out(page, buf);
	return err;
}

/* A file page not present yet: read it with no lock but mm->lock (or
 * none, for the _shared calls). */
static int prefill(struct mm_space *mm, struct vma *v, u64 va,
		   struct mm_page **out)
{
	u64 *pte;
	bool present;
	int err;

	*out = NULL;
	if (!(v->flags & MM_VMA_FILE))
		return 0;
	spin_lock(&mm->pt_lock);
	pte = pgt_walk(&mm->pgt, va, false);
	present = pte && (*pte & PTE_PRESENT);
	spin_unlock(&mm->pt_lock);
	if (present)
		return 0;
	*out = mm_page_alloc();
	if (!*out)
		return -ENOMEM;
	err = fill_page(mm, v, va, *out);
	if (err) {
		mm_page_put(*out);
		*out = NULL;
	}
	return err;
}

int mm_fault_shared(struct mm_space *mm, u64 va, u32 flags, void *buf,
		    bool *writable)
{
	struct mm_page *page = NULL;
	struct vma *v = vma_find(mm, va);
	int err;

	if (!v || va >= MM_TASK_SIZE)
		return -EFAULT;
	if (v->start > va)	/* a stack to grow: a VMA change */
		return (v->flags & MM_VMA_GROWSDOWN) ? -EAGAIN : -EFAULT;
	err = fault_pt(mm, v, va, flags & MM_FAULT_WRITE, writable,
		       buf != NULL, &page);
	if (!err)
		copy_out(page, buf);
	return err;
}

static int flush_locked(struct mm_space *mm, u64 va, const void *data)
{
	u64 *pte;
	int err = -EFAULT;

	spin_lock(&mm->pt_lock);
	pte = pgt_walk(&mm->pgt, ALIGN_DOWN(va, MM_PAGE_SIZE), false);
	if (pte && (*pte & PTE_PRESENT) && (*pte & PTE_WRITE)) {
		memcpy(pte_page(*pte)->data, data, MM_PAGE_SIZE);
		*pte |= PTE_DIRTY;
		err = 0;
	}
	spin_unlock(&mm->pt_lock);
	return err;
}

int mm_flush(struct mm_space *mm, u64 va, const void *data)
{
	int err;

	mutex_lock(&mm->lock);
	err = flush_locked(mm, va, data);
	mutex_unlock(&mm->lock);
	return err;
}

int mm_flush_shared(struct mm_space *mm, u64 va, const void *data)
{
	return flush_locked(mm, va, data);
}

bool mm_page_present_shared(struct mm_space *mm, u64 va)
{
	u64 *pte;
	bool present;

	spin_lock(&mm->pt_lock);
	pte = pgt_walk(&mm->pgt, ALIGN_DOWN(va, MM_PAGE_SIZE), false);
	present = pte && (*pte & PTE_PRESENT);
	spin_unlock(&mm->pt_lock);
	return present;
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
