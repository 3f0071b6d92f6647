/* arch/x86/include/asm/smpboot.h — CPU enumeration and start-up
 * (arch/x86/kernel/smpboot.c). */
#ifndef ASM_SMPBOOT_H
#define ASM_SMPBOOT_H

#include <tessera/types.h>

struct acpi_madt_info;

/* Boot CPU, before mm_init (ACPI tables are read through the boot map). */
void smp_early_init(void);
/* The one per-CPU bring-up path; interrupts off. */
void cpu_bringup(int cpu);
/* Start every other CPU (after sched_init). */
void smp_boot_cpus(void);
u32 cpu_to_apicid(int cpu);
const struct acpi_madt_info *smp_madt(void);
/* Install the call-function and reschedule IPI handlers (boot CPU). */
void smp_init_ipis(void);
/* Per-CPU part of the call queues (from cpu_bringup). */
void smp_call_init_cpu(int cpu);

#endif
