/* net/fit/eth.c — FIT's interim transport: reliable, ordered messages over
 * raw Ethernet frames (EtherType 0x88b6, include/protocol/fit.h) on one
 * netdev, until the RDMA provider's RC QPs replace it behind the same
 * struct fit_transport.
 *
 * Per peer, one ordered stream (the `channel` argument is ignored):
 *  - Sending: a message is cut into fragments of at most frag_max bytes;
 *    each fragment is one DATA frame with the next sequence number.  The
 *    frames stay in the peer's window (WINDOW slots, preallocated) until
 *    acknowledged.  One sender of a peer at a time holds the peer's
 *    tx_busy token, so that a message's fragments have consecutive
 *    sequence numbers; a sender sleeps, never past its own deadline,
 *    until the token is free and the window has room for the whole
 *    message.
 *  - Receiving: only the frame with the expected sequence number is
 *    accepted (anything else is a duplicate or out of order: dropped and
 *    answered with an ACK), so reassembly is appending fragments in order;
 *    a complete message goes up through fit_transport_rx().  ACKs are
 *    cumulative ("next expected"), sent at the end of each message, every
 *    ACK_EVERY frames and on every unexpected frame, and piggyback on DATA.
 *  - Loss: the rtx thread resends every unacknowledged frame of a peer
 *    (go-back-N) when the oldest has waited rto.  rto = 3 x the smoothed
 *    round trip (sampled from frames sent once only), within
 *    [RTO_MIN, RTO_MAX]; it doubles while nothing is acknowledged.
 *    A dead peer's window fills and its senders time out; no state is
 *    thrown away, so a slow peer is never desynchronised.
 *  - Incarnations: DATA and ACK frames carry the sender's boot id and the
 *    receiver's as the sender knows it; a frame of another incarnation
 *    pair is dropped (counted as a duplicate, not ACKed).  When discovery
 *    sees a peer come back with a new boot id (fit_eth_peer_rebooted),
 *    the stream starts afresh on our side: window emptied (what was in
 *    flight is lost: FIT lets those calls time out rather than hand them
 *    to the new incarnation), both sequence numbers back to 0, the
 *    partial message dropped; the new incarnation starts from 0 too.  A
 *    sender that waited for room across that drops its message.
 *  Not covered: more than one netdev.
 *
 * Locks: per peer, lock (irqsave; the rx handler
 * runs in the NIC's interrupt) -> the netdev's transmit lock.  Nothing
 * else is taken under `lock`; upcalls and wake-ups happen after it is
 * dropped.  peers[] entries are published once (release) and never freed.
 */
#include <drivers/netdev.h>
#include <kernel/node.h>
#include <kernel/printk.h>
#include <kernel/sched.h>
#include <kernel/time.h>
#include <kernel/wait.h>
#include <lib/string.h>
#include <mm/mm.h>
#include <uapi/errno.h>
#include "internal.h"

#define WINDOW		64		/* frames in flight per peer */
#define ACK_EVERY	16
#define RTO_MIN		(50 * NSEC_PER_MSEC)
#define RTO_MAX		(500 * NSEC_PER_MSEC)
#define MAX_FRAME	(ETH_HLEN + 9000)
#define MIN_FRAME	60
#define HDRS		(ETH_HLEN + sizeof(struct fit_eth_hdr))

struct eth_peer {
	spinlock_t lock;
	struct wait_queue_head tx_wait;	/* window room, tx_busy free */
	bool tx_busy;			/* a sender fills slots; under lock */
	u16 node;
	u8 mac[ETH_ALEN];
	u32 peer_boot;			/* its incarnation; under lock */
	u32 reboots;			/* streams restarted (atomic) */
	/* transmit, under lock */
	u32 snd_una, snd_nxt;
	u64 rto, rtx_at;		/* rtx_at valid while una != nxt */
	u64 srtt;			/* smoothed round trip, ns */
	u64 sent_ns[WINDOW];		/* first transmission of the slot */
	bool resent[WINDOW];		/* slot was retransmitted */
	u8 *win[WINDOW];		/* frame buffers, slot = seq % WINDOW */
	u16 win_len[WINDOW];
	/* receive, under lock */
	u32 rcv_nxt, unacked;
	u8 *rx_msg;
	u32 rx_len, rx_got;
};

static struct net_device *eth_dev;
static u32 frame_max, frag_max, my_boot_id;
static struct eth_peer *peers[FIT_MAX_NODES];
static DEFINE_WAIT_QUEUE_HEAD(rtx_wait);
static bool rtx_kicked;
static u64 readmissions;		/* peers taken back after a reboot */

static bool seq_before(u32 a, u32 b)
{
	return (s32)(a - b) < 0;
}

static struct eth_peer *peer_get(u16 node)
{
	return node < FIT_MAX_NODES ?
	       __atomic_load_n(&peers[node], __ATOMIC_ACQUIRE) : NULL;
}

static void eth_header(u8 *f, const u8 *dst)
{
	memcpy(f, dst, ETH_ALEN);
	memcpy(f + ETH_ALEN, eth_dev->mac, ETH_ALEN);
	f[12] = FIT_ETHERTYPE >> 8;
	f[13] = FIT_ETHERTYPE & 0xff;
}

/* The FIT header sits at offset 14 of a frame, not 4-byte aligned: it is
 * only ever copied in and out, never accessed through a pointer. */
static void fit_header(u8 *f, u8 type, u16 dst_node, u32 dst_boot,
		       const struct fit_eth_hdr *data)
{
	struct fit_eth_hdr h = {
		.type = type, .version = FIT_ETH_VERSION,
		.src_node = (u16)node_self(), .dst_node = dst_node,
		.boot_id = my_boot_id, .dst_boot = dst_boot,
	};

	if (data) {
		h.frag_len = data->frag_len;
		h.seq = data->seq;
		h.msg_len = data->msg_len;
		h.frag_off = data->frag_off;
	}
	memcpy(f + ETH_HLEN, &h, sizeof(h));
}

static void set_frame_ack(u8 *f, u32 ack)
{
	memcpy(f + ETH_HLEN + offsetof(struct fit_eth_hdr, ack), &ack,
	       sizeof(ack));
}

static void send_ack(struct eth_peer *p, u32 ack, u32 peer_boot)
{
	u8 f[MIN_FRAME] = { 0 };

	eth_header(f, p->mac);
	fit_header(f, FIT_ETH_ACK, p->node, peer_boot, NULL);
	set_frame_ack(f, ack);
	netdev_xmit(eth_dev, f, sizeof(f));
}

/* Transmit window slot @seq; caller holds p->lock. */
static void xmit_slot(struct eth_peer *p, u32 seq)
{
	u8 *f = p->win[seq % WINDOW];

	set_frame_ack(f, p->rcv_nxt);
	p->unacked = 0;
	netdev_xmit(eth_dev, f, p->win_len[seq % WINDOW]);
}

/* Copy bytes [off, off + n) of header + payload into @dst. */
static void gather(u8 *dst, const struct msg_hdr *hdr, const u8 *payload,
		   u32 off, u32 n)
{
	u32 hn = (u32)sizeof(*hdr);

	if (off < hn) {
		u32 k = MIN(n, hn - off);

		memcpy(dst, (const u8 *)hdr + off, k);
		dst += k;
		off += k;
		n -= k;
	}
	if (n)
		memcpy(dst, payload + (off - hn), n);
}

/* Take the sender token if it is free and @nfrag slots are. */
static bool claim_tx(struct eth_peer *p, u32 nfrag)
{
	unsigned long f = spin_lock_irqsave(&p->lock);
	bool ok = !p->tx_busy && WINDOW - (p->snd_nxt - p->snd_una) >= nfrag;

	if (ok)
		p->tx_busy = true;
	spin_unlock_irqrestore(&p->lock, f);
	return ok;
}

/* Fill window slot @seq (after snd_nxt: only the sender holding
 * tx_busy touches it) with a DATA frame of @n bytes at @off of a message
 * of @total bytes; the bytes come from gather(@hdr, @payload). */
static void fill_frame(struct eth_peer *p, u32 seq, const struct msg_hdr *hdr,
		       const u8 *payload, u32 total, u32 off, u32 n)
{
	u8 *fr = p->win[seq % WINDOW];
	struct fit_eth_hdr h = { .frag_len = (u16)n, .seq = seq,
				 .msg_len = total, .frag_off = off };

	eth_header(fr, p->mac);
	fit_header(fr, FIT_ETH_DATA, p->node, p->peer_boot, &h);
	gather(fr + HDRS, hdr, payload, off, n);
	p->win_len[seq % WINDOW] = (u16)MAX(HDRS + n, MIN_FRAME);
	if (HDRS + n < MIN_FRAME)
		memset(fr + HDRS + n, 0, MIN_FRAME - HDRS - n);
}

/* Send the @nfrag filled slots after snd_nxt, in order, and give the
 * sender token back. */
static void commit_frames(struct eth_peer *p, u32 nfrag)
{
	unsigned long f = spin_lock_irqsave(&p->lock);

	if (p->snd_una == p->snd_nxt) {
		p->rtx_at = ktime_get_ns() + p->rto;
		__atomic_store_n(&rtx_kicked, true, __ATOMIC_RELEASE);
	}
	for (u32 i = 0; i < nfrag; i++) {
		p->sent_ns[p->snd_nxt % WINDOW] = ktime_get_ns();
		p->resent[p->snd_nxt % WINDOW] = false;
		xmit_slot(p, p->snd_nxt++);
	}
	p->tx_busy = false;
	spin_unlock_irqrestore(&p->lock, f);
	wake_up(&rtx_wait);
	wake_up(&p->tx_wait);
}

/* Give the sender token back without sending. */
static void release_tx(struct eth_peer *p)
{
	unsigned long f = spin_lock_irqsave(&p->lock);

	p->tx_busy = false;
	spin_unlock_irqrestore(&p->lock, f);
	wake_up(&p->tx_wait);
}

/* Become the peer's sender with @nfrag free slots, or -ETIMEDOUT at
 * @deadline_ns. */
static int wait_room(struct eth_peer *p, u32 nfrag, u64 deadline_ns)
{
	for (;;) {
		u64 now = ktime_get_ns();

		if (now >= deadline_ns)
			return claim_tx(p, nfrag) ? 0 : -ETIMEDOUT;
		/* The condition is checked first and claims on success. */
		if (wait_event_timeout(p->tx_wait, claim_tx(p, nfrag),
				       deadline_ns - now))
			return 0;
	}
}

static int eth_send(struct fit_transport *t, unsigned int channel,
		    const struct msg_hdr *hdr, const void *payload, u32 len,
		    u64 deadline_ns)
{
	struct eth_peer *p = peer_get(hdr->dst_node);
	u32 total = hdr->length;
	u32 nfrag = MAX(DIV_ROUND_UP(total, frag_max), 1u);
	u32 reboots;
	int err;

	if (!p)
		return -EHOSTUNREACH;
	if (total > t->max_msg || nfrag > WINDOW)
		return -EMSGSIZE;
	reboots = __atomic_load_n(&p->reboots, __ATOMIC_ACQUIRE);
	err = wait_room(p, nfrag, deadline_ns);
	if (!err && __atomic_load_n(&p->reboots, __ATOMIC_ACQUIRE) != reboots) {
		release_tx(p);		/* not for the new incarnation */
		fit_stat_add(&fit_stats.lost_sends, 1);
		return 0;
	}
	if (!err) {
		for (u32 i = 0, off = 0; i < nfrag; i++, off += frag_max)
			fill_frame(p, p->snd_nxt + i, hdr, payload, total, off,
				   MIN(frag_max, total - off));
		commit_frames(p, nfrag);
	}
	return err;
}

#ifdef CONFIG_SELFTEST
/* Selftests: send one DATA frame carrying @len bytes of @data with any
 * msg_len/frag_off, in sequence (so the stream stays intact), to check
 * that the receiver rejects it.  May sleep. */
int fit_eth_test_frame(u16 node, const void *data, u32 len, u32 msg_len,
		       u32 frag_off)
{
	struct eth_peer *p = peer_get(node);
	struct msg_hdr none;
	int err;

	if (!p)
		return -EHOSTUNREACH;
	if (len > frag_max || len < sizeof(none))
		return -EINVAL;
	memcpy(&none, data, sizeof(none));
	err = wait_room(p, 1, ktime_get_ns() + fit_default_timeout_ns());
	if (!err) {
		struct fit_eth_hdr h = { .frag_len = (u16)len,
					 .seq = p->snd_nxt, .msg_len = msg_len,
					 .frag_off = frag_off };

		fill_frame(p, p->snd_nxt, &none, (const u8 *)data + sizeof(none),
			   len, 0, len);
		fit_header(p->win[p->snd_nxt % WINDOW], FIT_ETH_DATA, node,
			   p->peer_boot, &h);
		commit_frames(p, 1);
	}
	return err;
}

struct net_device *fit_eth_test_dev(void)
{
	return eth_dev;
}

/* The boot id our frames to @node carry as dst_boot (0: no such peer). */
u32 fit_eth_test_peer_boot(u16 node)
{
	struct eth_peer *p = peer_get(node);

	return p ? READ_ONCE(p->peer_boot) : 0;
}
#endif

/* Resend what is due; returns the earliest pending deadline or 0. */
static u64 rtx_scan(void)
{
	u64 next = 0;

	for (int i = 0; i < FIT_MAX_NODES; i++) {
		struct eth_peer *p = peer_get((u16)i);
		u64 now = ktime_get_ns();
		unsigned long f;

		if (!p)
			continue;
		f = spin_lock_irqsave(&p->lock);
		if (p->snd_una != p->snd_nxt && now >= p->rtx_at) {
			for (u32 s = p->snd_una; s != p->snd_nxt; s++) {
				p->resent[s % WINDOW] = true;
				xmit_slot(p, s);
			}
			fit_stat_add(&fit_stats.retransmissions,
				     p->snd_nxt - p->snd_una);
			p->rto = MIN(p->rto * 2, RTO_MAX);
			p->rtx_at = now + p->rto;
		}
		if (p->snd_una != p->snd_nxt && (!next || p->rtx_at < next))
			next = p->rtx_at;
		spin_unlock_irqrestore(&p->lock, f);
	}
	return next;
}

static int rtx_thread(void *arg)
{
	for (;;) {
		u64 next, now;

		__atomic_store_n(&rtx_kicked, false, __ATOMIC_RELEASE);
		next = rtx_scan();
		if (!next) {
			wait_event(rtx_wait, __atomic_load_n(&rtx_kicked,
							     __ATOMIC_ACQUIRE));
			continue;
		}
		now = ktime_get_ns();
		if (next > now)		/* a kick may bring an earlier one */
			wait_event_timeout(rtx_wait, __atomic_load_n(
				&rtx_kicked, __ATOMIC_ACQUIRE), next - now);
	}
	return 0;
}

/* Cumulative ACK @ack from @p; caller holds p->lock.  True if it freed
 * window room. */
static bool ack_advance(struct eth_peer *p, u32 ack)
{
	u32 last = (ack - 1) % WINDOW;
	u64 now = ktime_get_ns();

	if (!seq_before(p->snd_una, ack) || seq_before(p->snd_nxt, ack))
		return false;
	p->snd_una = ack;
	if (!p->resent[last]) {		/* Karn: only unambiguous samples */
		u64 sample = now - p->sent_ns[last];

		p->srtt = p->srtt ? (7 * p->srtt + sample) / 8 : sample;
	}
	p->rto = MIN(MAX(3 * p->srtt, RTO_MIN), RTO_MAX);
	p->rtx_at = now + p->rto;
	return true;
}

/* In-sequence DATA frame; caller holds p->lock.  Returns a complete
 * message (and its length in *@len) or NULL. */
static void *rx_data(struct eth_peer *p, const struct fit_eth_hdr *h,
		     const u8 *data, u32 *len)
{
	void *msg;

	p->rcv_nxt++;			/* consumed, unless memory is short */
	if (h->frag_off == 0) {
		if (p->rx_msg) {	/* the previous one never finished */
			fit_stat_add(&fit_stats.drop_malformed, 1);
			kfree(p->rx_msg);
			p->rx_msg = NULL;
		}
		if (h->msg_len < sizeof(struct msg_hdr) ||
		    h->msg_len > FIT_MAX_MSG)
			goto bad;
		p->rx_msg = kmalloc(h->msg_len);
		if (!p->rx_msg) {
			p->rcv_nxt--;	/* not accepted: it will come again */
			return NULL;
		}
		p->rx_len = h->msg_len;
		p->rx_got = 0;
	}
	if (!p->rx_msg || h->msg_len != p->rx_len || h->frag_off != p->rx_got ||
	    h->frag_len > p->rx_len - p->rx_got)
		goto bad;
	memcpy(p->rx_msg + p->rx_got, data, h->frag_len);
	p->rx_got += h->frag_len;
	if (p->rx_got < p->rx_len)
		return NULL;
	msg = p->rx_msg;
	*len = p->rx_len;
	p->rx_msg = NULL;
	return msg;
bad:
	kfree(p->rx_msg);
	p->rx_msg = NULL;
	fit_stat_add(&fit_stats.drop_malformed, 1);
	pr_warn_once("fit-eth: malformed fragment from node %u dropped\n",
		     p->node);
	return NULL;
}

/* DATA or ACK from a known peer (interrupt context). */
static void rx_stream(struct eth_peer *p, const struct fit_eth_hdr *h,
		      const u8 *data)
{
	unsigned long f = spin_lock_irqsave(&p->lock);
	bool room = false, ack_now = false;
	void *msg = NULL;
	u32 len = 0, ack, peer_boot = p->peer_boot;

	if (h->boot_id != p->peer_boot || h->dst_boot != my_boot_id) {
		spin_unlock_irqrestore(&p->lock, f);	/* another incarnation */
		fit_stat_add(&fit_stats.dup_frames, 1);
		return;
	}
	room = ack_advance(p, h->ack);
	if (h->type == FIT_ETH_DATA) {
		if (h->seq != p->rcv_nxt) {
			ack_now = true;		/* duplicate or out of order */
			fit_stat_add(&fit_stats.dup_frames, 1);
		} else {
			msg = rx_data(p, h, data, &len);
			ack_now = msg || ++p->unacked >= ACK_EVERY;
		}
	}
	if (ack_now)
		p->unacked = 0;
	ack = p->rcv_nxt;
	spin_unlock_irqrestore(&p->lock, f);
	if (ack_now)
		send_ack(p, ack, peer_boot);
	if (room)
		wake_up(&p->tx_wait);
	if (msg)
		fit_transport_rx(msg, len);
}

/* An announcement and its RDMA entries (interrupt context). */
static void rx_announce(const u8 *f, size_t len)
{
	struct fit_announce_rdma e[8];
	struct fit_announce a;
	size_t room;
	unsigned int n;

	if (len < HDRS + sizeof(a)) {
		fit_stat_add(&fit_stats.drop_malformed, 1);
		return;
	}
	memcpy(&a, f + HDRS, sizeof(a));
	room = (len - HDRS - sizeof(a)) / sizeof(e[0]);
	if (a.nr_rdma > room) {
		fit_stat_add(&fit_stats.drop_malformed, 1);
		return;
	}
	/* Only the entry for us matters: look for it, copy at most a few. */
	n = 0;
	for (unsigned int i = 0; i < a.nr_rdma && n < ARRAY_SIZE(e); i++) {
		const u8 *src = f + HDRS + sizeof(a) + i * sizeof(e[0]);

		memcpy(&e[n], src, sizeof(e[0]));
		if (e[n].peer == node_self())
			n++;
	}
	fit_discovery_rx(f + ETH_ALEN, &a, e, n);
}

static void eth_rx(struct net_device *dev, const void *frame, size_t len,
		   void *ctx)
{
	const u8 *f = frame;
	struct fit_eth_hdr h;
	struct eth_peer *p;

	if (len < ETH_HLEN || f[12] != (FIT_ETHERTYPE >> 8) ||
	    f[13] != (FIT_ETHERTYPE & 0xff))
		return;			/* not FIT's */
	if (memcmp(f, dev->mac, ETH_ALEN) && !(f[0] & 1))
		return;			/* another node's unicast (a hub) */
	if (len < HDRS || f[ETH_HLEN + 1] != FIT_ETH_VERSION) {
		fit_stat_add(&fit_stats.drop_malformed, 1);
		return;
	}
	memcpy(&h, f + ETH_HLEN, sizeof(h));
	if (h.type == FIT_ETH_ANNOUNCE) {
		rx_announce(f, len);
		return;
	}
	p = peer_get(h.src_node);
	if (!p || h.dst_node != node_self() || memcmp(p->mac, f + ETH_ALEN,
						       ETH_ALEN) ||
	    (h.type != FIT_ETH_DATA && h.type != FIT_ETH_ACK) ||
	    (h.type == FIT_ETH_DATA && len < HDRS + h.frag_len)) {
		fit_stat_add(&fit_stats.drop_malformed, 1);
		return;
	}
	rx_stream(p, &h, f + HDRS);
}

unsigned int fit_eth_announce_room(void)
{
	return (unsigned int)((frame_max - HDRS - sizeof(struct fit_announce)) /
			      sizeof(struct fit_announce_rdma));
}

/* Broadcast @a and its a->nr_rdma entries @e (thread context). */
void fit_eth_xmit_announce(const struct fit_announce *a,
			   const struct fit_announce_rdma *e)
{
	static const u8 bcast[ETH_ALEN] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	size_t body = sizeof(*a) + a->nr_rdma * sizeof(*e);
	size_t len = MAX(HDRS + body, (size_t)MIN_FRAME);
	u8 *f = kzalloc(len);

	if (!f)
		return;
	eth_header(f, bcast);
	fit_header(f, FIT_ETH_ANNOUNCE, FIT_NODE_BROADCAST, 0, NULL);
	memcpy(f + HDRS, a, sizeof(*a));
	if (a->nr_rdma)
		memcpy(f + HDRS + sizeof(*a), e, a->nr_rdma * sizeof(*e));
	netdev_xmit(eth_dev, f, len);
	kfree(f);
}

/* Discovery found @node at @mac, booted as @boot_id (thread context,
 * may sleep). */
int fit_eth_add_peer(u16 node, const u8 *mac, u32 boot_id)
{
	struct eth_peer *p;

	if (node >= FIT_MAX_NODES || node == node_self() || peer_get(node))
		return -EINVAL;
	p = kzalloc(sizeof(*p));
	if (!p)
		return -ENOMEM;
	for (int i = 0; i < WINDOW; i++) {
		p->win[i] = kmalloc(frame_max);
		if (!p->win[i]) {
			while (i--)
				kfree(p->win[i]);
			kfree(p);
			return -ENOMEM;
		}
	}
	spin_lock_init(&p->lock, "fit_eth_peer");
	init_waitqueue_head(&p->tx_wait);
	p->node = node;
	p->peer_boot = boot_id;
	p->rto = RTO_MIN;
	memcpy(p->mac, mac, ETH_ALEN);
	__atomic_store_n(&peers[node], p, __ATOMIC_RELEASE);
	return 0;
}

/* Discovery thread: @node came back as incarnation @boot_id.  Restart
 * the stream with it (see the top); the calls in flight time out. */
void fit_eth_peer_rebooted(u16 node, u32 boot_id)
{
	struct eth_peer *p = peer_get(node);
	unsigned long f;

	if (!p)
		return;
	while (!claim_tx(p, 0))		/* no sender fills slots meanwhile */
		msleep(1);
	f = spin_lock_irqsave(&p->lock);
	p->peer_boot = boot_id;
	__atomic_fetch_add(&p->reboots, 1, __ATOMIC_RELEASE);
	p->snd_una = p->snd_nxt = p->rcv_nxt = 0;
	p->unacked = 0;
	kfree(p->rx_msg);
	p->rx_msg = NULL;
	p->srtt = 0;
	p->rto = RTO_MIN;
	p->tx_busy = false;
	spin_unlock_irqrestore(&p->lock, f);
	__atomic_fetch_add(&readmissions, 1, __ATOMIC_RELAXED);
	wake_up(&p->tx_wait);
	fit_peer_reset(node, true);
}

u64 fit_eth_readmissions(void)
{
	return __atomic_load_n(&readmissions, __ATOMIC_RELAXED);
}

static bool eth_reachable(struct fit_transport *t, u16 node)
{
	return peer_get(node) != NULL;
}

static bool eth_idle(struct fit_transport *t)
{
	for (int i = 0; i < FIT_MAX_NODES; i++) {
		struct eth_peer *p = peer_get((u16)i);
		unsigned long f;
		bool busy;

		if (!p)
			continue;
		f = spin_lock_irqsave(&p->lock);
		busy = p->snd_una != p->snd_nxt;
		spin_unlock_irqrestore(&p->lock, f);
		if (busy)
			return false;
	}
	return true;
}

struct fit_transport fit_eth_transport = {
	.name = "eth",
	.max_msg = FIT_MAX_MSG,
	.nr_channels = 1,
	.send = eth_send,
	.reachable = eth_reachable,
	.idle = eth_idle,
};

int fit_eth_init(struct net_device *dev, u32 boot_id)
{
	struct task *t;
	int err;

	if (dev->mtu < 576)
		return -EINVAL;
	eth_dev = dev;
	my_boot_id = boot_id;
	frame_max = MIN(ETH_HLEN + dev->mtu, (u32)MAX_FRAME);
	frag_max = frame_max - (u32)HDRS;
	err = netdev_add_proto(dev, FIT_ETHERTYPE, eth_rx, NULL);
	if (err)
		return err;
	t = kthread_run(rtx_thread, NULL, "fit-eth-rtx");
	if (!t)
		return -ENOMEM;
	kthread_detach(t);
	return 0;
}
