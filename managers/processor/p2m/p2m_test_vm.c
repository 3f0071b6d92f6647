/* managers/processor/p2m/p2m_test_vm.c — P2M selftests of the memory
 * system calls and the page traffic (harness: p2m_test_common.c).
 *
 *  p2m_vm     mmap/munmap/mremap/mprotect/brk/msync scenarios: contents
 *             across the calls, the change records the processor must
 *             apply, and the expected errors (-EACCES after mprotect,
 *             -EFAULT after munmap, -EEXIST for MAP_FIXED_NOREPLACE, ...).
 *  p2m_pages  zero-fill notification, fault-around (several pages per
 *             miss, stopping at the VMA's end), piggybacked write-back.
 *  p2m_walk   a memory walk: a small local "cache" of lines over a larger
 *             mapping, seeded random reads and writes; evicted dirty lines
 *             go back by FLUSH or piggybacked on the next miss; every read
 *             must return what was last written.
 */
#include <lib/string.h>
#include <memory/mm_space.h>
#include <mm/mm.h>
#include <uapi/errno.h>
#include <uapi/mman.h>
#include "p2m_test.h"

#define TGID_VM		2001
#define TGID_PAGES	2101
#define TGID_WALK	2201
#define PG		P2M_PAGE_SIZE
#define RW		(PROT_READ | PROT_WRITE)
#define ANON		(MAP_PRIVATE | MAP_ANONYMOUS)

static u64 rnd(u64 *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* Page contents for (page, version): a word pattern anyone can check. */
void p2m_test_pattern(u64 *w, u64 page, u32 version)
{
	u64 s = (page << 20) ^ version ^ 0x9e3779b97f4a7c15ull;

	for (unsigned int i = 0; i < PG / 8; i++)
		w[i] = rnd(&s) + i;
}

static int check_pattern(struct selftest_ctx *t, u32 tgid, u64 va,
			 u64 page, u32 version)
{
	static u64 want[PG / 8], got[PG / 8];

	p2m_test_pattern(want, page, version);
	ST_EQ(p2m_read_user(tgid, va, got, PG), 0);
	if (memcmp(want, got, PG))
		ST_FAIL("page %llu (%#llx): not version %u", page, va, version);
	return 0;
}

static int write_pattern(u32 tgid, u64 va, u64 page, u32 version)
{
	static u64 w[PG / 8];

	p2m_test_pattern(w, page, version);
	return p2m_write_user(tgid, va, w, PG);
}

/* mprotect and munmap on a 16-page mapping. */
static int vm_protect_unmap(struct selftest_ctx *t, u64 a)
{
	static u8 page[PG];
	struct p2m_changes ch;
	struct p2m_fill f;

	for (u64 i = 0; i < 16; i++)
		ST_EQ(write_pattern(TGID_VM, a + i * PG, i, 1), 0);
	ST_EQ(p2m_mprotect(TGID_VM, a + 4 * PG, 4 * PG, PROT_READ, &ch), 0);
	ST_EQ(ch.nr, 1);
	ST_EQ(ch.c[0].kind, P2M_CHANGE_PROTECT);
	ST_EQ(ch.c[0].start, a + 4 * PG);
	ST_EQ(ch.c[0].end, a + 8 * PG);
	ST_EQ(ch.c[0].prot, PROT_READ);
	ST_EQ(p2m_miss(TGID_VM, a + 5 * PG, P2M_MISS_WRITE, NULL, page, &f),
	      -EACCES);
	if (check_pattern(t, TGID_VM, a + 5 * PG, 5, 1))
		return -1;
	/* A line dirtied before the narrowing is still written back. */
	ST_EQ(write_pattern(TGID_VM, a + 6 * PG, 6, 2), -EACCES);
	p2m_test_pattern((u64 *)page, 6, 2);
	ST_EQ(p2m_flush(TGID_VM, a + 6 * PG, page), 0);
	if (check_pattern(t, TGID_VM, a + 6 * PG, 6, 2))
		return -1;
	ST_EQ(p2m_mprotect(TGID_VM, a + 4 * PG, 4 * PG, RW, &ch), 0);
	ST_EQ(ch.nr, 0);			/* widening: nothing to do */
	ST_EQ(p2m_munmap(TGID_VM, a, 2 * PG, &ch), 0);
	ST_EQ(ch.nr, 1);
	ST_EQ(ch.c[0].kind, P2M_CHANGE_UNMAP);
	ST_EQ(p2m_miss(TGID_VM, a, 0, NULL, page, &f), -EFAULT);
	return check_pattern(t, TGID_VM, a + 2 * PG, 2, 1);
}

/* mremap: grow in place is blocked by a neighbour, so it moves. */
static int vm_mremap(struct selftest_ctx *t, u64 a)
{
	struct p2m_changes ch;
	u64 b, n;

	ST_EQ(p2m_mmap(TGID_VM, a + 16 * PG, PG, PROT_READ,
		       ANON | MAP_FIXED, 0, 0, &b, &ch), 0);
	ST_EQ(p2m_mremap(TGID_VM, a + 8 * PG, 8 * PG, 12 * PG, 0, 0, &n, &ch),
	      -ENOMEM);
	ST_EQ(p2m_mremap(TGID_VM, a + 8 * PG, 8 * PG, 12 * PG, MREMAP_MAYMOVE,
			 0, &n, &ch), 0);
	ST_ASSERT(n != a + 8 * PG);
	ST_ASSERT(ch.nr >= 1);
	ST_EQ(ch.c[ch.nr - 1].kind, P2M_CHANGE_MOVE);
	ST_EQ(ch.c[ch.nr - 1].start, a + 8 * PG);
	ST_EQ(ch.c[ch.nr - 1].to, n);
	for (u64 i = 0; i < 8; i++)
		if (check_pattern(t, TGID_VM, n + i * PG, 8 + i, 1))
			return -1;
	ST_EQ(p2m_mmap(TGID_VM, n, PG, RW, ANON | MAP_FIXED_NOREPLACE, 0, 0,
		       &b, &ch), -EEXIST);
	ST_EQ(p2m_mmap(TGID_VM, n, PG, RW, ANON | MAP_FIXED, 0, 0, &b, &ch),
	      0);
	ST_EQ(ch.nr, 1);
	ST_EQ(ch.c[0].kind, P2M_CHANGE_UNMAP);
	ST_EQ(p2m_msync(TGID_VM, n, 12 * PG, MS_SYNC), 0);
	return 0;
}

static int vm_brk(struct selftest_ctx *t, u64 start)
{
	struct p2m_changes ch;
	u64 b;

	ST_EQ(p2m_brk(TGID_VM, 0, &b, &ch), 0);
	ST_EQ(b, start);
	ST_EQ(p2m_brk(TGID_VM, start + 3 * PG + 5, &b, &ch), 0);
	ST_EQ(b, start + 3 * PG + 5);
	ST_EQ(write_pattern(TGID_VM, start + 3 * PG, 99, 7), 0);
	if (check_pattern(t, TGID_VM, start + 3 * PG, 99, 7))
		return -1;
	ST_EQ(p2m_brk(TGID_VM, start - PG, &b, &ch), 0);
	ST_EQ(b, start + 3 * PG + 5);		/* below start_brk: refused */
	ST_EQ(p2m_brk(TGID_VM, start, &b, &ch), 0);
	ST_EQ(b, start);
	ST_EQ(ch.nr, 1);
	ST_EQ(ch.c[0].kind, P2M_CHANGE_UNMAP);
	ST_EQ(ch.c[0].start, start);
	return 0;
}

static int vm_body(struct selftest_ctx *t, int node)
{
	struct p2m_changes ch;
	struct p2m_exec_out o;
	u64 a;

	ST_EQ(p2m_test_exec(TGID_VM, &o), 0);
	ST_EQ(p2m_mmap(TGID_VM, 0, 16 * PG, RW, ANON, 0, 0, &a, &ch), 0);
	ST_EQ(ch.nr, 0);
	if (vm_protect_unmap(t, a) || vm_mremap(t, a) || vm_brk(t, o.brk)) {
		p2m_exit(TGID_VM);
		return -1;
	}
	ST_EQ(p2m_exit(TGID_VM), 0);
	return 0;
}

SELFTEST(p2m_vm)
{
	return p2m_test_run(t, vm_body);
}

/* ---- zero-fill, fault-around, piggyback ----------------------------- */

static int pages_body(struct selftest_ctx *t, int node)
{
	u8 *buf = kmalloc(5 * PG);
	void *pages[5];
	struct p2m_changes ch;
	struct p2m_exec_out o;
	struct p2m_dirty d;
	struct p2m_fill f;
	bool w;
	u32 prot;
	u64 a;

	ST_ASSERT(buf);
	for (int i = 0; i < 5; i++)
		pages[i] = buf + i * PG;
	ST_EQ(p2m_test_exec(TGID_PAGES, &o), 0);
	ST_EQ(p2m_mmap(TGID_PAGES, 0, 3 * PG, RW, ANON, 0, 0, &a, &ch), 0);
	ST_EQ(p2m_zerofill(TGID_PAGES, a, P2M_MISS_WRITE, &w, &prot), 0);
	ST_ASSERT(w);
	ST_EQ(prot, RW);
	ST_EQ(write_pattern(TGID_PAGES, a + PG, 1, 3), 0);
	/* Fault-around stops at a never-touched anonymous page: 1 page. */
	ST_EQ(p2m_miss_many(TGID_PAGES, a + PG, 0, NULL, pages, 5, &f, NULL), 1);
	ST_EQ(write_pattern(TGID_PAGES, a + 2 * PG, 2, 3), 0);
	/* ... and at the VMA's end: 2 of 5 pages. */
	ST_EQ(p2m_miss_many(TGID_PAGES, a + PG, 0, NULL, pages, 5, &f, NULL), 2);
	ST_EQ(f.nr, 2);
	ST_EQ(f.prot, RW);
	ST_EQ(f.writable, 3);
	p2m_test_pattern((u64 *)pages[4], 2, 3);		/* the fault-around page */
	ST_ASSERT(!memcmp(pages[1], pages[4], PG));
	/* Piggyback: page 2 dirty, flushed with the miss of page 0. */
	memset(buf, 0x77, PG);
	d = (struct p2m_dirty){ a + 2 * PG, buf, NULL };
	ST_EQ(p2m_miss(TGID_PAGES, a, P2M_MISS_WRITE, &d, buf + PG, &f), 0);
	ST_EQ(f.piggy_err, 0);
	ST_EQ(((u8 *)buf)[PG], 0);		/* page 0: zero-filled */
	ST_EQ(p2m_miss(TGID_PAGES, a + 2 * PG, 0, NULL, buf + PG, &f), 0);
	ST_ASSERT(!memcmp(buf, buf + PG, PG));
	/* A piggyback on the page being fetched: flushed first. */
	memset(buf, 0x33, PG);
	d = (struct p2m_dirty){ a + 2 * PG, buf, NULL };
	ST_EQ(p2m_miss(TGID_PAGES, a + 2 * PG, 0, &d, buf + PG, &f), 0);
	ST_ASSERT(!memcmp(buf, buf + PG, PG));
	ST_EQ(p2m_exit(TGID_PAGES), 0);
	kfree(buf);
	return 0;
}

SELFTEST(p2m_pages)
{
	return p2m_test_run(t, pages_body);
}

/* ---- memory walk --------------------------------------------------- */

#define WALK_PAGES	64
#define WALK_LINES	8
#define WALK_STEPS	3000

struct line {
	u64 page;		/* WALK_PAGES: empty */
	bool dirty;
	u64 w[PG / 8];
};

struct walk {
	u64 base, seed;
	u32 version[WALK_PAGES];
	struct line line[WALK_LINES];
	u64 flushes, piggies, misses;
};

/* Bring @page into a line, writing back the line's old dirty page. */
static int walk_fill(struct selftest_ctx *t, struct walk *k, u64 page,
		     bool write, struct line **out)
{
	struct line *l = &k->line[rnd(&k->seed) % WALK_LINES];
	struct p2m_dirty d = { k->base + l->page * PG, l->w, NULL };
	bool piggy = l->dirty && (rnd(&k->seed) & 1);
	static u64 want[PG / 8];
	struct p2m_fill f;

	if (l->dirty && !piggy) {
		ST_EQ(p2m_flush(TGID_WALK, d.uva, l->w), 0);
		k->flushes++;
	}
	ST_EQ(p2m_miss(TGID_WALK, k->base + page * PG,
		       write ? P2M_MISS_WRITE : 0, piggy ? &d : NULL, l->w, &f),
	      0);
	ST_EQ(f.piggy_err, 0);
	k->piggies += piggy;
	k->misses++;
	p2m_test_pattern(want, page, k->version[page]);
	if (memcmp(want, l->w, PG))
		ST_FAIL("miss of page %llu: not version %u", page,
			k->version[page]);
	l->page = page;
	l->dirty = false;
	*out = l;
	return 0;
}

static int walk_step(struct selftest_ctx *t, struct walk *k)
{
	u64 page = rnd(&k->seed) % WALK_PAGES;
	bool write = rnd(&k->seed) % 3 == 0;
	static u64 want[PG / 8];
	struct line *l = NULL;

	for (int i = 0; i < WALK_LINES; i++)
		if (k->line[i].page == page)
			l = &k->line[i];
	if (!l && walk_fill(t, k, page, write, &l))
		return -1;
	if (write) {
		p2m_test_pattern(l->w, page, ++k->version[page]);
		l->dirty = true;
		return 0;
	}
	p2m_test_pattern(want, page, k->version[page]);
	if (memcmp(want, l->w, PG))
		ST_FAIL("line of page %llu: not version %u", page,
			k->version[page]);
	return 0;
}

static int walk_body(struct selftest_ctx *t, int node)
{
	struct walk *k = kzalloc(sizeof(*k));
	struct p2m_changes ch;
	struct p2m_exec_out o;
	int err = 0;

	ST_ASSERT(k);
	k->seed = 0x5eed0000 + WALK_STEPS;
	for (int i = 0; i < WALK_LINES; i++)
		k->line[i].page = WALK_PAGES;
	ST_EQ(p2m_test_exec(TGID_WALK, &o), 0);
	ST_EQ(p2m_mmap(TGID_WALK, 0, WALK_PAGES * PG, RW, ANON, 0, 0,
		       &k->base, &ch), 0);
	for (u64 p = 0; p < WALK_PAGES && !err; p++)
		err = write_pattern(TGID_WALK, k->base + p * PG, p, 0);
	ST_EQ(err, 0);
	for (int s = 0; s < WALK_STEPS && !err; s++)
		err = walk_step(t, k);
	for (int i = 0; i < WALK_LINES && !err; i++)
		if (k->line[i].dirty)
			err = p2m_flush(TGID_WALK,
					k->base + k->line[i].page * PG,
					k->line[i].w);
	for (u64 p = 0; p < WALK_PAGES && !err; p++)
		err = check_pattern(t, TGID_WALK, k->base + p * PG, p,
				    k->version[p]);
	ST_ASSERT(err || (k->flushes && k->piggies));
	p2m_exit(TGID_WALK);
	kfree(k);
	return err || t->failed ? -1 : 0;
}

SELFTEST(p2m_walk)
{
	return p2m_test_run(t, walk_body);
}
