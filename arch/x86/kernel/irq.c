/* arch/x86/kernel/irq.c — the IDT and interrupt dispatch.
 *
 * One IDT shared by all CPUs, pointing at the stubs in entry.S.  Every
 * gate is an interrupt gate (IF cleared on entry).  interrupt_dispatch()
 * sends exceptions to traps.c and interrupts to the handler table,
 * acknowledges the LAPIC, and on the way out preempts the interrupted
 * task if the scheduler asked for it and the interrupted context was
 * preemptible (interrupts were on, preempt_count 0, outermost interrupt).
 *
 * The handler table is written only with vector_lock held; readers (the
 * dispatcher) read one pointer pair without a lock: a handler is installed
 * before its vector can fire and removed only after its source is masked.
 */
#include <asm/apic.h>
#include <asm/irq.h>
#include <asm/syscall.h>
#include <asm/x86.h>
#include <kernel/machine.h>
#include <kernel/panic.h>
#include <kernel/printk.h>
#include <kernel/sched.h>
#include <kernel/smp.h>
#include <kernel/spinlock.h>
#include <uapi/errno.h>

struct idt_gate {
	u16 off_lo, sel;
	u8 ist, type;
	u16 off_mid;
	u32 off_hi, zero;
} __packed;
_Static_assert(sizeof(struct idt_gate) == 16, "idt gate");

struct irq_slot {
	irq_handler_t fn;
	void *data;
};

extern const char isr_stubs[];
static struct idt_gate idt[256] __aligned(16);
static struct irq_slot slots[256];
static DEFINE_SPINLOCK(vector_lock);
static DEFINE_PER_CPU(unsigned long [256], irq_counts);

static void set_gate(int v, int ist)
{
	unsigned long a = (unsigned long)isr_stubs + 16 * v;

	idt[v] = (struct idt_gate){
		.off_lo = a & 0xffff, .sel = 0x08, .ist = ist,
		.type = 0x8e, /* present, DPL 0, 64-bit interrupt gate */
		.off_mid = (a >> 16) & 0xffff, .off_hi = a >> 32,
	};
}

void idt_init(void)
{
	for (int v = 0; v < 256; v++)
		set_gate(v, 0);
	set_gate(2, 2);		/* NMI: IST2 */
	set_gate(8, 1);		/* #DF: IST1 */
	set_gate(18, 3);	/* #MC: IST3 */
	idt[3].type = 0xee;	/* int3 allowed from user mode */
}

void idt_load(void)
{
	struct {
		u16 limit;
		u64 base;
	} __packed d = { sizeof(idt) - 1, (u64)idt };

	__asm__ volatile("lidt %0" : : "m"(d));
}

int irq_set_handler(unsigned int vector, irq_handler_t fn, void *data)
{
	unsigned long f;
	int ret = -EBUSY;

	if (vector < 32 || vector > 255)
		return -EINVAL;
	f = spin_lock_irqsave(&vector_lock);
	if (!slots[vector].fn) {
		slots[vector].data = data;
		WRITE_ONCE(slots[vector].fn, fn);
		ret = 0;
	}
	spin_unlock_irqrestore(&vector_lock, f);
	return ret;
}

int irq_alloc_vector(irq_handler_t fn, void *data)
{
	for (unsigned int v = VEC_DEV_FIRST; v <= VEC_DEV_LAST; v++)
		if (!READ_ONCE(slots[v].fn) && irq_set_handler(v, fn, data) == 0)
			return (int)v;
	return -ENOSPC;
}

void irq_free_vector(unsigned int vector)
{
	unsigned long f = spin_lock_irqsave(&vector_lock);

	if (vector >= VEC_DEV_FIRST && vector <= VEC_DEV_LAST)
		slots[vector].fn = NULL;
	spin_unlock_irqrestore(&vector_lock, f);
}

unsigned long irq_count(int cpu, unsigned int vector)
{
	return vector < 256 ? (*per_cpu_ptr(&irq_counts, cpu))[vector] : 0;
}

static void handle_irq(struct pt_regs *r)
{
	struct cpu_local *cl = cpu_local();
	struct pt_regs *prev = cl->irq_regs;
	unsigned int v = (unsigned int)r->vector;
	struct irq_slot s = slots[v];

	cl->irq_regs = r;
	cl->irq_depth++;
	(*this_cpu_ptr(&irq_counts))[v]++;
	if (v >= VEC_PIC_BASE && v < VEC_DEV_FIRST) {
		/* Spurious legacy PIC interrupt: the PIC is masked. */
	} else if (s.fn) {
		s.fn(r, s.data);
	} else if (v != VEC_SPURIOUS) {
		pr_warn_once("irq: unexpected vector %#x on cpu%d\n", v,
			     smp_processor_id());
	}
	if (v >= VEC_DEV_FIRST && v != VEC_SPURIOUS)
		apic_eoi();
	cl->irq_depth--;
	cl->irq_regs = prev;
}

void interrupt_dispatch(struct pt_regs *r)
{
	struct cpu_local *cl;

	if (r->vector == 2) {
		nmi_handler(r);
		return;
	}
	if (r->vector < 32) {
		trap_exception(r);
	} else {
		handle_irq(r);
		cl = cpu_local();
		if (!cl->irq_depth && (r->rflags & (1ul << 9)) &&
		    cl->need_resched && cl->preempt_count == 0)
			preempt_schedule_irq();
	}
	if (user_mode(r)) {
		local_irq_enable();
		exit_to_user(r);
		local_irq_disable();
	}
}
