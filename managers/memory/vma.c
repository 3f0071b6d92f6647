/* managers/memory/vma.c — the VMA tree of an address space.
 *
 * An rbtree of struct vma keyed by start (include/lib/rbtree.h); VMAs
 * never overlap, so "the VMA containing or after an address" is a single
 * descent.  Range operations work in two steps: vma_split_count() tells
 * the decode step how many VMAs vma_isolate() will need, the caller
 * pre-allocates them (vma_spares_get), and then isolate, remove and merge
 * cannot fail.  Merging happens after every change, so the layout is
 * canonical: two neighbours that vma_mergeable() accepts never coexist.
 *
 * Locking: every function here expects mm->lock held (see internal.h).
 * Callers: mmap.c, mremap.c, mprotect.c, brk.c, space.c, fault.c.
 */
#include <kernel/panic.h>
#include <mm/mm.h>
#include "internal.h"

struct vma *vma_first(struct mm_space *mm)
{
	return rb_entry_safe(rb_first(&mm->vmas), struct vma, rb);
}

struct vma *vma_next(struct vma *v)
{
	return rb_entry_safe(rb_next(&v->rb), struct vma, rb);
}

struct vma *vma_prev(struct vma *v)
{
	return rb_entry_safe(rb_prev(&v->rb), struct vma, rb);
}

/* The VMA containing @addr, or else the first one above it; NULL if none. */
struct vma *vma_find(struct mm_space *mm, u64 addr)
{
	struct rb_node *n = mm->vmas.node;
	struct vma *best = NULL;

	while (n) {
		struct vma *v = rb_entry(n, struct vma, rb);

		if (v->end > addr) {
			best = v;
			if (v->start <= addr)
				break;
			n = n->left;
		} else {
			n = n->right;
		}
	}
	return best;
}

/* No VMA intersects [start, end). */
bool vma_range_free(struct mm_space *mm, u64 start, u64 end)
{
	struct vma *v = vma_find(mm, start);

	return !v || v->start >= end;
}

/* Every byte of [start, end) lies in some VMA. */
bool vma_range_mapped(struct mm_space *mm, u64 start, u64 end)
{
	struct vma *v = vma_find(mm, start);
	u64 cur = start;

	while (cur < end) {
		if (!v || v->start > cur)
			return false;
		cur = v->end;
		v = vma_next(v);
	}
	return true;
}

/* @a ends where @b starts and one VMA could describe both. */
bool vma_mergeable(const struct vma *a, const struct vma *b)
{
	if (a->end != b->start || a->prot != b->prot || a->flags != b->flags)
		return false;
	if (!vma_has_object(a))
		return true;
	return a->file == b->file && a->off + (a->end - a->start) == b->off;
}

int vma_spares_get(struct vma_spares *s, unsigned int n)
{
	while (n--) {
		struct vma *v = kzalloc(sizeof(*v));

		if (!v) {
			vma_spares_put(s);
			return -ENOMEM;
		}
		v->rb.left = s->head ? &s->head->rb : NULL;
		s->head = v;
		s->nr++;
	}
	return 0;
}

struct vma *vma_spare_take(struct vma_spares *s)
{
	struct vma *v = s->head;

	BUG_ON(!v);
	s->head = rb_entry_safe(v->rb.left, struct vma, rb);
	s->nr--;
	v->rb.left = NULL;
	return v;
}

void vma_spares_put(struct vma_spares *s)
{
	while (s->head)
		kfree(vma_spare_take(s));
}

static bool vma_less(const struct rb_node *a, const struct rb_node *b)
{
	return rb_entry(a, struct vma, rb)->start <
	       rb_entry(b, struct vma, rb)->start;
}

void vma_insert(struct mm_space *mm, struct vma *v)
{
	BUG_ON(v->start >= v->end || !vma_range_free(mm, v->start, v->end));
	rb_add(&v->rb, &mm->vmas, vma_less);
	mm->nr_vmas++;
}

void vma_remove(struct mm_space *mm, struct vma *v)
{
	rb_erase(&v->rb, &mm->vmas);
	mm->nr_vmas--;
}

void vma_file_hold(struct mm_space *mm, const struct vma *v)
{
	if ((v->flags & MM_VMA_FILE) && mm->fops && mm->fops->hold)
		mm->fops->hold(mm->fctx, v->file);
}

void vma_destroy(struct mm_space *mm, struct vma *v)
{
	if ((v->flags & MM_VMA_FILE) && mm->fops && mm->fops->put)
		mm->fops->put(mm->fctx, v->file);
	kfree(v);
}

/* Split @v at @addr (strictly inside): @v keeps the low part, a spare
 * becomes the high part. */
static void vma_split(struct mm_space *mm, struct vma *v, u64 addr,
		      struct vma_spares *s)
{
	struct vma *hi = vma_spare_take(s);

	hi->start = addr;
	hi->end = v->end;
	hi->prot = v->prot;
	hi->flags = v->flags;
	hi->file = v->file;
	hi->off = vma_has_object(v) ? v->off + (addr - v->start) : 0;
	vma_file_hold(mm, hi);
	v->end = addr;
	vma_insert(mm, hi);
}

/* How many spares vma_isolate(@start, @end) will take (0..2). */
unsigned int vma_split_count(struct mm_space *mm, u64 start, u64 end)
{
	struct vma *v = vma_find(mm, start);
	unsigned int n = 0;

	if (v && v->start < start && v->end > start)
		n++;
	v = vma_find(mm, end);
	if (v && v->start < end && v->end > end)
		n++;
	return n;
}

/* Split so that no VMA crosses @start or @end. */
void vma_isolate(struct mm_space *mm, u64 start, u64 end,
		 struct vma_spares *s)
{
	struct vma *v = vma_find(mm, start);

	if (v && v->start < start && v->end > start)
		vma_split(mm, v, start, s);
	v = vma_find(mm, end);
	if (v && v->start < end && v->end > end)
		vma_split(mm, v, end, s);
}

/* Merge every mergeable pair that touches [start, end]. */
void vma_merge_around(struct mm_space *mm, u64 start, u64 end)
{
	struct vma *v = vma_find(mm, start ? start - 1 : 0);

	while (v && v->start <= end) {
		struct vma *n = vma_next(v);

		if (n && vma_mergeable(v, n)) {
			v->end = n->end;
			vma_remove(mm, n);
			vma_destroy(mm, n);
			continue;
		}
		v = n;
	}
}

/* Remove the VMAs inside [start, end) (already isolated) and their pages;
 * dirty pages of shared file VMAs go back to their files first. */
void vma_unmap_range(struct mm_space *mm, u64 start, u64 end)
{
	struct vma *v = vma_find(mm, start);

	while (v && v->start < end) {
		struct vma *n = vma_next(v);

		BUG_ON(v->start < start || v->end > end);
		filemap_writeback(mm, v, v->start, v->end);
		vma_remove(mm, v);
		vma_destroy(mm, v);
		v = n;
	}
	pgt_unmap(&mm->pgt, start, end);
}

void vma_free_all(struct mm_space *mm)
{
	struct vma *v;

	while ((v = vma_first(mm))) {
		vma_remove(mm, v);
		vma_destroy(mm, v);
	}
}
