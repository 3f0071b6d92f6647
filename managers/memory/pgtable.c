/* managers/memory/pgtable.c — the memory node's software page tables.
 *
 * One per address space: a 4-level radix tree of 512-entry tables (each a
 * zeroed page from alloc_page_zeroed), indexed by 9 bits of the user page
 * number per level like the x86 MMU's.  Interior entries hold the kernel
 * address of the next table (0: none).  A leaf entry is 0 or the address
 * of a struct mm_page with PTE_* flags in its low 4 bits.  Tables are
 * allocated on demand and freed only when the space dies; pgt_prepare()
 * allocates the tables a later pgt_move() needs, so moves cannot fail.
 *
 * struct mm_page is the memory node's page: the 4 KiB of data and a
 * reference count (one per leaf entry mapping it, across spaces after
 * fork), changed atomically; the last put frees it.  File pages live in
 * the page cache (pagecache.c), which holds one more reference, drops
 * their references under its lock and frees the entry around the page.
 * mm_pages_in_use() counts data pages plus table pages, for leak checks.
 *
 * Locking: callers hold the owning space's lock (internal.h).  Callers:
 * vma.c, mremap.c, space.c (fork, exit), fault.c.
 */
#include <kernel/panic.h>
#include <lib/string.h>
#include <mm/mm.h>
#include "internal.h"

#define PGT_LEVELS	4
#define PGT_ENTRIES	512
#define LEAF_SPAN	(MM_PAGE_SIZE * PGT_ENTRIES)	/* 2 MiB */

static u64 pages_in_use;	/* atomic */

u64 mm_pages_in_use(void)
{
	return __atomic_load_n(&pages_in_use, __ATOMIC_RELAXED);
}

static void count_pages(long delta)
{
	__atomic_add_fetch(&pages_in_use, delta, __ATOMIC_RELAXED);
}

/* Give @p (zeroed by its allocator) its data page and one reference. */
int mm_page_init(struct mm_page *p, u32 flags)
{
	BUG_ON((uintptr_t)p & PTE_FLAGS);
	p->data = alloc_page();
	if (!p->data)
		return -ENOMEM;
	p->refs = 1;
	p->flags = flags;
	count_pages(1);
	return 0;
}

struct mm_page *mm_page_alloc(void)
{
	struct mm_page *p = kzalloc(sizeof(*p));

	if (p && mm_page_init(p, 0)) {
		kfree(p);
		p = NULL;
	}
	return p;
}

void mm_page_get(struct mm_page *p)
{
	__atomic_add_fetch(&p->refs, 1, __ATOMIC_RELAXED);
}

/* Free @p's data page (its last reference is gone). */
void mm_page_release(struct mm_page *p)
{
	free_page(p->data);
	count_pages(-1);
}

/* The last reference frees the page.  A cached page's references are
 * dropped by the page cache, under its lock (pagecache_put). */
void mm_page_put(struct mm_page *p)
{
	if (p->flags & MM_PAGE_CACHED) {
		pagecache_put(p);
		return;
	}
	if (__atomic_sub_fetch(&p->refs, 1, __ATOMIC_ACQ_REL))
		return;
	mm_page_release(p);
	kfree(p);
}

u32 mm_page_refs(struct mm_page *p)
{
	return __atomic_load_n(&p->refs, __ATOMIC_ACQUIRE);
}

static unsigned int pgt_index(u64 va, int level)
{
	return (va >> (12 + 9 * level)) & (PGT_ENTRIES - 1);
}

static u64 *table_alloc(void)
{
	u64 *t = alloc_page_zeroed();

	if (t)
		count_pages(1);
	return t;
}

static u64 *entry_table(u64 e)
{
	return (u64 *)(uintptr_t)e;
}

void pgt_init(struct pgtable *pt)
{
	pt->root = NULL;
	pt->rss = 0;
}

/* The leaf entry for @va; with @alloc, missing tables are created (NULL
 * only without memory), else NULL when there is no leaf table. */
u64 *pgt_walk(struct pgtable *pt, u64 va, bool alloc)
{
	u64 *t;
	int level;

	if (!pt->root) {
		if (!alloc || !(pt->root = table_alloc()))
			return NULL;
	}
	t = pt->root;
	for (level = PGT_LEVELS - 1; level > 0; level--) {
		u64 *e = &t[pgt_index(va, level)];

		if (!*e) {
			u64 *n;

			if (!alloc || !(n = table_alloc()))
				return NULL;
			*e = (u64)(uintptr_t)n;
		}
		t = entry_table(*e);
	}
	return &t[pgt_index(va, 0)];
}

/* Allocate the tables covering [start, end): afterwards pgt_walk(alloc)
 * in that range cannot fail.  Tables already made stay on error (they are
 * empty and harmless). */
int pgt_prepare(struct pgtable *pt, u64 start, u64 end)
{
	u64 va;

	for (va = ALIGN_DOWN(start, LEAF_SPAN); va < end; va += LEAF_SPAN)
		if (!pgt_walk(pt, va, true))
			return -ENOMEM;
	return 0;
}

/* Visit every present leaf in [start, end); stop at the first error. */
typedef int (*pgt_visit_fn)(struct pgtable *pt, u64 va, u64 *pte,
			    void *arg);

static int pgt_visit(struct pgtable *pt, u64 *t, int level, u64 base,
		     u64 start, u64 end, pgt_visit_fn fn, void *arg)
{
	u64 span = MM_PAGE_SIZE << (9 * level);
	unsigned int i;
	int err;

	for (i = 0; i < PGT_ENTRIES; i++) {
		u64 lo = base + i * span, hi = lo + span;

		if (hi <= start || lo >= end || !t[i])
			continue;
		if (level == 0)
			err = fn(pt, lo, &t[i], arg);
		else
			err = pgt_visit(pt, entry_table(t[i]), level - 1, lo,
					start, end, fn, arg);
		if (err)
			return err;
	}
	return 0;
}

static int pgt_for_each(struct pgtable *pt, u64 start, u64 end,
			pgt_visit_fn fn, void *arg)
{
	if (!pt->root)
		return 0;
	return pgt_visit(pt, pt->root, PGT_LEVELS - 1, 0, start, end, fn, arg);
}

static int unmap_one(struct pgtable *pt, u64 va, u64 *pte, void *arg)
{
	mm_page_put(pte_page(*pte));
	*pte = 0;
	pt->rss--;
	return 0;
}

/* Drop every page mapped in [start, end). */
void pgt_unmap(struct pgtable *pt, u64 start, u64 end)
{
	pgt_for_each(pt, start, end, unmap_one, NULL);
}

static void table_free(u64 *t, int level)
{
	unsigned int i;

	for (i = 0; level > 0 && i < PGT_ENTRIES; i++)
		if (t[i])
			table_free(entry_table(t[i]), level - 1);
	free_page(t);
	count_pages(-1);
}

void pgt_destroy(struct pgtable *pt)
{
	pgt_unmap(pt, 0, MM_TASK_SIZE);
	if (pt->root)
		table_free(pt->root, PGT_LEVELS - 1);
	pt->root = NULL;
}

/* Move the entries of [from, from + len) to [to, to + len).  The ranges do
 * not overlap, the destination is empty and pgt_prepare()d. */
void pgt_move(struct pgtable *pt, u64 from, u64 to, u64 len)
{
	u64 i;

	for (i = 0; i < len; i += MM_PAGE_SIZE) {
		u64 *src = pgt_walk(pt, from + i, false), *dst;

		if (!src) {	/* no leaf table: skip to the next one */
			i = ALIGN_UP(from + i + 1, LEAF_SPAN) - from -
			    MM_PAGE_SIZE;
			continue;
		}
		if (!*src)
			continue;
		dst = pgt_walk(pt, to + i, true);
		BUG_ON(!dst || *dst);
		*dst = *src;
		*src = 0;
	}
}

struct copy_arg {
	struct pgtable *dst;
	bool cow;
};

static int copy_one(struct pgtable *pt, u64 va, u64 *pte, void *arg)
{
	struct copy_arg *a = arg;
	u64 *d = pgt_walk(a->dst, va, true);

	if (!d)
		return -ENOMEM;
	mm_page_get(pte_page(*pte));
	*d = *pte & ~PTE_WRITE;
	if (a->cow)
		*d |= PTE_COW;
	a->dst->rss++;
	return 0;
}

/* Fork: map every page of @src in [start, end) into @dst too, with COW in
 * @dst if @cow.  @src is not changed (pgt_wrprotect does that once all
 * copies succeeded).  -ENOMEM leaves @dst partly filled: destroy it. */
int pgt_copy(struct pgtable *dst, struct pgtable *src, u64 start, u64 end,
	     bool cow)
{
	struct copy_arg a = { dst, cow };

	return pgt_for_each(src, start, end, copy_one, &a);
}

static int wrprotect_one(struct pgtable *pt, u64 va, u64 *pte, void *arg)
{
	*pte = (*pte & ~PTE_WRITE) | PTE_COW;
	return 0;
}

/* Make every page in [start, end) copy-on-write (fork, private VMAs). */
void pgt_wrprotect(struct pgtable *pt, u64 start, u64 end)
{
	pgt_for_each(pt, start, end, wrprotect_one, NULL);
}
