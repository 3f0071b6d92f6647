/* managers/memory/space.c — address-space objects: create, fork, exit.
 *
 * A space is created empty for (processor node, tgid) by exec or by fork;
 * the caller (the memory manager's process table, keyed by node and tgid)
 * owns the pointer.  Fork copies every VMA and maps every page into the
 * child too: private pages become copy-on-write in both spaces (the parent
 * after the child is complete, so a failed fork leaves the parent as it
 * was), shared ones stay shared and writable.  Shared anonymous memory is
 * shared through its pages, so fork first makes them all present; shared
 * file mappings are shared through the page cache (filemap.c), and exit
 * writes their dirty pages back to the file.  The processor must have
 * flushed the parent's dirty lines before asking for the fork (its data
 * is what the child inherits); the MM_CHANGE_WRPROTECT returned tells it
 * to write-protect its lines and shoot down TLBs (LESSONS 3).  A flush that
 * arrives later for a now-COW page is refused by mm_flush.
 *
 * Locking: fork holds the parent's lock; the child is invisible until
 * returned.  Destroy needs no lock: the caller guarantees no other user.
 */
#include <mm/mm.h>
#include "internal.h"

/* Default distance between the stack top and mmap_base, as Linux: the
 * minimum stack gap (128 MiB) plus the guard gap; no randomisation. */
#define MM_MMAP_GAP	((128ull << 20) + MM_STACK_GUARD_GAP)

struct mm_space *mm_space_create(const struct mm_space_params *p)
{
	struct mm_space *mm = kzalloc(sizeof(*mm));

	if (!mm)
		return NULL;
	mutex_init(&mm->lock, "mm_space");
	spin_lock_init(&mm->pt_lock, "mm_pt");
	mm->node = p->node;
	mm->tgid = p->tgid;
	mm->vmas = RB_ROOT;
	mm->stack_top = p->stack_top ? ALIGN_DOWN(p->stack_top, MM_PAGE_SIZE)
				     : MM_TASK_SIZE;
	mm->mmap_base = p->mmap_base ? ALIGN_DOWN(p->mmap_base, MM_PAGE_SIZE)
				     : mm->stack_top - MM_MMAP_GAP;
	mm->fops = p->fops;
	mm->fctx = p->fctx;
	pgt_init(&mm->pgt);
	return mm;
}

void mm_space_destroy(struct mm_space *mm)
{
	struct vma *v;

	if (!mm)
		return;
	for (v = vma_first(mm); v; v = vma_next(v))
		filemap_writeback(mm, v, v->start, v->end);
	pgt_destroy(&mm->pgt);
	vma_free_all(mm);
	kfree(mm);
}

u32 mm_space_node(const struct mm_space *mm)
{
	return mm->node;
}

u32 mm_space_tgid(const struct mm_space *mm)
{
	return mm->tgid;
}

u64 mm_stack_top(const struct mm_space *mm)
{
	return mm->stack_top;
}

/* A shared anonymous VMA is shared through its pages: make them all
 * present before fork so parent and child map the same ones.  (A
 * shared-memory object per VMA, faulted lazily, is the upgrade path.) */
static int populate_shared(struct mm_space *mm, struct vma *v)
{
	struct mm_page *p;
	u64 va;
	int err;

	for (va = v->start; va < v->end; va += MM_PAGE_SIZE) {
		err = __mm_fault_page(mm, v, va, false, &p);
		if (err)
			return err;
	}
	return 0;
}

/* Copy VMAs and page references into @child; -ENOMEM leaves @child half
 * built (the caller destroys it) and @parent unchanged but for shared
 * anonymous pages made present. */
static int fork_copy(struct mm_space *parent, struct mm_space *child)
{
	struct vma *v;

	for (v = vma_first(parent); v; v = vma_next(v)) {
		struct vma *nv = kzalloc(sizeof(*nv));

		if (!nv)
			return -ENOMEM;
		nv->start = v->start;
		nv->end = v->end;
		nv->prot = v->prot;
		nv->flags = v->flags;
		nv->file = v->file;
		nv->off = v->off;
		vma_file_hold(child, nv);
		vma_insert(child, nv);
		if ((v->flags & (MM_VMA_SHARED | MM_VMA_FILE)) == MM_VMA_SHARED &&
		    populate_shared(parent, v))
			return -ENOMEM;
		if (pgt_copy(&child->pgt, &parent->pgt, v->start, v->end,
			     !(v->flags & MM_VMA_SHARED)))
			return -ENOMEM;
	}
	return 0;
}

int mm_space_fork(struct mm_space *parent, u32 node, u32 tgid,
		  struct mm_space **childp, struct mm_changes *ch)
{
	struct mm_space_params p = { node, tgid, 0, 0, NULL, NULL };
	struct mm_space *child;
	struct vma *v;

	if (ch)
		ch->nr = 0;
	mutex_lock(&parent->lock);
	p.stack_top = parent->stack_top;
	p.mmap_base = parent->mmap_base;
	p.fops = parent->fops;
	p.fctx = parent->fctx;
	child = mm_space_create(&p);
	if (!child || fork_copy(parent, child)) {
		mutex_unlock(&parent->lock);
		mm_space_destroy(child);
		return -ENOMEM;
	}
	child->start_brk = parent->start_brk;
	child->brk = parent->brk;
	for (v = vma_first(parent); v; v = vma_next(v))
		if (!(v->flags & MM_VMA_SHARED))
			pgt_wrprotect(&parent->pgt, v->start, v->end);
	mm_changes_add(ch, MM_CHANGE_WRPROTECT, 0, MM_TASK_SIZE, 0, 0);
	mutex_unlock(&parent->lock);
	*childp = child;
	return 0;
}

unsigned int mm_space_vmas(struct mm_space *mm, struct mm_vma_info *out,
			   unsigned int max)
{
	unsigned int n = 0;
	struct vma *v;

	mutex_lock(&mm->lock);
	for (v = vma_first(mm); v; v = vma_next(v), n++) {
		if (n >= max)
			continue;
		out[n].start = v->start;
		out[n].end = v->end;
		out[n].prot = v->prot;
		out[n].flags = v->flags;
		out[n].file = v->file;
		out[n].off = v->off;
	}
	mutex_unlock(&mm->lock);
	return n;
}

u64 mm_space_rss(struct mm_space *mm)
{
	u64 rss;

	mutex_lock(&mm->lock);
	rss = mm->pgt.rss;
	mutex_unlock(&mm->lock);
	return rss;
}
