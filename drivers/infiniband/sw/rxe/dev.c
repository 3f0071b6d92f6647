/* drivers/infiniband/sw/rxe/dev.c — the rxe device: creation, the verbs
 * table, receive dispatch, timers, transmit and counters.
 *
 * rxe_rx() is the one entry for received frames: parse (wire.c, every
 * reject counted by reason), find the QP by destination QPN, check that the
 * frame comes from the QP's connected peer, then hand requests to the
 * responder (resp.c) and ACKs/READ responses to the completer (comp.c).
 * rxe_dev_timer() runs each QP's expired timers; QPs ask for a wake-up via
 * rxe_arm(), which forwards the deadline to the port's arm_timer.
 * One transmit buffer per device: frames are built and handed to xmit one
 * at a time (through fault.c), which the caller's per-device
 * serialization makes safe.
 */
#include "internal.h"
#include <lib/string.h>
#include <mm/mm.h>
#include <uapi/errno.h>

static const struct ib_device_ops rxe_ib_ops = {
	.alloc_pd = rxe_alloc_pd,
	.dealloc_pd = rxe_dealloc_pd,
	.reg_mr = rxe_reg_mr,
	.dereg_mr = rxe_dereg_mr,
	.create_cq = rxe_create_cq,
	.destroy_cq = rxe_destroy_cq,
	.create_qp = rxe_create_qp,
	.modify_qp = rxe_modify_qp,
	.query_qp = rxe_query_qp,
	.destroy_qp = rxe_destroy_qp,
	.post_send = rxe_post_send,
	.post_recv = rxe_post_recv,
	.poll_cq = rxe_poll_cq,
};

static const char *const rxe_counter_names[RXE_CNT_NR] = {
	[RXE_CNT_TX_PKTS] = "tx_pkts",
	[RXE_CNT_RX_PKTS] = "rx_pkts",
	[RXE_CNT_TX_FAIL] = "tx_fail",
	[RXE_CNT_RETRANSMITS] = "retransmits",
	[RXE_CNT_TIMEOUTS] = "timeouts",
	[RXE_CNT_SEQ_NAK_SENT] = "seq_nak_sent",
	[RXE_CNT_SEQ_NAK_RCVD] = "seq_nak_rcvd",
	[RXE_CNT_RNR_NAK_SENT] = "rnr_nak_sent",
	[RXE_CNT_RNR_NAK_RCVD] = "rnr_nak_rcvd",
	[RXE_CNT_ERR_NAK_SENT] = "err_nak_sent",
	[RXE_CNT_ERR_NAK_RCVD] = "err_nak_rcvd",
	[RXE_CNT_ACK_SENT] = "ack_sent",
	[RXE_CNT_DUP_REQ] = "dup_req",
	[RXE_CNT_DUP_READ] = "dup_read",
	[RXE_CNT_CQ_OVERFLOW] = "cq_overflow",
	[RXE_CNT_DROP_SHORT] = "drop_short",
	[RXE_CNT_DROP_NOT_IPV4] = "drop_not_ipv4",
	[RXE_CNT_DROP_BAD_IP] = "drop_bad_ip",
	[RXE_CNT_DROP_IP_CSUM] = "drop_ip_csum",
	[RXE_CNT_DROP_NOT_ROCE] = "drop_not_roce",
	[RXE_CNT_DROP_BAD_UDP_LEN] = "drop_bad_udp_len",
	[RXE_CNT_DROP_BAD_OPCODE] = "drop_bad_opcode",
	[RXE_CNT_DROP_BAD_BTH] = "drop_bad_bth",
	[RXE_CNT_DROP_BAD_ICRC] = "drop_bad_icrc",
	[RXE_CNT_DROP_UNKNOWN_QP] = "drop_unknown_qp",
	[RXE_CNT_DROP_QP_STATE] = "drop_qp_state",
	[RXE_CNT_DROP_WRONG_PEER] = "drop_wrong_peer",
	[RXE_CNT_DROP_BAD_RESP] = "drop_bad_resp",
	[RXE_CNT_DROP_OUT_OF_SEQ] = "drop_out_of_seq",
	[RXE_CNT_FAULT_DROP] = "fault_drop",
	[RXE_CNT_FAULT_DUP] = "fault_dup",
	[RXE_CNT_FAULT_REORDER] = "fault_reorder",
	[RXE_CNT_FAULT_HELD] = "fault_held",
	[RXE_CNT_FAULT_OVERFLOW] = "fault_overflow",
};

_Static_assert(RXE_CNT_DROP_SHORT + RXE_PARSE_BAD_ICRC - RXE_PARSE_SHORT ==
	       RXE_CNT_DROP_BAD_ICRC, "parse errors map onto drop counters");

int rxe_dev_create(const struct rxe_dev_config *cfg,
		   const struct rxe_port_ops *ops, void *ctx,
		   struct rxe_dev **out)
{
	struct rxe_dev *dev;

	if (!ops || !ops->xmit || !ops->now_ns || !ops->arm_timer ||
	    !ib_mtu_to_bytes(cfg->max_mtu) || !cfg->max_qp ||
	    cfg->max_qp > ROCE_QPN_MASK - RXE_FIRST_QPN || !cfg->max_mr ||
	    cfg->max_mr >= (1u << 24))
		return -EINVAL;
	dev = kzalloc(sizeof(*dev));
	if (!dev)
		return -ENOMEM;
	dev->qps = kcalloc(cfg->max_qp, sizeof(*dev->qps));
	dev->mrs = kcalloc(cfg->max_mr, sizeof(*dev->mrs));
	if (!dev->qps || !dev->mrs) {
		kfree(dev->qps);
		kfree(dev->mrs);
		kfree(dev);
		return -ENOMEM;
	}
	strscpy(dev->ibdev.name, cfg->name ? cfg->name : "rxe0",
		sizeof(dev->ibdev.name));
	dev->ibdev.ops = &rxe_ib_ops;
	INIT_LIST_HEAD(&dev->ibdev.list);
	INIT_LIST_HEAD(&dev->held);
	memcpy(dev->ibdev.mac, cfg->mac, 6);
	dev->ibdev.ipv4 = cfg->ipv4;
	dev->ops = ops;
	dev->ctx = ctx;
	dev->max_mtu = ib_mtu_to_bytes(cfg->max_mtu);
	dev->ack_delay_ns = (u64)cfg->ack_delay_us * 1000;
	dev->max_qp = cfg->max_qp;
	dev->max_mr = cfg->max_mr;
	*out = dev;
	return 0;
}

int rxe_dev_destroy(struct rxe_dev *dev)
{
	if (dev->nr_pd || dev->nr_cq)
		return -EBUSY;
	rxe_fault_flush(dev);
	rxe_dev_set_trace(dev, 0);
	kfree(dev->qps);
	kfree(dev->mrs);
	kfree(dev);
	return 0;
}

struct ib_device *rxe_ib_device(struct rxe_dev *dev)
{
	return &dev->ibdev;
}

u64 rxe_counter(const struct rxe_dev *dev, enum rxe_counter c)
{
	return (unsigned int)c < RXE_CNT_NR ? dev->counters[c] : 0;
}

const char *rxe_counter_name(enum rxe_counter c)
{
	return (unsigned int)c < RXE_CNT_NR ? rxe_counter_names[c] : "?";
}

struct rxe_qp *rxe_qp_lookup(struct rxe_dev *dev, u32 qpn)
{
	if (qpn < RXE_FIRST_QPN || qpn - RXE_FIRST_QPN >= dev->max_qp)
		return NULL;
	return dev->qps[qpn - RXE_FIRST_QPN];
}

void rxe_tx_init(struct rxe_qp *qp, struct rxe_tx *tx, u8 opcode, u32 psn)
{
	struct rxe_dev *dev = qp->dev;

	memset(tx, 0, sizeof(*tx));
	memcpy(tx->smac, dev->ibdev.mac, 6);
	memcpy(tx->dmac, qp->attr.ah_attr.dmac, 6);
	tx->sip = dev->ibdev.ipv4;
	tx->dip = qp->attr.ah_attr.dip;
	/* Flow entropy from the source QPN, in the range RoCEv2 suggests. */
	tx->sport = (u16)(0xc000 | (qp->ibqp.qp_num & 0x3fff));
	tx->ip_id = dev->ip_id++;
	tx->opcode = opcode;
	tx->qpn = qp->attr.dest_qp_num;
	tx->psn = psn & ROCE_PSN_MASK;
	tx->src_qpn = qp->ibqp.qp_num;
}

void rxe_xmit(struct rxe_dev *dev, const struct rxe_tx *tx)
{
	u32 len = rxe_pkt_build_finish(dev->txbuf, tx);
	u8 what;

	rxe_count(dev, RXE_CNT_TX_PKTS);
	what = rxe_fault_xmit(dev, dev->txbuf, len);
	if (dev->trace)
		rxe_trace_rec(dev, RXE_TR_TX, tx->src_qpn, tx->opcode, tx->psn,
			      0, what | (tx->ackreq ? RXE_TRF_ACKREQ : 0) |
				 (tx->retx ? RXE_TRF_RETX : 0));
}

void rxe_arm(struct rxe_dev *dev, u64 deadline)
{
	dev->ops->arm_timer(dev->ctx, deadline);
}

void rxe_rx(struct rxe_dev *dev, const void *frame, u32 len)
{
	enum rxe_parse_err err;
	struct rxe_pkt pkt;
	struct rxe_qp *qp;

	rxe_count(dev, RXE_CNT_RX_PKTS);
	err = rxe_pkt_parse(frame, len, &pkt);
	if (err) {
		rxe_count(dev, RXE_CNT_DROP_SHORT + (err - RXE_PARSE_SHORT));
		return;
	}
	qp = rxe_qp_lookup(dev, pkt.qpn);
	if (!qp) {
		rxe_count(dev, RXE_CNT_DROP_UNKNOWN_QP);
		return;
	}
	if (qp->state < IB_QPS_RTR || qp->state > IB_QPS_RTS) {
		rxe_count(dev, RXE_CNT_DROP_QP_STATE);
		return;
	}
	if (pkt.sip != qp->attr.ah_attr.dip || pkt.dip != dev->ibdev.ipv4) {
		rxe_count(dev, RXE_CNT_DROP_WRONG_PEER);
		return;
	}
	rxe_trace(qp, RXE_TR_RX, pkt.opcode, pkt.psn,
		  (u32)pkt.syndrome << 24 | ((pkt.flags & ROCE_F_REQ) ?
					     qp->resp.epsn : qp->comp.una));
	if (pkt.flags & ROCE_F_REQ)
		rxe_resp_rx(qp, &pkt);
	else if (qp->state == IB_QPS_RTS)
		rxe_comp_rx(qp, &pkt);
	else
		rxe_count(dev, RXE_CNT_DROP_QP_STATE);
}

void rxe_dev_timer(struct rxe_dev *dev)
{
	u64 now = rxe_now(dev);

	rxe_fault_run(dev, now);
	for (u32 i = 0; i < dev->max_qp; i++) {
		struct rxe_qp *qp = dev->qps[i];

		if (qp && qp->state == IB_QPS_RTS)
			rxe_comp_timer(qp, now);
		if (qp && (qp->state == IB_QPS_RTR || qp->state == IB_QPS_RTS))
			rxe_resp_timer(qp, now);
	}
}
