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
 * NMI requests (backtrace, stop) are per-CPU flags read by nmi_handler;
 * an NMI is the only way to reach a CPU spinning with interrupts off.
 */
#include <asm/apic.h>
#include <asm/irq.h>
#include <asm/smpboot.h>
#include <asm/x86.h>
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

void smp_call_function(smp_call_fn_t fn, void *arg, bool wait)
{
	int me, cpu, n = nr_cpus_possible();
	struct call_req *reqs;

	if (nr_cpus_online() <= 1)
		return;
	reqs = wait ? kcalloc(n, sizeof(*reqs)) : NULL;
	preempt_disable();
	me = smp_processor_id();
	for_each_online_cpu(cpu) {
		if (cpu == me)
			continue;
		if (!reqs) {
			/* async, or no memory for a batch: one at a time */
			smp_call_function_single(cpu, fn, arg, wait);
			continue;
		}
		reqs[cpu] = (struct call_req){ .fn = fn, .arg = arg,
					       .pending = true };
		queue_call(cpu, &reqs[cpu]);
	}
	for (cpu = 0; reqs && cpu < n; cpu++)
		if (reqs[cpu].fn)
			wait_done(&reqs[cpu]);
	preempt_enable();
	kfree(reqs);
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

static void flush_local(void *arg)
{
	const struct flush_range *fr = arg;

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

void tlb_flush_range(unsigned long start, unsigned long end)
{
	struct flush_range fr = { start, end };

	on_each_cpu(flush_local, &fr, true);
}

void tlb_flush_all(void)
{
	on_each_cpu(flush_local, NULL, true);
}

void smp_init_ipis(void)
{
	irq_set_handler(VEC_CALL, call_ipi, NULL);
	irq_set_handler(VEC_RESCHED, resched_ipi, NULL);
}
