/* usr/tests/t_sigrestart.c — syscalls interrupted by signals: a blocking
 * pipe read restarts under SA_RESTART and fails with EINTR without it;
 * nanosleep returns EINTR; CPU exceptions (divide error, ud2, int3)
 * reach handlers as SIGFPE, SIGILL and SIGTRAP with the faulting
 * address. */
#include "../lib/nolibc.h"

static volatile int hits;
static volatile unsigned long trap_addr, trap_sig;

static void on_usr1(int sig, void *info, void *uc)
{
	hits++;
}

static void on_trap(int sig, void *info, void *uc)
{
	unsigned long *ucw = uc;

	trap_sig = sig;
	trap_addr = ((unsigned long *)info)[2];
	if (sig != 5)			/* int3 already points past itself */
		ucw[5 + 16] += 2;	/* skip the 2-byte div/ud2 */
}

/* A child that signals us after @ms, then optionally writes to @fd. */
static long signal_later(long ms, int fd)
{
	long pid = sys0(SYS_fork);
	struct { long s, ns; } d = { 0, ms * 1000000 };

	if (pid == 0) {
		sys2(SYS_nanosleep, &d, 0);
		sys2(SYS_kill, sys0(SYS_getppid), 10);
		sys2(SYS_nanosleep, &d, 0);
		if (fd >= 0)
			sys3(SYS_write, fd, "late", 4);
		exit_group(0);
	}
	return pid;
}

int main(int argc, char **argv, char **envp)
{
	int p[2], status;
	char buf[8];
	long pid, r;
	struct { long s, ns; } d = { 5, 0 }, rem = { 0, 0 };

	CHECK(sys1(SYS_pipe, p) == 0);
	CHECK(sigaction_install(10, on_usr1, 4 | 0x10000000 /* SA_RESTART */) == 0);
	pid = signal_later(30, p[1]);
	r = sys3(SYS_read, p[0], buf, sizeof(buf));
	CHECK(r == 4 && hits == 1);
	CHECK(sys4(SYS_wait4, pid, &status, 0, 0) == pid);
	say("ok sa_restart read\n");
	CHECK(sigaction_install(10, on_usr1, 4) == 0);
	pid = signal_later(30, -1);
	r = sys3(SYS_read, p[0], buf, sizeof(buf));
	CHECK(r == -4 && hits == 2);
	CHECK(sys4(SYS_wait4, pid, &status, 0, 0) == pid);
	say("ok eintr read\n");
	pid = signal_later(30, -1);
	r = sys2(SYS_nanosleep, &d, &rem);
	CHECK(r == -4 && hits == 3 && rem.s >= 3 && rem.s <= 5);
	CHECK(sys4(SYS_wait4, pid, &status, 0, 0) == pid);
	say("ok eintr nanosleep\n");
	CHECK(sigaction_install(8, on_trap, 4) == 0);
	CHECK(sigaction_install(4, on_trap, 4) == 0);
	CHECK(sigaction_install(5, on_trap, 4) == 0);
	{
		volatile int zero = 0;
		int q;

		__asm__ volatile("xor %%edx, %%edx\n\tmov $7, %%eax\n\t"
				 "div %%ecx\n\t" : "=&a"(q) : "c"(zero) : "rdx");
		(void)q;
	}
	CHECK(trap_sig == 8);
	__asm__ volatile("ud2");
	CHECK(trap_sig == 4);
	__asm__ volatile("int3");
	CHECK(trap_sig == 5);
	say("ok sigfpe sigill sigtrap\n");
	return 0;
}
