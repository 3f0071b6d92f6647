/* tests/host/test_rxe_errors.c — rxe's error paths and QP state machine,
 * on the simulated link of rxe_sim.h.
 *
 * - modify_qp: illegal transitions, missing or out-of-range attributes,
 *   posting in the wrong state, unsupported WRs, ERR flushes, RESET reuses;
 * - unsignaled sends complete silently, errors and flushes always report;
 * - a dead peer: RETRY_EXC_ERR after exactly retry_cnt + 1 timeouts (the
 *   timeout doubling each time), the rest flushed; with a retry time
 *   (rxe_qp_set_retry_time) not before it has passed, and a peer silent
 *   for less than that keeps its QP;
 * - a link that stalls for many timeouts (every frame delayed, none lost):
 *   the timeout backs off so the QP outlasts the stall, each expiry
 *   resends only a probe of RXE_ACK_EVERY packets, and the late ACK stops
 *   the go-back (acknowledged packets are not sent again); the event
 *   trace (trace.c) records exactly the timeouts and retransmissions the
 *   counters count;
 * - bad rkey, out-of-range address, MR or QP without the remote right:
 *   REM_ACCESS_ERR at the requester, the responder's QP in ERR;
 * - a receive buffer too small: REM_INV_REQ_ERR and LOC_LEN_ERR;
 * - no receive posted: RNR NAKs, then success (SEND and a multi-packet
 *   RDMA_WRITE_WITH_IMM that stalls at its last packet), only a probe of
 *   RXE_ACK_EVERY packets resent after each RNR wait, or
 *   RNR_RETRY_EXC_ERR after rnr_retry NAKs;
 * - a bad lkey: LOC_PROT_ERR after the WRs before it succeed;
 * - zero-length SEND, WRITE (no rkey check) and READ succeed.
 */
#include "harness.h"
#include "rxe_sim.h"

#define BUF 16384

struct pair {
	struct sim s;
	struct sim_ep a, b;
	u8 *abuf, *bbuf;
	struct ib_mr *amr, *bmr;
};

static const struct sim_qp_opts opts = {
	.depth = 16, .mtu = IB_MTU_1024, .timeout = 10, .retry_cnt = 3,
	.rnr_retry = 7, .min_rnr_timer = 1,
	.access = IB_ACCESS_LOCAL_WRITE | IB_ACCESS_REMOTE_WRITE |
		  IB_ACCESS_REMOTE_READ,
};

static void pair_up(struct pair *p, const struct sim_qp_opts *o, int bacc)
{
	sim_init(&p->s, 2, 7);
	sim_ep_create(&p->a, &p->s.nodes[0], o);
	sim_ep_create(&p->b, &p->s.nodes[1], o);
	p->abuf = calloc(1, BUF);
	p->bbuf = calloc(1, BUF);
	if (ib_reg_mr(p->a.pd, p->abuf, BUF, IB_ACCESS_LOCAL_WRITE, &p->amr) ||
	    ib_reg_mr(p->b.pd, p->bbuf, BUF, bacc, &p->bmr))
		abort();
	CHECK_EQ(sim_ep_connect(&p->a, &p->b, o), 0);
	CHECK_EQ(sim_ep_connect(&p->b, &p->a, o), 0);
}

static void pair_down(struct pair *p)
{
	CHECK_EQ(ib_dereg_mr(p->amr), 0);
	CHECK_EQ(ib_dereg_mr(p->bmr), 0);
	sim_ep_destroy(&p->a);
	sim_ep_destroy(&p->b);
	sim_free(&p->s);
	free(p->abuf);
	free(p->bbuf);
}

static int post(struct pair *p, enum ib_wr_opcode op, u64 id, u32 off,
		u32 len, u64 raddr, u32 rkey, unsigned int flags)
{
	struct ib_sge sge = { .addr = (u64)(uintptr_t)(p->abuf + off),
			      .length = len, .lkey = p->amr->lkey };
	struct ib_send_wr wr = { .wr_id = id, .opcode = op, .sg_list = &sge,
				 .num_sge = 1, .send_flags = flags,
				 .imm_data = 0x1234,
				 .rdma = { .remote_addr = raddr,
					   .rkey = rkey } };

	return ib_post_send(p->a.qp, &wr, NULL);
}

static int post_recv_b(struct pair *p, u64 id, u32 off, u32 len)
{
	struct ib_sge sge = { .addr = (u64)(uintptr_t)(p->bbuf + off),
			      .length = len, .lkey = p->bmr->lkey };
	struct ib_recv_wr wr = { .wr_id = id, .sg_list = &sge, .num_sge = 1 };

	return ib_post_recv(p->b.qp, &wr, NULL);
}

static u64 baddr(struct pair *p, u32 off)
{
	return (u64)(uintptr_t)(p->bbuf + off);
}

static int poll1(struct ib_cq *cq, struct ib_wc *wc)
{
	return ib_poll_cq(cq, 1, wc);
}

static enum ib_qp_state qp_state(struct ib_qp *qp)
{
	struct ib_qp_attr at;

	ib_query_qp(qp, &at);
	return at.qp_state;
}

static void test_qp_state_machine(void)
{
	struct sim s;
	struct sim_ep a, b;
	struct ib_qp_attr at = { 0 };
	struct ib_send_wr wr = { .opcode = IB_WR_SEND };
	const struct ib_send_wr *bad = NULL;
	struct ib_recv_wr rwr = { .wr_id = 9 };
	struct ib_wc wc;

	sim_init(&s, 2, 1);
	sim_ep_create(&a, &s.nodes[0], &opts);
	sim_ep_create(&b, &s.nodes[1], &opts);
	CHECK_EQ(qp_state(a.qp), IB_QPS_RESET);
	at.qp_state = IB_QPS_RTR;
	CHECK_EQ(ib_modify_qp(a.qp, &at, IB_QP_STATE), -EINVAL);
	at.qp_state = IB_QPS_RTS;
	CHECK_EQ(ib_modify_qp(a.qp, &at, IB_QP_STATE | IB_QP_SQ_PSN), -EINVAL);
	CHECK_EQ(ib_post_recv(a.qp, &rwr, NULL), -EINVAL);
	at.qp_state = IB_QPS_INIT;
	CHECK_EQ(ib_modify_qp(a.qp, &at, IB_QP_STATE | IB_QP_SQ_PSN), -EINVAL);
	at.qp_access_flags = 1 << 5;
	CHECK_EQ(ib_modify_qp(a.qp, &at, IB_QP_STATE | IB_QP_ACCESS_FLAGS),
		 -EINVAL);
	CHECK_EQ(ib_modify_qp(a.qp, &at, IB_QP_STATE), 0);
	CHECK_EQ(qp_state(a.qp), IB_QPS_INIT);
	CHECK_EQ(ib_post_send(a.qp, &wr, &bad), -EINVAL);
	CHECK(bad == &wr, "bad_wr not set");
	CHECK_EQ(ib_post_recv(a.qp, &rwr, NULL), 0);
	at.qp_state = IB_QPS_RTR;
	at.path_mtu = IB_MTU_1024;
	CHECK_EQ(ib_modify_qp(a.qp, &at, IB_QP_STATE | IB_QP_PATH_MTU),
		 -EINVAL);
	at.path_mtu = (enum ib_mtu)7;
	CHECK_EQ(ib_modify_qp(a.qp, &at, IB_QP_STATE | IB_QP_AV |
				 IB_QP_PATH_MTU | IB_QP_DEST_QPN |
				 IB_QP_RQ_PSN), -EINVAL);
	at.path_mtu = IB_MTU_1024;
	at.rq_psn = 1u << 24;
	CHECK_EQ(ib_modify_qp(a.qp, &at, IB_QP_STATE | IB_QP_AV |
				 IB_QP_PATH_MTU | IB_QP_DEST_QPN |
				 IB_QP_RQ_PSN), -EINVAL);
	CHECK_EQ(qp_state(a.qp), IB_QPS_INIT);
	/* Back to RESET, then a full legal bring-up. */
	at.qp_state = IB_QPS_RESET;
	CHECK_EQ(ib_modify_qp(a.qp, &at, IB_QP_STATE), 0);
	CHECK_EQ(poll1(a.rcq, &wc), 0);
	CHECK_EQ(sim_ep_connect(&a, &b, &opts), 0);
	CHECK_EQ(qp_state(a.qp), IB_QPS_RTS);
	at.qp_state = IB_QPS_RTS;
	at.retry_cnt = 8;
	CHECK_EQ(ib_modify_qp(a.qp, &at, IB_QP_RETRY_CNT), -EINVAL);
	at.min_rnr_timer = 12;
	CHECK_EQ(ib_modify_qp(a.qp, &at, IB_QP_MIN_RNR_TIMER), 0);
	wr.opcode = IB_WR_ATOMIC_FETCH_AND_ADD;
	CHECK_EQ(ib_post_send(a.qp, &wr, NULL), -EOPNOTSUPP);
	wr.opcode = IB_WR_SEND;
	wr.send_flags = IB_SEND_INLINE;
	CHECK_EQ(ib_post_send(a.qp, &wr, NULL), -EOPNOTSUPP);
	wr.send_flags = 0;
	wr.num_sge = RXE_MAX_SGE + 1;
	CHECK_EQ(ib_post_send(a.qp, &wr, NULL), -EINVAL);
	CHECK_EQ(ib_post_recv(a.qp, &rwr, NULL), 0);
	at.qp_state = IB_QPS_ERR;
	CHECK_EQ(ib_modify_qp(a.qp, &at, IB_QP_STATE), 0);
	CHECK_EQ(poll1(a.rcq, &wc), 1);
	CHECK(wc.status == IB_WC_WR_FLUSH_ERR && wc.wr_id == 9, "flush");
	CHECK_EQ(ib_dealloc_pd(a.pd), -EBUSY);
	CHECK_EQ(ib_destroy_cq(a.scq), -EBUSY);
	CHECK_EQ(rxe_dev_destroy(s.nodes[0].dev), -EBUSY);
	sim_ep_destroy(&a);
	sim_ep_destroy(&b);
	sim_free(&s);
}

static void test_unsignaled_and_flush(void)
{
	struct pair p;
	struct ib_wc wc[8];
	struct ib_qp_attr at = { .qp_state = IB_QPS_ERR };

	pair_up(&p, &opts, IB_ACCESS_LOCAL_WRITE);
	for (int i = 0; i < 4; i++)
		CHECK_EQ(post_recv_b(&p, (u64)i, (u32)i * 100, 100), 0);
	for (int i = 0; i < 4; i++)
		CHECK_EQ(post(&p, IB_WR_SEND, (u64)i, 0, 10, 0, 0,
			      i & 1 ? IB_SEND_SIGNALED : 0), 0);
	sim_run(&p.s, NULL, NULL, 10000000);
	CHECK_EQ(ib_poll_cq(p.a.scq, 8, wc), 2);
	CHECK(wc[0].wr_id == 1 && wc[1].wr_id == 3, "signaled ones only");
	CHECK_EQ(ib_poll_cq(p.b.rcq, 8, wc), 4);
	for (int i = 0; i < 3; i++)
		CHECK_EQ(post(&p, IB_WR_SEND, 10 + (u64)i, 0, 10, 0, 0, 0), 0);
	CHECK_EQ(ib_modify_qp(p.a.qp, &at, IB_QP_STATE), 0);
	CHECK_EQ(ib_poll_cq(p.a.scq, 8, wc), 3);
	for (int i = 0; i < 3; i++)
		CHECK(wc[i].status == IB_WC_WR_FLUSH_ERR &&
		      wc[i].wr_id == 10 + (u64)i, "flush %d", i);
	CHECK_EQ(post(&p, IB_WR_SEND, 20, 0, 10, 0, 0, 0), -EINVAL);
	pair_down(&p);
}

static bool qp_in_err(void *qp)
{
	return qp_state(qp) == IB_QPS_ERR;
}

static void test_dead_peer(void)
{
	struct pair p;
	struct ib_wc wc[8];
	u64 start;

	pair_up(&p, &opts, IB_ACCESS_LOCAL_WRITE);
	p.s.nodes[1].dead = true;
	start = p.s.now;
	CHECK_EQ(post(&p, IB_WR_SEND, 1, 0, 3000, 0, 0, IB_SEND_SIGNALED), 0);
	CHECK_EQ(post(&p, IB_WR_RDMA_READ, 2, 0, 10, baddr(&p, 0),
		      p.bmr->rkey, 0), 0);
	CHECK_EQ(post(&p, IB_WR_SEND, 3, 0, 10, 0, 0, 0), 0);
	sim_run(&p.s, qp_in_err, p.a.qp, 1000000000ull);
	CHECK_EQ(ib_poll_cq(p.a.scq, 8, wc), 3);
	CHECK(wc[0].wr_id == 1 && wc[0].status == IB_WC_RETRY_EXC_ERR,
	      "status %u", wc[0].status);
	CHECK(wc[1].status == IB_WC_WR_FLUSH_ERR &&
	      wc[2].status == IB_WC_WR_FLUSH_ERR, "flushed");
	CHECK_EQ(rxe_counter(p.s.nodes[0].dev, RXE_CNT_TIMEOUTS),
		 opts.retry_cnt + 1);
	/* 4.096 us << 10 for the first try, doubling: 1 + 2 + 4 + 8. */
	CHECK((p.s.now - start) >= 15 * (4096ull << 10) &&
	      (p.s.now - start) < 16 * (4096ull << 10), "took %llu ns",
	      (unsigned long long)(p.s.now - start));
	CHECK_EQ(qp_state(p.a.qp), IB_QPS_ERR);
	pair_down(&p);
}

static bool send_done(void *ep)
{
	struct rxe_qp *qp = to_rqp(((struct sim_ep *)ep)->qp);

	return qp->sq_cons == qp->sq_prod || qp->state == IB_QPS_ERR;
}

/* rxe_qp_set_retry_time: a peer silent for longer than retry_cnt + 1
 * timeouts but less than the retry time keeps the QP (everything then
 * completes); one silent for good fails it no sooner than the retry time
 * after the first expiry, the timer firing at the backed-off interval
 * meanwhile. */
static void test_retry_time(void)
{
	const u64 retry = 500000000ull;		/* 0.5 s >> 4 x 16 ms */
	struct pair p;
	struct ib_wc wc[8];
	u64 start;

	pair_up(&p, &opts, IB_ACCESS_LOCAL_WRITE);
	CHECK_EQ(rxe_qp_set_retry_time(p.a.qp, retry), 0);
	CHECK_EQ(post_recv_b(&p, 100, 0, BUF), 0);
	p.s.nodes[1].dead = true;
	CHECK_EQ(post(&p, IB_WR_SEND, 1, 0, 3000, 0, 0, IB_SEND_SIGNALED), 0);
	sim_run(&p.s, qp_in_err, p.a.qp, retry / 2);
	CHECK(rxe_counter(p.s.nodes[0].dev, RXE_CNT_TIMEOUTS) >
	      (u64)opts.retry_cnt + 1, "only %llu timeouts", (unsigned long long)
	      rxe_counter(p.s.nodes[0].dev, RXE_CNT_TIMEOUTS));
	CHECK_EQ(qp_state(p.a.qp), IB_QPS_RTS);
	p.s.nodes[1].dead = false;		/* only slow, after all */
	sim_run(&p.s, send_done, &p.a, 1000000000ull);
	CHECK_EQ(ib_poll_cq(p.a.scq, 8, wc), 1);
	CHECK(wc[0].wr_id == 1 && wc[0].status == IB_WC_SUCCESS, "status %u",
	      wc[0].status);
	CHECK_EQ(qp_state(p.a.qp), IB_QPS_RTS);

	p.s.nodes[1].dead = true;		/* now for good */
	start = p.s.now;
	CHECK_EQ(post(&p, IB_WR_SEND, 2, 0, 10, 0, 0, IB_SEND_SIGNALED), 0);
	sim_run(&p.s, qp_in_err, p.a.qp, 4 * retry);
	CHECK_EQ(ib_poll_cq(p.a.scq, 8, wc), 1);
	CHECK(wc[0].wr_id == 2 && wc[0].status == IB_WC_RETRY_EXC_ERR,
	      "status %u", wc[0].status);
	/* The first expiry comes one base timeout after the post. */
	CHECK(p.s.now - start >= retry + (4096ull << 10) &&
	      p.s.now - start < retry + 2 * (4096ull << 10 << RXE_BACKOFF_MAX),
	      "failed after %llu ns", (unsigned long long)(p.s.now - start));
	pair_down(&p);
}

static struct rxe_trace_ev trace_ev[4096];

/* Count the trace events of @qpn of @kind (and with all of @flags). */
static u32 trace_count(struct rxe_dev *dev, u32 qpn, u8 kind, u8 flags)
{
	u32 n = rxe_trace_read(dev, qpn, trace_ev, 4096), k = 0;

	for (u32 i = 0; i < n; i++)
		k += trace_ev[i].kind == kind &&
		     (trace_ev[i].flags & flags) == flags;
	return k;
}

/* The most packets sent after one @kind event (a timeout, an RNR wait)
 * before anything came back. */
static u32 largest_probe(struct rxe_dev *dev, u32 qpn, u8 kind)
{
	u32 n = rxe_trace_read(dev, qpn, trace_ev, 4096), most = 0, run = 0;
	bool after_timeout = false;

	for (u32 i = 0; i < n; i++) {
		if (trace_ev[i].kind == kind) {
			after_timeout = true;
			run = 0;
		} else if (trace_ev[i].kind == RXE_TR_RX) {
			after_timeout = false;
		} else if (trace_ev[i].kind == RXE_TR_TX && after_timeout) {
			run++;
			most = MAX(most, run);
		}
	}
	return most;
}

static void test_slow_link(void)
{
	struct sim_qp_opts o = opts;
	struct rxe_dev *dev;
	struct pair p;
	struct ib_wc wc;
	u64 timeouts, resent;

	o.retry_cnt = 7;
	pair_up(&p, &o, IB_ACCESS_LOCAL_WRITE | IB_ACCESS_REMOTE_WRITE);
	dev = p.s.nodes[0].dev;
	CHECK_EQ(rxe_dev_set_trace(dev, 3), -EINVAL);
	CHECK_EQ(rxe_dev_set_trace(dev, 4096), 0);
	for (u32 i = 0; i < BUF; i++)
		p.abuf[i] = (u8)(i * 7 + 3);
	/* 40 ms each way: a round trip is 19 first timeouts (4.2 ms), and
	 * 8 fixed ones (the IBA's rule) would fail the QP after 34 ms. */
	p.s.faults.delay_ns = 40000000;
	CHECK_EQ(post(&p, IB_WR_RDMA_WRITE, 1, 0, BUF, baddr(&p, 0),
		      p.bmr->rkey, IB_SEND_SIGNALED), 0);
	sim_run(&p.s, send_done, &p.a, 10000000000ull);
	CHECK(poll1(p.a.scq, &wc) == 1 && wc.status == IB_WC_SUCCESS,
	      "status %u", wc.status);
	CHECK(!memcmp(p.abuf, p.bbuf, BUF), "data");
	timeouts = rxe_counter(dev, RXE_CNT_TIMEOUTS);
	resent = rxe_counter(dev, RXE_CNT_RETRANSMITS);
	/* Expiries at 4, 13, 29 and 63 ms, before the first ACK at 80. */
	CHECK_EQ(timeouts, 4);
	CHECK_EQ(largest_probe(dev, p.a.qp->qp_num, RXE_TR_TIMEOUT),
		 RXE_ACK_EVERY);
	/* The probes, then go-back-N from the first late ACK: at most the
	 * message once more. */
	CHECK(resent <= RXE_ACK_EVERY * timeouts + BUF / 1024,
	      "%llu packets resent", (unsigned long long)resent);
	/* Nothing goes out once the late ACK has covered it all. */
	sim_run(&p.s, NULL, NULL, 1000000000ull);
	CHECK_EQ(rxe_counter(dev, RXE_CNT_RETRANSMITS), resent);
	CHECK_EQ(trace_count(dev, p.a.qp->qp_num, RXE_TR_TIMEOUT, 0), timeouts);
	CHECK_EQ(trace_count(dev, p.a.qp->qp_num, RXE_TR_TX, RXE_TRF_RETX),
		 resent);
	CHECK_EQ(trace_count(dev, p.a.qp->qp_num, RXE_TR_TX, 0),
		 BUF / 1024 + resent);
	CHECK_EQ(trace_count(dev, 0, RXE_TR_RX, 0),
		 rxe_counter(dev, RXE_CNT_RX_PKTS));
	CHECK_EQ(rxe_dev_set_trace(dev, 0), 0);
	pair_down(&p);
}

/* Post one WR from A; return the status of its completion. */
static enum ib_wc_status one_error(struct pair *p, enum ib_wr_opcode op,
				   u32 len, u64 raddr, u32 rkey)
{
	struct ib_wc wc;

	CHECK_EQ(post_recv_b(p, 77, 0, 100), 0);
	CHECK_EQ(post(p, op, 5, 0, len, raddr, rkey, IB_SEND_SIGNALED), 0);
	sim_run(&p->s, NULL, NULL, 100000000ull);
	if (poll1(p->a.scq, &wc) != 1)
		return IB_WC_GENERAL_ERR;
	return wc.status;
}

static void check_remote_fault(struct pair *p, enum ib_wr_opcode op,
			       u32 len, u64 raddr, u32 rkey, const char *what)
{
	struct ib_wc wc;
	enum ib_wc_status st = one_error(p, op, len, raddr, rkey);

	CHECK(st == IB_WC_REM_ACCESS_ERR, "%s: status %u", what, st);
	CHECK(qp_state(p->a.qp) == IB_QPS_ERR &&
	      qp_state(p->b.qp) == IB_QPS_ERR, "%s: QPs not in ERR", what);
	CHECK(poll1(p->b.rcq, &wc) == 1 && wc.status == IB_WC_WR_FLUSH_ERR &&
	      wc.wr_id == 77, "%s: responder recv not flushed", what);
	CHECK_EQ(rxe_counter(p->s.nodes[1].dev, RXE_CNT_ERR_NAK_SENT), 1);
}

static void test_bad_rkey(void)
{
	int rw = IB_ACCESS_LOCAL_WRITE | IB_ACCESS_REMOTE_WRITE;
	struct sim_qp_opts no_rw = opts;
	struct pair p;

	pair_up(&p, &opts, rw);
	check_remote_fault(&p, IB_WR_RDMA_WRITE, 64, baddr(&p, 0),
			   p.bmr->rkey ^ 1, "stale rkey");
	pair_down(&p);
	pair_up(&p, &opts, rw);
	check_remote_fault(&p, IB_WR_RDMA_WRITE, 3000, baddr(&p, BUF - 2048),
			   p.bmr->rkey, "past the MR's end");
	pair_down(&p);
	pair_up(&p, &opts, rw);
	check_remote_fault(&p, IB_WR_RDMA_READ, 64, baddr(&p, 0), p.bmr->rkey,
			   "read without REMOTE_READ");
	pair_down(&p);
	no_rw.access = IB_ACCESS_LOCAL_WRITE;
	pair_up(&p, &no_rw, rw);
	check_remote_fault(&p, IB_WR_RDMA_WRITE_WITH_IMM, 64, baddr(&p, 0),
			   p.bmr->rkey, "QP without REMOTE_WRITE");
	pair_down(&p);
}

static void test_recv_too_small(void)
{
	struct pair p;
	struct ib_wc wc;

	pair_up(&p, &opts, IB_ACCESS_LOCAL_WRITE);
	CHECK_EQ(one_error(&p, IB_WR_SEND, 2500, 0, 0), IB_WC_REM_INV_REQ_ERR);
	CHECK(poll1(p.b.rcq, &wc) == 1 && wc.status == IB_WC_LOC_LEN_ERR &&
	      wc.wr_id == 77, "responder LOC_LEN_ERR");
	pair_down(&p);
}

static void test_rnr_then_success(void)
{
	struct pair p;
	struct ib_wc wc;
	struct rxe_dev *db;

	pair_up(&p, &opts, IB_ACCESS_LOCAL_WRITE | IB_ACCESS_REMOTE_WRITE);
	db = p.s.nodes[1].dev;
	for (u32 i = 0; i < BUF; i++)
		p.abuf[i] = (u8)(i * 13);
	CHECK_EQ(post(&p, IB_WR_SEND, 1, 0, 5000, 0, 0, IB_SEND_SIGNALED), 0);
	sim_run(&p.s, NULL, NULL, 2000000);
	CHECK_EQ(poll1(p.a.scq, &wc), 0);
	CHECK(rxe_counter(db, RXE_CNT_RNR_NAK_SENT) > 0, "no RNR NAK");
	CHECK_EQ(post_recv_b(&p, 1, 0, 8000), 0);
	sim_run(&p.s, NULL, NULL, 100000000ull);
	CHECK(poll1(p.a.scq, &wc) == 1 && wc.status == IB_WC_SUCCESS,
	      "send after RNR");
	CHECK(poll1(p.b.rcq, &wc) == 1 && wc.byte_len == 5000 &&
	      !memcmp(p.bbuf, p.abuf, 5000), "recv after RNR");
	/* WRITE_WITH_IMM of 5 packets: stalls at its last packet. */
	CHECK_EQ(post(&p, IB_WR_RDMA_WRITE_WITH_IMM, 2, 100, 4500,
		      baddr(&p, 8192), p.bmr->rkey, IB_SEND_SIGNALED), 0);
	sim_run(&p.s, NULL, NULL, 2000000);
	CHECK_EQ(poll1(p.a.scq, &wc), 0);
	CHECK_EQ(post_recv_b(&p, 2, 0, 10), 0);
	sim_run(&p.s, NULL, NULL, 100000000ull);
	CHECK(poll1(p.a.scq, &wc) == 1 && wc.status == IB_WC_SUCCESS,
	      "write-imm after RNR");
	CHECK(poll1(p.b.rcq, &wc) == 1 &&
	      wc.opcode == IB_WC_RECV_RDMA_WITH_IMM &&
	      wc.byte_len == 4500 && wc.imm_data == 0x1234 &&
	      !memcmp(p.bbuf + 8192, p.abuf + 100, 4500), "write-imm data");
	CHECK_EQ(qp_state(p.a.qp), IB_QPS_RTS);
	pair_down(&p);
}

/* A refused SEND with a long WRITE behind it: after each RNR NAK only a
 * probe goes out again, not the whole window, until the receive exists. */
static void test_rnr_probe(void)
{
	struct pair p;
	struct ib_wc wc;
	struct rxe_dev *da;

	pair_up(&p, &opts, IB_ACCESS_LOCAL_WRITE | IB_ACCESS_REMOTE_WRITE);
	da = p.s.nodes[0].dev;
	CHECK_EQ(rxe_dev_set_trace(da, 4096), 0);
	CHECK_EQ(post(&p, IB_WR_SEND, 1, 0, 100, 0, 0, IB_SEND_SIGNALED), 0);
	CHECK_EQ(post(&p, IB_WR_RDMA_WRITE, 2, 0, BUF, baddr(&p, 0),
		      p.bmr->rkey, IB_SEND_SIGNALED), 0);
	sim_run(&p.s, NULL, NULL, 2000000);
	CHECK(rxe_counter(da, RXE_CNT_RNR_NAK_RCVD) >= 3, "%llu RNR NAKs",
	      (unsigned long long)rxe_counter(da, RXE_CNT_RNR_NAK_RCVD));
	CHECK_EQ(largest_probe(da, p.a.qp->qp_num, RXE_TR_RNR),
		 RXE_ACK_EVERY);
	CHECK_EQ(post_recv_b(&p, 1, 0, 100), 0);
	sim_run(&p.s, NULL, NULL, 100000000ull);
	CHECK(poll1(p.a.scq, &wc) == 1 && wc.status == IB_WC_SUCCESS &&
	      wc.wr_id == 1, "send after RNR");
	CHECK(poll1(p.a.scq, &wc) == 1 && wc.status == IB_WC_SUCCESS &&
	      wc.wr_id == 2, "write after RNR");
	CHECK(!memcmp(p.abuf, p.bbuf + 0, BUF), "write data");
	pair_down(&p);
}

static void test_rnr_exceeded(void)
{
	struct sim_qp_opts o = opts;
	struct pair p;
	struct ib_wc wc;

	o.rnr_retry = 2;
	pair_up(&p, &o, IB_ACCESS_LOCAL_WRITE);
	CHECK_EQ(post(&p, IB_WR_SEND, 1, 0, 10, 0, 0, 0), 0);
	sim_run(&p.s, NULL, NULL, 1000000000ull);
	CHECK(poll1(p.a.scq, &wc) == 1 && wc.status == IB_WC_RNR_RETRY_EXC_ERR,
	      "status %u", wc.status);
	CHECK_EQ(rxe_counter(p.s.nodes[0].dev, RXE_CNT_RNR_NAK_RCVD), 3);
	pair_down(&p);
}

static void test_bad_lkey(void)
{
	struct pair p;
	struct ib_wc wc[4];

	pair_up(&p, &opts, IB_ACCESS_LOCAL_WRITE);
	CHECK_EQ(post_recv_b(&p, 1, 0, 5000), 0);
	CHECK_EQ(post(&p, IB_WR_SEND, 1, 0, 5000, 0, 0, IB_SEND_SIGNALED), 0);
	p.amr->lkey ^= 0x80;		/* the next WR names a wrong key */
	CHECK_EQ(post(&p, IB_WR_SEND, 2, 0, 100, 0, 0, 0), 0);
	p.amr->lkey ^= 0x80;
	CHECK_EQ(post(&p, IB_WR_SEND, 3, 0, 100, 0, 0, 0), 0);
	sim_run(&p.s, NULL, NULL, 100000000ull);
	CHECK_EQ(ib_poll_cq(p.a.scq, 4, wc), 3);
	CHECK(wc[0].wr_id == 1 && wc[0].status == IB_WC_SUCCESS, "first");
	CHECK(wc[1].wr_id == 2 && wc[1].status == IB_WC_LOC_PROT_ERR,
	      "second: %u", wc[1].status);
	CHECK(wc[2].wr_id == 3 && wc[2].status == IB_WC_WR_FLUSH_ERR, "third");
	pair_down(&p);
}

static void test_zero_length(void)
{
	struct pair p;
	struct ib_wc wc[4];

	pair_up(&p, &opts, IB_ACCESS_LOCAL_WRITE | IB_ACCESS_REMOTE_READ);
	CHECK_EQ(post_recv_b(&p, 1, 0, 0), 0);
	CHECK_EQ(post(&p, IB_WR_SEND, 1, 0, 0, 0, 0, IB_SEND_SIGNALED), 0);
	CHECK_EQ(post(&p, IB_WR_RDMA_WRITE, 2, 0, 0, 0, 0, IB_SEND_SIGNALED),
		 0);
	CHECK_EQ(post(&p, IB_WR_RDMA_READ, 3, 0, 0, baddr(&p, 0), p.bmr->rkey,
		      IB_SEND_SIGNALED), 0);
	sim_run(&p.s, NULL, NULL, 100000000ull);
	CHECK_EQ(ib_poll_cq(p.a.scq, 4, wc), 3);
	for (int i = 0; i < 3; i++)
		CHECK(wc[i].status == IB_WC_SUCCESS && wc[i].byte_len == 0,
		      "wc %d status %u", i, wc[i].status);
	CHECK(poll1(p.b.rcq, wc) == 1 && wc[0].byte_len == 0, "zero recv");
	pair_down(&p);
}

int main(void)
{
	RUN(test_qp_state_machine);
	RUN(test_unsignaled_and_flush);
	RUN(test_dead_peer);
	RUN(test_slow_link);
	RUN(test_retry_time);
	RUN(test_bad_rkey);
	RUN(test_recv_too_small);
	RUN(test_rnr_then_success);
	RUN(test_rnr_probe);
	RUN(test_rnr_exceeded);
	RUN(test_bad_lkey);
	RUN(test_zero_length);
	return harness_exit();
}
