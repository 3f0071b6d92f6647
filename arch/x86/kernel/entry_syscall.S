/* arch/x86/kernel/entry_syscall.S — the `syscall` instruction's entry and the
 * first jump to user mode.
 *
 * On `syscall` the CPU leaves %rsp and %gs as user mode had them; we
 * swapgs, park the user %rsp in cpu_local->scratch, switch to the task's
 * kernel stack (cpu_local->kstack_top) and build a struct pt_regs exactly
 * like an interrupt frame, so signal delivery, ptrace-like dumps and the
 * return path are shared.  The return always goes through iretq: it
 * restores whatever the C code left in pt_regs (signal frames change rip,
 * rsp and rflags) and needs no canonical-address checks that sysret would.
 * The cpu_local offsets below are checked by _Static_assert in syscall.c.
 */
#include <asm/entry_regs.h>
#include <asm/layout.h>

#define CL_KSTACK_TOP	24	/* offsetof(struct cpu_local, kstack_top) */
#define CL_SCRATCH	32	/* offsetof(struct cpu_local, scratch) */

	.text
	.globl entry_syscall
entry_syscall:
	swapgs
	movq %rsp, %gs:CL_SCRATCH
	movq %gs:CL_KSTACK_TOP, %rsp
	pushq $0x23			/* ss */
	pushq %gs:CL_SCRATCH		/* rsp */
	pushq %r11			/* rflags */
	pushq $0x2b			/* cs */
	pushq %rcx			/* rip */
	pushq %rax			/* error_code: the original %rax */
	pushq $0x100			/* vector: SYSCALL_VECTOR */
	SAVE_REGS
	xorl %ebp, %ebp
	movq %rsp, %rdi
	call syscall_dispatch
	jmp interrupt_return		/* entry.S: restore, swapgs, iretq */

/* void arch_return_to_user(const struct pt_regs *regs): copy @regs (which
 * must not lie on the current kernel stack) to the top of this task's
 * kernel stack, restore it all and iretq (clone children, exec).  The
 * current stack contents are abandoned. */
	.globl arch_return_to_user
arch_return_to_user:
	cli
	movq %gs:CL_KSTACK_TOP, %rsp
	subq $(22 * 8), %rsp		/* sizeof(struct pt_regs) */
	movq %rdi, %rsi
	movq %rsp, %rdi
	movl $22, %ecx
	cld
	rep movsq
	jmp interrupt_return

/* void arch_enter_user(u64 rip, u64 rsp) */
	.globl arch_enter_user
arch_enter_user:
	cli
	pushq $0x23			/* ss */
	pushq %rsi			/* rsp */
	pushq $0x202			/* rflags: IF */
	pushq $0x2b			/* cs */
	pushq %rdi			/* rip */
	xorl %eax, %eax
	xorl %ebx, %ebx
	xorl %ecx, %ecx
	xorl %edx, %edx
	xorl %esi, %esi
	xorl %edi, %edi
	xorl %ebp, %ebp
	xorl %r8d, %r8d
	xorl %r9d, %r9d
	xorl %r10d, %r10d
	xorl %r11d, %r11d
	xorl %r12d, %r12d
	xorl %r13d, %r13d
	xorl %r14d, %r14d
	xorl %r15d, %r15d
	swapgs
	iretq

	.section .note.GNU-stack, "", @progbits
