/* arch/x86/kernel/trampoline.S — where application processors start.
 *
 * smpboot.c copies this blob to TRAMPOLINE_PHYS (below 1 MiB) and fills
 * the parameter block at its end, then sends INIT-SIPI-SIPI with vector
 * TRAMPOLINE_PHYS >> 12.  The AP starts in real mode at CS:IP = 0x0800:0,
 * loads a tiny GDT, enters protected mode, loads the kernel's CR3 (which
 * smpboot made identity-map this page), enables PAE/LME/NXE and paging,
 * enters long mode and jumps to ap_entry(cpu) in the higher half on the
 * stack it was given.  Every address in the blob is computed as
 * TRAMPOLINE_PHYS + (label - trampoline_start): the code runs where it is
 * copied, not where it is linked.
 */
#include <asm/layout.h>

#define T(x) (TRAMPOLINE_PHYS + (x) - trampoline_start)

	.section .rodata.trampoline, "a"
	.globl trampoline_start
	.code16
trampoline_start:
	cli
	cld
	movw %cs, %ax
	movw %ax, %ds
	lgdtl tr_gdt_desc - trampoline_start
	movl %cr0, %eax
	orl $1, %eax
	movl %eax, %cr0
	ljmpl $0x08, $T(tr_32)

	.code32
tr_32:
	movl $0x10, %eax
	movl %eax, %ds
	movl %eax, %es
	movl %eax, %ss
	movl %cr4, %eax
	orl $0xa0, %eax			/* PAE | PGE */
	movl %eax, %cr4
	movl T(tr_cr3), %eax
	movl %eax, %cr3
	movl $0xc0000080, %ecx
	rdmsr
	orl $0x900, %eax		/* LME | NXE */
	wrmsr
	movl %cr0, %eax
	orl $0x80010000, %eax		/* PG | WP */
	movl %eax, %cr0
	ljmpl $0x18, $T(tr_64)

	.code64
tr_64:
	movl $0x10, %eax
	movl %eax, %ds
	movl %eax, %es
	movl %eax, %ss
	movq T(tr_stack), %rsp
	movl T(tr_cpu), %edi
	xorl %ebp, %ebp
	movq T(tr_entry), %rax
	jmpq *%rax

	.align 16
tr_gdt:
	.quad 0
	.quad 0x00cf9a000000ffff	/* 0x08: 32-bit code */
	.quad 0x00cf92000000ffff	/* 0x10: data */
	.quad 0x00af9a000000ffff	/* 0x18: 64-bit code */
tr_gdt_desc:
	.short tr_gdt_desc - tr_gdt - 1
	.long T(tr_gdt)

	.align 8
	.globl trampoline_params
trampoline_params:
tr_cr3:		.quad 0
tr_stack:	.quad 0
tr_entry:	.quad 0
tr_cpu:		.quad 0
	.globl trampoline_end
trampoline_end:

	.section .note.GNU-stack, "", @progbits
