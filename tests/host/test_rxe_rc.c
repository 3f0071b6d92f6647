/* tests/host/test_rxe_rc.c — the rxe RC transport end to end, two QPs on a
 * simulated link (rxe_sim.h) driven by a simulated clock.
 *
 * Stress: both directions of one QP pair at once, thousands of messages of
 * random opcode (SEND, SEND_WITH_IMM, RDMA_WRITE, RDMA_WRITE_WITH_IMM,
 * RDMA_READ) and size 0..64 KiB, split over 1-3 SGEs; with a clean link,
 * with 2% drop + 1% duplicate + 1% reorder, and with much worse.  Every
 * send completes once, in order, SUCCESS, with the right opcode and length;
 * every receive completion matches the next message that must produce one
 * (length, immediate data, bytes); every WRITE and READ lands byte for
 * byte.  Once more with the loss injected by the provider's own fault
 * injector (fault.c) instead of the simulated link.  With loss the
 * retransmission counter must be above zero.
 * Error paths are in test_rxe_errors.c.
 */
#include "harness.h"
#include "rxe_sim.h"

#define SLOTS	64
#define SLOT	(64 * 1024)
#define DEPTH	SLOTS

static const struct sim_qp_opts default_opts = {
	.depth = DEPTH, .mtu = IB_MTU_1024, .timeout = 8, .retry_cnt = 7,
	.rnr_retry = 7, .min_rnr_timer = 1,
	.access = IB_ACCESS_LOCAL_WRITE | IB_ACCESS_REMOTE_WRITE |
		  IB_ACCESS_REMOTE_READ,
};

static u8 pattern(u32 m, u32 i)
{
	return (u8)(m * 131 + i * 7 + (i >> 8) + 1);
}

static void fill(u8 *p, u32 m, u32 len)
{
	for (u32 i = 0; i < len; i++)
		p[i] = pattern(m, i);
}

static bool same(const u8 *p, u32 m, u32 len)
{
	for (u32 i = 0; i < len; i++)
		if (p[i] != pattern(m, i))
			return false;
	return true;
}

struct msg {
	enum ib_wr_opcode op;
	u32 len;
};

/* One direction of traffic: src posts, dst serves. */
struct flow {
	struct sim_ep *src, *dst;
	u8 *src_mem, *tgt_mem, *rd_mem, *rcv_mem;
	struct ib_mr *src_mr, *tgt_mr, *rd_mr, *rcv_mr;
	struct msg *msgs;
	u32 total, posted, completed;
	u32 *recv_list;			/* msgs that complete a recv */
	u32 nrecv, recv_done, recv_posted;
	u32 errors;
	char why[200];
};

static void flow_fail(struct flow *f, const char *fmt, u32 a, u32 b)
{
	if (!f->errors++)
		snprintf(f->why, sizeof(f->why), fmt, a, b);
}

static u8 *reg(struct sim_ep *ep, int access, struct ib_mr **mr)
{
	u8 *p = calloc(SLOTS, SLOT);

	if (ib_reg_mr(ep->pd, p, (u64)SLOTS * SLOT, access, mr))
		abort();
	return p;
}

static void flow_init(struct flow *f, struct sim_ep *src, struct sim_ep *dst,
		      u32 total)
{
	static const enum ib_wr_opcode ops[] = {
		IB_WR_SEND, IB_WR_SEND_WITH_IMM, IB_WR_RDMA_WRITE,
		IB_WR_RDMA_WRITE_WITH_IMM, IB_WR_RDMA_READ,
	};

	memset(f, 0, sizeof(*f));
	f->src = src;
	f->dst = dst;
	f->src_mem = reg(src, IB_ACCESS_LOCAL_WRITE, &f->src_mr);
	f->tgt_mem = reg(dst, IB_ACCESS_LOCAL_WRITE | IB_ACCESS_REMOTE_WRITE,
			 &f->tgt_mr);
	f->rd_mem = reg(dst, IB_ACCESS_REMOTE_READ, &f->rd_mr);
	f->rcv_mem = reg(dst, IB_ACCESS_LOCAL_WRITE, &f->rcv_mr);
	f->total = total;
	f->msgs = calloc(total, sizeof(*f->msgs));
	f->recv_list = calloc(total, sizeof(u32));
	for (u32 m = 0; m < total; m++) {
		struct msg *g = &f->msgs[m];

		g->op = ops[rnd() % ARRAY_SIZE(ops)];
		g->len = rnd() % 4 == 0 ? (u32)(rnd() % 64) :
					  (u32)(rnd() % (SLOT + 1));
		if (g->op == IB_WR_SEND || g->op == IB_WR_SEND_WITH_IMM ||
		    g->op == IB_WR_RDMA_WRITE_WITH_IMM)
			f->recv_list[f->nrecv++] = m;
	}
}

static void flow_free(struct flow *f)
{
	ib_dereg_mr(f->src_mr);
	ib_dereg_mr(f->tgt_mr);
	ib_dereg_mr(f->rd_mr);
	ib_dereg_mr(f->rcv_mr);
	free(f->src_mem);
	free(f->tgt_mem);
	free(f->rd_mem);
	free(f->rcv_mem);
	free(f->msgs);
	free(f->recv_list);
}

static void post_recvs(struct flow *f)
{
	while (f->recv_posted < f->nrecv &&
	       f->recv_posted - f->recv_done < DEPTH) {
		u32 k = f->recv_posted;
		struct ib_sge sge = {
			.addr = (u64)(uintptr_t)(f->rcv_mem +
						 (k % SLOTS) * SLOT),
			.length = SLOT, .lkey = f->rcv_mr->lkey,
		};
		struct ib_recv_wr wr = { .wr_id = k, .sg_list = &sge,
					 .num_sge = 1 };

		if (ib_post_recv(f->dst->qp, &wr, NULL)) {
			flow_fail(f, "post_recv %u failed", k, 0);
			return;
		}
		f->recv_posted++;
	}
}

/* Split [p, p + len) into 1..3 SGEs. */
static int make_sges(struct ib_sge *sge, u8 *p, u32 len, u32 lkey)
{
	int n = 1 + (int)(rnd() % 3);
	u32 off = 0;

	for (int i = 0; i < n; i++) {
		u32 l = i == n - 1 ? len - off : (u32)(rnd() % (len - off + 1));

		sge[i] = (struct ib_sge){ .addr = (u64)(uintptr_t)(p + off),
					  .length = l, .lkey = lkey };
		off += l;
	}
	return n;
}

static void post_one(struct flow *f, u32 m)
{
	struct msg *g = &f->msgs[m];
	u32 slot = (m % SLOTS) * SLOT;
	struct ib_sge sge[3];
	struct ib_send_wr wr = { .wr_id = m, .opcode = g->op,
				 .send_flags = IB_SEND_SIGNALED,
				 .sg_list = sge };

	if (g->op == IB_WR_RDMA_READ) {
		memset(f->src_mem + slot, 0xee, g->len);
		fill(f->rd_mem + slot, m, g->len);
		wr.rdma.remote_addr = (u64)(uintptr_t)(f->rd_mem + slot);
		wr.rdma.rkey = f->rd_mr->rkey;
	} else {
		fill(f->src_mem + slot, m, g->len);
		wr.rdma.remote_addr = (u64)(uintptr_t)(f->tgt_mem + slot);
		wr.rdma.rkey = f->tgt_mr->rkey;
	}
	wr.imm_data = m ^ 0xabcdef;
	wr.num_sge = make_sges(sge, f->src_mem + slot, g->len,
			       f->src_mr->lkey);
	if (ib_post_send(f->src->qp, &wr, NULL))
		flow_fail(f, "post_send %u failed", m, 0);
}

static void check_send_wc(struct flow *f, const struct ib_wc *wc)
{
	static const enum ib_wc_opcode want[] = {
		[IB_WR_SEND] = IB_WC_SEND, [IB_WR_SEND_WITH_IMM] = IB_WC_SEND,
		[IB_WR_RDMA_WRITE] = IB_WC_RDMA_WRITE,
		[IB_WR_RDMA_WRITE_WITH_IMM] = IB_WC_RDMA_WRITE,
		[IB_WR_RDMA_READ] = IB_WC_RDMA_READ,
	};
	u32 m = f->completed;
	struct msg *g = &f->msgs[m];
	u32 slot = (m % SLOTS) * SLOT;

	if (wc->status != IB_WC_SUCCESS || wc->wr_id != m)
		return flow_fail(f, "send wc status %u wr_id mismatch at %u",
				 wc->status, m);
	if (wc->opcode != want[g->op] || wc->byte_len != g->len)
		return flow_fail(f, "send wc opcode/len wrong at %u (%u)", m,
				 wc->byte_len);
	if ((g->op == IB_WR_RDMA_WRITE || g->op == IB_WR_RDMA_WRITE_WITH_IMM) &&
	    !same(f->tgt_mem + slot, m, g->len))
		return flow_fail(f, "write data wrong at %u len %u", m, g->len);
	if (g->op == IB_WR_RDMA_READ && !same(f->src_mem + slot, m, g->len))
		return flow_fail(f, "read data wrong at %u len %u", m, g->len);
	f->completed++;
}

static void check_recv_wc(struct flow *f, const struct ib_wc *wc)
{
	u32 k = f->recv_done, m;
	struct msg *g;

	if (k >= f->nrecv)
		return flow_fail(f, "extra receive completion %u", k, 0);
	m = f->recv_list[k];
	g = &f->msgs[m];
	if (wc->status != IB_WC_SUCCESS || wc->wr_id != k ||
	    wc->byte_len != g->len)
		return flow_fail(f, "recv wc %u wrong (status %u)", k,
				 wc->status);
	if (g->op == IB_WR_RDMA_WRITE_WITH_IMM) {
		if (wc->opcode != IB_WC_RECV_RDMA_WITH_IMM ||
		    !(wc->wc_flags & IB_WC_WITH_IMM) ||
		    wc->imm_data != (m ^ 0xabcdef) ||
		    !same(f->tgt_mem + (m % SLOTS) * SLOT, m, g->len))
			return flow_fail(f, "write-imm recv %u msg %u wrong", k,
					 m);
	} else {
		bool imm = g->op == IB_WR_SEND_WITH_IMM;

		if (wc->opcode != IB_WC_RECV ||
		    !!(wc->wc_flags & IB_WC_WITH_IMM) != imm ||
		    (imm && wc->imm_data != (m ^ 0xabcdef)) ||
		    !same(f->rcv_mem + (k % SLOTS) * SLOT, m, g->len))
			return flow_fail(f, "send recv %u msg %u wrong", k, m);
	}
	f->recv_done++;
}

static void flow_poll(struct flow *f)
{
	struct ib_wc wc[16];
	int n;

	while ((n = ib_poll_cq(f->src->scq, 16, wc)) > 0)
		for (int i = 0; i < n; i++)
			check_send_wc(f, &wc[i]);
	while ((n = ib_poll_cq(f->dst->rcq, 16, wc)) > 0)
		for (int i = 0; i < n; i++)
			check_recv_wc(f, &wc[i]);
	post_recvs(f);
	while (!f->errors && f->posted < f->total &&
	       f->posted - f->completed < DEPTH)
		post_one(f, f->posted++);
}

struct stress {
	struct flow fl[2];
};

static bool stress_done(void *arg)
{
	struct stress *st = arg;
	bool done = true;

	for (int i = 0; i < 2; i++) {
		struct flow *f = &st->fl[i];

		flow_poll(f);
		if (f->errors)
			return true;
		done &= f->completed == f->total && f->recv_done == f->nrecv;
	}
	return done;
}

/* Returns the ACKs both nodes sent. */
static u64 run_stress(const char *name, u64 seed, u32 msgs, enum ib_mtu mtu,
		      struct sim_faults faults,
		      const struct rxe_fault_params *core, bool expect_loss)
{
	struct sim_qp_opts o = default_opts;
	static struct sim s;
	struct stress st;
	struct sim_ep a, b;
	struct rxe_dev *da, *db;
	u64 retrans, acks;

	o.mtu = mtu;
	sim_init(&s, 2, seed);
	s.faults = faults;
	for (int i = 0; core && i < 2; i++)
		rxe_dev_set_faults(s.nodes[i].dev, core);
	sim_ep_create(&a, &s.nodes[0], &o);
	sim_ep_create(&b, &s.nodes[1], &o);
	CHECK_EQ(sim_ep_connect(&a, &b, &o), 0);
	CHECK_EQ(sim_ep_connect(&b, &a, &o), 0);
	flow_init(&st.fl[0], &a, &b, msgs);
	flow_init(&st.fl[1], &b, &a, msgs);
	sim_run(&s, stress_done, &st, 100000000000ull);
	da = s.nodes[0].dev;
	db = s.nodes[1].dev;
	retrans = rxe_counter(da, RXE_CNT_RETRANSMITS) +
		  rxe_counter(db, RXE_CNT_RETRANSMITS);
	for (int i = 0; i < 2; i++) {
		struct flow *f = &st.fl[i];

		CHECK(!f->errors, "%s flow %d: %s", name, i, f->why);
		CHECK(f->completed == f->total && f->recv_done == f->nrecv,
		      "%s flow %d stuck: %u/%u sent, %u/%u received", name, i,
		      f->completed, f->total, f->recv_done, f->nrecv);
	}
	CHECK(expect_loss ? retrans > 0 : retrans == 0,
	      "%s: %llu retransmissions", name, (unsigned long long)retrans);
	for (int i = 0; i < 2; i++) {
		struct rxe_dev *d = s.nodes[i].dev;

		/* ACK coalescing: far fewer ACKs than request packets. */
		CHECK(rxe_counter(d, RXE_CNT_ACK_SENT) * 4 <
			      rxe_counter(d, RXE_CNT_TX_PKTS),
		      "%s: %llu ACKs for %llu packets", name,
		      (unsigned long long)rxe_counter(d, RXE_CNT_ACK_SENT),
		      (unsigned long long)rxe_counter(d, RXE_CNT_TX_PKTS));
		/* Loss exercises gap NAKs and re-executed READs. */
		CHECK(!expect_loss ||
			      (rxe_counter(d, RXE_CNT_SEQ_NAK_SENT) > 0 &&
			       rxe_counter(d, RXE_CNT_DUP_READ) > 0),
		      "%s: node %d saw no sequence NAK or duplicate READ", name,
		      i);
	}
	CHECK_EQ(rxe_counter(da, RXE_CNT_DROP_BAD_ICRC) +
		 rxe_counter(db, RXE_CNT_DROP_BAD_ICRC), 0);
	CHECK_EQ(rxe_counter(da, RXE_CNT_CQ_OVERFLOW), 0);
	printf("  %s: %u+%u msgs, %llu frames (%llu dropped, %llu dup, %llu "
	       "reordered), %llu retransmits, %llu timeouts, %llu seq NAKs, "
	       "%llu dup reqs, %llu dup READs, %.3f ms simulated\n",
	       name, msgs, msgs, (unsigned long long)s.frames,
	       (unsigned long long)s.dropped, (unsigned long long)s.duplicated,
	       (unsigned long long)s.reordered, (unsigned long long)retrans,
	       (unsigned long long)(rxe_counter(da, RXE_CNT_TIMEOUTS) +
				    rxe_counter(db, RXE_CNT_TIMEOUTS)),
	       (unsigned long long)(rxe_counter(da, RXE_CNT_SEQ_NAK_SENT) +
				    rxe_counter(db, RXE_CNT_SEQ_NAK_SENT)),
	       (unsigned long long)(rxe_counter(da, RXE_CNT_DUP_REQ) +
				    rxe_counter(db, RXE_CNT_DUP_REQ)),
	       (unsigned long long)(rxe_counter(da, RXE_CNT_DUP_READ) +
				    rxe_counter(db, RXE_CNT_DUP_READ)),
	       (double)s.now / 1e6);
	acks = rxe_counter(da, RXE_CNT_ACK_SENT) +
	       rxe_counter(db, RXE_CNT_ACK_SENT);
	flow_free(&st.fl[0]);
	flow_free(&st.fl[1]);
	sim_ep_destroy(&a);
	sim_ep_destroy(&b);
	sim_free(&s);
	return acks;
}

static void test_stress_clean(void)
{
	struct sim_faults f = { .delay_ns = 2000, .jitter_ns = 500 };

	run_stress("clean", 1, 1500, IB_MTU_1024, f, NULL, false);
}

static void test_stress_lossy(void)
{
	struct sim_faults f = { .drop = 0.02, .dup = 0.01, .reorder = 0.01,
				.delay_ns = 2000, .jitter_ns = 500,
				.reorder_ns = 20000 };

	run_stress("lossy", 2, 1000, IB_MTU_1024, f, NULL, true);
}

static void test_stress_hostile(void)
{
	struct sim_faults f = { .drop = 0.10, .dup = 0.05, .reorder = 0.10,
				.delay_ns = 5000, .jitter_ns = 5000,
				.reorder_ns = 50000 };

	run_stress("hostile-4096", 3, 200, IB_MTU_4096, f, NULL, true);
	run_stress("hostile-256", 4, 50, IB_MTU_256, f, NULL, true);
}

/* The same loss, injected by the provider itself (rxe.drop= etc.) on a
 * clean simulated link. */
static void test_stress_provider_faults(void)
{
	struct sim_faults f = { .delay_ns = 2000 };
	struct rxe_fault_params core = { .drop_ppm = 20000, .dup_ppm = 10000,
					 .reorder_ppm = 10000, .delay_us = 5,
					 .seed = 42 };

	run_stress("provider-faults", 5, 500, IB_MTU_1024, f, &core, true);
}

/* Delayed ACKs (a device's ack_delay, as the kernel glue sets it): the
 * same traffic stays byte-exact, clean and lossy, and a message's ACK that
 * waits for the QP's next packets covers several messages at once, so
 * fewer ACKs go out than when every message end is ACKed at once. */
static void test_stress_delayed_ack(void)
{
	struct sim_faults clean = { .delay_ns = 2000, .jitter_ns = 500 };
	struct sim_faults lossy = { .drop = 0.02, .dup = 0.01, .reorder = 0.01,
				    .delay_ns = 2000, .jitter_ns = 500,
				    .reorder_ns = 20000 };
	u64 at_once, delayed;

	at_once = run_stress("clean-ack-at-once", 6, 1000, IB_MTU_4096, clean,
			     NULL, false);
	sim_ack_delay_us = 100;		/* the QPs' timeout is about 1 ms */
	delayed = run_stress("clean-ack-delayed", 6, 1000, IB_MTU_4096,
			     clean, NULL, false);
	run_stress("lossy-ack-delayed", 7, 1000, IB_MTU_1024, lossy, NULL,
		   true);
	sim_ack_delay_us = 0;
	CHECK(delayed < at_once, "delayed ACKs: %llu ACKs, at once: %llu",
	      (unsigned long long)delayed, (unsigned long long)at_once);
	printf("  ACKs sent: %llu at once, %llu delayed\n",
	       (unsigned long long)at_once, (unsigned long long)delayed);
}

int main(void)
{
	RUN(test_stress_clean);
	RUN(test_stress_lossy);
	RUN(test_stress_hostile);
	RUN(test_stress_provider_faults);
	RUN(test_stress_delayed_ack);
	return harness_exit();
}
