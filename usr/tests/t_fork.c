/* usr/tests/t_fork.c — fork, vfork, wait4 statuses, exit codes, a child
 * killed by a signal, pipes between processes; clone3 as fork (its size
 * and argument errors, CLONE_CLEAR_SIGHAND, which clone() ignores). */
#include "../lib/nolibc.h"

#define SYS_clone3 435
#define CLEAR_SIGHAND 0x100000000ull

struct clone_args {
	u64 flags, pidfd, child_tid, parent_tid, exit_signal, stack,
		stack_size, tls, set_tid, set_tid_size, cgroup, extra;
};

/* In a child: exit 0 if SIGUSR1 is caught and SIGUSR2 ignored (@kept),
 * or SIGUSR1 back at SIG_DFL and SIGUSR2 still ignored (!@kept). */
static __attribute__((noreturn)) void report_handlers(int kept)
{
	struct ksigaction a1, a2;

	if (sys4(SYS_rt_sigaction, 10, 0, &a1, 8) || sys4(SYS_rt_sigaction, 12, 0, &a2, 8))
		exit_group(9);
	if ((void *)a2.handler != (void *)1)
		exit_group(2);
	exit_group(kept == (a1.handler != 0) ? 0 : 3);
}

static void on_usr1(int sig, void *info, void *uc)
{
}

/* clone3 argument checks, then clone3 and clone as fork. */
static void clone3_checks(void)
{
	static struct clone_args a;
	int status = 0;
	long pid;

	CHECK(sys2(SYS_clone3, &a, 8) == -22);			/* < VER0 */
	CHECK(sys2(SYS_clone3, &a, 4097) == -7);		/* E2BIG */
	a.extra = 1;
	CHECK(sys2(SYS_clone3, &a, sizeof(a)) == -7);		/* unknown field set */
	a.extra = 0;
	a.flags = 17;						/* CSIGNAL bits */
	CHECK(sys2(SYS_clone3, &a, sizeof(a)) == -22);
	a.flags = 0;
	a.exit_signal = 65;
	CHECK(sys2(SYS_clone3, &a, sizeof(a)) == -22);
	a.exit_signal = 17;
	a.stack = 4096;						/* stack without size */
	CHECK(sys2(SYS_clone3, &a, sizeof(a)) == -22);
	a.stack = 0;
	a.flags = CLEAR_SIGHAND | 0x800 | 0x100;		/* | SIGHAND | VM */
	CHECK(sys2(SYS_clone3, &a, sizeof(a)) == -22);
	CHECK(sigaction_install(10, on_usr1, 4) == 0);
	CHECK(sigaction_install(12, (void *)1, 0) == 0);
	a.flags = CLEAR_SIGHAND;
	pid = sys2(SYS_clone3, &a, sizeof(a));			/* zero tail ok */
	if (pid == 0)
		report_handlers(0);
	CHECK(pid > 0 && sys4(SYS_wait4, pid, &status, 0, 0) == pid);
	CHECK(status == 0);
	pid = sys5(SYS_clone, CLEAR_SIGHAND | 17, 0, 0, 0, 0);	/* ignored */
	if (pid == 0)
		report_handlers(1);
	CHECK(pid > 0 && sys4(SYS_wait4, pid, &status, 0, 0) == pid);
	CHECK(status == 0);
	CHECK(sigaction_install(10, (void *)0, 0) == 0);
	CHECK(sigaction_install(12, (void *)0, 0) == 0);
	say("ok clone3 fork clear_sighand errors\n");
}

int main(int argc, char **argv, char **envp)
{
	int p[2], status = 0;
	long pid;
	char buf[16];
	static volatile int shared = 1;

	CHECK(sys1(SYS_pipe, p) == 0);
	pid = sys0(SYS_fork);
	CHECK(pid >= 0);
	if (pid == 0) {
		shared = 2;
		sys3(SYS_write, p[1], "child", 5);
		exit_group(7);
	}
	CHECK(sys4(SYS_wait4, pid, &status, 0, 0) == pid);
	CHECK((status & 0x7f) == 0 && ((status >> 8) & 0xff) == 7);
	CHECK(shared == 1);
	CHECK(sys3(SYS_read, p[0], buf, sizeof(buf)) == 5 && buf[0] == 'c');
	CHECK(sys4(SYS_wait4, -1, &status, 0, 0) == -10);	/* ECHILD */
	say("ok fork wait4 exit status\n");
	pid = sys0(SYS_fork);
	if (pid == 0) {
		for (;;)
			sys0(SYS_sched_yield);
	}
	CHECK(sys4(SYS_wait4, pid, &status, 1 /* WNOHANG */, 0) == 0);
	CHECK(sys2(SYS_kill, pid, 9) == 0);
	CHECK(sys4(SYS_wait4, pid, &status, 0, 0) == pid);
	CHECK((status & 0x7f) == 9);
	say("ok kill child\n");
	pid = sys0(SYS_fork);
	if (pid == 0) {
		*(volatile int *)0 = 1;
		exit_group(0);
	}
	CHECK(sys4(SYS_wait4, pid, &status, 0, 0) == pid);
	CHECK((status & 0x7f) == 11);
	say("ok child sigsegv\n");
	pid = sys0(SYS_vfork);
	if (pid == 0) {
		shared = 3;
		sys1(SYS_exit, 5);
	}
	CHECK(pid > 0 && shared == 3);
	CHECK(sys4(SYS_wait4, pid, &status, 0, 0) == pid);
	CHECK(((status >> 8) & 0xff) == 5);
	say("ok vfork\n");
	clone3_checks();
	sigaction_install(17, (void *)1, 0);	/* SIGCHLD ignored: no zombies */
	pid = sys0(SYS_fork);
	if (pid == 0)
		exit_group(3);
	CHECK(pid > 0);
	CHECK(sys4(SYS_wait4, -1, &status, 0, 0) == -10);
	say("ok sigchld ignored autoreap\n");
	return 0;
}
