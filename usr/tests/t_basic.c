/* usr/tests/t_basic.c — ids, uname, clocks, getrandom, prlimit64,
 * arch_prctl, unknown syscalls: prints one line per check, exits 0. */
#include "../lib/nolibc.h"

struct ts { long sec, nsec; };

int main(int argc, char **argv, char **envp)
{
	char uts[6 * 65];
	struct ts a, b, req = { 0, 20 * 1000 * 1000 };
	unsigned char rnd[32];
	unsigned long lim[2], fs = 0, old_fs = 0;
	static unsigned long tls[4];
	long pid = sys0(SYS_getpid);

	CHECK(pid > 0);
	CHECK(sys0(SYS_gettid) == pid);
	say("ok ids\n");
	CHECK(sys1(SYS_uname, uts) == 0);
	CHECK(streq(uts, "Linux"));
	CHECK(streq(uts + 4 * 65, "x86_64"));
	say("ok uname\n");
	CHECK(sys2(SYS_clock_gettime, 1, &a) == 0);
	CHECK(sys2(SYS_nanosleep, &req, 0) == 0);
	CHECK(sys2(SYS_clock_gettime, 1, &b) == 0);
	CHECK((b.sec - a.sec) * 1000000000 + (b.nsec - a.nsec) >= 20000000);
	CHECK(sys2(SYS_clock_gettime, 0, &a) == 0 && a.sec > 1600000000);
	CHECK(sys2(SYS_clock_gettime, 99, &a) == -22);
	say("ok clocks\n");
	memset(rnd, 0, sizeof(rnd));
	CHECK(sys3(SYS_getrandom, rnd, sizeof(rnd), 0) == sizeof(rnd));
	CHECK(sys3(SYS_getrandom, rnd, 8, 0x100) == -22);
	say("ok getrandom\n");
	CHECK(sys4(SYS_prlimit64, 0, 7, 0, lim) == 0 && lim[0] > 0 && lim[0] <= lim[1]);
	say("ok prlimit64\n");
	/* A libc build keeps its thread pointer in FS: put it back after. */
	CHECK(sys2(SYS_arch_prctl, 0x1003, &old_fs) == 0);
	CHECK(sys2(SYS_arch_prctl, 0x1002, tls) == 0);
	CHECK(sys2(SYS_arch_prctl, 0x1003, &fs) == 0 && fs == (unsigned long)tls);
	tls[0] = 42;
	{
		unsigned long v;

		__asm__ volatile("mov %%fs:0, %0" : "=r"(v));
		CHECK(v == 42);
	}
	CHECK(sys2(SYS_arch_prctl, 0x1002, 1ul << 60) == -1);
	CHECK(sys2(SYS_arch_prctl, 0x1002, old_fs) == 0);
	say("ok arch_prctl\n");
	CHECK(syscall6(400, 0, 0, 0, 0, 0, 0) == -38);
	CHECK(syscall6(100000, 0, 0, 0, 0, 0, 0) == -38);
	CHECK(sys3(SYS_read, 0, (void *)0xffff800000000000ul, 10) == -14 ||
	      sys3(SYS_read, 0, (void *)0xffff800000000000ul, 10) == 0);
	CHECK(sys3(SYS_write, 1, (void *)0xffff800000000000ul, 10) == -14);
	CHECK(sys3(SYS_write, 99, "x", 1) == -9);
	say("ok errors\n");
	return 0;
}
