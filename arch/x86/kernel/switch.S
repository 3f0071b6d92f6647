/* arch/x86/kernel/switch.S — the kernel-stack context switch.
 *
 * struct task *__switch_to(struct task *prev, struct task *next)
 *   Pushes the SysV callee-saved registers (rbp rbx r12 r13 r14 r15) on
 *   prev's stack, stores rsp in prev->rsp (offset 0 of struct task,
 *   asserted in kernel/sched/kthread.c), loads next->rsp, pops next's
 *   registers and returns — into next's own call of __switch_to, or, for a
 *   new thread, into kthread_trampoline.  Returns @prev (in %rax) as seen
 *   by next, so it can finish the switch (kernel/sched/core.c).
 *   Caller-saved registers are the C caller's business; rflags (IF is
 *   off) and the FPU are not touched: kernel threads never use the FPU.
 *   TODO(#6): XSAVE/XRSTOR of user threads is done in C before this call.
 *
 * kthread_trampoline: the first return address on a new thread's stack
 *   (kernel/sched/kthread.c builds the frame).  rsp is 16-byte aligned
 *   here; rbp is 0, ending backtraces.
 */
	.text
	.globl __switch_to
	.type __switch_to, @function
__switch_to:
	pushq %rbp
	pushq %rbx
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	movq %rsp, (%rdi)
	movq (%rsi), %rsp
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %rbx
	popq %rbp
	movq %rdi, %rax
	ret
	.size __switch_to, . - __switch_to

	.globl kthread_trampoline
	.type kthread_trampoline, @function
kthread_trampoline:
	movq %rax, %rdi
	xorl %ebp, %ebp
	call kthread_entry
	ud2
	.size kthread_trampoline, . - kthread_trampoline

	.section .note.GNU-stack, "", @progbits
