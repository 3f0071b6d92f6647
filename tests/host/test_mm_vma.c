/* tests/host/test_mm_vma.c — VMA layout scenarios of the memory manager:
 * mmap placement and flags, MAP_FIXED replacement and its unmap
 * notification, munmap of partial ranges, mprotect splitting/merging and
 * its "rights narrowed" output, mremap's shrink/grow/move/fixed cases,
 * brk, and every Linux errno on bad arguments.  Then: allocation failure
 * injected at every step of each operation leaves the layout unchanged
 * (validate-then-act), and a random-operation run against a page-granular
 * model checks split/merge and the canonical layout after each step.
 * Expected layouts follow what Linux produces for the same calls
 * (test_mm_linux.c compares against the host kernel directly).
 */
#include "mm_test_common.h"

static void test_mmap_topdown(void)
{
	struct mm_space *mm = new_space();
	u64 base = mm->mmap_base, a, b, c;

	a = do_mmap(mm, 0, P(4), RW, ANON);
	b = do_mmap(mm, 0, P(2), RW, ANON);
	c = do_mmap(mm, 0, 100, PROT_READ, ANON);	/* rounded to a page */
	CHECK_EQ(a, base - P(4));
	CHECK_EQ(b, base - P(6));
	CHECK_EQ(c, base - P(7));
	CHECK_LAYOUT(mm, base, "-7--6 r--p;-6-0 rw-p;");
	CHECK(space_ok(mm), "invariants");
	mm_space_destroy(mm);
}

static void test_mmap_hint(void)
{
	struct mm_space *mm = new_space();
	u64 h = 0x200000000ull;

	CHECK_EQ(do_mmap(mm, h, P(3), RW, ANON), h);
	/* Taken: goes top-down below mmap_base instead. */
	CHECK_EQ(do_mmap(mm, h + P(1), P(1), RW, ANON), mm->mmap_base - P(1));
	/* Unaligned hint is rounded down when free. */
	CHECK_EQ(do_mmap(mm, h + P(10) + 123, P(1), RW, ANON), h + P(10));
	/* Hint below mmap_min_addr is not used. */
	CHECK(do_mmap(mm, 0x1000, P(1), RW, ANON) >= MM_MIN_ADDR, "min");
	CHECK(space_ok(mm), "invariants");
	mm_space_destroy(mm);
}

static void test_mmap_fixed_replace(void)
{
	struct mm_space *mm = new_space();
	struct mm_changes ch;
	u64 x = 0x10000000, out;

	CHECK_EQ(do_mmap(mm, x, P(10), RW, FIXED), x);
	CHECK_EQ(mm_mmap(mm, x + P(4), P(2), PROT_READ, FIXED, 0, 0, &out,
			 &ch), 0);
	CHECK_EQ(out, x + P(4));
	CHECK_LAYOUT(mm, x, "0-4 rw-p;4-6 r--p;6-10 rw-p;");
	CHECK_EQ(ch.nr, 1);
	CHECK_EQ(ch.c[0].kind, MM_CHANGE_UNMAP);
	CHECK_EQ(ch.c[0].start, x + P(4));
	CHECK_EQ(ch.c[0].end, x + P(6));
	/* Fixed over free space: no notification. */
	CHECK_EQ(mm_mmap(mm, x + P(20), P(1), RW, FIXED, 0, 0, &out, &ch), 0);
	CHECK_EQ(ch.nr, 0);
	/* Fixed across several VMAs and a hole. */
	CHECK_EQ(mm_mmap(mm, x + P(2), P(20), PROT_EXEC, FIXED, 0, 0, &out,
			 &ch), 0);
	CHECK_LAYOUT(mm, x, "0-2 rw-p;2-22 --xp;");
	CHECK_EQ(ch.nr, 1);
	CHECK(space_ok(mm), "invariants");
	mm_space_destroy(mm);
}

static void test_mmap_noreplace(void)
{
	struct mm_space *mm = new_space();
	u64 x = 0x10000000;

	CHECK_EQ(do_mmap(mm, x, P(4), RW, FIXED), x);
	CHECK_EQ((s64)do_mmap(mm, x + P(3), P(2), RW,
			      ANON | MAP_FIXED_NOREPLACE), -EEXIST);
	CHECK_EQ(do_mmap(mm, x + P(4), P(2), RW, ANON | MAP_FIXED_NOREPLACE),
		 x + P(4));
	CHECK_EQ((s64)do_mmap(mm, x + 1, P(2), RW, ANON | MAP_FIXED_NOREPLACE),
		 -EINVAL);
	CHECK_LAYOUT(mm, x, "0-6 rw-p;");
	mm_space_destroy(mm);
}

static void test_mmap_flags(void)
{
	struct mm_space *mm = new_space();
	u64 x = 0x10000000, a;

	a = do_mmap(mm, x, P(2), RW, FIXED | MAP_GROWSDOWN);
	CHECK_EQ(a, x);
	do_mmap(mm, x + P(2), P(2), RW, MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED);
	do_mmap(mm, x + P(4), P(2), RW, FIXED | MAP_NORESERVE | MAP_POPULATE |
		MAP_STACK);
	CHECK_LAYOUT(mm, x, "0-2 rw-pg;2-4 rw-s;4-6 rw-p;");
	/* Top-down placement keeps the guard gap below GROWSDOWN. */
	a = do_mmap(mm, x + P(6) + MM_STACK_GUARD_GAP, P(1), RW, ANON);
	CHECK_EQ(a, x + P(6) + MM_STACK_GUARD_GAP);
	a = do_mmap(mm, 0, P(1), RW, ANON | MAP_32BIT);
	CHECK(a >= 0x40000000 && a + P(1) <= 0x80000000, "32bit %llx",
	      (unsigned long long)a);
	CHECK(space_ok(mm), "invariants");
	mm_space_destroy(mm);
}

static void test_mmap_errors(void)
{
	struct mm_space *mm = new_space();
	u64 out = 0;

#define E(expr, want) CHECK_EQ((s64)(expr), want)
	E(do_mmap(mm, 0, 0, RW, ANON), -EINVAL);
	E(do_mmap(mm, 0, P(1), RW, MAP_ANONYMOUS), -EINVAL);	/* no type */
	E(do_mmap(mm, 0, P(1), RW, MAP_ANONYMOUS | 0x0f), -EINVAL);
	E(do_mmap(mm, 0x10000001, P(1), RW, FIXED), -EINVAL);
	E(do_mmap(mm, MM_TASK_SIZE - P(1), P(2), RW, FIXED), -ENOMEM);
	/* Above the user address space: MM_TASK_SIZE - addr must not wrap. */
	E(do_mmap(mm, ~0ull - P(2) + 1, P(1), RW, FIXED), -ENOMEM);
	E(do_mmap(mm, MM_TASK_SIZE + P(1), P(1), RW, FIXED), -ENOMEM);
	E(do_mmap(mm, 0x1000, P(1), RW, FIXED), -EPERM);
	E(do_mmap(mm, 0, ~0ull - 10, RW, ANON), -ENOMEM);
	E(do_mmap(mm, 0, 1ull << 47, RW, ANON), -ENOMEM);
	E(do_mmap(mm, 0, P(1), RW, MAP_SHARED_VALIDATE | MAP_ANONYMOUS),
	  -EINVAL);
	E(do_mmap(mm, 0, P(1), RW, MAP_SHARED | MAP_ANONYMOUS | MAP_GROWSDOWN),
	  -EINVAL);
	E(mm_mmap(mm, 0, P(1), RW, MAP_SHARED_VALIDATE | 0x800000, 7, 0, &out,
		  NULL), -EOPNOTSUPP);
	E(mm_mmap(mm, 0, P(1), RW, MAP_SHARED_VALIDATE | MAP_SYNC, 7, 0, &out,
		  NULL), -EOPNOTSUPP);
	E(do_mmap(mm, 0, P(1), RW, ANON | MAP_HUGETLB), -ENOMEM);
	E(mm_mmap(mm, 0, P(1), RW, MAP_PRIVATE, 7, 123, &out, NULL), -EINVAL);
	E(mm_mmap(mm, 0, P(1), RW, MAP_PRIVATE, 7, 0, &out, NULL), -ENODEV);
	/* Unknown flags without MAP_SHARED_VALIDATE are ignored, as Linux. */
	CHECK(do_mmap(mm, 0, P(1), RW, ANON | 0x800000) < MM_TASK_SIZE, "x");
#undef E
	CHECK_EQ(mm->nr_vmas, 1);
	mm_space_destroy(mm);
}

static void test_munmap(void)
{
	struct mm_space *mm = new_space();
	struct mm_changes ch;
	u64 x = 0x10000000;

	do_mmap(mm, x, P(10), RW, FIXED);
	do_mmap(mm, x + P(12), P(4), PROT_READ, FIXED);
	CHECK_EQ(mm_munmap(mm, x + P(3), P(2), &ch), 0);	/* middle */
	CHECK_LAYOUT(mm, x, "0-3 rw-p;5-10 rw-p;12-16 r--p;");
	CHECK_EQ(ch.nr, 1);
	CHECK_EQ(mm_munmap(mm, x, P(1), &ch), 0);		/* head */
	CHECK_EQ(mm_munmap(mm, x + P(9), 1, &ch), 0);	/* tail, len rounded */
	CHECK_LAYOUT(mm, x, "1-3 rw-p;5-9 rw-p;12-16 r--p;");
	CHECK_EQ(mm_munmap(mm, x + P(8), P(6), &ch), 0);	/* across a hole */
	CHECK_LAYOUT(mm, x, "1-3 rw-p;5-8 rw-p;14-16 r--p;");
	CHECK_EQ(mm_munmap(mm, x + P(100), P(6), &ch), 0);	/* nothing */
	CHECK_EQ(ch.nr, 0);
	CHECK_EQ(mm_munmap(mm, x + 1, P(1), &ch), -EINVAL);
	CHECK_EQ(mm_munmap(mm, x, 0, &ch), -EINVAL);
	CHECK_EQ(mm_munmap(mm, MM_TASK_SIZE - P(1), P(2), &ch), -EINVAL);
	CHECK_EQ(mm_munmap(mm, x, ~0ull, &ch), -EINVAL);
	CHECK(space_ok(mm), "invariants");
	mm_space_destroy(mm);
}

static void test_mprotect(void)
{
	struct mm_space *mm = new_space();
	struct mm_changes ch;
	u64 x = 0x10000000;

	do_mmap(mm, x, P(10), RW, FIXED);
	CHECK_EQ(mm_mprotect(mm, x + P(2), P(3), PROT_READ, &ch), 0);
	CHECK_LAYOUT(mm, x, "0-2 rw-p;2-5 r--p;5-10 rw-p;");
	CHECK_EQ(ch.nr, 1);
	CHECK_EQ(ch.c[0].kind, MM_CHANGE_PROTECT);
	CHECK_EQ(ch.c[0].prot, PROT_READ);
	/* Widening: no notification; merges back into one VMA. */
	CHECK_EQ(mm_mprotect(mm, x + P(2), P(3), RW, &ch), 0);
	CHECK_EQ(ch.nr, 0);
	CHECK_LAYOUT(mm, x, "0-10 rw-p;");
	/* Narrowing write, adding exec: still narrowed. */
	CHECK_EQ(mm_mprotect(mm, x, P(1), PROT_READ | PROT_EXEC, &ch), 0);
	CHECK_EQ(ch.nr, 1);
	/* A hole: -ENOMEM, nothing changed. */
	do_mmap(mm, x + P(12), P(2), RW, FIXED);
	CHECK_EQ(mm_mprotect(mm, x + P(5), P(8), PROT_NONE, &ch), -ENOMEM);
	CHECK_LAYOUT(mm, x, "0-1 r-xp;1-10 rw-p;12-14 rw-p;");
	CHECK_EQ(mm_mprotect(mm, x + P(50), P(1), PROT_NONE, &ch), -ENOMEM);
	CHECK_EQ(mm_mprotect(mm, x + 1, P(1), PROT_NONE, &ch), -EINVAL);
	CHECK_EQ(mm_mprotect(mm, x, P(1), 0x10, &ch), -EINVAL);
	CHECK_EQ(mm_mprotect(mm, x, P(1), PROT_GROWSDOWN | PROT_GROWSUP, &ch),
		 -EINVAL);
	CHECK_EQ(mm_mprotect(mm, x, P(1), PROT_READ | PROT_GROWSDOWN, &ch),
		 -EINVAL);
	CHECK_EQ(mm_mprotect(mm, x, 0, 0x10, &ch), 0);	/* len 0 first */
	CHECK_EQ(mm_mprotect(mm, x, ~0ull, PROT_READ, &ch), -ENOMEM);
	/* PROT_GROWSDOWN extends to the start of a stack VMA. */
	do_mmap(mm, x + P(30), P(4), RW, FIXED | MAP_GROWSDOWN);
	CHECK_EQ(mm_mprotect(mm, x + P(32), P(1), PROT_READ | PROT_WRITE |
			     PROT_EXEC | PROT_GROWSDOWN, &ch), 0);
	CHECK_LAYOUT(mm, x,
		     "0-1 r-xp;1-10 rw-p;12-14 rw-p;30-33 rwxpg;33-34 rw-pg;");
	CHECK(space_ok(mm), "invariants");
	mm_space_destroy(mm);
}

static void test_mremap(void)
{
	struct mm_space *mm = new_space();
	struct mm_changes ch;
	u64 x = 0x10000000, out = 0;

	do_mmap(mm, x, P(4), RW, FIXED);
	do_mmap(mm, x + P(8), P(2), PROT_READ, FIXED);
	/* Shrink. */
	CHECK_EQ(mm_mremap(mm, x, P(4), P(3), 0, 0, &out, &ch), 0);
	CHECK_EQ(out, x);
	CHECK_EQ(ch.nr, 1);
	CHECK_EQ(ch.c[0].kind, MM_CHANGE_UNMAP);
	/* Grow in place up to the next VMA. */
	CHECK_EQ(mm_mremap(mm, x, P(3), P(8), 0, 0, &out, &ch), 0);
	CHECK_EQ(out, x);
	CHECK_LAYOUT(mm, x, "0-8 rw-p;8-10 r--p;");
	/* Cannot grow further without moving. */
	CHECK_EQ(mm_mremap(mm, x, P(8), P(9), 0, 0, &out, &ch), -ENOMEM);
	CHECK_EQ(mm_mremap(mm, x, P(8), P(9), MREMAP_MAYMOVE, 0, &out, &ch), 0);
	CHECK_EQ(out, mm->mmap_base - P(9));
	CHECK_EQ(ch.nr, 1);
	CHECK_EQ(ch.c[0].kind, MM_CHANGE_MOVE);
	CHECK_EQ(ch.c[0].start, x);
	CHECK_EQ(ch.c[0].end, x + P(8));
	CHECK_EQ(ch.c[0].to, out);
	CHECK(strstr(layout(mm, out), ";0-9 rw-p;"), "%s", layout(mm, out));
	CHECK_EQ(mm->nr_vmas, 2);
	/* MREMAP_FIXED onto an existing mapping replaces it. */
	CHECK_EQ(mm_mremap(mm, out, P(9), P(4), MREMAP_MAYMOVE | MREMAP_FIXED,
			   x + P(7), &out, &ch), 0);
	CHECK_EQ(out, x + P(7));
	CHECK_LAYOUT(mm, x, "7-11 rw-p;");
	CHECK_EQ(ch.nr, 3);	/* unmap dest, move, unmap old tail */
	CHECK(space_ok(mm), "invariants");
	mm_space_destroy(mm);
}

static void test_mremap_errors(void)
{
	struct mm_space *mm = new_space();
	u64 x = 0x10000000, out = 0;

	do_mmap(mm, x, P(4), RW, FIXED);
	do_mmap(mm, x + P(4), P(4), PROT_READ, FIXED);
#define E(expr, want) CHECK_EQ(expr, want)
	E(mm_mremap(mm, x, P(1), P(2), 0x8, 0, &out, NULL), -EINVAL);
	E(mm_mremap(mm, x, P(1), P(2), MREMAP_FIXED, x + P(20), &out, NULL),
	  -EINVAL);
	E(mm_mremap(mm, x, P(1), P(2), MREMAP_DONTUNMAP | MREMAP_MAYMOVE, 0,
		    &out, NULL), -EINVAL);
	E(mm_mremap(mm, x + 1, P(1), P(2), 0, 0, &out, NULL), -EINVAL);
	E(mm_mremap(mm, x, P(1), 0, 0, 0, &out, NULL), -EINVAL);
	E(mm_mremap(mm, x, P(2), P(2), MREMAP_MAYMOVE | MREMAP_FIXED, x + P(1),
		    &out, NULL), -EINVAL);	/* overlapping */
	E(mm_mremap(mm, x, P(2), P(2), MREMAP_MAYMOVE | MREMAP_FIXED,
		    x + P(20) + 1, &out, NULL), -EINVAL);
	E(mm_mremap(mm, x + P(30), P(1), P(2), MREMAP_MAYMOVE, 0, &out, NULL),
	  -EFAULT);
	E(mm_mremap(mm, x, P(6), P(8), MREMAP_MAYMOVE, 0, &out, NULL), -EFAULT);
	E(mm_mremap(mm, x, P(4), P(5), 0, 0, &out, NULL), -ENOMEM);
#undef E
	CHECK_LAYOUT(mm, x, "0-4 rw-p;4-8 r--p;");
	mm_space_destroy(mm);
}

static void test_mremap_dontunmap(void)
{
	struct mm_space *mm = new_space();
	struct mm_changes ch;
	u64 x = 0x10000000, out = 0;

	do_mmap(mm, x, P(4), RW, FIXED);
	CHECK_EQ(mm_mremap(mm, x, P(4), P(4), MREMAP_MAYMOVE | MREMAP_DONTUNMAP,
			   0, &out, &ch), 0);
	CHECK_EQ(out, mm->mmap_base - P(4));
	CHECK_EQ(mm->nr_vmas, 2);
	CHECK_EQ(ch.nr, 1);
	CHECK_EQ(ch.c[0].kind, MM_CHANGE_MOVE);
	mm_space_destroy(mm);
}

static void test_brk(void)
{
	struct mm_space *mm = new_space();
	struct mm_changes ch;
	u64 b = 0x600000;

	CHECK_EQ(mm_brk(mm, 0, &ch), 0);		/* no break yet */
	mm_set_brk(mm, b - 100);			/* rounded up */
	CHECK_EQ(mm_brk(mm, 0, &ch), b);
	CHECK_EQ(mm_brk(mm, b + 10, &ch), b + 10);
	CHECK_EQ(mm_brk(mm, b + P(3) + 1, &ch), b + P(3) + 1);
	CHECK_LAYOUT(mm, b, "0-4 rw-p;");
	CHECK_EQ(mm_brk(mm, b + P(1), &ch), b + P(1));
	CHECK_EQ(ch.nr, 1);
	CHECK_LAYOUT(mm, b, "0-1 rw-p;");
	CHECK_EQ(mm_brk(mm, b - 1, &ch), b + P(1));	/* below start */
	CHECK_EQ(mm_brk(mm, b, &ch), b);
	CHECK_LAYOUT(mm, b, "");
	/* Another mapping above: growth stops one page short of it. */
	do_mmap(mm, b + P(10), P(1), RW, FIXED);
	CHECK_EQ(mm_brk(mm, b + P(10), &ch), b);
	CHECK_EQ(mm_brk(mm, b + P(9) + 1, &ch), b);
	CHECK_EQ(mm_brk(mm, b + P(9), &ch), b + P(9));
	CHECK_EQ(mm_brk(mm, MM_TASK_SIZE + 1, &ch), b + P(9));
	CHECK(space_ok(mm), "invariants");
	mm_space_destroy(mm);
}

static int fake_read_page(void *ctx, u64 file, u64 off, void *page)
{
	memset(page, (int)(file + off / PGSZ), PGSZ);
	return 0;
}

/* File references the VMAs hold (mm_file_ops hold/put), per file. */
static long fake_refs[16];

static void fake_hold(void *ctx, u64 file)
{
	fake_refs[file & 15]++;
}

static void fake_put(void *ctx, u64 file)
{
	fake_refs[file & 15]--;
}

static const struct mm_file_ops fake_fops = {
	.read_page = fake_read_page, .hold = fake_hold, .put = fake_put,
};

/* Every file's reference count equals the file VMAs naming it in @a and
 * @b (b may be NULL). */
static bool refs_match(struct mm_space *a, struct mm_space *b)
{
	long want[16] = { 0 };
	struct mm_vma_info v[64];
	struct mm_space *mms[2] = { a, b };

	for (int m = 0; m < 2; m++) {
		unsigned int n = mms[m] ? mm_space_vmas(mms[m], v, 64) : 0;

		for (unsigned int i = 0; i < n; i++)
			if (v[i].flags & MM_VMA_FILE)
				want[v[i].file & 15]++;
	}
	for (int f = 0; f < 16; f++)
		if (want[f] != fake_refs[f]) {
			fprintf(stderr, "file %d: %ld references, %ld VMAs\n",
				f, fake_refs[f], want[f]);
			return false;
		}
	return true;
}

/* File references follow the VMAs through split, merge, partial munmap,
 * MAP_FIXED over a file mapping, mremap (move, grow, shrink), fork and
 * exit: the file's owner can tell when no mapping names a file. */
static void test_file_refs(void)
{
	struct mm_space_params p = { 1, 1, 0, 0, &fake_fops, NULL };
	struct mm_space *mm = mm_space_create(&p), *child = NULL;
	u64 x = 0x10000000, out;

	memset(fake_refs, 0, sizeof(fake_refs));
	mm_mmap(mm, x, P(8), PROT_READ, MAP_PRIVATE | MAP_FIXED, 3, 0, &out,
		NULL);
	mm_mmap(mm, x + P(8), P(4), PROT_READ, MAP_SHARED | MAP_FIXED, 4, 0,
		&out, NULL);
	CHECK(refs_match(mm, NULL), "mmap");
	mm_mprotect(mm, x + P(2), P(2), PROT_NONE, NULL);	/* 3 pieces */
	CHECK_EQ(fake_refs[3], 3);
	CHECK(refs_match(mm, NULL), "split");
	mm_mprotect(mm, x + P(2), P(2), PROT_READ, NULL);
	CHECK_EQ(fake_refs[3], 1);
	CHECK(refs_match(mm, NULL), "merge");
	mm_munmap(mm, x + P(5), P(1), NULL);
	CHECK(refs_match(mm, NULL), "partial munmap");
	mm_mmap(mm, x + P(9), P(1), PROT_READ, MAP_PRIVATE | MAP_FIXED |
		MAP_ANONYMOUS, 0, 0, &out, NULL);
	CHECK(refs_match(mm, NULL), "MAP_FIXED inside a file VMA");
	CHECK_EQ(mm_mremap(mm, x, P(2), P(3), MREMAP_MAYMOVE, 0, &out, NULL),
		 0);
	CHECK(refs_match(mm, NULL), "mremap move");
	CHECK_EQ(mm_mremap(mm, out, P(3), P(1), 0, 0, &out, NULL), 0);
	CHECK(refs_match(mm, NULL), "mremap shrink");
	CHECK_EQ(mm_space_fork(mm, 1, 2, &child, NULL), 0);
	CHECK(refs_match(mm, child), "fork");
	mm_space_destroy(child);
	CHECK(refs_match(mm, NULL), "child exit");
	mm_space_destroy(mm);
	for (int f = 0; f < 16; f++)
		CHECK_EQ(fake_refs[f], 0);
}

static void test_file_merge(void)
{
	struct mm_space_params p = { 1, 1, 0, 0, &fake_fops, NULL };
	struct mm_space *mm = mm_space_create(&p);
	u64 x = 0x10000000, out;

	mm_mmap(mm, x, P(2), PROT_READ, MAP_PRIVATE | MAP_FIXED, 5, 0, &out,
		NULL);
	mm_mmap(mm, x + P(2), P(2), PROT_READ, MAP_PRIVATE | MAP_FIXED, 5, P(2),
		&out, NULL);
	mm_mmap(mm, x + P(4), P(2), PROT_READ, MAP_PRIVATE | MAP_FIXED, 5, P(9),
		&out, NULL);
	mm_mmap(mm, x + P(6), P(2), PROT_READ, MAP_PRIVATE | MAP_FIXED, 6,
		P(11), &out, NULL);
	CHECK_LAYOUT(mm, x, "0-4 r--pf;4-6 r--pf;6-8 r--pf;");
	/* Splitting a file VMA keeps offsets continuous; re-merging works. */
	mm_mprotect(mm, x + P(1), P(1), PROT_NONE, NULL);
	{
		struct mm_vma_info v[8];

		mm_space_vmas(mm, v, 8);
		CHECK_EQ(v[1].off, P(1));
		CHECK_EQ(v[2].off, P(2));
	}
	mm_mprotect(mm, x + P(1), P(1), PROT_READ, NULL);
	CHECK_LAYOUT(mm, x, "0-4 r--pf;4-6 r--pf;6-8 r--pf;");
	CHECK(space_ok(mm), "invariants");
	mm_space_destroy(mm);
}

/* Allocation failure at every step: the error is -ENOMEM and the layout is
 * exactly as before; eventually the operation succeeds. */
typedef int (*op_fn)(struct mm_space *mm, u64 x);

static int op_fixed(struct mm_space *mm, u64 x)
{
	u64 out;

	return mm_mmap(mm, x + P(3), P(2), PROT_READ, FIXED, 0, 0, &out, NULL);
}

static int op_unmap(struct mm_space *mm, u64 x)
{
	return mm_munmap(mm, x + P(2), P(1), NULL);
}

static int op_protect(struct mm_space *mm, u64 x)
{
	return mm_mprotect(mm, x + P(1), P(2), PROT_EXEC, NULL);
}

static int op_move(struct mm_space *mm, u64 x)
{
	u64 out;

	return mm_mremap(mm, x + P(2), P(2), P(3), MREMAP_MAYMOVE |
			 MREMAP_FIXED, x + P(40), &out, NULL);
}

static void test_enomem_atomic(void)
{
	op_fn ops[] = { op_fixed, op_unmap, op_protect, op_move };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(ops); i++) {
		long k;

		for (k = 1; k < 50; k++) {
			struct mm_space *mm = new_space();
			u64 x = 0x10000000;
			char before[8192];
			int err;

			do_mmap(mm, x, P(8), RW, FIXED);
			do_mmap(mm, x + P(41), P(1), RW, FIXED);
			strcpy(before, layout(mm, x));
			shim_fail_in = k;
			err = ops[i](mm, x);
			shim_fail_in = 0;
			if (err) {
				CHECK_EQ(err, -ENOMEM);
				CHECK(!strcmp(before, layout(mm, x)),
				      "op %u k %ld changed layout", i, k);
			}
			CHECK(space_ok(mm), "invariants");
			mm_space_destroy(mm);
			if (!err)
				break;
		}
		CHECK(k < 50, "op %u never succeeded", i);
	}
	CHECK_EQ(shim_objs, 0);
}

/* Random fixed mmaps, munmaps and mprotects in a 64-page window against a
 * per-page model (prot + 1, or 0 for unmapped). */
#define WIN	64
static void test_random_model(void)
{
	struct mm_space *mm = new_space();
	u64 x = 0x10000000;
	int model[WIN] = { 0 }, round;

	for (round = 0; round < 20000; round++) {
		unsigned int s = rnd() % WIN, n = 1 + rnd() % (WIN - s), i;
		u32 prot = rnd() % 8, op = rnd() % 3;
		int err = 0;
		u64 out;

		if (op == 0) {
			err = mm_mmap(mm, x + P(s), P(n), prot, FIXED, 0, 0,
				      &out, NULL);
			for (i = s; i < s + n; i++)
				model[i] = prot + 1;
		} else if (op == 1) {
			err = mm_munmap(mm, x + P(s), P(n), NULL);
			for (i = s; i < s + n; i++)
				model[i] = 0;
		} else {
			bool hole = false;

			for (i = s; i < s + n; i++)
				hole |= !model[i];
			err = mm_mprotect(mm, x + P(s), P(n), prot, NULL);
			CHECK_EQ(err, hole ? -ENOMEM : 0);
			for (i = s; i < s + n && !hole; i++)
				model[i] = prot + 1;
			err = 0;
		}
		CHECK_EQ(err, 0);
		for (i = 0; i < WIN; i++) {
			struct vma *v = vma_find(mm, x + P(i));
			int got = v && v->start <= x + P(i) ? (int)v->prot + 1
							    : 0;

			CHECK(got == model[i], "round %d page %u: %d want %d",
			      round, i, got, model[i]);
		}
		CHECK(space_ok(mm), "invariants at round %d", round);
		if (harness_why[0])
			break;
	}
	mm_space_destroy(mm);
}

int main(void)
{
	RUN(test_mmap_topdown);
	RUN(test_mmap_hint);
	RUN(test_mmap_fixed_replace);
	RUN(test_mmap_noreplace);
	RUN(test_mmap_flags);
	RUN(test_mmap_errors);
	RUN(test_munmap);
	RUN(test_mprotect);
	RUN(test_mremap);
	RUN(test_mremap_errors);
	RUN(test_mremap_dontunmap);
	RUN(test_brk);
	RUN(test_file_merge);
	RUN(test_file_refs);
	RUN(test_enomem_atomic);
	RUN(test_random_model);
	CHECK_EQ(shim_objs, 0);
	return harness_exit();
}
