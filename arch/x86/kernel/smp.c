/* arch/x86/kernel/smp.c — cross-CPU calls, reschedule, NMI requests and
 * TLB shootdown.
 *
 * Each CPU has a call queue (a list of struct call_req under an irqsave
 * lock).  A caller queues a request per target and sends VEC_CALL; the
 * target runs the function in its IPI handler and, for synchronous calls,
 * clears req->pending (the request lives on the caller's stack or in a
 * kmalloc'ed batch, freed by the caller after every pending flag cleared).
 * While waiting, a caller drains its own queue, so two CPUs calling each
 * other never deadlock.  Asynchronous requests are kmalloc'ed and freed by
 * the target.
 *
 * TLB shootdown: kernel ranges go to every online CPU; a user page
 * table's ranges to the CPUs of its mask (arch/x86/mm/upt.c), this CPU
 * flushed directly and the others by IPI, with no IPI when the mask
 * holds no other CPU.  Counters: struct tlb_stats (kernel/smp.h).
 *
 * NMI requests (backtrace, stop) are per-CPU flags read by nmi_handler;
 * an NMI is the only way to reach a CPU spinning with interrupts off.
 */
#include <asm/apic.h>
#include <asm/irq.h>
#include <asm/smpboot.h>
#include <asm/x86.h>
#include <kernel/cpumask.h>
#include <kernel/panic.h>
#include <kernel/printk.h>
#include <kernel/sched.h>
#include <kernel/smp.h>
#include <kernel/spinlock.h>
#include <kernel/time.h>
#include <lib/list.h>
#include <mm/mm.h>
#include <uapi/errno.h>

struct call_req {
	struct list_head node;
	smp_call_fn_t fn;
	void *arg;
	volatile bool pending;
	bool async;
};

struct call_queue {
	spinlock_t lock;
	struct list_head head;
};

enum { NMI_BACKTRACE = 1, NMI_STOP = 2 };

#define CALL_STACK_REQS	8	/* call_many: requests on the stack */

static DEFINE_PER_CPU(struct call_queue, call_queue) = {
	.lock = SPINLOCK_INIT("call_queue"),
};
static DEFINE_PER_CPU(volatile u32, nmi_request);

static struct call_queue *queue_of(int cpu)
{
	return per_cpu_ptr(&call_queue, cpu);
}

void smp_call_init_cpu(int cpu)
{
	INIT_LIST_HEAD(&queue_of(cpu)->head);
}

static void drain_calls(void)
{
	struct call_queue *q = queue_of(smp_processor_id());

	for (;;) {
		unsigned long f = spin_lock_irqsave(&q->lock);
		struct call_req *r = NULL;

		if (!list_empty(&q->head)) {
			r = list_first_entry(&q->head, struct call_req, node);
			list_del(&r->node);
		}
		spin_unlock_irqrestore(&q->lock, f);
		if (!r)
			return;
		r->fn(r->arg);
		if (r->async)
			kfree(r);
		else
			__atomic_store_n(&r->pending, false, __ATOMIC_RELEASE);
	}
}

static void call_ipi(struct pt_regs *regs, void *data)
{
	drain_calls();
}

static void resched_ipi(struct pt_regs *regs, void *data)
{
	sched_resched_ipi();
}

static void queue_call(int cpu, struct call_req *r)
{
	struct call_queue *q = queue_of(cpu);
	unsigned long f = spin_lock_irqsave(&q->lock);

	list_add_tail(&r->node, &q->head);
	spin_unlock_irqrestore(&q->lock, f);
	apic_send_ipi(cpu_to_apicid(cpu), APIC_DM_FIXED, VEC_CALL);
}

static void wait_done(struct call_req *r)
{
	while (__atomic_load_n(&r->pending, __ATOMIC_ACQUIRE)) {
		drain_calls();
		cpu_relax();
	}
}

int smp_call_function_single(int cpu, smp_call_fn_t fn, void *arg, bool wait)
{
	struct call_req req = { .fn = fn, .arg = arg, .pending = true };
	struct call_req *r = &req;

	if (!cpu_is_online(cpu))
		return -ENXIO;
	preempt_disable();
	if (cpu == smp_processor_id()) {
		unsigned long f = local_irq_save();
		fn(arg);
		local_irq_restore(f);
		preempt_enable();
		return 0;
	}
	if (!wait) {
		r = kzalloc(sizeof(*r));
		if (!r) {
			preempt_enable();
			return -ENOMEM;
		}
		*r = (struct call_req){ .fn = fn, .arg = arg, .async = true };
	}
	queue_call(cpu, r);
	if (wait)
		wait_done(r);
	preempt_enable();
	return 0;
}

/* Queue @fn on every online CPU of @cpus (all if NULL) but this one and
 * wait for each.  Preemption off.  Requests live on the stack for a few
 * targets, else in one kmalloc'ed batch; without memory for it, one
 * synchronous call at a time. */
static void call_many(const struct cpumask *cpus, smp_call_fn_t fn,
		      void *arg)
{
	struct call_req stack_reqs[CALL_STACK_REQS], *reqs = stack_reqs;
	int me = smp_processor_id(), cpu, n = 0, k = 0;

	for_each_online_cpu(cpu)
		if (cpu != me && (!cpus || cpumask_test(cpus, cpu)))
			n++;
	if (!n)
		return;
	if (n > CALL_STACK_REQS)
		reqs = kcalloc(n, sizeof(*reqs));
	for_each_online_cpu(cpu) {
		if (cpu == me || (cpus && !cpumask_test(cpus, cpu)))
			continue;
		if (!reqs) {
			smp_call_function_single(cpu, fn, arg, true);
			continue;
		}
		if (k == n)
			break;		/* a CPU came online meanwhile */
		reqs[k] = (struct call_req){ .fn = fn, .arg = arg,
					     .pending = true };
		queue_call(cpu, &reqs[k++]);
	}
	for (int i = 0; reqs && i < k; i++)
		wait_done(&reqs[i]);
	if (reqs != stack_reqs)
		kfree(reqs);
}

void smp_call_function(smp_call_fn_t fn, void *arg, bool wait)
{
	int me, cpu;

	if (nr_cpus_online() <= 1)
		return;
	preempt_disable();
	if (wait) {
		call_many(NULL, fn, arg);
		preempt_enable();
		return;
	}
	me = smp_processor_id();
	for_each_online_cpu(cpu)
		if (cpu != me)
			smp_call_function_single(cpu, fn, arg, false);
	preempt_enable();
}

void smp_call_function_many(const struct cpumask *cpus, smp_call_fn_t fn,
			    void *arg)
{
	preempt_disable();
	call_many(cpus, fn, arg);
	preempt_enable();
}

void on_each_cpu(smp_call_fn_t fn, void *arg, bool wait)
{
	unsigned long f;

	preempt_disable();
	smp_call_function(fn, arg, wait);
	f = local_irq_save();
	fn(arg);
	local_irq_restore(f);
	preempt_enable();
}

void smp_send_reschedule(int cpu)
{
	if (cpu_is_online(cpu))
		apic_send_ipi(cpu_to_apicid(cpu), APIC_DM_FIXED, VEC_RESCHED);
}

int smp_send_backtrace_nmi(int cpu)
{
	volatile u32 *req;
	u64 end;

	if (!cpu_is_online(cpu))
		return -ENXIO;
	if (cpu == smp_processor_id()) {
		dump_stack();
		return 0;
	}
	req = per_cpu_ptr(&nmi_request, cpu);
	__atomic_or_fetch(req, NMI_BACKTRACE, __ATOMIC_SEQ_CST);
	apic_send_ipi(cpu_to_apicid(cpu), APIC_DM_NMI, 0);
	end = ktime_get_ns() + 100 * NSEC_PER_MSEC;
	while ((*req & NMI_BACKTRACE) && ktime_get_ns() < end)
		cpu_relax();
	return (*req & NMI_BACKTRACE) ? -ETIMEDOUT : 0;
}

void smp_stop_others(void)
{
	int me = smp_processor_id(), cpu;

	if (nr_cpus_online() <= 1)
		return;
	for_each_online_cpu(cpu) {
		if (cpu == me)
			continue;
		__atomic_or_fetch(per_cpu_ptr(&nmi_request, cpu), NMI_STOP,
				  __ATOMIC_SEQ_CST);
		apic_send_ipi(cpu_to_apicid(cpu), APIC_DM_NMI, 0);
	}
	udelay(1000);
}

void nmi_handler(struct pt_regs *r)
{
	volatile u32 *req = this_cpu_ptr(&nmi_request);
	u32 what = __atomic_exchange_n(req, 0, __ATOMIC_SEQ_CST);

	if (what & NMI_STOP) {
		for (;;)
			halt();
	}
	if (what & NMI_BACKTRACE) {
		printk("NMI backtrace for cpu%d:\n", smp_processor_id());
		dump_regs(r);
		dump_stack_from(0, r->rbp);
		return;
	}
	postmortem_nmi(r);	/* nobody asked: the launcher or an NMI button */
}

struct flush_range {
	unsigned long start, end;
};

static struct tlb_stats tlb_stats;
static DEFINE_PER_CPU(u64, tlb_ipis_received);

#define tlb_count(field, n) \
	__atomic_fetch_add(&tlb_stats.field, (n), __ATOMIC_RELAXED)

static void flush_here(const struct flush_range *fr)
{
	if (!fr || fr->end - fr->start >= 32 * 4096) {
		u64 cr4 = read_cr4();
		/* Toggling PGE flushes global entries too. */
		write_cr4(cr4 & ~CR4_PGE);
		write_cr4(cr4);
		return;
	}
	for (unsigned long a = fr->start & ~0xfffUL; a < fr->end; a += 4096)
		invlpg(a);
}

static void flush_ipi(void *arg)
{
	__atomic_fetch_add(this_cpu_ptr(&tlb_ipis_received), 1,
			   __ATOMIC_RELAXED);
	flush_here(arg);
}

/* Flush here if @cpus (NULL: every CPU) holds this CPU, by IPI on the
 * others of it. */
static void flush_on(const struct cpumask *cpus, const struct flush_range *fr)
{
	struct cpumask others;
	int me, n;
	u64 t0;

	tlb_count(calls, 1);
	preempt_disable();
	me = smp_processor_id();
	if (!cpus || cpumask_test(cpus, me)) {
		unsigned long f = local_irq_save();

		flush_here(fr);
		local_irq_restore(f);
	}
	if (cpus) {
		others = *cpus;
		cpumask_clear_cpu(&others, me);
		n = cpumask_weight(&others);
	} else {
		n = nr_cpus_online() - 1;
	}
	if (n <= 0) {
		preempt_enable();
		if (cpus && !cpumask_test(cpus, me))
			tlb_count(none, 1);
		else
			tlb_count(local_only, 1);
		return;
	}
	t0 = ktime_get_ns();
	call_many(cpus ? &others : NULL, flush_ipi, (void *)fr);
	preempt_enable();
	tlb_count(shootdowns, 1);
	tlb_count(ipis, (u64)n);
	tlb_count(wait_ns, ktime_get_ns() - t0);
}

void tlb_flush_range(unsigned long start, unsigned long end)
{
	struct flush_range fr = { start, end };

	flush_on(NULL, &fr);
}

void tlb_flush_all(void)
{
	flush_on(NULL, NULL);
}

void tlb_flush_cpus(const struct cpumask *cpus, unsigned long start,
		    unsigned long end)
{
	struct flush_range fr = { start, end };

	flush_on(cpus, &fr);
}

void tlb_get_stats(struct tlb_stats *out)
{
	out->calls = __atomic_load_n(&tlb_stats.calls, __ATOMIC_RELAXED);
	out->shootdowns = __atomic_load_n(&tlb_stats.shootdowns,
					  __ATOMIC_RELAXED);
	out->ipis = __atomic_load_n(&tlb_stats.ipis, __ATOMIC_RELAXED);
	out->local_only = __atomic_load_n(&tlb_stats.local_only,
					  __ATOMIC_RELAXED);
	out->none = __atomic_load_n(&tlb_stats.none, __ATOMIC_RELAXED);
	out->wait_ns = __atomic_load_n(&tlb_stats.wait_ns, __ATOMIC_RELAXED);
}

void tlb_print_stats(const char *who)
{
	struct tlb_stats st;

	tlb_get_stats(&st);
	printk("%s: tlb flushes %llu: %llu shootdowns (%llu IPIs, %llu us "
	       "waited), %llu on this CPU only, %llu with no CPU to flush\n",
	       who, st.calls, st.shootdowns, st.ipis, st.wait_ns / 1000,
	       st.local_only, st.none);
}

u64 tlb_flush_ipis_received(int cpu)
{
	return __atomic_load_n(per_cpu_ptr(&tlb_ipis_received, cpu),
			       __ATOMIC_RELAXED);
}

void smp_init_ipis(void)
{
	irq_set_handler(VEC_CALL, call_ipi, NULL);
	irq_set_handler(VEC_RESCHED, resched_ipi, NULL);
}
