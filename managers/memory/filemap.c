/* managers/memory/filemap.c — file-backed VMAs: their faults, their
 * write-back, msync.
 *
 * A file VMA's pages come from the page cache (pagecache.c), so every
 * space that maps a page of a file maps the same struct mm_page:
 *  - MAP_PRIVATE maps it PTE_COW.  Reads share the cached page; the first
 *    write (fault.c's break_cow) copies it, because the cache's own
 *    reference keeps the count above one.  Private writes therefore never
 *    reach the file or another mapper.
 *  - MAP_SHARED maps it as is.  The processor's write-backs (mm_flush)
 *    land in the cached page, where every sharer (fork children, other
 *    processes mapping the file) finds them, and mark the PTE dirty.
 *    Dirty pages go back to the file through the space's write_page at
 *    msync (mm_msync), at munmap and MAP_FIXED replacement (vma.c's
 *    vma_unmap_range) and at exit (space.c), and the PTE turns clean.
 * A page wholly past the end of the file is -ENXIO from read_page: the
 * fault fails with it and the processor raises SIGBUS; the part of the
 * last page past the end reads as zeroes (read_page's promise).
 *
 * Locking: mm->lock held by every function here (the callers').  The
 * file I/O runs under it, as anonymous faults' allocations do.
 * Callers: fault.c (filemap_fault), vma.c and space.c (write-back),
 * service_vm.c (mm_msync).
 */
#include <mm/mm.h>
#include "internal.h"

#define FILEMAP_LEAF	(MM_PAGE_SIZE * 512)	/* one leaf table */

int filemap_fault(struct mm_space *mm, struct vma *v, u64 va, u64 *pte)
{
	u64 off = v->off + (ALIGN_DOWN(va, MM_PAGE_SIZE) - v->start);
	struct mm_page *p;
	int err;

	if (!mm->fops || !mm->fops->read_page)
		return -ENODEV;
	err = pagecache_get(mm->fops, mm->fctx, v->file, off / MM_PAGE_SIZE,
			    &p);
	if (err)
		return err;
	*pte = (u64)(uintptr_t)p | PTE_PRESENT |
	       ((v->flags & MM_VMA_SHARED) ? 0 : PTE_COW);
	return 0;
}

/* Write one dirty page back; the PTE turns clean on success (a failure
 * is counted here and logged by the file source). */
static int writeback_page(struct mm_space *mm, struct vma *v, u64 va,
			  u64 *pte)
{
	int err = mm->fops->write_page(mm->fctx, v->file,
				       v->off + (va - v->start),
				       pte_page(*pte)->data);

	pagecache_count_writeback(err);
	if (!err)
		*pte &= ~PTE_DIRTY;
	return err;
}

int filemap_writeback(struct mm_space *mm, struct vma *v, u64 start,
		      u64 end)
{
	int first = 0;
	u64 va;

	if (!vma_shared_file(v) || !mm->fops || !mm->fops->write_page)
		return 0;
	start = MAX(start, v->start);
	end = MIN(end, v->end);
	for (va = start; va < end; va += MM_PAGE_SIZE) {
		u64 *pte = pgt_walk(&mm->pgt, va, false);
		int err;

		if (!pte) {		/* no leaf table: skip to the next */
			va = ALIGN_UP(va + 1, FILEMAP_LEAF) - MM_PAGE_SIZE;
			continue;
		}
		if ((*pte & (PTE_PRESENT | PTE_DIRTY)) !=
		    (PTE_PRESENT | PTE_DIRTY))
			continue;
		err = writeback_page(mm, v, va, pte);
		if (err && !first)
			first = err;
	}
	return first;
}

/* msync(2)'s checks, in Linux's order; *@end gets the page-rounded end. */
static int msync_check(u64 addr, u64 len, u32 flags, u64 *end)
{
	if (flags & ~(u32)(MS_ASYNC | MS_INVALIDATE | MS_SYNC))
		return -EINVAL;
	if (addr & PAGE_MASK_LOW)
		return -EINVAL;
	if ((flags & MS_ASYNC) && (flags & MS_SYNC))
		return -EINVAL;
	if (len > MM_TASK_SIZE)
		return -ENOMEM;
	*end = addr + ALIGN_UP(len, MM_PAGE_SIZE);
	return *end < addr ? -ENOMEM : 0;
}

/* Every VMA in [addr, end) is written back; a hole makes the result
 * -ENOMEM as in Linux, which still syncs the mapped parts. */
int mm_msync(struct mm_space *mm, u64 addr, u64 len, u32 flags)
{
	int err, io = 0;
	bool hole = false;
	struct vma *v;
	u64 end, at;

	err = msync_check(addr, len, flags, &end);
	if (err || end == addr)
		return err;
	mutex_lock(&mm->lock);
	at = addr;
	for (v = vma_find(mm, addr); v && v->start < end; v = vma_next(v)) {
		int e = filemap_writeback(mm, v, addr, end);

		if (v->start > at)
			hole = true;
		if (e && !io)
			io = e;
		at = v->end;
	}
	if (at < end)
		hole = true;
	mutex_unlock(&mm->lock);
	if (hole)
		return -ENOMEM;
	return io ? -EIO : 0;
}
