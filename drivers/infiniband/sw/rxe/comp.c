/* drivers/infiniband/sw/rxe/comp.c — the RC completer: ACKs, NAKs and
 * READ responses become send completions; the retransmission and RNR
 * timers.
 *
 * comp.una is the oldest PSN not yet acknowledged.  An ACK for PSN p
 * acknowledges every PSN <= p: each WQE whose last PSN is covered completes
 * (IB_WC_SUCCESS, reported if signaled), in ring order.  A READ completes
 * only when all its response packets have arrived in PSN order; an ACK that
 * reaches past an unfinished READ means its responses were lost, and the
 * requester goes back to it.  ACKs outside [una - 1, max_psn) are stale or
 * bogus and dropped.
 *   RNR NAK p:        ACK p - 1, then wait the RNR time the NAK names and
 *                     resend from p; after rnr_retry waits (7 = forever)
 *                     the WQE fails with RNR_RETRY_EXC_ERR.
 *   NAK seq error p:  ACK p - 1 and go back to p at once — unless a
 *                     go-back is under way and nothing was acknowledged
 *                     since (comp.retrying), so stale NAKs cannot chain.
 *   NAK inv/acc/op p: ACK p - 1; the WQE fails with REM_INV_REQ_ERR,
 *                     REM_ACCESS_ERR or REM_OP_ERR; the QP enters ERR.
 * Retransmission timer: armed while PSNs are outstanding, restarted on
 * every advance of una; on expiry go back to una, and after retry_cnt
 * consecutive expiries without progress fail with RETRY_EXC_ERR — and,
 * when rxe_qp_set_retry_time() gave the QP a time (a Tessera extension),
 * not before that long has passed since the first of those expiries: a
 * peer that is slow (a starved vCPU, a queueing hub) rather than dead
 * keeps its connection; the timer keeps firing at the backed-off
 * interval meanwhile.  Timeout
 * is 4.096 us << attr.timeout (0 means RXE_DEFAULT_TIMEOUT: Tessera never
 * waits forever on a peer).  Callers: dev.c (rx, timer).
 */
#include "internal.h"

/* IBA RNR timer codes, in microseconds. */
static const u32 rnr_us[32] = {
	655360, 10, 20, 30, 40, 60, 80, 120, 160, 240, 320, 480, 640, 960,
	1280, 1920, 2560, 3840, 5120, 7680, 10240, 15360, 20480, 30720,
	40960, 61440, 81920, 122880, 163840, 245760, 327680, 491520,
};

u64 rxe_rnr_ns(u32 code)
{
	return (u64)rnr_us[code & 31] * 1000;
}

static u64 timeout_ns(struct rxe_qp *qp)
{
	u32 t = qp->attr.timeout ? qp->attr.timeout : RXE_DEFAULT_TIMEOUT;

	return 4096ull << t << qp->comp.backoff;
}

void rxe_comp_update_timer(struct rxe_qp *qp)
{
	if (qp->sq_cons != qp->sq_prod &&
	    psn_diff(qp->req.max_psn, qp->comp.una) > 0) {
		qp->comp.deadline = rxe_now(qp->dev) + timeout_ns(qp);
		qp->comp.timer_on = true;
		rxe_arm(qp->dev, qp->comp.deadline);
	} else {
		qp->comp.timer_on = false;
	}
}

static void progress(struct rxe_qp *qp)
{
	qp->comp.retrying = false;
	qp->comp.backoff = 0;
	qp->comp.probe = false;
	rxe_req_skip_acked(qp);
	qp->comp.retry_left = qp->attr.retry_cnt;
	qp->comp.rnr_left = qp->attr.rnr_retry;
	rxe_comp_update_timer(qp);
}

static void set_una(struct rxe_qp *qp, u32 psn)
{
	if (psn_diff(psn, qp->comp.una) > 0)
		qp->comp.una = psn;
}

/* Go back to una unless a go-back is already under way and nothing has
 * been acknowledged since: the NAKs and ACKs still in flight from before
 * the last go-back must not start another one each (a retransmission
 * storm on a reordering link). */
static void retry_from_una(struct rxe_qp *qp, bool force)
{
	if (qp->comp.retrying && !force)
		return;
	qp->comp.retrying = true;
	rxe_req_rewind(qp);
}

/* Acknowledge every PSN <= @psn.  Returns true if una moved. */
static bool ack_upto(struct rxe_qp *qp, u32 psn)
{
	u32 old = qp->comp.una;

	while (qp->sq_cons != qp->sq_prod) {
		struct rxe_send_wqe *w = rxe_sq(qp, qp->sq_cons);
		u32 last = psn_add(w->first_psn, w->npkts - 1);

		if (w->opcode == IB_WR_RDMA_READ) {
			if (psn_diff(psn, last) >= 0)
				retry_from_una(qp, false);
			break;
		}
		if (psn_diff(psn, last) < 0) {
			if (psn_diff(psn, w->first_psn) >= 0)
				set_una(qp, psn_add(psn, 1));
			break;
		}
		set_una(qp, psn_add(last, 1));
		qp->sq_cons++;
		rxe_send_wc(qp, w, IB_WC_SUCCESS);
	}
	return old != qp->comp.una;
}

static void comp_rnr_nak(struct rxe_qp *qp, const struct rxe_pkt *pkt)
{
	rxe_count(qp->dev, RXE_CNT_RNR_NAK_RCVD);
	if (qp->comp.rnr_wait)
		return;	/* a copy of the NAK we are waiting out */
	ack_upto(qp, psn_add(pkt->psn, ROCE_PSN_MASK));
	if (qp->attr.rnr_retry != 7) {
		if (qp->comp.rnr_left == 0) {
			rxe_qp_error(qp, IB_WC_RNR_RETRY_EXC_ERR);
			return;
		}
		qp->comp.rnr_left--;
	}
	retry_from_una(qp, true);
	qp->comp.probe = true;
	qp->comp.timer_on = false;
	qp->comp.rnr_wait = true;
	qp->comp.rnr_until = rxe_now(qp->dev) +
			     rxe_rnr_ns(pkt->syndrome & ROCE_AETH_VALUE_MASK);
	rxe_trace(qp, RXE_TR_RNR, pkt->opcode, pkt->psn,
		  (u32)(rxe_rnr_ns(pkt->syndrome & ROCE_AETH_VALUE_MASK) /
			1000));
	rxe_arm(qp->dev, qp->comp.rnr_until);
}

static void nak(struct rxe_qp *qp, const struct rxe_pkt *pkt)
{
	u32 code = pkt->syndrome & ROCE_AETH_VALUE_MASK;
	enum ib_wc_status st;

	if (code == ROCE_NAK_PSN_SEQ_ERR) {
		rxe_count(qp->dev, RXE_CNT_SEQ_NAK_RCVD);
		if (ack_upto(qp, psn_add(pkt->psn, ROCE_PSN_MASK)))
			progress(qp);
		retry_from_una(qp, false);
		rxe_req_run(qp);
		return;
	}
	ack_upto(qp, psn_add(pkt->psn, ROCE_PSN_MASK));
	if (code == ROCE_NAK_REM_ACCESS_ERR)
		st = IB_WC_REM_ACCESS_ERR;
	else if (code == ROCE_NAK_REM_OP_ERR)
		st = IB_WC_REM_OP_ERR;
	else if (code == ROCE_NAK_INVALID_REQ ||
		 code == ROCE_NAK_INVALID_RD_REQ)
		st = IB_WC_REM_INV_REQ_ERR;
	else
		st = IB_WC_BAD_RESP_ERR;
	rxe_count(qp->dev, RXE_CNT_ERR_NAK_RCVD);
	rxe_qp_error(qp, st);
}

static void ack_pkt(struct rxe_qp *qp, const struct rxe_pkt *pkt)
{
	switch (pkt->syndrome & ROCE_AETH_TYPE_MASK) {
	case ROCE_AETH_ACK:
		if (ack_upto(qp, pkt->psn))
			progress(qp);
		rxe_req_run(qp);
		break;
	case ROCE_AETH_RNR_NAK:
		comp_rnr_nak(qp, pkt);
		break;
	case ROCE_AETH_NAK:
		nak(qp, pkt);
		break;
	default:
		rxe_count(qp->dev, RXE_CNT_DROP_BAD_RESP);
	}
}

/* Is @pkt the next response the oldest WQE, a READ, awaits — right PSN,
 * opcode for its position, payload length, an ACK syndrome? */
static bool read_resp_expected(struct rxe_qp *qp, const struct rxe_pkt *pkt)
{
	struct rxe_send_wqe *w = rxe_sq(qp, qp->sq_cons);
	u32 k = w->read_rcvd;

	if (qp->sq_cons == qp->sq_prod || w->opcode != IB_WR_RDMA_READ ||
	    pkt->psn != psn_add(w->first_psn, k))
		return false;
	if (pkt->opcode != rxe_read_resp_opcode(w->npkts, k) ||
	    pkt->paylen != MIN(qp->mtu, w->length - k * qp->mtu))
		return false;
	return !(pkt->flags & ROCE_F_AETH) ||
	       (pkt->syndrome & ROCE_AETH_TYPE_MASK) == ROCE_AETH_ACK;
}

static void read_resp(struct rxe_qp *qp, const struct rxe_pkt *pkt)
{
	/* A response implicitly acknowledges every PSN before it. */
	bool acked = ack_upto(qp, psn_add(pkt->psn, ROCE_PSN_MASK));
	struct rxe_send_wqe *w = rxe_sq(qp, qp->sq_cons);
	u32 k = w->read_rcvd, len = pkt->paylen;

	if (!read_resp_expected(qp, pkt)) {
		rxe_count(qp->dev, RXE_CNT_DROP_BAD_RESP);
		if (acked) {
			progress(qp);
			rxe_req_run(qp);
		}
		return;
	}
	if (rxe_sge_copy(qp->dev, qp->ibqp.pd, w->sge, w->num_sge,
			 k * qp->mtu, (void *)pkt->payload, len, true)) {
		rxe_qp_error(qp, IB_WC_LOC_PROT_ERR);
		return;
	}
	w->read_rcvd++;
	set_una(qp, psn_add(pkt->psn, 1));
	if (w->read_rcvd == w->npkts) {
		qp->sq_cons++;
		rxe_send_wc(qp, w, IB_WC_SUCCESS);
	}
	progress(qp);
	rxe_req_run(qp);
}

void rxe_comp_rx(struct rxe_qp *qp, const struct rxe_pkt *pkt)
{
	/* Only PSNs in [una - 1, max_psn) can carry news. */
	if (psn_diff(pkt->psn, qp->comp.una) < -1 ||
	    psn_diff(pkt->psn, qp->req.max_psn) >= 0) {
		rxe_count(qp->dev, RXE_CNT_DROP_BAD_RESP);
		return;
	}
	if (pkt->flags & ROCE_F_READ)
		read_resp(qp, pkt);
	else
		ack_pkt(qp, pkt);
}

void rxe_comp_timer(struct rxe_qp *qp, u64 now)
{
	if (qp->comp.rnr_wait) {
		if (now < qp->comp.rnr_until) {
			rxe_arm(qp->dev, qp->comp.rnr_until);
			return;
		}
		qp->comp.rnr_wait = false;
		rxe_comp_update_timer(qp);
		rxe_req_run(qp);
		return;
	}
	if (!qp->comp.timer_on)
		return;
	if (now < qp->comp.deadline) {
		rxe_arm(qp->dev, qp->comp.deadline);
		return;
	}
	qp->comp.timer_on = false;
	if (qp->sq_cons == qp->sq_prod ||
	    psn_diff(qp->req.max_psn, qp->comp.una) <= 0)
		return;
	rxe_count(qp->dev, RXE_CNT_TIMEOUTS);
	rxe_trace(qp, RXE_TR_TIMEOUT, 0, qp->comp.una, qp->comp.retry_left);
	if (qp->comp.retry_left == qp->attr.retry_cnt && !qp->comp.backoff)
		qp->comp.stall_since = now;
	if (qp->comp.retry_left == 0) {
		if (now - qp->comp.stall_since >= qp->retry_ns) {
			rxe_qp_error(qp, IB_WC_RETRY_EXC_ERR);
			return;
		}
	} else {
		qp->comp.retry_left--;
	}
	if (qp->comp.backoff < RXE_BACKOFF_MAX)
		qp->comp.backoff++;
	qp->comp.probe = true;
	retry_from_una(qp, true);
	rxe_comp_update_timer(qp);
	rxe_req_run(qp);
}
