/* arch/x86/kernel/user_test_progs.S — tiny position-independent user
 * programs for user_test.c.  The test copies the bytes between a start
 * and an end label into a user page and runs them in ring 3; they are
 * never executed where they are linked. */

	.section .rodata.user_test, "a"
	.globl utest_syscall_start, utest_syscall_end
utest_syscall_start:		/* syscall(39, 1..6); exit(its result) */
	mov $1, %edi
	mov $2, %esi
	mov $3, %edx
	mov $4, %r10d
	mov $5, %r8d
	mov $6, %r9d
	push %rdi
	pop %rdi
	mov $39, %eax
	syscall
	mov %eax, %edi
	mov $60, %eax
	syscall
	ud2
utest_syscall_end:

	.globl utest_kread_start, utest_kread_end
utest_kread_start:		/* read kernel memory: must fault */
	movabs start_kernel, %rax
	ud2
utest_kread_end:

	.globl utest_codewrite_start, utest_codewrite_end
utest_codewrite_start:		/* write to its own read-only code page */
	lea utest_codewrite_start(%rip), %rax
	movb $1, (%rax)
	ud2
utest_codewrite_end:

	.section .note.GNU-stack, "", @progbits
