/* arch/x86/kernel/traps.c — CPU exceptions.
 *
 * A kernel-mode fault first looks for an exception-table fixup (user
 * copies and probes fault on purpose).  Otherwise it is a kernel bug: we
 * print what faulted — vector name, error code, for #PF the address and
 * the access kind — the bytes of the faulting instruction, registers and
 * a symbolized backtrace, then panic.  Page faults on user addresses go
 * first to the pcache's resolver (trap_set_user_pf_handler), from user
 * mode and from kernel user copies alike.  User-mode exceptions that are
 * not resolved go to the handler a user ABI registers
 * (trap_set_user_handler); with none registered there is no user mode and
 * the exception is a kernel bug.
 *
 * NMIs carry cross-CPU requests (backtrace, stop) posted in smp.c.
 */
#include <asm/extable.h>
#include <asm/irq.h>
#include <asm/layout.h>
#include <asm/uaccess.h>
#include <asm/x86.h>
#include <kernel/panic.h>
#include <kernel/printk.h>
#include <uapi/errno.h>

extern const struct extable_entry __ex_table_start[], __ex_table_end[];
extern const char __text_start[], __text_end[];

static const char *const names[32] = {
	"#DE divide error", "#DB debug", "NMI", "#BP breakpoint",
	"#OF overflow", "#BR bound range", "#UD invalid opcode",
	"#NM device not available", "#DF double fault",
	"coprocessor segment overrun", "#TS invalid TSS",
	"#NP segment not present", "#SS stack fault",
	"#GP general protection", "#PF page fault", "reserved 15",
	"#MF x87 floating point", "#AC alignment check", "#MC machine check",
	"#XM SIMD floating point", "#VE virtualization", "#CP control protection",
	"reserved 22", "reserved 23", "reserved 24", "reserved 25",
	"reserved 26", "reserved 27", "#HV hypervisor injection",
	"#VC VMM communication", "#SX security", "reserved 31",
};

static user_trap_fn user_handler;
static user_pf_fn user_pf_handler;

void trap_set_user_handler(user_trap_fn fn)
{
	user_handler = fn;
}

user_pf_fn trap_set_user_pf_handler(user_pf_fn fn)
{
	return __atomic_exchange_n(&user_pf_handler, fn, __ATOMIC_SEQ_CST);
}

/* A #PF on a user address: let the pcache resolve it.  Interrupts are
 * turned on for the duration when the faulting context had them on (the
 * resolver may sleep on the network); a kernel fault with interrupts off
 * is never resolved here. */
static bool resolve_user_pf(struct pt_regs *r)
{
	user_pf_fn fn = __atomic_load_n(&user_pf_handler, __ATOMIC_ACQUIRE);
	u64 addr = read_cr2();
	int err;

	if (!fn || addr >= USER_TOP || !(r->rflags & (1ul << 9)))
		return false;
	local_irq_enable();
	err = fn(addr, r->error_code, r);
	local_irq_disable();
	/* The resolver may have slept: faults of other tasks on this CPU
	 * changed CR2 meanwhile.  The signal path (si_addr, sigcontext.cr2)
	 * and the fault report read it, so put this fault's address back. */
	if (err)
		write_cr2(addr);
	return err == 0;
}

unsigned long extable_search(unsigned long rip)
{
	for (const struct extable_entry *e = __ex_table_start;
	     e < __ex_table_end; e++)
		if (e->insn == rip)
			return e->fixup;
	return 0;
}

/* rax = -EFAULT on a faulting probe; the fixup label is right after. */
int probe_kernel_read_u64(const void *addr, u64 *out)
{
	u64 v = 0;
	int err = 0;

	__asm__ volatile("1: movq (%2), %0\n"
			 "2:\n" _ASM_EXTABLE(1b, 3f)
			 ".pushsection .text.fixup, \"ax\"\n"
			 "3: movl %3, %1\n"
			 "   jmp 2b\n"
			 ".popsection\n"
			 : "=r"(v), "+r"(err)
			 : "r"(addr), "i"(-EFAULT));
	if (!err)
		*out = v;
	return err;
}

static void print_code(unsigned long rip)
{
	char line[16 * 3 + 8];
	int n = 0;

	if (rip < (unsigned long)__text_start ||
	    rip + 16 > (unsigned long)__text_end) {
		printk("Code: (RIP outside kernel text)\n");
		return;
	}
	for (int i = 0; i < 16; i++)
		n += snprintf(line + n, sizeof(line) - n, i ? " %02x" : "<%02x>",
			      ((const u8 *)rip)[i]);
	printk("Code: %s\n", line);
}

static void describe_pf(struct pt_regs *r)
{
	u64 e = r->error_code;

	printk("BUG: unable to handle page fault for address %#llx\n",
	       read_cr2());
	printk("#PF: %s-mode %s access, %s%s\n", (e & 4) ? "user" : "supervisor",
	       (e & 16) ? "instruction fetch" : (e & 2) ? "write" : "read",
	       (e & 1) ? "protection violation" : "page not present",
	       (e & 8) ? ", reserved bit set" : "");
}

void trap_exception(struct pt_regs *r)
{
	unsigned long v = r->vector, fix;

	if (v == 14 && resolve_user_pf(r))
		return;
	if (user_mode(r) && user_handler && user_handler(r))
		return;
	if (!user_mode(r) && (v == 14 || v == 13) &&
	    (fix = extable_search(r->rip))) {
		r->rip = fix;
		return;
	}
	if (v == 3) {
		printk("int3 at %pS\n", (void *)r->rip);
		return;
	}
	if (v == 14)
		describe_pf(r);
	printk("Exception %lu (%s), error code %#llx, at %pS\n", v, names[v],
	       r->error_code, (void *)r->rip);
	print_code(r->rip);
	panic_regs(r, "fatal exception %s in %s mode", names[v],
		   user_mode(r) ? "user" : "kernel");
}
