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
 */
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
