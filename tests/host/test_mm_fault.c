/* tests/host/test_mm_fault.c — the memory node's page tables and fault
 * service: zero-filled anonymous pages, file pages through the callback
 * (and its errors), access checks, stack growth, page contents following
 * mremap, pages freed by munmap, fork's copy-on-write and shared mappings,
 * the flush rules, ENOMEM during fork leaving the parent untouched, and a
 * random fork/write/exit run against a model.  Every test ends with the
 * leak check: after all spaces are destroyed, the memory manager's page
 * count, the shim's page count and its object count are all zero.
 */
#include "mm_test_common.h"

static u8 pagebuf[4096];

static void leak_check(void)
{
	CHECK_EQ(mm_pages_in_use(), 0);
	CHECK_EQ(shim_pages, 0);
	CHECK_EQ(shim_objs, 0);
}

static bool page_is(const u8 *p, u8 v)
{
	unsigned int i;

	for (i = 0; i < 4096; i++)
		if (p[i] != v)
			return false;
	return true;
}

static void fill(struct mm_space *mm, u64 va, u8 v)
{
	u8 b[4096];

	memset(b, v, sizeof(b));
	CHECK_EQ(mm_write(mm, va, b, sizeof(b)), 0);
}

static void test_anon_fault(void)
{
	struct mm_space *mm = new_space();
	u64 x = 0x10000000;
	bool w = false;

	do_mmap(mm, x, P(4), RW, FIXED);
	CHECK_EQ(mm_fault(mm, x + 5, 0, pagebuf, &w), 0);
	CHECK(page_is(pagebuf, 0), "anonymous page not zero");
	CHECK(w, "private RW page should ship writable");
	CHECK_EQ(mm_space_rss(mm), 1);
	fill(mm, x + P(1), 0x5a);
	CHECK_EQ(mm_fault(mm, x + P(1), MM_FAULT_WRITE, pagebuf, &w), 0);
	CHECK(page_is(pagebuf, 0x5a), "content");
	/* Zero-fill on the processor: recorded, nothing copied. */
	CHECK_EQ(mm_fault(mm, x + P(2), 0, NULL, &w), 0);
	CHECK_EQ(mm_space_rss(mm), 3);
	/* Flush only into pages given writable. */
	memset(pagebuf, 0x77, 4096);
	CHECK_EQ(mm_flush(mm, x + P(2), pagebuf), 0);
	CHECK_EQ(mm_flush(mm, x + P(3), pagebuf), -EFAULT);	/* absent */
	CHECK_EQ(mm_read(mm, x + P(2), pagebuf, 4096), 0);
	CHECK(page_is(pagebuf, 0x77), "flushed data");
	mm_space_destroy(mm);
	leak_check();
}

static void test_fault_errors(void)
{
	struct mm_space *mm = new_space();
	u64 x = 0x10000000;
	bool w = true;

	do_mmap(mm, x, P(1), PROT_NONE, FIXED);
	do_mmap(mm, x + P(1), P(1), PROT_READ, FIXED);
	CHECK_EQ(mm_fault(mm, x - 1, 0, pagebuf, &w), -EFAULT);
	CHECK_EQ(mm_fault(mm, x + P(5), 0, pagebuf, &w), -EFAULT);
	CHECK_EQ(mm_fault(mm, MM_TASK_SIZE + 5, 0, pagebuf, &w), -EFAULT);
	CHECK_EQ(mm_fault(mm, x, 0, pagebuf, &w), -EACCES);
	CHECK_EQ(mm_fault(mm, x + P(1), MM_FAULT_WRITE, pagebuf, &w), -EACCES);
	CHECK_EQ(mm_fault(mm, x + P(1), 0, pagebuf, &w), 0);
	CHECK(!w, "read-only VMA shipped writable");
	CHECK_EQ(mm_flush(mm, x + P(1), pagebuf), -EFAULT);
	CHECK_EQ(mm_space_rss(mm), 1);
	mm_space_destroy(mm);
	leak_check();
}

static int file_err;

static int file_read(void *ctx, u64 file, u64 off, void *page)
{
	if (file_err)
		return file_err;
	memset(page, (int)(file * 16 + off / PGSZ), PGSZ);
	return 0;
}

static const struct mm_file_ops fops = { .read_page = file_read };

static void test_file_fault(void)
{
	struct mm_space_params p = { 1, 2, 0, 0, &fops, NULL };
	struct mm_space *mm = mm_space_create(&p);
	u64 x = 0x10000000, out;
	bool w;

	mm_mmap(mm, x, P(4), RW, MAP_PRIVATE | MAP_FIXED, 3, P(2), &out, NULL);
	CHECK_EQ(mm_fault(mm, x + P(1), 0, pagebuf, &w), 0);
	CHECK(page_is(pagebuf, 3 * 16 + 3), "file page 3");
	/* After a split and a move the offsets still follow. */
	mm_mprotect(mm, x + P(2), P(1), PROT_READ, NULL);
	CHECK_EQ(mm_mremap(mm, x + P(3), P(1), P(1), MREMAP_MAYMOVE |
			   MREMAP_FIXED, x + P(100), &out, NULL), 0);
	CHECK_EQ(mm_fault(mm, x + P(100), 0, pagebuf, &w), 0);
	CHECK(page_is(pagebuf, 3 * 16 + 5), "moved file page");
	file_err = -EIO;
	CHECK_EQ(mm_fault(mm, x + P(2), 0, pagebuf, &w), -EIO);
	file_err = 0;
	CHECK_EQ(mm_fault(mm, x + P(2), 0, pagebuf, &w), 0);
	CHECK(page_is(pagebuf, 3 * 16 + 4), "file page 4");
	mm_space_destroy(mm);
	leak_check();
}

static void test_stack_growth(void)
{
	struct mm_space *mm = new_space();
	u64 top = 0x7f0000000000ull, s = top - P(32);
	bool w;

	do_mmap(mm, s, P(32), RW, FIXED | MAP_GROWSDOWN);
	CHECK_EQ(mm_fault(mm, s - P(10) + 8, MM_FAULT_WRITE, pagebuf, &w), 0);
	CHECK_LAYOUT(mm, s, "-10-32 rw-pg;");
	CHECK_EQ(mm_fault(mm, top - MM_STACK_LIMIT - 1, 0, pagebuf, &w),
		 -EFAULT);
	/* The guard gap above another mapping stops growth. */
	do_mmap(mm, s - P(300), P(1), RW, FIXED);
	CHECK_EQ(mm_fault(mm, s - P(100), 0, pagebuf, &w), -EFAULT);
	CHECK_EQ(mm_fault(mm, s - P(40), 0, pagebuf, &w), 0);
	CHECK(space_ok(mm), "invariants");
	mm_space_destroy(mm);
	leak_check();
}

static void test_mremap_moves_pages(void)
{
	struct mm_space *mm = new_space();
	u64 x = 0x10000000, out = 0, i, before;

	do_mmap(mm, x, P(600), RW, FIXED);	/* crosses leaf tables */
	for (i = 0; i < 600; i += 7)
		fill(mm, x + P(i), (u8)(i + 1));
	before = mm_space_rss(mm);
	CHECK_EQ(mm_mremap(mm, x, P(600), P(700), MREMAP_MAYMOVE |
			   MREMAP_FIXED, 0x20000000 + P(3), &out, NULL), 0);
	for (i = 0; i < 600; i += 7) {
		CHECK_EQ(mm_read(mm, out + P(i), pagebuf, 4096), 0);
		CHECK(page_is(pagebuf, (u8)(i + 1)), "page %llu moved wrong",
		      (unsigned long long)i);
	}
	CHECK_EQ(mm_read(mm, x, pagebuf, 1), -EFAULT);
	CHECK_EQ(mm_space_rss(mm), before);	/* moved, not copied */
	before = mm_pages_in_use();
	/* Shrink and munmap free pages. */
	CHECK_EQ(mm_mremap(mm, out, P(700), P(300), 0, 0, &out, NULL), 0);
	CHECK_EQ(mm_pages_in_use(), before - (600 / 7 - 300 / 7));
	CHECK_EQ(mm_munmap(mm, out, P(300), NULL), 0);
	CHECK_EQ(mm_space_rss(mm), 0);
	mm_space_destroy(mm);
	leak_check();
}

static void test_fork_cow(void)
{
	struct mm_space *par = new_space(), *ch = NULL;
	struct mm_changes chg;
	u64 x = 0x10000000, sh = 0x20000000;
	bool w;

	do_mmap(par, x, P(2), RW, FIXED);
	do_mmap(par, sh, P(1), RW, MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED);
	fill(par, x, 1);
	fill(par, x + P(1), 2);
	fill(par, sh, 3);
	CHECK_EQ(mm_fault(par, x, MM_FAULT_WRITE, pagebuf, &w), 0);
	CHECK(w, "writable before fork");
	CHECK_EQ(mm_space_fork(par, 2, 200, &ch, &chg), 0);
	CHECK_EQ(chg.nr, 1);
	CHECK_EQ(chg.c[0].kind, MM_CHANGE_WRPROTECT);
	CHECK_EQ(mm_space_tgid(ch), 200);
	CHECK(!strcmp(layout(par, x), layout(ch, x)), "layouts differ");
	/* The parent's processor must not write the shared-COW page. */
	CHECK_EQ(mm_flush(par, x, pagebuf), -EFAULT);
	CHECK_EQ(mm_fault(par, x, 0, pagebuf, &w), 0);
	CHECK(!w && page_is(pagebuf, 1), "parent COW read");
	CHECK_EQ(mm_pages_in_use() >= 3, 1);
	fill(ch, x, 9);				/* child breaks COW */
	CHECK_EQ(mm_read(par, x, pagebuf, 4096), 0);
	CHECK(page_is(pagebuf, 1), "parent saw child's write");
	CHECK_EQ(mm_read(ch, x + P(1), pagebuf, 4096), 0);
	CHECK(page_is(pagebuf, 2), "child inherits");
	/* Parent now the only user of page 0: writable without a copy. */
	CHECK_EQ(mm_fault(par, x, MM_FAULT_WRITE, pagebuf, &w), 0);
	CHECK(w, "sole owner writes in place");
	/* Shared memory stays shared. */
	fill(ch, sh, 4);
	CHECK_EQ(mm_read(par, sh, pagebuf, 4096), 0);
	CHECK(page_is(pagebuf, 4), "shared mapping not shared");
	mm_space_destroy(ch);
	CHECK_EQ(mm_fault(par, x + P(1), 0, pagebuf, &w), 0);
	CHECK(w && page_is(pagebuf, 2), "COW dropped after child exit");
	mm_space_destroy(par);
	leak_check();
}

static void test_fork_enomem(void)
{
	long k;

	for (k = 1; k < 100; k++) {
		struct mm_space *par = new_space(), *ch = NULL;
		u64 x = 0x10000000, pages;
		bool w;
		int err, i;

		do_mmap(par, x, P(3), RW, FIXED);
		do_mmap(par, x + P(1000), P(1), PROT_READ, FIXED);
		for (i = 0; i < 3; i++)
			fill(par, x + P(i), (u8)i);
		CHECK_EQ(mm_fault(par, x, MM_FAULT_WRITE, pagebuf, &w), 0);
		pages = mm_pages_in_use();
		shim_fail_in = k;
		err = mm_space_fork(par, 1, 2, &ch, NULL);
		shim_fail_in = 0;
		if (err) {
			CHECK_EQ(err, -ENOMEM);
			CHECK_EQ(mm_pages_in_use(), pages);
			CHECK_EQ(mm_flush(par, x, pagebuf), 0); /* not COW */
		} else {
			mm_space_destroy(ch);
		}
		mm_space_destroy(par);
		if (!err)
			break;
	}
	CHECK(k < 100, "fork never succeeded");
	leak_check();
}

/* Random run: up to 8 processes, 8 private + 2 shared pages each, model of
 * one byte per page; shared pages are shared with the whole family. */
#define NPROC	8
#define NPRIV	8
#define NSH	2
struct proc {
	struct mm_space *mm;
	u8 priv[NPRIV];
	u8 *shared;		/* family's NSH bytes */
};

static void test_random_fork(void)
{
	static u8 families[64][NSH];
	struct proc pr[NPROC] = { 0 };
	u64 x = 0x10000000, sh = 0x30000000;
	unsigned int nfam = 0, round, i;

	for (round = 0; round < 3000 && !harness_why[0]; round++) {
		struct proc *p = &pr[rnd() % NPROC];
		unsigned int op = rnd() % 10, pg;

		if (!p->mm) {
			if (nfam == 64)
				continue;
			p->mm = new_space();
			do_mmap(p->mm, x, P(NPRIV), RW, FIXED);
			do_mmap(p->mm, sh, P(NSH), RW, MAP_SHARED |
				MAP_ANONYMOUS | MAP_FIXED);
			memset(p->priv, 0, NPRIV);
			p->shared = families[nfam++];
			continue;
		}
		if (op < 4) {				/* write */
			u8 v = (u8)rnd();

			pg = rnd() % (NPRIV + NSH);
			if (pg < NPRIV) {
				fill(p->mm, x + P(pg), v);
				p->priv[pg] = v;
			} else {
				fill(p->mm, sh + P(pg - NPRIV), v);
				p->shared[pg - NPRIV] = v;
			}
		} else if (op < 8) {			/* read and compare */
			pg = rnd() % (NPRIV + NSH);
			mm_read(p->mm, pg < NPRIV ? x + P(pg) :
				sh + P(pg - NPRIV), pagebuf, 4096);
			CHECK(page_is(pagebuf, pg < NPRIV ? p->priv[pg] :
				      p->shared[pg - NPRIV]),
			      "round %u page %u", round, pg);
		} else if (op == 8) {			/* fork */
			struct proc *c = &pr[rnd() % NPROC];

			if (c->mm || c == p)
				continue;
			CHECK_EQ(mm_space_fork(p->mm, 1, round, &c->mm, NULL), 0);
			memcpy(c->priv, p->priv, NPRIV);
			c->shared = p->shared;
		} else {				/* exit */
			mm_space_destroy(p->mm);
			p->mm = NULL;
		}
	}
	for (i = 0; i < NPROC; i++)
		mm_space_destroy(pr[i].mm);
	leak_check();
}

int main(void)
{
	RUN(test_anon_fault);
	RUN(test_fault_errors);
	RUN(test_file_fault);
	RUN(test_stack_growth);
	RUN(test_mremap_moves_pages);
	RUN(test_fork_cow);
	RUN(test_fork_enomem);
	RUN(test_random_fork);
	return harness_exit();
}
