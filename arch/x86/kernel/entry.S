/* arch/x86/kernel/entry.S — interrupt and exception entry.
 *
 * 256 stubs, 16 bytes apart (isr_stubs + 16 * vector): each pushes a zero
 * error code where the CPU pushes none, then the vector, and jumps to the
 * common path, which saves the general registers into a struct pt_regs
 * (asm/ptrace.h: the push order below must match it) and calls
 * interrupt_dispatch(regs) in arch/x86/kernel/irq.c.
 *
 * %gs: on entry from user mode we swapgs (kernel GS base lives in
 * MSR_KERNEL_GS_BASE while user code runs).  NMI, #DF and #MC run on IST
 * stacks and may interrupt the kernel between a swapgs and the next
 * instruction, so they decide from the GS base MSR itself ("paranoid").
 */
#include <asm/entry_regs.h>
#include <asm/layout.h>

#define ERRCODE_VECTORS ((1 << 8) | (1 << 10) | (1 << 11) | (1 << 12) | \
			 (1 << 13) | (1 << 14) | (1 << 17) | (1 << 21) | \
			 (1 << 29) | (1 << 30))
#define PARANOID(v) ((v) == 2 || (v) == 8 || (v) == 18)


	.text
	.align 16
	.globl isr_stubs
isr_stubs:
	vec = 0
	.rept 256
	.align 16
	.if vec < 32
	.if ((ERRCODE_VECTORS >> vec) & 1) == 0
	pushq $0
	.endif
	.else
	pushq $0
	.endif
	pushq $vec
	.if PARANOID(vec)
	jmp paranoid_entry
	.else
	jmp common_entry
	.endif
	vec = vec + 1
	.endr

common_entry:
	cld
	testb $3, 24(%rsp)		/* CS of the interrupted context */
	jz 1f
	swapgs
1:	SAVE_REGS
	movq %rsp, %rdi
	xorl %ebp, %ebp
	call interrupt_dispatch
	.globl interrupt_return
interrupt_return:
	RESTORE_REGS
	testb $3, 24(%rsp)
	jz 2f
	swapgs
2:	addq $16, %rsp			/* vector, error code */
	iretq

paranoid_entry:
	cld
	SAVE_REGS
	xorl %ebx, %ebx
	movl $0xc0000101, %ecx		/* MSR_GS_BASE */
	rdmsr
	testl %edx, %edx
	js 1f				/* kernel GS already loaded */
	swapgs
	movl $1, %ebx
1:	movq %rsp, %rdi
	xorl %ebp, %ebp
	call interrupt_dispatch
	testl %ebx, %ebx
	jz 2f
	swapgs
2:	RESTORE_REGS
	addq $16, %rsp
	iretq

	.section .note.GNU-stack, "", @progbits
