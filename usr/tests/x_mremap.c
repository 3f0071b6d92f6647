/* usr/tests/x_mremap.c — mremap of memory that is in use, for the
 * selftest abi_mremap_lines (Tessera only: the selftest's figures are the
 * pcache's counters, not output to compare with the host).
 *
 * A 1 MiB private buffer is written page by page, then moved back and
 * forth ROUNDS times between two places with MREMAP_FIXED; after each
 * move every page must hold what was last written (the moved lines, and
 * the victim-cache entries and written-back pages behind them), and is
 * written again with the round's pattern.  Meanwhile two threads keep
 * writing and checking their own buffers, faulting on other pages of the
 * same sets.  A last move without MREMAP_FIXED grows the buffer (the
 * grown part must read as zeroes).  Prints "ok mremap" and exits 0, or
 * exits 1 at the first wrong word. */
#include "../lib/nolibc.h"

#define NTHREADS	2
#define PG		4096L
#define PAGES		256
#define THREAD_PAGES	64
#define ROUNDS		12
#define SYS_mremap	25
#define MREMAP_MAYMOVE	1
#define MREMAP_FIXED	2
#define MAP_FIXED_NOREPLACE 0x100000

static int tids[NTHREADS];
static char stacks[NTHREADS][16384] __attribute__((aligned(16)));
static unsigned long tls_blocks[NTHREADS][4];
static volatile long *thread_mem[NTHREADS];
static volatile int threads_done, stop, thread_bad;

static long map(long len, long prot)
{
	return syscall6(SYS_mmap, 0, len, prot, 0x22 /* PRIVATE|ANON */, -1,
			0);
}

static long word_of(long page, long round)
{
	return (page << 20) ^ (round * 0x9e3779b1L) ^ 0x5a5a;
}

static void write_pages(volatile long *p, long pages, long round)
{
	for (long i = 0; i < pages; i++) {
		p[i * (PG / 8)] = word_of(i, round);
		p[i * (PG / 8) + PG / 16] = ~word_of(i, round);
	}
}

static int check_pages(volatile long *p, long pages, long round)
{
	for (long i = 0; i < pages; i++)
		if (p[i * (PG / 8)] != word_of(i, round) ||
		    p[i * (PG / 8) + PG / 16] != ~word_of(i, round))
			return 0;
	return 1;
}

static __attribute__((noreturn)) void worker(long me)
{
	volatile long *mem = thread_mem[me];

	for (long r = 1; !stop; r++) {
		write_pages(mem, THREAD_PAGES, r + me * 7777);
		if (!check_pages(mem, THREAD_PAGES, r + me * 7777))
			thread_bad = 1;
	}
	__atomic_fetch_add(&threads_done, 1, __ATOMIC_SEQ_CST);
	for (;;)
		sys1(SYS_exit, 0);
}

static long spawn(int i)
{
	tls_blocks[i][0] = (unsigned long)tls_blocks[i];
	return clone_thread(CLONE_THREAD_FLAGS, stacks[i] + sizeof(stacks[i]),
			    &tids[i], tls_blocks[i], worker, i);
}

int main(int argc, char **argv, char **envp)
{
	long a = map(PAGES * PG, 3), b = map(PAGES * PG, 0), grown, guard;
	long at = a, other = b;

	CHECK(a > 0 && b > 0);
	for (int i = 0; i < NTHREADS; i++) {
		thread_mem[i] = (volatile long *)map(THREAD_PAGES * PG, 3);
		CHECK((long)thread_mem[i] > 0);
	}
	for (int i = 0; i < NTHREADS; i++)
		CHECK(spawn(i) > 0);
	write_pages((volatile long *)at, PAGES, 0);
	for (long r = 1; r <= ROUNDS; r++) {
		long to = syscall6(SYS_mremap, at, PAGES * PG, PAGES * PG,
				   MREMAP_MAYMOVE | MREMAP_FIXED, other, 0);

		CHECK(to == other);
		other = at;
		at = to;
		CHECK(check_pages((volatile long *)at, PAGES, r - 1));
		write_pages((volatile long *)at, PAGES, r);
	}
	say("ok mremap: 12 moves of a 1 MiB buffer in use\n");
	/* A page right after the buffer (or what is there already) blocks
	 * a grow in place: the memory node picks a new place. */
	guard = syscall6(SYS_mmap, at + PAGES * PG, PG, 3,
			 0x22 | MAP_FIXED_NOREPLACE, -1, 0);
	CHECK(guard == at + PAGES * PG || guard == -17 /* EEXIST */);
	grown = syscall6(SYS_mremap, at, PAGES * PG, 2 * PAGES * PG,
			 MREMAP_MAYMOVE, 0, 0);
	CHECK(grown > 0 && grown != at);
	CHECK(check_pages((volatile long *)grown, PAGES, ROUNDS));
	for (long i = PAGES; i < 2 * PAGES; i++)
		CHECK(((volatile long *)grown)[i * (PG / 8)] == 0);
	say("ok mremap: grown and moved, old data kept, new part zero\n");
	stop = 1;
	while (threads_done < NTHREADS)
		sys0(SYS_sched_yield);
	CHECK(!thread_bad);
	say("ok mremap: threads on other pages saw their own data\n");
	return 0;
}
