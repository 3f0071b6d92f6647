/* arch/x86/include/asm/ptrace.h — the register frame every interrupt,
 * exception and (later) syscall entry pushes (arch/x86/kernel/entry.S).
 * Order matches the push sequence there; do not reorder. */
#ifndef ASM_PTRACE_H
#define ASM_PTRACE_H

#include <tessera/types.h>

struct pt_regs {
	u64 r15, r14, r13, r12, rbp, rbx, r11, r10, r9, r8;
	u64 rax, rcx, rdx, rsi, rdi;
	u64 vector;
	u64 error_code;
	/* pushed by the CPU */
	u64 rip, cs, rflags, rsp, ss;
};
_Static_assert(sizeof(struct pt_regs) == 22 * 8, "pt_regs layout");

static inline bool user_mode(const struct pt_regs *r)
{
	return (r->cs & 3) == 3;
}

#endif
