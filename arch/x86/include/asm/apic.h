/* arch/x86/include/asm/apic.h — local APIC and I/O APIC
 * (arch/x86/kernel/apic.c, ioapic.c).
 *
 * The LAPIC runs in x2APIC mode (MSRs) where the CPU offers it and in
 * xAPIC mode (MMIO at the base from MSR_APIC_BASE) otherwise — QEMU 7.2's
 * TCG has no x2APIC.  The timer runs periodic at CONFIG_HZ, calibrated
 * against the TSC.
 */
#ifndef ASM_APIC_H
#define ASM_APIC_H

#include <tessera/types.h>

#define APIC_DM_FIXED	0x000
#define APIC_DM_NMI	0x400
#define APIC_DM_INIT	0x500
#define APIC_DM_STARTUP	0x600

/* Boot CPU, once after mm_init: map the LAPIC, pick the mode. */
void apic_init(void);
/* Every CPU: enable the LAPIC, spurious vector, error vector, timer. */
void apic_cpu_init(void);
void apic_eoi(void);
u32 apic_id(void);
bool apic_x2apic_mode(void);
/* Send an IPI with delivery mode @dm (and @vector) to @apicid. */
void apic_send_ipi(u32 apicid, u32 dm, u8 vector);
/* Wait until the previous IPI has been accepted (xAPIC); 0 or -ETIMEDOUT. */
int apic_wait_icr_idle(void);

/* I/O APIC: route GSI @gsi to @vector on the CPU with @apicid, masked or
 * not.  Returns 0 or -ENODEV if no I/O APIC serves @gsi. */
int ioapic_route(u32 gsi, u8 vector, u32 apicid, bool level, bool active_low);
int ioapic_mask(u32 gsi, bool mask);
void ioapic_init(void);

#endif
