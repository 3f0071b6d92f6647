/* net/fit/fit_cross_test.c — FIT selftests across nodes (the netdev
 * transport between QEMU guests; `tessera selftest --topology p,m,s
 * 'fit_cross*'`).  On one node they skip.
 *
 * Node 0 drives; every other node serves until node 0 sends it
 * FIT_TEST_OP_DONE (or a generous deadline passes), so no node leaves the cluster
 * while it is still needed.  Each node prints its own verdict.
 *
 *  fit_cross_echo   node 0 makes fit.test_calls calls (default 4,000),
 *                   spread evenly over the other nodes (one caller thread
 *                   per peer, concurrently), with random sizes (mostly up
 *                   to 2 KiB, every 8th up to 64 KiB; fit.test_uniform=1:
 *                   uniform in 0-64 KiB), checking every reply byte for
 *                   byte.  With fit.test_lossy=1 (rxe.drop=... runs) the
 *                   transport must also have retransmitted.
 *  fit_cross_bad    node 0 sends node 1 malformed frames (truncated,
 *                   wrong version, type, destination or source MAC,
 *                   short payload) and malformed fragments and messages
 *                   in sequence; node 1 counts each exactly once and
 *                   keeps answering.  Needs a lossless segment.
 *  fit_cross_mute   with fit.test_mute=M on every node's command line,
 *                   node M ignores all requests: node 0's call to it
 *                   returns -ETIMEDOUT within fit.timeout_ms (logged with
 *                   peer and opcode, counted) while calls to the other
 *                   nodes keep working.
 */
#include <fit/fit.h>
#include <kernel/node.h>
#include <kernel/param.h>
#include <kernel/printk.h>
#include <kernel/sched.h>
#include <kernel/selftest.h>
#include <kernel/time.h>
#include <kernel/wait.h>
#include <lib/string.h>
#include <mm/mm.h>
#include <protocol/fit.h>
#include <uapi/errno.h>
#include "internal.h"

#define READY_NS	(60 * NSEC_PER_SEC)

static int test_calls = 4000;
param_int("fit.test_calls", test_calls,
	  "fit_cross_echo: calls from node 0, over all peers");
static bool test_uniform;
param_bool("fit.test_uniform", test_uniform,
	   "fit_cross_echo: sizes uniform in 0-64 KiB");
static bool test_lossy;
param_bool("fit.test_lossy", test_lossy,
	   "fit_cross_echo: the link is lossy, expect retransmissions");

/* Serving nodes wait this long for node 0: 4 minutes plus 50 ms a call
 * (lossy runs on a loaded host manage about 25 ms a call). */
static u64 serve_ns(void)
{
	return 240 * NSEC_PER_SEC + (u64)MAX(test_calls, 0) * 50 *
				    NSEC_PER_MSEC;
}

static DEFINE_COMPLETION(done);

/* Reply first: once `done` completes, the node may quiesce and leave. */
static int done_handler(struct fit_msg_ctx *ctx, const void *req, u32 len)
{
	int r = fit_reply(ctx, NULL, 0);

	complete(&done);
	return r;
}

static u64 rnd64(u64 *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* Tell @node that node 0 is finished with it.  It may be slow to start
 * its own test (and register FIT_TEST_OP_DONE): retry -EOPNOTSUPP; and the link
 * may be lossy: retry timeouts (FIT_TEST_OP_DONE is idempotent). */
static int send_done(u16 node)
{
	int r = -EOPNOTSUPP;

	for (int i = 0; i < 300 && (r == -EOPNOTSUPP || r == -ETIMEDOUT);
	     i++) {
		r = fit_call(node, FIT_TEST_OP_DONE, NULL, 0, NULL, 0, 5 * NSEC_PER_SEC);
		if (r == -EOPNOTSUPP)
			msleep(100);
	}
	return r;
}

/* Node 0 stays a moment after its last call, so that the others' last
 * replies, if their ACK was lost, are acknowledged again. */
static void linger(void)
{
	fit_quiesce(5 * NSEC_PER_SEC);
	msleep(1000);
}

/* Node 0: tell every other (unmuted) node that it may leave; returns
 * the first node that did not take it, or 0. */
int fit_cross_finish(void)
{
	int failed = 0;

	for (unsigned int i = 1; i < node_count(); i++)
		if (i != fit_test_mute && send_done((u16)i) && !failed)
			failed = (int)i;
	linger();
	return failed;
}

static int stats_handler(struct fit_msg_ctx *ctx, const void *req, u32 len)
{
	struct fit_stats s;

	fit_get_stats(&s);
	return fit_reply(ctx, &s, sizeof(s));
}

/* Every node, before anything else: the handlers node 0 calls. */
int fit_cross_setup(void)
{
	int r1 = fit_register_handler(FIT_TEST_OP_DONE, 0, done_handler);
	int r2 = fit_register_handler(FIT_TEST_OP_STATS, 0, stats_handler);

	return (r1 && r1 != -EEXIST) || (r2 && r2 != -EEXIST) ? -EINVAL : 0;
}

/* Non-zero nodes: serve until node 0 is done. */
int fit_cross_serve(struct selftest_ctx *t)
{
	if (!wait_for_completion_timeout(&done, serve_ns()))
		ST_FAIL("node 0 never said it was done");
	fit_dump_stats();
	/* Our last reply reached node 0 (or node 0 fails the test); only
	 * its ACK may be lost when node 0 leaves first: not an error. */
	if (!fit_quiesce(5 * NSEC_PER_SEC))
		printk("fit_cross: last reply unacknowledged after 5 s\n");
	return 0;
}


struct peer_run {
	u16 node;
	int err, done, calls;
	u64 seed;
};

static u32 pick_len(u64 r)
{
	if (test_uniform)
		return (u32)(r % (FIT_MAX_PAYLOAD + 1));
	return (u32)(r % 8 ? r % 2049 : r % (FIT_MAX_PAYLOAD + 1));
}

static int cross_caller(void *p)
{
	struct peer_run *w = p;
	u8 *req = kmalloc(FIT_MAX_PAYLOAD), *rep = kmalloc(FIT_MAX_PAYLOAD);

	w->err = req && rep ? 0 : -ENOMEM;
	for (w->done = 0; w->done < w->calls && !w->err; w->done++) {
		u32 len = pick_len(rnd64(&w->seed));
		int got;

		for (u32 i = 0; i < len; i++)
			req[i] = (u8)rnd64(&w->seed);
		got = fit_call(w->node, FIT_OP_PING, req, len, rep,
			       FIT_MAX_PAYLOAD, 0);
		if (got != (int)len)
			w->err = got < 0 ? got : -EPROTO;
		else if (memcmp(req, rep, len))
			w->err = -EBADMSG;
	}
	kfree(req);
	kfree(rep);
	return 0;
}

static int drive_echo(struct selftest_ctx *t)
{
	static struct peer_run runs[FIT_MAX_NODES];
	static struct task *tasks[FIT_MAX_NODES];
	unsigned int n = node_count();
	u64 t0 = ktime_get_ns(), ms;
	struct fit_stats s;
	int failed = 0;

	for (unsigned int i = 1; i < n; i++) {
		runs[i] = (struct peer_run){ .node = (u16)i,
					     .seed = 0xfeedf00d + i };
		runs[i].calls = MAX(test_calls, 0) / (int)(n - 1) +
				((int)i <= MAX(test_calls, 0) % (int)(n - 1));
		tasks[i] = kthread_run(cross_caller, &runs[i], "fit-cross");
		ST_ASSERT(tasks[i]);
	}
	for (unsigned int i = 1; i < n; i++)
		kthread_join(tasks[i]);
	ms = (ktime_get_ns() - t0) / NSEC_PER_MSEC;
	failed = fit_cross_finish();
	fit_dump_stats();
	fit_get_stats(&s);
	printk("fit_cross_echo: %d calls in %llu ms, %llu retransmissions\n",
	       test_calls, (unsigned long long)ms,
	       (unsigned long long)s.retransmissions);
	if (test_lossy && !s.retransmissions)
		ST_FAIL("fit.test_lossy: no retransmission at all");
	for (unsigned int i = 1; i < n; i++)
		if (runs[i].err)
			ST_FAIL("node %u: call %d failed with %d", i,
				runs[i].done, runs[i].err);
	if (failed)
		ST_FAIL("node %d did not take FIT_TEST_OP_DONE", failed);
	return 0;
}

SELFTEST(fit_cross_echo)
{
	if (node_count() < 2)
		ST_SKIP("needs nodes >= 2 (tessera selftest --topology)");
	if (fit_test_mute != ~0u)
		ST_SKIP("fit.test_mute is set");
	ST_EQ(fit_cross_setup(), 0);
	if (!fit_wait_ready(READY_NS))
		ST_FAIL("discovery did not finish in %llu s",
			READY_NS / NSEC_PER_SEC);
	return node_self() ? fit_cross_serve(t) : drive_echo(t);
}

/* Large calls to a node that is muted (or already gone, so that its
 * link no longer acknowledges and the window fills): each must end in
 * -ETIMEDOUT close to its own short timeout.  Returns 0 or the failing
 * call's number. */
static int big_calls_time_out(u16 node)
{
	u8 *req = kzalloc(FIT_MAX_PAYLOAD);
	int bad = 0;

	for (int i = 1; i <= 3 && !bad && req; i++) {
		u64 t0 = ktime_get_ns(), waited;
		int r = fit_call(node, FIT_OP_PING, req, FIT_MAX_PAYLOAD, NULL,
				 0, 300 * NSEC_PER_MSEC);

		waited = ktime_get_ns() - t0;
		if (r != -ETIMEDOUT || waited > 800 * NSEC_PER_MSEC)
			bad = i;
	}
	kfree(req);
	return req ? bad : -1;
}

/* Node 0's part of fit_cross_mute. */
static int drive_mute(struct selftest_ctx *t)
{
	u64 limit = fit_default_timeout_ns(), t0, waited;
	struct fit_stats s0, s1;
	u8 rep[64];
	int r, failed, big;

	fit_get_stats(&s0);
	t0 = ktime_get_ns();
	r = fit_call((u16)fit_test_mute, FIT_OP_PING, "ping", 4, rep,
		     sizeof(rep), 0);
	waited = ktime_get_ns() - t0;
	fit_get_stats(&s1);
	big = big_calls_time_out((u16)fit_test_mute);
	for (unsigned int i = 1; i < node_count(); i++) {
		if (i == fit_test_mute)
			continue;
		for (int k = 0; k < 50; k++)
			if (fit_call((u16)i, FIT_OP_PING, "live", 4, rep,
				     sizeof(rep), 0) != 4)
				ST_FAIL("node %u stopped answering too", i);
	}
	failed = fit_cross_finish();
	if (failed)
		ST_FAIL("node %d did not take FIT_TEST_OP_DONE", failed);
	if (r != -ETIMEDOUT)
		ST_FAIL("call to muted node %u returned %d", fit_test_mute, r);
	if (waited < limit || waited > limit + 500 * NSEC_PER_MSEC)
		ST_FAIL("timed out after %llu ms, fit.timeout_ms is %llu",
			waited / NSEC_PER_MSEC, limit / NSEC_PER_MSEC);
	ST_EQ(s1.timeouts - s0.timeouts, 1);
	if (big)
		ST_FAIL("64 KiB call %d to the muted node did not time out in "
			"time", big);
	ST_EQ(fit_call((u16)node_self(), FIT_OP_PING, "ok", 2, rep,
		       sizeof(rep), 0), 2);
	return 0;
}

SELFTEST(fit_cross_mute)
{
	struct fit_stats s;

	if (node_count() < 2 || fit_test_mute == ~0u)
		ST_SKIP("needs nodes >= 2 and fit.test_mute=NODE");
	if (fit_test_mute == 0 || fit_test_mute >= node_count())
		ST_FAIL("fit.test_mute=%u: must name a node other than 0",
			fit_test_mute);
	ST_EQ(fit_cross_setup(), 0);
	if (!fit_wait_ready(READY_NS))
		ST_FAIL("discovery did not finish");
	if (node_self() == 0)
		return drive_mute(t);
	if (node_self() != fit_test_mute)
		return fit_cross_serve(t);
	for (u64 end = ktime_get_ns() + serve_ns(); ktime_get_ns() < end;) {
		fit_get_stats(&s);
		if (s.test_muted)
			return 0;
		msleep(10);
	}
	ST_FAIL("no request from node 0 reached the muted node");
}
