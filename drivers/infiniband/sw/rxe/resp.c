/* drivers/infiniband/sw/rxe/resp.c — the RC responder: request packets
 * land in memory and receive queues; ACKs, NAKs and READ responses go back.
 *
 * resp.epsn is the next PSN expected.  For a request with PSN p:
 *   p > epsn   a gap: one NAK "PSN sequence error" naming epsn, then
 *              silence (RXE_CNT_DROP_OUT_OF_SEQ) until epsn arrives.
 *   p < epsn   a duplicate: a READ is served again from the saved original
 *              (struct rxe_read_res, the last RXE_MAX_RD_ATOMIC READs),
 *              starting at the response packet p names; anything else is
 *              re-ACKed if it asks for an ACK.  Memory is not touched again.
 *   p == epsn  validate, then act: the opcode must fit the message in
 *              progress (resp.in_msg), the payload must be a full path MTU
 *              for FIRST/MIDDLE, 1..MTU for LAST, 0..MTU for ONLY; a WRITE
 *              or READ needs the QP's remote access flag and an rkey whose
 *              MR grants it and covers [va, va + length) (zero-length
 *              transfers check neither, as the spec says); a SEND or a
 *              *_WITH_IMM needs a posted receive, else RNR NAK (QP stays
 *              up, the requester retries).  Only then are bytes copied and
 *              epsn advanced.
 * Errors: bad opcode sequence or length -> NAK invalid request; rkey,
 * range or access -> NAK remote access error; a receive buffer too small
 * -> its WC gets LOC_LEN_ERR and NAK invalid request.  After an error NAK
 * the QP enters ERR (flushing its WQEs).
 * ACK coalescing: a request is ACKed only if it carries AckReq (req.c
 * sets it at message ends and every RXE_ACK_EVERY PSNs).  READ responses
 * need no separate ACK.  With the device's ack_delay (0: off) the ACK of
 * a message's last packet is delayed: it goes out behind the next packets
 * this QP's requester sends (an RPC reply, usually within microseconds),
 * or when the delay expires, whichever comes first; any other AETH (an
 * ACK in mid-message, a re-ACK of a duplicate, a NAK) covers it, being
 * cumulative.  On an emulated link this takes the ACK off the path
 * between a request and its reply, and the requester, whose CPU is woken
 * for every frame, takes the ACK together with the reply.
 * Callers: dev.c (rx).
 */
#include "internal.h"
#include <lib/string.h>

static void send_aeth(struct rxe_qp *qp, u8 syndrome, u32 psn)
{
	struct rxe_tx tx;

	qp->resp.ack_due = 0;		/* this AETH covers a delayed ACK */
	rxe_tx_init(qp, &tx, ROCE_ACK, psn);
	tx.syndrome = syndrome;
	tx.msn = qp->resp.msn;
	rxe_pkt_build_hdrs(qp->dev->txbuf, &tx);
	rxe_xmit(qp->dev, &tx);
}

static void send_ack(struct rxe_qp *qp)
{
	rxe_count(qp->dev, RXE_CNT_ACK_SENT);
	send_aeth(qp, ROCE_AETH_ACK | ROCE_AETH_ACK_NO_CREDIT,
		  psn_add(qp->resp.epsn, ROCE_PSN_MASK));
}

/* A message ended with AckReq: ACK now, or owe the ACK (ack_delay). */
static void ack_message_end(struct rxe_qp *qp)
{
	if (!qp->dev->ack_delay_ns) {
		send_ack(qp);
		return;
	}
	if (!qp->resp.ack_due) {
		qp->resp.ack_due = rxe_now(qp->dev) + qp->dev->ack_delay_ns;
		qp->dev->acks_owed = true;
		rxe_arm(qp->dev, qp->resp.ack_due);
	}
}

/* Every QP to the same peer: a client's consecutive calls may use
 * different QPs (FIT spreads them over its channels), and the reply that
 * came on one is followed by the next request on another. */
void rxe_resp_flush_acks(struct rxe_qp *qp)
{
	struct rxe_dev *dev = qp->dev;
	bool owed = false;

	if (!dev->acks_owed)
		return;
	for (u32 i = 0; i < dev->max_qp; i++) {
		struct rxe_qp *q = dev->qps[i];

		if (!q || !q->resp.ack_due)
			continue;
		if ((q->state == IB_QPS_RTR || q->state == IB_QPS_RTS) &&
		    q->attr.ah_attr.dip == qp->attr.ah_attr.dip)
			send_ack(q);
		else
			owed = true;
	}
	dev->acks_owed = owed;
}

void rxe_resp_timer(struct rxe_qp *qp, u64 now)
{
	if (!qp->resp.ack_due)
		return;
	if (now >= qp->resp.ack_due)
		send_ack(qp);
	else
		rxe_arm(qp->dev, qp->resp.ack_due);
}

static void nak_error(struct rxe_qp *qp, enum roce_nak_code code)
{
	rxe_count(qp->dev, RXE_CNT_ERR_NAK_SENT);
	send_aeth(qp, ROCE_AETH_NAK | code, qp->resp.epsn);
	rxe_qp_error(qp, IB_WC_SUCCESS);
}

static void resp_rnr_nak(struct rxe_qp *qp)
{
	rxe_count(qp->dev, RXE_CNT_RNR_NAK_SENT);
	send_aeth(qp, ROCE_AETH_RNR_NAK | (qp->attr.min_rnr_timer & 31),
		  qp->resp.epsn);
	qp->resp.nak_sent = true;
}

static bool remote_ok(struct rxe_qp *qp, int access, u64 va, u32 rkey,
		      u32 len)
{
	if (!(qp->attr.qp_access_flags & access))
		return false;
	return !len || rxe_mr_check(qp->dev, qp->ibqp.pd, rkey, true, access,
				    va, len);
}

/* Send response packets @from.. of the READ @res (one burst). */
static void send_read_resps(struct rxe_qp *qp, const struct rxe_read_res *r,
			    u32 from)
{
	struct rxe_mr *mr = NULL;

	if (r->len) {
		mr = rxe_mr_check(qp->dev, qp->ibqp.pd, r->rkey, true,
				  IB_ACCESS_REMOTE_READ, r->va, r->len);
		if (!mr) {
			nak_error(qp, ROCE_NAK_REM_ACCESS_ERR);
			return;
		}
	}
	for (u32 k = from; k < r->npkts; k++) {
		u32 off = k * qp->mtu;
		struct rxe_tx tx;
		u8 *p;

		rxe_tx_init(qp, &tx, rxe_read_resp_opcode(r->npkts, k),
			    psn_add(r->psn, k));
		tx.paylen = MIN(qp->mtu, r->len - off);
		tx.syndrome = ROCE_AETH_ACK | ROCE_AETH_ACK_NO_CREDIT;
		tx.msn = qp->resp.msn;
		p = rxe_pkt_build_hdrs(qp->dev->txbuf, &tx);
		if (tx.paylen)
			memcpy(p, mr->base + (r->va + off - mr->ibmr.addr),
			       tx.paylen);
		rxe_xmit(qp->dev, &tx);
	}
}

static void duplicate(struct rxe_qp *qp, const struct rxe_pkt *pkt)
{
	rxe_count(qp->dev, RXE_CNT_DUP_REQ);
	if (pkt->opcode != ROCE_READ_REQUEST) {
		if (pkt->ackreq)
			send_ack(qp);
		return;
	}
	for (u32 i = 0; i < RXE_MAX_RD_ATOMIC; i++) {
		const struct rxe_read_res *r = &qp->resp.reads[i];
		s32 k = psn_diff(pkt->psn, r->psn);

		if (r->valid && k >= 0 && (u32)k < r->npkts) {
			rxe_count(qp->dev, RXE_CNT_DUP_READ);
			send_read_resps(qp, r, (u32)k);
			return;
		}
	}
	rxe_count(qp->dev, RXE_CNT_DROP_BAD_RESP);
}

/* Opcode fits the message in progress, payload fits the MTU rules. */
static bool sequence_ok(struct rxe_qp *qp, const struct rxe_pkt *pkt)
{
	u32 f = pkt->flags;

	switch (qp->resp.in_msg) {
	case RXE_MSG_SEND:
		if (!(f & ROCE_F_SEND) || (f & ROCE_F_FIRST))
			return false;
		break;
	case RXE_MSG_WRITE:
		if (!(f & ROCE_F_WRITE) || (f & ROCE_F_FIRST))
			return false;
		break;
	default:
		if (!(f & ROCE_F_FIRST))
			return false;
	}
	if ((f & ROCE_F_ONLY) == ROCE_F_ONLY || (f & ROCE_F_READ))
		return pkt->paylen <= qp->mtu;
	if (f & ROCE_F_LAST)
		return pkt->paylen >= 1 && pkt->paylen <= qp->mtu;
	return pkt->paylen == qp->mtu;
}

static void do_send(struct rxe_qp *qp, const struct rxe_pkt *pkt)
{
	struct rxe_recv_wqe *w = rxe_rq(qp, qp->rq_cons);

	if (qp->rq_cons == qp->rq_prod) {
		resp_rnr_nak(qp);
		return;
	}
	if (pkt->flags & ROCE_F_FIRST)
		qp->resp.recv_off = 0;
	if (pkt->paylen > w->length - qp->resp.recv_off) {
		qp->rq_cons++;
		rxe_recv_wc(qp, w, IB_WC_LOC_LEN_ERR, IB_WC_RECV, 0, false, 0);
		nak_error(qp, ROCE_NAK_INVALID_REQ);
		return;
	}
	if (rxe_sge_copy(qp->dev, qp->ibqp.pd, w->sge, w->num_sge,
			 qp->resp.recv_off, (void *)pkt->payload, pkt->paylen,
			 true)) {
		qp->rq_cons++;
		rxe_recv_wc(qp, w, IB_WC_LOC_PROT_ERR, IB_WC_RECV, 0, false, 0);
		nak_error(qp, ROCE_NAK_REM_OP_ERR);
		return;
	}
	qp->resp.recv_off += pkt->paylen;
	qp->resp.epsn = psn_add(qp->resp.epsn, 1);
	if (!(pkt->flags & ROCE_F_LAST)) {
		qp->resp.in_msg = RXE_MSG_SEND;
		return;
	}
	qp->resp.in_msg = RXE_MSG_NONE;
	qp->resp.msn = psn_add(qp->resp.msn, 1);
	qp->rq_cons++;
	rxe_recv_wc(qp, w, IB_WC_SUCCESS, IB_WC_RECV, qp->resp.recv_off,
		    pkt->flags & ROCE_F_IMM, pkt->imm);
}

static void do_write(struct rxe_qp *qp, const struct rxe_pkt *pkt)
{
	struct rxe_mr *mr;
	u32 f = pkt->flags;

	if (f & ROCE_F_FIRST) {
		if (!remote_ok(qp, IB_ACCESS_REMOTE_WRITE, pkt->va, pkt->rkey,
			       pkt->dma_len)) {
			nak_error(qp, ROCE_NAK_REM_ACCESS_ERR);
			return;
		}
		qp->resp.wr_va = pkt->va;
		qp->resp.wr_rkey = pkt->rkey;
		qp->resp.wr_left = pkt->dma_len;
		qp->resp.wr_len = pkt->dma_len;
	}
	if (pkt->paylen > qp->resp.wr_left ||
	    ((f & ROCE_F_LAST) && pkt->paylen != qp->resp.wr_left)) {
		nak_error(qp, ROCE_NAK_INVALID_REQ);
		return;
	}
	if ((f & ROCE_F_IMM) && qp->rq_cons == qp->rq_prod) {
		resp_rnr_nak(qp);
		return;
	}
	if (pkt->paylen) {
		mr = rxe_mr_check(qp->dev, qp->ibqp.pd, qp->resp.wr_rkey, true,
				  IB_ACCESS_REMOTE_WRITE, qp->resp.wr_va,
				  pkt->paylen);
		if (!mr) {
			nak_error(qp, ROCE_NAK_REM_ACCESS_ERR);
			return;
		}
		memcpy(mr->base + (qp->resp.wr_va - mr->ibmr.addr),
		       pkt->payload, pkt->paylen);
	}
	qp->resp.wr_va += pkt->paylen;
	qp->resp.wr_left -= pkt->paylen;
	qp->resp.epsn = psn_add(qp->resp.epsn, 1);
	if (!(f & ROCE_F_LAST)) {
		qp->resp.in_msg = RXE_MSG_WRITE;
		return;
	}
	qp->resp.in_msg = RXE_MSG_NONE;
	qp->resp.msn = psn_add(qp->resp.msn, 1);
	if (f & ROCE_F_IMM)
		rxe_recv_wc(qp, rxe_rq(qp, qp->rq_cons++), IB_WC_SUCCESS,
			    IB_WC_RECV_RDMA_WITH_IMM, qp->resp.wr_len, true,
			    pkt->imm);
}

static void do_read(struct rxe_qp *qp, const struct rxe_pkt *pkt)
{
	struct rxe_read_res *r;

	if (pkt->dma_len > 0x80000000u) {
		nak_error(qp, ROCE_NAK_INVALID_REQ);
		return;
	}
	if (!remote_ok(qp, IB_ACCESS_REMOTE_READ, pkt->va, pkt->rkey,
		       pkt->dma_len)) {
		nak_error(qp, ROCE_NAK_REM_ACCESS_ERR);
		return;
	}
	r = &qp->resp.reads[qp->resp.read_next++ % RXE_MAX_RD_ATOMIC];
	r->valid = true;
	r->psn = pkt->psn;
	r->npkts = pkt->dma_len ? DIV_ROUND_UP(pkt->dma_len, qp->mtu) : 1;
	r->va = pkt->va;
	r->rkey = pkt->rkey;
	r->len = pkt->dma_len;
	qp->resp.epsn = psn_add(qp->resp.epsn, r->npkts);
	qp->resp.msn = psn_add(qp->resp.msn, 1);
	send_read_resps(qp, r, 0);
}

void rxe_resp_rx(struct rxe_qp *qp, const struct rxe_pkt *pkt)
{
	s32 d = psn_diff(pkt->psn, qp->resp.epsn);

	if (d > 0) {
		if (qp->resp.nak_sent) {
			rxe_count(qp->dev, RXE_CNT_DROP_OUT_OF_SEQ);
			return;
		}
		rxe_count(qp->dev, RXE_CNT_SEQ_NAK_SENT);
		send_aeth(qp, ROCE_AETH_NAK | ROCE_NAK_PSN_SEQ_ERR,
			  qp->resp.epsn);
		qp->resp.nak_sent = true;
		return;
	}
	if (d < 0) {
		duplicate(qp, pkt);
		return;
	}
	qp->resp.nak_sent = false;
	if (!sequence_ok(qp, pkt)) {
		nak_error(qp, ROCE_NAK_INVALID_REQ);
		return;
	}
	if (pkt->flags & ROCE_F_SEND)
		do_send(qp, pkt);
	else if (pkt->flags & ROCE_F_WRITE)
		do_write(qp, pkt);
	else
		do_read(qp, pkt);
	if (qp->state == IB_QPS_ERR || !pkt->ackreq || qp->resp.nak_sent ||
	    (pkt->flags & ROCE_F_READ))
		return;
	if (pkt->flags & ROCE_F_LAST)
		ack_message_end(qp);
	else
		send_ack(qp);
}
