/* net/fit/fit_resend_test.c — calls survive connection resets, and every
 * request runs exactly once: fit_cross_resend (`tessera selftest
 * --topology p,m,s fit_cross_resend -- fit.test_resets=N`; skips without
 * fit.test_resets, and over the eth transport, which never resets).
 *
 * Node 0 runs RESEND_THREADS caller threads, RESEND_CALLS calls each,
 * alternating between the other nodes.  Each request carries a tag that
 * no other call uses; the server's handler counts its runs per tag,
 * sleeps HANDLER_MS in every third call (so that resets catch handlers
 * running) and echoes the payload (random sizes up to 12 KiB: SENDs and
 * RDMA WRITEs) behind {tag, runs so far}.  Meanwhile node 0 resets its
 * connection to node 1, then node 2, ... fit.test_resets times, evenly
 * spread over the calls (fit_rdma_test_reset: what a failed QP does).
 * Every call must return its own payload with a run count of 1; each
 * server must report that it ran exactly the tags node 0 sent it, each
 * once; calls must have been resent and the servers must have seen
 * copies (dropped or answered from their reply cache); and the servers'
 * tables of node 0's requests must have shrunk back (acknowledgements
 * retire entries).
 *
 * fit_cross_resend_stall (same gate): a slow peer is not a dead one.
 * Node 1 freezes (interrupts off, spinning: what a vCPU the loaded host
 * does not run looks like) for STALL_MS, longer than the 8 timer expiries
 * (about 5 s) after which a QP used to fail; node 0's call to it must
 * come back after the stall without any connection reset, its QP's timer
 * having expired more often than retry_cnt allows (rxe's retry time,
 * fit.retry_ms).
 */
#include <asm/x86.h>
#include <fit/fit.h>
#include <kernel/node.h>
#include <kernel/param.h>
#include <kernel/printk.h>
#include <kernel/sched.h>
#include <kernel/selftest.h>
#include <kernel/time.h>
#include <lib/string.h>
#include <mm/mm.h>
#include <protocol/fit.h>
#include <rdma/rxe.h>
#include <uapi/errno.h>
#include "internal.h"

#define OP_ONCE		(FIT_OP_TEST_FIRST + 3)	/* {tag, ms} + data */
#define OP_ONCE_STATS	(FIT_OP_TEST_FIRST + 4)	/* -> struct once_stats */
#define OP_STALL	(FIT_OP_TEST_FIRST + 5)	/* u32 ms: freeze the node */
#define STALL_MS	11000	/* > 8 expiries even when the host runs us late */
#define RESEND_THREADS	4
#define RESEND_CALLS	150
#define MAX_TAGS	(RESEND_THREADS * RESEND_CALLS)
#define MAX_DATA	(12 * 1024)
#define HANDLER_MS	100
#define CALL_NS		(60 * NSEC_PER_SEC)
#define MAX_LEFT	64	/* dedup entries node 0 may leave behind */

static int test_resets;
param_int("fit.test_resets", test_resets,
	  "fit_cross_resend: connection resets to force (0: skip the test)");

struct once_req {
	u32 tag, ms;
};

struct once_stats {
	u32 ran, twice, total, left;	/* left: dedup entries of node 0 */
};

static u32 runs[MAX_TAGS];

static int once_handler(struct fit_msg_ctx *ctx, const void *req, u32 len)
{
	struct once_req r;
	u8 *rep;
	int err;

	memcpy(&r, req, sizeof(r));
	if (r.tag >= MAX_TAGS || r.ms > 1000)
		return -EINVAL;
	r.ms = __atomic_add_fetch(&runs[r.tag], 1, __ATOMIC_RELAXED);
	if (r.tag % 3 == 0)
		msleep(HANDLER_MS);
	rep = kmalloc(len);
	if (!rep)
		return -ENOMEM;
	memcpy(rep, &r, sizeof(r));		/* {tag, runs} */
	memcpy(rep + sizeof(r), (const u8 *)req + sizeof(r), len - sizeof(r));
	err = fit_reply(ctx, rep, len);
	kfree(rep);
	return err;
}

static int once_stats_handler(struct fit_msg_ctx *ctx, const void *req,
			      u32 len)
{
	struct once_stats s = { .left = fit_dedup_entries(0) };

	for (u32 i = 0; i < MAX_TAGS; i++) {
		u32 n = __atomic_load_n(&runs[i], __ATOMIC_RELAXED);

		s.ran += n != 0;
		s.twice += n > 1;
		s.total += n;
	}
	return fit_reply(ctx, &s, sizeof(s));
}

struct caller {
	unsigned int index;
	u64 seed;
	int err, failed_call;
};

static u32 calls_done;
static u32 sent_to[FIT_MAX_NODES];

static u16 node_of(u32 tag)
{
	return (u16)(1 + tag % (node_count() - 1));
}

static u64 rnd(u64 *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* One call: tag @tag with @n random bytes; checks the reply. */
static int one_call(struct caller *c, u32 tag, u8 *req, u8 *rep)
{
	u32 n = (u32)(rnd(&c->seed) % (MAX_DATA + 1));
	struct once_req r = { .tag = tag }, got;
	u32 len = (u32)sizeof(r) + n;
	int ret;

	memcpy(req, &r, sizeof(r));
	for (u32 i = 0; i < n; i++)
		req[sizeof(r) + i] = (u8)rnd(&c->seed);
	ret = fit_call(node_of(tag), OP_ONCE, req, len, rep, MAX_DATA + 64,
		       CALL_NS);
	if (ret < 0)
		return ret;
	memcpy(&got, rep, sizeof(got));
	if (ret != (int)len || got.tag != tag || got.ms != 1 ||
	    memcmp(req + sizeof(r), rep + sizeof(r), n))
		return -EBADMSG;
	return 0;
}

static int caller_thread(void *arg)
{
	struct caller *c = arg;
	u8 *req = kmalloc(MAX_DATA + 64), *rep = kmalloc(MAX_DATA + 64);

	c->err = req && rep ? 0 : -ENOMEM;
	for (u32 i = 0; i < RESEND_CALLS && !c->err; i++) {
		u32 tag = c->index * RESEND_CALLS + i;

		c->err = one_call(c, tag, req, rep);
		if (c->err)
			c->failed_call = (int)tag;
		__atomic_add_fetch(&calls_done, 1, __ATOMIC_RELAXED);
	}
	kfree(req);
	kfree(rep);
	return 0;
}

/* Reset a connection each time another share of the calls is done. */
static void force_resets(void)
{
	u32 step = MAX_TAGS / ((u32)test_resets + 1);

	for (int r = 0; r < test_resets; r++) {
		while (__atomic_load_n(&calls_done, __ATOMIC_RELAXED) <
		       (u32)(r + 1) * step)
			msleep(2);
		fit_rdma_test_reset(node_of((u32)r));
	}
}

/* Fetch node @node's counts into @s and its FIT counters into @fs. */
static int fetch_server(u16 node, struct once_stats *s, struct fit_stats *fs)
{
	int r = fit_call(node, OP_ONCE_STATS, NULL, 0, s, sizeof(*s), 0);

	if (r == (int)sizeof(*s))
		r = fit_call(node, FIT_TEST_OP_STATS, NULL, 0, fs,
			     sizeof(*fs), 0);
	if (r != (int)sizeof(*fs))
		return r < 0 ? r : -EPROTO;
	printk("fit_cross_resend: node %u ran %u tags (%u twice, %u runs); "
	       "copies: running %llu, replayed %llu, forgotten %llu; %u "
	       "entries left\n", node, s->ran, s->twice, s->total,
	       fs->dup_running, fs->dup_replayed, fs->dup_forgotten, s->left);
	return 0;
}

static int check_servers(struct selftest_ctx *t, const struct once_stats *s,
			 const struct fit_stats *fs)
{
	u64 dups = 0;

	for (unsigned int n = 1; n < node_count(); n++) {
		ST_EQ(s[n].twice, 0);
		ST_EQ(s[n].ran, sent_to[n]);
		ST_EQ(s[n].total, sent_to[n]);
		if (s[n].left > MAX_LEFT)
			ST_FAIL("node %u keeps %u entries of node 0's requests",
				n, s[n].left);
		dups += fs[n].dup_running + fs[n].dup_replayed +
			fs[n].dup_forgotten;
	}
	if (!dups)
		ST_FAIL("no server saw a copy of a request");
	return 0;
}

static int drive(struct selftest_ctx *t)
{
	static struct caller callers[RESEND_THREADS];
	static struct once_stats os[FIT_MAX_NODES];
	static struct fit_stats fs[FIT_MAX_NODES];
	struct task *tasks[RESEND_THREADS];
	u64 resets = fit_rdma_resets(), t0 = ktime_get_ns();
	struct fit_stats s0, s1;
	int failed, failed_check, fetch = 0;

	fit_get_stats(&s0);
	for (u32 tag = 0; tag < MAX_TAGS; tag++)
		sent_to[node_of(tag)]++;
	for (unsigned int i = 0; i < RESEND_THREADS; i++) {
		callers[i] = (struct caller){ .index = i, .seed = 0x5eed + i };
		tasks[i] = kthread_run(caller_thread, &callers[i],
				       "fit-resend");
		ST_ASSERT(tasks[i]);
	}
	force_resets();
	for (unsigned int i = 0; i < RESEND_THREADS; i++)
		kthread_join(tasks[i]);
	fit_get_stats(&s1);
	printk("fit_cross_resend: %u calls in %llu ms, %llu connection "
	       "resets, %llu calls resent\n", MAX_TAGS,
	       (unsigned long long)((ktime_get_ns() - t0) / NSEC_PER_MSEC),
	       (unsigned long long)(fit_rdma_resets() - resets),
	       (unsigned long long)(s1.resends - s0.resends));
	for (unsigned int n = 1; n < node_count() && !fetch; n++)
		fetch = fetch_server((u16)n, &os[n], &fs[n]);
	failed = fit_cross_finish();
	for (unsigned int i = 0; i < RESEND_THREADS; i++)
		if (callers[i].err)
			ST_FAIL("call %d failed: %d", callers[i].failed_call,
				callers[i].err);
	ST_EQ(fetch, 0);
	failed_check = check_servers(t, os, fs);
	if (failed_check)
		return failed_check;
	ST_ASSERT(fit_rdma_resets() - resets >= (u64)test_resets);
	if (s1.resends == s0.resends)
		ST_FAIL("no call was resent");
	if (failed)
		ST_FAIL("node %d did not take FIT_TEST_OP_DONE", failed);
	return 0;
}

SELFTEST(fit_cross_resend)
{
	int r1, r2;

	if (test_resets <= 0)
		ST_SKIP("needs fit.test_resets=N");
	if (node_count() < 2)
		ST_SKIP("needs nodes >= 2 (tessera selftest --topology)");
	if (!fit_rdma_active())
		ST_SKIP("the eth transport never resets a connection");
	ST_EQ(fit_cross_setup(), 0);
	r1 = fit_register_handler(OP_ONCE, sizeof(struct once_req),
				  once_handler);
	r2 = fit_register_handler(OP_ONCE_STATS, 0, once_stats_handler);
	ST_ASSERT((!r1 || r1 == -EEXIST) && (!r2 || r2 == -EEXIST));
	if (!fit_wait_ready(60 * NSEC_PER_SEC))
		ST_FAIL("discovery did not finish");
	return node_self() ? fit_cross_serve(t) : drive(t);
}

/* Answer, let the reply leave, then freeze this node for the asked time. */
static int stall_handler(struct fit_msg_ctx *ctx, const void *req, u32 len)
{
	unsigned long f;
	u32 ms;
	u64 end;
	int err;

	memcpy(&ms, req, sizeof(ms));
	if (ms > 4 * STALL_MS)
		return -EINVAL;
	err = fit_reply(ctx, NULL, 0);
	msleep(100);
	printk("fit_cross_resend_stall: node %u freezes for %u ms\n",
	       node_self(), ms);
	f = local_irq_save();
	end = ktime_get_ns() + (u64)ms * NSEC_PER_MSEC;
	while (ktime_get_ns() < end)
		cpu_relax();
	local_irq_restore(f);
	return err;
}

static int drive_stall(struct selftest_ctx *t)
{
	struct ib_device *ib = fit_rdma_device();
	u64 resets = fit_rdma_resets(), t0, ms, expiries;
	u64 timeouts = rxe_net_counter(ib, RXE_CNT_TIMEOUTS);
	u32 stall = STALL_MS;
	u8 rep[8];
	int r, failed;

	ST_EQ(fit_call(1, OP_STALL, &stall, sizeof(stall), NULL, 0,
		       CALL_NS), 0);
	msleep(300);			/* node 1 freezes 100 ms after that */
	t0 = ktime_get_ns();
	r = fit_call(1, FIT_OP_PING, "slow", 4, rep, sizeof(rep), CALL_NS);
	ms = (ktime_get_ns() - t0) / NSEC_PER_MSEC;
	expiries = rxe_net_counter(ib, RXE_CNT_TIMEOUTS) - timeouts;
	printk("fit_cross_resend_stall: reply after %llu ms, %llu timer "
	       "expiries, %llu connection resets\n", (unsigned long long)ms,
	       (unsigned long long)expiries,
	       (unsigned long long)(fit_rdma_resets() - resets));
	failed = fit_cross_finish();
	ST_EQ(r, 4);
	ST_ASSERT(!memcmp(rep, "slow", 4));
	if (ms < STALL_MS / 2)
		ST_FAIL("node 1 answered after %llu ms: it did not freeze",
			(unsigned long long)ms);
	ST_EQ(fit_rdma_resets(), resets);
	/* retry_cnt is 7: an eighth expiry used to fail the QP. */
	if (expiries <= 8)
		ST_FAIL("only %llu timer expiries: the stall was too short",
			(unsigned long long)expiries);
	if (failed)
		ST_FAIL("node %d did not take FIT_TEST_OP_DONE", failed);
	return 0;
}

SELFTEST(fit_cross_resend_stall)
{
	int r;

	if (test_resets <= 0)
		ST_SKIP("needs fit.test_resets=N");
	if (node_count() < 2)
		ST_SKIP("needs nodes >= 2 (tessera selftest --topology)");
	if (!fit_rdma_active())
		ST_SKIP("the eth transport never resets a connection");
	ST_EQ(fit_cross_setup(), 0);
	r = fit_register_handler(OP_STALL, sizeof(u32), stall_handler);
	ST_ASSERT(!r || r == -EEXIST);
	if (!fit_wait_ready(60 * NSEC_PER_SEC))
		ST_FAIL("discovery did not finish");
	return node_self() ? fit_cross_serve(t) : drive_stall(t);
}
