/* usr/tests/x_kill.c — processes that die with memory in use, for the
 * leak check abi_kill_noleak (Tessera only: its figures are the kernel's
 * counters, not output to compare with the host).
 *
 * Each victim maps and writes anonymous memory (private, and shared from
 * /dev/zero), grows its break, forks a child that writes its copy and
 * exits, and runs three threads that keep writing their own pages.  The
 * first victim is killed by its parent with SIGKILL while all of that is
 * busy; the second dereferences NULL and dies of SIGSEGV.  The parent
 * checks both wait statuses, prints "ok kill" and exits 0. */
#include "../lib/nolibc.h"

#define NTHREADS	3
#define PG		4096L
#define ANON_PAGES	2048	/* 8 MiB */
#define THREAD_PAGES	64

static int tids[NTHREADS];
static char stacks[NTHREADS][16384] __attribute__((aligned(16)));
static unsigned long tls_blocks[NTHREADS][4];
static volatile char *thread_mem[NTHREADS];
static volatile int threads_up;

static long map(long len, long flags, long fd)
{
	return syscall6(SYS_mmap, 0, len, 3 /* RW */, flags, fd, 0);
}

static void touch(volatile char *p, long pages, char v)
{
	for (long i = 0; i < pages; i++)
		p[i * PG] = v;
}

static __attribute__((noreturn)) void toucher(long me)
{
	__atomic_fetch_add(&threads_up, 1, __ATOMIC_SEQ_CST);

	for (char v = 1;; v++)
		touch(thread_mem[me], THREAD_PAGES, v);
}

static long spawn(int i)
{
	tls_blocks[i][0] = (unsigned long)tls_blocks[i];
	return clone_thread(CLONE_THREAD_FLAGS, stacks[i] + sizeof(stacks[i]),
			    &tids[i], tls_blocks[i], toucher, i);
}

/* Memory of every kind in use, a child forked and reaped, threads busy.
 * Returns with the threads still running. */
static void fill(void)
{
	int z = (int)sys4(SYS_openat, -100, "/dev/zero", 2, 0);
	long anon = map(ANON_PAGES * PG, 0x22 /* PRIVATE|ANON */, -1);
	long shared = map(256 * PG, 0x01 /* SHARED */, z);
	long brk0 = sys1(SYS_brk, 0), pid;
	int status;

	CHECK(z >= 0 && anon > 0 && shared > 0);
	touch((volatile char *)anon, ANON_PAGES, 1);
	touch((volatile char *)shared, 256, 2);
	CHECK(sys1(SYS_brk, brk0 + 256 * PG) == brk0 + 256 * PG);
	touch((volatile char *)brk0, 256, 3);
	pid = sys0(SYS_fork);
	if (pid == 0) {
		touch((volatile char *)anon, ANON_PAGES / 4, 4);
		exit_group(0);
	}
	CHECK(pid > 0 && sys4(SYS_wait4, pid, &status, 0, 0) == pid &&
	      status == 0);
	for (int i = 0; i < NTHREADS; i++) {
		thread_mem[i] = (volatile char *)map(THREAD_PAGES * PG, 0x22,
						     -1);
		CHECK((long)thread_mem[i] > 0);
	}
	for (int i = 0; i < NTHREADS; i++)
		CHECK(spawn(i) > 0);
	while (threads_up < NTHREADS)
		sys0(SYS_sched_yield);
}

/* A victim in a child: @how 0 waits to be killed, 1 faults on NULL. */
static long victim(int how, int ready_fd)
{
	long pid = sys0(SYS_fork);

	if (pid)
		return pid;
	fill();
	sys3(SYS_write, ready_fd, "r", 1);
	if (how)
		*(volatile int *)0 = 1;
	for (char v = 5;; v++)
		touch((volatile char *)thread_mem[0], 8, v);
}

int main(int argc, char **argv, char **envp)
{
	struct { long s, ns; } pause = { 0, 200 * 1000 * 1000 };
	int p[2], status = 0;
	long pid;
	char c;

	CHECK(sys2(SYS_pipe2, p, 0) == 0);
	pid = victim(0, p[1]);
	CHECK(pid > 0 && sys3(SYS_read, p[0], &c, 1) == 1);
	sys2(SYS_nanosleep, &pause, 0);
	CHECK(sys2(SYS_kill, pid, 9) == 0);
	CHECK(sys4(SYS_wait4, pid, &status, 0, 0) == pid);
	CHECK((status & 0x7f) == 9);
	say("ok killed by SIGKILL while busy\n");
	pid = victim(1, p[1]);
	CHECK(pid > 0 && sys3(SYS_read, p[0], &c, 1) == 1);
	CHECK(sys4(SYS_wait4, pid, &status, 0, 0) == pid);
	CHECK((status & 0x7f) == 11);
	say("ok killed by SIGSEGV on NULL\n");
	return 0;
}
