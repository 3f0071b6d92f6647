/* drivers/infiniband/sw/rxe/qp.c — queue pairs: creation, the modify_qp
 * state machine, posting work requests, completions and flushing.
 *
 * State machine (RC only):
 *   RESET -> INIT      needs nothing; may set access flags
 *   INIT  -> RTR       needs AV (peer MAC+IP), path MTU, dest QPN, RQ PSN
 *   RTR   -> RTS       needs SQ PSN; may set timeout, retry/RNR counts
 *   any   -> ERR       every outstanding WR completes with WR_FLUSH_ERR
 *   any   -> RESET     queues emptied without completions
 * modify_qp validates the whole request first and changes nothing unless
 * all of it is acceptable (decode, then act).
 *
 * Posting copies each WR into a ring slot; the send WQE gets its PSN range
 * at post time (the path MTU is fixed from RTR on), which keeps the mapping
 * PSN <-> (WQE, packet) fixed for retransmission.  Completions are
 * generated in ring order by comp.c (sends) and resp.c (receives) through
 * rxe_send_wc()/rxe_recv_wc().  No locking (rdma/rxe.h).
 */
#include "internal.h"
#include <lib/string.h>
#include <mm/mm.h>
#include <uapi/errno.h>

static u32 roundup_pow2(u32 n)
{
	u32 s = 1;

	while (s < n)
		s <<= 1;
	return s;
}

static int check_init_attr(const struct ib_qp_init_attr *init)
{
	const struct ib_qp_cap *c = &init->cap;

	if (init->qp_type != IB_QPT_RC)
		return -EOPNOTSUPP;
	if (!init->send_cq || !init->recv_cq)
		return -EINVAL;
	if (!c->max_send_wr || c->max_send_wr > RXE_MAX_QUEUE ||
	    !c->max_recv_wr || c->max_recv_wr > RXE_MAX_QUEUE ||
	    c->max_send_sge > RXE_MAX_SGE || c->max_recv_sge > RXE_MAX_SGE ||
	    c->max_inline_data)
		return -EINVAL;
	return 0;
}

int rxe_create_qp(struct ib_pd *pd, struct ib_qp_init_attr *init,
		  struct ib_qp **out)
{
	struct rxe_dev *dev = to_rdev(pd->device);
	struct rxe_qp *qp;
	u32 i;
	int err = check_init_attr(init);

	if (err)
		return err;
	for (i = 0; i < dev->max_qp && dev->qps[i]; i++)
		;
	if (i == dev->max_qp)
		return -ENOSPC;
	qp = kzalloc(sizeof(*qp));
	if (!qp)
		return -ENOMEM;
	qp->sq_size = roundup_pow2(init->cap.max_send_wr);
	qp->rq_size = roundup_pow2(init->cap.max_recv_wr);
	qp->sq = kcalloc(qp->sq_size, sizeof(*qp->sq));
	qp->rq = kcalloc(qp->rq_size, sizeof(*qp->rq));
	if (!qp->sq || !qp->rq) {
		kfree(qp->sq);
		kfree(qp->rq);
		kfree(qp);
		return -ENOMEM;
	}
	qp->dev = dev;
	qp->state = IB_QPS_RESET;
	qp->attr.cap = init->cap;
	qp->sq_sig_all = init->sq_sig_all;
	qp->ibqp = (struct ib_qp){ .device = pd->device, .pd = pd,
		.send_cq = init->send_cq, .recv_cq = init->recv_cq,
		.qp_num = RXE_FIRST_QPN + i, .qp_type = IB_QPT_RC,
		.qp_context = init->qp_context };
	dev->qps[i] = qp;
	to_rpd(pd)->users++;
	to_rcq(init->send_cq)->users++;
	to_rcq(init->recv_cq)->users++;
	*out = &qp->ibqp;
	return 0;
}

int rxe_destroy_qp(struct ib_qp *ibqp)
{
	struct rxe_qp *qp = to_rqp(ibqp);

	qp->dev->qps[ibqp->qp_num - RXE_FIRST_QPN] = NULL;
	to_rpd(ibqp->pd)->users--;
	to_rcq(ibqp->send_cq)->users--;
	to_rcq(ibqp->recv_cq)->users--;
	kfree(qp->sq);
	kfree(qp->rq);
	kfree(qp);
	return 0;
}

int rxe_query_qp(struct ib_qp *ibqp, struct ib_qp_attr *attr)
{
	struct rxe_qp *qp = to_rqp(ibqp);

	*attr = qp->attr;
	attr->qp_state = qp->state;
	attr->cur_qp_state = qp->state;
	return 0;
}

#define OPT_ACCESS (IB_QP_ACCESS_FLAGS | IB_QP_PKEY_INDEX | IB_QP_PORT)
#define OPT_RTR (IB_QP_ACCESS_FLAGS | IB_QP_PKEY_INDEX | \
		 IB_QP_MAX_DEST_RD_ATOMIC | IB_QP_MIN_RNR_TIMER)
#define OPT_RTS (IB_QP_TIMEOUT | IB_QP_RETRY_CNT | IB_QP_RNR_RETRY | \
		 IB_QP_MAX_QP_RD_ATOMIC | IB_QP_ACCESS_FLAGS | \
		 IB_QP_MIN_RNR_TIMER)

static const struct {
	u8 from, to;
	u32 required, optional;
} qp_transitions[] = {
	{ IB_QPS_RESET, IB_QPS_INIT, 0, OPT_ACCESS },
	{ IB_QPS_INIT, IB_QPS_INIT, 0, OPT_ACCESS },
	{ IB_QPS_INIT, IB_QPS_RTR, IB_QP_AV | IB_QP_PATH_MTU |
		IB_QP_DEST_QPN | IB_QP_RQ_PSN, OPT_RTR },
	{ IB_QPS_RTR, IB_QPS_RTS, IB_QP_SQ_PSN, OPT_RTS },
	{ IB_QPS_RTS, IB_QPS_RTS, 0, IB_QP_ACCESS_FLAGS | IB_QP_MIN_RNR_TIMER },
};

static int check_transition(struct rxe_qp *qp, u32 to, u32 mask)
{
	mask &= ~(IB_QP_STATE | IB_QP_CUR_STATE);
	if (to == IB_QPS_ERR || to == IB_QPS_RESET)
		return mask ? -EINVAL : 0;
	for (u32 i = 0; i < ARRAY_SIZE(qp_transitions); i++) {
		if (qp_transitions[i].from != qp->state ||
		    qp_transitions[i].to != to)
			continue;
		if ((mask & qp_transitions[i].required) !=
		    qp_transitions[i].required)
			return -EINVAL;
		if (mask & ~(qp_transitions[i].required |
			     qp_transitions[i].optional))
			return -EINVAL;
		return 0;
	}
	return -EINVAL;
}

static int check_values(struct rxe_qp *qp, const struct ib_qp_attr *a,
			u32 mask)
{
	u32 mtu = ib_mtu_to_bytes(a->path_mtu);

	if ((mask & IB_QP_PATH_MTU) && (!mtu || mtu > qp->dev->max_mtu))
		return -EINVAL;
	if ((mask & IB_QP_DEST_QPN) && a->dest_qp_num > ROCE_QPN_MASK)
		return -EINVAL;
	if (((mask & IB_QP_RQ_PSN) && a->rq_psn > ROCE_PSN_MASK) ||
	    ((mask & IB_QP_SQ_PSN) && a->sq_psn > ROCE_PSN_MASK))
		return -EINVAL;
	if (((mask & IB_QP_RETRY_CNT) && a->retry_cnt > 7) ||
	    ((mask & IB_QP_RNR_RETRY) && a->rnr_retry > 7) ||
	    ((mask & IB_QP_TIMEOUT) && a->timeout > 31) ||
	    ((mask & IB_QP_MIN_RNR_TIMER) && a->min_rnr_timer > 31))
		return -EINVAL;
	if (((mask & IB_QP_MAX_QP_RD_ATOMIC) &&
	     a->max_rd_atomic > RXE_MAX_RD_ATOMIC) ||
	    ((mask & IB_QP_MAX_DEST_RD_ATOMIC) &&
	     a->max_dest_rd_atomic > RXE_MAX_RD_ATOMIC))
		return -EINVAL;
	if ((mask & IB_QP_ACCESS_FLAGS) &&
	    (a->qp_access_flags & ~(IB_ACCESS_LOCAL_WRITE |
				    IB_ACCESS_REMOTE_WRITE |
				    IB_ACCESS_REMOTE_READ)))
		return -EINVAL;
	return 0;
}

static void copy_attrs(struct rxe_qp *qp, const struct ib_qp_attr *a,
		       u32 mask)
{
	struct ib_qp_attr *q = &qp->attr;

	if (mask & IB_QP_ACCESS_FLAGS)
		q->qp_access_flags = a->qp_access_flags;
	if (mask & IB_QP_AV)
		q->ah_attr = a->ah_attr;
	if (mask & IB_QP_PATH_MTU) {
		q->path_mtu = a->path_mtu;
		qp->mtu = ib_mtu_to_bytes(a->path_mtu);
	}
	if (mask & IB_QP_DEST_QPN)
		q->dest_qp_num = a->dest_qp_num;
	if (mask & IB_QP_RQ_PSN)
		q->rq_psn = a->rq_psn;
	if (mask & IB_QP_SQ_PSN)
		q->sq_psn = a->sq_psn;
	if (mask & IB_QP_MAX_DEST_RD_ATOMIC)
		q->max_dest_rd_atomic = a->max_dest_rd_atomic;
	if (mask & IB_QP_MAX_QP_RD_ATOMIC)
		q->max_rd_atomic = a->max_rd_atomic;
	if (mask & IB_QP_MIN_RNR_TIMER)
		q->min_rnr_timer = a->min_rnr_timer;
	if (mask & IB_QP_TIMEOUT)
		q->timeout = a->timeout;
	if (mask & IB_QP_RETRY_CNT)
		q->retry_cnt = a->retry_cnt;
	if (mask & IB_QP_RNR_RETRY)
		q->rnr_retry = a->rnr_retry;
}

static void qp_reset(struct rxe_qp *qp)
{
	qp->sq_prod = qp->sq_cons = 0;
	qp->rq_prod = qp->rq_cons = 0;
	memset(&qp->req, 0, sizeof(qp->req));
	memset(&qp->comp, 0, sizeof(qp->comp));
	memset(&qp->resp, 0, sizeof(qp->resp));
}

static void enter_state(struct rxe_qp *qp, enum ib_qp_state to)
{
	if (to == IB_QPS_RESET) {
		qp_reset(qp);
	} else if (to == IB_QPS_RTR && qp->state == IB_QPS_INIT) {
		qp->resp.epsn = qp->attr.rq_psn;
	} else if (to == IB_QPS_RTS && qp->state == IB_QPS_RTR) {
		qp->req.next_psn = qp->attr.sq_psn;
		qp->req.max_psn = qp->attr.sq_psn;
		qp->comp.una = qp->attr.sq_psn;
		qp->comp.retry_left = qp->attr.retry_cnt;
		qp->comp.rnr_left = qp->attr.rnr_retry;
	} else if (to == IB_QPS_ERR) {
		rxe_qp_error(qp, IB_WC_SUCCESS);
		return;
	}
	qp->state = to;
}

int rxe_modify_qp(struct ib_qp *ibqp, struct ib_qp_attr *attr, int imask)
{
	struct rxe_qp *qp = to_rqp(ibqp);
	u32 mask = (u32)imask;
	enum ib_qp_state to = mask & IB_QP_STATE ? attr->qp_state : qp->state;
	int err;

	if (to > IB_QPS_ERR)
		return -EINVAL;
	if ((mask & IB_QP_CUR_STATE) && attr->cur_qp_state != qp->state)
		return -EINVAL;
	err = check_transition(qp, to, mask);
	if (!err)
		err = check_values(qp, attr, mask);
	if (err)
		return err;
	copy_attrs(qp, attr, mask);
	if (to != qp->state || to == IB_QPS_RESET)
		enter_state(qp, to);
	return 0;
}

void rxe_send_wc(struct rxe_qp *qp, struct rxe_send_wqe *wqe,
		 enum ib_wc_status status)
{
	static const u8 wc_op[] = {
		[IB_WR_RDMA_WRITE] = IB_WC_RDMA_WRITE,
		[IB_WR_RDMA_WRITE_WITH_IMM] = IB_WC_RDMA_WRITE,
		[IB_WR_SEND] = IB_WC_SEND,
		[IB_WR_SEND_WITH_IMM] = IB_WC_SEND,
		[IB_WR_RDMA_READ] = IB_WC_RDMA_READ,
	};
	struct ib_wc wc = {
		.wr_id = wqe->wr_id, .status = status,
		.opcode = (enum ib_wc_opcode)wc_op[wqe->opcode],
		.byte_len = wqe->length, .qp_num = qp->ibqp.qp_num,
	};

	if (status == IB_WC_SUCCESS && !qp->sq_sig_all &&
	    !(wqe->send_flags & IB_SEND_SIGNALED))
		return;
	rxe_cq_push(qp->dev, qp->ibqp.send_cq, &wc);
}

void rxe_recv_wc(struct rxe_qp *qp, struct rxe_recv_wqe *wqe,
		 enum ib_wc_status status, enum ib_wc_opcode op, u32 len,
		 bool imm, u32 imm_data)
{
	struct ib_wc wc = {
		.wr_id = wqe->wr_id, .status = status, .opcode = op,
		.byte_len = len, .qp_num = qp->ibqp.qp_num,
		.src_qp = qp->attr.dest_qp_num,
		.wc_flags = imm ? IB_WC_WITH_IMM : 0, .imm_data = imm_data,
	};

	rxe_cq_push(qp->dev, qp->ibqp.recv_cq, &wc);
}

void rxe_qp_error(struct rxe_qp *qp, enum ib_wc_status status)
{
	if (qp->state == IB_QPS_ERR)
		return;
	rxe_trace(qp, RXE_TR_ERROR, 0, qp->comp.una, status);
	if (status != IB_WC_SUCCESS && qp->sq_cons != qp->sq_prod)
		rxe_send_wc(qp, rxe_sq(qp, qp->sq_cons++), status);
	qp->state = IB_QPS_ERR;
	for (; qp->sq_cons != qp->sq_prod; qp->sq_cons++)
		rxe_send_wc(qp, rxe_sq(qp, qp->sq_cons), IB_WC_WR_FLUSH_ERR);
	for (; qp->rq_cons != qp->rq_prod; qp->rq_cons++)
		rxe_recv_wc(qp, rxe_rq(qp, qp->rq_cons), IB_WC_WR_FLUSH_ERR,
			    IB_WC_RECV, 0, false, 0);
	qp->req.wqe = qp->sq_prod;
	qp->req.pkt = 0;
	qp->comp.timer_on = false;
	qp->comp.rnr_wait = false;
	qp->resp.in_msg = RXE_MSG_NONE;
	qp->resp.ack_due = 0;
}

static int check_send_wr(struct rxe_qp *qp, const struct ib_send_wr *wr)
{
	u64 len = 0;

	switch (wr->opcode) {
	case IB_WR_SEND:
	case IB_WR_SEND_WITH_IMM:
	case IB_WR_RDMA_WRITE:
	case IB_WR_RDMA_WRITE_WITH_IMM:
	case IB_WR_RDMA_READ:
		break;
	default:
		return -EOPNOTSUPP;
	}
	if (wr->send_flags & IB_SEND_INLINE)
		return -EOPNOTSUPP;
	if (wr->num_sge < 0 || (u32)wr->num_sge > qp->attr.cap.max_send_sge ||
	    (wr->num_sge && !wr->sg_list))
		return -EINVAL;
	for (int i = 0; i < wr->num_sge; i++)
		len += wr->sg_list[i].length;
	if (len > 0x80000000ull)
		return -EINVAL;
	if (qp->sq_prod - qp->sq_cons >= qp->sq_size)
		return -ENOMEM;
	return 0;
}

static void queue_send_wr(struct rxe_qp *qp, const struct ib_send_wr *wr)
{
	struct rxe_send_wqe *w = rxe_sq(qp, qp->sq_prod);

	memset(w, 0, sizeof(*w));
	w->wr_id = wr->wr_id;
	w->opcode = wr->opcode;
	w->send_flags = wr->send_flags;
	w->imm = wr->imm_data;
	w->remote_addr = wr->rdma.remote_addr;
	w->rkey = wr->rdma.rkey;
	w->num_sge = (u32)wr->num_sge;
	for (int i = 0; i < wr->num_sge; i++) {
		w->sge[i] = wr->sg_list[i];
		w->length += wr->sg_list[i].length;
	}
	w->npkts = w->length ? DIV_ROUND_UP(w->length, qp->mtu) : 1;
	w->first_psn = qp->req.next_psn;
	qp->req.next_psn = psn_add(qp->req.next_psn, w->npkts);
	qp->sq_prod++;
}

int rxe_post_send(struct ib_qp *ibqp, const struct ib_send_wr *wr,
		  const struct ib_send_wr **bad_wr)
{
	struct rxe_qp *qp = to_rqp(ibqp);
	int err = 0;

	for (; wr; wr = wr->next) {
		err = qp->state == IB_QPS_RTS ? check_send_wr(qp, wr) : -EINVAL;
		if (err) {
			if (bad_wr)
				*bad_wr = wr;
			break;
		}
		queue_send_wr(qp, wr);
	}
	rxe_req_run(qp);
	return err;
}

int rxe_post_recv(struct ib_qp *ibqp, const struct ib_recv_wr *wr,
		  const struct ib_recv_wr **bad_wr)
{
	struct rxe_qp *qp = to_rqp(ibqp);

	for (; wr; wr = wr->next) {
		struct rxe_recv_wqe *w = rxe_rq(qp, qp->rq_prod);
		bool ok = qp->state != IB_QPS_RESET &&
			  qp->state != IB_QPS_ERR && wr->num_sge >= 0 &&
			  (u32)wr->num_sge <= qp->attr.cap.max_recv_sge &&
			  (!wr->num_sge || wr->sg_list) &&
			  qp->rq_prod - qp->rq_cons < qp->rq_size;

		if (!ok) {
			if (bad_wr)
				*bad_wr = wr;
			return qp->rq_prod - qp->rq_cons >= qp->rq_size ?
				       -ENOMEM : -EINVAL;
		}
		w->wr_id = wr->wr_id;
		w->num_sge = (u32)wr->num_sge;
		w->length = 0;
		for (int i = 0; i < wr->num_sge; i++) {
			w->sge[i] = wr->sg_list[i];
			/* Clamp: no message is longer than 2 GiB anyway. */
			w->length = (u32)MIN(0x80000000ull, (u64)w->length +
						 wr->sg_list[i].length);
		}
		qp->rq_prod++;
	}
	return 0;
}
