/* managers/memory/internal.h — the memory manager's private structures.
 *
 * struct mm_space (one per process homed here) holds:
 *  - the VMA tree: an rbtree of struct vma keyed by start.  Invariants:
 *    VMAs never overlap; start < end; both page aligned and inside
 *    [MM_MIN_ADDR, MM_TASK_SIZE); file VMAs have page-aligned offsets; two
 *    neighbours that could merge (vma_mergeable) are merged after every
 *    operation, so the layout is canonical (tests compare layouts).
 *  - the software page table (pgtable.c): a 4-level radix tree of u64
 *    entries keyed by user page number; a present leaf points at a struct
 *    mm_page (refcounted: fork shares pages) with PTE_* flags in its low
 *    bits.  A page is mapped only inside a VMA: every operation that removes
 *    or moves VMA ranges does the same to the page table under the lock.
 *  - brk: [start_brk, brk) is the heap; start_brk never moves after exec.
 *
 * Locking: mm->lock (a mutex) is taken by every public entry point and
 * held for the whole call; functions named __x expect it held.  The
 * exceptions are fault.c's _shared calls: they take only mm->pt_lock (a
 * spinlock, innermost) around the page-table changes a fault makes, and
 * their caller excludes VMA changes (fault.c).  Page
 * refcounts are atomic because fork shares pages between spaces, each
 * under its own lock.  No other lock nests inside mm->lock except the
 * kernel allocator's.
 *
 * Operations follow "validate, then act": a first step checks arguments
 * and pre-allocates (struct vma_spares, page-table pages); the second step
 * changes the tree and cannot fail.
 */
#ifndef MANAGERS_MEMORY_INTERNAL_H
#define MANAGERS_MEMORY_INTERNAL_H

#include <kernel/mutex.h>
#include <kernel/spinlock.h>
#include <lib/rbtree.h>
#include <memory/mm_space.h>
#include <uapi/errno.h>
#include <uapi/mman.h>

#define PAGE_MASK_LOW	(MM_PAGE_SIZE - 1)
#define VMA_PROT_MASK	(PROT_READ | PROT_WRITE | PROT_EXEC)

struct vma {
	struct rb_node rb;
	u64 start;		/* page aligned */
	u64 end;		/* page aligned, exclusive */
	u32 prot;		/* PROT_READ/WRITE/EXEC */
	u32 flags;		/* MM_VMA_SHARED, MM_VMA_GROWSDOWN, MM_VMA_FILE,
				 * MM_VMA_NOWRITE */
	u64 file;		/* inode handle (MM_VMA_FILE), or the shared-
				 * memory object id of a shared anonymous
				 * VMA (one per mmap call, kept by fork) */
	u64 off;		/* byte offset of start in that file/object */
};

/* The VMA's pages belong to an object (a file, or shared anonymous
 * memory) at offset off: splits and moves keep offsets, and only VMAs of
 * the same object with continuous offsets merge (as Linux's shmem files). */
static inline bool vma_has_object(const struct vma *v)
{
	return v->flags & (MM_VMA_FILE | MM_VMA_SHARED);
}

/* Page-table leaf flags (low bits of a leaf entry; struct mm_page is
 * 16-byte aligned). */
#define PTE_PRESENT	0x1ull	/* entry points at a struct mm_page */
#define PTE_WRITE	0x2ull	/* the processor was given it writable */
#define PTE_COW		0x4ull	/* shared after fork: copy before writing */
#define PTE_DIRTY	0x8ull	/* written since it was filled */
#define PTE_FLAGS	0xfull

/* A memory-node page holding user data.  refs: one per leaf entry that
 * maps it (in any space), plus the page cache's own for a file page
 * (MM_PAGE_CACHED: the struct lives inside a page-cache entry,
 * pagecache.c), so a mapped file page always has refs >= 2 and is never
 * taken for a private one by COW. */
struct mm_page {
	void *data;		/* 4 KiB from alloc_page */
	u32 refs;		/* atomic */
	u32 flags;		/* MM_PAGE_*, fixed once the page is mapped */
};
#define MM_PAGE_CACHED	0x1u

struct pgtable {
	u64 *root;		/* level-3 table page, or NULL while empty */
	u64 rss;		/* present leaves */
};

struct mm_space {
	struct mutex lock;
	spinlock_t pt_lock;	/* page-table changes by faults (fault.c) */
	u32 node;
	u32 tgid;
	struct rb_root vmas;
	unsigned int nr_vmas;
	u64 start_brk;		/* initial break, page aligned */
	u64 brk;		/* current break (byte granular, as brk(2)) */
	u64 stack_top;
	u64 mmap_base;		/* top-down placement starts below this */
	const struct mm_file_ops *fops;
	void *fctx;
	struct pgtable pgt;
};

/* Pre-allocated VMAs for one operation (decode step): a list linked
 * through rb.left while unused. */
struct vma_spares {
	unsigned int nr;
	struct vma *head;
};

/* vma.c */
struct vma *vma_first(struct mm_space *mm);
struct vma *vma_next(struct vma *v);
struct vma *vma_prev(struct vma *v);
struct vma *vma_find(struct mm_space *mm, u64 addr);
bool vma_range_free(struct mm_space *mm, u64 start, u64 end);
bool vma_range_mapped(struct mm_space *mm, u64 start, u64 end);
bool vma_mergeable(const struct vma *a, const struct vma *b);
int vma_spares_get(struct vma_spares *s, unsigned int n);
void vma_spares_put(struct vma_spares *s);
struct vma *vma_spare_take(struct vma_spares *s);
void vma_insert(struct mm_space *mm, struct vma *v);
void vma_remove(struct mm_space *mm, struct vma *v);
/* The file reference of a file VMA (mm_file_ops hold/put): vma_file_hold
 * once @v has its file; vma_destroy drops it and frees a VMA no longer in
 * the tree. */
void vma_file_hold(struct mm_space *mm, const struct vma *v);
void vma_destroy(struct mm_space *mm, struct vma *v);
void vma_isolate(struct mm_space *mm, u64 start, u64 end,
		 struct vma_spares *s);
unsigned int vma_split_count(struct mm_space *mm, u64 start, u64 end);
void vma_merge_around(struct mm_space *mm, u64 start, u64 end);
void vma_unmap_range(struct mm_space *mm, u64 start, u64 end);
void vma_free_all(struct mm_space *mm);

/* mmap.c */
int mm_find_gap(struct mm_space *mm, u64 len, u64 lo, u64 hi, u64 *out);
int mm_get_area(struct mm_space *mm, u64 hint, u64 len, u32 flags,
		u64 *out);
void mm_changes_add(struct mm_changes *ch, u32 kind, u64 start, u64 end,
		    u64 to, u32 prot);
int __mm_munmap(struct mm_space *mm, u64 addr, u64 len,
		struct mm_changes *ch);

/* pgtable.c */
void pgt_init(struct pgtable *pt);
void pgt_destroy(struct pgtable *pt);
u64 *pgt_walk(struct pgtable *pt, u64 va, bool alloc);
int pgt_prepare(struct pgtable *pt, u64 start, u64 end);
void pgt_unmap(struct pgtable *pt, u64 start, u64 end);
void pgt_move(struct pgtable *pt, u64 from, u64 to, u64 len);
int pgt_copy(struct pgtable *dst, struct pgtable *src, u64 start, u64 end,
	     bool cow);
void pgt_wrprotect(struct pgtable *pt, u64 start, u64 end);
struct mm_page *mm_page_alloc(void);
int mm_page_init(struct mm_page *p, u32 flags);
void mm_page_release(struct mm_page *p);
void mm_page_get(struct mm_page *p);
void mm_page_put(struct mm_page *p);
u32 mm_page_refs(struct mm_page *p);

static inline struct mm_page *pte_page(u64 pte)
{
	return (struct mm_page *)(uintptr_t)(pte & ~PTE_FLAGS);
}

/* Lowest address a new mapping ending below @v may end at: GROWSDOWN VMAs
 * keep MM_STACK_GUARD_GAP free below them. */
static inline u64 vma_gap_start(const struct vma *v)
{
	if (!(v->flags & MM_VMA_GROWSDOWN))
		return v->start;
	return v->start > MM_STACK_GUARD_GAP ? v->start - MM_STACK_GUARD_GAP
					     : 0;
}

/* pagecache.c: file pages shared by every space that maps them, keyed
 * by (ops, context, file, page index).  pagecache_get returns the page
 * with a reference for the caller's PTE (filled by read_page on a miss;
 * may sleep); pagecache_put drops a reference of a cached page for
 * mm_page_put, and frees the entry with the last mapping's. */
int pagecache_get(const struct mm_file_ops *fops, void *fctx, u64 file,
		  u64 index, struct mm_page **out);
void pagecache_put(struct mm_page *p);
void pagecache_count_writeback(int err);

/* filemap.c: file VMAs.  filemap_fault makes *@pte map the file page of
 * @va (copy-on-write for a private VMA); filemap_writeback writes the
 * dirty pages of a shared file VMA in [start, end) back (0 or the first
 * error).  mm->lock held. */
static inline bool vma_shared_file(const struct vma *v)
{
	return (v->flags & (MM_VMA_FILE | MM_VMA_SHARED)) ==
	       (MM_VMA_FILE | MM_VMA_SHARED);
}
int filemap_fault(struct mm_space *mm, struct vma *v, u64 va, u64 *pte);
int filemap_writeback(struct mm_space *mm, struct vma *v, u64 start,
		      u64 end);

/* fault.c */
int __mm_fault_page(struct mm_space *mm, struct vma *v, u64 va, bool write,
		    struct mm_page **page);

#endif
