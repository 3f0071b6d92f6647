/* usr/programs.S — user programs embedded in the kernel image, each
 * between usr_NAME_start and usr_NAME_end (read-only data).  Built by
 * usr/Makefile after the programs themselves.  Users: the P2M selftests
 * (managers/processor/p2m/p2m_test*.c) register them as files of the
 * memory node's file source. */
	.section .rodata
	.balign 4096
	.globl usr_p2m_hello_start, usr_p2m_hello_end
usr_p2m_hello_start:
	.incbin "p2m_hello"
usr_p2m_hello_end:
	.section .note.GNU-stack, "", @progbits
