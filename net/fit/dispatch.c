/* net/fit/dispatch.c — FIT's server side: the handler table, the receive
 * queue and the worker pool.
 *
 * Requests that passed the header checks of fit_transport_rx() are queued
 * here (any context) and taken by the worker threads, one per online CPU,
 * each bound to its CPU.  The queue wakes an idle worker, preferring the
 * one of the CPU it runs on (the caller's for loopback, the interrupted
 * one for the NIC): that needs no IPI and, under emulation, no other
 * vCPU.  A busy worker takes the next request before it goes to sleep.  dispatch() is the one place that decides what
 * a handler sees: an unknown opcode or a request shorter than the
 * handler's registered minimum is counted, logged once and answered with
 * an error reply (-EOPNOTSUPP, -EBADMSG) — never passed to a handler.
 *
 * Handler table: two levels, protocol (opcode >> 8) then opcode & 0xff;
 * entries are written once under table_mutex and read without a lock
 * (release/acquire on the pointers), never removed.
 *
 * A struct fit_msg_ctx owns its request message until fit_reply() frees
 * both; so a handler may keep ctx and the request and answer later from
 * another thread.  A request that passed the checks goes through
 * dedup.c before its handler runs (a copy sent again after a connection
 * reset is dropped or answered from the cached reply), and every reply
 * is handed to dedup.c before it is sent.
 *
 * Locks: rxq_lock (irqsave: taken from the eth transport's interrupt
 * handler) protects rxq and the workers' idle flags; nothing nests
 * inside it (wake_up_process comes after it is dropped).  table_mutex: only
 * registration.
 */
#include <kernel/mutex.h>
#include <kernel/node.h>
#include <kernel/printk.h>
#include <kernel/sched.h>
#include <kernel/smp.h>
#include <kernel/time.h>
#include <kernel/wait.h>
#include <lib/list.h>
#include <lib/printf.h>
#include <lib/string.h>
#include <mm/mm.h>
#include <uapi/errno.h>
#include "internal.h"

/* ctx->state: who frees the context.  The dispatcher owns it while the
 * handler runs (IN_HANDLER); a handler that returns without replying
 * hands it to its future fit_reply() (DEFERRED); fit_reply() marks it
 * REPLIED and frees it only if the handler already returned.  So
 * `return fit_reply(ctx, ...)` in a handler is safe. */
enum { CTX_IN_HANDLER, CTX_DEFERRED, CTX_REPLIED };

struct fit_msg_ctx {
	struct list_head node;		/* on rxq */
	void *msg;			/* the request, header first */
	struct fit_dd_entry *dd;	/* keeps the reply (dedup.c) */
	u64 request_id;
	u16 src, opcode;
	int state;			/* CTX_*, atomic */
};

struct handler {
	fit_handler_t fn;
	u32 min_len;
};

static struct handler *protocols[256];
static DEFINE_MUTEX(table_mutex);

/* WORKERS_PER_CPU workers per online CPU, bound to it; idle: asleep
 * waiting for work (set by the worker, cleared by whoever wakes it, under
 * rxq_lock).  More than one per CPU because handlers may call other nodes
 * — or this node, through the loopback — and wait: the memory node's exec
 * handler reads the program from the storage service.  With one worker
 * per CPU a one-CPU node would wait for itself until the call timed out. */
struct worker {
	struct task *task;
	bool idle;
	/* The request in the handler (0 when none), for report_stuck(). */
	u64 busy_since;
	u16 opcode, src;
	bool reported;
};

#define STUCK_NS	(10 * NSEC_PER_SEC)

static DEFINE_SPINLOCK(rxq_lock);
static LIST_HEAD(rxq);
#define WORKERS_PER_CPU	4
#define NR_WORKERS	(CONFIG_NR_CPUS * WORKERS_PER_CPU)
static struct worker workers[NR_WORKERS];

static bool worker_online(int i)
{
	return cpu_is_online(i / WORKERS_PER_CPU) && workers[i].task;
}

int fit_register_handler(u16 opcode, u32 min_len, fit_handler_t fn)
{
	struct handler *table;
	int err = 0;

	if (!fn || min_len > FIT_MAX_PAYLOAD)
		return -EINVAL;
	mutex_lock(&table_mutex);
	table = protocols[opcode >> 8];
	if (!table) {
		table = kzalloc(256 * sizeof(*table));
		if (!table) {
			err = -ENOMEM;
			goto out;
		}
		__atomic_store_n(&protocols[opcode >> 8], table, __ATOMIC_RELEASE);
	}
	if (table[opcode & 0xff].fn) {
		err = -EEXIST;
		goto out;
	}
	table[opcode & 0xff].min_len = min_len;
	__atomic_store_n(&table[opcode & 0xff].fn, fn, __ATOMIC_RELEASE);
out:
	mutex_unlock(&table_mutex);
	return err;
}

int fit_register_handlers(const struct fit_handler_desc *tab, size_t n)
{
	int err = 0;

	for (size_t i = 0; i < n && !err; i++)
		err = fit_register_handler(tab[i].opcode, tab[i].min_len,
					   tab[i].fn);
	return err;
}

static const struct handler *lookup(u16 opcode, fit_handler_t *fn)
{
	struct handler *table = __atomic_load_n(&protocols[opcode >> 8],
						__ATOMIC_ACQUIRE);

	if (!table)
		return NULL;
	*fn = __atomic_load_n(&table[opcode & 0xff].fn, __ATOMIC_ACQUIRE);
	return *fn ? &table[opcode & 0xff] : NULL;
}

u16 fit_ctx_src(const struct fit_msg_ctx *ctx)
{
	return ctx->src;
}

u16 fit_ctx_opcode(const struct fit_msg_ctx *ctx)
{
	return ctx->opcode;
}

static void ctx_free(struct fit_msg_ctx *ctx)
{
	kfree(ctx->msg);
	kfree(ctx);
}

static int send_reply(struct fit_msg_ctx *ctx, u8 flags, const void *reply,
		      u32 len)
{
	int err;

	fit_dedup_done(ctx->dd, flags, reply, len);
	ctx->dd = NULL;
	err = fit_send_msg(ctx->src, ctx->opcode, MSG_F_REPLY | flags,
			   ctx->request_id, 0, reply, len,
			   ktime_get_ns() + fit_default_timeout_ns());
	if (!err)
		fit_stat_add(&fit_stats.replies_sent, 1);
	return err;
}

static int reply_error(struct fit_msg_ctx *ctx, int error)
{
	struct msg_error e = { .error = error };
	const u8 *payload = (const u8 *)&e + sizeof(e.hdr);
	int err = send_reply(ctx, MSG_F_ERROR, payload,
			     sizeof(e) - sizeof(e.hdr));

	ctx_free(ctx);
	return err;
}

/* The answer went out: free @ctx unless its handler is still running. */
static void ctx_replied(struct fit_msg_ctx *ctx)
{
	if (__atomic_exchange_n(&ctx->state, CTX_REPLIED, __ATOMIC_ACQ_REL) ==
	    CTX_DEFERRED)
		ctx_free(ctx);
}

int fit_reply(struct fit_msg_ctx *ctx, const void *reply, u32 len)
{
	struct msg_error e = { .error = -EMSGSIZE };
	int err;

	if (len > FIT_MAX_PAYLOAD || (len && !reply)) {
		send_reply(ctx, MSG_F_ERROR, (const u8 *)&e + sizeof(e.hdr),
			   sizeof(e) - sizeof(e.hdr));
		err = -EMSGSIZE;
	} else {
		err = send_reply(ctx, 0, reply, len);
	}
	ctx_replied(ctx);
	return err;
}

int fit_reply_error(struct fit_msg_ctx *ctx, int error)
{
	struct msg_error e = { .error = error < 0 && error > -4096 ? error
								  : -EIO };
	int err = send_reply(ctx, MSG_F_ERROR, (const u8 *)&e + sizeof(e.hdr),
			     sizeof(e) - sizeof(e.hdr));

	ctx_replied(ctx);
	return err;
}

/* The handler returned @ret: answer for it or hand @ctx over. */
static void handler_done(struct fit_msg_ctx *ctx, int ret)
{
	int expect = CTX_IN_HANDLER;

	if (ret < 0 && __atomic_load_n(&ctx->state, __ATOMIC_ACQUIRE) ==
	    CTX_IN_HANDLER) {
		reply_error(ctx, ret);
		return;
	}
	if (!__atomic_compare_exchange_n(&ctx->state, &expect, CTX_DEFERRED,
					 false, __ATOMIC_ACQ_REL,
					 __ATOMIC_ACQUIRE))
		ctx_free(ctx);		/* already answered */
}

/* Check @ctx's request and run its handler (worker @w's thread). */
static void dispatch(struct worker *w, struct fit_msg_ctx *ctx)
{
	const struct msg_hdr *hdr = ctx->msg;
	u32 len = hdr->length - (u32)sizeof(*hdr);
	const struct handler *h;
	fit_handler_t fn;
	int ret;

	if (ctx->src != node_self() && node_self() == fit_test_mute) {
		fit_stat_add(&fit_stats.test_muted, 1);
		ctx_free(ctx);
		return;
	}
	h = lookup(ctx->opcode, &fn);
	if (!h) {
		fit_stat_add(&fit_stats.drop_unknown_opcode, 1);
		pr_warn_once("fit: unknown opcode %#06x from node %u rejected\n",
			     ctx->opcode, ctx->src);
		reply_error(ctx, -EOPNOTSUPP);
		return;
	}
	if (len < h->min_len) {
		fit_stat_add(&fit_stats.drop_short, 1);
		pr_warn_once("fit: short request (%u < %u bytes) for opcode "
			     "%#06x from node %u rejected\n", len, h->min_len,
			     ctx->opcode, ctx->src);
		reply_error(ctx, -EBADMSG);
		return;
	}
	if (!fit_dedup_begin(hdr, &ctx->dd)) {
		ctx_free(ctx);		/* a copy: dropped or answered */
		return;
	}
	fit_stat_add(&fit_stats.requests, 1);
	w->opcode = ctx->opcode;
	w->src = ctx->src;
	w->reported = false;
	__atomic_store_n(&w->busy_since, ktime_get_ns(), __ATOMIC_RELEASE);
	ret = fn(ctx, (const u8 *)ctx->msg + sizeof(*hdr), len);
	__atomic_store_n(&w->busy_since, 0, __ATOMIC_RELEASE);
	handler_done(ctx, ret);
}

/* Pick an idle worker, this CPU's first (no IPI, and under emulation no
 * wait for another vCPU); caller holds rxq_lock. */
static struct task *claim_idle_worker(void)
{
	int me = smp_processor_id() * WORKERS_PER_CPU;

	for (int k = 0; k < WORKERS_PER_CPU; k++)
		if (workers[me + k].task && workers[me + k].idle) {
			workers[me + k].idle = false;
			return workers[me + k].task;
		}
	for (int i = 0; i < NR_WORKERS; i++)
		if (worker_online(i) && workers[i].idle) {
			workers[i].idle = false;
			return workers[i].task;
		}
	return NULL;		/* all busy: each looks at rxq before sleeping */
}

/* Every worker is busy and a request waits: name the handlers that have
 * run for over STUCK_NS, once per request (LESSONS 8).  The fields are
 * read without a lock; a report may be off by one request. */
static void report_stuck(void)
{
	u64 now = ktime_get_ns();

	for (int i = 0; i < NR_WORKERS; i++) {
		struct worker *w = &workers[i];
		int cpu = i / WORKERS_PER_CPU;
		u64 since = __atomic_load_n(&w->busy_since, __ATOMIC_ACQUIRE);

		if (!worker_online(i) || !since || now - since < STUCK_NS ||
		    w->reported)
			continue;
		w->reported = true;
		pr_warn("fit: worker on cpu %d stuck for %llu ms in opcode "
			"%#06x from node %u; requests are waiting\n", cpu,
			(unsigned long long)((now - since) / NSEC_PER_MSEC),
			w->opcode, w->src);
	}
}

/* A request arrived (any context, never sleeps). */
void fit_queue_request(void *msg)
{
	const struct msg_hdr *hdr = msg;
	struct fit_msg_ctx *ctx = kmalloc(sizeof(*ctx));
	struct task *w;
	unsigned long f;

	if (!ctx) {
		fit_stat_add(&fit_stats.drop_malformed, 1);
		kfree(msg);
		return;
	}
	ctx->msg = msg;
	ctx->dd = NULL;
	ctx->request_id = hdr->request_id;
	ctx->src = hdr->src_node;
	ctx->opcode = hdr->opcode;
	ctx->state = CTX_IN_HANDLER;
	f = spin_lock_irqsave(&rxq_lock);
	list_add_tail(&ctx->node, &rxq);
	w = claim_idle_worker();
	spin_unlock_irqrestore(&rxq_lock, f);
	if (w)
		wake_up_process(w);
	else
		report_stuck();
}

static int worker(void *arg)
{
	struct worker *w = arg;

	for (;;) {
		struct fit_msg_ctx *ctx = NULL;
		unsigned long f = spin_lock_irqsave(&rxq_lock);

		if (!list_empty(&rxq)) {
			ctx = list_first_entry(&rxq, struct fit_msg_ctx, node);
			list_del(&ctx->node);
		} else {
			w->idle = true;
			set_current_state(TASK_UNINTERRUPTIBLE);
		}
		spin_unlock_irqrestore(&rxq_lock, f);
		if (ctx)
			dispatch(w, ctx);
		else
			schedule();
	}
	return 0;
}

static int ping(struct fit_msg_ctx *ctx, const void *req, u32 len)
{
	return fit_reply(ctx, req, len);
}

int fit_dispatch_init(void)
{
	int cpu, started = 0;

	fit_dedup_init();
	for_each_online_cpu(cpu) {
		for (int k = 0; k < WORKERS_PER_CPU; k++) {
			struct worker *w = &workers[cpu * WORKERS_PER_CPU + k];
			char name[24];
			struct task *t;

			snprintf(name, sizeof(name), "fit-worker/%d.%d", cpu, k);
			t = kthread_create_on(worker, w, cpu, name);
			if (!t)
				continue;
			w->task = t;
			wake_up_process(t);
			kthread_detach(t);	/* workers never exit */
			started++;
		}
	}
	if (!started)
		return -ENOMEM;
	return fit_register_handler(FIT_OP_PING, 0, ping);
}
