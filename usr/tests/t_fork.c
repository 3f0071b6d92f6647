/* usr/tests/t_fork.c — fork, vfork, wait4 statuses, exit codes, a child
 * killed by a signal, pipes between processes. */
#include "../lib/nolibc.h"

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
	sigaction_install(17, (void *)1, 0);	/* SIGCHLD ignored: no zombies */
	pid = sys0(SYS_fork);
	if (pid == 0)
		exit_group(3);
	CHECK(pid > 0);
	CHECK(sys4(SYS_wait4, -1, &status, 0, 0) == -10);
	say("ok sigchld ignored autoreap\n");
	return 0;
}
