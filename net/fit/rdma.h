/* net/fit/rdma.h — what the two halves of FIT's RDMA transport share:
 * rdma.c (sending, completions, the poll thread, set-up of a peer's QPs)
 * and rdma_conn.c (connecting, resetting, announcement entries).  The
 * design and the lock order are at the top of rdma.c.
 */
#ifndef NET_FIT_RDMA_H
#define NET_FIT_RDMA_H

#include <kernel/spinlock.h>
#include <kernel/wait.h>
#include <rdma/ib_verbs.h>
#include "internal.h"

#define NCH		2		/* RC QPs per peer */
#define NSLOT		7		/* WRITE_IMM slots per channel */
#define SLOT_SIZE	ALIGN_UP(FIT_MAX_MSG, 4096u)
#define SMALL_MAX	2048u		/* largest message sent as SEND */
#define RQ_DEPTH	64
#define SQ_DEPTH	64
#define QPN_TABLE	512
#define BATCH		16
#define TRACE_DUMP	600		/* rxe events printed per QP reset */
#define RESET_REQ	0x100		/* in reset_to: a reset is wanted */
#define RESET_REBOOT	0x200		/* ... because the peer rebooted */

struct rdma_peer;

struct rdma_chan {
	spinlock_t lock;
	struct wait_queue_head wait;	/* senders: SQ room, slots */
	struct rdma_peer *peer;
	unsigned int index;
	struct ib_qp *qp;
	u32 sq_out;			/* send WRs not yet completed */
	u32 slot_next, slot_credit;	/* slots used / returned, ours */
	u32 owed;			/* peer's slots we emptied, unsaid */
	u8 *rbuf;			/* RQ_DEPTH x SMALL_MAX */
};

/* up/peer_ready/epoch/broken change only in the discovery thread
 * (fit_rdma_connect); senders and the poll thread read them. */
struct rdma_peer {
	u16 node;
	bool up;			/* our QPs are in RTS at epoch */
	bool peer_ready;		/* its QPs are too (its entry said) */
	bool ever;			/* has been connected: reachable */
	bool broken;			/* a QP failed: reset at next look */
	u32 reset_to;			/* RESET_* | epoch: poll thread resets */
	u8 epoch;
	u32 reboots;			/* resets for a new incarnation */
	u32 boot_id;			/* the peer's */
	u8 *region;			/* NCH x NSLOT x SLOT_SIZE */
	unsigned int region_order;
	struct ib_mr *region_mr;
	u64 raddr;			/* the peer's region for us */
	u32 rkey, rslot_size, rslots;
	struct rdma_chan ch[NCH];
};

/* rdma.c */
struct rdma_peer *rdma_peer(u16 node);	/* NULL: none (yet) */
void rdma_kick_poll(void);		/* any context */
void post_recv_slot(struct rdma_chan *c, u32 i);
/* rdma_conn.c: the poll thread carries out requested resets. */
void run_resets(void);

#endif
