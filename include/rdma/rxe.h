/* include/rdma/rxe.h — the emulated RDMA NIC (drivers/infiniband/sw/rxe):
 * RoCEv2 reliable connection over any Ethernet-like port.
 *
 * The core is pure logic.  It owns no thread, no lock and no timer; the
 * glue that binds it to a NIC (virtio-net in the kernel, a simulated link in
 * tests/host/test_rxe_rc.c) supplies a port:
 *   xmit(ctx, frame, len)       send one Ethernet frame (copied before it
 *                               returns; a failure is a lost frame),
 *   now_ns(ctx)                 a monotonic clock,
 *   arm_timer(ctx, deadline)    call rxe_dev_timer() at or after @deadline;
 *                               repeated calls mean "the earliest of them"
 *                               and an early or spurious call is harmless.
 * The glue hands every received frame to rxe_rx().
 *
 * Locking: none inside.  The caller serializes every entry point on one
 * device (rxe_rx, rxe_dev_timer and the ib_device_ops verbs) — in the
 * kernel one spinlock per device taken with interrupts off, since rx and
 * the timer run from interrupt context.  Callbacks are invoked with that
 * serialization held: xmit and arm_timer must not re-enter rxe, and CQ
 * completion handlers must not call verbs of the same device.
 *
 * Design and state machines: Documentation/rdma.md.
 */
#ifndef RDMA_RXE_H
#define RDMA_RXE_H

#include <rdma/ib_verbs.h>

struct rxe_dev;

struct rxe_port_ops {
	int (*xmit)(void *ctx, const void *frame, u32 len);
	u64 (*now_ns)(void *ctx);
	void (*arm_timer)(void *ctx, u64 deadline_ns);
};

struct rxe_dev_config {
	const char *name;
	u8 mac[6];
	u32 ipv4;		/* host order */
	enum ib_mtu max_mtu;	/* largest path MTU the Ethernet carries */
	u32 max_qp;		/* QP numbers 2 .. max_qp + 1 */
	u32 max_mr;
	u32 ack_delay_us;	/* ACK a message's end this late at most, or
				 * sooner behind the QP's next packet (0: at
				 * once); keep it far below the peers'
				 * retransmission timeout */
};

/* Counters: packets, recovery events, and one per reason a received frame
 * was dropped.  Monotonic; read with rxe_counter(). */
enum rxe_counter {
	RXE_CNT_TX_PKTS,
	RXE_CNT_RX_PKTS,
	RXE_CNT_TX_FAIL,		/* xmit callback returned an error */
	RXE_CNT_RETRANSMITS,		/* packets sent again */
	RXE_CNT_TIMEOUTS,		/* retransmission timer expiries */
	RXE_CNT_SEQ_NAK_SENT,
	RXE_CNT_SEQ_NAK_RCVD,
	RXE_CNT_RNR_NAK_SENT,
	RXE_CNT_RNR_NAK_RCVD,
	RXE_CNT_ERR_NAK_SENT,		/* invalid request / access / op */
	RXE_CNT_ERR_NAK_RCVD,
	RXE_CNT_ACK_SENT,
	RXE_CNT_DUP_REQ,		/* duplicate requests received */
	RXE_CNT_DUP_READ,		/* duplicate READs re-executed */
	RXE_CNT_CQ_OVERFLOW,		/* completions lost to a full CQ */
	/* received frames dropped, by reason (enum rxe_parse_err order) */
	RXE_CNT_DROP_SHORT,		/* shorter than its headers say */
	RXE_CNT_DROP_NOT_IPV4,
	RXE_CNT_DROP_BAD_IP,		/* version/IHL/fragment/length */
	RXE_CNT_DROP_IP_CSUM,
	RXE_CNT_DROP_NOT_ROCE,		/* not UDP to port 4791 */
	RXE_CNT_DROP_BAD_UDP_LEN,
	RXE_CNT_DROP_BAD_OPCODE,
	RXE_CNT_DROP_BAD_BTH,		/* TVer, pad, lengths for opcode */
	RXE_CNT_DROP_BAD_ICRC,
	/* ... and by the transport */
	RXE_CNT_DROP_UNKNOWN_QP,
	RXE_CNT_DROP_QP_STATE,		/* QP not in a state to receive */
	RXE_CNT_DROP_WRONG_PEER,	/* source is not the connected peer */
	RXE_CNT_DROP_BAD_RESP,		/* unexpected ACK/READ response */
	RXE_CNT_DROP_OUT_OF_SEQ,	/* after a NAK, until the gap fills */
	/* injected faults (rxe_dev_set_faults) */
	RXE_CNT_FAULT_DROP,
	RXE_CNT_FAULT_DUP,
	RXE_CNT_FAULT_REORDER,
	RXE_CNT_FAULT_HELD,		/* frames delayed in the queue */
	RXE_CNT_FAULT_OVERFLOW,		/* queue full: frame lost */
	RXE_CNT_NR
};

/* Seeded fault injection on transmit, for testing recovery without any
 * outside tool (the kernel's rxe.drop=, rxe.dup=, rxe.reorder=,
 * rxe.delay_us=, rxe.seed= parameters).  Probabilities are in parts per
 * million.  Every frame is delayed by delay_us; a reordered one by up to
 * four times as much more (at least 50 us), so frames behind it overtake
 * it; a duplicate is a second copy with its own delay. */
struct rxe_fault_params {
	u32 drop_ppm, dup_ppm, reorder_ppm;
	u32 delay_us;
	u64 seed;
};

/* Parse a probability "0", "1", "0.02", ".5" (at most 6 decimals) into
 * parts per million.  Returns 0 or -EINVAL. */
int rxe_fault_parse_ppm(const char *s, u32 *ppm);

/* Create a device on a port.  Returns 0 or -EINVAL / -ENOMEM.  May be
 * called only where kmalloc may be called. */
int rxe_dev_create(const struct rxe_dev_config *cfg,
		   const struct rxe_port_ops *ops, void *ctx,
		   struct rxe_dev **out);
/* Every QP, CQ, MR and PD must be destroyed first (-EBUSY otherwise). */
int rxe_dev_destroy(struct rxe_dev *dev);
struct ib_device *rxe_ib_device(struct rxe_dev *dev);

/* Turn fault injection on (or off, with all-zero @p).  Frames already
 * held are still delivered. */
void rxe_dev_set_faults(struct rxe_dev *dev, const struct rxe_fault_params *p);

/* One received Ethernet frame.  Never fails: anything wrong is counted. */
void rxe_rx(struct rxe_dev *dev, const void *frame, u32 len);
/* Run expired retransmission and RNR timers and release delayed frames
 * that are due. */
void rxe_dev_timer(struct rxe_dev *dev);

u64 rxe_counter(const struct rxe_dev *dev, enum rxe_counter c);
const char *rxe_counter_name(enum rxe_counter c);

/* Event trace (trace.c): a ring of the newest transport events, off
 * unless enabled.  For debugging recovery (Documentation/rdma.md). */
enum rxe_trace_kind {
	RXE_TR_TX,		/* psn, opcode; flags RXE_TRF_*; arg unused */
	RXE_TR_RX,		/* psn, opcode, syndrome in arg bits 31:24,
				 * epsn (request) or una (response) in 23:0 */
	RXE_TR_REWIND,		/* psn = una, arg = packet index resumed at */
	RXE_TR_TIMEOUT,		/* psn = una, arg = retries left */
	RXE_TR_RNR,		/* psn = NAKed PSN, arg = wait in us */
	RXE_TR_ERROR,		/* arg = ib_wc_status of the failed WQE */
	RXE_TR_NR
};
#define RXE_TRF_ACKREQ		0x01
#define RXE_TRF_RETX		0x02	/* PSN sent before */
#define RXE_TRF_DROPPED		0x04	/* by the fault injector */
#define RXE_TRF_DUP		0x08	/* ... sent twice */
#define RXE_TRF_HELD		0x10	/* ... delayed or reordered */
#define RXE_TRACE_MAX		65536

struct rxe_trace_ev {
	u64 ns;
	u32 qpn;		/* the local QP */
	u32 psn;
	u32 arg;
	u8 kind, opcode, flags;
};

/* Record the newest @entries events (a power of two up to RXE_TRACE_MAX;
 * 0 stops and frees).  Returns 0, -EINVAL or -ENOMEM. */
int rxe_dev_set_trace(struct rxe_dev *dev, u32 entries);
/* Copy the newest (at most @max) events of QP @qpn (0: of every QP) into
 * @out, oldest first; returns how many. */
u32 rxe_trace_read(const struct rxe_dev *dev, u32 qpn,
		   struct rxe_trace_ev *out, u32 max);
const char *rxe_trace_kind_name(u8 kind);

/* --- kernel glue (sw/rxe/net.c) ---
 * rxe_net_init: bind an rxe device ("rxeN", IPv4 169.254.N.(node+1)) to
 * every netdev and register it; idempotent; thread context.  The verbs
 * of these devices lock internally and may be called from any context
 * except a CQ completion handler of the same device. */
struct net_device;
int rxe_net_init(void);
struct ib_device *rxe_net_ibdev(struct net_device *ndev);
u64 rxe_net_counter(struct ib_device *ib, enum rxe_counter c);
enum ib_mtu rxe_net_mtu(struct ib_device *ib);
void rxe_net_dump(struct ib_device *ib);
/* rxe.trace=N: print QP @qpn's recorded events (the newest @max) on
 * serial; nothing if tracing is off.  Thread context. */
void rxe_net_trace_dump(struct ib_device *ib, u32 qpn, u32 max);
/* Fault injection at run time (all-zero @p: off).  Any context. */
void rxe_net_set_faults(struct ib_device *ib, const struct rxe_fault_params *p);

/* Selftests (CONFIG_SELFTEST): broken frames a hostile peer might send. */
enum rxe_test_frame {
	RXE_TF_BAD_ICRC,	/* -> drop_bad_icrc */
	RXE_TF_UNKNOWN_QPN,	/* -> drop_unknown_qp */
	RXE_TF_TRUNCATED,	/* -> drop_short */
	RXE_TF_PSN_AHEAD,	/* 4096 PSNs early -> one sequence NAK */
	RXE_TF_PSN_BEHIND,	/* 4096 PSNs late -> a duplicate, re-ACKed */
};
int rxe_net_test_xmit(struct ib_qp *qp, enum rxe_test_frame kind);

#endif
