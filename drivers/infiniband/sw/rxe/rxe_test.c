/* drivers/infiniband/sw/rxe/rxe_test.c — the rxe core inside the kernel.
 *
 * The host tests (tests/host/test_rxe_*.c) cover the protocol in depth;
 * this proves the same objects work in the kernel's own environment
 * (kmalloc, no SSE, kernel string functions).  Two rxe devices are joined
 * by an in-memory FIFO link that drops every 23rd frame; the clock is the
 * test's own, advanced to the earliest armed timer whenever the link is
 * idle.  300 messages of every opcode, 0..16 KiB, go from A to B; every
 * completion is checked in order and every byte compared, and the loss
 * must have caused retransmissions.  Runs single-threaded: the test is the
 * "caller that serializes" of include/rdma/rxe.h.
 */
#include <kernel/selftest.h>
#include <lib/string.h>
#include <mm/mm.h>
#include <rdma/rxe.h>
#include <uapi/errno.h>

#define T_MSGS		300
#define T_SLOTS		8
#define T_SLOT		16384
#define T_QLEN		1024
#define T_DROP_EVERY	23

struct t_frame {
	int dst;
	u32 len;
	u8 *data;
};

struct t_link {
	struct t_frame q[T_QLEN];
	u32 head, tail;
	u64 now;
	u64 timer[2];
	u64 sent;
	struct rxe_dev *dev[2];
	u8 mac[2][6];
};

struct t_node {
	struct t_link *link;
	int id;
};

static int t_xmit(void *ctx, const void *frame, u32 len)
{
	struct t_node *n = ctx;
	struct t_link *l = n->link;
	struct t_frame *f;

	if (++l->sent % T_DROP_EVERY == 0)
		return 0;			/* lost on the wire */
	if (l->tail - l->head == T_QLEN)
		return -EBUSY;
	f = &l->q[l->tail % T_QLEN];
	f->data = kmalloc(len);
	if (!f->data)
		return -ENOMEM;
	memcpy(f->data, frame, len);
	f->len = len;
	f->dst = !n->id;
	l->tail++;
	return 0;
}

static u64 t_now(void *ctx)
{
	return ((struct t_node *)ctx)->link->now;
}

static void t_arm(void *ctx, u64 deadline)
{
	struct t_node *n = ctx;

	if (deadline < n->link->timer[n->id])
		n->link->timer[n->id] = deadline;
}

static const struct rxe_port_ops t_ops = {
	.xmit = t_xmit, .now_ns = t_now, .arm_timer = t_arm,
};

/* Deliver one frame, or run the earliest timer.  False when idle. */
static bool t_step(struct t_link *l)
{
	int who = l->timer[0] <= l->timer[1] ? 0 : 1;

	if (l->head != l->tail) {
		struct t_frame *f = &l->q[l->head++ % T_QLEN];

		rxe_rx(l->dev[f->dst], f->data, f->len);
		kfree(f->data);
		return true;
	}
	if (l->timer[who] == ~0ull)
		return false;
	if (l->timer[who] > l->now)
		l->now = l->timer[who];
	l->timer[who] = ~0ull;
	rxe_dev_timer(l->dev[who]);
	return true;
}

struct t_side {
	struct ib_pd *pd;
	struct ib_cq *cq;
	struct ib_qp *qp;
	u8 *mem;
	struct ib_mr *mr;
};

static int t_side_init(struct t_link *l, int id, struct t_side *s)
{
	struct ib_device *ib = rxe_ib_device(l->dev[id]);
	struct ib_qp_init_attr init = {
		.cap = { .max_send_wr = T_SLOTS, .max_recv_wr = T_SLOTS,
			 .max_send_sge = 1, .max_recv_sge = 1 },
		.qp_type = IB_QPT_RC,
	};
	int access = IB_ACCESS_LOCAL_WRITE | IB_ACCESS_REMOTE_WRITE |
		     IB_ACCESS_REMOTE_READ;
	int err;

	s->mem = kzalloc(4 * T_SLOTS * T_SLOT);
	if (!s->mem)
		return -ENOMEM;
	err = ib_alloc_pd(ib, &s->pd);
	if (!err)
		err = ib_create_cq(ib, 4 * T_SLOTS, NULL, NULL, &s->cq);
	if (err)
		return err;
	init.send_cq = s->cq;
	init.recv_cq = s->cq;
	err = ib_create_qp(s->pd, &init, &s->qp);
	if (!err)
		err = ib_reg_mr(s->pd, s->mem, 4 * T_SLOTS * T_SLOT, access,
				&s->mr);
	return err;
}

static int t_connect(struct t_side *s, struct t_side *peer,
		     struct ib_device *pib)
{
	struct ib_qp_attr a = { .qp_state = IB_QPS_INIT,
				.qp_access_flags = s->mr->access };
	int err = ib_modify_qp(s->qp, &a, IB_QP_STATE | IB_QP_ACCESS_FLAGS);

	if (err)
		return err;
	a.qp_state = IB_QPS_RTR;
	a.path_mtu = IB_MTU_1024;
	a.dest_qp_num = peer->qp->qp_num;
	a.rq_psn = 100;
	memcpy(a.ah_attr.dmac, pib->mac, 6);
	a.ah_attr.dip = pib->ipv4;
	a.max_dest_rd_atomic = 4;
	err = ib_modify_qp(s->qp, &a, IB_QP_STATE | IB_QP_AV |
			   IB_QP_PATH_MTU | IB_QP_DEST_QPN | IB_QP_RQ_PSN |
			   IB_QP_MAX_DEST_RD_ATOMIC);
	if (err)
		return err;
	a.qp_state = IB_QPS_RTS;
	a.sq_psn = 100;
	a.timeout = 8;
	a.retry_cnt = 7;
	a.rnr_retry = 7;
	a.max_rd_atomic = 4;
	return ib_modify_qp(s->qp, &a, IB_QP_STATE | IB_QP_SQ_PSN |
			    IB_QP_TIMEOUT | IB_QP_RETRY_CNT | IB_QP_RNR_RETRY |
			    IB_QP_MAX_QP_RD_ATOMIC);
}

struct t_run {
	struct t_link *l;
	struct t_side a, b;
	u32 posted, completed, recv_posted, recv_done, next_recv;
	const char *err;
};

static const enum ib_wr_opcode t_opcodes[5] = {
	IB_WR_SEND, IB_WR_SEND_WITH_IMM, IB_WR_RDMA_WRITE,
	IB_WR_RDMA_WRITE_WITH_IMM, IB_WR_RDMA_READ,
};

static enum ib_wr_opcode t_op(u32 m)
{
	return t_opcodes[m % 5];
}

static u32 t_len(u32 m)
{
	return m % 7 == 0 ? m % 60 : ((m * 2654435761u) >> 8) % (T_SLOT + 1);
}

static u8 t_pat(u32 m, u32 i)
{
	return (u8)(m * 31 + i * 7 + 1);
}

static bool t_same(const u8 *p, u32 m, u32 len)
{
	for (u32 i = 0; i < len; i++)
		if (p[i] != t_pat(m, i))
			return false;
	return true;
}

static u8 *t_slot(struct t_side *s, int region, u32 m)
{
	return s->mem + ((u32)region * T_SLOTS + m % T_SLOTS) * T_SLOT;
}

static bool t_makes_recv(u32 m)
{
	return t_op(m) != IB_WR_RDMA_WRITE && t_op(m) != IB_WR_RDMA_READ;
}

static void t_post(struct t_run *r, u32 m)
{
	u32 len = t_len(m);
	u8 *src = t_slot(&r->a, t_op(m) == IB_WR_RDMA_READ ? 3 : 0, m);
	struct ib_sge sge = { .addr = (u64)(uintptr_t)src, .length = len,
			      .lkey = r->a.mr->lkey };
	struct ib_send_wr wr = { .wr_id = m, .opcode = t_op(m),
				 .sg_list = &sge, .num_sge = 1,
				 .send_flags = IB_SEND_SIGNALED,
				 .imm_data = m };

	if (t_op(m) == IB_WR_RDMA_READ) {
		memset(src, 0, len);
		for (u32 i = 0; i < len; i++)
			t_slot(&r->b, 2, m)[i] = t_pat(m, i);
		wr.rdma.remote_addr = (u64)(uintptr_t)t_slot(&r->b, 2, m);
	} else {
		for (u32 i = 0; i < len; i++)
			src[i] = t_pat(m, i);
		wr.rdma.remote_addr = (u64)(uintptr_t)t_slot(&r->b, 1, m);
	}
	wr.rdma.rkey = r->b.mr->rkey;
	if (ib_post_send(r->a.qp, &wr, NULL))
		r->err = "post_send failed";
}

static void t_send_done(struct t_run *r, const struct ib_wc *wc)
{
	u32 m = r->completed++;
	enum ib_wr_opcode op = t_op(m);

	if (wc->status != IB_WC_SUCCESS || wc->wr_id != m ||
	    wc->byte_len != t_len(m))
		r->err = "send completion wrong";
	else if ((op == IB_WR_RDMA_WRITE || op == IB_WR_RDMA_WRITE_WITH_IMM) &&
		 !t_same(t_slot(&r->b, 1, m), m, t_len(m)))
		r->err = "RDMA WRITE data wrong";
	else if (op == IB_WR_RDMA_READ &&
		 !t_same(t_slot(&r->a, 3, m), m, t_len(m)))
		r->err = "RDMA READ data wrong";
}

static void t_recv_done(struct t_run *r, const struct ib_wc *wc)
{
	u32 k = r->recv_done++, m = r->next_recv;
	bool wimm = t_op(m) == IB_WR_RDMA_WRITE_WITH_IMM;
	const u8 *data = wimm ? t_slot(&r->b, 1, m) : t_slot(&r->b, 0, k);

	while (++r->next_recv < T_MSGS && !t_makes_recv(r->next_recv))
		;
	if (wc->status != IB_WC_SUCCESS || wc->wr_id != k ||
	    wc->byte_len != t_len(m) || !t_same(data, m, t_len(m)))
		r->err = "receive completion or data wrong";
	else if (t_op(m) != IB_WR_SEND &&
		 (!(wc->wc_flags & IB_WC_WITH_IMM) || wc->imm_data != m))
		r->err = "immediate data wrong";
}

static void t_pump(struct t_run *r)
{
	struct ib_wc wc;

	while (ib_poll_cq(r->a.cq, 1, &wc) == 1 && !r->err)
		t_send_done(r, &wc);
	while (ib_poll_cq(r->b.cq, 1, &wc) == 1 && !r->err)
		t_recv_done(r, &wc);
	while (r->recv_posted - r->recv_done < T_SLOTS && !r->err) {
		struct ib_sge sge = {
			.addr = (u64)(uintptr_t)t_slot(&r->b, 0,
							 r->recv_posted),
			.length = T_SLOT, .lkey = r->b.mr->lkey };
		struct ib_recv_wr wr = { .wr_id = r->recv_posted,
					 .sg_list = &sge, .num_sge = 1 };

		if (ib_post_recv(r->b.qp, &wr, NULL))
			r->err = "post_recv failed";
		r->recv_posted++;
	}
	while (r->posted < T_MSGS && r->posted - r->completed < T_SLOTS &&
	       !r->err)
		t_post(r, r->posted++);
}

static void t_side_free(struct t_side *s)
{
	if (s->mr)
		ib_dereg_mr(s->mr);
	if (s->qp)
		ib_destroy_qp(s->qp);
	if (s->cq)
		ib_destroy_cq(s->cq);
	if (s->pd)
		ib_dealloc_pd(s->pd);
	kfree(s->mem);
}

static int t_devices(struct t_link *l, struct t_node *nodes)
{
	for (int i = 0; i < 2; i++) {
		struct rxe_dev_config cfg = {
			.name = i ? "rxe_t1" : "rxe_t0",
			.mac = { 2, 0, 0, 0, 0x7e, (u8)i },
			.ipv4 = 0x0a7e0001u + (u32)i, .max_mtu = IB_MTU_1024,
			.max_qp = 4, .max_mr = 4,
		};
		int err;

		nodes[i].link = l;
		nodes[i].id = i;
		l->timer[i] = ~0ull;
		err = rxe_dev_create(&cfg, &t_ops, &nodes[i], &l->dev[i]);
		if (err)
			return err;
	}
	return 0;
}

SELFTEST(rxe_loopback_lossy)
{
	struct t_link *l = kzalloc(sizeof(*l));
	struct t_run *r = kzalloc(sizeof(*r));
	struct t_node nodes[2];
	u64 steps = 0, retrans;
	int err;

	ST_ASSERT(l && r);
	r->l = l;
	ST_EQ(t_devices(l, nodes), 0);
	err = t_side_init(l, 0, &r->a);
	if (!err)
		err = t_side_init(l, 1, &r->b);
	if (!err)
		err = t_connect(&r->a, &r->b, rxe_ib_device(l->dev[1]));
	if (!err)
		err = t_connect(&r->b, &r->a, rxe_ib_device(l->dev[0]));
	ST_EQ(err, 0);
	while (!t_makes_recv(r->next_recv))
		r->next_recv++;
	do {
		t_pump(r);
	} while (!r->err && ++steps < 5000000 && t_step(l));
	t_pump(r);
	while (l->head != l->tail)
		kfree(l->q[l->head++ % T_QLEN].data);
	retrans = rxe_counter(l->dev[0], RXE_CNT_RETRANSMITS);
	t_side_free(&r->a);
	t_side_free(&r->b);
	ST_EQ(rxe_dev_destroy(l->dev[0]), 0);
	ST_EQ(rxe_dev_destroy(l->dev[1]), 0);
	if (r->err)
		ST_FAIL("%s (message %u)", r->err, r->completed);
	ST_EQ(r->completed, T_MSGS);
	/* SEND, SEND_WITH_IMM and WRITE_WITH_IMM each complete a receive */
	ST_EQ(r->recv_done, T_MSGS / 5 * 3);
	ST_ASSERT(retrans > 0);
	kfree(l);
	kfree(r);
	return 0;
}
