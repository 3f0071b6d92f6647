/* arch/x86/include/asm/syscall.h — the user/kernel boundary
 * (arch/x86/kernel/entry_syscall.S, syscall.c).
 *
 * `syscall` enters entry_syscall on the task's kernel stack (TSS rsp0 and
 * cpu_local->kstack_top, set at every context switch by
 * arch_set_kernel_stack) with a full struct pt_regs; regs->vector is
 * SYSCALL_VECTOR and regs->error_code the original %rax.  The handler the
 * Linux ABI layer registers receives the registers, and its return value
 * goes back in %rax.  Before every return to user mode — from a syscall,
 * an interrupt or an exception — the exit-to-user hook runs (signals,
 * rescheduling) with interrupts on.
 */
#ifndef ASM_SYSCALL_H
#define ASM_SYSCALL_H

#include <asm/ptrace.h>

#define SYSCALL_VECTOR	0x100
#define USER_CS		0x2b
#define USER_DS		0x23

typedef long (*syscall_handler_t)(struct pt_regs *regs);
typedef void (*exit_to_user_fn)(struct pt_regs *regs);

void syscall_set_handler(syscall_handler_t fn);
void syscall_set_exit_hook(exit_to_user_fn fn);
/* Every CPU (from cpu_setup): program STAR/LSTAR/SFMASK. */
void syscall_cpu_init(void);
/* The scheduler calls this when it switches to a task with kernel stack
 * top @top: interrupts and syscalls from user mode land there. */
void arch_set_kernel_stack(unsigned long top);
/* Leave for user mode at @rip with @rsp (and the other registers zero);
 * the current address space must map them.  Never returns. */
__attribute__((noreturn)) void arch_enter_user(u64 rip, u64 rsp);
/* Leave for user mode with every register from @regs (user CS/SS): the
 * frame is copied to the top of the current task's kernel stack (so @regs
 * must not lie on that stack) and restored with iretq.  Interrupts off
 * from here; the exit-to-user hook is the caller's business.  Never
 * returns. */
__attribute__((noreturn)) void arch_return_to_user(const struct pt_regs *regs);
/* Called by the entry code; C side of the boundary. */
void syscall_dispatch(struct pt_regs *regs);
void exit_to_user(struct pt_regs *regs);

#endif
