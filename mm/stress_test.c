/* mm/stress_test.c — allocator stress on every online CPU at once.
 *
 * mm_alloc_stress_smp: one kernel thread pinned to each online CPU runs
 * MIN_STEPS..MAX_STEPS random steps over SLOTS slots: an empty slot gets
 * kmalloc (1..4096 bytes) or alloc_pages (order 0..4), filled with a pattern
 * unique to the thread, slot and generation; a full slot is verified and
 * freed.  Any overlap between two live allocations (on any CPUs) breaks
 * someone's pattern.  At the end every thread has freed everything, and
 * after kmalloc_shrink() nr_free_pages() must equal its value before the
 * test: no page leaked, none freed twice.
 */
#include <asm/layout.h>
#include <kernel/printk.h>
#include <kernel/sched.h>
#include <kernel/selftest.h>
#include <kernel/smp.h>
#include <kernel/time.h>
#include <lib/printf.h>
#include <lib/string.h>
#include "internal.h"

#define SLOTS		48
/* Each thread runs MAX_STEPS steps, or stops at the time budget once it
 * has done MIN_STEPS: TCG with more vCPUs than host cores can be a
 * hundred times slower (a vCPU waiting for a ticket lock may be
 * descheduled by the host while everyone queues behind it). */
#define MAX_STEPS	30000
#define MIN_STEPS	500
#define BUDGET_NS	3000000000ull
#define YIELD_EVERY	64	/* let per-CPU kthreads (watchdog) run */
#define MAX_PAGE_ORDER	4

struct stress_slot {
	u64 *p;
	size_t size;		/* bytes */
	int order;		/* -1 for kmalloc */
	u64 pattern;
};

struct stress_arg {
	unsigned int id;
	u64 rng;
	u64 deadline;		/* ktime_get_ns() */
	unsigned long allocs, steps;
	char error[120];
};

static u64 rnd(struct stress_arg *a)
{
	/* xorshift64 */
	a->rng ^= a->rng << 13;
	a->rng ^= a->rng >> 7;
	a->rng ^= a->rng << 17;
	return a->rng;
}

static void fill(struct stress_slot *s)
{
	size_t words = s->size / 8;

	for (size_t i = 0; i < words; i++)
		s->p[i] = s->pattern;
	memset((u8 *)s->p + words * 8, (u8)s->pattern, s->size % 8);
}

/* Returns the offset of the first damaged byte, or -1. */
static long verify(const struct stress_slot *s)
{
	size_t words = s->size / 8;
	const u8 *tail = (const u8 *)s->p + words * 8;

	for (size_t i = 0; i < words; i++)
		if (s->p[i] != s->pattern)
			return (long)(i * 8);
	for (size_t i = 0; i < s->size % 8; i++)
		if (tail[i] != (u8)s->pattern)
			return (long)(words * 8 + i);
	return -1;
}

static bool slot_alloc(struct stress_arg *a, struct stress_slot *s,
		       unsigned int idx, u64 gen)
{
	u64 r = rnd(a);

	if (r & 1) {
		s->order = -1;
		s->size = 1 + (r >> 8) % 4096;
		s->p = kmalloc(s->size);
	} else {
		s->order = (int)((r >> 8) % (MAX_PAGE_ORDER + 1));
		s->size = (size_t)PAGE_SIZE << s->order;
		s->p = alloc_pages((unsigned int)s->order);
	}
	if (!s->p) {
		snprintf(a->error, sizeof(a->error), "thread %u: allocation "
			 "of %zu bytes failed at step %llu", a->id, s->size,
			 gen);
		return false;
	}
	s->pattern = ((u64)a->id << 56) | (gen << 8) | idx;
	fill(s);
	a->allocs++;
	return true;
}

static bool slot_free(struct stress_arg *a, struct stress_slot *s)
{
	long bad = verify(s);

	if (bad >= 0) {
		snprintf(a->error, sizeof(a->error),
			 "thread %u: %zu-byte block %p damaged at +%ld "
			 "(%#llx, expected %#llx): overlapping allocation",
			 a->id, s->size, s->p, bad,
			 *(const u64 *)((u8 *)s->p + (bad & ~7l)), s->pattern);
		return false;
	}
	if (s->order < 0)
		kfree(s->p);
	else
		free_pages(s->p, (unsigned int)s->order);
	s->p = NULL;
	return true;
}

static int stress_thread(void *arg)
{
	struct stress_arg *a = arg;
	struct stress_slot *slots = kzalloc(SLOTS * sizeof(*slots));
	bool ok = slots != NULL;

	if (!ok)
		snprintf(a->error, sizeof(a->error), "thread %u: no memory for "
			 "its slot table", a->id);
	for (u64 i = 0; ok && i < MAX_STEPS; i++) {
		unsigned int idx = rnd(a) % SLOTS;
		struct stress_slot *s = &slots[idx];

		ok = s->p ? slot_free(a, s) : slot_alloc(a, s, idx, i);
		a->steps++;
		if (i % YIELD_EVERY == 0)
			yield();
		if (i >= MIN_STEPS && ktime_get_ns() > a->deadline)
			break;
	}
	for (unsigned int i = 0; slots && i < SLOTS; i++)
		if (slots[i].p && !slot_free(a, &slots[i]))
			ok = false;
	kfree(slots);
	return ok ? 0 : -1;
}

SELFTEST(mm_alloc_stress_smp)
{
	static struct stress_arg args[CONFIG_NR_CPUS];
	static struct task *tasks[CONFIG_NR_CPUS];
	unsigned long before, allocs = 0, steps = 0;
	u64 t0 = ktime_get_ns();
	int cpu, failed = -1, started = 0;

	kmalloc_shrink();
	before = nr_free_pages();
	for_each_online_cpu(cpu) {
		args[cpu] = (struct stress_arg){
			.id = (unsigned int)cpu,
			.rng = 0x9e3779b97f4a7c15ull * (u64)(cpu + 1),
			.deadline = t0 + BUDGET_NS,
		};
		tasks[cpu] = kthread_run_on(stress_thread, &args[cpu], cpu,
					    "mm-stress");
		started += tasks[cpu] != NULL;
	}
	for_each_online_cpu(cpu) {
		if (tasks[cpu] && kthread_join(tasks[cpu]) && failed < 0)
			failed = cpu;
		tasks[cpu] = NULL;
		allocs += args[cpu].allocs;
		steps += args[cpu].steps;
	}
	ST_EQ(started, nr_cpus_online());
	if (failed >= 0)
		ST_FAIL("%s", args[failed].error);
	printk("mm_alloc_stress_smp: %d CPUs, %lu steps, %lu allocations in "
	       "%llu ms\n", started, steps, allocs,
	       (ktime_get_ns() - t0) / 1000000);
	kmalloc_shrink();
	ST_EQ(nr_free_pages(), before);
	return 0;
}
