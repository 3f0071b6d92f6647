/* net/fit/rdma.c — FIT's RDMA transport: whole FIT messages over RC queue
 * pairs of an ib_device (the emulated rxe NIC under QEMU).
 *
 * Per peer: NCH channels, one RC QP each, shared by every sender (FIT
 * picks the channel from the request id, so a call and its reply travel
 * on the same channel index in both directions).  All QPs share one send
 * CQ and one receive CQ.
 *  - Small messages (header included, at most SMALL_MAX bytes) are one
 *    SEND_WITH_IMM into one of RQ_DEPTH posted receive buffers.
 *  - Larger ones are one RDMA_WRITE_WITH_IMM into a slot of the receive
 *    region the peer registered for us (NSLOT slots per channel, each big
 *    enough for the largest message); the immediate names the slot
 *    (include/protocol/fit.h).  The sender takes slots in order and owns
 *    at most NSLOT unreturned ones per channel; the receiver copies a
 *    slot out as soon as its completion arrives and returns the slot as a
 *    credit, piggybacked on its next message on that channel or, once
 *    half the slots are owed, in a FIT_IMM_CREDIT message of its own.
 *  - A message is copied into a buffer (rdma_buf.c; one MR covers all
 *    RAM) that its send completion frees: rxe may resend from it.
 * Connection set-up rides on discovery (discovery.c): we create the QPs
 * and region for a peer when we first hear it (fit_rdma_add_peer), our
 * announcements carry them (fit_rdma_fill), and the peer's entry for us
 * moves our QPs to RTR/RTS (fit_rdma_connect).  A peer is reachable when
 * our QPs are in RTS and its entry says its QPs are too.  Initial PSNs
 * derive from the sender's boot id.
 * Loss: rxe retransmits (timeout 67 ms doubling to 1 s, 7 retries: a
 * peer or hub silent for about 5 s fails the QP; RNR is retried forever).
 * A QP that fails anyway (a dead peer, or one starved of CPU for half a
 * second) completes everything with an error: the failure is logged and
 * the peer's connection is reset — every QP to ERR (flushing: buffers are
 * freed by their completions), RESET, INIT, receives reposted, slot
 * accounting zeroed — under a new epoch that our announcements carry.  A
 * peer that sees a newer epoch resets too, and both reconnect once they
 * announce the same one (PSNs derive from boot ids and the epoch).
 * Completions of an older epoch are ignored (receive WR ids carry it).
 * Senders wait, never past their deadline, while the peer is not
 * connected, so a dead peer's callers end through FIT's own timeout
 * (-ETIMEDOUT, logged with peer and opcode by core.c), and a live one's
 * calls resume after the reconnection.
 * Completions: one poll thread, woken by the CQ handlers (in interrupts;
 * by a send completion only if a thread waits for it, else 100 ms at most)
 * delivers, reposts, frees, polls (ib_process) for fit.poll_us, refills
 * rdma_buf.c and sleeps: under TCG a spinning guest steals peers' CPU.
 * Locks: chan.lock (senders and the poll thread; never in interrupts) ->
 * the device's lock (inside every verb).  peers[] entries are published
 * once (release) and never freed.
 */
#include <asm/layout.h>
#include <kernel/node.h>
#include <kernel/param.h>
#include <kernel/printk.h>
#include <kernel/sched.h>
#include <kernel/spinlock.h>
#include <kernel/time.h>
#include <kernel/wait.h>
#include <lib/string.h>
#include <mm/mm.h>
#include <rdma/ib_verbs.h>
#include <rdma/rxe.h>
#include <uapi/errno.h>
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
	u32 reset_to;			/* 0x100 | epoch: poll thread resets */
	u8 epoch;
	u32 boot_id;			/* the peer's */
	u8 *region;			/* NCH x NSLOT x SLOT_SIZE */
	unsigned int region_order;
	struct ib_mr *region_mr;
	u64 raddr;			/* the peer's region for us */
	u32 rkey, rslot_size, rslots;
	struct rdma_chan ch[NCH];
};

static struct ib_device *ibdev;
static struct ib_pd *pd;
static struct ib_mr *kmr;		/* all RAM, local write */
static struct ib_cq *scq, *rcq;
static u32 my_boot_id;
static struct rdma_peer *peers[FIT_MAX_NODES];
static struct rdma_chan *by_qpn[QPN_TABLE];
static DEFINE_WAIT_QUEUE_HEAD(poll_wait);
static bool poll_kicked, resets_pending;
static int reapers;		/* threads waiting for a send completion */
static u64 nr_resets;
static int poll_us = 50;
param_int("fit.poll_us", poll_us,
	  "rdma: poll the CQs this long before sleeping (us)");

static void run_resets(void);

static struct rdma_peer *peer_get(u16 node)
{
	return node < FIT_MAX_NODES ?
	       __atomic_load_n(&peers[node], __ATOMIC_ACQUIRE) : NULL;
}

static struct rdma_chan *chan_of(u32 qpn)
{
	return qpn < QPN_TABLE ? by_qpn[qpn] : NULL;
}

static u32 start_psn(u32 boot_id, unsigned int node, unsigned int ch,
		     u8 epoch)
{
	return (boot_id * 0x9e3779b1u + node * 131u + ch * 7919u +
		epoch * 0x10001u) & 0xffffff;
}

static bool peer_up(const struct rdma_peer *p)
{
	return __atomic_load_n(&p->up, __ATOMIC_ACQUIRE) &&
	       __atomic_load_n(&p->peer_ready, __ATOMIC_ACQUIRE);
}

/* Receive CQ handler: under the device lock, maybe in an interrupt. */
static void cq_event(struct ib_cq *cq, void *ctx)
{
	if (!__atomic_exchange_n(&poll_kicked, true, __ATOMIC_ACQ_REL))
		wake_up(&poll_wait);
}

/* Send CQ: only if waited for (errors flush the RQ too, which wakes). */
static void scq_event(struct ib_cq *cq, void *ctx)
{
	if (__atomic_load_n(&reapers, __ATOMIC_ACQUIRE))
		cq_event(cq, ctx);
}

/* --- sending ------------------------------------------------------------ */

static bool has_room(struct rdma_chan *c, bool big)
{
	return peer_up(c->peer) && c->sq_out < SQ_DEPTH - 1 &&
	       (!big || c->slot_next - c->slot_credit < NSLOT);
}

/* Lock @c with room for one message; returns 0 (locked) or -ETIMEDOUT. */
static int claim(struct rdma_chan *c, bool big, u64 deadline)
{
	for (;;) {
		u64 now, left;

		spin_lock(&c->lock);
		if (has_room(c, big))
			return 0;
		spin_unlock(&c->lock);
		now = ktime_get_ns();
		__atomic_fetch_add(&reapers, 1, __ATOMIC_ACQ_REL);
		cq_event(NULL, NULL);	/* reap what already completed */
		left = now >= deadline ? 0 : wait_event_timeout(c->wait,
					has_room(c, big), deadline - now);
		__atomic_fetch_sub(&reapers, 1, __ATOMIC_ACQ_REL);
		if (!left)
			return -ETIMEDOUT;
	}
}

/* A work request failed (not a flush): have the connection reset. */
static void chan_failed(struct rdma_chan *c, const char *what, int status)
{
	struct rdma_peer *p = c->peer;

	if (__atomic_exchange_n(&p->broken, true, __ATOMIC_ACQ_REL))
		return;
	pr_err("fit-rdma: channel %u to node %u failed (%s, status %d): "
	       "resetting the connection\n", c->index, p->node, what, status);
	fit_discovery_kick();
}

/* Post @buf (@len bytes, fit_rdma_buf_get'ed or NULL) on @c; caller holds
 * c->lock and checked has_room().  The send completion frees @buf. */
static int post_locked(struct rdma_chan *c, void *buf, u32 len, u32 kind)
{
	struct rdma_peer *p = c->peer;
	struct ib_sge sge = { (u64)(uintptr_t)buf, len, kmr->lkey };
	u32 credits = MIN(c->owed, 255u), slot = 0;
	struct ib_send_wr wr = {
		.wr_id = (u64)(uintptr_t)buf, .sg_list = &sge,
		.num_sge = len ? 1 : 0, .opcode = IB_WR_SEND_WITH_IMM,
		.send_flags = IB_SEND_SIGNALED,
	};
	const struct ib_send_wr *bad;
	int err;

	if (kind == FIT_IMM_SLOT) {
		slot = c->slot_next % p->rslots;
		wr.opcode = IB_WR_RDMA_WRITE_WITH_IMM;
		wr.rdma.remote_addr = p->raddr + ((u64)c->index * p->rslots +
						  slot) * p->rslot_size;
		wr.rdma.rkey = p->rkey;
	}
	wr.imm_data = FIT_IMM(kind, credits, slot);
	err = ib_post_send(c->qp, &wr, &bad);
	if (err)
		return err;
	c->owed -= credits;
	c->sq_out++;
	if (kind == FIT_IMM_SLOT)
		c->slot_next++;
	return 0;
}

static int rdma_send(struct fit_transport *t, unsigned int channel,
		     const struct msg_hdr *hdr, const void *payload, u32 len,
		     u64 deadline_ns)
{
	struct rdma_peer *p = peer_get(hdr->dst_node);
	u32 total = (u32)sizeof(*hdr) + len;
	bool big = total > SMALL_MAX;
	struct rdma_chan *c;
	u8 *buf;
	int err;

	if (!p)
		return -EHOSTUNREACH;
	c = &p->ch[channel % NCH];
	buf = fit_rdma_buf_get(total);
	if (!buf)
		return -ENOMEM;
	memcpy(buf, hdr, sizeof(*hdr));
	if (len)
		memcpy(buf + sizeof(*hdr), payload, len);
	err = claim(c, big, deadline_ns);
	if (err) {
		fit_rdma_buf_put(buf);
		return err;
	}
	err = post_locked(c, buf, total, big ? FIT_IMM_SLOT : FIT_IMM_SEND);
	spin_unlock(&c->lock);
	if (err) {
		/* The QP just failed: lost like a frame, the caller times
		 * out (the poll thread reports the failure). */
		fit_rdma_buf_put(buf);
		fit_stat_add(&fit_stats.lost_sends, 1);
	}
	return 0;
}

/* Return the slots we emptied once half of them are owed. */
static void maybe_credit(struct rdma_chan *c)
{
	spin_lock(&c->lock);
	if (c->owed >= (NSLOT + 1) / 2 && has_room(c, false))
		post_locked(c, NULL, 0, FIT_IMM_CREDIT);
	spin_unlock(&c->lock);
}

/* --- completions -------------------------------------------------------- */

static void post_recv_slot(struct rdma_chan *c, u32 i)
{
	struct ib_sge sge = { (u64)(uintptr_t)(c->rbuf + i * SMALL_MAX),
			      SMALL_MAX, kmr->lkey };
	struct ib_recv_wr wr = { .wr_id = (u64)c->peer->epoch << 32 | i,
				 .sg_list = &sge, .num_sge = 1 };
	const struct ib_recv_wr *bad;

	/* Fails only on a QP being reset, which reposts everything. */
	ib_post_recv(c->qp, &wr, &bad);
}

static void send_done(const struct ib_wc *wc)
{
	struct rdma_chan *c = chan_of(wc->qp_num);

	fit_rdma_buf_put((void *)(uintptr_t)wc->wr_id);
	if (!c)
		return;
	spin_lock(&c->lock);
	c->sq_out--;
	spin_unlock(&c->lock);
	if (wc->status != IB_WC_SUCCESS && wc->status != IB_WC_WR_FLUSH_ERR)
		chan_failed(c, "send", wc->status);
	wake_up_all(&c->wait);
}

/* Copy the message a receive completion announces; NULL if none. */
static void *take_message(struct rdma_chan *c, const struct ib_wc *wc,
			  u32 *len)
{
	u32 imm = wc->imm_data, slot = FIT_IMM_SLOT(imm);
	const u8 *src;
	void *msg;

	switch (FIT_IMM_KIND(imm)) {
	case FIT_IMM_SEND:
		if (wc->byte_len > SMALL_MAX)
			return NULL;
		src = c->rbuf + (wc->wr_id & 0xffffffff) * SMALL_MAX;
		break;
	case FIT_IMM_SLOT:
		if (slot >= NSLOT || wc->byte_len > SLOT_SIZE)
			return NULL;
		src = c->peer->region + ((u64)c->index * NSLOT + slot) *
					SLOT_SIZE;
		break;
	default:
		return NULL;
	}
	msg = fit_rdma_buf_get(wc->byte_len);	/* core kfree()s it */
	if (msg)
		memcpy(msg, src, wc->byte_len);
	*len = wc->byte_len;
	if (FIT_IMM_KIND(imm) == FIT_IMM_SLOT) {
		/* Only now may the peer write the slot again. */
		spin_lock(&c->lock);
		c->owed++;
		spin_unlock(&c->lock);
	}
	return msg;
}

/* The peer emptied @credits of our slots on @c. */
static void take_credits(struct rdma_chan *c, u32 credits)
{
	if (!credits)
		return;
	spin_lock(&c->lock);
	if (credits > c->slot_next - c->slot_credit) {
		/* More than we have in use: a broken peer. */
		credits = c->slot_next - c->slot_credit;
		fit_stat_add(&fit_stats.drop_malformed, 1);
	}
	c->slot_credit += credits;
	spin_unlock(&c->lock);
	wake_up_all(&c->wait);
}

static void recv_done(const struct ib_wc *wc)
{
	struct rdma_chan *c = chan_of(wc->qp_num);
	void *msg = NULL;
	u32 len = 0;

	if (!c || wc->wr_id >> 32 != READ_ONCE(c->peer->epoch) ||
	    (wc->wr_id & 0xffffffff) >= RQ_DEPTH)
		return;			/* an older connection's */
	if (wc->status != IB_WC_SUCCESS) {
		if (wc->status != IB_WC_WR_FLUSH_ERR)
			chan_failed(c, "receive", wc->status);
		return;
	}
	if (!(wc->wc_flags & IB_WC_WITH_IMM) || !FIT_IMM_VALID(wc->imm_data)) {
		fit_stat_add(&fit_stats.drop_malformed, 1);
	} else {
		take_credits(c, FIT_IMM_CREDITS(wc->imm_data));
		if (FIT_IMM_KIND(wc->imm_data) != FIT_IMM_CREDIT) {
			msg = take_message(c, wc, &len);
			if (!msg)
				fit_stat_add(&fit_stats.drop_malformed, 1);
		}
	}
	post_recv_slot(c, (u32)wc->wr_id);
	maybe_credit(c);
	if (msg)
		fit_transport_rx(msg, len);
}

static int poll_once(void)
{
	struct ib_wc wc[BATCH];
	int n, total = 0;

	n = ib_poll_cq(scq, BATCH, wc);
	for (int i = 0; i < n; i++)
		send_done(&wc[i]);
	total += n;
	n = ib_poll_cq(rcq, BATCH, wc);
	for (int i = 0; i < n; i++)
		recv_done(&wc[i]);
	return total + n;
}

static int poll_thread(void *arg)
{
	u64 busy_until = 0;

	for (;;) {
		__atomic_store_n(&poll_kicked, false, __ATOMIC_RELEASE);
		run_resets();
		if (poll_once()) {
			busy_until = ktime_get_ns() + (u64)poll_us *
						      NSEC_PER_USEC;
			continue;
		}
		if (ktime_get_ns() < busy_until) {
			ib_process(ibdev, BATCH);
			yield();
			continue;
		}
		fit_rdma_buf_refill();
		wait_event_timeout(poll_wait, __atomic_load_n(&poll_kicked,
							      __ATOMIC_ACQUIRE),
				   100 * NSEC_PER_MSEC);	/* see scq_event */
		busy_until = ktime_get_ns() + (u64)poll_us * NSEC_PER_USEC;
	}
	return 0;
}

/* --- set-up ------------------------------------------------------------- */

static int chan_init(struct rdma_peer *p, unsigned int i)
{
	struct rdma_chan *c = &p->ch[i];
	struct ib_qp_init_attr init = {
		.send_cq = scq, .recv_cq = rcq, .qp_type = IB_QPT_RC,
		.cap = { .max_send_wr = SQ_DEPTH, .max_recv_wr = RQ_DEPTH,
			 .max_send_sge = 1, .max_recv_sge = 1 },
		.qp_context = c,
	};
	struct ib_qp_attr a = { .qp_state = IB_QPS_INIT,
				.qp_access_flags = IB_ACCESS_LOCAL_WRITE |
						   IB_ACCESS_REMOTE_WRITE };
	int err;

	spin_lock_init(&c->lock, "fit_rdma_chan");
	init_waitqueue_head(&c->wait);
	c->peer = p;
	c->index = i;
	c->rbuf = alloc_pages(5);		/* 128 KiB = RQ_DEPTH x 2 KiB */
	if (!c->rbuf)
		return -ENOMEM;
	err = ib_create_qp(pd, &init, &c->qp);
	if (!err)
		err = ib_modify_qp(c->qp, &a, IB_QP_STATE | IB_QP_ACCESS_FLAGS);
	if (err)
		return err;
	if (c->qp->qp_num >= QPN_TABLE)
		return -ENOSPC;
	by_qpn[c->qp->qp_num] = c;
	for (u32 k = 0; k < RQ_DEPTH; k++)
		post_recv_slot(c, k);
	return 0;
}

/* Discovery heard @node for the first time (thread context). */
int fit_rdma_add_peer(u16 node)
{
	u64 bytes = (u64)NCH * NSLOT * SLOT_SIZE;
	struct rdma_peer *p;
	int err = 0;

	if (!ibdev || node >= FIT_MAX_NODES || peer_get(node))
		return ibdev ? -EINVAL : 0;
	p = kzalloc(sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->node = node;
	while ((4096ull << p->region_order) < bytes)
		p->region_order++;
	p->region = alloc_pages(p->region_order);
	if (!p->region)
		return -ENOMEM;
	err = ib_reg_mr(pd, p->region, bytes, IB_ACCESS_LOCAL_WRITE |
			IB_ACCESS_REMOTE_WRITE, &p->region_mr);
	for (unsigned int i = 0; i < NCH && !err; i++)
		err = chan_init(p, i);
	if (err) {
		pr_err("fit-rdma: cannot set up QPs for node %u (%d)\n", node,
		       err);
		return err;	/* half-built peers are never published */
	}
	__atomic_store_n(&peers[node], p, __ATOMIC_RELEASE);
	return 0;
}

static int chan_connect(struct rdma_chan *c, const u8 *mac,
			const struct fit_announce_rdma *e)
{
	struct rdma_peer *p = c->peer;
	struct ib_qp_attr a = {
		.qp_state = IB_QPS_RTR, .path_mtu = rxe_net_mtu(ibdev),
		.dest_qp_num = e->qpn[c->index],
		.rq_psn = start_psn(p->boot_id, node_self(), c->index,
				    p->epoch),
		.max_dest_rd_atomic = 1, .min_rnr_timer = 1,
	};
	int err;

	memcpy(a.ah_attr.dmac, mac, 6);
	a.ah_attr.dip = e->ipv4;
	err = ib_modify_qp(c->qp, &a, IB_QP_STATE | IB_QP_AV |
			   IB_QP_PATH_MTU | IB_QP_DEST_QPN | IB_QP_RQ_PSN |
			   IB_QP_MAX_DEST_RD_ATOMIC | IB_QP_MIN_RNR_TIMER);
	if (err)
		return err;
	a.qp_state = IB_QPS_RTS;
	a.sq_psn = start_psn(my_boot_id, p->node, c->index, p->epoch);
	/* 67 ms, doubling while nothing is acknowledged up to 1 s: the
	 * QP gives up after about 5 s of silence (rdma.md). */
	a.timeout = 14;
	a.retry_cnt = 7;
	a.rnr_retry = 7;		/* receivers repost at once */
	a.max_rd_atomic = 1;
	return ib_modify_qp(c->qp, &a, IB_QP_STATE | IB_QP_SQ_PSN |
			    IB_QP_TIMEOUT | IB_QP_RETRY_CNT |
			    IB_QP_RNR_RETRY | IB_QP_MAX_QP_RD_ATOMIC);
}

static bool entry_ok(const struct fit_announce_rdma *e)
{
	return e->nr_qps == NCH && e->nr_slots >= 1 && e->nr_slots <= 256 &&
	       e->slot_size >= FIT_MAX_MSG && e->rkey && e->region;
}

/* Reset every QP of @p and move to @epoch: to ERR (outstanding WRs
 * complete as flushed, so the poll thread frees their buffers), RESET,
 * INIT, receives reposted under the new epoch.  Poll thread only, so no
 * receive completion is being handled (and reposted) meanwhile. */
static void reset_peer(struct rdma_peer *p, u8 epoch)
{
	struct ib_qp_attr a = { .qp_access_flags = IB_ACCESS_LOCAL_WRITE |
						   IB_ACCESS_REMOTE_WRITE };

	__atomic_store_n(&p->up, false, __ATOMIC_RELEASE);
	__atomic_store_n(&p->peer_ready, false, __ATOMIC_RELEASE);
	WRITE_ONCE(p->epoch, epoch);
	for (unsigned int i = 0; i < NCH; i++) {
		struct rdma_chan *c = &p->ch[i];

		/* With rxe.trace=N: how the connection got here. */
		rxe_net_trace_dump(ibdev, c->qp->qp_num, TRACE_DUMP);

		a.qp_state = IB_QPS_ERR;
		ib_modify_qp(c->qp, &a, IB_QP_STATE);
		a.qp_state = IB_QPS_RESET;
		ib_modify_qp(c->qp, &a, IB_QP_STATE);
		a.qp_state = IB_QPS_INIT;
		ib_modify_qp(c->qp, &a, IB_QP_STATE | IB_QP_ACCESS_FLAGS);
		spin_lock(&c->lock);
		c->slot_next = c->slot_credit = c->owed = 0;
		spin_unlock(&c->lock);
		for (u32 k = 0; k < RQ_DEPTH; k++)
			post_recv_slot(c, k);
	}
	__atomic_store_n(&p->broken, false, __ATOMIC_RELEASE);
	__atomic_fetch_add(&nr_resets, 1, __ATOMIC_RELAXED);
	printk("fit-rdma: connection to node %u reset, epoch %u\n", p->node,
	       epoch);
}

static int connect_peer(struct rdma_peer *p, const u8 *mac, u32 boot_id,
			const struct fit_announce_rdma *e)
{
	int err = 0;

	if (!entry_ok(e)) {
		pr_warn_once("fit-rdma: node %u announces an unusable layout "
			     "(%u QPs, %u slots of %u)\n", p->node, e->nr_qps,
			     e->nr_slots, e->slot_size);
		return -EINVAL;
	}
	p->boot_id = boot_id;
	p->raddr = e->region;
	p->rkey = e->rkey;
	p->rslot_size = e->slot_size;
	p->rslots = MIN(e->nr_slots, (u16)NSLOT);
	for (unsigned int i = 0; i < NCH && !err; i++)
		err = chan_connect(&p->ch[i], mac, e);
	if (err) {
		pr_err("fit-rdma: cannot connect to node %u (%d)\n", p->node,
		       err);
		p->broken = true;	/* back to INIT on the next look */
		return err;
	}
	__atomic_store_n(&p->up, true, __ATOMIC_RELEASE);
	return 0;
}

/* Have the poll thread reset @p to @epoch (discovery thread). */
static void request_reset(struct rdma_peer *p, u8 epoch)
{
	__atomic_store_n(&p->reset_to, 0x100u | epoch, __ATOMIC_RELEASE);
	__atomic_store_n(&resets_pending, true, __ATOMIC_RELEASE);
	cq_event(NULL, NULL);
}

/* The peer rebooted: its QPs are new and know nothing of ours.  Reset
 * ours under a newer epoch; the new incarnation follows it (it starts at
 * epoch 0) and both connect with PSNs from its new boot id. */
void fit_rdma_peer_rebooted(u16 node)
{
	struct rdma_peer *p = peer_get(node);

	if (p)
		request_reset(p, (u8)(p->epoch + 1));
}

/* Poll thread: carry out requested resets, then let discovery announce. */
static void run_resets(void)
{
	if (!__atomic_exchange_n(&resets_pending, false, __ATOMIC_ACQ_REL))
		return;
	for (int i = 0; i < FIT_MAX_NODES; i++) {
		struct rdma_peer *p = peer_get((u16)i);
		u32 v = p ? __atomic_load_n(&p->reset_to, __ATOMIC_ACQUIRE) : 0;

		if (!v)
			continue;
		reset_peer(p, (u8)v);
		__atomic_store_n(&p->reset_to, 0, __ATOMIC_RELEASE);
	}
	fit_discovery_kick();
}

/* Discovery thread, every round for every peer: @node (at @mac, booted as
 * @boot_id) last announced entry @e for us.  Resets a broken connection
 * or follows the peer to a newer epoch; connects when both announce the
 * same epoch; the peer is ready once its entry says it is connected. */
void fit_rdma_connect(u16 node, const u8 *mac, u32 boot_id,
		      const struct fit_announce_rdma *e)
{
	struct rdma_peer *p = peer_get(node);
	bool ready;

	if (!p || __atomic_load_n(&p->reset_to, __ATOMIC_ACQUIRE))
		return;
	if (__atomic_load_n(&p->broken, __ATOMIC_ACQUIRE)) {
		request_reset(p, (u8)(p->epoch + 1));
		return;
	}
	if ((s8)(e->epoch - p->epoch) > 0) {
		request_reset(p, e->epoch);
		return;
	}
	if (e->epoch != p->epoch)
		return;
	if (!p->up && connect_peer(p, mac, boot_id, e))
		return;
	ready = e->flags & FIT_RDMA_F_CONNECTED;
	if (ready != p->peer_ready) {
		__atomic_store_n(&p->peer_ready, ready, __ATOMIC_RELEASE);
		if (ready)
			__atomic_store_n(&p->ever, true, __ATOMIC_RELEASE);
		for (unsigned int i = 0; i < NCH; i++)
			wake_up_all(&p->ch[i].wait);
	}
}

/* Fill up to @max announcement entries, one per peer with QPs, starting
 * after the last one sent so that every peer gets its turn. */
unsigned int fit_rdma_fill(struct fit_announce_rdma *e, unsigned int max)
{
	static unsigned int next;
	unsigned int n = 0;

	for (unsigned int k = 0; k < FIT_MAX_NODES && n < max; k++) {
		unsigned int node = (next + k) % FIT_MAX_NODES;
		struct rdma_peer *p = peer_get((u16)node);

		if (!p)
			continue;
		memset(&e[n], 0, sizeof(e[n]));
		e[n].peer = (u16)node;
		e[n].nr_qps = NCH;
		e[n].flags = p->up ? FIT_RDMA_F_CONNECTED : 0;
		e[n].epoch = p->epoch;
		e[n].ipv4 = ibdev->ipv4;
		for (unsigned int i = 0; i < NCH; i++)
			e[n].qpn[i] = p->ch[i].qp->qp_num;
		e[n].region = (u64)(uintptr_t)p->region;
		e[n].rkey = p->region_mr->rkey;
		e[n].slot_size = SLOT_SIZE;
		e[n].nr_slots = NSLOT;
		n++;
		next = node + 1;
	}
	return n;
}

/* A peer we have QPs for: messages to it wait (never past their
 * deadline) until the connection is up.  The peer may reach us first and
 * expect a reply before we have seen its CONNECTED flag. */
static bool rdma_reachable(struct fit_transport *t, u16 node)
{
	return peer_get(node) != NULL;
}

/* Discovery: connected in both directions at least once. */
static bool rdma_ready(struct fit_transport *t, u16 node)
{
	struct rdma_peer *p = peer_get(node);

	return p && __atomic_load_n(&p->ever, __ATOMIC_ACQUIRE);
}

/* Everything we sent was acknowledged (and reaped: have it looked at). */
static bool rdma_idle(struct fit_transport *t)
{
	cq_event(NULL, NULL);
	for (int i = 0; i < FIT_MAX_NODES; i++) {
		struct rdma_peer *p = peer_get((u16)i);

		for (int k = 0; p && k < NCH; k++)
			if (READ_ONCE(p->ch[k].sq_out) && peer_up(p))
				return false;
	}
	return true;
}

static u64 rdma_retransmissions(struct fit_transport *t)
{
	return rxe_net_counter(ibdev, RXE_CNT_RETRANSMITS);
}

static void rdma_dump(struct fit_transport *t)
{
	rxe_net_dump(ibdev);
}

struct fit_transport fit_rdma_transport = {
	.name = "rdma",
	.max_msg = FIT_MAX_MSG,
	.nr_channels = NCH,
	.send = rdma_send,
	.reachable = rdma_reachable,
	.ready = rdma_ready,
	.idle = rdma_idle,
	.retransmissions = rdma_retransmissions,
	.dump = rdma_dump,
};

bool fit_rdma_active(void)
{
	return ibdev != NULL;
}

struct ib_device *fit_rdma_device(void)
{
	return ibdev;
}

u64 fit_rdma_resets(void)
{
	return __atomic_load_n(&nr_resets, __ATOMIC_RELAXED);
}

/* Boot (fit_init): PD, the all-RAM MR, CQs sized for every peer, and the
 * poll thread.  Peers come later, from discovery. */
int fit_rdma_init(struct ib_device *dev, u32 boot_id)
{
	int peers_max = (int)node_count();
	struct task *t;
	int err;

	my_boot_id = boot_id;
	err = ib_alloc_pd(dev, &pd);
	if (!err)
		err = ib_reg_mr(pd, phys_to_virt(0), memblock_end_of_ram(),
				IB_ACCESS_LOCAL_WRITE, &kmr);
	if (!err)
		err = ib_create_cq(dev, peers_max * NCH * SQ_DEPTH, scq_event,
				   NULL, &scq);
	if (!err)
		err = ib_create_cq(dev, peers_max * NCH * RQ_DEPTH, cq_event,
				   NULL, &rcq);
	if (err)
		return err;
	t = kthread_run(poll_thread, NULL, "fit-rdma-poll");
	if (!t)
		return -ENOMEM;
	kthread_detach(t);
	__atomic_store_n(&ibdev, dev, __ATOMIC_RELEASE);
	printk("fit: rdma transport on %s: %u QPs per peer, %u slots of %u "
	       "bytes, SEND up to %u bytes\n", dev->name, NCH, NSLOT,
	       SLOT_SIZE, SMALL_MAX);
	return 0;
}
