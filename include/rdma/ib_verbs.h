/* include/rdma/ib_verbs.h — the verbs API of Tessera.
 *
 * Mirrors rdma-core's <infiniband/verbs.h>: every enum below carries the
 * libibverbs name with IB_ instead of IBV_ and exactly the same value
 * (tests/host/test_verbs_abi.c includes both headers and static-asserts
 * each one).  The structures are Tessera's own: fixed-width fields, no
 * user-space context pointers, immediate data in host byte order (the
 * provider converts to and from the wire's big-endian ImmDt).
 *
 * Objects: a provider (drivers/infiniband/sw/rxe today, mlx4 later)
 * registers an ib_device with an ops table.  Its PDs, MRs, CQs and QPs embed
 * the ib_* structs below (container_of to the provider's own).  The verbs
 * are static inline dispatchers to the ops table, so the fast path
 * (post_send, post_recv, poll_cq) costs one indirect call; providers check
 * every argument and return 0 or a negative errno.
 *
 * QP state machine (RC): RESET -> INIT -> RTR -> RTS, any state -> ERR or
 * RESET.  Entering ERR flushes every outstanding work request with
 * IB_WC_WR_FLUSH_ERR.  post_recv is allowed from INIT on, post_send in RTS.
 *
 * Locking: the verbs do not sleep.  A provider documents what it serializes;
 * rxe expects its caller (the kernel glue) to serialize per device.
 */
#ifndef RDMA_IB_VERBS_H
#define RDMA_IB_VERBS_H

#include <tessera/compiler.h>
#include <lib/list.h>

/* --- values mirrored from rdma-core (same order, same numbers) --- */

enum ib_mtu {
	IB_MTU_256 = 1,
	IB_MTU_512 = 2,
	IB_MTU_1024 = 3,
	IB_MTU_2048 = 4,
	IB_MTU_4096 = 5,
};

static inline u32 ib_mtu_to_bytes(enum ib_mtu mtu)
{
	return (mtu >= IB_MTU_256 && mtu <= IB_MTU_4096) ? 128u << mtu : 0;
}

enum ib_wc_status {
	IB_WC_SUCCESS,
	IB_WC_LOC_LEN_ERR,
	IB_WC_LOC_QP_OP_ERR,
	IB_WC_LOC_EEC_OP_ERR,
	IB_WC_LOC_PROT_ERR,
	IB_WC_WR_FLUSH_ERR,
	IB_WC_MW_BIND_ERR,
	IB_WC_BAD_RESP_ERR,
	IB_WC_LOC_ACCESS_ERR,
	IB_WC_REM_INV_REQ_ERR,
	IB_WC_REM_ACCESS_ERR,
	IB_WC_REM_OP_ERR,
	IB_WC_RETRY_EXC_ERR,
	IB_WC_RNR_RETRY_EXC_ERR,
	IB_WC_LOC_RDD_VIOL_ERR,
	IB_WC_REM_INV_RD_REQ_ERR,
	IB_WC_REM_ABORT_ERR,
	IB_WC_INV_EECN_ERR,
	IB_WC_INV_EEC_STATE_ERR,
	IB_WC_FATAL_ERR,
	IB_WC_RESP_TIMEOUT_ERR,
	IB_WC_GENERAL_ERR,
	IB_WC_TM_ERR,
	IB_WC_TM_RNDV_INCOMPLETE,
};

enum ib_wc_opcode {
	IB_WC_SEND,
	IB_WC_RDMA_WRITE,
	IB_WC_RDMA_READ,
	IB_WC_COMP_SWAP,
	IB_WC_FETCH_ADD,
	IB_WC_BIND_MW,
	IB_WC_LOCAL_INV,
	IB_WC_TSO,
	IB_WC_ATOMIC_WRITE = 9,
	/* (opcode & IB_WC_RECV) tells a receive completion. */
	IB_WC_RECV = 1 << 7,
	IB_WC_RECV_RDMA_WITH_IMM,
};

enum ib_wc_flags {
	IB_WC_GRH = 1 << 0,
	IB_WC_WITH_IMM = 1 << 1,
	IB_WC_IP_CSUM_OK = 1 << 2,
	IB_WC_WITH_INV = 1 << 3,
};

enum ib_access_flags {
	IB_ACCESS_LOCAL_WRITE = 1,
	IB_ACCESS_REMOTE_WRITE = 1 << 1,
	IB_ACCESS_REMOTE_READ = 1 << 2,
	IB_ACCESS_REMOTE_ATOMIC = 1 << 3,
	IB_ACCESS_MW_BIND = 1 << 4,
	IB_ACCESS_ZERO_BASED = 1 << 5,
	IB_ACCESS_ON_DEMAND = 1 << 6,
	IB_ACCESS_HUGETLB = 1 << 7,
};

enum ib_qp_type {
	IB_QPT_RC = 2,
	IB_QPT_UC,
	IB_QPT_UD,
	IB_QPT_RAW_PACKET = 8,
	IB_QPT_XRC_SEND = 9,
	IB_QPT_XRC_RECV,
	IB_QPT_DRIVER = 0xff,
};

enum ib_qp_attr_mask {
	IB_QP_STATE = 1 << 0,
	IB_QP_CUR_STATE = 1 << 1,
	IB_QP_EN_SQD_ASYNC_NOTIFY = 1 << 2,
	IB_QP_ACCESS_FLAGS = 1 << 3,
	IB_QP_PKEY_INDEX = 1 << 4,
	IB_QP_PORT = 1 << 5,
	IB_QP_QKEY = 1 << 6,
	IB_QP_AV = 1 << 7,
	IB_QP_PATH_MTU = 1 << 8,
	IB_QP_TIMEOUT = 1 << 9,
	IB_QP_RETRY_CNT = 1 << 10,
	IB_QP_RNR_RETRY = 1 << 11,
	IB_QP_RQ_PSN = 1 << 12,
	IB_QP_MAX_QP_RD_ATOMIC = 1 << 13,
	IB_QP_ALT_PATH = 1 << 14,
	IB_QP_MIN_RNR_TIMER = 1 << 15,
	IB_QP_SQ_PSN = 1 << 16,
	IB_QP_MAX_DEST_RD_ATOMIC = 1 << 17,
	IB_QP_PATH_MIG_STATE = 1 << 18,
	IB_QP_CAP = 1 << 19,
	IB_QP_DEST_QPN = 1 << 20,
	IB_QP_RATE_LIMIT = 1 << 25,
};

enum ib_qp_state {
	IB_QPS_RESET,
	IB_QPS_INIT,
	IB_QPS_RTR,
	IB_QPS_RTS,
	IB_QPS_SQD,
	IB_QPS_SQE,
	IB_QPS_ERR,
	IB_QPS_UNKNOWN,
};

enum ib_mig_state {
	IB_MIG_MIGRATED,
	IB_MIG_REARM,
	IB_MIG_ARMED,
};

enum ib_wr_opcode {
	IB_WR_RDMA_WRITE,
	IB_WR_RDMA_WRITE_WITH_IMM,
	IB_WR_SEND,
	IB_WR_SEND_WITH_IMM,
	IB_WR_RDMA_READ,
	IB_WR_ATOMIC_CMP_AND_SWP,
	IB_WR_ATOMIC_FETCH_AND_ADD,
	IB_WR_LOCAL_INV,
	IB_WR_BIND_MW,
	IB_WR_SEND_WITH_INV,
	IB_WR_TSO,
	IB_WR_DRIVER1,
	IB_WR_ATOMIC_WRITE = 15,
};

enum ib_send_flags {
	IB_SEND_FENCE = 1 << 0,
	IB_SEND_SIGNALED = 1 << 1,
	IB_SEND_SOLICITED = 1 << 2,
	IB_SEND_INLINE = 1 << 3,
	IB_SEND_IP_CSUM = 1 << 4,
};

/* --- Tessera structures --- */

struct ib_device;

/* One scatter/gather element: @length bytes at virtual address @addr
 * inside the memory region named by @lkey. */
struct ib_sge {
	u64 addr;
	u32 length;
	u32 lkey;
};

struct ib_send_wr {
	u64 wr_id;
	struct ib_send_wr *next;
	struct ib_sge *sg_list;
	int num_sge;
	enum ib_wr_opcode opcode;
	unsigned int send_flags;	/* enum ib_send_flags */
	u32 imm_data;			/* host order; *_WITH_IMM only */
	struct {
		u64 remote_addr;
		u32 rkey;
	} rdma;				/* RDMA_WRITE*, RDMA_READ */
};

struct ib_recv_wr {
	u64 wr_id;
	struct ib_recv_wr *next;
	struct ib_sge *sg_list;
	int num_sge;
};

struct ib_wc {
	u64 wr_id;
	enum ib_wc_status status;
	enum ib_wc_opcode opcode;
	u32 vendor_err;
	u32 byte_len;
	u32 imm_data;			/* host order; if IB_WC_WITH_IMM */
	u32 qp_num;
	u32 src_qp;
	unsigned int wc_flags;		/* enum ib_wc_flags */
};

/* Address of the peer for RoCEv2: its Ethernet MAC and IPv4 address
 * (host order).  Tessera has one port and no GRH/LID routing. */
struct ib_ah_attr {
	u8 dmac[6];
	u16 reserved;
	u32 dip;
};

struct ib_qp_cap {
	u32 max_send_wr;
	u32 max_recv_wr;
	u32 max_send_sge;
	u32 max_recv_sge;
	u32 max_inline_data;
};

struct ib_qp_attr {
	enum ib_qp_state qp_state;
	enum ib_qp_state cur_qp_state;
	enum ib_mtu path_mtu;
	int qp_access_flags;		/* remote access we allow */
	u32 rq_psn;			/* first PSN the responder expects */
	u32 sq_psn;			/* first PSN the requester sends */
	u32 dest_qp_num;
	struct ib_ah_attr ah_attr;
	struct ib_qp_cap cap;
	u8 max_rd_atomic;		/* outstanding RDMA READs we issue */
	u8 max_dest_rd_atomic;		/* outstanding READs we serve */
	u8 min_rnr_timer;		/* 5-bit IB RNR timer code */
	u8 timeout;			/* 4.096us << t; 0 = default */
	u8 retry_cnt;			/* 0..7 */
	u8 rnr_retry;			/* 0..7, 7 = infinite */
};

struct ib_pd {
	struct ib_device *device;
};

struct ib_mr {
	struct ib_device *device;
	struct ib_pd *pd;
	u64 addr;			/* first virtual address covered */
	u64 length;
	u32 lkey;
	u32 rkey;
	int access;			/* enum ib_access_flags */
};

struct ib_cq;
typedef void (*ib_comp_handler)(struct ib_cq *cq, void *cq_context);

struct ib_cq {
	struct ib_device *device;
	int cqe;			/* capacity */
	ib_comp_handler comp_handler;	/* called when a WC is added */
	void *cq_context;
};

struct ib_qp_init_attr {
	struct ib_cq *send_cq;
	struct ib_cq *recv_cq;
	struct ib_qp_cap cap;
	enum ib_qp_type qp_type;
	int sq_sig_all;			/* every send WR completes */
	void *qp_context;
};

struct ib_qp {
	struct ib_device *device;
	struct ib_pd *pd;
	struct ib_cq *send_cq;
	struct ib_cq *recv_cq;
	u32 qp_num;
	enum ib_qp_type qp_type;
	void *qp_context;
};

/* The provider's entry points.  All return 0 or a negative errno; the
 * create/alloc calls return the new object through their last argument.
 * post_send/post_recv set *bad_wr to the first WR not posted on error. */
struct ib_device_ops {
	int (*alloc_pd)(struct ib_device *dev, struct ib_pd **pd);
	int (*dealloc_pd)(struct ib_pd *pd);
	int (*reg_mr)(struct ib_pd *pd, void *addr, u64 length, int access,
		      struct ib_mr **mr);
	int (*dereg_mr)(struct ib_mr *mr);
	int (*create_cq)(struct ib_device *dev, int cqe,
			 ib_comp_handler handler, void *ctx,
			 struct ib_cq **cq);
	int (*destroy_cq)(struct ib_cq *cq);
	int (*create_qp)(struct ib_pd *pd, struct ib_qp_init_attr *init,
			 struct ib_qp **qp);
	int (*modify_qp)(struct ib_qp *qp, struct ib_qp_attr *attr,
			 int attr_mask);
	int (*query_qp)(struct ib_qp *qp, struct ib_qp_attr *attr);
	int (*destroy_qp)(struct ib_qp *qp);
	int (*post_send)(struct ib_qp *qp, const struct ib_send_wr *wr,
			 const struct ib_send_wr **bad_wr);
	int (*post_recv)(struct ib_qp *qp, const struct ib_recv_wr *wr,
			 const struct ib_recv_wr **bad_wr);
	/* Returns the number of WCs stored (0..num), never an error. */
	int (*poll_cq)(struct ib_cq *cq, int num, struct ib_wc *wc);
	/* Optional: let the device process up to @budget received frames
	 * now, from the caller's thread (a polling consumer that wants its
	 * completions without waiting for the NIC's interrupt).  Returns
	 * how many it processed. */
	int (*process)(struct ib_device *dev, int budget);
};

struct ib_device {
	char name[16];
	const struct ib_device_ops *ops;
	struct list_head list;		/* infiniband/core's list */
	u8 mac[6];			/* port 1: Ethernet address */
	u32 ipv4;			/* port 1: IPv4 address, host order */
};

/* drivers/infiniband/core/device.c: make @dev findable (0, -EINVAL or
 * -EEXIST for a name taken); remove it.  Lookups by registration order
 * and by name return NULL when there is no such device.  Thread context. */
int ib_register_device(struct ib_device *dev);
void ib_unregister_device(struct ib_device *dev);
struct ib_device *ib_device_get(int index);
struct ib_device *ib_device_find(const char *name);

/* --- the verbs: thin dispatchers to the provider --- */

static inline int ib_alloc_pd(struct ib_device *dev, struct ib_pd **pd)
{
	return dev->ops->alloc_pd(dev, pd);
}
static inline int ib_dealloc_pd(struct ib_pd *pd)
{
	return pd->device->ops->dealloc_pd(pd);
}
static inline int ib_reg_mr(struct ib_pd *pd, void *addr, u64 length,
			    int access, struct ib_mr **mr)
{
	return pd->device->ops->reg_mr(pd, addr, length, access, mr);
}
static inline int ib_dereg_mr(struct ib_mr *mr)
{
	return mr->device->ops->dereg_mr(mr);
}
static inline int ib_create_cq(struct ib_device *dev, int cqe,
			       ib_comp_handler handler, void *ctx,
			       struct ib_cq **cq)
{
	return dev->ops->create_cq(dev, cqe, handler, ctx, cq);
}
static inline int ib_destroy_cq(struct ib_cq *cq)
{
	return cq->device->ops->destroy_cq(cq);
}
static inline int ib_create_qp(struct ib_pd *pd, struct ib_qp_init_attr *init,
			       struct ib_qp **qp)
{
	return pd->device->ops->create_qp(pd, init, qp);
}
static inline int ib_modify_qp(struct ib_qp *qp, struct ib_qp_attr *attr,
			       int attr_mask)
{
	return qp->device->ops->modify_qp(qp, attr, attr_mask);
}
static inline int ib_query_qp(struct ib_qp *qp, struct ib_qp_attr *attr)
{
	return qp->device->ops->query_qp(qp, attr);
}
static inline int ib_destroy_qp(struct ib_qp *qp)
{
	return qp->device->ops->destroy_qp(qp);
}
static inline int ib_post_send(struct ib_qp *qp, const struct ib_send_wr *wr,
			       const struct ib_send_wr **bad_wr)
{
	return qp->device->ops->post_send(qp, wr, bad_wr);
}
static inline int ib_post_recv(struct ib_qp *qp, const struct ib_recv_wr *wr,
			       const struct ib_recv_wr **bad_wr)
{
	return qp->device->ops->post_recv(qp, wr, bad_wr);
}
static inline int ib_poll_cq(struct ib_cq *cq, int num, struct ib_wc *wc)
{
	return cq->device->ops->poll_cq(cq, num, wc);
}
static inline int ib_process(struct ib_device *dev, int budget)
{
	return dev->ops->process ? dev->ops->process(dev, budget) : 0;
}

#endif
