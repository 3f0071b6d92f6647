/* include/uapi/signal.h — signals of the Linux x86-64 ABI: numbers,
 * sigaction flags, the kernel's struct sigaction (rt_sigaction), stack_t,
 * siginfo, and the signal frame pieces (asm/signal.h, asm-generic/
 * siginfo.h, asm/sigcontext.h, asm/ucontext.h).  A sigset is one u64:
 * bit (sig - 1) stands for signal sig.  Layouts are asserted against the
 * host's kernel headers in tests/host/test_uapi_abi.c. */
#ifndef UAPI_SIGNAL_H
#define UAPI_SIGNAL_H

#include <tessera/types.h>

#define SIGHUP		1
#define SIGINT		2
#define SIGQUIT		3
#define SIGILL		4
#define SIGTRAP		5
#define SIGABRT		6
#define SIGBUS		7
#define SIGFPE		8
#define SIGKILL		9
#define SIGUSR1		10
#define SIGSEGV		11
#define SIGUSR2		12
#define SIGPIPE		13
#define SIGALRM		14
#define SIGTERM		15
#define SIGSTKFLT	16
#define SIGCHLD		17
#define SIGCONT		18
#define SIGSTOP		19
#define SIGTSTP		20
#define SIGTTIN		21
#define SIGTTOU		22
#define SIGURG		23
#define SIGXCPU		24
#define SIGXFSZ		25
#define SIGVTALRM	26
#define SIGPROF		27
#define SIGWINCH	28
#define SIGIO		29
#define SIGPWR		30
#define SIGSYS		31
#define SIGRTMIN	32
#define _NSIG		64

#define SA_NOCLDSTOP	0x00000001u
#define SA_NOCLDWAIT	0x00000002u
#define SA_SIGINFO	0x00000004u
#define SA_RESTORER	0x04000000u
#define SA_ONSTACK	0x08000000u
#define SA_RESTART	0x10000000u
#define SA_NODEFER	0x40000000u
#define SA_RESETHAND	0x80000000u

#define SIG_BLOCK	0
#define SIG_UNBLOCK	1
#define SIG_SETMASK	2

#define SIG_DFL		0ul
#define SIG_IGN		1ul

#define SS_ONSTACK	1
#define SS_DISABLE	2
#define MINSIGSTKSZ	2048

/* si_code values. */
#define SI_USER		0
#define SI_KERNEL	0x80
#define SI_TKILL	(-6)
#define SEGV_MAPERR	1
#define SEGV_ACCERR	2
#define BUS_ADRERR	2
#define FPE_INTDIV	1
#define FPE_FLTDIV	3
#define ILL_ILLOPN	2
#define TRAP_BRKPT	1
#define CLD_EXITED	1
#define CLD_KILLED	2
#define CLD_DUMPED	3

typedef u64 sigset_t;

struct sigaction {		/* rt_sigaction's kernel layout */
	u64 sa_handler;		/* or sa_sigaction */
	u64 sa_flags;
	u64 sa_restorer;
	sigset_t sa_mask;
};
_Static_assert(sizeof(struct sigaction) == 32, "struct sigaction");

typedef struct sigaltstack {
	u64 ss_sp;
	s32 ss_flags;
	u32 __pad;
	u64 ss_size;
} stack_t;
_Static_assert(sizeof(stack_t) == 24, "stack_t");

/* 128 bytes; the union member we fill starts at offset 16. */
typedef struct siginfo {
	s32 si_signo;
	s32 si_errno;
	s32 si_code;
	s32 __pad0;
	union {
		struct { s32 pid; u32 uid; } kill;	/* SI_USER, SI_TKILL */
		struct { s32 pid; u32 uid; s32 status; s32 __pad;
			 s64 utime, stime; } chld;	/* SIGCHLD */
		struct { u64 addr; } fault;		/* SIGSEGV, SIGBUS... */
		u8 __raw[112];
	} f;
} siginfo_t;
_Static_assert(sizeof(siginfo_t) == 128, "siginfo_t");

struct sigcontext {
	u64 r8, r9, r10, r11, r12, r13, r14, r15;
	u64 rdi, rsi, rbp, rbx, rdx, rax, rcx, rsp, rip, eflags;
	u16 cs, gs, fs, ss;
	u64 err, trapno, oldmask, cr2;
	u64 fpstate;		/* user address of the XSAVE image */
	u64 reserved1[8];
};
_Static_assert(sizeof(struct sigcontext) == 256, "struct sigcontext");

struct ucontext {
	u64 uc_flags;
	u64 uc_link;
	stack_t uc_stack;
	struct sigcontext uc_mcontext;
	sigset_t uc_sigmask;
};
_Static_assert(sizeof(struct ucontext) == 304, "struct ucontext");

#define UC_FP_XSTATE		0x1
#define UC_SIGCONTEXT_SS	0x2
#define UC_STRICT_RESTORE_SS	0x4

/* The fxsave image's software-reserved bytes 464..511 describe the
 * extended state when the frame holds an XSAVE image (asm/sigcontext.h). */
#define FP_XSTATE_MAGIC1	0x46505853u
#define FP_XSTATE_MAGIC2	0x46505845u

struct fpx_sw_bytes {
	u32 magic1;
	u32 extended_size;	/* xstate_size + FP_XSTATE_MAGIC2 */
	u64 xfeatures;
	u32 xstate_size;
	u32 padding[7];
};
_Static_assert(sizeof(struct fpx_sw_bytes) == 48, "fpx_sw_bytes");

#endif
