/* managers/processor/embedded.S — the user programs built from usr/tests
 * (host gcc, static, -nostdlib) embedded in the kernel image, and the
 * table embedded_find() searches: {name "/bin/NAME", start, end} triples
 * ending with zeros.  The list comes from the build
 * (generated/usr_progs.h, written by managers/processor/Makefile).
 */
#include <generated/usr_progs.h>

	.section .rodata.embedded, "a"
#define PROG_DATA(n, path)	\
	.balign 16;		\
prog_##n##_start:		\
	.incbin path;		\
prog_##n##_end:			\
	.byte 0;		\
prog_##n##_name:		\
	.asciz "/bin/" #n;
	USR_PROGS(PROG_DATA)

	.balign 8
	.globl embedded_progs
embedded_progs:
#define PROG_ENTRY(n, path)	\
	.quad prog_##n##_name, prog_##n##_start, prog_##n##_end;
	USR_PROGS(PROG_ENTRY)
	.quad 0, 0, 0

	.section .note.GNU-stack, "", @progbits
