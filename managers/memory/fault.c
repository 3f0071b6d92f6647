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
 * Locking: mm_fault, mm_flush and mm_read/write/zero take mm->lock.
 * Page-table changes made by a fault (tables, a new page, COW broken,
 * PTE flags) are also made under mm->pt_lock, a spinlock, so that the
 * _shared variants may run at once on one space: they take no mm->lock
 * and rely on their caller to exclude every VMA change meanwhile (the
 * P2M service's per-process lock held shared; VMA changes hold it
 * exclusive).  Under pt_lock nothing sleeps: a file page is got from
 * the page cache (which may read the file) before it is taken, and put
 * if another fault made the page present first; a page replaced by a
 * COW break, and the page copied out, are put after it is dropped (a
 * page-cache page's put takes the cache's mutex); the copy holds a
 * reference so the page cannot be freed under it.  A _shared fault
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

/* Give this space its own copy of the COW page at *@pte.  The old page's
 * reference goes to *@drop when @drop is not NULL (the caller puts it
 * once it holds no spinlock: a page-cache page's put takes a mutex). */
static int break_cow(u64 *pte, struct mm_page **drop)
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
	if (drop)
		*drop = old;
	else
		mm_page_put(old);
	return 0;
}

/* Make the page at @va (inside @v) present, and private if @write.
 * Returns its entry through @ptep.  @filled, if not NULL, holds the
 * entry of a file page got from the page cache with no spinlock held
 * (prefill; 0 if none): it is used, and *@filled cleared, if the entry is
 * still empty; with @filled, a file page never read is -EAGAIN (the page
 * cache may sleep), and a page COW replaced goes to *@drop for the caller
 * to put after pt_lock.  mm->lock or pt_lock held (see mm_fault_shared). */
static int fault_in(struct mm_space *mm, struct vma *v, u64 va, bool write,
		    u64 **ptep, u64 *filled, struct mm_page **drop)
{
	u64 *pte = pgt_walk(&mm->pgt, va, true);
	int err;

	if (!pte)
		return -ENOMEM;
	if (!(*pte & PTE_PRESENT)) {
		/* File pages: the page cache's, COW if private (filemap.c). */
		if (filled && *filled) {
			*pte = *filled;
			*filled = 0;
			err = 0;
		} else if (v->flags & MM_VMA_FILE) {
			err = filled ? -EAGAIN : filemap_fault(mm, v, va, pte);
		} else {
			err = zero_page(pte);
		}
		if (err)
			return err;
		mm->pgt.rss++;
	}
	if ((*pte & PTE_COW) && (write || mm_page_refs(pte_page(*pte)) == 1)) {
		err = break_cow(pte, drop);
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
	int err = fault_in(mm, v, va, write, &pte, NULL, NULL);

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

static int prefill(struct mm_space *mm, struct vma *v, u64 va, u64 *out);

/* Check the access, fault the page in under pt_lock (a file page is got
 * from the page cache before), and with @copy take a reference in
 * *@page for the copy. */
static int fault_pt(struct mm_space *mm, struct vma *v, u64 va, bool write,
		    bool *writable, bool copy, struct mm_page **page)
{
	struct mm_page *drop = NULL;
	u64 *pte, filled = 0;
	int err = check_access(v, write);

	if (!err)
		err = prefill(mm, v, va, &filled);
	if (err)
		return err;
	spin_lock(&mm->pt_lock);
	err = fault_in(mm, v, va, write, &pte, &filled, &drop);
	if (!err)
		*page = give_out(v, pte, writable, copy);
	spin_unlock(&mm->pt_lock);
	if (filled)		/* someone else made the page present */
		mm_page_put(pte_page(filled));
	if (drop)		/* the COW original */
		mm_page_put(drop);
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

/* A file page not present yet: the page cache's entry for it (with a
 * reference), got with no spinlock held (the page cache may read the
 * file); mm->lock held, or none for the _shared calls. */
static int prefill(struct mm_space *mm, struct vma *v, u64 va, u64 *out)
{
	u64 *pte;
	bool present;

	*out = 0;
	if (!(v->flags & MM_VMA_FILE))
		return 0;
	spin_lock(&mm->pt_lock);
	pte = pgt_walk(&mm->pgt, va, false);
	present = pte && (*pte & PTE_PRESENT);
	spin_unlock(&mm->pt_lock);
	return present ? 0 : filemap_fault(mm, v, va, out);
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
