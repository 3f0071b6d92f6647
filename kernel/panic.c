/* kernel/panic.c — panic, warnings, register dumps and backtraces.
 *
 * Backtraces follow the frame-pointer chain (the kernel is built with
 * -fno-omit-frame-pointer) and symbolize every return address through
 * kallsyms.  The walk stops at a NULL or non-kernel frame pointer, so a
 * corrupt stack ends the trace instead of faulting again.
 *
 * panic(): the first CPU to panic wins; a second panic (on another CPU or
 * nested) just halts.  The winner stops the other CPUs, prints, and exits
 * QEMU with status 5 through isa-debug-exit (arch/x86/kernel/qemu_exit.c).
 */
#include <asm/layout.h>
#include <asm/ptrace.h>
#include <asm/x86.h>
#include <kernel/panic.h>
#include <kernel/printk.h>
#include <kernel/smp.h>
#include <kernel/machine.h>

static volatile int panic_cpu = -1;

bool in_panic(void)
{
	return panic_cpu >= 0;
}

static bool kernel_addr(unsigned long a)
{
	return a >= KERNEL_VMA || (a >= DIRECT_MAP_BASE && a < VMAP_BASE);
}

void dump_stack_from(unsigned long rip, unsigned long rbp)
{
	int depth = 0;

	printk("Call trace:\n");
	if (rip)
		printk("  [<%016lx>] %pS\n", rip, (void *)rip);
	while (rbp && kernel_addr(rbp) && IS_ALIGNED(rbp, 8) && depth++ < 32) {
		unsigned long ret = ((unsigned long *)rbp)[1];
		unsigned long next = ((unsigned long *)rbp)[0];

		if (ret < KERNEL_VMA)
			break;
		printk("  [<%016lx>] %pS\n", ret, (void *)ret);
		if (next <= rbp)
			break;
		rbp = next;
	}
}

void dump_stack(void)
{
	dump_stack_from(0, (unsigned long)__builtin_frame_address(0));
}

void dump_regs(const struct pt_regs *r)
{
	printk("RIP: %04llx:%016llx %pS\n", r->cs, r->rip, (void *)r->rip);
	printk("RSP: %04llx:%016llx RFLAGS: %08llx\n", r->ss, r->rsp, r->rflags);
	printk("RAX: %016llx RBX: %016llx RCX: %016llx\n", r->rax, r->rbx, r->rcx);
	printk("RDX: %016llx RSI: %016llx RDI: %016llx\n", r->rdx, r->rsi, r->rdi);
	printk("RBP: %016llx R08: %016llx R09: %016llx\n", r->rbp, r->r8, r->r9);
	printk("R10: %016llx R11: %016llx R12: %016llx\n", r->r10, r->r11, r->r12);
	printk("R13: %016llx R14: %016llx R15: %016llx\n", r->r13, r->r14, r->r15);
	printk("CR0: %016llx CR2: %016llx CR3: %016llx CR4: %016llx\n",
	       read_cr0(), read_cr2(), read_cr3(), read_cr4());
}

static __noreturn void panic_common(struct pt_regs *regs, const char *fmt,
				    va_list ap)
{
	int me = cpu_local_ready() ? smp_processor_id() : 0;
	char msg[256];

	local_irq_disable();
	if (!__sync_bool_compare_and_swap(&panic_cpu, -1, me)) {
		/* Someone else is panicking (or we recursed): just stop. */
		for (;;)
			halt();
	}
	printk_enter_panic();
	if (cpu_local_ready())
		smp_stop_others();
	vsnprintf(msg, sizeof(msg), fmt, ap);
	printk("Kernel panic: %s\n", msg);
	if (regs) {
		dump_regs(regs);
		dump_stack_from(0, regs->rbp);
	} else {
		dump_stack();
	}
	printk("---[ end Kernel panic: %s ]---\n", msg);
	machine_exit(MACHINE_EXIT_PANIC);
}

void panic(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	panic_common(NULL, fmt, ap);
}

void panic_regs(struct pt_regs *regs, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	panic_common(regs, fmt, ap);
}

void warn_slowpath(const char *file, int line, const char *cond)
{
	printk("WARNING: at %s:%d: %s\n", file, line, cond);
	dump_stack();
}
