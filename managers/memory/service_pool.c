/* managers/memory/service_pool.c — the memory service's own threads.
 *
 * WHY.  A P2M handler may wait on another FIT service: a miss (or an
 * upgrade) on a file-backed page reads it from the storage service, exec
 * reads the program, and every request of a process waits on p->lock
 * while another request of that process does so.  If those handlers ran
 * on FIT's workers, a node that is both memory and storage (role=all, the
 * loopback path) could have every worker waiting — for a storage read
 * queued behind them with no worker left to serve it — until the calls
 * timed out: a shell pipeline of eight busybox processes on one CPU did
 * exactly that (PCACHE_MISS timing out after 1 s, workers "stuck" in MISS,
 * FLUSH and EXECVE).  So the FIT handler of every P2M opcode only queues
 * the request here and returns; these threads run the real handler and
 * answer later (fit_reply / fit_reply_error).  FIT's workers then never
 * wait for memory-node work, and a storage request always finds one.
 * These threads wait only on p->lock (held by another of them that
 * makes progress) or on other services, never on each other's queue.
 *
 * Real handlers follow one rule: they return a negative errno *only* when
 * they have not answered (svc_reply() returns 0 once the reply is out).
 *
 * Pool: p2m.svc_threads threads per online CPU (default 4, like FIT's
 * workers), each bound to its CPU.  Queue: FIFO under pool_lock (a
 * spinlock, never taken in interrupts, nothing nests inside it), which
 * also guards the threads' idle flags.  A request wakes one idle thread,
 * this CPU's first (no IPI), like FIT's dispatcher; a busy thread takes
 * the next request before it goes to sleep.  A request that finds no
 * idle thread names threads busy in one request for over 10 s, once each
 * (LESSONS 8).
 *
 * Each thread keeps one buffer for a one-page miss reply
 * (svc_thread_buf), made on first use: over a page, a kmalloc is a buddy
 * block that the page allocator's debug option poisons and checks on
 * every free and allocation, which was a visible part of a miss.
 *
 * Callers: svc_register_handlers() from the service's init; FIT workers
 * (svc_trampoline); handlers (svc_thread_buf).
 */
#include <kernel/param.h>
#include <kernel/printk.h>
#include <kernel/sched.h>
#include <kernel/smp.h>
#include <kernel/spinlock.h>
#include <kernel/time.h>
#include <lib/list.h>
#include <mm/mm.h>
#include <uapi/errno.h>
#include "svc_internal.h"

#define PER_CPU_MAX	16
#define POOL_MAX	(CONFIG_NR_CPUS * PER_CPU_MAX)
#define STUCK_NS	(10 * NSEC_PER_SEC)

static int per_cpu = 4;
param_int("p2m.svc_threads", per_cpu,
	  "memory-service threads per online CPU (1..16)");

struct svc_item {
	struct list_head node;
	struct fit_msg_ctx *ctx;
	const void *req;
	u32 len;
	fit_handler_t fn;
};

struct svc_thread {
	struct task *task;
	int cpu;
	bool idle;		/* asleep waiting for work (pool_lock) */
	u64 busy_since;		/* 0 when not in a handler */
	u16 opcode;
	bool reported;
	void *buf;		/* svc_thread_buf, made on first use */
};

static DEFINE_SPINLOCK(pool_lock);
static LIST_HEAD(queue);
static struct svc_thread threads[POOL_MAX];
static unsigned int nr_threads;

/* Real handlers by opcode & 0xff (all P2M opcodes share the high byte). */
static fit_handler_t real[256];

int svc_reply(struct fit_msg_ctx *ctx, const void *rep, u32 len)
{
	/* A lost reply times the caller out; nothing to undo here. */
	int err = fit_reply(ctx, rep, len);

	if (err)
		pr_warn_once("p2m: a reply to node %u was lost (%d); the "
			     "caller times out (logged once)\n",
			     fit_ctx_src(ctx), err);
	return 0;
}

static void report_stuck(void)
{
	u64 now = ktime_get_ns();

	for (unsigned int i = 0; i < nr_threads; i++) {
		struct svc_thread *t = &threads[i];
		u64 since = __atomic_load_n(&t->busy_since, __ATOMIC_ACQUIRE);

		if (!since || since > now || now - since < STUCK_NS ||
		    t->reported)
			continue;
		t->reported = true;
		pr_warn("p2m: service thread %u stuck for %llu ms in opcode "
			"%#06x; requests are waiting\n", i,
			(unsigned long long)((now - since) / NSEC_PER_MSEC),
			t->opcode);
	}
}

void *svc_thread_buf(void)
{
	struct task *me = current_task();

	for (unsigned int i = 0; i < nr_threads; i++) {
		struct svc_thread *t = &threads[i];

		if (t->task != me)
			continue;
		if (!t->buf)
			t->buf = kmalloc(SVC_THREAD_BUF);
		return t->buf;
	}
	return NULL;
}

/* An idle thread, this CPU's first (no IPI; under emulation no wait for
 * another vCPU), marked busy; NULL if all are busy.  pool_lock held. */
static struct svc_thread *claim_idle(void)
{
	int me = smp_processor_id();

	for (unsigned int i = 0; i < nr_threads; i++)
		if (threads[i].cpu == me && threads[i].idle) {
			threads[i].idle = false;
			return &threads[i];
		}
	for (unsigned int i = 0; i < nr_threads; i++)
		if (threads[i].idle) {
			threads[i].idle = false;
			return &threads[i];
		}
	return NULL;	/* each busy thread looks at the queue before sleeping */
}

/* The FIT handler of every P2M opcode: queue, answer later. */
static int svc_trampoline(struct fit_msg_ctx *ctx, const void *req, u32 len)
{
	struct svc_item *it = kmalloc(sizeof(*it));
	struct svc_thread *t;

	if (!it)
		return -ENOMEM;
	it->ctx = ctx;
	it->req = req;
	it->len = len;
	it->fn = real[fit_ctx_opcode(ctx) & 0xff];
	spin_lock(&pool_lock);
	list_add_tail(&it->node, &queue);
	t = claim_idle();
	spin_unlock(&pool_lock);
	if (t)
		wake_up_process(t->task);
	else
		report_stuck();
	return 0;
}

static void run_item(struct svc_thread *t, struct svc_item *it)
{
	int ret;

	t->opcode = fit_ctx_opcode(it->ctx);
	t->reported = false;
	__atomic_store_n(&t->busy_since, ktime_get_ns(), __ATOMIC_RELEASE);
	ret = it->fn(it->ctx, it->req, it->len);
	if (ret < 0)
		fit_reply_error(it->ctx, ret);
	__atomic_store_n(&t->busy_since, 0, __ATOMIC_RELEASE);
	kfree(it);
}

static int pool_thread(void *arg)
{
	struct svc_thread *t = arg;

	for (;;) {
		struct svc_item *it = NULL;

		spin_lock(&pool_lock);
		if (!list_empty(&queue)) {
			it = list_first_entry(&queue, struct svc_item, node);
			list_del(&it->node);
		} else {
			t->idle = true;
			set_current_state(TASK_UNINTERRUPTIBLE);
		}
		spin_unlock(&pool_lock);
		if (it)
			run_item(t, it);
		else
			schedule();
	}
	return 0;
}

static int pool_start(void)
{
	unsigned int n = (unsigned int)MIN(MAX(per_cpu, 1), PER_CPU_MAX);

	if (nr_threads)
		return 0;
	for (int cpu = 0; cpu < CONFIG_NR_CPUS; cpu++) {
		if (!cpu_is_online(cpu))
			continue;
		for (unsigned int k = 0; k < n; k++) {
			struct svc_thread *t = &threads[nr_threads];

			t->cpu = cpu;
			t->task = kthread_create_on(pool_thread, t, cpu,
						    "p2m_svc");
			if (!t->task)
				return nr_threads ? 0 : -ENOMEM;
			kthread_detach(t->task);
			nr_threads++;
			wake_up_process(t->task);
		}
	}
	return nr_threads ? 0 : -ENOMEM;
}

int svc_register_handlers(const struct fit_handler_desc *tab, size_t n)
{
	struct fit_handler_desc d;
	int err = pool_start();

	for (size_t i = 0; !err && i < n; i++) {
		if ((tab[i].opcode & 0xff00) != MSG_PROTO_P2M)
			return -EINVAL;
		real[tab[i].opcode & 0xff] = tab[i].fn;
		d = tab[i];
		d.fn = svc_trampoline;
		err = fit_register_handlers(&d, 1);
	}
	return err;
}
