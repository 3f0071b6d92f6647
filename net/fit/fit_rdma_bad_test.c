/* net/fit/fit_rdma_bad_test.c — bad RoCEv2 input across nodes:
 * fit_cross_rdma_bad (`tessera selftest --topology p,m,s 'fit_cross*'`).
 *
 * Node 0 and node 1 build a test RC QP pair next to FIT's own (the QP
 * numbers, address and an rkey are exchanged through fit_call).  Node 0
 * then sends node 1's NIC what a broken or hostile peer might — a frame
 * with a bad ICRC, one for an unknown QPN, a truncated one, a PSN far
 * ahead and one far behind (rxe_net_test_xmit) — followed by a good RDMA
 * WRITE, which must still succeed, and a WRITE with an rkey that does not
 * match, which must complete with IB_WC_REM_ACCESS_ERR.  Node 1's rxe
 * counters (fetched through fit_call) must show each drop exactly once
 * (ICRC, QPN, truncation), a sequence NAK, a duplicate and one error NAK,
 * and FIT over RDMA must keep working.  Needs a lossless segment and the
 * rdma transport; the other nodes just serve (fit_cross_test.c).
 *
 * fit_cross_rdma_reset: node 0's NIC drops every frame until its QPs to
 * node 1 have exhausted their retries (about 5 s: the timeout backs off)
 * and FIT has reset the connection (a new epoch, announced through
 * discovery; at most 20 s); node 1 must follow, and once frames flow
 * again calls to node 1 must work again.
 */
#include <fit/fit.h>
#include <kernel/node.h>
#include <kernel/sched.h>
#include <kernel/selftest.h>
#include <kernel/time.h>
#include <lib/string.h>
#include <mm/mm.h>
#include <protocol/fit.h>
#include <rdma/ib_verbs.h>
#include <rdma/rxe.h>
#include <uapi/errno.h>
#include "internal.h"

#define TQ_MEM	4096

struct tq {
	struct ib_pd *pd;
	struct ib_cq *cq;
	struct ib_qp *qp;
	struct ib_mr *mr;
	u8 *mem;
};

/* Test-only message: a QP's coordinates (both directions). */
struct tq_info {
	u32 qpn, ipv4, rkey, reserved;
	u64 va;
	u8 mac[6];
	u16 reserved2;
};
_Static_assert(sizeof(struct tq_info) == 32, "tq_info size");

static struct tq server_q;		/* node 1's side */

static int tq_create(struct tq *q)
{
	struct ib_device *ib = fit_rdma_device();
	struct ib_qp_init_attr init = {
		.qp_type = IB_QPT_RC,
		.cap = { .max_send_wr = 8, .max_recv_wr = 8,
			 .max_send_sge = 1, .max_recv_sge = 1 },
	};
	struct ib_qp_attr a = { .qp_state = IB_QPS_INIT,
				.qp_access_flags = IB_ACCESS_LOCAL_WRITE |
						   IB_ACCESS_REMOTE_WRITE };
	int err;

	q->mem = kzalloc(TQ_MEM);
	if (!ib || !q->mem)
		return -ENODEV;
	err = ib_alloc_pd(ib, &q->pd);
	if (!err)
		err = ib_create_cq(ib, 32, NULL, NULL, &q->cq);
	if (!err)
		err = ib_reg_mr(q->pd, q->mem, TQ_MEM, IB_ACCESS_LOCAL_WRITE |
				IB_ACCESS_REMOTE_WRITE, &q->mr);
	if (err)
		return err;
	init.send_cq = init.recv_cq = q->cq;
	err = ib_create_qp(q->pd, &init, &q->qp);
	return err ? err : ib_modify_qp(q->qp, &a, IB_QP_STATE |
					IB_QP_ACCESS_FLAGS);
}

static void tq_info(const struct tq *q, struct tq_info *out)
{
	struct ib_device *ib = q->qp->device;

	memset(out, 0, sizeof(*out));
	out->qpn = q->qp->qp_num;
	out->ipv4 = ib->ipv4;
	out->rkey = q->mr->rkey;
	out->va = (u64)(uintptr_t)q->mem;
	memcpy(out->mac, ib->mac, 6);
}

static int tq_connect(struct tq *q, const struct tq_info *peer)
{
	struct ib_qp_attr a = {
		.qp_state = IB_QPS_RTR, .path_mtu = IB_MTU_1024,
		.dest_qp_num = peer->qpn, .rq_psn = 0x777,
	};
	int err;

	memcpy(a.ah_attr.dmac, peer->mac, 6);
	a.ah_attr.dip = peer->ipv4;
	err = ib_modify_qp(q->qp, &a, IB_QP_STATE | IB_QP_AV |
			   IB_QP_PATH_MTU | IB_QP_DEST_QPN | IB_QP_RQ_PSN);
	if (err)
		return err;
	a.qp_state = IB_QPS_RTS;
	a.sq_psn = 0x777;
	a.retry_cnt = 7;
	return ib_modify_qp(q->qp, &a, IB_QP_STATE | IB_QP_SQ_PSN |
			    IB_QP_RETRY_CNT);
}

/* Node 1: build our side and connect it to node 0's. */
static int qp_handler(struct fit_msg_ctx *ctx, const void *req, u32 len)
{
	struct tq_info mine;
	int err;

	if (server_q.qp)
		return -EEXIST;
	err = tq_create(&server_q);
	if (!err)
		err = tq_connect(&server_q, req);
	if (err)
		return err;
	tq_info(&server_q, &mine);
	return fit_reply(ctx, &mine, sizeof(mine));
}

static int rxe_stats_handler(struct fit_msg_ctx *ctx, const void *req,
			     u32 len)
{
	u64 c[RXE_CNT_NR];

	for (int i = 0; i < RXE_CNT_NR; i++)
		c[i] = rxe_net_counter(fit_rdma_device(), (enum rxe_counter)i);
	return fit_reply(ctx, c, sizeof(c));
}

static int node1_counters(u64 *c)
{
	int r = fit_call(1, FIT_TEST_OP_RXE_STATS, NULL, 0, c,
			 RXE_CNT_NR * sizeof(u64), 0);

	return r == RXE_CNT_NR * (int)sizeof(u64) ? 0 : (r < 0 ? r : -EPROTO);
}

/* Post one signaled RDMA WRITE of 64 bytes and wait for its WC. */
static int write_status(struct tq *q, const struct tq_info *peer, u32 rkey)
{
	struct ib_sge sge = { (u64)(uintptr_t)q->mem, 64, q->mr->lkey };
	struct ib_send_wr wr = {
		.wr_id = 7, .sg_list = &sge, .num_sge = 1,
		.opcode = IB_WR_RDMA_WRITE, .send_flags = IB_SEND_SIGNALED,
		.rdma = { peer->va, rkey },
	};
	const struct ib_send_wr *bad;
	struct ib_wc wc;
	int err = ib_post_send(q->qp, &wr, &bad);

	if (err)
		return err;
	for (u64 end = ktime_get_ns() + 5 * NSEC_PER_SEC;
	     ktime_get_ns() < end;) {
		if (ib_poll_cq(q->cq, 1, &wc) == 1)
			return (int)wc.status;
		msleep(1);
	}
	return -ETIMEDOUT;
}

#define DELTA(c) (after[c] - before[c])

static int drive_bad(struct selftest_ctx *t)
{
	static u64 before[RXE_CNT_NR], after[RXE_CNT_NR];
	static const enum rxe_test_frame frames[] = {
		RXE_TF_BAD_ICRC, RXE_TF_UNKNOWN_QPN, RXE_TF_TRUNCATED,
		RXE_TF_PSN_AHEAD, RXE_TF_PSN_BEHIND,
	};
	struct tq_info mine, peer;
	struct tq q = { 0 };
	int failed;

	ST_EQ(tq_create(&q), 0);
	tq_info(&q, &mine);
	ST_EQ(fit_call(1, FIT_TEST_OP_RXE_QP, &mine, sizeof(mine), &peer,
		       sizeof(peer), 0), (int)sizeof(peer));
	ST_EQ(tq_connect(&q, &peer), 0);
	ST_EQ(node1_counters(before), 0);
	for (size_t i = 0; i < ARRAY_SIZE(frames); i++)
		ST_EQ(rxe_net_test_xmit(q.qp, frames[i]), 0);
	ST_EQ(write_status(&q, &peer, peer.rkey), IB_WC_SUCCESS);
	ST_EQ(write_status(&q, &peer, peer.rkey ^ 0x100),
	      IB_WC_REM_ACCESS_ERR);
	ST_EQ(fit_call(1, FIT_OP_PING, "still", 5, mine.mac, 6, 0), 5);
	ST_EQ(node1_counters(after), 0);
	failed = fit_cross_finish();
	ST_EQ(DELTA(RXE_CNT_DROP_BAD_ICRC), 1);
	ST_EQ(DELTA(RXE_CNT_DROP_UNKNOWN_QP), 1);
	ST_EQ(DELTA(RXE_CNT_DROP_SHORT), 1);
	ST_ASSERT(DELTA(RXE_CNT_SEQ_NAK_SENT) >= 1);
	ST_ASSERT(DELTA(RXE_CNT_DUP_REQ) >= 1);
	ST_EQ(DELTA(RXE_CNT_ERR_NAK_SENT), 1);
	if (failed)
		ST_FAIL("node %d did not take FIT_TEST_OP_DONE", failed);
	return 0;
}

/* Calls to node 1 until one works or @ms pass; 0 or the last error. */
static int call_until_ok(unsigned int ms)
{
	u8 rep[8];
	int r = -ETIMEDOUT;

	for (u64 end = ktime_get_ns() + ms * NSEC_PER_MSEC;
	     r != 4 && ktime_get_ns() < end;)
		r = fit_call(1, FIT_OP_PING, "back", 4, rep, sizeof(rep),
			     500 * NSEC_PER_MSEC);
	return r == 4 ? 0 : r;
}

static int drive_reset(struct selftest_ctx *t)
{
	struct rxe_fault_params all = { .drop_ppm = 1000000, .seed = 1 };
	struct rxe_fault_params none = { 0 };
	u64 resets = fit_rdma_resets();
	u8 rep[8];
	int failed;

	ST_EQ(call_until_ok(2000), 0);
	/* Dead for the QPs (count only), not just slow (fit.retry_ms). */
	fit_rdma_test_retry_ms(1, 0);
	rxe_net_set_faults(fit_rdma_device(), &all);
	ST_EQ(fit_call(1, FIT_OP_PING, "lost", 4, rep, sizeof(rep),
		       300 * NSEC_PER_MSEC), -ETIMEDOUT);
	for (int i = 0; i < 200 && fit_rdma_resets() == resets; i++)
		msleep(100);
	rxe_net_set_faults(fit_rdma_device(), &none);
	ST_EQ(call_until_ok(10000), 0);
	for (int i = 0; i < 50; i++)
		ST_EQ(fit_call(1, FIT_OP_PING, "more", 4, rep, sizeof(rep), 0),
		      4);
	failed = fit_cross_finish();
	if (fit_rdma_resets() == resets)
		ST_FAIL("the connection was never reset");
	if (failed)
		ST_FAIL("node %d did not take FIT_TEST_OP_DONE", failed);
	return 0;
}

SELFTEST(fit_cross_rdma_reset)
{
	if (node_count() < 2)
		ST_SKIP("needs nodes >= 2 (tessera selftest --topology)");
	if (fit_test_mute != ~0u)
		ST_SKIP("fit.test_mute is set");
	if (!fit_rdma_active())
		ST_SKIP("FIT does not run over RDMA (fit.transport=eth?)");
	ST_EQ(fit_cross_setup(), 0);
	if (!fit_wait_ready(60 * NSEC_PER_SEC))
		ST_FAIL("discovery did not finish");
	return node_self() ? fit_cross_serve(t) : drive_reset(t);
}

SELFTEST(fit_cross_rdma_bad)
{
	int r1, r2;

	if (node_count() < 2)
		ST_SKIP("needs nodes >= 2 (tessera selftest --topology)");
	if (fit_test_mute != ~0u)
		ST_SKIP("fit.test_mute is set");
	if (!fit_rdma_active())
		ST_SKIP("FIT does not run over RDMA (fit.transport=eth?)");
	ST_EQ(fit_cross_setup(), 0);
	r1 = fit_register_handler(FIT_TEST_OP_RXE_QP, sizeof(struct tq_info),
				  qp_handler);
	r2 = fit_register_handler(FIT_TEST_OP_RXE_STATS, 0, rxe_stats_handler);
	ST_ASSERT((!r1 || r1 == -EEXIST) && (!r2 || r2 == -EEXIST));
	if (!fit_wait_ready(60 * NSEC_PER_SEC))
		ST_FAIL("discovery did not finish");
	return node_self() ? fit_cross_serve(t) : drive_bad(t);
}
