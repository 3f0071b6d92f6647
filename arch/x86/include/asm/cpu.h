/* arch/x86/include/asm/cpu.h — per-CPU processor set-up (arch/x86/kernel/cpu.c,
 * percpu.c, smpboot.c).
 *
 * cpu_setup(cpu) is the one per-CPU bring-up path of the architecture:
 * the boot CPU and every AP run it (LESSONS 7).  It loads the CPU's GDT,
 * TSS (with IST stacks) and the IDT, checks and enables the features
 * Tessera requires (APIC, XSAVE, NX; SMEP/SMAP where offered), and
 * nothing else (the LAPIC is set up by the caller, smpboot.c).
 */
#ifndef ASM_CPU_H
#define ASM_CPU_H

#include <tessera/types.h>

#define GDT_KCODE	0x08
#define GDT_KDATA	0x10
#define GDT_UCODE32	0x18
#define GDT_UDATA	0x20
#define GDT_UCODE	0x28
#define GDT_TSS		0x30

struct cpu_features {
	bool x2apic, xsave, avx, pdpe1gb, smep, smap, fsgsbase, nx, invariant_tsc;
	bool hypervisor;	/* CPUID.1:ECX[31]: running as a guest */
	u32 xsave_size;		/* bytes of XSAVE area for the enabled XCR0 */
	u64 xcr0;
	char vendor[13];
	char brand[49];
};
extern struct cpu_features boot_cpu;

/* Boot CPU: detect features (panics with a clear message if a required
 * one is missing), point %gs at CPU 0's per-CPU area. */
void cpu_early_init(void);
/* Every CPU, with interrupts off: descriptor tables and features. */
void cpu_setup(int cpu);
/* Allocate per-CPU areas, stacks for CPUs 1..n-1 (after mm_init). */
int percpu_alloc_cpu(int cpu);
void percpu_set_gs(int cpu);
/* Boot CPU, before anything touches per-CPU data. */
void percpu_boot_init(void);
void tss_set_rsp0(unsigned long rsp0);

#endif
