/* usr/tests/t_signal.c — handlers with siginfo and ucontext, masks,
 * sigreturn restoring registers and SSE state, SIGSEGV with si_addr,
 * alternate stacks, kill/tgkill to self. */
#include "../lib/nolibc.h"

static volatile int got, got_sig;
static volatile unsigned long fault_addr, on_alt;
static char altstack[16384] __attribute__((aligned(16)));

static void on_usr1(int sig, void *info, void *uc)
{
	int *si = info;

	got_sig = sig;
	got = si[0] == sig && si[2] == -6;	/* si_code SI_TKILL */
	/* Clobber an SSE register: sigreturn must bring the old one back. */
	__asm__ volatile("pxor %%xmm0, %%xmm0" ::: "xmm0");
}

static void on_segv(int sig, void *info, void *uc)
{
	unsigned long *ucw = uc;
	unsigned long sp = (unsigned long)&sig;

	fault_addr = ((unsigned long *)info)[2];
	on_alt = sp >= (unsigned long)altstack &&
		 sp < (unsigned long)altstack + sizeof(altstack);
	/* Skip the faulting 3-byte "movl $0, (%rax)"... set rip past it:
	 * uc_mcontext.rip is word 5 + 16 of the ucontext. */
	ucw[5 + 16] += 6;
}

int main(int argc, char **argv, char **envp)
{
	unsigned long mask = 1ul << 9, old = 0;	/* SIGUSR1 = 10 */
	struct { void *sp; int flags; size_t size; } ss = { altstack, 0, sizeof(altstack) };
	double x = 3.5, y;

	CHECK(sigaction_install(10, on_usr1, 4 /* SA_SIGINFO */) == 0);
	CHECK(sigaction_install(9, on_usr1, 4) == -22);
	__asm__ volatile("movsd %1, %%xmm0" : "=m"(y) : "m"(x) : "xmm0");
	CHECK(sys2(SYS_tkill, sys0(SYS_gettid), 10) == 0);
	__asm__ volatile("movsd %%xmm0, %0" : "=m"(y) :: "xmm0");
	CHECK(got && got_sig == 10);
	CHECK(y == 3.5);
	say("ok handler siginfo sse\n");
	got = 0;
	CHECK(sys4(SYS_rt_sigprocmask, 0, &mask, &old, 8) == 0);
	CHECK(sys3(SYS_tgkill, sys0(SYS_getpid), sys0(SYS_gettid), 10) == 0);
	CHECK(got == 0);
	CHECK(sys4(SYS_rt_sigprocmask, 1, &mask, &old, 8) == 0);
	CHECK(got_sig == 10 && got == 1);
	say("ok mask\n");
	CHECK(sys2(SYS_sigaltstack, &ss, 0) == 0);
	CHECK(sigaction_install(11, on_segv, 4 | 0x08000000 /* SA_ONSTACK */) == 0);
	__asm__ volatile("mov $0x1234, %%rax\n\tmovl $0, (%%rax)\n\tnop"
			 ::: "rax", "memory");
	CHECK(fault_addr == 0x1234);
	CHECK(on_alt);
	say("ok sigsegv altstack\n");
	CHECK(sys2(SYS_kill, sys0(SYS_getpid), 0) == 0);
	CHECK(sys2(SYS_kill, 999999, 0) == -3);
	say("ok kill\n");
	return 0;
}
