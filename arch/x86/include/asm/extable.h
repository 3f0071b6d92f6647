/* arch/x86/include/asm/extable.h — exception fixups.
 *
 * An instruction that may fault on purpose (a user copy, a probe of an
 * address that may be unmapped) is listed in __ex_table with the address
 * to resume at.  The page-fault and general-protection handlers consult
 * the table for kernel-mode faults before declaring a kernel bug.
 */
#ifndef ASM_EXTABLE_H
#define ASM_EXTABLE_H

#ifdef __ASSEMBLER__
#define _ASM_EXTABLE(from, to)			\
	.pushsection __ex_table, "a";		\
	.balign 8;				\
	.quad from, to;				\
	.popsection
#else
#include <tessera/types.h>
#define _ASM_EXTABLE(from, to)			\
	".pushsection __ex_table, \"a\"\n"	\
	".balign 8\n"				\
	".quad " #from ", " #to "\n"		\
	".popsection\n"

struct extable_entry {
	u64 insn, fixup;
};
/* The fixup address for a fault at @rip, or 0. */
unsigned long extable_search(unsigned long rip);

/* Read a u64 from @addr; returns 0 or -EFAULT if the access faulted. */
int probe_kernel_read_u64(const void *addr, u64 *out);
#endif

#endif
