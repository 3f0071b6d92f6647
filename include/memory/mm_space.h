/* include/memory/mm_space.h — address spaces of the memory node
 * (managers/memory): VMAs, mmap/munmap/mremap/mprotect/brk, fork, exit,
 * the memory node's own page tables and the page-fault service.
 *
 * Design, invariants and lock order: managers/memory/internal.h and
 * Documentation/memory.md.  In short: one struct mm_space per process
 * (keyed by the processor node and tgid that own it); its mutex serialises
 * every call below, which all take it themselves and may sleep.  Calls
 * validate all arguments and pre-allocate what they need before changing
 * anything, so an error return means nothing changed.
 *
 * Operations that take rights away from a processor (unmap, move, narrowed
 * protection, fork's write-protect) describe that in a struct mm_changes
 * the caller must apply to the owning processor's pcache lines, rmaps and
 * PTEs — and flush TLBs for — before it answers the user (LESSONS 3, 4).
 */
#ifndef MEMORY_MM_SPACE_H
#define MEMORY_MM_SPACE_H

#include <tessera/compiler.h>

/* User address-space geometry (x86-64, 4-level paging, like Linux). */
#define MM_PAGE_SIZE		4096ull
#define MM_TASK_SIZE		0x00007ffffffff000ull	/* first invalid byte */
#define MM_MIN_ADDR		0x10000ull		/* vm.mmap_min_addr */
#define MM_STACK_GUARD_GAP	(256ull * MM_PAGE_SIZE)	/* below GROWSDOWN */
#define MM_STACK_LIMIT		(8ull << 20)		/* RLIMIT_STACK */
#define MM_MAX_MAP_COUNT	65530			/* vm.max_map_count */

/* What the caller must do to the processor's view of the space. */
enum mm_change_kind {
	MM_CHANGE_UNMAP = 1,	/* drop lines and PTEs in [start, end) */
	MM_CHANGE_PROTECT,	/* rights in [start, end) narrowed to .prot */
	MM_CHANGE_MOVE,		/* lines of [start, end) now live at .to.. */
	MM_CHANGE_WRPROTECT,	/* fork: make writable lines in [start, end)
				 * read-only (private memory became COW) */
};

struct mm_change {
	u32 kind;		/* enum mm_change_kind */
	u32 prot;		/* MM_CHANGE_PROTECT: the new PROT_* */
	u64 start;		/* page aligned */
	u64 end;		/* page aligned, exclusive */
	u64 to;			/* MM_CHANGE_MOVE: new address of start */
};

/* Apply in order: a MOVE listed after an UNMAP needs the unmap done first.
 * An mremap whose move would need more records (a move of many VMAs over
 * many mapped destination pieces) fails with -ENOMEM: a Tessera limit. */
#define MM_CHANGES_MAX	16
struct mm_changes {
	unsigned int nr;
	struct mm_change c[MM_CHANGES_MAX];
};

/* File pages.  read_page fills one page of file @file at byte offset
 * @off (page aligned); bytes past the end of the file must be zero; a
 * page wholly past the end gives -ENXIO (the fault then asks for SIGBUS).
 * write_page writes a dirty page of a shared mapping back, bytes past
 * the end of the file excluded (NULL: shared writes stay in memory).
 * Both return 0 or a negative errno and are called with the space's lock
 * held.  The memory node's page cache (pagecache.c) calls read_page once
 * per page however many spaces map it; callers with the same ops and
 * context name the same files by the same @file. */
struct mm_file_ops {
	int (*read_page)(void *ctx, u64 file, u64 off, void *page);
	int (*write_page)(void *ctx, u64 file, u64 off, const void *page);
	/* Optional: every file VMA holds a reference on its @file, taken
	 * when the VMA gets it (mmap, split, fork, mremap) and dropped when
	 * the VMA is freed, so the owner of the handles knows which are in
	 * use.  Called with a space's lock held; must not sleep long. */
	void (*hold)(void *ctx, u64 file);
	void (*put)(void *ctx, u64 file);
};

struct mm_space_params {
	u32 node;			/* owning processor node */
	u32 tgid;			/* process on that node */
	u64 stack_top;			/* 0: MM_TASK_SIZE */
	u64 mmap_base;			/* 0: below the stack's reserve */
	const struct mm_file_ops *fops;	/* may be NULL: no file mappings */
	void *fctx;
};

struct mm_space;

/* Create an empty space; NULL without memory. */
struct mm_space *mm_space_create(const struct mm_space_params *p);
/* Exit: free every VMA, page-table page and page (shared pages when their
 * last user goes).  The caller has stopped all use of @mm. */
void mm_space_destroy(struct mm_space *mm);
/* Fork: *@child gets a copy of every VMA; private pages become
 * copy-on-write in both spaces, shared ones stay shared.  @ch gets one
 * MM_CHANGE_WRPROTECT for the parent's processor.  0 or -ENOMEM (then the
 * parent is unchanged). */
int mm_space_fork(struct mm_space *parent, u32 node, u32 tgid,
		  struct mm_space **child, struct mm_changes *ch);
u32 mm_space_node(const struct mm_space *mm);
u32 mm_space_tgid(const struct mm_space *mm);

/* mmap(2) after the processor resolved the fd to @file (ignored with
 * MAP_ANONYMOUS).  *@addr_out gets the address.  Errors as Linux: -EINVAL,
 * -ENOMEM, -EEXIST (MAP_FIXED_NOREPLACE), -EPERM (below MM_MIN_ADDR),
 * -EOVERFLOW, -EOPNOTSUPP (MAP_SHARED_VALIDATE with unknown flags).  With
 * MAP_FIXED over existing mappings @ch lists the range to unmap.
 * MAP_POPULATE is the caller's to honour (fault the range in). */
int mm_mmap(struct mm_space *mm, u64 addr, u64 len, u32 prot, u32 flags,
	    u64 file, u64 off, u64 *addr_out, struct mm_changes *ch);
/* The same for a file; @maywrite false (a file not open for writing)
 * makes a shared mapping's VMA MM_VMA_NOWRITE: mprotect may never add
 * PROT_WRITE to it (-EACCES, as Linux's VM_MAYWRITE). */
int mm_mmap_file(struct mm_space *mm, u64 addr, u64 len, u32 prot,
		 u32 flags, u64 file, u64 off, bool maywrite, u64 *addr_out,
		 struct mm_changes *ch);
/* munmap(2): -EINVAL for unaligned, empty or out-of-range requests;
 * unmapping holes is not an error. */
int mm_munmap(struct mm_space *mm, u64 addr, u64 len, struct mm_changes *ch);
/* mremap(2): *@addr_out gets the new address; @ch lists the unmaps and the
 * move the processor must mirror.  -EINVAL, -EFAULT, -ENOMEM as Linux. */
int mm_mremap(struct mm_space *mm, u64 addr, u64 old_len, u64 new_len,
	      u32 flags, u64 new_addr, u64 *addr_out, struct mm_changes *ch);
/* mprotect(2): -EINVAL, -ENOMEM (a hole in the range; then nothing
 * changed — Linux would have changed the part before the hole), -EACCES
 * (PROT_WRITE on an MM_VMA_NOWRITE VMA; nothing changed either). */
int mm_mprotect(struct mm_space *mm, u64 addr, u64 len, u32 prot,
		struct mm_changes *ch);
/* brk(2): returns the break after the call (the old one on failure). */
u64 mm_brk(struct mm_space *mm, u64 brk, struct mm_changes *ch);
/* Loader: set the initial break (page aligned, above every segment). */
void mm_set_brk(struct mm_space *mm, u64 start_brk);
u64 mm_stack_top(const struct mm_space *mm);

/* msync(2) on the memory node, after the processor wrote its dirty lines
 * back: every dirty page of a shared file mapping in [addr, addr + len)
 * goes back to its file.  Checks as Linux (-EINVAL; -ENOMEM when part of
 * the range is unmapped, after the mapped part was written); -EIO when a
 * write failed. */
int mm_msync(struct mm_space *mm, u64 addr, u64 len, u32 flags);

/* The page cache's occupancy (tests, leak checks): pages it holds now,
 * and fills from files (read_page calls) and lookups that found the page
 * since boot. */
struct mm_pagecache_stats {
	u64 pages;
	u64 fills;
	u64 hits;
	u64 writebacks;		/* write_page calls */
	u64 errors;		/* failed read_page/write_page calls */
};
void mm_pagecache_get_stats(struct mm_pagecache_stats *out);

/* A page fault from the owning processor.  Copies the page to @buf (4096
 * bytes; NULL for a processor-side zero-fill, which only records the
 * page).  *@writable says whether the processor may map it writable.
 * -EFAULT: no VMA; -EACCES: the VMA forbids the access; -ENOMEM;
 * -ENXIO: a file page wholly past the end of its file (SIGBUS); or the
 * file callback's error. */
#define MM_FAULT_WRITE	0x1
int mm_fault(struct mm_space *mm, u64 va, u32 flags, void *buf,
	     bool *writable);
/* Write back a dirty line (PCACHE_FLUSH): only into a page the processor
 * was given writable.  -EFAULT otherwise. */
int mm_flush(struct mm_space *mm, u64 va, const void *data);
/* The same for callers that exclude every VMA change of @mm themselves
 * (the P2M service's per-process lock held shared): they take no
 * mm->lock, so many run at once on one space.  mm_fault_shared returns
 * -EAGAIN where the fault would grow a stack VMA (then call mm_fault
 * with VMA changes excluded).  mm_page_present_shared: is the page at
 * @va present here? */
int mm_fault_shared(struct mm_space *mm, u64 va, u32 flags, void *buf,
		    bool *writable);
int mm_flush_shared(struct mm_space *mm, u64 va, const void *data);
bool mm_page_present_shared(struct mm_space *mm, u64 va);
/* Copy @len bytes to user memory of @mm as the kernel (loader: stack image,
 * zeroing the tail of .data's last page); faults pages in, ignores
 * protections.  -EFAULT outside any VMA. */
int mm_write(struct mm_space *mm, u64 va, const void *data, u64 len);
/* Same, writing zeroes (the loader's partial pages after p_filesz). */
int mm_zero(struct mm_space *mm, u64 va, u64 len);
/* Same, reading (tests, /proc/PID/mem, core dumps). */
int mm_read(struct mm_space *mm, u64 va, void *data, u64 len);

/* /proc/PID/maps and tests: one VMA. */
struct mm_vma_info {
	u64 start, end;
	u32 prot;		/* PROT_* */
	u32 flags;		/* MM_VMA_* */
	u64 file;		/* MM_VMA_FILE: inode handle; shared
				 * anonymous: shared-memory object id */
	u64 off;		/* offset of start in that file/object */
};
#define MM_VMA_SHARED		0x1
#define MM_VMA_GROWSDOWN	0x2
#define MM_VMA_FILE		0x4
#define MM_VMA_NOWRITE		0x8	/* shared file VMA, never writable */
/* Fill up to @max entries in address order; returns the VMA count. */
unsigned int mm_space_vmas(struct mm_space *mm, struct mm_vma_info *v,
			   unsigned int max);
/* Pages (4 KiB) the space maps now, and the memory manager's pages in use
 * across all spaces (data and page-table pages; for leak checks). */
u64 mm_space_rss(struct mm_space *mm);
u64 mm_pages_in_use(void);

#endif
