/* net/fit/rdma_conn.c — connecting FIT's RDMA channels to a peer and
 * resetting them: the discovery thread hands us each peer's announcement
 * entry for us (fit_rdma_connect), our own entries go into every
 * announcement (fit_rdma_fill), and the poll thread carries out resets
 * (run_resets), because only it may repost receives while no
 * completion is being handled.
 *
 * A reset (a QP failed, the peer moved to a newer epoch, or it rebooted)
 * flushes everything in flight and tells FIT (fit_peer_reset), which
 * sends the requests of pending calls again once the connection is back
 * — unless the peer rebooted: its new incarnation never gets the old
 * one's requests.  QPs fail only after retry_cnt timer expiries and
 * fit.retry_ms (30 s) without progress (rxe_qp_set_retry_time): a slow
 * peer keeps its connection; a dead one's callers time out through FIT's
 * own deadline long before that.
 *
 * Threads: the discovery thread (fit_rdma_connect, fit_rdma_fill,
 * fit_rdma_peer_rebooted), the poll thread (run_resets).  Locks as
 * in rdma.c.
 */
#include <kernel/node.h>
#include <kernel/param.h>
#include <kernel/printk.h>
#include <kernel/time.h>
#include <lib/string.h>
#include <rdma/rxe.h>
#include <uapi/errno.h>
#include "rdma.h"

static bool resets_pending;		/* some peer's reset_to is set */
static u64 nr_resets;
static int retry_ms = 30000;
param_int("fit.retry_ms", retry_ms,
	  "rdma: a QP fails after this long without an ACK (ms)");

static u32 start_psn(u32 boot_id, unsigned int node, unsigned int ch,
		     u8 epoch)
{
	return (boot_id * 0x9e3779b1u + node * 131u + ch * 7919u +
		epoch * 0x10001u) & 0xffffff;
}

static int chan_connect(struct rdma_chan *c, const u8 *mac,
			const struct fit_announce_rdma *e)
{
	struct rdma_peer *p = c->peer;
	struct ib_qp_attr a = {
		.qp_state = IB_QPS_RTR,
		.path_mtu = rxe_net_mtu(fit_rdma_device()),
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
	a.sq_psn = start_psn(fit_boot_id, p->node, c->index, p->epoch);
	/* 67 ms, doubling while nothing is acknowledged up to 1 s: the
	 * QP gives up after about 5 s of silence (rdma.md). */
	a.timeout = 14;
	a.retry_cnt = 7;
	a.rnr_retry = 7;		/* receivers repost at once */
	a.max_rd_atomic = 1;
	err = ib_modify_qp(c->qp, &a, IB_QP_STATE | IB_QP_SQ_PSN |
			   IB_QP_TIMEOUT | IB_QP_RETRY_CNT | IB_QP_RNR_RETRY |
			   IB_QP_MAX_QP_RD_ATOMIC);
	return err ? err : rxe_net_set_retry_time(c->qp, (u64)MAX(retry_ms, 0) *
						      NSEC_PER_MSEC);
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
static void reset_peer(struct rdma_peer *p, u8 epoch, bool rebooted)
{
	struct ib_qp_attr a = { .qp_access_flags = IB_ACCESS_LOCAL_WRITE |
						   IB_ACCESS_REMOTE_WRITE };

	__atomic_store_n(&p->up, false, __ATOMIC_RELEASE);
	__atomic_store_n(&p->peer_ready, false, __ATOMIC_RELEASE);
	WRITE_ONCE(p->epoch, epoch);
	for (unsigned int i = 0; i < NCH; i++) {
		struct rdma_chan *c = &p->ch[i];

		/* With rxe.trace=N: how the connection got here. */
		rxe_net_trace_dump(fit_rdma_device(), c->qp->qp_num,
				   TRACE_DUMP);

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
	/* What was in flight is gone: FIT resends it, but not to a new
	 * incarnation of the peer. */
	if (rebooted)
		__atomic_fetch_add(&p->reboots, 1, __ATOMIC_RELEASE);
	fit_peer_reset(p->node, rebooted);
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
static void request_reset(struct rdma_peer *p, u8 epoch, u32 why)
{
	__atomic_store_n(&p->reset_to, why | epoch, __ATOMIC_RELEASE);
	__atomic_store_n(&resets_pending, true, __ATOMIC_RELEASE);
	rdma_kick_poll();
}

/* The peer rebooted: its QPs are new and know nothing of ours.  Reset
 * ours under a newer epoch; the new incarnation follows it (it starts at
 * epoch 0) and both connect with PSNs from its new boot id. */
void fit_rdma_peer_rebooted(u16 node)
{
	struct rdma_peer *p = rdma_peer(node);

	if (p)
		request_reset(p, (u8)(p->epoch + 1), RESET_REQ | RESET_REBOOT);
}

/* Poll thread: carry out requested resets, then let discovery announce. */
void run_resets(void)
{
	if (!__atomic_exchange_n(&resets_pending, false, __ATOMIC_ACQ_REL))
		return;
	for (int i = 0; i < FIT_MAX_NODES; i++) {
		struct rdma_peer *p = rdma_peer((u16)i);
		u32 v = p ? __atomic_load_n(&p->reset_to, __ATOMIC_ACQUIRE) : 0;

		if (!v)
			continue;
		reset_peer(p, (u8)v, v & RESET_REBOOT);
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
	struct rdma_peer *p = rdma_peer(node);
	bool ready;

	if (!p || __atomic_load_n(&p->reset_to, __ATOMIC_ACQUIRE))
		return;
	if (__atomic_load_n(&p->broken, __ATOMIC_ACQUIRE)) {
		request_reset(p, (u8)(p->epoch + 1), RESET_REQ);
		return;
	}
	if ((s8)(e->epoch - p->epoch) > 0) {
		request_reset(p, e->epoch, RESET_REQ);
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
		struct rdma_peer *p = rdma_peer((u16)node);

		if (!p)
			continue;
		memset(&e[n], 0, sizeof(e[n]));
		e[n].peer = (u16)node;
		e[n].nr_qps = NCH;
		e[n].flags = p->up ? FIT_RDMA_F_CONNECTED : 0;
		e[n].epoch = p->epoch;
		e[n].ipv4 = fit_rdma_device()->ipv4;
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

#ifdef CONFIG_SELFTEST
/* Selftests: reset the connection to @node now (as a failed QP would),
 * or give its QPs a retry time of @ms until the next reset. */
void fit_rdma_test_reset(u16 node)
{
	struct rdma_peer *p = rdma_peer(node);

	if (p)
		request_reset(p, (u8)(p->epoch + 1), RESET_REQ);
}

void fit_rdma_test_retry_ms(u16 node, u32 ms)
{
	struct rdma_peer *p = rdma_peer(node);

	for (unsigned int i = 0; p && i < NCH; i++)
		rxe_net_set_retry_time(p->ch[i].qp, (u64)ms * NSEC_PER_MSEC);
}
#endif

u64 fit_rdma_resets(void)
{
	return __atomic_load_n(&nr_resets, __ATOMIC_RELAXED);
}
