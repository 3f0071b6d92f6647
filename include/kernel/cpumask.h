/* include/kernel/cpumask.h — a set of CPUs, bit n = CPU n.
 *
 * Changed with atomic read-modify-writes (a locked instruction on x86: a
 * full barrier), read word by word with acquire loads; a reader gets each
 * word as it was at some instant, which is what the TLB mask of a user page
 * table needs (arch/x86/mm/upt.c: the writer's own barrier orders the rest).
 * Callers: the user page tables' CPU mask, tlb_flush_cpus(), selftests.
 */
#ifndef KERNEL_CPUMASK_H
#define KERNEL_CPUMASK_H

#include <tessera/types.h>

#define CPUMASK_BITS_PER_LONG	(8 * (int)sizeof(unsigned long))
#define CPUMASK_LONGS \
	((CONFIG_NR_CPUS + CPUMASK_BITS_PER_LONG - 1) / CPUMASK_BITS_PER_LONG)

struct cpumask {
	unsigned long bits[CPUMASK_LONGS];
};

static inline unsigned long *cpumask_word(struct cpumask *m, int cpu)
{
	return &m->bits[cpu / CPUMASK_BITS_PER_LONG];
}

static inline unsigned long cpumask_bit(int cpu)
{
	return 1ul << (cpu % CPUMASK_BITS_PER_LONG);
}

/* Atomic, and a full barrier. */
static inline void cpumask_set_atomic(struct cpumask *m, int cpu)
{
	__atomic_fetch_or(cpumask_word(m, cpu), cpumask_bit(cpu),
			  __ATOMIC_SEQ_CST);
}

/* Atomic, and a full barrier. */
static inline void cpumask_clear_atomic(struct cpumask *m, int cpu)
{
	__atomic_fetch_and(cpumask_word(m, cpu), ~cpumask_bit(cpu),
			   __ATOMIC_SEQ_CST);
}

/* Plain (not atomic): for a private copy. */
static inline void cpumask_clear_cpu(struct cpumask *m, int cpu)
{
	*cpumask_word(m, cpu) &= ~cpumask_bit(cpu);
}

static inline bool cpumask_test(const struct cpumask *m, int cpu)
{
	return __atomic_load_n(&m->bits[cpu / CPUMASK_BITS_PER_LONG],
			       __ATOMIC_ACQUIRE) & cpumask_bit(cpu);
}

/* *@dst = *@src, word by word with acquire loads. */
static inline void cpumask_snapshot(struct cpumask *dst,
				    const struct cpumask *src)
{
	for (int i = 0; i < CPUMASK_LONGS; i++)
		dst->bits[i] = __atomic_load_n(&src->bits[i],
					       __ATOMIC_ACQUIRE);
}

static inline bool cpumask_empty(const struct cpumask *m)
{
	for (int i = 0; i < CPUMASK_LONGS; i++)
		if (m->bits[i])
			return false;
	return true;
}

static inline int cpumask_weight(const struct cpumask *m)
{
	int n = 0;

	for (int i = 0; i < CPUMASK_LONGS; i++)
		for (unsigned long w = m->bits[i]; w; w &= w - 1)
			n++;	/* no popcnt: -mgeneral-regs-only, no libgcc */
	return n;
}

#endif
