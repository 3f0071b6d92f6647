/* managers/memory/mmap.c — mmap(2), munmap(2) and address placement.
 *
 * Placement is Linux's x86-64 default: a hint is taken (rounded down to a
 * page) when the range is free; otherwise the highest free gap below
 * mmap_base is used (top-down), then anything below MM_TASK_SIZE.  Gaps
 * keep MM_STACK_GUARD_GAP free below GROWSDOWN VMAs.  MAP_32BIT searches
 * [1 GiB, 2 GiB) only.  The gap search walks the VMA list from the top:
 * O(number of VMAs) — fine for the VMA counts of real programs; an
 * augmented tree (largest gap per subtree) is the upgrade path.
 *
 * Unsupported, returning what Linux returns on a default system:
 * MAP_HUGETLB (-ENOMEM: no huge pages reserved), MAP_SYNC (-EOPNOTSUPP,
 * no DAX).  MAP_NORESERVE, MAP_STACK, MAP_LOCKED, MAP_NONBLOCK,
 * MAP_DENYWRITE, MAP_EXECUTABLE and MAP_UNINITIALIZED change nothing here;
 * MAP_POPULATE is honoured by the caller.
 *
 * Locking: the public functions take mm->lock.  Callers: the P2M_MMAP and
 * P2M_MUNMAP handlers, the loader (loader/exec.c).
 */
#include <kernel/panic.h>
#include <mm/mm.h>
#include "internal.h"

#define MAP_32BIT_LO	0x40000000ull
#define MAP_32BIT_HI	0x80000000ull
#define MAP_KNOWN	(MAP_TYPE | MAP_FIXED | MAP_ANONYMOUS | MAP_32BIT | \
			 MAP_GROWSDOWN | MAP_DENYWRITE | MAP_EXECUTABLE |   \
			 MAP_LOCKED | MAP_NORESERVE | MAP_POPULATE |        \
			 MAP_NONBLOCK | MAP_STACK | MAP_HUGETLB | MAP_SYNC | \
			 MAP_FIXED_NOREPLACE | MAP_UNINITIALIZED |          \
			 (0x3fu << 26) /* MAP_HUGE_SHIFT size bits */)

/* Identities of shared anonymous memory objects (vma_has_object). */
static u64 shm_next_id;

void mm_changes_add(struct mm_changes *ch, u32 kind, u64 start, u64 end,
		    u64 to, u32 prot)
{
	struct mm_change *c;

	if (!ch)
		return;
	BUG_ON(ch->nr >= MM_CHANGES_MAX);
	c = &ch->c[ch->nr++];
	c->kind = kind;
	c->prot = prot;
	c->start = start;
	c->end = end;
	c->to = to;
}

/* Highest free [a, a + len) inside [lo, hi): 0 and *@out = a, or -ENOMEM. */
int mm_find_gap(struct mm_space *mm, u64 len, u64 lo, u64 hi, u64 *out)
{
	struct vma *v = vma_find(mm, hi);
	u64 top = hi;

	if (v && v->start >= hi) {
		top = MIN(top, vma_gap_start(v));
		v = vma_prev(v);
	} else if (!v) {
		v = rb_entry_safe(rb_last(&mm->vmas), struct vma, rb);
	}
	for (;;) {
		u64 bottom = v ? MAX(v->end, lo) : lo;

		if ((!v || v->end <= top) && top > bottom &&
		    top - bottom >= len) {
			*out = top - len;
			return 0;
		}
		if (!v)
			return -ENOMEM;
		top = MIN(top, vma_gap_start(v));
		if (top <= lo)
			return -ENOMEM;
		v = vma_prev(v);
	}
}

/* A hint is usable if the range is inside the user space and free,
 * including the guard gap below a GROWSDOWN VMA above it. */
static bool hint_ok(struct mm_space *mm, u64 hint, u64 len)
{
	struct vma *v;

	if (hint < MM_MIN_ADDR || hint > MM_TASK_SIZE - len)
		return false;
	v = vma_find(mm, hint);
	return !v || hint + len <= vma_gap_start(v);
}

/* Choose where a non-fixed mapping of @len bytes goes. */
int mm_get_area(struct mm_space *mm, u64 hint, u64 len, u32 flags,
		u64 *out)
{
	if (flags & MAP_32BIT)
		return mm_find_gap(mm, len, MAP_32BIT_LO, MAP_32BIT_HI, out);
	hint = ALIGN_DOWN(hint, MM_PAGE_SIZE);
	if (hint && hint_ok(mm, hint, len)) {
		*out = hint;
		return 0;
	}
	if (!mm_find_gap(mm, len, MM_MIN_ADDR, mm->mmap_base, out))
		return 0;
	return mm_find_gap(mm, len, MM_MIN_ADDR, MM_TASK_SIZE, out);
}

/* Decode step of mmap: everything that does not depend on the tree. */
static int mmap_check_args(u64 *len, u32 flags, u64 off)
{
	u32 type = flags & MAP_TYPE;

	if (off & PAGE_MASK_LOW)
		return -EINVAL;
	if (!*len)
		return -EINVAL;
	if (flags & MAP_ANONYMOUS) {
		/* Linux validates flags only for files; anonymous memory
		 * knows just the two plain types, and no shared stacks. */
		if (type != MAP_SHARED && type != MAP_PRIVATE)
			return -EINVAL;
		if (type == MAP_SHARED && (flags & MAP_GROWSDOWN))
			return -EINVAL;
	} else if (type == MAP_SHARED_VALIDATE) {
		if (flags & ~MAP_KNOWN)
			return -EOPNOTSUPP;
		if (flags & MAP_SYNC)
			return -EOPNOTSUPP;
	} else if (type != MAP_SHARED && type != MAP_PRIVATE) {
		return -EINVAL;
	}
	*len = ALIGN_UP(*len, MM_PAGE_SIZE);
	if (!*len || *len > MM_TASK_SIZE)
		return -ENOMEM;
	if (!(flags & MAP_ANONYMOUS) &&
	    (off >> 12) + (*len >> 12) < (off >> 12))
		return -EOVERFLOW;
	if (flags & MAP_HUGETLB)
		return -ENOMEM;
	return 0;
}

static int mmap_fixed_check(struct mm_space *mm, u64 addr, u64 len,
			    u32 flags)
{
	if (addr & PAGE_MASK_LOW)
		return -EINVAL;
	if (addr > MM_TASK_SIZE || len > MM_TASK_SIZE - addr)
		return -ENOMEM;
	if (addr < MM_MIN_ADDR)
		return -EPERM;
	if ((flags & MAP_FIXED_NOREPLACE) && !vma_range_free(mm, addr,
							     addr + len))
		return -EEXIST;
	return 0;
}

static void vma_fill(struct vma *v, u64 addr, u64 len, u32 prot, u32 flags,
		     u64 file, u64 off, u32 vflags)
{
	v->start = addr;
	v->end = addr + len;
	v->prot = prot & VMA_PROT_MASK;
	v->flags = vflags;
	if ((flags & MAP_TYPE) != MAP_PRIVATE)
		v->flags |= MM_VMA_SHARED;
	if (flags & MAP_GROWSDOWN)
		v->flags |= MM_VMA_GROWSDOWN;
	if (!(flags & MAP_ANONYMOUS)) {
		v->flags |= MM_VMA_FILE;
		v->file = file;
		v->off = off;
	} else if (v->flags & MM_VMA_SHARED) {
		v->file = __atomic_add_fetch(&shm_next_id, 1, __ATOMIC_RELAXED);
		v->off = 0;
	}
}

static int __mm_mmap(struct mm_space *mm, u64 addr, u64 len, u32 prot,
		     u32 flags, u64 file, u64 off, u32 vflags, u64 *addr_out,
		     struct mm_changes *ch)
{
	struct vma_spares s = { 0 };
	bool fixed = flags & (MAP_FIXED | MAP_FIXED_NOREPLACE);
	unsigned int splits = 0;
	int err;

	err = mmap_check_args(&len, flags, off);
	if (err)
		return err;
	if (!(flags & MAP_ANONYMOUS) && (!mm->fops || !mm->fops->read_page))
		return -ENODEV;
	if (fixed) {
		err = mmap_fixed_check(mm, addr, len, flags);
		splits = vma_split_count(mm, addr, addr + len);
	} else {
		err = mm_get_area(mm, addr, len, flags, &addr);
	}
	if (err)
		return err;
	if (mm->nr_vmas + splits + 1 > MM_MAX_MAP_COUNT)
		return -ENOMEM;
	err = vma_spares_get(&s, splits + 1);
	if (err)
		return err;
	/* Act: nothing below can fail. */
	if (fixed && !vma_range_free(mm, addr, addr + len)) {
		vma_isolate(mm, addr, addr + len, &s);
		vma_unmap_range(mm, addr, addr + len);
		mm_changes_add(ch, MM_CHANGE_UNMAP, addr, addr + len, 0, 0);
	}
	{
		struct vma *v = vma_spare_take(&s);

		vma_fill(v, addr, len, prot, flags, file, off, vflags);
		vma_file_hold(mm, v);
		vma_insert(mm, v);
	}
	vma_merge_around(mm, addr, addr + len);
	vma_spares_put(&s);
	*addr_out = addr;
	return 0;
}

int mm_mmap(struct mm_space *mm, u64 addr, u64 len, u32 prot, u32 flags,
	    u64 file, u64 off, u64 *addr_out, struct mm_changes *ch)
{
	int err;

	if (ch)
		ch->nr = 0;
	mutex_lock(&mm->lock);
	err = __mm_mmap(mm, addr, len, prot, flags, file, off, 0, addr_out,
			ch);
	mutex_unlock(&mm->lock);
	return err;
}

int mm_mmap_file(struct mm_space *mm, u64 addr, u64 len, u32 prot,
		 u32 flags, u64 file, u64 off, bool maywrite, u64 *addr_out,
		 struct mm_changes *ch)
{
	bool shared = (flags & MAP_TYPE) != MAP_PRIVATE;
	int err;

	if (flags & MAP_ANONYMOUS)
		return -EINVAL;
	if (shared && !maywrite && (prot & PROT_WRITE))
		return -EACCES;
	if (ch)
		ch->nr = 0;
	mutex_lock(&mm->lock);
	err = __mm_mmap(mm, addr, len, prot, flags, file, off,
			shared && !maywrite ? MM_VMA_NOWRITE : 0, addr_out,
			ch);
	mutex_unlock(&mm->lock);
	return err;
}

/* munmap with mm->lock held; also used by brk and mremap. */
int __mm_munmap(struct mm_space *mm, u64 addr, u64 len,
		       struct mm_changes *ch)
{
	struct vma_spares s = { 0 };
	unsigned int splits;
	int err;

	if ((addr & PAGE_MASK_LOW) || !len)
		return -EINVAL;
	len = ALIGN_UP(len, MM_PAGE_SIZE);
	if (!len || len > MM_TASK_SIZE || addr > MM_TASK_SIZE - len)
		return -EINVAL;
	if (vma_range_free(mm, addr, addr + len))
		return 0;
	splits = vma_split_count(mm, addr, addr + len);
	if (splits == 2 && mm->nr_vmas + 1 > MM_MAX_MAP_COUNT)
		return -ENOMEM;
	err = vma_spares_get(&s, splits);
	if (err)
		return err;
	vma_isolate(mm, addr, addr + len, &s);
	vma_unmap_range(mm, addr, addr + len);
	mm_changes_add(ch, MM_CHANGE_UNMAP, addr, addr + len, 0, 0);
	vma_spares_put(&s);
	return 0;
}

int mm_munmap(struct mm_space *mm, u64 addr, u64 len, struct mm_changes *ch)
{
	int err;

	if (ch)
		ch->nr = 0;
	mutex_lock(&mm->lock);
	err = __mm_munmap(mm, addr, len, ch);
	mutex_unlock(&mm->lock);
	return err;
}
