/* include/kernel/smp.h — CPUs, per-CPU data and cross-CPU calls.
 *
 * Per-CPU variables live in the .percpu section; the boot CPU uses the
 * linked copy, every other CPU a copy made at bring-up
 * (arch/x86/kernel/percpu.c).  %gs points at the CPU's struct cpu_local.
 *
 * smp_call_function*() run a function on other CPUs from an IPI, with
 * interrupts off there; with wait=true the caller returns after every
 * target finished.  The caller must have interrupts on (or be on a single
 * CPU system) — a CPU that waits with interrupts off cannot answer others.
 */
#ifndef KERNEL_SMP_H
#define KERNEL_SMP_H

#include <tessera/compiler.h>

struct task;
struct cpumask;

/* The first thing in every per-CPU area; %gs:0 points to it. */
struct cpu_local {
	struct cpu_local *self;
	unsigned long offset;		/* this area - linked .percpu */
	struct task *current;
	unsigned long kstack_top;	/* for syscall/TSS rsp0 */
	unsigned long scratch;		/* syscall entry scratch */
	struct pt_regs *irq_regs;	/* interrupted registers, in an irq */
	u32 cpu;
	u32 apic_id;
	s32 preempt_count;
	u32 irq_depth;
	bool need_resched;
};

#define DEFINE_PER_CPU(type, name) \
	__section(".percpu") __typeof__(type) name
#define DECLARE_PER_CPU(type, name) extern __typeof__(type) name

extern unsigned long percpu_offset[CONFIG_NR_CPUS];

static inline struct cpu_local *cpu_local(void)
{
	struct cpu_local *c;
	__asm__ volatile("movq %%gs:0, %0" : "=r"(c));
	return c;
}
#define this_cpu_ptr(p) \
	((__typeof__(p))((char *)(p) + cpu_local()->offset))
#define per_cpu_ptr(p, cpu) \
	((__typeof__(p))((char *)(p) + percpu_offset[cpu]))

static inline int smp_processor_id(void)
{
	u32 c;
	__asm__ volatile("movl %%gs:%c1, %0"
			 : "=r"(c) : "i"(offsetof(struct cpu_local, cpu)));
	return (int)c;
}

int nr_cpus_online(void);
int nr_cpus_possible(void);
bool cpu_is_online(int cpu);
#define for_each_online_cpu(c) \
	for ((c) = 0; (c) < nr_cpus_possible(); (c)++) if (cpu_is_online(c))

typedef void (*smp_call_fn_t)(void *arg);
/* Run @fn(@arg) on every other online CPU. */
void smp_call_function(smp_call_fn_t fn, void *arg, bool wait);
/* Run on @cpu (may be this CPU: runs directly). Returns 0 or -ENXIO. */
int smp_call_function_single(int cpu, smp_call_fn_t fn, void *arg, bool wait);
/* Run on every online CPU including this one. */
void on_each_cpu(smp_call_fn_t fn, void *arg, bool wait);
void smp_send_reschedule(int cpu);
/* Ask @cpu to print its registers and backtrace from an NMI (works while
 * it spins with interrupts off).  Returns 0 after it printed, -ETIMEDOUT
 * after 100 ms without an answer, -ENXIO for an offline CPU. */
int smp_send_backtrace_nmi(int cpu);
/* Stop every other CPU (panic path); never returns on them. */
void smp_stop_others(void);

/* Run @fn(@arg) on every online CPU of @cpus except this one, from an
 * IPI, and return after all finished. */
void smp_call_function_many(const struct cpumask *cpus, smp_call_fn_t fn,
			    void *arg);

/* Flush kernel or user TLB entries for [start, end) on every online CPU,
 * before returning.  end - start >= 32 pages flushes all (global entries
 * too).  Kernel ranges use this; a user page table's ranges go to the
 * CPUs that may hold them (upt_flush_range, asm/upt.h). */
void tlb_flush_range(unsigned long start, unsigned long end);
void tlb_flush_all(void);
/* The same on the CPUs of @cpus only: this CPU directly, the others by
 * IPI; no IPI at all when @cpus holds no other CPU. */
void tlb_flush_cpus(const struct cpumask *cpus, unsigned long start,
		    unsigned long end);

/* Shootdown counters, since boot (relaxed atomics). */
struct tlb_stats {
	u64 calls;		/* tlb_flush_range/_all/_cpus */
	u64 shootdowns;		/* calls that sent at least one IPI */
	u64 ipis;		/* flush IPIs sent */
	u64 local_only;		/* calls served on this CPU alone */
	u64 none;		/* calls whose mask held no CPU */
	u64 wait_ns;		/* time spent waiting for the IPIs */
};
void tlb_get_stats(struct tlb_stats *out);
void tlb_print_stats(const char *who);
/* Flush requests @cpu has run from IPIs since boot. */
u64 tlb_flush_ipis_received(int cpu);

#endif
