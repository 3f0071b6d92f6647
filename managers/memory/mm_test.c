/* managers/memory/mm_test.c — in-kernel selftests of the memory manager
 * with the real allocator and mutexes (the logic itself is covered in
 * depth by tests/host/test_mm_*.c and test_elf_*.c).
 *
 * mm_space_lifecycle: map, fault, write, fork (COW), mremap, munmap,
 * destroy — contents right at every step, and afterwards the memory
 * manager's page count and the buddy allocator's free-page count are back
 * where they started (after kmalloc_shrink), so exit frees everything.
 * mm_space_random: random fixed mmaps, munmaps, mprotects and faults in a
 * window, then destroy; same leak check.
 * mm_space_concurrent: four kthreads write and re-read their own pages of
 * one space while a fifth moves another region back and forth (mremap),
 * flips protections and forks and destroys children (COW under the
 * writers' feet); every read returns what its thread last wrote, and the
 * leak check holds at the end.
 */
#include <kernel/sched.h>
#include <kernel/selftest.h>
#include <lib/string.h>
#include <memory/loader.h>
#include <mm/mm.h>
#include <uapi/errno.h>
#include <uapi/mman.h>

#define X	0x10000000ull
#define PG	MM_PAGE_SIZE
#define ANONF	(MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED)
#define RWP	(PROT_READ | PROT_WRITE)

static bool all_bytes(const u8 *p, u8 v)
{
	u64 i;

	for (i = 0; i < PG; i++)
		if (p[i] != v)
			return false;
	return true;
}

static int lifecycle(struct selftest_ctx *t, u8 *buf)
{
	struct mm_space_params prm = { .node = 0, .tgid = 1 };
	struct mm_space *mm = mm_space_create(&prm), *child = NULL;
	u64 a = 0;
	bool w;

	ST_ASSERT(mm);
	ST_EQ(mm_mmap(mm, X, 8 * PG, RWP, ANONF, 0, 0, &a, NULL), 0);
	ST_EQ(mm_fault(mm, X, 0, buf, &w), 0);
	ST_ASSERT(all_bytes(buf, 0) && w);
	memset(buf, 0x3c, PG);
	ST_EQ(mm_write(mm, X + PG, buf, PG), 0);
	ST_EQ(mm_space_fork(mm, 0, 2, &child, NULL), 0);
	memset(buf, 0x4d, PG);
	ST_EQ(mm_write(child, X + PG, buf, PG), 0);
	ST_EQ(mm_read(mm, X + PG, buf, PG), 0);
	ST_ASSERT(all_bytes(buf, 0x3c));
	ST_EQ(mm_mremap(mm, X, 8 * PG, 16 * PG, MREMAP_MAYMOVE | MREMAP_FIXED,
			X + 64 * PG, &a, NULL), 0);
	ST_EQ(mm_read(mm, a + PG, buf, PG), 0);
	ST_ASSERT(all_bytes(buf, 0x3c));
	ST_EQ(mm_fault(mm, X, 0, buf, &w), -EFAULT);
	ST_EQ(mm_munmap(mm, a, 4 * PG, NULL), 0);
	mm_space_destroy(child);
	mm_space_destroy(mm);
	return 0;
}

SELFTEST(mm_space_lifecycle)
{
	unsigned long free0;
	u64 pages0 = mm_pages_in_use();
	u8 *buf;
	int err;

	kmalloc_shrink();
	free0 = nr_free_pages();
	buf = kmalloc(PG);
	ST_ASSERT(buf);
	err = lifecycle(t, buf);
	kfree(buf);
	if (err)
		return err;
	kmalloc_shrink();
	ST_EQ(mm_pages_in_use(), pages0);
	ST_EQ(nr_free_pages(), free0);
	return 0;
}

static u64 xorshift(u64 *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

SELFTEST(mm_space_random)
{
	struct mm_space_params prm = { .node = 0, .tgid = 3 };
	u64 seed = 0x1234567, pages0 = mm_pages_in_use(), a;
	struct mm_space *mm;
	unsigned long free0;
	int i;
	bool w;

	kmalloc_shrink();
	free0 = nr_free_pages();
	mm = mm_space_create(&prm);
	ST_ASSERT(mm);
	for (i = 0; i < 3000; i++) {
		u64 s = xorshift(&seed) % 256, n = 1 + xorshift(&seed) % 32;
		u32 prot = xorshift(&seed) % 8, op = xorshift(&seed) % 4;
		int err = 0;

		if (op == 0)
			err = mm_mmap(mm, X + s * PG, n * PG, prot, ANONF, 0, 0,
				      &a, NULL);
		else if (op == 1)
			err = mm_munmap(mm, X + s * PG, n * PG, NULL);
		else if (op == 2)
			err = mm_mprotect(mm, X + s * PG, n * PG, prot, NULL);
		else
			err = mm_fault(mm, X + s * PG, prot & 1, NULL, &w);
		if (err && err != -ENOMEM && err != -EFAULT && err != -EACCES)
			ST_FAIL("op %u at page %llu: %d", op, s, err);
	}
	mm_space_destroy(mm);
	kmalloc_shrink();
	ST_EQ(mm_pages_in_use(), pages0);
	ST_EQ(nr_free_pages(), free0);
	return 0;
}

#define CC_WORKERS	4
#define CC_PAGES	16
#define CC_ROUNDS	400

struct cc_arg {
	struct mm_space *mm;
	unsigned int id;
	volatile bool *stop;
};

static int cc_worker(void *p)
{
	struct cc_arg *a = p;
	u64 base = X + (u64)a->id * CC_PAGES * PG, seed = a->id + 1;
	u8 last[CC_PAGES] = { 0 }, *buf = kmalloc(PG);
	int i, bad = 0;

	if (!buf)
		return -ENOMEM;
	for (i = 0; i < CC_ROUNDS && !bad; i++) {
		unsigned int pg = xorshift(&seed) % CC_PAGES;

		if (xorshift(&seed) & 1) {
			last[pg] = (u8)(xorshift(&seed) | 1);
			memset(buf, last[pg], PG);
			bad = mm_write(a->mm, base + pg * PG, buf, PG);
		} else {
			bad = mm_read(a->mm, base + pg * PG, buf, PG);
			if (!bad && !all_bytes(buf, last[pg]))
				bad = -EIO;
		}
	}
	kfree(buf);
	return bad;
}

static int cc_churn(void *p)
{
	struct cc_arg *a = p;
	u64 from = X + 0x1000000, to = X + 0x2000000, got, seed = 99;
	int err = 0;

	while (!*a->stop && !err) {
		struct mm_space *child = NULL;

		err = mm_mremap(a->mm, from, 8 * PG, 8 * PG, MREMAP_MAYMOVE |
				MREMAP_FIXED, to, &got, NULL);
		if (!err)
			err = mm_mprotect(a->mm, X + 0x3000000, PG,
					  xorshift(&seed) % 8, NULL);
		if (!err && !(xorshift(&seed) % 4)) {
			err = mm_space_fork(a->mm, 0, 9, &child, NULL);
			mm_space_destroy(child);
		}
		got = from;
		from = to;
		to = got;
		msleep(1);
	}
	return err;
}

static int cc_setup(struct selftest_ctx *t, struct mm_space *mm)
{
	u64 a;

	ST_EQ(mm_mmap(mm, X, CC_WORKERS * CC_PAGES * PG, RWP, ANONF, 0, 0, &a,
		      NULL), 0);
	ST_EQ(mm_mmap(mm, X + 0x1000000, 8 * PG, RWP, ANONF, 0, 0, &a, NULL),
	      0);
	ST_EQ(mm_mmap(mm, X + 0x3000000, PG, RWP, ANONF, 0, 0, &a, NULL), 0);
	return mm_zero(mm, X, CC_WORKERS * CC_PAGES * PG);
}

SELFTEST(mm_space_concurrent)
{
	struct mm_space_params prm = { .node = 0, .tgid = 4 };
	struct cc_arg args[CC_WORKERS + 1];
	struct task *tk[CC_WORKERS + 1];
	u64 pages0 = mm_pages_in_use();
	volatile bool stop = false;
	struct mm_space *mm;
	unsigned int i;
	int err = 0;

	mm = mm_space_create(&prm);
	ST_ASSERT(mm);
	if (cc_setup(t, mm)) {
		mm_space_destroy(mm);
		ST_FAIL("setup");
	}
	for (i = 0; i <= CC_WORKERS; i++) {
		args[i] = (struct cc_arg){ mm, i, &stop };
		tk[i] = kthread_run(i < CC_WORKERS ? cc_worker : cc_churn,
				    &args[i], "mm_cc");
		ST_ASSERT(tk[i]);
	}
	for (i = 0; i < CC_WORKERS; i++)
		err |= kthread_join(tk[i]);
	stop = true;
	err |= kthread_join(tk[CC_WORKERS]);
	mm_space_destroy(mm);
	ST_EQ(err, 0);
	ST_EQ(mm_pages_in_use(), pages0);
	return 0;
}
