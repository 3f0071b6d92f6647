/* managers/processor/localmm.c — a local user address space for the
 * in-kernel loader path: pages allocated here and mapped straight into
 * the process's upt, with brk, anonymous mmap/munmap/mprotect and an
 * eager-copy fork.  It exists so the ABI layer can be tested before the
 * memory node (P2M) and the pcache are wired; with them, struct mm_ops
 * points at the P2M client instead and none of this runs.
 *
 * Every mapped page is recorded (va, page) in a list per space under
 * lm->lock (a mutex: page allocation and TLB shootdowns may sleep);
 * release frees them all.  File mappings are copies of the file taken at
 * mmap time (a shared one is written back at msync, munmap and exit and
 * re-read at msync; see "file mappings" below).  Limits: MAP_SHARED
 * memory is copied (not shared) by fork, mremap of a file mapping moves
 * its pages but not its file (no write-back, no SIGBUS there), mremap
 * moves the recorded pages (their PTEs keep the rights they had; pages
 * past the old length are zero-filled with the rights of the old range's
 * last page), lookups are linear, and
 * memory is allocated eagerly (there is no fault path here): a PROT_NONE
 * mapping only reserves addresses until mprotect opens it.  mmap and brk
 * asking for more than LM_MAX_PAGES allows (or an mmap that would reach
 * down into the break) are -ENOMEM / refused before anything is
 * allocated; otherwise ENOMEM comes when the page allocator runs dry.
 */
#include <asm/paging.h>
#include <asm/layout.h>
#include <asm/upt.h>
#include <kernel/mutex.h>
#include <kernel/smp.h>
#include <lib/list.h>
#include <lib/string.h>
#include <mm/mm.h>
#include <storage/client.h>
#include <uapi/errno.h>
#include <uapi/mman.h>
#include "internal.h"

#define MMAP_TOP	0x7f0000000000ull
#define LM_MAX_PAGES	(256 * 1024)	/* 1 GiB per space */

struct lpage {
	struct list_head node;
	u64 va;
	void *page;
};

/* A file mapping: [start, end) shows the storage file @h from @off. */
struct lfmap {
	struct list_head node;
	u64 start, end, off;
	struct storage_handle h;
	bool shared;
	bool nowrite;		/* shared, file not open for writing */
};

struct localmm {
	struct mutex lock;
	struct list_head pages;
	struct list_head fmaps;		/* struct lfmap */
	unsigned long nr;
	u64 brk_start, brk;
	u64 mmap_next;		/* next anonymous mapping ends here */
};

static unsigned long total_pages;

unsigned long localmm_pages(void)
{
	return READ_ONCE(total_pages);
}

static struct localmm *lm_of(struct proc_mm *mm)
{
	struct localmm *lm = mm->priv;

	if (lm)
		return lm;
	lm = kzalloc(sizeof(*lm));
	if (!lm)
		return NULL;
	mutex_init(&lm->lock, "localmm");
	INIT_LIST_HEAD(&lm->pages);
	INIT_LIST_HEAD(&lm->fmaps);
	lm->mmap_next = MMAP_TOP;
	mm->priv = lm;
	return lm;
}

static u64 pte_flags(u32 prot)
{
	return ((prot & PROT_WRITE) ? PTE_W : 0) | ((prot & PROT_EXEC) ? 0 : PTE_NX);
}

/* Map one zeroed page at @va. Caller holds lm->lock. */
static int map_page(struct proc_mm *mm, struct localmm *lm, u64 va, u64 flags,
		    void **out)
{
	struct lpage *lp;
	int err;

	if (lm->nr >= LM_MAX_PAGES)
		return -ENOMEM;
	lp = kmalloc(sizeof(*lp));
	if (!lp)
		return -ENOMEM;
	lp->page = alloc_page_zeroed();
	lp->va = va;
	if (!lp->page) {
		kfree(lp);
		return -ENOMEM;
	}
	err = upt_map(&mm->upt, va, virt_to_phys(lp->page), flags);
	if (err) {
		free_page(lp->page);
		kfree(lp);
		return err;
	}
	list_add_tail(&lp->node, &lm->pages);
	lm->nr++;
	__atomic_add_fetch(&total_pages, 1, __ATOMIC_RELAXED);
	if (out)
		*out = lp->page;
	return 0;
}

/* Unmap and free the pages in [start, end). Caller holds lm->lock.  The
 * pages are freed only after the shootdown: until then another CPU of
 * the process may still reach them through a stale TLB entry. */
static void unmap_range(struct proc_mm *mm, struct localmm *lm, u64 start,
			u64 end)
{
	struct lpage *lp, *n;
	LIST_HEAD(dead);

	list_for_each_entry_safe(lp, n, &lm->pages, node) {
		if (lp->va < start || lp->va >= end)
			continue;
		upt_unmap(&mm->upt, lp->va);
		list_move_tail(&lp->node, &dead);
		lm->nr--;
	}
	if (list_empty(&dead))
		return;
	upt_flush_range(&mm->upt, start, end);
	list_for_each_entry_safe(lp, n, &dead, node) {
		list_del(&lp->node);
		free_page(lp->page);
		kfree(lp);
		__atomic_sub_fetch(&total_pages, 1, __ATOMIC_RELAXED);
	}
}

/* The page recorded at @va, or NULL. Caller holds lm->lock. */
static struct lpage *find_page(struct localmm *lm, u64 va)
{
	struct lpage *lp;

	list_for_each_entry(lp, &lm->pages, node)
		if (lp->va == va)
			return lp;
	return NULL;
}

int localmm_map(struct proc_mm *mm, u64 va, u64 len, u64 flags,
		const void *src, u64 srclen, u64 off)
{
	struct localmm *lm = lm_of(mm);
	int err = 0;

	if (!lm)
		return -ENOMEM;
	mutex_lock(&lm->lock);
	if (len / PAGE_SIZE > LM_MAX_PAGES - lm->nr)
		err = -ENOMEM;		/* more than the space may hold */
	for (u64 a = va; a < va + len && !err; a += PAGE_SIZE) {
		u64 *pte = upt_lookup(&mm->upt, a);
		void *page;

		if (pte && *pte) {	/* two segments share this page: widen rights */
			page = phys_to_virt(*pte & PTE_ADDR_MASK);
			*pte = (*pte | (flags & PTE_W)) & (~PTE_NX | (flags & PTE_NX));
		} else {
			err = map_page(mm, lm, a, flags, &page);
			if (err)
				break;
		}
		/* The bytes of [src, src+srclen) that land at [a, a+4K). */
		if (src && a + PAGE_SIZE > va + off && a < va + off + srclen) {
			u64 from = MAX(a, va + off), to = MIN(a + PAGE_SIZE, va + off + srclen);

			memcpy((u8 *)page + (from - a),
			       (const u8 *)src + (from - va - off), to - from);
		}
	}
	mutex_unlock(&lm->lock);
	return err;
}

void *localmm_page(struct proc_mm *mm, u64 va)
{
	u64 *pte = upt_lookup(&mm->upt, ALIGN_DOWN(va, PAGE_SIZE));

	if (!pte || !(*pte & PTE_P))
		return NULL;
	return phys_to_virt(*pte & PTE_ADDR_MASK);
}

int localmm_set_brk(struct proc_mm *mm, u64 start)
{
	struct localmm *lm = lm_of(mm);

	if (!lm)
		return -ENOMEM;
	lm->brk_start = lm->brk = ALIGN_UP(start, PAGE_SIZE);
	return 0;
}

/* ---- file mappings ---------------------------------------------------
 * The file's bytes are copied in at mmap time; pages wholly past the end
 * of the file stay unmapped, and a fault there is SIGBUS
 * (localmm_fault).  A shared mapping's pages the CPU marked dirty (PTE_D)
 * go back to the file, never past its end, at msync, munmap, MAP_FIXED
 * and exit; msync then re-reads the range, so writes another process
 * made to the file show.  Caller of everything here holds lm->lock. */

/* Map [va, va + len) with the file's bytes from @off. */
static int file_map(struct proc_mm *mm, struct localmm *lm, u64 va, u64 len,
		    u32 prot, u32 flags, const struct mm_file_map *fm,
		    u64 off)
{
	struct lfmap *f = kzalloc(sizeof(*f));
	int err = f ? 0 : -ENOMEM;

	for (u64 a = va; a < va + len && !err; a += PAGE_SIZE) {
		void *page;
		ssize_t got;

		err = map_page(mm, lm, a, pte_flags(prot), &page);
		got = err ? 0 : storage_read(&fm->h, off + (a - va), page,
					     PAGE_SIZE);
		if (got < 0)
			err = (int)got;
		if (!err && !got) {	/* past the end: SIGBUS from here */
			unmap_range(mm, lm, a, va + len);
			break;
		}
		if (!err && prot == PROT_NONE)
			*upt_lookup(&mm->upt, a) &= ~PTE_P;
	}
	if (err) {
		kfree(f);
		return err;
	}
	f->start = va;
	f->end = va + len;
	f->off = off;
	f->h = fm->h;
	f->shared = (flags & MAP_TYPE) != MAP_PRIVATE;
	f->nowrite = f->shared && !fm->maywrite;
	list_add_tail(&f->node, &lm->fmaps);
	return 0;
}

/* Write the dirty pages of shared @f in [start, end) back. */
static int fmap_writeback(struct proc_mm *mm, struct lfmap *f, u64 start,
			  u64 end)
{
	struct storage_stat st;
	int err = 0;

	start = MAX(start, f->start);
	end = MIN(end, f->end);
	if (!f->shared || start >= end || storage_stat(&f->h, &st))
		return f->shared && start < end ? -EIO : 0;
	for (u64 a = start; a < end; a += PAGE_SIZE) {
		u64 *pte = upt_lookup(&mm->upt, a), off = f->off + (a - f->start);
		ssize_t put;

		if (!pte || !(*pte & PTE_D) || off >= st.size)
			continue;
		*pte &= ~PTE_D;
		put = storage_write(&f->h, off, phys_to_virt(*pte & PTE_ADDR_MASK),
				    MIN((u64)PAGE_SIZE, st.size - off));
		if (put < 0 && !err)
			err = (int)put;
	}
	upt_flush_range(&mm->upt, start, end);
	return err;
}

/* Write back, then forget the file mappings in [start, end) (split at
 * the edges).  -ENOMEM only when a split inside one mapping cannot get
 * its record: that mapping and those after it stay recorded. */
static int fmaps_unmap(struct proc_mm *mm, struct localmm *lm, u64 start,
		       u64 end)
{
	struct lfmap *f, *n, *spare = kzalloc(sizeof(*spare));

	list_for_each_entry_safe(f, n, &lm->fmaps, node) {
		if (f->end <= start || f->start >= end)
			continue;
		fmap_writeback(mm, f, start, end);
		if (f->start < start && f->end > end) {
			if (!spare)
				return -ENOMEM;
			*spare = *f;
			spare->off += end - f->start;
			spare->start = end;
			list_add(&spare->node, &f->node);
			spare = NULL;
			f->end = start;
		} else if (f->start < start) {
			f->end = start;
		} else if (f->end > end) {
			f->off += end - f->start;
			f->start = end;
		} else {
			list_del(&f->node);
			kfree(f);
		}
	}
	kfree(spare);
	return 0;
}

/* -EACCES if a shared mapping of a file not open for writing lies in
 * [start, end) (mprotect adding PROT_WRITE, as Linux's VM_MAYWRITE). */
static int fmaps_nowrite(struct localmm *lm, u64 start, u64 end)
{
	struct lfmap *f;

	list_for_each_entry(f, &lm->fmaps, node)
		if (f->nowrite && f->start < end && f->end > start)
			return -EACCES;
	return 0;
}

static int fmaps_copy(struct localmm *to, struct localmm *from)
{
	struct lfmap *f, *c;

	list_for_each_entry(f, &from->fmaps, node) {
		c = kmalloc(sizeof(*c));
		if (!c)
			return -ENOMEM;
		*c = *f;
		list_add_tail(&c->node, &to->fmaps);
	}
	return 0;
}

static long lm_msync(struct proc_mm *mm, u64 addr, u64 len, u32 flags)
{
	struct localmm *lm = lm_of(mm);
	u64 end = addr + ALIGN_UP(len, PAGE_SIZE);
	struct lfmap *f;
	int err = 0;

	if (!lm)
		return -ENOMEM;
	mutex_lock(&lm->lock);
	list_for_each_entry(f, &lm->fmaps, node) {
		u64 a = MAX(addr, f->start), e = MIN(end, f->end);

		if (!f->shared || a >= e)
			continue;
		err = fmap_writeback(mm, f, a, e) ?: err;
		for (; a < e; a += PAGE_SIZE) {
			void *page = localmm_page(mm, a);

			if (page && storage_read(&f->h, f->off + (a - f->start),
						 page, PAGE_SIZE) < 0)
				err = -EIO;
		}
	}
	mutex_unlock(&lm->lock);
	return err ? -EIO : 0;
}

int localmm_fault(struct proc_mm *mm, u64 addr)
{
	struct localmm *lm = mm->priv;
	struct lfmap *f;
	int err = -EFAULT;

	if (!lm)
		return -EFAULT;
	mutex_lock(&lm->lock);
	list_for_each_entry(f, &lm->fmaps, node) {
		u64 *pte = upt_lookup(&mm->upt, ALIGN_DOWN(addr, PAGE_SIZE));

		if (addr >= f->start && addr < f->end && (!pte || !*pte))
			err = -ENXIO;
	}
	mutex_unlock(&lm->lock);
	return err;
}

static int lm_fork(struct proc_mm *parent, struct proc_mm *child)
{
	struct localmm *pl = lm_of(parent), *cl = lm_of(child);
	struct lpage *lp;
	int err = 0;

	if (!pl || !cl)
		return -ENOMEM;
	mutex_lock(&pl->lock);
	list_for_each_entry(lp, &pl->pages, node) {
		u64 *pte = upt_lookup(&parent->upt, lp->va);
		void *page;

		err = map_page(child, cl, lp->va, *pte & (PTE_W | PTE_NX), &page);
		if (err)
			break;
		memcpy(page, lp->page, PAGE_SIZE);
	}
	if (!err)
		err = fmaps_copy(cl, pl);
	cl->brk_start = pl->brk_start;
	cl->brk = pl->brk;
	cl->mmap_next = pl->mmap_next;
	mutex_unlock(&pl->lock);
	return err;
}

static void lm_release(struct proc_mm *mm)
{
	struct localmm *lm = mm->priv;

	if (!lm)
		return;
	mutex_lock(&lm->lock);
	fmaps_unmap(mm, lm, 0, ~0ull);
	unmap_range(mm, lm, 0, ~0ull);
	mutex_unlock(&lm->lock);
	kfree(lm);
	mm->priv = NULL;
}

static long lm_brk(struct proc_mm *mm, u64 addr)
{
	struct localmm *lm = lm_of(mm);
	u64 old, want;
	int err = 0;

	if (!lm)
		return -ENOMEM;
	mutex_lock(&lm->lock);
	old = ALIGN_UP(lm->brk, PAGE_SIZE);
	want = ALIGN_UP(addr, PAGE_SIZE);
	if (addr >= lm->brk_start && want < lm->mmap_next &&
	    (want <= old || (want - old) / PAGE_SIZE <= LM_MAX_PAGES - lm->nr)) {
		for (u64 a = old; a < want && !err; a += PAGE_SIZE)
			err = map_page(mm, lm, a, PTE_W | PTE_NX, NULL);
		if (want < old)
			unmap_range(mm, lm, want, old);
		if (!err)
			lm->brk = addr;
		else
			unmap_range(mm, lm, old, want);
	}
	addr = lm->brk;
	mutex_unlock(&lm->lock);
	return addr;
}

static bool range_empty(struct localmm *lm, u64 start, u64 end)
{
	struct lpage *lp;

	list_for_each_entry(lp, &lm->pages, node)
		if (lp->va >= start && lp->va < end)
			return false;
	return true;
}

/* MAP_FIXED_NOREPLACE takes exactly @addr or fails with -EEXIST; what
 * counts as taken is a page (PROT_NONE reservations hold none here, see
 * lm_mremap). */
static long lm_mmap(struct proc_mm *mm, u64 addr, u64 len, u32 prot,
		    u32 flags, const struct mm_file_map *fm, u64 off)
{
	struct localmm *lm = lm_of(mm);
	u64 va;
	int err = 0;

	if (!lm)
		return -ENOMEM;
	len = ALIGN_UP(len, PAGE_SIZE);
	mutex_lock(&lm->lock);
	if ((flags & MAP_FIXED_NOREPLACE) && !(flags & MAP_FIXED)) {
		if (!range_empty(lm, addr, addr + len)) {
			mutex_unlock(&lm->lock);
			return -EEXIST;
		}
		flags |= MAP_FIXED;	/* nothing there to replace */
	}
	/* More than the space may hold, or no room below the last mapping:
	 * refused before allocating anything. */
	if ((prot != PROT_NONE && len / PAGE_SIZE > LM_MAX_PAGES - lm->nr) ||
	    (!(flags & MAP_FIXED) &&
	     (len > lm->mmap_next || lm->mmap_next - len < lm->brk))) {
		mutex_unlock(&lm->lock);
		return -ENOMEM;
	}
	if (flags & MAP_FIXED) {
		va = addr;
		err = fmaps_unmap(mm, lm, va, va + len);
		unmap_range(mm, lm, va, va + len);
	} else {
		va = lm->mmap_next - len;
		lm->mmap_next = va;
	}
	if (fm && !err) {
		err = file_map(mm, lm, va, len, prot, flags, fm, off);
	} else {
		/* PROT_NONE is a reservation (glibc's arenas, guard pages):
		 * pages come when mprotect opens it. */
		for (u64 a = va; a < va + len && !err && prot != PROT_NONE;
		     a += PAGE_SIZE)
			err = map_page(mm, lm, a, pte_flags(prot), NULL);
	}
	if (err)
		unmap_range(mm, lm, va, va + len);
	mutex_unlock(&lm->lock);
	return err ? err : (long)va;
}

static long lm_munmap(struct proc_mm *mm, u64 addr, u64 len)
{
	struct localmm *lm = lm_of(mm);

	if (!lm)
		return -ENOMEM;
	mutex_lock(&lm->lock);
	fmaps_unmap(mm, lm, addr, addr + ALIGN_UP(len, PAGE_SIZE));
	unmap_range(mm, lm, addr, addr + ALIGN_UP(len, PAGE_SIZE));
	mutex_unlock(&lm->lock);
	return 0;
}

/* Change the rights of the pages in range; pages not there yet (a
 * PROT_NONE reservation being opened) are allocated.  Unlike Linux, an
 * unmapped range is not refused with -ENOMEM. */
static long lm_mprotect(struct proc_mm *mm, u64 addr, u64 len, u32 prot)
{
	struct localmm *lm = lm_of(mm);
	u64 end = addr + ALIGN_UP(len, PAGE_SIZE);
	int err = 0;

	if (!lm)
		return -ENOMEM;
	mutex_lock(&lm->lock);
	err = (prot & PROT_WRITE) ? fmaps_nowrite(lm, addr, end) : 0;
	for (u64 a = addr; a < end && !err; a += PAGE_SIZE) {
		u64 *pte = upt_lookup(&mm->upt, a);

		if (!pte || !*pte) {
			if (prot != PROT_NONE)
				err = map_page(mm, lm, a, pte_flags(prot), NULL);
		} else if (prot == PROT_NONE) {
			*pte &= ~PTE_P;
		} else {
			*pte = (*pte & ~(PTE_W | PTE_NX)) | PTE_P | pte_flags(prot);
		}
	}
	upt_flush_range(&mm->upt, addr, end);
	mutex_unlock(&lm->lock);
	return err;
}

/* Re-point every recorded page of [from, from + len) at to + (va - from);
 * the caller made sure the target range is empty. Caller holds lm->lock. */
static int move_pages(struct proc_mm *mm, struct localmm *lm, u64 from,
		      u64 len, u64 to)
{
	struct lpage *lp;
	int err = 0;

	list_for_each_entry(lp, &lm->pages, node) {
		u64 flags, va;

		if (lp->va < from || lp->va >= from + len)
			continue;
		va = lp->va - from + to;
		flags = upt_unmap(&mm->upt, lp->va);
		err = upt_map(&mm->upt, va, virt_to_phys(lp->page), flags);
		if (err)
			break;
		if (!(flags & PTE_P))	/* a PROT_NONE page stays inaccessible */
			*upt_lookup(&mm->upt, va) &= ~PTE_P;
		lp->va = va;
	}
	upt_flush_range(&mm->upt, from, from + len);
	return err;
}

/* True when no page is recorded in [start, end). */

/* Shrink in place, grow in place when the pages above are free and were
 * never handed out (below mmap_next: localmm keeps no record of PROT_NONE
 * reservations above it), else move (MREMAP_MAYMOVE) below mmap_next or
 * to @new_addr (MREMAP_FIXED). The old
 * range's first page must exist (-EFAULT otherwise, as for an address in
 * no mapping). */
static long lm_mremap(struct proc_mm *mm, u64 addr, u64 old_len,
		      u64 new_len, u32 flags, u64 new_addr)
{
	struct localmm *lm = lm_of(mm);
	struct lpage *last;
	u64 va = addr, pte = PTE_W | PTE_NX;
	long err = 0;

	if (!lm)
		return -ENOMEM;
	mutex_lock(&lm->lock);
	last = find_page(lm, addr + old_len - PAGE_SIZE);
	if (!find_page(lm, addr)) {
		err = -EFAULT;
		goto out;
	}
	if (last)
		pte = *upt_lookup(&mm->upt, last->va) & (PTE_W | PTE_NX);
	if (flags & MREMAP_FIXED) {
		unmap_range(mm, lm, new_addr, new_addr + new_len);
		va = new_addr;
	} else if (new_len > old_len &&
		   (addr + new_len > lm->mmap_next ||
		    !range_empty(lm, addr + old_len, addr + new_len))) {
		if (!(flags & MREMAP_MAYMOVE)) {
			err = -ENOMEM;
			goto out;
		}
		va = lm->mmap_next - new_len;
		lm->mmap_next = va;
	}
	if (new_len < old_len)
		unmap_range(mm, lm, addr + new_len, addr + old_len);
	if (va != addr)
		err = move_pages(mm, lm, addr, MIN(old_len, new_len), va);
	for (u64 a = va + old_len; a < va + new_len && !err; a += PAGE_SIZE)
		err = map_page(mm, lm, a, pte, NULL);
out:
	mutex_unlock(&lm->lock);
	return err ? err : (long)va;
}

const struct mm_ops localmm_ops = {
	.name = "local",
	.fork = lm_fork,
	.release = lm_release,
	.brk = lm_brk,
	.mmap = lm_mmap,
	.munmap = lm_munmap,
	.mprotect = lm_mprotect,
	.mremap = lm_mremap,
	.msync = lm_msync,
};
