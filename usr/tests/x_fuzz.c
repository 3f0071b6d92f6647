/* usr/tests/x_fuzz.c — a syscall fuzzer (Tessera only: the x_ prefix
 * keeps it out of the host comparison).  Calls numbers 0-450 with random
 * arguments drawn from small integers, kernel addresses, unmapped and
 * non-canonical addresses and pointers into a valid scratch buffer.  The
 * kernel must return from every call; the program then prints how many it
 * made.  Calls that would end, block or replace the process (exit,
 * execve, pause, waits, sleeps, blocking reads, signals to ourselves,
 * forks) are skipped.  Calls that can take the caller's own memory,
 * stack, signal state, TLS or fds away (mmap, mprotect, munmap, brk,
 * mremap, rt_sigaction, rt_sigprocmask, rt_sigreturn, sigaltstack,
 * arch_prctl, set_tid_address, set_robust_list, close_range) are fuzzed
 * in children (one per 50 rounds, 50 rounds each) that may die of it:
 * each must end by itself or, after 10 s, by SIGKILL.  Everything else
 * is fair game in the main process.  Prints the calls made and how the
 * children ended.  argv[1]: rounds, argv[2]: seed. */
#include "../lib/nolibc.h"

static unsigned long long rng = 0x9e3779b97f4a7c15ull;
static char scratch[8192] __attribute__((aligned(64)));

static unsigned long rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static long arg(void)
{
	switch (rnd() % 8) {
	case 0: return rnd() % 16;
	case 1: return -(long)(rnd() % 8);
	case 2: return 0xffffffff80000000l + (rnd() % 0x1000000);
	case 3: return 0xffff888000000000l + (rnd() & 0xffffff0);
	case 4: return 0x0000100000000000l + (rnd() & 0xffff000);
	case 5: return 0x8000000000000000l | rnd();
	case 6: return (long)(scratch + rnd() % 4096);
	default: return rnd();
	}
}

static int skipped(long nr)
{
	static const short skip[] = {
		0, 7, 13, 15, 17, 19, 23, 34, 35, 56, 57, 58, 59, 60, 61, 62,
		72, 128, 130, 200, 202, 230, 231, 234, 247, 270, 271, 281, 295,
		322, 435, 9, 11, 12, 25, 10, 158, 218, 273, 131, 14, 436,
	};

	for (unsigned i = 0; i < sizeof(skip) / sizeof(skip[0]); i++)
		if (skip[i] == nr)
			return 1;
	return 0;
}

static long child_exits, child_signals, child_timeouts;

static const short risky[] = {
	9, 10, 11, 12, 25, 13, 14, 15, 131, 158, 218, 273, 436,
};

#define WNOHANG		1
#define CHILD_ROUNDS	50

/* A child fuzzing the risky calls; returns how many it was to make. */
static long risky_child(long n)
{
	struct { long s, ns; } tick = { 0, 10 * 1000 * 1000 };
	long pid = sys0(SYS_fork), waited = 0;
	int status = 0;

	CHECK(pid >= 0);
	if (pid == 0) {
		rng ^= (unsigned long long)(n + 1) * 0x2545f4914f6cdd1dull;
		for (long r = 0; r < CHILD_ROUNDS; r++)
			for (unsigned i = 0; i < sizeof(risky) / sizeof(risky[0]); i++)
				syscall6(risky[i], arg(), arg(), arg(), arg(),
					 arg(), arg());
		exit_group(0);
	}
	while (sys4(SYS_wait4, pid, &status, WNOHANG, 0) == 0) {
		if (++waited == 1000) {		/* 10 s: spinning in user mode */
			CHECK(sys2(SYS_kill, pid, 9) == 0);
			CHECK(sys4(SYS_wait4, pid, &status, 0, 0) == pid);
			child_timeouts++;
			break;
		}
		sys2(SYS_nanosleep, &tick, 0);
	}
	if ((status & 0x7f) == 0)
		child_exits++;
	else
		child_signals++;
	return CHILD_ROUNDS * (long)(sizeof(risky) / sizeof(risky[0]));
}

int main(int argc, char **argv, char **envp)
{
	long rounds = 2, calls = 0;
	int out = (int)sys2(SYS_dup2, 1, 1000);	/* fds 0-15 get closed */

	sigaction_install(13, (void *)1, 0);	/* SIGPIPE: ignored */

	if (argc > 1)
		for (const char *s = argv[1], *t = s; *t >= '0' && *t <= '9'; t++)
			rounds = (t == s ? 0 : rounds * 10) + (*t - '0');
	if (argc > 2)
		for (const char *t = argv[2]; *t >= '0' && *t <= '9'; t++)
			rng = rng * 31 + (*t - '0');
	for (long r = 0; r < rounds; r++) {
		for (long nr = 0; nr <= 450; nr++) {
			if (skipped(nr))
				continue;
			syscall6(nr, arg(), arg(), arg(), arg(), arg(), arg());
			calls++;
		}
		if (r % CHILD_ROUNDS == 0)
			calls += risky_child(r / CHILD_ROUNDS);
	}
	{
		char b[24];

		puts_fd(out, "ok fuzz calls ");
		puts_fd(out, fmt_long(b + sizeof(b), calls));
		puts_fd(out, " children exited ");
		puts_fd(out, fmt_long(b + sizeof(b), child_exits));
		puts_fd(out, " killed ");
		puts_fd(out, fmt_long(b + sizeof(b), child_signals));
		puts_fd(out, " (timeouts ");
		puts_fd(out, fmt_long(b + sizeof(b), child_timeouts));
		puts_fd(out, ")\n");
	}
	return 0;
}
