/* usr/tests/x_oom.c — exhausting memory (Tessera only: the x_ prefix
 * keeps it out of the host comparison, where it would eat the host).
 * A child is started first and waits on a pipe.  The parent maps 16 MiB
 * anonymous chunks and touches them until mmap fails, which must be
 * -ENOMEM, then grows the break until brk refuses (returns the old
 * break).  With memory exhausted the child must still run: it answers
 * over the pipe and exits 0.  Then everything is given back and a new
 * child maps and writes 32 MiB.  Prints "ok oom" and exits 0. */
#include "../lib/nolibc.h"

#define CHUNK	(16l << 20)
#define MAX_CHUNKS	4096

static long chunks[MAX_CHUNKS];

static long map(long len)
{
	return syscall6(SYS_mmap, 0, len, 3 /* RW */,
			0x22 /* MAP_PRIVATE | MAP_ANONYMOUS */, -1, 0);
}

int main(int argc, char **argv, char **envp)
{
	int ping[2], pong[2], status = -1;
	long n = 0, pid, start, cur, err = 0, steps = 0;
	char c = 'x';

	CHECK(sys2(SYS_pipe2, ping, 0) == 0 && sys2(SYS_pipe2, pong, 0) == 0);
	pid = sys0(SYS_fork);
	if (pid == 0) {
		CHECK(sys3(SYS_read, ping[0], &c, 1) == 1);
		c++;
		CHECK(sys3(SYS_write, pong[1], &c, 1) == 1);
		return 0;
	}
	CHECK(pid > 0);
	while (n < MAX_CHUNKS) {
		long a = map(CHUNK);

		if (a < 0 && a > -4096) {
			err = a;
			break;
		}
		for (long off = 0; off < CHUNK; off += 4096)
			((volatile char *)a)[off] = 1;
		chunks[n++] = a;
	}
	CHECK(n > 0 && err == -12);
	say("ok mmap: ENOMEM when memory ran out\n");
	start = cur = sys1(SYS_brk, 0);
	for (;;) {
		long want = cur + 4 * 4096, got = sys1(SYS_brk, want);

		if (got != want) {
			CHECK(got == cur);
			break;
		}
		cur = got;
		steps++;
	}
	say("ok brk: refused when memory ran out\n");
	CHECK(sys3(SYS_write, ping[1], &c, 1) == 1);
	CHECK(sys3(SYS_read, pong[0], &c, 1) == 1 && c == 'y');
	CHECK(sys4(SYS_wait4, pid, &status, 0, 0) == pid && status == 0);
	say("ok another process ran meanwhile\n");
	for (long i = 0; i < n; i++)
		CHECK(sys2(SYS_munmap, chunks[i], CHUNK) == 0);
	CHECK(sys1(SYS_brk, start) == start);
	pid = sys0(SYS_fork);
	if (pid == 0) {
		long a = map(2 * CHUNK);

		CHECK(a > 0);
		for (long off = 0; off < 2 * CHUNK; off += 4096)
			((volatile char *)a)[off] = 2;
		return 0;
	}
	CHECK(pid > 0 && sys4(SYS_wait4, pid, &status, 0, 0) == pid);
	CHECK(status == 0);
	say("ok oom\n");
	return 0;
}
