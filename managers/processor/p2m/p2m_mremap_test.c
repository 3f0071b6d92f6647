/* managers/processor/p2m/p2m_mremap_test.c — p2m_mremap_move: mremap over
 * P2M keeps the pcache's lines, with other threads faulting next door.
 *
 * A process on the memory node (p2m_test_upt.c) with a 64-page anonymous
 * mapping behind a private pcache of 32 lines (4 ways, 8 sets) and 16
 * victim entries, so the range's dirty lines are partly in lines, partly
 * in the victim cache when it moves.  Two neighbour threads, pinned to
 * CPUs in turn, write and re-read their own pages [16, 48) all along
 * (each read checked), evicting lines of the moving range.  The test
 * thread writes a round's pattern into the 16 pages of one end and moves
 * them to the other end with MREMAP_MAYMOVE|MREMAP_FIXED, in
 * process_p2m.c's order: pcache_move_begin, P2M_MREMAP, the change
 * records (UNMAP of the replaced pieces, then MOVE: pcache_move_range),
 * pcache_move_end.  Then every moved page must read the pattern at its
 * new address, the old address must fault, and the neighbours' words
 * must be intact.  Six rounds, back and forth.  At the end every dirty
 * line is written back and the last position is read on the memory node
 * itself.  Lines (and usually victim entries) must have moved; the
 * misses of the re-reads are printed against the pages that did not
 * move (each was written back before the fence or dropped clean).
 */
#include <kernel/printk.h>
#include <kernel/sched.h>
#include <lib/printf.h>
#include <lib/string.h>
#include <mm/mm.h>
#include <uapi/errno.h>
#include <uapi/mman.h>
#include "p2m_test.h"

#define TGID_MREMAP	5301
#define MR_PAGES	64
#define MR_MOVE		16		/* pages moved each round */
#define MR_ROUNDS	6
#define MR_NEIGHBOURS	2
#define PG		4096ull

struct neighbour {
	struct p2m_uspace *u;
	u64 first, n;			/* its pages */
	volatile bool stop;
	struct task *task;
	u64 errors, rounds;
};

static u64 nvalue(u64 page, u64 round)
{
	return 0x6e00000000000000ull | (page << 24) | round;
}

static u64 mvalue(u64 page, unsigned int round)
{
	return 0x6d00000000000000ull | (page << 24) | round;
}

static int neighbour_fn(void *arg)
{
	struct neighbour *nb = arg;

	p2m_uspace_enter(nb->u);
	while (!nb->stop) {
		for (u64 i = 0; i < nb->n; i++) {
			u64 va = nb->u->base + (nb->first + i) * PG;

			if (p2m_uput(va + 8, nvalue(nb->first + i, nb->rounds)))
				nb->errors++;
		}
		for (u64 i = 0; i < nb->n; i++) {
			u64 va = nb->u->base + (nb->first + i) * PG, v = 0;

			if (p2m_uget(va + 8, &v) ||
			    v != nvalue(nb->first + i, nb->rounds))
				nb->errors++;
		}
		nb->rounds++;
	}
	p2m_uspace_leave();
	return 0;
}

/* process_p2m.c's mremap, on the test's space. */
static int move(struct p2m_uspace *u, u64 from, u64 to)
{
	struct p2m_changes *ch = kzalloc(sizeof(*ch));
	u64 out = 0, len = MR_MOVE * PG;
	int err;

	if (!ch)
		return -ENOMEM;
	err = pcache_move_begin(&u->ps, from, len);
	if (!err)
		err = p2m_mremap(u->tgid, from, len, len,
				 MREMAP_MAYMOVE | MREMAP_FIXED, to, &out, ch);
	for (unsigned int i = 0; !err && i < ch->nr; i++) {
		const struct p2m_change *c = &ch->c[i];

		if (c->kind == P2M_CHANGE_UNMAP)
			err = pcache_unmap_range(&u->ps, c->start, c->end, true);
		else if (c->kind == P2M_CHANGE_MOVE)
			err = pcache_move_range(&u->ps, c->start, c->to,
						c->end - c->start);
	}
	pcache_move_end(&u->ps, from, len);
	kfree(ch);
	return err ?: (out == to ? 0 : -EPROTO);
}

/* Write round @r's pattern at @at, move it to @to, check it there. */
static int round_trip(struct p2m_uspace *u, u64 at, u64 to, unsigned int r,
		      char *why, size_t len, u64 *misses)
{
	struct pcache_stats s0, s1, s2;
	u64 v = 0, moved, evicted;
	int err;

	for (u64 i = 0; i < MR_MOVE; i++)
		if (p2m_uput(at + i * PG, mvalue(i, r)) ||
		    p2m_uput(at + i * PG + 2048, mvalue(i, r)))
			return snprintf(why, len, "write page %llu", i), -EIO;
	pcache_get_stats(u->pc, &s2);
	err = move(u, at, to);
	if (err)
		return snprintf(why, len, "move: %d", err), err;
	pcache_get_stats(u->pc, &s0);
	for (u64 i = 0; i < MR_MOVE; i++) {
		if (p2m_uget(to + i * PG, &v) || v != mvalue(i, r) ||
		    p2m_uget(to + i * PG + 2048, &v) || v != mvalue(i, r))
			return snprintf(why, len, "round %u page %llu: %#llx",
					r, i, v), -EIO;
	}
	pcache_get_stats(u->pc, &s1);
	*misses += s1.misses - s0.misses;
	/* No refetch: a re-read misses only on a page that did not move (it
	 * had left the pcache before the fence) or that an eviction took
	 * out since. */
	moved = s0.moved_lines + s0.moved_victims - s2.moved_lines -
		s2.moved_victims;
	evicted = s1.evict_clean + s1.evict_dirty - s2.evict_clean -
		  s2.evict_dirty;
	if (s1.misses - s0.misses > MR_MOVE - moved + evicted)
		return snprintf(why, len, "round %u: %llu misses, %llu pages "
				"moved, %llu evictions", r,
				s1.misses - s0.misses, moved, evicted), -EIO;
	if (p2m_uget(at, &v) != -EFAULT)
		return snprintf(why, len, "old range still mapped"), -EIO;
	return 0;
}

static int check_node(struct p2m_uspace *u, u64 at, char *why, size_t len)
{
	u64 *page = alloc_page();
	int err = page ? 0 : -ENOMEM;

	for (u64 i = 0; !err && i < MR_MOVE; i++) {
		err = p2m_read_user(u->tgid, at + i * PG, page, PG);
		if (!err && (page[0] != mvalue(i, MR_ROUNDS - 1) ||
			     page[256] != mvalue(i, MR_ROUNDS - 1))) {
			snprintf(why, len, "node page %llu: %#llx", i, page[0]);
			err = -EIO;
		}
	}
	free_page(page);
	return err;
}

static int run(struct p2m_uspace *u, struct neighbour *nb, char *why,
	       size_t len, u64 *misses)
{
	u64 lo = u->base, hi = u->base + (MR_PAGES - MR_MOVE) * PG;
	int err = 0;

	for (unsigned int i = 0; i < MR_NEIGHBOURS; i++) {
		nb[i] = (struct neighbour){ .u = u, .n = 16,
					    .first = MR_MOVE + 16 * i };
		nb[i].task = kthread_run_on(neighbour_fn, &nb[i],
					    p2m_test_cpu(i + 1), "mr-nb");
		if (!nb[i].task)
			err = -ENOMEM;
	}
	p2m_uspace_enter(u);
	for (unsigned int r = 0; !err && r < MR_ROUNDS; r++)
		err = round_trip(u, r % 2 ? hi : lo, r % 2 ? lo : hi, r, why,
				 len, misses);
	p2m_uspace_leave();
	for (unsigned int i = 0; i < MR_NEIGHBOURS; i++) {
		nb[i].stop = true;
		if (nb[i].task)
			kthread_join(nb[i].task);
		if (!err && (nb[i].errors || !nb[i].rounds)) {
			snprintf(why, len, "neighbour %u: %llu errors in %llu "
				 "rounds", i, nb[i].errors, nb[i].rounds);
			err = -EIO;
		}
	}
	if (!err)
		err = pcache_unmap_range(&u->ps, u->base,
					 u->base + MR_PAGES * PG, false);
	if (!err)	/* MR_ROUNDS even: the range ends where it began */
		err = check_node(u, lo, why, len);
	return err;
}

static int mremap_body(struct selftest_ctx *t, int node)
{
	struct neighbour nb[MR_NEIGHBOURS];
	struct pcache_stats st = { 0 };
	struct pcache_config cfg;
	struct p2m_uspace u;
	char why[160] = "";
	u64 misses = 0;
	int ret, gone;

	pcache_default_config(&cfg);
	cfg.bytes = 32 * PG;
	cfg.ways = 4;
	cfg.victims = 16;
	cfg.fault_around = 0;
	cfg.checksum = p2m_csum_enabled();
	ret = p2m_uspace_create(&u, TGID_MREMAP, node, MR_PAGES, &cfg);
	if (!ret) {
		ret = run(&u, nb, why, sizeof(why), &misses);
		pcache_get_stats(u.pc, &st);
		printk("p2m_mremap_move: %llu lines and %llu victim entries "
		       "moved in %u moves of %u pages; %llu misses re-reading "
		       "them; neighbours %llu + %llu rounds\n", st.moved_lines,
		       st.moved_victims, MR_ROUNDS, MR_MOVE, misses,
		       nb[0].rounds, nb[1].rounds);
		pcache_dump_stats(u.pc);
	}
	gone = p2m_uspace_destroy(&u);
	if (ret)
		ST_FAIL("mremap: %d: %s", ret, why);
	ST_EQ(gone, 0);
	ST_ASSERT(st.moved_lines > 0);
	ST_EQ(st.csum_errors + st.timeouts, 0);
	return 0;
}

SELFTEST(p2m_mremap_move)
{
	return p2m_test_run(t, mremap_body);
}
