/* arch/x86/include/asm/thread.h — the architecture part of a thread
 * (arch/x86/kernel/thread.c), embedded in every struct task.
 *
 * Kernel threads leave it zeroed.  A user thread has an XSAVE area, the
 * user page table of its process, its TLS bases and its kernel stack top.
 * The scheduler calls arch_thread_switch() with interrupts off between
 * saving the outgoing and loading the incoming kernel context.
 */
#ifndef ASM_THREAD_H
#define ASM_THREAD_H

#include <asm/fpu.h>

struct upt;

struct thread_arch {
	struct fpu fpu;			/* area == NULL: kernel thread */
	struct upt *upt;		/* NULL: kernel page tables */
	u64 fs_base, gs_base;		/* user TLS bases */
	unsigned long kstack_top;
};

void arch_thread_switch(struct thread_arch *prev, struct thread_arch *next);

#endif
