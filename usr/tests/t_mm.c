/* usr/tests/t_mm.c — the memory syscalls as Linux answers them: anonymous
 * mmap and its argument errors, MAP_FIXED and MAP_FIXED_NOREPLACE, partial
 * munmap, mprotect, mremap (shrink, grow in place, move with its data,
 * MREMAP_FIXED over another mapping, and the errors), and brk.  Prints one
 * line per area, exits 0; the same binary's output on the host is the
 * reference. */
#include "../lib/nolibc.h"

#define SYS_mremap 25
#define PG 4096L
#define RW 3		/* PROT_READ | PROT_WRITE */
#define ANON 0x22	/* MAP_PRIVATE | MAP_ANONYMOUS */
#define FIXED 0x10
#define NOREPLACE 0x100000	/* MAP_FIXED_NOREPLACE */
#define MAYMOVE 1
#define MFIXED 2

static long map(long addr, long len, long flags)
{
	return syscall6(SYS_mmap, addr, len, RW, flags, -1, 0);
}

static void fill(char *p, long len, int seed)
{
	for (long i = 0; i < len; i += PG / 4)
		p[i] = (char)(i / (PG / 4) + seed);
}

static int same(const char *p, long len, int seed)
{
	for (long i = 0; i < len; i += PG / 4)
		if (p[i] != (char)(i / (PG / 4) + seed))
			return 0;
	return 1;
}

static int zero(const char *p, long len)
{
	for (long i = 0; i < len; i += 64)
		if (p[i])
			return 0;
	return 1;
}

static void t_mmap(void)
{
	long a = map(0, 8 * PG, ANON);

	CHECK(a > 0 && (a & (PG - 1)) == 0);
	CHECK(zero((char *)a, 8 * PG));
	fill((char *)a, 8 * PG, 1);
	CHECK(same((char *)a, 8 * PG, 1));
	CHECK(map(0, 0, ANON) == -22);
	CHECK(syscall6(SYS_mmap, 0, PG, RW, 0x20, -1, 0) == -22);
	CHECK(map(a + 1, PG, ANON | FIXED) == -22);
	CHECK(syscall6(SYS_mmap, 0, PG, RW, ANON, -1, 1) == -22);
	/* MAP_FIXED replaces what was there with zeroes. */
	CHECK(map(a + 2 * PG, PG, ANON | FIXED) == a + 2 * PG);
	CHECK(zero((char *)a + 2 * PG, PG));
	CHECK(same((char *)a + 3 * PG, 5 * PG, 1 + 12));
	CHECK(sys2(SYS_munmap, a + 4 * PG, PG) == 0);
	CHECK(sys2(SYS_munmap, a + 1, PG) == -22);
	CHECK(sys2(SYS_munmap, a, 0) == -22);
	CHECK(same((char *)a + 5 * PG, 3 * PG, 1 + 20));
	/* MAP_FIXED_NOREPLACE: exactly there, or -EEXIST. */
	CHECK(map(a + 3 * PG, PG, ANON | NOREPLACE) == -17);
	CHECK(map(a + 1, PG, ANON | NOREPLACE) == -22);
	CHECK(map(a + 4 * PG, PG, ANON | NOREPLACE) == a + 4 * PG);
	CHECK(zero((char *)a + 4 * PG, PG));
	CHECK(sys2(SYS_munmap, a, 8 * PG) == 0);
	say("ok mmap munmap\n");
}

static void t_mprotect(void)
{
	long a = map(0, 4 * PG, ANON);

	CHECK(a > 0);
	fill((char *)a, 4 * PG, 2);
	CHECK(sys3(SYS_mprotect, a, 2 * PG, 1) == 0);
	CHECK(same((char *)a, 4 * PG, 2));
	CHECK(sys3(SYS_mprotect, a, 2 * PG, RW) == 0);
	((char *)a)[0] = 9;
	CHECK(((char *)a)[0] == 9);
	CHECK(sys3(SYS_mprotect, a + 1, PG, 1) == -22);
	CHECK(sys3(SYS_mprotect, a, PG, 0x100) == -22);
	CHECK(sys3(SYS_mprotect, a, 0, 1) == 0);
	CHECK(sys2(SYS_munmap, a, 4 * PG) == 0);
	say("ok mprotect\n");
}

static void t_mremap(void)
{
	long a = map(0, 16 * PG, ANON), b, c, t;

	CHECK(a > 0);
	fill((char *)a, 16 * PG, 3);
	/* Shrink in place: the tail goes away. */
	CHECK(sys5(SYS_mremap, a, 16 * PG, 8 * PG, 0, 0) == a);
	CHECK(same((char *)a, 8 * PG, 3));
	CHECK(sys5(SYS_mremap, a + 8 * PG, PG, PG, 0, 0) == -14);
	/* Grow: in place if the space is free, else moved, data intact. */
	b = sys5(SYS_mremap, a, 8 * PG, 40 * PG, MAYMOVE, 0);
	CHECK(b > 0);
	CHECK(same((char *)b, 8 * PG, 3));
	CHECK(zero((char *)b + 8 * PG, 32 * PG));
	fill((char *)b + 8 * PG, 32 * PG, 4);
	/* Growing the head of a larger mapping in place is impossible. */
	CHECK(sys5(SYS_mremap, b, 4 * PG, 6 * PG, 0, 0) == -12);
	/* MREMAP_FIXED onto another mapping replaces it. */
	t = map(0, 8 * PG, ANON);
	CHECK(t > 0);
	c = sys5(SYS_mremap, b + 8 * PG, 8 * PG, 8 * PG, MAYMOVE | MFIXED, t);
	CHECK(c == t);
	CHECK(same((char *)t, 8 * PG, 4));
	CHECK(sys5(SYS_mremap, b + 8 * PG, PG, PG, 0, 0) == -14);
	/* Argument errors. */
	CHECK(sys5(SYS_mremap, b + 1, PG, 2 * PG, MAYMOVE, 0) == -22);
	CHECK(sys5(SYS_mremap, b, PG, 0, MAYMOVE, 0) == -22);
	CHECK(sys5(SYS_mremap, b, PG, PG, MFIXED, t) == -22);
	CHECK(sys5(SYS_mremap, b, PG, PG, 0x40, 0) == -22);
	CHECK(sys5(SYS_mremap, b, 2 * PG, 2 * PG, MAYMOVE | MFIXED, b + PG) == -22);
	CHECK(sys2(SYS_munmap, b, 40 * PG) == 0);
	CHECK(sys2(SYS_munmap, t, 8 * PG) == 0);
	say("ok mremap\n");
}

static void t_brk(void)
{
	long cur = sys1(SYS_brk, 0), top;

	CHECK(cur > 0);
	top = sys1(SYS_brk, cur + 3 * PG);
	CHECK(top == cur + 3 * PG);
	CHECK(zero((char *)cur, 3 * PG));
	fill((char *)cur, 3 * PG, 5);
	CHECK(same((char *)cur, 3 * PG, 5));
	CHECK(sys1(SYS_brk, cur) == cur);
	CHECK(sys1(SYS_brk, 1) == cur);
	say("ok brk\n");
}

int main(int argc, char **argv, char **envp)
{
	t_mmap();
	t_mprotect();
	t_mremap();
	t_brk();
	say("t_mm: done\n");
	return 0;
}
