/* usr/tests/t_exec.c — fork + execve + wait: the child becomes another
 * program (hello) with new argv and envp and exits with the status it is
 * asked for; close-on-exec fds disappear, others stay; execve of a path
 * that does not exist fails with ENOENT and leaves the caller intact.
 * Programs are found next to argv[0] (/bin on Tessera, build/usr on the
 * host); the re-executed self is argv[0]'s own name (t_exec, or its libc
 * builds g_t_exec and m_t_exec). */
#include "../lib/nolibc.h"

static char dir[256];
static char stack[16384] __attribute__((aligned(16)));
static volatile int spin_tid;

__attribute__((used, noreturn)) void spinner(void);
__attribute__((used, noreturn)) void spinner(void)
{
	for (;;)
		sys0(SYS_sched_yield);
}

/* A thread that spins until exec ends it. */
static long spawn_spinner(void)
{
	long ret;
	register long r10 __asm__("r10") = (long)&spin_tid;
	register long r8 __asm__("r8") = 0;

	__asm__ volatile("syscall\n\t"
			 "test %%rax, %%rax\n\t"
			 "jnz 1f\n\t"
			 "call spinner\n"
			 "1:"
			 : "=a"(ret)
			 : "a"(SYS_clone), "D"(0x350f00), "S"(stack + sizeof(stack)),
			   "d"(&spin_tid), "r"(r10), "r"(r8)
			 : "rcx", "r11", "memory");
	return ret;
}

/* dir + name into @buf. */
static char *path(char *buf, const char *name)
{
	size_t n = slen(dir), k = slen(name);

	for (size_t i = 0; i < n; i++)
		buf[i] = dir[i];
	for (size_t i = 0; i <= k; i++)
		buf[n + i] = name[i];
	return buf;
}

int main(int argc, char **argv, char **envp)
{
	char hello[300], self[300], *cargv[] = { "/bin/hello", "9", 0 };
	const char *me = argv[0];
	char *cenv[] = { "A=1", 0 };
	int status = 0, p[2];
	long pid;

	if (argc > 1 && streq(argv[1], "child")) {
		/* Re-executed: fds 3 and 4 were O_CLOEXEC, fd 5 was not. */
		CHECK(sys2(SYS_fcntl, 3, 1) == -9);
		CHECK(sys2(SYS_fcntl, 5, 1) == 0 && sys2(SYS_fcntl, 4, 1) == -9);
		return 0;
	}
	{
		size_t i, slash = 0;

		for (i = 0; argv[0][i] && i < sizeof(dir) - 1; i++) {
			if (argv[0][i] == '/')
				slash = i + 1;
			dir[i] = argv[0][i];
		}
		dir[slash] = '\0';
		me = argv[0] + slash;	/* t_exec, or g_t_exec and m_t_exec */
	}
	path(hello, "hello");
	CHECK(sys3(SYS_execve, path(self + 0, "does-not-exist"), cargv, cenv) == -2);
	path(self, me);
	pid = sys0(SYS_fork);
	if (pid == 0) {
		sys3(SYS_execve, hello, cargv, cenv);
		exit_group(100);
	}
	CHECK(sys4(SYS_wait4, pid, &status, 0, 0) == pid);
	CHECK(((status >> 8) & 0xff) == 9);
	say("ok fork execve wait\n");
	CHECK(sys2(SYS_pipe2, p, 0x80000) == 0 && p[0] == 3);
	CHECK(sys2(SYS_dup2, p[1], 5) == 5);
	pid = sys0(SYS_vfork);
	if (pid == 0) {
		char *a[] = { "/bin/t_exec", "child", 0 };

		sys3(SYS_execve, self, a, cenv);
		exit_group(100);
	}
	CHECK(sys4(SYS_wait4, pid, &status, 0, 0) == pid);
	CHECK(status == 0);
	say("ok vfork execve cloexec\n");
	pid = sys0(SYS_fork);
	if (pid == 0) {
		char *a[] = { "/bin/hello", "4", 0 };

		CHECK(spawn_spinner() > 0);
		sys3(SYS_execve, hello, a, cenv);
		exit_group(100);
	}
	CHECK(sys4(SYS_wait4, pid, &status, 0, 0) == pid);
	CHECK(((status >> 8) & 0xff) == 4);
	say("ok execve from a multithreaded process\n");
	return 0;
}
