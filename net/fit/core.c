/* net/fit/core.c — FIT's client side and the glue: fit_call, the table of
 * pending calls, the receive upcall, statistics, fit_init.
 *
 * A call: take a fresh request id (this boot's id in the high half, a
 * sequence number in the low half: never reused, not even by the next
 * incarnation), put a struct pending (on the caller's stack) into the
 * pending table and its peer's list, hand the request to the transport
 * for the node, sleep until the reply or the deadline, take the entry out
 * again.  A reply is matched by (request id, source node, opcode) under
 * pending_lock; the first reply completes the call and takes the entry
 * out, so a duplicate reply, or a reply after the caller gave up, finds
 * nothing and is dropped and counted (late_replies) — it can never reach
 * another caller.
 *
 * Resending: when a transport resets its connection to a peer (what was
 * in flight is lost), it calls fit_peer_reset(); every call pending to
 * that peer is flagged and woken, and its caller sends the same request
 * (same id, same deadline) again — the transport holds it until the
 * connection is back.  The server runs each request id at most once and
 * answers a copy with its cached reply (dedup.c).  Every request carries
 * ack_delta (msg.h): the distance to the caller's oldest call still
 * pending to that peer, so the server can forget older replies.
 *
 * Receive: transports call fit_transport_rx() with whole messages, from
 * interrupts (eth) or threads (loopback).  One place checks the header
 * (length, version, destination, flags); replies complete their caller
 * right there, requests go to the worker pool (dispatch.c), which checks
 * opcode and length before any handler runs.
 *
 * Locks: pending_lock (irqsave: the eth upcall runs in interrupts) nests
 * outside the pending's wait-queue lock.  Counters are atomics.
 */
#include <drivers/netdev.h>
#include <kernel/machine.h>
#include <kernel/node.h>
#include <kernel/param.h>
#include <kernel/printk.h>
#include <kernel/sched.h>
#include <kernel/spinlock.h>
#include <kernel/time.h>
#include <kernel/wait.h>
#include <lib/list.h>
#include <lib/string.h>
#include <mm/mm.h>
#include <rdma/rxe.h>
#include <uapi/errno.h>
#include "internal.h"

#define PENDING_BUCKETS	64

static int timeout_ms = 1000;
param_int("fit.timeout_ms", timeout_ms, "default fit_call timeout (ms)");
static int test_mute = -1;
param_int("fit.test_mute", test_mute,
	  "selftests: this node id ignores every request (a dead peer)");
static int netdev_index;
param_int("fit.netdev", netdev_index, "netdev FIT uses between nodes");
static char transport_name[8] = "rdma";
param_string("fit.transport", transport_name,
	     "between nodes: rdma (default, if an RDMA device exists) or eth");

unsigned int fit_test_mute;
struct fit_stats fit_stats;
u32 fit_boot_id;
static u32 next_seq = 1;		/* under pending_lock */
static struct fit_transport *remote_transport;

struct pending {
	struct list_head node;		/* in its pending_table bucket */
	struct list_head peer_node;	/* in by_peer[peer] */
	u64 id;
	u16 peer, opcode;
	bool resend;			/* the connection was reset */
	bool abandoned;			/* the peer rebooted: never resend */
	struct wait_queue_head wq;	/* the caller sleeps here */
	void *msg;			/* the reply, once it came */
};

static DEFINE_SPINLOCK(pending_lock);
static struct list_head pending_table[PENDING_BUCKETS];
static struct list_head by_peer[FIT_MAX_NODES];

void fit_stat_add(u64 *counter, u64 n)
{
	__atomic_fetch_add(counter, n, __ATOMIC_RELAXED);
}

u64 fit_default_timeout_ns(void)
{
	return (u64)(timeout_ms > 0 ? timeout_ms : 1) * NSEC_PER_MSEC;
}

void fit_set_remote_transport(struct fit_transport *t)
{
	__atomic_store_n(&remote_transport, t, __ATOMIC_RELEASE);
}

struct fit_transport *fit_transport_for(u16 node)
{
	if (node == node_self())
		return &fit_loopback_transport;
	if (node >= node_count())
		return NULL;
	return __atomic_load_n(&remote_transport, __ATOMIC_ACQUIRE);
}

bool fit_node_known(u16 node)
{
	struct fit_transport *t = fit_transport_for(node);

	return t && t->reachable(t, node);
}

int fit_send_msg(u16 node, u16 opcode, u8 flags, u64 request_id,
		 u32 ack_delta, const void *payload, u32 len, u64 deadline_ns)
{
	struct fit_transport *t = fit_transport_for(node);
	struct msg_hdr hdr = {
		.opcode = opcode, .version = MSG_VERSION, .flags = flags,
		.src_node = (u16)node_self(), .dst_node = node,
		.length = (u32)sizeof(hdr) + len, .ack_delta = ack_delta,
		.request_id = request_id,
	};
	int err;

	if (!t || !t->reachable(t, node))
		return -EHOSTUNREACH;
	if (len > t->max_msg - sizeof(hdr))
		return -EMSGSIZE;
	/* Count first: the reply may overtake our return from send(). */
	fit_stat_add(&fit_stats.bytes_sent, hdr.length);
	err = t->send(t, (unsigned int)(request_id % t->nr_channels), &hdr,
		      payload, len, deadline_ns);
	if (err)
		fit_stat_add(&fit_stats.bytes_sent, -(u64)hdr.length);
	return err;
}

static struct list_head *bucket(u64 id)
{
	return &pending_table[id % PENDING_BUCKETS];
}

/* A reply arrived (any context): complete its caller or drop it. */
void fit_deliver_reply(const struct msg_hdr *hdr, void *msg)
{
	unsigned long f = spin_lock_irqsave(&pending_lock);
	struct pending *p;

	list_for_each_entry(p, bucket(hdr->request_id), node) {
		if (p->id != hdr->request_id || p->peer != hdr->src_node ||
		    p->opcode != hdr->opcode)
			continue;
		list_del(&p->node);
		list_del(&p->peer_node);
		WRITE_ONCE(p->msg, msg);
		wake_up(&p->wq);
		spin_unlock_irqrestore(&pending_lock, f);
		return;
	}
	spin_unlock_irqrestore(&pending_lock, f);
	fit_stat_add(&fit_stats.late_replies, 1);
	kfree(msg);
}

static void record_latency(u64 ns)
{
	u64 us = ns / NSEC_PER_USEC;
	unsigned int b = us ? 63 - __builtin_clzll(us) : 0;

	fit_stat_add(&fit_stats.latency_us_log2[MIN(b, FIT_LAT_BUCKETS - 1u)], 1);
}

/* Turn the reply message into fit_call's result; frees it. */
static int take_reply(void *msg, void *reply, u32 max)
{
	const struct msg_hdr *hdr = msg;
	u32 len = hdr->length - (u32)sizeof(*hdr);
	int ret = (int)len;

	if (hdr->flags & MSG_F_ERROR) {
		const struct msg_error *e = msg;

		ret = hdr->length == sizeof(*e) && e->error < 0 &&
		      e->error > -4096 ? e->error : -EPROTO;
	} else if (len > max) {
		ret = -EMSGSIZE;
	} else if (len) {
		memcpy(reply, (const u8 *)msg + sizeof(*hdr), len);
	}
	kfree(msg);
	return ret;
}

static int call_timed_out(struct pending *p, u64 waited_ns)
{
	fit_stat_add(&fit_stats.timeouts, 1);
	pr_warn("fit: call to node %u opcode %#06x (request %08x:%u) timed "
		"out after %llu ms\n", p->peer, p->opcode, (u32)(p->id >> 32),
		(u32)p->id, (unsigned long long)(waited_ns / NSEC_PER_MSEC));
	return -ETIMEDOUT;
}

/* A transport lost what was in flight to @node (its connection was
 * reset): have every call pending to it send its request again — unless
 * @rebooted: the new incarnation must not get the old one's requests
 * (they could run twice), those calls time out.  Thread context. */
void fit_peer_reset(u16 node, bool rebooted)
{
	unsigned long f;
	struct pending *p;

	if (node >= FIT_MAX_NODES)
		return;
	f = spin_lock_irqsave(&pending_lock);
	list_for_each_entry(p, &by_peer[node], peer_node) {
		p->resend = true;
		p->abandoned |= rebooted;
		wake_up(&p->wq);
	}
	spin_unlock_irqrestore(&pending_lock, f);
}

/* Send (or send again) @p's request; the ack_delta is computed now. */
static int send_request(struct pending *p, const void *req, u32 len,
			u64 deadline)
{
	u32 seq = (u32)p->id, oldest = seq;
	unsigned long f = spin_lock_irqsave(&pending_lock);
	struct pending *q;

	p->resend = false;
	if (p->abandoned) {
		spin_unlock_irqrestore(&pending_lock, f);
		return 0;		/* lost with the old incarnation */
	}
	list_for_each_entry(q, &by_peer[p->peer], peer_node)
		if ((s32)((u32)q->id - oldest) < 0)
			oldest = (u32)q->id;
	spin_unlock_irqrestore(&pending_lock, f);
	return fit_send_msg(p->peer, p->opcode, 0, p->id, seq - oldest, req,
			    len, deadline);
}

/* Sleep until @p's reply, a reset of its peer or @deadline; true if the
 * request must be sent again. */
static bool wait_reply(struct pending *p, u64 deadline)
{
	u64 now = ktime_get_ns();
	unsigned long f;
	bool again;

	if (now < deadline)
		wait_event_timeout(p->wq, READ_ONCE(p->msg) ||
				   READ_ONCE(p->resend), deadline - now);
	f = spin_lock_irqsave(&pending_lock);
	again = !p->msg && p->resend && !p->abandoned &&
		ktime_get_ns() < deadline;
	spin_unlock_irqrestore(&pending_lock, f);
	return again;
}

int fit_call(u16 node, u16 opcode, const void *req, u32 len, void *reply,
	     u32 max, u64 timeout_ns)
{
	struct pending p = { .peer = node, .opcode = opcode };
	u64 start = ktime_get_ns(), deadline;
	unsigned long f;
	int ret;

	fit_stat_add(&fit_stats.calls, 1);
	if (len > FIT_MAX_PAYLOAD)
		ret = -EMSGSIZE;
	else if ((len && !req) || (max && !reply))
		ret = -EINVAL;
	else if (!fit_node_known(node))
		ret = -EHOSTUNREACH;
	else
		ret = 0;
	if (ret)
		goto out;
	deadline = start + (timeout_ns ? timeout_ns : fit_default_timeout_ns());
	init_waitqueue_head(&p.wq);
	/* The id is taken and the call listed at once: a later call's
	 * ack_delta must not tell the server this one is finished. */
	f = spin_lock_irqsave(&pending_lock);
	p.id = (u64)fit_boot_id << 32 | next_seq++;
	list_add_tail(&p.node, bucket(p.id));
	list_add_tail(&p.peer_node, &by_peer[node]);
	spin_unlock_irqrestore(&pending_lock, f);

	ret = send_request(&p, req, len, deadline);
	while (!ret && wait_reply(&p, deadline)) {
		fit_stat_add(&fit_stats.resends, 1);
		ret = send_request(&p, req, len, deadline);
	}

	f = spin_lock_irqsave(&pending_lock);
	list_del(&p.node);		/* no-op if a reply took it out */
	list_del(&p.peer_node);
	spin_unlock_irqrestore(&pending_lock, f);
	if (p.msg)
		ret = take_reply(p.msg, reply, max);
	else if (!ret || ret == -ETIMEDOUT)
		ret = call_timed_out(&p, ktime_get_ns() - start);
out:
	if (ret >= 0) {
		fit_stat_add(&fit_stats.calls_ok, 1);
		record_latency(ktime_get_ns() - start);
	} else if (ret != -ETIMEDOUT) {
		fit_stat_add(&fit_stats.call_errors, 1);
	}
	return ret;
}

/* The one place that checks a message's header (any context). */
void fit_transport_rx(void *msg, u32 len)
{
	const struct msg_hdr *hdr = msg;

	if (len < sizeof(*hdr) || hdr->length != len ||
	    hdr->version != MSG_VERSION || hdr->dst_node != node_self() ||
	    hdr->src_node >= node_count() || (hdr->flags & ~MSG_F_KNOWN) ||
	    ((hdr->flags & MSG_F_ERROR) && !(hdr->flags & MSG_F_REPLY))) {
		fit_stat_add(&fit_stats.drop_malformed, 1);
		pr_warn_once("fit: malformed message dropped (len %u)\n", len);
		kfree(msg);
		return;
	}
	fit_stat_add(&fit_stats.bytes_received, len);
	if (hdr->flags & MSG_F_REPLY)
		fit_deliver_reply(hdr, msg);
	else
		fit_queue_request(msg);
}

bool fit_quiesce(u64 timeout_ns)
{
	u64 end = ktime_get_ns() + timeout_ns;

	for (;;) {
		struct fit_transport *t = __atomic_load_n(&remote_transport,
							  __ATOMIC_ACQUIRE);

		if (!t || t->idle(t))
			return true;
		if (ktime_get_ns() >= end)
			return false;
		msleep(1);
	}
}

void fit_get_stats(struct fit_stats *out)
{
	const u64 *src = (const u64 *)&fit_stats;
	struct fit_transport *t = __atomic_load_n(&remote_transport,
						  __ATOMIC_ACQUIRE);
	u64 *dst = (u64 *)out;

	for (size_t i = 0; i < sizeof(*out) / sizeof(u64); i++)
		dst[i] = __atomic_load_n(&src[i], __ATOMIC_RELAXED);
	if (t && t->retransmissions)
		out->retransmissions += t->retransmissions(t);
}

void fit_dump_stats(void)
{
	struct fit_transport *t;
	struct fit_stats s;

	fit_get_stats(&s);
	printk("fit: node %u: calls %llu ok %llu errors %llu timeouts %llu; "
	       "requests %llu replies %llu\n", node_self(), s.calls,
	       s.calls_ok, s.call_errors, s.timeouts, s.requests,
	       s.replies_sent);
	printk("fit: bytes sent %llu received %llu; frames resent %llu, "
	       "duplicate %llu\n", s.bytes_sent, s.bytes_received,
	       s.retransmissions, s.dup_frames);
	printk("fit: dropped: unknown opcode %llu, short %llu, malformed "
	       "%llu, late replies %llu, muted %llu, lost sends %llu\n",
	       s.drop_unknown_opcode, s.drop_short, s.drop_malformed,
	       s.late_replies, s.test_muted, s.lost_sends);
	printk("fit: resent calls %llu; duplicate requests: running %llu, "
	       "replayed %llu, forgotten %llu\n", s.resends, s.dup_running,
	       s.dup_replayed, s.dup_forgotten);
	for (unsigned int i = 0; i < FIT_LAT_BUCKETS; i++)
		if (s.latency_us_log2[i])
			printk("fit: latency [%8lu, %8lu) us: %llu\n", 1ul << i,
			       2ul << i, s.latency_us_log2[i]);
	t = __atomic_load_n(&remote_transport, __ATOMIC_ACQUIRE);
	if (t && t->dump)
		t->dump(t);
}

static u32 make_boot_id(void)
{
	u64 x = ktime_get_ns() ^ boot_clock_ns() * 0x9e3779b97f4a7c15ull;

	x ^= x >> 29;
	return (u32)(x * 0xbf58476d1ce4e5b9ull >> 32) | 1;
}

/* Before the machine stops: let our last messages (often replies) reach
 * their peers. */
static void fit_shutdown(void)
{
	if (!fit_quiesce(2 * NSEC_PER_SEC))
		pr_warn("fit: leaving with unacknowledged messages\n");
}

/* The RDMA device FIT uses on @dev, or NULL for the eth transport. */
static struct ib_device *pick_rdma(struct net_device *dev)
{
	struct ib_device *ib = NULL;

	if (!strcmp(transport_name, "eth"))
		return NULL;
	if (strcmp(transport_name, "rdma"))
		pr_warn("fit: fit.transport=%s unknown: using rdma\n",
			transport_name);
#ifdef CONFIG_RDMA_RXE
	if (!rxe_net_init())
		ib = rxe_net_ibdev(dev);
#endif
	if (!ib)
		pr_warn("fit: no RDMA device on %s: using eth\n", dev->name);
	return ib;
}

static void start_remote(void)
{
	struct net_device *dev = netdev_get(netdev_index);
	int err;

	if (!dev) {
		pr_err("fit: nodes=%u but no netdev %d: this node stays alone\n",
		       node_count(), netdev_index);
		return;
	}
	err = fit_discovery_start(dev, pick_rdma(dev), fit_boot_id);
	if (err) {
		pr_err("fit: cannot start on %s (%d): this node stays alone\n",
		       dev->name, err);
		return;
	}
	if (machine_add_shutdown_hook(fit_shutdown))
		pr_warn("fit: no shutdown hook: last replies may be lost\n");
}

void fit_init(void)
{
	char roles[32];

	for (int i = 0; i < PENDING_BUCKETS; i++)
		INIT_LIST_HEAD(&pending_table[i]);
	for (int i = 0; i < FIT_MAX_NODES; i++)
		INIT_LIST_HEAD(&by_peer[i]);
	fit_boot_id = make_boot_id();
	fit_test_mute = test_mute < 0 ? ~0u : (unsigned int)test_mute;
	if (fit_dispatch_init()) {
		pr_err("fit: cannot start the worker pool\n");
		return;
	}
	printk("fit: node %u of %u, roles %s, timeout %d ms\n", node_self(),
	       node_count(), node_roles_str(node_roles(), roles, sizeof(roles)),
	       timeout_ms);
	if (node_count() > FIT_MAX_NODES || node_self() >= node_count()) {
		pr_err("fit: bad command line: node=%u nodes=%u (at most %u "
		       "nodes): this node stays alone\n", node_self(),
		       node_count(), FIT_MAX_NODES);
		return;
	}
	if (node_count() > 1)
		start_remote();
}
