/* arch/x86/kernel/usercopy.S — the primitive user copies.
 *
 * Each returns the number of bytes NOT processed (0 on success) in %rax:
 * the faulting `rep` instruction is listed in the exception table with a
 * fixup that resumes just after it, where %rcx still counts the bytes
 * left.  SMAP is opened (stac) only around the copy and only when the CPU
 * has it: stac would be #UD elsewhere.  Range checks are the callers'
 * (uaccess.c).
 */
#include <asm/extable.h>

.macro SMAP_OPEN
	cmpb $0, uaccess_smap(%rip)
	je 8f
	stac
8:
.endm

.macro SMAP_CLOSE
	cmpb $0, uaccess_smap(%rip)
	je 9f
	clac
9:
.endm

	.text
/* size_t __uaccess_copy(void *dst, const void *src, size_t n) */
	.globl __uaccess_copy
__uaccess_copy:
	movq %rdx, %rcx
	SMAP_OPEN
1:	rep movsb
2:	SMAP_CLOSE
	movq %rcx, %rax
	ret
	_ASM_EXTABLE(1b, 2b)

/* size_t __uaccess_clear(void *dst, size_t n) */
	.globl __uaccess_clear
__uaccess_clear:
	movq %rsi, %rcx
	xorl %eax, %eax
	SMAP_OPEN
3:	rep stosb
4:	SMAP_CLOSE
	movq %rcx, %rax
	ret
	_ASM_EXTABLE(3b, 4b)

/* long __uaccess_strncpy(char *dst, const char *src, size_t max):
 * bytes copied including the NUL; max if no NUL was seen; -1 on fault. */
	.globl __uaccess_strncpy
__uaccess_strncpy:
	xorl %eax, %eax
	SMAP_OPEN
5:	cmpq %rdx, %rax
	jae 7f
6:	movb (%rsi, %rax), %cl
	movb %cl, (%rdi, %rax)
	incq %rax
	testb %cl, %cl
	jnz 5b
7:	SMAP_CLOSE
	ret
10:	movq $-1, %rax
	jmp 7b
	_ASM_EXTABLE(6b, 10b)

	.section .note.GNU-stack, "", @progbits
