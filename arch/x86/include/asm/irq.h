/* arch/x86/include/asm/irq.h — interrupt vectors and handlers
 * (arch/x86/kernel/irq.c, traps.c, apic.c, ioapic.c).
 *
 * Vector map:
 *   0x00-0x1f  CPU exceptions
 *   0x20-0x2f  legacy PIC (remapped and masked; spurious ones ignored)
 *   0x30-0xdf  device interrupts, handed out by irq_alloc_vector()
 *   0xf0       LAPIC timer (the scheduler tick)
 *   0xf1       reschedule IPI
 *   0xf2       call-function IPI
 *   0xfe       LAPIC error
 *   0xff       LAPIC spurious
 * Handlers run with interrupts off on the interrupted stack (NMI, #DF and
 * #MC on IST stacks) and must not sleep.
 */
#ifndef ASM_IRQ_H
#define ASM_IRQ_H

#include <asm/ptrace.h>

#define VEC_PIC_BASE	0x20
#define VEC_DEV_FIRST	0x30
#define VEC_DEV_LAST	0xdf
#define VEC_TIMER	0xf0
#define VEC_RESCHED	0xf1
#define VEC_CALL	0xf2
#define VEC_APIC_ERROR	0xfe
#define VEC_SPURIOUS	0xff

typedef void (*irq_handler_t)(struct pt_regs *regs, void *data);

/* Install @fn for @vector (system vectors at boot, devices through
 * irq_alloc_vector).  Returns 0 or -EBUSY. */
int irq_set_handler(unsigned int vector, irq_handler_t fn, void *data);
/* A free device vector with @fn installed, or -ENOSPC. */
int irq_alloc_vector(irq_handler_t fn, void *data);
void irq_free_vector(unsigned int vector);
/* Count of interrupts taken on this CPU for @vector. */
unsigned long irq_count(int cpu, unsigned int vector);

/* Exceptions from user mode go here once a user ABI registers it;
 * returns true if handled (signal queued). */
typedef bool (*user_trap_fn)(struct pt_regs *regs);
void trap_set_user_handler(user_trap_fn fn);

/* Page faults on user addresses — from user mode, or from the kernel
 * inside a user copy — go first to this handler (the pcache): it returns
 * 0 when the page is now mapped (the instruction is retried) or a negative
 * errno (then a user fault becomes a signal through the user trap handler
 * and a kernel access takes its exception-table fixup).  Called with
 * interrupts on; may sleep.  @error_code is the #PF error code.
 * Returns the handler it replaces (a test hook chains to it). */
typedef int (*user_pf_fn)(u64 addr, u64 error_code, struct pt_regs *regs);
user_pf_fn trap_set_user_pf_handler(user_pf_fn fn);

void idt_init(void);	/* build the shared IDT (boot CPU, once) */
void idt_load(void);	/* load it on this CPU */
void trap_exception(struct pt_regs *regs);
void nmi_handler(struct pt_regs *regs);
void interrupt_dispatch(struct pt_regs *regs);

#endif
