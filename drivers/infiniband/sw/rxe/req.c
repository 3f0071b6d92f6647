/* drivers/infiniband/sw/rxe/req.c — the RC requester: send WQEs become
 * packets.
 *
 * The send ring holds, in order: completed slots (before sq_cons), WQEs
 * transmitted but not acknowledged, and WQEs not yet (re)transmitted
 * (from the cursor req.wqe/req.pkt to sq_prod).  Each WQE owns the PSNs
 * [first_psn, first_psn + npkts) fixed at post time; npkts is the number
 * of path-MTU segments (at least 1), and for an RDMA READ the number of
 * response packets it will receive.  SEND and WRITE messages go out as
 * FIRST/MIDDLE.../LAST or ONLY packets; WRITE_FIRST/ONLY carry the RETH,
 * the last packet of a *_WITH_IMM carries the ImmDt.  A READ is one request
 * packet; after a partial response it is re-requested from the first
 * missing response PSN with the address and length advanced to match.
 *
 * Flow control: nothing is sent more than RXE_WINDOW PSNs past the oldest
 * unacknowledged one (comp.una), and no more than max_rd_atomic READs are
 * outstanding.  AckReq is set on the last packet of every message and
 * every RXE_ACK_EVERY PSNs, so the responder coalesces its ACKs yet the
 * window always reopens.
 * Go-back-N: rxe_req_rewind() moves the cursor back to comp.una; packets
 * sent again are counted as retransmissions.
 * Callers: qp.c (after posting), comp.c (after ACKs, NAKs, timers).
 */
#include "internal.h"
#include <uapi/errno.h>

static u8 data_opcode(const struct rxe_send_wqe *w, u32 pkt)
{
	bool write = w->opcode == IB_WR_RDMA_WRITE ||
		     w->opcode == IB_WR_RDMA_WRITE_WITH_IMM;
	bool imm = w->opcode == IB_WR_SEND_WITH_IMM ||
		   w->opcode == IB_WR_RDMA_WRITE_WITH_IMM;
	bool first = pkt == 0, last = pkt == w->npkts - 1;
	u8 base = write ? ROCE_WRITE_FIRST : ROCE_SEND_FIRST;

	/* Both families are laid out FIRST, MIDDLE, LAST, LAST_IMM, ONLY,
	 * ONLY_IMM. */
	if (first && last)
		return base + (imm ? 5 : 4);
	if (first)
		return base;
	if (last)
		return base + (imm ? 3 : 2);
	return base + 1;
}

/* Are @max READs already in flight before the cursor? */
static bool reads_full(struct rxe_qp *qp, u32 max)
{
	u32 n = 0;

	for (u32 i = qp->sq_cons; i != qp->req.wqe && n < max; i++)
		if (rxe_sq(qp, i)->opcode == IB_WR_RDMA_READ)
			n++;
	return n >= max;
}

/* AckReq at message ends and every RXE_ACK_EVERY PSNs.  Any RXE_WINDOW
 * consecutive PSNs hold several of the latter, so a full window always
 * has ACKs coming.  (Asking at the window's edge as well would make the
 * responder ACK every packet once the window is saturated: each ACK opens
 * the window by one, and the next packet sits at the edge again.) */
static bool want_ack(u32 psn, bool last)
{
	BUILD_BUG_ON(RXE_WINDOW % RXE_ACK_EVERY ||
		     RXE_WINDOW < 2 * RXE_ACK_EVERY);
	return last || (psn & (RXE_ACK_EVERY - 1)) == RXE_ACK_EVERY - 1;
}

static int send_data_pkt(struct rxe_qp *qp, struct rxe_send_wqe *w,
			 u32 pkt)
{
	u32 off = pkt * qp->mtu;
	u32 psn = psn_add(w->first_psn, pkt);
	struct rxe_tx tx;
	u32 f;
	u8 *p;

	rxe_tx_init(qp, &tx, data_opcode(w, pkt), psn);
	tx.retx = psn_diff(psn, qp->req.max_psn) < 0;
	f = rxe_op_flags(tx.opcode);
	tx.paylen = MIN(qp->mtu, w->length - off);
	tx.ackreq = want_ack(psn, f & ROCE_F_LAST);
	tx.se = (f & ROCE_F_LAST) && (w->send_flags & IB_SEND_SOLICITED);
	if (f & ROCE_F_RETH) {
		tx.va = w->remote_addr;
		tx.rkey = w->rkey;
		tx.dma_len = w->length;
	}
	if (f & ROCE_F_IMM)
		tx.imm = w->imm;
	p = rxe_pkt_build_hdrs(qp->dev->txbuf, &tx);
	if (rxe_sge_copy(qp->dev, qp->ibqp.pd, w->sge, w->num_sge, off, p,
			 tx.paylen, false))
		return -EFAULT;
	rxe_xmit(qp->dev, &tx);
	return 0;
}

static void send_read_req(struct rxe_qp *qp, struct rxe_send_wqe *w,
			  u32 pkt)
{
	u32 off = pkt * qp->mtu;
	struct rxe_tx tx;

	rxe_tx_init(qp, &tx, ROCE_READ_REQUEST, psn_add(w->first_psn, pkt));
	tx.retx = psn_diff(tx.psn, qp->req.max_psn) < 0;
	tx.va = w->remote_addr + off;
	tx.rkey = w->rkey;
	tx.dma_len = w->length - off;
	rxe_pkt_build_hdrs(qp->dev->txbuf, &tx);
	rxe_xmit(qp->dev, &tx);
}

/* Account PSNs [psn, end) as sent: new ones extend max_psn, old ones are
 * retransmissions.  Start the retransmission timer if it is off. */
static void note_sent(struct rxe_qp *qp, u32 psn, u32 end)
{
	if (psn_diff(psn, qp->req.max_psn) < 0)
		qp->dev->counters[RXE_CNT_RETRANSMITS]++;
	if (psn_diff(end, qp->req.max_psn) > 0)
		qp->req.max_psn = end;
	if (!qp->comp.timer_on)
		rxe_comp_update_timer(qp);
}

/* Send the next packet of the WQE under the cursor.  Returns 1 if one
 * went out, 0 if flow control says wait, -EFAULT on a local key error. */
static int req_step(struct rxe_qp *qp, struct rxe_send_wqe *w)
{
	u32 max_rd = MAX(1, qp->attr.max_rd_atomic);
	u32 psn = psn_add(w->first_psn, qp->req.pkt);
	/* After a timeout or an RNR NAK, probe with one ACK's worth until
	 * progress: a flood behind a lost or refused packet only piles up
	 * in the queues of a link that is slow or a peer that is busy. */
	s32 window = qp->comp.probe ? RXE_ACK_EVERY : RXE_WINDOW;

	if (psn_diff(psn, qp->comp.una) >= window)
		return 0;
	if (qp->req.pkt == 0 && (w->send_flags & IB_SEND_FENCE) &&
	    qp->req.wqe != qp->sq_cons)
		return 0;
	if (w->opcode == IB_WR_RDMA_READ) {
		if (reads_full(qp, max_rd))
			return 0;
		send_read_req(qp, w, qp->req.pkt);
		note_sent(qp, psn, psn_add(w->first_psn, w->npkts));
		qp->req.wqe++;
		qp->req.pkt = 0;
		return 1;
	}
	if (send_data_pkt(qp, w, qp->req.pkt))
		return -EFAULT;
	note_sent(qp, psn, psn_add(psn, 1));
	if (++qp->req.pkt == w->npkts) {
		qp->req.wqe++;
		qp->req.pkt = 0;
	}
	return 1;
}

void rxe_req_run(struct rxe_qp *qp)
{
	bool sent = false;

	while (qp->state == IB_QPS_RTS && !qp->comp.rnr_wait &&
	       qp->req.wqe != qp->sq_prod) {
		int r = req_step(qp, rxe_sq(qp, qp->req.wqe));

		if (r == 0)
			break;
		/* A local key error fails its WQE once everything before
		 * it has completed (the completer runs us again then). */
		if (r < 0) {
			if (qp->req.wqe == qp->sq_cons)
				rxe_qp_error(qp, IB_WC_LOC_PROT_ERR);
			break;
		}
		sent = true;
	}
	/* A delayed ACK (resp.c) follows our packets, not precedes them. */
	if (sent)
		rxe_resp_flush_acks(qp);
}

/* Move the cursor to una's packet in the oldest WQE (send ring not
 * empty).  For a READ that is the first response still missing. */
static void cursor_to_una(struct rxe_qp *qp)
{
	struct rxe_send_wqe *w = rxe_sq(qp, qp->sq_cons);
	s32 pkt = psn_diff(qp->comp.una, w->first_psn);

	if (pkt < 0)
		pkt = 0;
	if ((u32)pkt >= w->npkts)
		pkt = (s32)w->npkts - 1;
	qp->req.wqe = qp->sq_cons;
	qp->req.pkt = (u32)pkt;
}

void rxe_req_rewind(struct rxe_qp *qp)
{
	if (qp->sq_cons == qp->sq_prod)
		return;
	cursor_to_una(qp);
	rxe_trace(qp, RXE_TR_REWIND, 0, qp->comp.una, qp->req.pkt);
}

void rxe_req_skip_acked(struct rxe_qp *qp)
{
	/* Slots before sq_cons may already hold new WQEs: compare ring
	 * positions before reading any WQE. */
	if ((s32)(qp->req.wqe - qp->sq_cons) < 0) {
		qp->req.wqe = qp->sq_cons;
		qp->req.pkt = 0;
	}
	if (qp->req.wqe != qp->sq_cons || qp->sq_cons == qp->sq_prod)
		return;
	if (psn_diff(psn_add(rxe_sq(qp, qp->sq_cons)->first_psn,
			     qp->req.pkt), qp->comp.una) < 0)
		cursor_to_una(qp);
}
