/* usr/lib/nolibc.h — the smallest runtime for static test programs built
 * with -nostdlib: _start, raw syscalls, a few string and print helpers.
 * The same binary runs on the host's Linux and on Tessera, so a test
 * program's output can be compared byte for byte.  Programs define
 * `int main(int argc, char **argv, char **envp)`; CHECK(cond) prints the
 * failing line and exits with status 1.
 *
 * Two modes, chosen by __STDC_HOSTED__:
 *   freestanding (-ffreestanding -nostdlib, usr/tests/NAME): _start and
 *     memset come from here; main's return goes straight to exit_group.
 *   hosted (built against static glibc or musl, usr/abi.mk's g_t_NAME
 *     and m_t_NAME): the libc's own startup runs (_start, TLS through
 *     arch_prctl, set_tid_address, stdio), then calls main; main's return
 *     goes through exit(), so atexit handlers run and stdio is flushed.
 *     usr/lib/hosted.h adds a check of that startup and an exit line
 *     printed through stdio.
 * Both modes keep the syscall helpers raw (inline asm returning -errno,
 * which the checks expect) and print with raw write(2), so output never
 * sits in a stdio buffer across a raw fork.  Children made with raw
 * fork/vfork/clone run only raw syscalls and leave through exit_group or
 * exit (never libc exit): a raw clone child shares or lacks the libc's
 * thread state.
 */
#ifndef USR_NOLIBC_H
#define USR_NOLIBC_H

#if __STDC_HOSTED__
#include <stddef.h>
#include <string.h>
#include <sys/types.h>
#else
typedef unsigned long size_t;
typedef long ssize_t;
#endif
typedef unsigned long long u64;
typedef unsigned int u32;

#define SYS_read 0
#define SYS_write 1
#define SYS_open 2
#define SYS_close 3
#define SYS_fstat 5
#define SYS_poll 7
#define SYS_lseek 8
#define SYS_mmap 9
#define SYS_mprotect 10
#define SYS_munmap 11
#define SYS_brk 12
#define SYS_rt_sigaction 13
#define SYS_rt_sigprocmask 14
#define SYS_rt_sigreturn 15
#define SYS_ioctl 16
#define SYS_pipe 22
#define SYS_sched_yield 24
#define SYS_dup 32
#define SYS_dup2 33
#define SYS_nanosleep 35
#define SYS_getpid 39
#define SYS_clone 56
#define SYS_fork 57
#define SYS_vfork 58
#define SYS_execve 59
#define SYS_exit 60
#define SYS_wait4 61
#define SYS_kill 62
#define SYS_uname 63
#define SYS_fcntl 72
#define SYS_getcwd 79
#define SYS_readlink 89
#define SYS_getppid 110
#define SYS_sigaltstack 131
#define SYS_arch_prctl 158
#define SYS_gettid 186
#define SYS_tkill 200
#define SYS_futex 202
#define SYS_set_tid_address 218
#define SYS_clock_gettime 228
#define SYS_clock_nanosleep 230
#define SYS_exit_group 231
#define SYS_tgkill 234
#define SYS_openat 257
#define SYS_ppoll 271
#define SYS_set_robust_list 273
#define SYS_pipe2 293
#define SYS_dup3 292
#define SYS_prlimit64 302
#define SYS_getrandom 318

static inline long syscall6(long n, long a, long b, long c, long d, long e,
			    long f)
{
	long ret;
	register long r10 __asm__("r10") = d;
	register long r8 __asm__("r8") = e;
	register long r9 __asm__("r9") = f;

	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8),
			   "r"(r9)
			 : "rcx", "r11", "memory");
	return ret;
}
#define sys0(n) syscall6(n, 0, 0, 0, 0, 0, 0)
#define sys1(n, a) syscall6(n, (long)(a), 0, 0, 0, 0, 0)
#define sys2(n, a, b) syscall6(n, (long)(a), (long)(b), 0, 0, 0, 0)
#define sys3(n, a, b, c) syscall6(n, (long)(a), (long)(b), (long)(c), 0, 0, 0)
#define sys4(n, a, b, c, d) \
	syscall6(n, (long)(a), (long)(b), (long)(c), (long)(d), 0, 0)
#define sys5(n, a, b, c, d, e) \
	syscall6(n, (long)(a), (long)(b), (long)(c), (long)(d), (long)(e), 0)

static size_t slen(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
}

static void puts_fd(int fd, const char *s)
{
	sys3(SYS_write, fd, s, slen(s));
}

static void say(const char *s)
{
	puts_fd(1, s);
}

static char *fmt_long(char *end, long v)
{
	unsigned long u = v < 0 ? -(unsigned long)v : (unsigned long)v;

	*--end = '\0';
	do {
		*--end = '0' + u % 10;
		u /= 10;
	} while (u);
	if (v < 0)
		*--end = '-';
	return end;
}

/* Print "label value\n". */
static void say_num(const char *label, long v)
{
	char buf[24];

	say(label);
	say(fmt_long(buf + sizeof(buf), v));
	say("\n");
}

static __attribute__((noreturn)) void exit_group(int code)
{
	for (;;)
		sys1(SYS_exit_group, code);
}

#define CHECK(cond)                                                        \
	do {                                                               \
		if (!(cond)) {                                             \
			char __b[24];                                      \
			puts_fd(1, "FAIL " __FILE__ ":");                  \
			puts_fd(1, fmt_long(__b + sizeof(__b), __LINE__)); \
			puts_fd(1, ": " #cond "\n");                       \
			exit_group(1);                                     \
		}                                                          \
	} while (0)

#if !__STDC_HOSTED__
static void *memset(void *d, int c, size_t n)
{
	unsigned char *p = d;

	while (n--)
		*p++ = (unsigned char)c;
	return d;
}
#endif

static int streq(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return *a == *b;
}

int main(int argc, char **argv, char **envp);

#if __STDC_HOSTED__
#include "hosted.h"
#else
__attribute__((used)) static void start_c(long *sp)
{
	int argc = (int)sp[0];
	char **argv = (char **)(sp + 1);

	exit_group(main(argc, argv, argv + argc + 1));
}

__asm__(".text\n.global _start\n_start:\n"
	"	xor %ebp, %ebp\n"
	"	mov %rsp, %rdi\n"
	"	and $-16, %rsp\n"
	"	call start_c\n"
	"	hlt\n");
#endif

/* The signal return trampoline every handler goes back through. */
extern void sig_restorer(void);
__asm__(".text\n.global sig_restorer\nsig_restorer:\n"
	"	mov $15, %eax\n"
	"	syscall\n"
	"	hlt\n");

struct ksigaction {
	void (*handler)(int, void *, void *);
	unsigned long flags;
	void (*restorer)(void);
	unsigned long mask;
};

static long sigaction_install(int sig, void (*h)(int, void *, void *),
			      unsigned long flags)
{
	struct ksigaction ka = { h, flags | 0x04000000 /* SA_RESTORER */,
				 sig_restorer, 0 };

	return sys4(SYS_rt_sigaction, sig, &ka, 0, 8);
}

/* A thread made with clone(@flags) on @stack_top: CLONE_THREAD_FLAGS are
 * glibc's (CLONE_VM|FS|FILES|SIGHAND|THREAD|SYSVSEM|SETTLS|PARENT_SETTID|
 * CHILD_CLEARTID): its tid stored at @tid (and cleared with a futex wake
 * when it exits), FS base @tls.  The child calls @fn(@arg), which must
 * end with exit(2).  r12/r13 carry @arg and @fn across the syscall (the
 * kernel preserves them, the child gets the parent's values).  Returns
 * the tid or -errno. */
#define CLONE_THREAD_FLAGS	0x3d0f00L
static long clone_thread(long flags, void *stack_top, int *tid, void *tls,
			 void (*fn)(long), long arg)
{
	long ret;
	register long r10 __asm__("r10") = (long)tid;
	register long r8 __asm__("r8") = (long)tls;
	register long r12 __asm__("r12") = arg;
	register void (*r13)(long) __asm__("r13") = fn;

	__asm__ volatile("syscall\n\t"
			 "test %%rax, %%rax\n\t"
			 "jnz 1f\n\t"
			 "mov %%r12, %%rdi\n\t"
			 "call *%%r13\n"
			 "1:"
			 : "=a"(ret)
			 : "a"(SYS_clone), "D"(flags), "S"(stack_top), "d"(tid),
			   "r"(r10), "r"(r8), "r"(r12), "r"(r13)
			 : "rcx", "r11", "memory");
	return ret;
}

#endif
