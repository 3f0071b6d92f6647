/* usr/tests/x_fuzz.c — a syscall fuzzer (Tessera only: the x_ prefix
 * keeps it out of the host comparison).  Calls numbers 0-450 with random
 * arguments drawn from small integers, kernel addresses, unmapped and
 * non-canonical addresses and pointers into a valid scratch buffer.  The
 * kernel must return from every call; the program then prints how many it
 * made.  Calls that would end, block or replace the process (exit,
 * execve, pause, waits, sleeps, blocking reads, signals to ourselves,
 * forks) are skipped; everything else is fair game.  argv[1]: rounds,
 * argv[2]: seed. */
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
	}
	{
		char b[24];

		puts_fd(out, "ok fuzz calls ");
		puts_fd(out, fmt_long(b + sizeof(b), calls));
		puts_fd(out, "\n");
	}
	return 0;
}
