/* drivers/infiniband/sw/rxe/net.c — the kernel glue of the emulated RDMA
 * NIC: one rxe device per netdev, a lock, a timer, the fault parameters.
 *
 * The rxe core (the other files here) is pure logic that its caller must
 * serialize (include/rdma/rxe.h).  This file is that caller in the kernel:
 *  - Binding: rxe_net_init() creates "rxeN" on netdev N with the netdev's
 *    MAC, the IPv4 address 169.254.N.(node+1) (link-local: these frames
 *    never leave the private QEMU segment, and peers learn our address
 *    from discovery, never from a table), and the largest IB MTU whose
 *    frame fits the netdev's MTU; it registers the ib_device with the
 *    core (drivers/infiniband/core) and claims EtherType 0x0800 on the
 *    netdev's demultiplexer.
 *  - Lock: one spinlock per device, always taken with interrupts off
 *    (the receive handler runs in the NIC's interrupt, the timer in the
 *    timer interrupt).  Every verb goes through the locked ops table
 *    below, which replaces the core's table on the ib_device; rxe_rx and
 *    rxe_dev_timer run under it too.  CQ completion handlers therefore
 *    run under it: they may only wake somebody (see rdma/rxe.h).
 *  - Port: xmit -> netdev_xmit (a full ring is a lost frame: go-back-N
 *    repairs it); now -> ktime; arm_timer -> one kernel timer per device,
 *    re-armed only when a deadline earlier than the armed one is asked
 *    for; its callback runs every expired QP timer, and the core re-arms
 *    whatever is still pending.
 *  - Receive: frames not addressed to our MAC (the hub repeats every
 *    frame to every node) are dropped before the ICRC is computed.
 *  - Parameters: rxe.drop=, rxe.dup=, rxe.reorder= (probabilities),
 *    rxe.delay_us=, rxe.seed= go to the core's fault injector (fault.c);
 *    rxe.ack_delay_us= (default 1000: far below FIT's 67 ms retransmission
 *    timeout; the timer tick makes it up to 4 ms more) delays the ACK of a
 *    message's end until the QP next sends (resp.c).
 *  - Polling: ops->process drains the netdev from the caller's thread, for
 *    consumers that poll briefly before sleeping (net/fit/rdma.c).
 * Lock order: a user's own locks -> rxe_kdev.lock -> the netdev's
 * transmit lock and the timer base lock.
 */
#include <drivers/netdev.h>
#include <kernel/node.h>
#include <kernel/param.h>
#include <kernel/printk.h>
#include <kernel/spinlock.h>
#include <kernel/time.h>
#include <lib/printf.h>
#include <lib/string.h>
#include <mm/mm.h>
#include <uapi/errno.h>
#include "internal.h"

#define RXE_NET_MAX	4
#define RXE_NET_QPS	256
#define RXE_NET_MRS	64
#define ETHERTYPE_IPV4	0x0800
/* IP 20 + UDP 8 + BTH 12 + RETH 16 + ImmDt 4 + ICRC 4 beyond the payload */
#define ROCE_OVERHEAD	64

struct rxe_kdev {
	spinlock_t lock;
	struct rxe_dev *rxe;
	struct net_device *ndev;
	struct timer timer;
	u64 armed;			/* deadline the timer is set for */
	u64 rx_other_mac;		/* frames for other nodes, ignored */
	u64 last_rx_ns;			/* when a frame for us last came */
};

static struct rxe_kdev *kdevs[RXE_NET_MAX];
static int nr_kdevs;

static char drop_s[16], dup_s[16], reorder_s[16];
static int delay_us;
static unsigned long seed = 1;
static int trace_entries;
static int ack_delay_us = 1000;
param_string("rxe.drop", drop_s, "rxe: probability a frame is dropped");
param_string("rxe.dup", dup_s, "rxe: probability a frame is duplicated");
param_string("rxe.reorder", reorder_s,
	     "rxe: probability a frame is held back (reordered)");
param_int("rxe.delay_us", delay_us, "rxe: delay of every frame (us)");
param_ulong("rxe.seed", seed, "rxe: seed of the fault injector");
param_int("rxe.ack_delay_us", ack_delay_us,
	  "rxe: ACK a message at most this late, sooner behind the QP's next "
	  "packet (0: at once)");
param_int("rxe.trace", trace_entries,
	  "rxe: keep the last N transport events (a power of two; 0: off)");

static struct rxe_kdev *kd(struct ib_device *ib)
{
	return to_rdev(ib)->ctx;
}

/* Run @call with the device lock held (interrupts off). */
#define LOCKED(ib, call)                                                    \
	({                                                                  \
		struct rxe_kdev *k_ = kd(ib);                               \
		unsigned long f_ = spin_lock_irqsave(&k_->lock);            \
		int r_ = (call);                                            \
		spin_unlock_irqrestore(&k_->lock, f_);                      \
		r_;                                                         \
	})

static int k_alloc_pd(struct ib_device *d, struct ib_pd **pd)
{
	return LOCKED(d, rxe_alloc_pd(d, pd));
}
static int k_dealloc_pd(struct ib_pd *pd)
{
	return LOCKED(pd->device, rxe_dealloc_pd(pd));
}
static int k_reg_mr(struct ib_pd *pd, void *addr, u64 length, int access,
		    struct ib_mr **mr)
{
	return LOCKED(pd->device, rxe_reg_mr(pd, addr, length, access, mr));
}
static int k_dereg_mr(struct ib_mr *mr)
{
	return LOCKED(mr->device, rxe_dereg_mr(mr));
}
static int k_create_cq(struct ib_device *d, int cqe, ib_comp_handler h,
		       void *ctx, struct ib_cq **cq)
{
	return LOCKED(d, rxe_create_cq(d, cqe, h, ctx, cq));
}
static int k_destroy_cq(struct ib_cq *cq)
{
	return LOCKED(cq->device, rxe_destroy_cq(cq));
}
static int k_create_qp(struct ib_pd *pd, struct ib_qp_init_attr *init,
		       struct ib_qp **qp)
{
	return LOCKED(pd->device, rxe_create_qp(pd, init, qp));
}
static int k_modify_qp(struct ib_qp *qp, struct ib_qp_attr *attr, int mask)
{
	return LOCKED(qp->device, rxe_modify_qp(qp, attr, mask));
}
static int k_query_qp(struct ib_qp *qp, struct ib_qp_attr *attr)
{
	return LOCKED(qp->device, rxe_query_qp(qp, attr));
}
static int k_destroy_qp(struct ib_qp *qp)
{
	return LOCKED(qp->device, rxe_destroy_qp(qp));
}
static int k_post_send(struct ib_qp *qp, const struct ib_send_wr *wr,
		       const struct ib_send_wr **bad)
{
	return LOCKED(qp->device, rxe_post_send(qp, wr, bad));
}
static int k_post_recv(struct ib_qp *qp, const struct ib_recv_wr *wr,
		       const struct ib_recv_wr **bad)
{
	return LOCKED(qp->device, rxe_post_recv(qp, wr, bad));
}
static int k_poll_cq(struct ib_cq *cq, int num, struct ib_wc *wc)
{
	return LOCKED(cq->device, rxe_poll_cq(cq, num, wc));
}

/* Not locked: the receive handler takes the lock per frame. */
static int k_process(struct ib_device *d, int budget)
{
	return netdev_poll(kd(d)->ndev, budget);
}

static const struct ib_device_ops rxe_net_ops = {
	.alloc_pd = k_alloc_pd,
	.dealloc_pd = k_dealloc_pd,
	.reg_mr = k_reg_mr,
	.dereg_mr = k_dereg_mr,
	.create_cq = k_create_cq,
	.destroy_cq = k_destroy_cq,
	.create_qp = k_create_qp,
	.modify_qp = k_modify_qp,
	.query_qp = k_query_qp,
	.destroy_qp = k_destroy_qp,
	.post_send = k_post_send,
	.post_recv = k_post_recv,
	.poll_cq = k_poll_cq,
	.process = k_process,
};

/* --- the port: called under the device lock --- */

static int port_xmit(void *ctx, const void *frame, u32 len)
{
	struct rxe_kdev *k = ctx;

	return netdev_xmit(k->ndev, frame, len);
}

static u64 port_now(void *ctx)
{
	return ktime_get_ns();
}

static void port_arm(void *ctx, u64 deadline)
{
	struct rxe_kdev *k = ctx;
	u64 now = ktime_get_ns();

	if (deadline >= k->armed)
		return;
	k->armed = deadline;
	timer_arm(&k->timer, deadline > now ? deadline - now : 0);
}

static const struct rxe_port_ops port_ops = {
	.xmit = port_xmit, .now_ns = port_now, .arm_timer = port_arm,
};

/* Timer interrupt. */
static void kdev_timer(struct timer *t)
{
	struct rxe_kdev *k = container_of(t, struct rxe_kdev, timer);
	unsigned long f = spin_lock_irqsave(&k->lock);

	k->armed = ~0ull;
	rxe_dev_timer(k->rxe);
	spin_unlock_irqrestore(&k->lock, f);
}

/* Netdev receive (the NIC's interrupt, or a poller's thread). */
static void kdev_rx(struct net_device *ndev, const void *frame, size_t len,
		    void *ctx)
{
	struct rxe_kdev *k = ctx;
	const u8 *f = frame;
	unsigned long fl;

	if (!(f[0] & 1) && memcmp(f, ndev->mac, ETH_ALEN)) {
		__atomic_fetch_add(&k->rx_other_mac, 1, __ATOMIC_RELAXED);
		return;
	}
	fl = spin_lock_irqsave(&k->lock);
	k->last_rx_ns = ktime_get_ns();
	rxe_rx(k->rxe, frame, (u32)len);
	spin_unlock_irqrestore(&k->lock, fl);
}

static int parse_faults(struct rxe_fault_params *p)
{
	int err = 0;

	memset(p, 0, sizeof(*p));
	if (drop_s[0])
		err |= rxe_fault_parse_ppm(drop_s, &p->drop_ppm);
	if (dup_s[0])
		err |= rxe_fault_parse_ppm(dup_s, &p->dup_ppm);
	if (reorder_s[0])
		err |= rxe_fault_parse_ppm(reorder_s, &p->reorder_ppm);
	p->delay_us = delay_us > 0 ? (u32)delay_us : 0;
	p->seed = seed ? seed : 1;
	return err ? -EINVAL : 0;
}

static enum ib_mtu mtu_for(u32 eth_mtu)
{
	enum ib_mtu m = IB_MTU_4096;

	while (m > IB_MTU_256 && ib_mtu_to_bytes(m) + ROCE_OVERHEAD > eth_mtu)
		m--;
	return m;
}

static void apply_faults(struct rxe_kdev *k)
{
	struct rxe_fault_params p;
	unsigned long f;

	if (parse_faults(&p)) {
		pr_err("rxe: bad rxe.drop/dup/reorder value: no fault "
		       "injection\n");
		return;
	}
	if (!p.drop_ppm && !p.dup_ppm && !p.reorder_ppm && !p.delay_us)
		return;
	f = spin_lock_irqsave(&k->lock);
	rxe_dev_set_faults(k->rxe, &p);
	spin_unlock_irqrestore(&k->lock, f);
	printk("rxe: %s faults: drop %u dup %u reorder %u ppm, delay %u us, "
	       "seed %llu\n", k->ndev->name, p.drop_ppm, p.dup_ppm,
	       p.reorder_ppm, p.delay_us, (unsigned long long)p.seed);
}

static int bind_netdev(int index, struct net_device *ndev)
{
	struct rxe_dev_config cfg = {
		.ipv4 = 169u << 24 | 254u << 16 | (u32)index << 8 |
			(node_self() + 1),
		.max_mtu = mtu_for(ndev->mtu),
		.max_qp = RXE_NET_QPS, .max_mr = RXE_NET_MRS,
		.ack_delay_us = ack_delay_us > 0 ? (u32)ack_delay_us : 0,
	};
	struct rxe_kdev *k = kzalloc(sizeof(*k));
	char name[16];
	int err;

	if (!k)
		return -ENOMEM;
	snprintf(name, sizeof(name), "rxe%d", index);
	cfg.name = name;
	memcpy(cfg.mac, ndev->mac, ETH_ALEN);
	spin_lock_init(&k->lock, "rxe_kdev");
	timer_init(&k->timer, kdev_timer);
	k->armed = ~0ull;
	k->ndev = ndev;
	err = rxe_dev_create(&cfg, &port_ops, k, &k->rxe);
	if (err) {
		kfree(k);
		return err;
	}
	rxe_ib_device(k->rxe)->ops = &rxe_net_ops;
	apply_faults(k);
	if (trace_entries > 0 &&
	    rxe_dev_set_trace(k->rxe, (u32)trace_entries))
		pr_err("rxe: rxe.trace=%d: not a power of two up to %u (or no "
		       "memory): no trace\n", trace_entries, RXE_TRACE_MAX);
	err = ib_register_device(rxe_ib_device(k->rxe));
	if (!err)
		err = netdev_add_proto(ndev, ETHERTYPE_IPV4, kdev_rx, k);
	if (err)
		return err;	/* the device stays allocated but unused */
	kdevs[nr_kdevs++] = k;
	printk("rxe: %s on %s, path mtu up to %u\n", name, ndev->name,
	       ib_mtu_to_bytes(cfg.max_mtu));
	return 0;
}

int rxe_net_init(void)
{
	static bool done;
	int err = 0;

	if (done)
		return 0;
	done = true;
	for (int i = 0; i < netdev_count() && i < RXE_NET_MAX; i++) {
		int e = bind_netdev(i, netdev_get(i));

		if (e) {
			pr_err("rxe: cannot bind netdev %d (%d)\n", i, e);
			err = err ? err : e;
		}
	}
	return err;
}

struct ib_device *rxe_net_ibdev(struct net_device *ndev)
{
	for (int i = 0; i < nr_kdevs; i++)
		if (kdevs[i]->ndev == ndev)
			return rxe_ib_device(kdevs[i]->rxe);
	return NULL;
}

u64 rxe_net_counter(struct ib_device *ib, enum rxe_counter c)
{
	return rxe_counter(to_rdev(ib), c);
}

enum ib_mtu rxe_net_mtu(struct ib_device *ib)
{
	return mtu_for(kd(ib)->ndev->mtu);
}

/* Print every non-zero counter, four to a line. */
void rxe_net_dump(struct ib_device *ib)
{
	char line[160];
	int n = 0, len = 0;

	printk("rxe: %s counters (other-mac frames ignored %llu):\n", ib->name,
	       (unsigned long long)kd(ib)->rx_other_mac);
	for (int c = 0; c < RXE_CNT_NR; c++) {
		u64 v = rxe_counter(to_rdev(ib), (enum rxe_counter)c);

		if (!v)
			continue;
		len += snprintf(line + len, sizeof(line) - (size_t)len,
				" %s=%llu", rxe_counter_name((enum rxe_counter)c),
				(unsigned long long)v);
		if (++n % 4 == 0) {
			printk("rxe:%s\n", line);
			len = 0;
		}
	}
	if (n % 4)
		printk("rxe:%s\n", line);
}

static const char *opcode_name(u8 op)
{
	static const char *const names[] = {
		"SEND_FIRST", "SEND_MIDDLE", "SEND_LAST", "SEND_LAST_IMM",
		"SEND_ONLY", "SEND_ONLY_IMM", "WRITE_FIRST", "WRITE_MIDDLE",
		"WRITE_LAST", "WRITE_LAST_IMM", "WRITE_ONLY", "WRITE_ONLY_IMM",
		"READ_REQ", "READ_RESP_FIRST", "READ_RESP_MIDDLE",
		"READ_RESP_LAST", "READ_RESP_ONLY", "ACK",
	};

	return op < ARRAY_SIZE(names) ? names[op] : "?";
}

static void trace_line(const char *dev, const struct rxe_trace_ev *e)
{
	char fl[16];
	u32 syn = e->arg >> 24;

	snprintf(fl, sizeof(fl), "%s%s%s%s%s",
		 e->flags & RXE_TRF_ACKREQ ? " A" : "",
		 e->flags & RXE_TRF_RETX ? " R" : "",
		 e->flags & RXE_TRF_DROPPED ? " X" : "",
		 e->flags & RXE_TRF_DUP ? " D" : "",
		 e->flags & RXE_TRF_HELD ? " H" : "");
	if (e->kind == RXE_TR_TX)
		printk("rxe-trace: %s qp %u %llu.%06llu tx %s psn %06x%s\n",
		       dev, e->qpn, e->ns / NSEC_PER_SEC,
		       e->ns % NSEC_PER_SEC / 1000, opcode_name(e->opcode),
		       e->psn, fl);
	else if (e->kind == RXE_TR_RX)
		printk("rxe-trace: %s qp %u %llu.%06llu rx %s psn %06x "
		       "syn %02x %s %06x\n", dev, e->qpn, e->ns / NSEC_PER_SEC,
		       e->ns % NSEC_PER_SEC / 1000, opcode_name(e->opcode),
		       e->psn, syn, e->opcode == ROCE_ACK ||
		       (rxe_op_flags(e->opcode) & ROCE_F_READ &&
			e->opcode != ROCE_READ_REQUEST) ? "una" : "epsn",
		       e->arg & ROCE_PSN_MASK);
	else
		printk("rxe-trace: %s qp %u %llu.%06llu %s psn %06x arg %u\n",
		       dev, e->qpn, e->ns / NSEC_PER_SEC,
		       e->ns % NSEC_PER_SEC / 1000, rxe_trace_kind_name(e->kind),
		       e->psn, e->arg);
}

void rxe_net_trace_dump(struct ib_device *ib, u32 qpn, u32 max)
{
	struct rxe_kdev *k = kd(ib);
	struct rxe_trace_ev *ev;
	u64 now = ktime_get_ns(), last = READ_ONCE(k->last_rx_ns);
	unsigned long f;
	u32 n;

	if (!k->rxe->trace || !max)
		return;
	ev = kmalloc(sizeof(*ev) * max);
	if (!ev)
		return;
	f = spin_lock_irqsave(&k->lock);
	n = rxe_trace_read(k->rxe, qpn, ev, max);
	spin_unlock_irqrestore(&k->lock, f);
	printk("rxe-trace: %s qp %u: last %u events (A ackreq, R resent, X "
	       "dropped, D duplicated, H held by the fault injector); last "
	       "frame in %llu ms ago; %s rx %llu tx %llu tx_busy %llu\n",
	       ib->name, qpn, n,
	       now > last ? (now - last) / NSEC_PER_MSEC : 0, k->ndev->name,
	       k->ndev->stats.rx_packets, k->ndev->stats.tx_packets,
	       k->ndev->stats.tx_busy);
	for (u32 i = 0; i < n; i++)
		trace_line(ib->name, &ev[i]);
	kfree(ev);
}

/* Change fault injection at run time (tests: a link that goes dead). */
void rxe_net_set_faults(struct ib_device *ib, const struct rxe_fault_params *p)
{
	struct rxe_kdev *k = kd(ib);
	unsigned long f = spin_lock_irqsave(&k->lock);

	rxe_dev_set_faults(k->rxe, p);
	spin_unlock_irqrestore(&k->lock, f);
}

#ifdef CONFIG_SELFTEST
/* Selftests: send one broken 16-byte SEND ONLY "from" @ibqp to its
 * connected peer, built from the QP's address and next PSN but without
 * touching the QP (its PSNs do not move).  Thread context. */
int rxe_net_test_xmit(struct ib_qp *ibqp, enum rxe_test_frame kind)
{
	static const u8 payload[16] = "tessera-badframe";
	struct rxe_qp *qp = to_rqp(ibqp);
	struct rxe_kdev *k = kd(ibqp->device);
	u8 *buf = kmalloc(RXE_MAX_FRAME);
	struct rxe_tx tx;
	unsigned long f;
	u32 len, psn;
	int err;

	if (!buf)
		return -ENOMEM;
	f = spin_lock_irqsave(&k->lock);
	psn = qp->req.next_psn;
	if (kind == RXE_TF_PSN_AHEAD)
		psn = psn_add(psn, 0x1000);
	else if (kind == RXE_TF_PSN_BEHIND)
		psn = psn_add(psn, ROCE_PSN_MASK + 1 - 0x1000);
	rxe_tx_init(qp, &tx, ROCE_SEND_ONLY, psn);
	spin_unlock_irqrestore(&k->lock, f);
	tx.ackreq = true;
	tx.paylen = sizeof(payload);
	if (kind == RXE_TF_UNKNOWN_QPN)
		tx.qpn = 0xfffff0;
	len = rxe_pkt_build(buf, RXE_MAX_FRAME, &tx, payload);
	if (kind == RXE_TF_BAD_ICRC)
		buf[len - 1] ^= 0x5a;		/* the ICRC's last byte */
	else if (kind == RXE_TF_TRUNCATED)
		len = ETH_HLEN + 20 + 8 + 8;	/* half a BTH */
	err = len ? netdev_xmit(k->ndev, buf, len) : -EINVAL;
	kfree(buf);
	return err;
}
#endif
