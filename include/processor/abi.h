/* include/processor/abi.h — the Linux syscall ABI of a processor node
 * (managers/processor/syscall.c, strace.c).
 *
 * One table, generated from managers/processor/syscalls.tbl by
 * scripts/gen-syscalls, maps each Linux x86-64 syscall number to the
 * handler in the subsystem that owns it.  A handler is defined with
 * SYSCALL_DEFINEn(name, type, arg, ...): it becomes `long sys_name(const
 * u64 *args)` (the prototype the generated table declares) that casts the
 * six raw argument registers (rdi, rsi, rdx, r10, r8, r9) to the declared
 * types and calls the typed body.  It returns a value or a negative errno.
 * An unimplemented number logs its name once and returns -ENOSYS (OSv).
 *
 * Handlers run in the calling thread with interrupts on and may sleep.
 * The user's registers are at abi_user_regs() (rt_sigreturn, clone, fork
 * and execve need them).  strace=1 on the command line prints every call
 * with decoded arguments and its result.
 */
#ifndef PROCESSOR_ABI_H
#define PROCESSOR_ABI_H

#include <asm/ptrace.h>
#include <tessera/compiler.h>

struct syscall_desc {
	const char *name;
	long (*fn)(const u64 *args);	/* NULL: not implemented */
	const char *fmt;		/* strace letters, syscalls.tbl */
};

#define __SC_BODY(name, proto, call)                                      \
	static long do_sys_##name proto;                                  \
	long sys_##name(const u64 *args);                                 \
	long sys_##name(const u64 *args)                                  \
	{                                                                 \
		(void)args;                                               \
		return do_sys_##name call;                                \
	}                                                                 \
	static long do_sys_##name proto

#define SYSCALL_DEFINE0(name) __SC_BODY(name, (void), ())
#define SYSCALL_DEFINE1(name, t1, a1)                                     \
	__SC_BODY(name, (t1 a1), ((t1)args[0]))
#define SYSCALL_DEFINE2(name, t1, a1, t2, a2)                             \
	__SC_BODY(name, (t1 a1, t2 a2), ((t1)args[0], (t2)args[1]))
#define SYSCALL_DEFINE3(name, t1, a1, t2, a2, t3, a3)                     \
	__SC_BODY(name, (t1 a1, t2 a2, t3 a3),                            \
		  ((t1)args[0], (t2)args[1], (t3)args[2]))
#define SYSCALL_DEFINE4(name, t1, a1, t2, a2, t3, a3, t4, a4)             \
	__SC_BODY(name, (t1 a1, t2 a2, t3 a3, t4 a4),                     \
		  ((t1)args[0], (t2)args[1], (t3)args[2], (t4)args[3]))
#define SYSCALL_DEFINE5(name, t1, a1, t2, a2, t3, a3, t4, a4, t5, a5)     \
	__SC_BODY(name, (t1 a1, t2 a2, t3 a3, t4 a4, t5 a5),              \
		  ((t1)args[0], (t2)args[1], (t3)args[2], (t4)args[3],     \
		   (t5)args[4]))
#define SYSCALL_DEFINE6(name, t1, a1, t2, a2, t3, a3, t4, a4, t5, a5, t6, a6) \
	__SC_BODY(name, (t1 a1, t2 a2, t3 a3, t4 a4, t5 a5, t6 a6),       \
		  ((t1)args[0], (t2)args[1], (t3)args[2], (t4)args[3],     \
		   (t5)args[4], (t6)args[5]))

/* Register the syscall handler, the exit-to-user hook and the user trap
 * handler with the arch layer (processor role init; selftests that let
 * another test own the hooks call it again). */
void abi_install(void);
/* The descriptor of @nr, or NULL outside the table. */
const struct syscall_desc *syscall_desc(u64 nr);
/* Calls of numbers that have no handler so far (selftests). */
unsigned long syscall_enosys_count(void);
/* The user-mode registers of the current user thread (top of its kernel
 * stack). */
struct pt_regs *abi_user_regs(void);

/* strace (strace.c): format the call's arguments into @buf before it runs
 * (strings are read then), print the line with @ret after. */
extern bool abi_strace;
void strace_format_args(const struct syscall_desc *d, const u64 *args,
			char *buf, size_t len);
#define STRACE_NO_RETURN 0x7fffffffffffffffl	/* print "= ?" */
void strace_print(const struct syscall_desc *d, u64 nr, const char *args,
		  long ret);
/* "ENOENT" for -2 etc.; NULL if unknown. */
const char *errno_name(long err);

#endif
