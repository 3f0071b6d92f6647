/* managers/memory/pagecache_test.c — in-kernel selftests of the memory
 * node's page cache (pagecache.c) and file VMAs (filemap.c), with the
 * real allocator, mutexes and kthreads, on a file held in kernel memory
 * whose read_page and write_page count their calls.
 *
 * mm_pagecache_share: two spaces map the file, private and shared.  One
 * fill per page however many mappers; a private write copies the page
 * (the file and the other space unchanged); a shared write-back lands in
 * the cached page (the other space's private mapping sees it until it
 * writes) and reaches the file at msync, at munmap and at exit (a fork
 * child's too), never past the end of the file; the page past the end is
 * -ENXIO; the last page's tail is zero.  Afterwards the cache is empty
 * and the memory manager's page count is back where it started.
 * mm_pagecache_concurrent: four kthreads, each with its own spaces, map
 * and fault the same file pages, fork and destroy, so lookups race with
 * the last mappings' puts; every page read is the file's, and nothing leaks.
 */
#include <kernel/sched.h>
#include <kernel/selftest.h>
#include <lib/random.h>
#include <lib/string.h>
#include <mm/mm.h>
#include <uapi/errno.h>
#include <uapi/mman.h>
#include "internal.h"

#define PG		MM_PAGE_SIZE
#define FSIZE		(2 * PG + 100)	/* three pages, the last partial */
#define RWP		(PROT_READ | PROT_WRITE)
#define A		0x10000000ull
#define B		0x20000000ull

static u8 tfile[FSIZE];
static u64 t_reads, t_writes;

static int t_read_page(void *ctx, u64 file, u64 off, void *page)
{
	u64 n;

	__atomic_fetch_add(&t_reads, 1, __ATOMIC_RELAXED);
	if (off >= FSIZE)
		return -ENXIO;
	n = MIN(PG, FSIZE - off);
	memcpy(page, tfile + off, n);
	memset((u8 *)page + n, 0, PG - n);
	return 0;
}

static int t_write_page(void *ctx, u64 file, u64 off, const void *page)
{
	__atomic_fetch_add(&t_writes, 1, __ATOMIC_RELAXED);
	if (off < FSIZE)
		memcpy(tfile + off, page, MIN(PG, FSIZE - off));
	return 0;
}

static const struct mm_file_ops t_fops = { .read_page = t_read_page,
					   .write_page = t_write_page };

static struct mm_space *t_space(u32 tgid)
{
	struct mm_space_params p = { .node = 0, .tgid = tgid,
				     .fops = &t_fops };

	return mm_space_create(&p);
}

static u8 pat(u64 i)
{
	return (u8)(i / 5 + 1);
}

static void t_fill_file(void)
{
	for (u64 i = 0; i < FSIZE; i++)
		tfile[i] = pat(i);
}

static bool page_is(const u8 *p, u64 off)
{
	for (u64 i = 0; i < PG; i++)
		if (p[i] != (off + i < FSIZE ? pat(off + i) : 0))
			return false;
	return true;
}

/* Map the file at A (private) and B (shared) in @mm. */
static int t_map(struct mm_space *mm)
{
	u64 a;
	int err = mm_mmap(mm, A, 4 * PG, RWP, MAP_PRIVATE | MAP_FIXED, 7, 0,
			  &a, NULL);

	return err ? err : mm_mmap(mm, B, 4 * PG, RWP,
				   MAP_SHARED | MAP_FIXED, 7, 0, &a, NULL);
}

static int share_steps(struct selftest_ctx *t, struct mm_space *m1,
		       struct mm_space *m2, u8 *buf)
{
	u64 reads = t_reads;
	bool w;

	ST_EQ(mm_fault(m1, A + PG, 0, buf, &w), 0);
	ST_ASSERT(page_is(buf, PG) && !w);	/* private: COW, read-only */
	ST_EQ(mm_fault(m2, B + PG, 0, buf, &w), 0);
	ST_ASSERT(page_is(buf, PG) && w);	/* shared: writable */
	ST_EQ(mm_fault(m2, A + 2 * PG, 0, buf, &w), 0);
	ST_ASSERT(page_is(buf, 2 * PG));	/* tail zero */
	ST_EQ(t_reads - reads, 2);		/* one fill per page */
	ST_EQ(mm_fault(m1, A + 3 * PG, 0, buf, &w), -ENXIO);
	/* A private write: a copy, nowhere else. */
	ST_EQ(mm_fault(m1, A + PG, MM_FAULT_WRITE, buf, &w), 0);
	memset(buf, 0xee, PG);
	ST_EQ(mm_flush(m1, A + PG, buf), 0);
	ST_EQ(mm_fault(m2, A + PG, 0, buf, &w), 0);
	ST_ASSERT(page_is(buf, PG));
	/* A shared write: in the cached page, in the file at msync. */
	memset(buf, 0x5a, PG);
	ST_EQ(mm_flush(m2, B + PG, buf), 0);
	ST_EQ(mm_fault(m2, A + PG, 0, buf, &w), 0);
	ST_EQ(buf[0], 0x5a);			/* m2's private view */
	ST_EQ(tfile[PG], pat(PG));
	ST_EQ(mm_msync(m2, B, 4 * PG, MS_SYNC), 0);
	ST_EQ(tfile[PG], 0x5a);
	ST_EQ(tfile[2 * PG - 1], 0x5a);
	ST_EQ(mm_msync(m2, B, 64 * PG, MS_SYNC), -ENOMEM);
	ST_EQ(mm_msync(m2, B + 1, PG, MS_SYNC), -EINVAL);
	return 0;
}

static int exit_steps(struct selftest_ctx *t, struct mm_space *m2, u8 *buf)
{
	struct mm_space *child = NULL;
	u64 writes = t_writes;
	bool w;

	/* The last page: only the bytes before the end go back. */
	ST_EQ(mm_fault(m2, B + 2 * PG, MM_FAULT_WRITE, buf, &w), 0);
	memset(buf, 0x33, PG);
	ST_EQ(mm_flush(m2, B + 2 * PG, buf), 0);
	ST_EQ(mm_munmap(m2, B + 2 * PG, PG, NULL), 0);
	ST_EQ(t_writes - writes, 1);
	ST_EQ(tfile[FSIZE - 1], 0x33);
	/* A fork child's shared write goes back when it exits. */
	ST_EQ(mm_space_fork(m2, 0, 12, &child, NULL), 0);
	ST_EQ(mm_fault(child, B, MM_FAULT_WRITE, buf, &w), 0);
	memset(buf, 0x44, PG);
	ST_EQ(mm_flush(child, B, buf), 0);
	mm_space_destroy(child);
	ST_EQ(tfile[0], 0x44);
	return 0;
}

SELFTEST(mm_pagecache_share)
{
	u64 pages0 = mm_pages_in_use();
	struct mm_pagecache_stats st;
	struct mm_space *m1, *m2;
	u8 *buf = kmalloc(PG);
	int err = -ENOMEM;

	ST_ASSERT(buf);
	t_fill_file();
	m1 = t_space(10);
	m2 = t_space(11);
	if (m1 && m2 && !t_map(m1) && !t_map(m2)) {
		err = share_steps(t, m1, m2, buf);
		if (!err)
			err = exit_steps(t, m2, buf);
	}
	mm_space_destroy(m1);
	mm_space_destroy(m2);
	kfree(buf);
	ST_EQ(err, 0);
	mm_pagecache_get_stats(&st);
	ST_EQ(st.pages, 0);
	ST_EQ(mm_pages_in_use(), pages0);
	return 0;
}

#define PCC_WORKERS	4
#define PCC_ROUNDS	200

static int pcc_worker(void *arg)
{
	u64 seed = (uintptr_t)arg * 7919 + 1;
	u8 *buf = kmalloc(PG);
	int bad = buf ? 0 : -ENOMEM;

	for (int i = 0; i < PCC_ROUNDS && !bad; i++) {
		struct mm_space *mm = t_space(20 + (u32)(uintptr_t)arg), *c;
		bool w;

		bad = mm ? t_map(mm) : -ENOMEM;
		for (int k = 0; k < 6 && !bad; k++) {
			u64 pg = xorshift64s(&seed) % 3;

			bad = mm_fault(mm, (k & 1 ? A : B) + pg * PG, 0, buf,
				       &w);
			if (!bad && !page_is(buf, pg * PG))
				bad = -EIO;
		}
		if (!bad && !(xorshift64s(&seed) % 4)) {
			bad = mm_space_fork(mm, 0, 30, &c, NULL);
			if (!bad)
				mm_space_destroy(c);
		}
		mm_space_destroy(mm);
	}
	kfree(buf);
	return bad;
}

SELFTEST(mm_pagecache_concurrent)
{
	u64 pages0 = mm_pages_in_use(), fills0;
	struct task *tk[PCC_WORKERS];
	struct mm_pagecache_stats st;
	int err = 0;

	t_fill_file();
	mm_pagecache_get_stats(&st);
	fills0 = st.fills;
	for (uintptr_t i = 0; i < PCC_WORKERS; i++) {
		tk[i] = kthread_run(pcc_worker, (void *)i, "mm_pcc");
		ST_ASSERT(tk[i]);
	}
	for (int i = 0; i < PCC_WORKERS; i++)
		err |= kthread_join(tk[i]);
	ST_EQ(err, 0);
	mm_pagecache_get_stats(&st);
	ST_EQ(st.pages, 0);
	ST_ASSERT(st.fills > fills0);
	ST_EQ(mm_pages_in_use(), pages0);
	return 0;
}
