/* arch/x86/boot/head.S — first instructions of Tessera.
 *
 * One ELF64 image boots two ways:
 *   - QEMU -kernel: the PVH ELF note (XEN_ELFNOTE_PHYS32_ENTRY) names
 *     pvh_start32; %ebx holds the physical address of hvm_start_info.
 *   - GRUB2 multiboot2: the header below; the ELF entry is mb2_start32,
 *     %eax = 0x36d76289, %ebx = physical address of the boot information.
 * Both arrive in 32-bit protected mode with paging off.  We check for long
 * mode, build boot page tables (identity 0..1 GiB, the kernel image at
 * KERNEL_VMA, and the first 4 GiB of the direct map, all 2 MiB pages),
 * enable PAE/LME/NXE and paging, and jump to start_kernel(proto, info) in
 * the higher half.  mm/ replaces these tables with the final ones.
 *
 * .boot.* sections are linked at their physical address (VMA == LMA).
 */
#include <asm/layout.h>

#define MB2_MAGIC	0xe85250d6
#define MB2_ARCH	0
#define BOOT_PVH	1
#define BOOT_MB2	2
#define COM1		0x3f8

	.section .boot.header, "a"
	.align 8
mb2_header:
	.long MB2_MAGIC
	.long MB2_ARCH
	.long mb2_header_end - mb2_header
	.long -(MB2_MAGIC + MB2_ARCH + (mb2_header_end - mb2_header))
	.align 8
	.short 0, 0			/* end tag */
	.long 8
mb2_header_end:

	.section .note.Xen, "a"
	.align 4
	.long 4				/* name size: "Xen\0" */
	.long 4				/* desc size */
	.long 18			/* XEN_ELFNOTE_PHYS32_ENTRY */
	.asciz "Xen"
	.long pvh_start32

	.section .boot.text, "ax"
	.code32
	.globl pvh_start32
pvh_start32:
	cli
	cld
	movl $BOOT_PVH, %esi
	jmp common32

	.globl mb2_start32
mb2_start32:
	cli
	cld
	movl $BOOT_MB2, %esi
	cmpl $0x36d76289, %eax
	je common32
	movl $msg_badmagic, %edi
	jmp die32

common32:
	movl $boot_stack32_top, %esp
	movl %ebx, %edi			/* keep info pointer in %edi */
	/* CPUID extended leaf with long mode? */
	movl $0x80000000, %eax
	cpuid
	cmpl $0x80000001, %eax
	jb no_lm
	movl $0x80000001, %eax
	cpuid
	btl $29, %edx
	jnc no_lm
	movl %edx, %ebp			/* remember NX (bit 20) */

	/* PML4[0] and PML4[511] -> pdpt_low / pdpt_high, PML4[273] -> pdpt_dm */
	movl $boot_pdpt_low, %eax
	orl $3, %eax
	movl %eax, boot_pml4
	movl $boot_pdpt_high, %eax
	orl $3, %eax
	movl %eax, boot_pml4 + 511 * 8
	movl $boot_pdpt_dm, %eax
	orl $3, %eax
	movl %eax, boot_pml4 + 273 * 8
	/* pdpt_low[0] and pdpt_high[510] -> boot_pd[0] (0..1 GiB) */
	movl $boot_pd, %eax
	orl $3, %eax
	movl %eax, boot_pdpt_low
	movl %eax, boot_pdpt_high + 510 * 8
	/* pdpt_dm[0..3] -> boot_pd[0..3] (0..4 GiB) */
	xorl %ecx, %ecx
1:	movl %ecx, %eax
	shll $12, %eax
	addl $boot_pd, %eax
	orl $3, %eax
	movl %eax, boot_pdpt_dm(, %ecx, 8)
	incl %ecx
	cmpl $4, %ecx
	jb 1b
	/* boot_pd: 2048 entries of 2 MiB, present|rw|PS */
	xorl %ecx, %ecx
2:	movl %ecx, %eax
	shll $21, %eax
	orl $0x83, %eax
	movl %eax, boot_pd(, %ecx, 8)
	movl %ecx, %eax
	shrl $11, %eax
	movl %eax, boot_pd + 4(, %ecx, 8)
	incl %ecx
	cmpl $2048, %ecx
	jb 2b

	/* CR4.PAE|PGE, CR3, EFER.LME (+NXE), CR0.PG|WP */
	movl %cr4, %eax
	orl $0xa0, %eax
	movl %eax, %cr4
	movl $boot_pml4, %eax
	movl %eax, %cr3
	movl $0xc0000080, %ecx
	rdmsr
	orl $0x100, %eax
	btl $20, %ebp
	jnc 3f
	orl $0x800, %eax
3:	wrmsr
	movl %cr0, %eax
	orl $0x80010001, %eax
	movl %eax, %cr0
	lgdt boot_gdt_desc
	ljmp $0x08, $long64

no_lm:
	movl $msg_nolm, %edi
die32:	/* print the NUL-terminated string at %edi on COM1, then halt */
	movb (%edi), %al
	testb %al, %al
	jz 5f
	movw $COM1 + 5, %dx
4:	inb %dx, %al
	testb $0x20, %al
	jz 4b
	movb (%edi), %al
	movw $COM1, %dx
	outb %al, %dx
	incl %edi
	jmp die32
5:	hlt
	jmp 5b

	.code64
long64:
	movl $0x10, %eax
	movl %eax, %ds
	movl %eax, %es
	movl %eax, %ss
	xorl %eax, %eax
	movl %eax, %fs
	movl %eax, %gs
	movabsq $higher_half, %rax
	jmp *%rax

	.section .boot.data, "aw"
msg_nolm:
	.asciz "tessera: this CPU has no long mode (x86-64); cannot boot\r\n"
msg_badmagic:
	.asciz "tessera: bad multiboot2 magic in %eax; cannot boot\r\n"
	.align 16
boot_gdt:
	.quad 0
	.quad 0x00af9a000000ffff	/* 0x08: 64-bit kernel code */
	.quad 0x00cf92000000ffff	/* 0x10: kernel data */
boot_gdt_end:
	.globl boot_gdt_desc
boot_gdt_desc:
	.short boot_gdt_end - boot_gdt - 1
	.quad boot_gdt

	.section .boot.bss, "aw", @nobits
	.align 4096
	.globl boot_pml4
boot_pml4:	.skip 4096
boot_pdpt_low:	.skip 4096
boot_pdpt_high:	.skip 4096
boot_pdpt_dm:	.skip 4096
boot_pd:	.skip 4096 * 4
boot_stack32:	.skip 1024
boot_stack32_top:

	.text
	.code64
higher_half:
	movl %esi, %r12d		/* boot protocol */
	movl %edi, %r13d		/* boot info (phys) */
	/* Zero .bss (the loader should have; a bootloader that did not must
	 * not leave garbage in our globals). */
	movabsq $__bss_start, %rdi
	movabsq $__bss_end, %rcx
	subq %rdi, %rcx
	xorl %eax, %eax
	rep stosb
	movabsq $boot_stack_top, %rsp
	xorl %ebp, %ebp
	movq %r12, %rdi
	movq %r13, %rsi
	call start_kernel
1:	hlt
	jmp 1b

	.bss
	.align 16
	.globl boot_stack
boot_stack:
	.skip KSTACK_SIZE
	.globl boot_stack_top
boot_stack_top:
