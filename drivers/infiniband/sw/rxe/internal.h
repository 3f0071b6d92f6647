/* drivers/infiniband/sw/rxe/internal.h — rxe's private structures.
 *
 * Map of the directory:
 *   wire.c   RoCEv2 frame build and parse (include/protocol/roce.h)
 *   icrc.c   the invariant CRC
 *   fault.c  seeded drop/duplicate/reorder/delay on transmit
 *   dev.c    device, QP-number table, rx dispatch, timers, counters
 *   mr.c     PDs, MRs, key lookup, copies between frames and SGE lists
 *   cq.c     completion queues
 *   qp.c     QP creation, the modify_qp state machine, posting, flushing
 *   req.c    requester: WQE -> packets, window, retransmission, rewind
 *   comp.c   completer: ACK/NAK/READ response -> completions, timers
 *   resp.c   responder: requests -> memory, receive WCs, ACK/NAK, READ
 *   trace.c  optional ring of recent events (rxe_dev_set_trace)
 * Nothing in here locks: the caller serializes per device (rdma/rxe.h).
 *
 * Indices of the send and receive rings are free-running u32 counters;
 * ring sizes are powers of two so (counter & (size - 1)) is the slot.
 * PSNs are 24-bit and compared with psn_diff().
 */
#ifndef RXE_INTERNAL_H
#define RXE_INTERNAL_H

#include <rdma/rxe.h>
#include <protocol/roce.h>

#define RXE_MAX_SGE		8
#define RXE_MAX_RD_ATOMIC	16	/* READ resources per QP */
#define RXE_WINDOW		128	/* unacknowledged PSNs in flight */
#define RXE_ACK_EVERY		8	/* AckReq at least every N PSNs */
#define RXE_BACKOFF_MAX		4	/* timeout doubles up to 16x */
#define RXE_MAX_PAYLOAD		4096
#define RXE_MAX_FRAME		(sizeof(struct roce_l2l4_hdr) + \
				 sizeof(struct roce_bth) + 16 + 4 + 4 + \
				 RXE_MAX_PAYLOAD + 3 + ROCE_ICRC_SIZE)
#define RXE_MAX_QUEUE		4096	/* max WRs in a SQ or RQ */
#define RXE_DEFAULT_TIMEOUT	14	/* 4.096 us << 14 = 67 ms */
#define RXE_FIRST_QPN		2

/* --- PSN arithmetic --- */
static inline s32 psn_diff(u32 a, u32 b)
{
	return (s32)((a - b) << 8) >> 8;
}
static inline u32 psn_add(u32 psn, u32 n)
{
	return (psn + n) & ROCE_PSN_MASK;
}

/* Opcode of READ response packet @k of @npkts. */
static inline u8 rxe_read_resp_opcode(u32 npkts, u32 k)
{
	if (npkts == 1)
		return ROCE_READ_RESP_ONLY;
	if (k == 0)
		return ROCE_READ_RESP_FIRST;
	return k == npkts - 1 ? ROCE_READ_RESP_LAST : ROCE_READ_RESP_MIDDLE;
}

/* --- wire.c --- */

/* Why a frame was rejected; the order matches RXE_CNT_DROP_SHORT.. */
enum rxe_parse_err {
	RXE_PARSE_OK = 0,
	RXE_PARSE_SHORT,
	RXE_PARSE_NOT_IPV4,
	RXE_PARSE_BAD_IP,
	RXE_PARSE_IP_CSUM,
	RXE_PARSE_NOT_ROCE,
	RXE_PARSE_BAD_UDP_LEN,
	RXE_PARSE_BAD_OPCODE,
	RXE_PARSE_BAD_BTH,
	RXE_PARSE_BAD_ICRC,
	RXE_PARSE_NR
};

/* A decoded packet.  Fields of absent headers are zero.  @payload points
 * into the frame passed to rxe_pkt_parse(). */
struct rxe_pkt {
	u8 smac[6];
	u8 dmac[6];
	u32 sip, dip;
	u16 sport;
	u8 opcode;
	u32 flags;		/* enum roce_op_flags */
	bool se, ackreq;
	u32 qpn, psn;
	u64 va;			/* RETH */
	u32 rkey, dma_len;
	u8 syndrome;		/* AETH */
	u32 msn;
	u32 imm;		/* ImmDt */
	const u8 *payload;
	u32 paylen;
};

/* What to put in a frame (rxe_pkt_build*). */
struct rxe_tx {
	u8 smac[6], dmac[6];
	u32 sip, dip;
	u16 sport;
	u16 ip_id;
	u8 opcode;
	bool se, ackreq;
	u32 qpn, psn;
	u64 va;
	u32 rkey, dma_len;
	u8 syndrome;
	u32 msn;
	u32 imm;
	u32 paylen;
	u32 src_qpn;		/* trace only: the sending QP */
	bool retx;		/* trace only: a retransmission */
};

u32 rxe_op_flags(u8 opcode);
const char *rxe_parse_err_name(enum rxe_parse_err e);
u32 rxe_frame_len(const struct rxe_tx *tx);
u8 *rxe_pkt_build_hdrs(u8 *buf, const struct rxe_tx *tx);
u32 rxe_pkt_build_finish(u8 *buf, const struct rxe_tx *tx);
u32 rxe_pkt_build(u8 *buf, u32 cap, const struct rxe_tx *tx,
		  const void *payload);
enum rxe_parse_err rxe_pkt_parse(const u8 *frame, u32 len,
				 struct rxe_pkt *pkt);

/* --- icrc.c --- */
/* ICRC of the IP packet at @ip (IP header .. end of padding, @len bytes,
 * excluding the ICRC itself). */
u32 rxe_icrc(const u8 *ip, u32 len);

/* --- objects --- */

struct rxe_pd {
	struct ib_pd ibpd;
	u32 users;		/* MRs and QPs on this PD */
};

struct rxe_mr {
	struct ib_mr ibmr;
	u8 *base;		/* host pointer of ibmr.addr */
};

struct rxe_cq {
	struct ib_cq ibcq;
	struct ib_wc *ring;
	u32 size;		/* power of two */
	u32 prod, cons;
	u32 users;		/* QPs completing here */
};

struct rxe_send_wqe {
	u64 wr_id;
	enum ib_wr_opcode opcode;
	u32 send_flags;
	u32 imm;
	u64 remote_addr;
	u32 rkey;
	u32 length;		/* sum of the SGEs */
	u32 num_sge;
	struct ib_sge sge[RXE_MAX_SGE];
	u32 first_psn;		/* assigned when posted */
	u32 npkts;		/* PSNs the message uses */
	u32 read_rcvd;		/* READ: response packets received */
};

struct rxe_recv_wqe {
	u64 wr_id;
	u32 length;
	u32 num_sge;
	struct ib_sge sge[RXE_MAX_SGE];
};

/* A READ the responder served, kept to answer a duplicate request. */
struct rxe_read_res {
	bool valid;
	u32 psn;
	u32 npkts;
	u64 va;
	u32 rkey;
	u32 len;
};

enum rxe_in_msg { RXE_MSG_NONE, RXE_MSG_SEND, RXE_MSG_WRITE };

struct rxe_qp {
	struct ib_qp ibqp;
	struct rxe_dev *dev;
	enum ib_qp_state state;
	struct ib_qp_attr attr;
	u32 mtu;		/* bytes, from attr.path_mtu */
	bool sq_sig_all;

	struct rxe_send_wqe *sq;
	u32 sq_size, sq_prod, sq_cons;	/* cons: oldest not completed */
	struct rxe_recv_wqe *rq;
	u32 rq_size, rq_prod, rq_cons;	/* cons: next to fill */

	struct {			/* requester (req.c) */
		u32 wqe;		/* next WQE to transmit from */
		u32 pkt;		/* its next packet index */
		u32 next_psn;		/* first PSN of the next WQE */
		u32 max_psn;		/* one past the highest PSN sent */
	} req;
	struct {			/* completer (comp.c) */
		u32 una;		/* oldest unacknowledged PSN */
		u32 retry_left;
		u32 rnr_left;
		u32 backoff;		/* expiries since progress, capped */
		bool probe;		/* timeout or RNR: small window */
		bool retrying;		/* went back, no ACK since */
		bool timer_on;
		u64 deadline;
		bool rnr_wait;
		u64 rnr_until;
	} comp;
	struct {			/* responder (resp.c) */
		u32 epsn;		/* expected PSN */
		u32 msn;
		bool nak_sent;		/* NAKed; silent until epsn */
		u64 ack_due;		/* delayed ACK owed by then (0: none) */
		enum rxe_in_msg in_msg;
		u32 recv_off;		/* SEND: bytes placed so far */
		u64 wr_va;		/* WRITE: next address */
		u32 wr_rkey;
		u32 wr_left;		/* WRITE: bytes still to come */
		u32 wr_len;
		struct rxe_read_res reads[RXE_MAX_RD_ATOMIC];
		u32 read_next;
	} resp;
};

struct rxe_dev {
	struct ib_device ibdev;
	const struct rxe_port_ops *ops;
	void *ctx;
	u32 max_mtu;
	u64 ack_delay_ns;		/* 0: ACK at once (resp.c) */
	bool acks_owed;			/* some QP may owe a delayed ACK */
	struct rxe_qp **qps;		/* index qpn - RXE_FIRST_QPN */
	u32 max_qp;
	struct rxe_mr **mrs;		/* index key >> 8 */
	u32 max_mr;
	u32 key_gen;			/* low 8 bits of the next key */
	u32 nr_pd, nr_cq;
	u16 ip_id;
	u64 counters[RXE_CNT_NR];
	struct rxe_fault_params faults;	/* fault.c */
	bool fault_on;
	u64 fault_rng;
	struct list_head held;		/* delayed frames, by due time */
	u32 nr_held;
	struct rxe_trace_ev *trace;	/* trace.c; NULL: off */
	u32 trace_size;
	u64 trace_next;			/* events recorded so far */
	u8 txbuf[RXE_MAX_FRAME];	/* one frame being built */
};

static inline struct rxe_dev *to_rdev(struct ib_device *d)
{
	return container_of(d, struct rxe_dev, ibdev);
}
static inline struct rxe_qp *to_rqp(struct ib_qp *q)
{
	return container_of(q, struct rxe_qp, ibqp);
}
static inline struct rxe_cq *to_rcq(struct ib_cq *c)
{
	return container_of(c, struct rxe_cq, ibcq);
}
static inline struct rxe_pd *to_rpd(struct ib_pd *p)
{
	return container_of(p, struct rxe_pd, ibpd);
}
static inline struct rxe_mr *to_rmr(struct ib_mr *m)
{
	return container_of(m, struct rxe_mr, ibmr);
}

static inline void rxe_count(struct rxe_dev *dev, enum rxe_counter c)
{
	dev->counters[c]++;
}
static inline u64 rxe_now(struct rxe_dev *dev)
{
	return dev->ops->now_ns(dev->ctx);
}

/* --- dev.c --- */
struct rxe_qp *rxe_qp_lookup(struct rxe_dev *dev, u32 qpn);
/* Fill the address part of @tx for a packet from @qp to its peer. */
void rxe_tx_init(struct rxe_qp *qp, struct rxe_tx *tx, u8 opcode, u32 psn);
/* Build the frame in dev->txbuf (payload already copied to the pointer
 * rxe_pkt_build_hdrs returned) and transmit it. */
void rxe_xmit(struct rxe_dev *dev, const struct rxe_tx *tx);
void rxe_arm(struct rxe_dev *dev, u64 deadline);

/* --- fault.c --- */
/* Send a frame through the fault injector to the port.  Returns what the
 * injector did (RXE_TRF_DROPPED/DUP/HELD, 0: sent as is). */
u8 rxe_fault_xmit(struct rxe_dev *dev, const void *frame, u32 len);
/* Release held frames that are due; re-arm for the next one. */
void rxe_fault_run(struct rxe_dev *dev, u64 now);
/* Free every held frame (device teardown). */
void rxe_fault_flush(struct rxe_dev *dev);

/* --- mr.c --- */
int rxe_alloc_pd(struct ib_device *dev, struct ib_pd **pd);
int rxe_dealloc_pd(struct ib_pd *pd);
int rxe_reg_mr(struct ib_pd *pd, void *addr, u64 length, int access,
	       struct ib_mr **mr);
int rxe_dereg_mr(struct ib_mr *mr);
/* The MR for @key if it exists, belongs to @pd, grants @access and covers
 * [va, va + len); else NULL. */
struct rxe_mr *rxe_mr_check(struct rxe_dev *dev, struct ib_pd *pd, u32 key,
			    bool rkey, int access, u64 va, u64 len);
/* Copy between a flat buffer and an SGE list starting @off bytes into the
 * list.  @to_sge: buffer -> SGEs (needs LOCAL_WRITE).  Returns 0, or
 * -EFAULT if a key is gone or a range falls outside its MR. */
int rxe_sge_copy(struct rxe_dev *dev, struct ib_pd *pd,
		 const struct ib_sge *sge, u32 num_sge, u32 off,
		 void *buf, u32 len, bool to_sge);

/* --- cq.c --- */
int rxe_create_cq(struct ib_device *dev, int cqe, ib_comp_handler handler,
		  void *ctx, struct ib_cq **cq);
int rxe_destroy_cq(struct ib_cq *cq);
int rxe_poll_cq(struct ib_cq *cq, int num, struct ib_wc *wc);
void rxe_cq_push(struct rxe_dev *dev, struct ib_cq *cq,
		 const struct ib_wc *wc);

/* --- qp.c --- */
int rxe_create_qp(struct ib_pd *pd, struct ib_qp_init_attr *init,
		  struct ib_qp **qp);
int rxe_modify_qp(struct ib_qp *qp, struct ib_qp_attr *attr, int mask);
int rxe_query_qp(struct ib_qp *qp, struct ib_qp_attr *attr);
int rxe_destroy_qp(struct ib_qp *qp);
int rxe_post_send(struct ib_qp *qp, const struct ib_send_wr *wr,
		  const struct ib_send_wr **bad_wr);
int rxe_post_recv(struct ib_qp *qp, const struct ib_recv_wr *wr,
		  const struct ib_recv_wr **bad_wr);
/* Complete the oldest send WQE with @status (if not SUCCESS) and move the
 * QP to ERR, flushing everything else. */
void rxe_qp_error(struct rxe_qp *qp, enum ib_wc_status status);
void rxe_send_wc(struct rxe_qp *qp, struct rxe_send_wqe *wqe,
		 enum ib_wc_status status);
void rxe_recv_wc(struct rxe_qp *qp, struct rxe_recv_wqe *wqe,
		 enum ib_wc_status status, enum ib_wc_opcode op, u32 len,
		 bool imm, u32 imm_data);
static inline struct rxe_send_wqe *rxe_sq(struct rxe_qp *qp, u32 i)
{
	return &qp->sq[i & (qp->sq_size - 1)];
}
static inline struct rxe_recv_wqe *rxe_rq(struct rxe_qp *qp, u32 i)
{
	return &qp->rq[i & (qp->rq_size - 1)];
}

/* --- req.c --- */
/* Transmit what the window allows.  Called after posting, on ACKs and on
 * timer expiry. */
void rxe_req_run(struct rxe_qp *qp);
/* Go back to the oldest unacknowledged PSN (go-back-N). */
void rxe_req_rewind(struct rxe_qp *qp);
/* After an ACK: a cursor left behind una (a go-back overtaken by a late
 * ACK) moves up to una, so acknowledged packets are not sent again. */
void rxe_req_skip_acked(struct rxe_qp *qp);

/* --- comp.c --- */
void rxe_comp_rx(struct rxe_qp *qp, const struct rxe_pkt *pkt);
void rxe_comp_timer(struct rxe_qp *qp, u64 now);
/* (Re)arm or stop the retransmission timer after progress. */
void rxe_comp_update_timer(struct rxe_qp *qp);
u64 rxe_rnr_ns(u32 code);

/* --- trace.c --- */
void rxe_trace_rec(struct rxe_dev *dev, u8 kind, u32 qpn, u8 opcode,
		   u32 psn, u32 arg, u8 flags);
static inline void rxe_trace(struct rxe_qp *qp, u8 kind, u8 opcode, u32 psn,
			     u32 arg)
{
	if (qp->dev->trace)
		rxe_trace_rec(qp->dev, kind, qp->ibqp.qp_num, opcode, psn,
			      arg, 0);
}

/* --- resp.c --- */
void rxe_resp_rx(struct rxe_qp *qp, const struct rxe_pkt *pkt);
/* Send the delayed ACKs that QPs to @qp's peer owe, behind the packets
 * @qp's requester just sent (req.c); or each when it is due (the device
 * timer). */
void rxe_resp_flush_acks(struct rxe_qp *qp);
void rxe_resp_timer(struct rxe_qp *qp, u64 now);

#endif
