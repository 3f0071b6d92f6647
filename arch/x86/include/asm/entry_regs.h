/* arch/x86/include/asm/entry_regs.h — assembly macros that push and pop
 * the general registers of a struct pt_regs (asm/ptrace.h) in its order:
 * shared by the interrupt entry (entry.S) and the syscall entry
 * (entry_syscall.S), so both build the same frame. */
#ifndef ASM_ENTRY_REGS_H
#define ASM_ENTRY_REGS_H
#ifdef __ASSEMBLER__

.macro SAVE_REGS
	pushq %rdi
	pushq %rsi
	pushq %rdx
	pushq %rcx
	pushq %rax
	pushq %r8
	pushq %r9
	pushq %r10
	pushq %r11
	pushq %rbx
	pushq %rbp
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
.endm

.macro RESTORE_REGS
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %rbp
	popq %rbx
	popq %r11
	popq %r10
	popq %r9
	popq %r8
	popq %rax
	popq %rcx
	popq %rdx
	popq %rsi
	popq %rdi
.endm

#endif
#endif
