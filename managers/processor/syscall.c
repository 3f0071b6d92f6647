/* managers/processor/syscall.c — the syscall dispatcher of the Linux ABI.
 *
 * The arch entry (arch/x86/kernel/entry_syscall.S) hands us a struct
 * pt_regs with the number in regs->error_code (the original %rax) and the
 * arguments in rdi, rsi, rdx, r10, r8, r9; the return value goes to %rax.
 * The table is generated from syscalls.tbl (scripts/gen-syscalls) into
 * build/include/generated/syscall_table.h: one entry per number with the
 * name, the handler (NULL: not implemented) and the strace formats.  An
 * unimplemented or out-of-range number logs its name once (a bitmap of
 * numbers already reported) and returns -ENOSYS, as Linux does.
 *
 * abi_install() registers this dispatcher, the exit-to-user hook (signal
 * delivery, signal.c) and the user trap handler (signal.c) with the arch
 * layer; the processor role's init calls it (init.c).
 */
#include <asm/irq.h>
#include <asm/syscall.h>
#include <kernel/param.h>
#include <kernel/printk.h>
#include <kernel/sched.h>
#include <lib/bitmap.h>
#include <processor/abi.h>
#include <processor/process.h>
#include <uapi/errno.h>
#include <uapi/unistd.h>

#include <generated/syscall_table.h>

bool abi_strace;
param_bool("strace", abi_strace, "print every syscall with its arguments and result");

static unsigned long enosys_seen[BITS_TO_LONGS(SYSCALL_NR_COUNT + 1)];
static unsigned long enosys_calls;

const struct syscall_desc *syscall_desc(u64 nr)
{
	/* Numbers Linux never assigned (the 335-423 gap) have no name. */
	return nr < SYSCALL_NR_COUNT && syscall_table[nr].name ?
	       &syscall_table[nr] : NULL;
}

unsigned long syscall_enosys_count(void)
{
	return READ_ONCE(enosys_calls);
}

struct pt_regs *abi_user_regs(void)
{
	return (struct pt_regs *)task_kstack_top(current_task()) - 1;
}

static long syscall_enosys(u64 nr, const struct syscall_desc *d)
{
	u64 bit = d ? nr : SYSCALL_NR_COUNT;

	__atomic_fetch_add(&enosys_calls, 1, __ATOMIC_RELAXED);
	if (!test_and_set_bit(bit, enosys_seen)) {
		if (d)
			pr_warn("syscall %s (%llu) not implemented: ENOSYS\n",
				d->name, nr);
		else
			pr_warn("syscall %llu out of range: ENOSYS (reported once)\n",
				nr);
	}
	return -ENOSYS;
}

static long abi_syscall(struct pt_regs *regs)
{
	u64 nr = regs->error_code;
	const struct syscall_desc *d = syscall_desc(nr);
	u64 args[6] = { regs->rdi, regs->rsi, regs->rdx,
			regs->r10, regs->r8,  regs->r9 };
	char buf[192];
	long ret;

	if (!d || !d->fn) {
		ret = syscall_enosys(nr, d);
		if (abi_strace && d)
			strace_print(d, nr, "...", ret);
		return ret;
	}
	if (!abi_strace)
		return d->fn(args);
	strace_format_args(d, args, buf, sizeof(buf));
	if (nr == __NR_exit || nr == __NR_exit_group)	/* never return */
		strace_print(d, nr, buf, STRACE_NO_RETURN);
	ret = d->fn(args);
	strace_print(d, nr, buf, ret);
	return ret;
}

void abi_install(void)
{
	syscall_set_handler(abi_syscall);
	syscall_set_exit_hook(signal_deliver);
	trap_set_user_handler(signal_user_trap);
}
