/* net/fit/fit_reboot_test.c — a peer that really reboots and rejoins:
 * fit_cross_reboot (`tessera selftest --topology p,m,s 'fit_cross_reboot'
 * -- fit.test_reboot=1`).  Skips without fit.test_reboot=1: it needs the
 * cluster launcher's restart (scripts/tesslib/cluster.py), and a glob
 * that selects it alone (node 1 boots twice and runs its selftests again).
 *
 * Node 0 makes echo calls to node 1, then asks it to reboot
 * (FIT_TEST_OP_REBOOT): node 1 answers and leaves through
 * machine_exit(MACHINE_EXIT_RESTART); the launcher boots a new QEMU for it
 * with the same MAC and restarted=1 on its command line.  The new
 * incarnation has a new boot id, new QPs at epoch 0 and knows nobody; it
 * announces itself.  Node 0 must take it back (discovery.c: a new boot id
 * from the same MAC), reset its connection to it (rdma_conn.c; over
 * fit.transport=eth, restart its stream: eth.c) and reconnect:
 * node 0 polls FIT_TEST_OP_INCARNATION until node 1 answers with
 * restarted=1 (a reply only the new incarnation can give), then makes
 * byte-checked echo calls of random sizes up to 64 KiB to both peers.  The
 * other peer (node 2) is called throughout.  Node 1's second incarnation
 * and node 2 serve until node 0 is done; each node prints its verdict
 * (node 1 only from its second boot).
 */
#include <fit/fit.h>
#include <kernel/machine.h>
#include <kernel/node.h>
#include <kernel/param.h>
#include <kernel/printk.h>
#include <kernel/sched.h>
#include <kernel/selftest.h>
#include <kernel/time.h>
#include <lib/string.h>
#include <mm/mm.h>
#include <protocol/fit.h>
#include <uapi/errno.h>
#include "internal.h"

#define FIT_TEST_OP_REBOOT	(FIT_OP_TEST_FIRST + 13)
#define FIT_TEST_OP_INCARNATION	(FIT_OP_TEST_FIRST + 14) /* -> restarted */
#define REJOIN_NS		(180 * NSEC_PER_SEC)	/* a TCG boot */

static bool test_reboot;
param_bool("fit.test_reboot", test_reboot,
	   "fit_cross_reboot: run it (the launcher restarts node 1)");
static int restarted;
param_int("restarted", restarted,
	  "tests: times the cluster launcher has restarted this node");

static int reboot_handler(struct fit_msg_ctx *ctx, const void *req, u32 len)
{
	int err = fit_reply(ctx, NULL, 0);

	printk("fit_cross_reboot: node %u reboots now\n", node_self());
	/* The shutdown hook waits until the reply is acknowledged. */
	machine_exit(MACHINE_EXIT_RESTART);
	return err;
}

static int incarnation_handler(struct fit_msg_ctx *ctx, const void *req, u32 len)
{
	u32 n = (u32)restarted;

	return fit_reply(ctx, &n, sizeof(n));
}

/* @calls echo calls to @node, sizes random in 0..64 KiB, checked. */
static int echo(u16 node, int calls, u8 *req, u8 *rep)
{
	static u32 seed = 12345;

	for (int i = 0; i < calls; i++) {
		u32 len = (seed = seed * 1103515245u + 12345u) %
			  (FIT_MAX_PAYLOAD + 1);
		int got;

		for (u32 k = 0; k < len; k++)
			req[k] = (u8)(k * 13 + (u32)i + node);
		got = fit_call(node, FIT_OP_PING, req, len, rep,
			       FIT_MAX_PAYLOAD, 0);
		if (got != (int)len || memcmp(req, rep, len)) {
			pr_err("fit_cross_reboot: call %d to node %u: %d of %u "
			       "bytes\n", i, node, got, len);
			return got < 0 ? got : -EIO;
		}
	}
	return 0;
}

/* Poll node 1 until its new incarnation answers; returns 0 or -ETIMEDOUT. */
static int wait_rejoin(void)
{
	u64 deadline = ktime_get_ns() + REJOIN_NS;
	u32 inc = 0;

	while (ktime_get_ns() < deadline) {
		int r = fit_call(1, FIT_TEST_OP_INCARNATION, NULL, 0, &inc,
				 sizeof(inc), 500 * NSEC_PER_MSEC);

		if (r == (int)sizeof(inc) && inc >= 1)
			return 0;
		if (r >= 0)
			msleep(100);		/* the old one, still leaving */
	}
	return -ETIMEDOUT;
}

/* Connections reset (rdma) or streams restarted (eth) so far. */
static u64 resets_so_far(void)
{
	return fit_rdma_active() ? fit_rdma_resets() : fit_eth_readmissions();
}

static int drive(struct selftest_ctx *t, u8 *req, u8 *rep)
{
	u64 resets = resets_so_far(), t0;
	u32 inc = ~0u;
	int failed;

	ST_EQ(fit_call(1, FIT_TEST_OP_INCARNATION, NULL, 0, &inc, sizeof(inc),
		       0), (int)sizeof(inc));
	ST_EQ(inc, 0);
	ST_EQ(echo(1, 50, req, rep), 0);
	ST_EQ(echo(2, 20, req, rep), 0);
	ST_EQ(fit_call(1, FIT_TEST_OP_REBOOT, NULL, 0, NULL, 0, 0), 0);
	t0 = ktime_get_ns();
	ST_EQ(echo(2, 20, req, rep), 0);	/* unaffected */
	ST_EQ(wait_rejoin(), 0);
	printk("fit_cross_reboot: node 1 back after %llu ms\n",
	       (unsigned long long)((ktime_get_ns() - t0) / NSEC_PER_MSEC));
	ST_EQ(echo(1, 200, req, rep), 0);
	ST_EQ(echo(2, 20, req, rep), 0);
	if (resets_so_far() == resets)
		ST_FAIL("the connection to node 1 was never reset");
	failed = fit_cross_finish();
	if (failed)
		ST_FAIL("node %d did not take FIT_TEST_OP_DONE", failed);
	return 0;
}

SELFTEST(fit_cross_reboot)
{
	u8 *req, *rep;
	int r;

	if (!test_reboot)
		ST_SKIP("needs fit.test_reboot=1 and the cluster launcher");
	if (node_count() < 3)
		ST_SKIP("needs nodes >= 3 (tessera selftest --topology p,m,s)");
	ST_EQ(fit_cross_setup(), 0);
	r = fit_register_handler(FIT_TEST_OP_INCARNATION, 0,
				 incarnation_handler);
	ST_ASSERT(!r || r == -EEXIST);
	if (node_self() == 1 && restarted == 0) {
		r = fit_register_handler(FIT_TEST_OP_REBOOT, 0, reboot_handler);
		ST_ASSERT(!r || r == -EEXIST);
	}
	if (!fit_wait_ready(60 * NSEC_PER_SEC))
		ST_FAIL("discovery did not finish");
	if (node_self())
		return fit_cross_serve(t);
	req = kmalloc(FIT_MAX_PAYLOAD);
	rep = kmalloc(FIT_MAX_PAYLOAD);
	r = req && rep ? drive(t, req, rep) : -ENOMEM;
	kfree(req);
	kfree(rep);
	return r;
}
