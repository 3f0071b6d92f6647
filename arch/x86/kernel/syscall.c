/* arch/x86/kernel/syscall.c — the C side of the user/kernel boundary:
 * MSR set-up, the dispatch to the Linux ABI layer's handler, and the
 * exit-to-user hook.  Without a registered handler every syscall returns
 * -ENOSYS (logged once). */
#include <asm/cpu.h>
#include <asm/syscall.h>
#include <asm/x86.h>
#include <kernel/printk.h>
#include <kernel/smp.h>
#include <uapi/errno.h>

extern const char entry_syscall[];

_Static_assert(offsetof(struct cpu_local, kstack_top) == 24, "CL_KSTACK_TOP");
_Static_assert(offsetof(struct cpu_local, scratch) == 32, "CL_SCRATCH");

static syscall_handler_t handler;
static exit_to_user_fn exit_hook;

void syscall_set_handler(syscall_handler_t fn)
{
	handler = fn;
}

void syscall_set_exit_hook(exit_to_user_fn fn)
{
	exit_hook = fn;
}

void syscall_cpu_init(void)
{
	/* sysret would load CS from STAR[63:48]+16 and SS from +8. */
	wrmsr(MSR_STAR, ((u64)0x18 << 48) | ((u64)0x08 << 32));
	wrmsr(MSR_LSTAR, (u64)entry_syscall);
	/* Clear TF, DF, IF, AC and NT on entry. */
	wrmsr(MSR_SFMASK, 0x47700);
}

void arch_set_kernel_stack(unsigned long top)
{
	cpu_local()->kstack_top = top;
	tss_set_rsp0(top);
}

void exit_to_user(struct pt_regs *regs)
{
	if (exit_hook)
		exit_hook(regs);
}

void syscall_dispatch(struct pt_regs *regs)
{
	local_irq_enable();
	if (handler) {
		regs->rax = handler(regs);
	} else {
		pr_warn_once("syscall: no ABI layer; syscall %llu -> ENOSYS\n",
			     regs->error_code);
		regs->rax = -ENOSYS;
	}
	exit_to_user(regs);
	local_irq_disable();
}
