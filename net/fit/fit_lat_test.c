/* net/fit/fit_lat_test.c — fit_cross_latency: round trips between node 0
 * and node 1, all in one run on the same two QEMUs (scripts/run-bench
 * turns the lines into JSON):
 *   raw   a bare Ethernet frame (EtherType FIT_LAT_ETHERTYPE, through the
 *         netdev demultiplexer) that node 1 echoes back from its receive
 *         interrupt: the floor any transport sits on.  Same payload bytes
 *         as the call it is compared with (64, 4072 or 4096 after the
 *         Ethernet header), in one frame each way;
 *   rdma  fit_call over the RDMA transport (if FIT runs on it);
 *   eth   fit_call over the eth transport (both nodes switch to it for
 *         the measurement through FIT_TEST_OP_TRANSPORT, then back).
 * Each phase (rdma, then eth) alternates blocks of back-to-back raw echoes
 * and calls of each size (measure_phase), so every call is measured next
 * to its own baseline: the host's load (other QEMUs, other jobs) moves
 * both alike, and the ratio of medians stays meaningful on a busy host,
 * where the old sequential runs (400 raw, then 400 calls) drifted by 2x.
 * Lines: "fit_cross_latency: <path> <bytes> B: median <us> us, p99 <us>
 * us; raw median <us> us, p99 <us> us; <n> samples" (bytes = FIT payload).
 * Fails only if a call or an echo fails: numbers, not a verdict on speed.
 */
#include <drivers/netdev.h>
#include <fit/fit.h>
#include <kernel/node.h>
#include <kernel/printk.h>
#include <kernel/sched.h>
#include <kernel/spinlock.h>
#include <kernel/selftest.h>
#include <kernel/time.h>
#include <kernel/wait.h>
#include <lib/sort.h>
#include <lib/string.h>
#include <mm/mm.h>
#include <protocol/fit.h>
#include <uapi/errno.h>
#include "internal.h"

#define BLOCK		25	/* samples kept per block */
#define SETTLE		3	/* samples run first in a block, not kept */
#define NBLOCK		24
#define ROUNDS		(BLOCK * NBLOCK)	/* samples per path and size */
#define FIT_LAT_ETHERTYPE	0x88b5	/* IEEE local experimental 1 */
#define FIT_TEST_OP_TRANSPORT	(FIT_OP_TEST_FIRST + 12)
#define RAW_MAX			4096
#define NSIZES			3

/* 4072: the largest payload whose message (24-byte msg_hdr included) is
 * one RoCEv2 packet at the 4096-byte path MTU, the largest InfiniBand
 * has; a 4096-byte payload takes two packets each way (4096 + 24), where
 * the raw echo takes one frame.  The pair shows what that second packet
 * costs. */
static const u32 sizes[NSIZES] = { 64, 4072, 4096 };
static DEFINE_COMPLETION(raw_back);
static u32 raw_expect;			/* sequence number awaited */
static u32 raw_seq;			/* last one sent */

/* One phase's samples: [size][sample], raw echo and fit_call. */
struct lat_samples {
	u64 raw[NSIZES][ROUNDS];
	u64 fit[NSIZES][ROUNDS];
};

static int cmp_u64(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

static u64 median_us(u64 *ns, u32 n)
{
	sort(ns, n, sizeof(*ns), cmp_u64);
	return ns[n / 2] / NSEC_PER_USEC;
}

/* @ns sorted by median_us() first. */
static u64 p99_us(const u64 *ns, u32 n)
{
	return ns[n * 99 / 100] / NSEC_PER_USEC;
}

static DEFINE_SPINLOCK(echo_lock);
static u8 echo_buf[ETH_HLEN + RAW_MAX];

/* Node 1: send the frame back to where it came from (interrupt). */
static void raw_echo(struct net_device *dev, const void *frame, size_t len,
		     void *ctx)
{
	unsigned long f;

	if (len > sizeof(echo_buf) || len < ETH_HLEN + 4 ||
	    memcmp(frame, dev->mac, ETH_ALEN))
		return;
	f = spin_lock_irqsave(&echo_lock);
	memcpy(echo_buf, frame, len);
	memcpy(echo_buf, (const u8 *)frame + ETH_ALEN, ETH_ALEN);
	memcpy(echo_buf + ETH_ALEN, dev->mac, ETH_ALEN);
	netdev_xmit(dev, echo_buf, len);
	spin_unlock_irqrestore(&echo_lock, f);
}

/* Node 0: the echo came back (interrupt). */
static void raw_reply(struct net_device *dev, const void *frame, size_t len,
		      void *ctx)
{
	u32 seq;

	if (len < ETH_HLEN + 4 || memcmp(frame, dev->mac, ETH_ALEN))
		return;
	memcpy(&seq, (const u8 *)frame + ETH_HLEN, 4);
	if (seq == __atomic_load_n(&raw_expect, __ATOMIC_ACQUIRE))
		complete(&raw_back);
}

/* One raw round trip of @len bytes after the header in frame @f (its
 * addresses already filled in): its time in ns, or 0 if the frame or its
 * echo was lost. */
static u64 raw_once(struct net_device *dev, u8 *f, u32 len)
{
	u32 seq = ++raw_seq;
	u64 t0 = ktime_get_ns();

	memcpy(f + ETH_HLEN, &seq, 4);
	__atomic_store_n(&raw_expect, seq, __ATOMIC_RELEASE);
	reinit_completion(&raw_back);
	if (netdev_xmit(dev, f, ETH_HLEN + len) ||
	    !wait_for_completion_timeout(&raw_back, 500 * NSEC_PER_MSEC))
		return 0;
	return ktime_get_ns() - t0;
}

/* One fit_call of @len bytes: its time in ns, or a negative errno. */
static s64 call_once(u8 *buf, u32 len)
{
	u64 t0 = ktime_get_ns();
	int r = fit_call(1, FIT_OP_PING, buf, len, buf, len, 0);

	if (r != (int)len)
		return r < 0 ? r : -EPROTO;
	return (s64)(ktime_get_ns() - t0);
}

/* One phase on the FIT transport now in use (@path): NBLOCK rounds; a
 * round runs, for each size, a block of raw echoes and then a block of
 * calls, back to back as a busy client would, BLOCK kept after SETTLE
 * that are not (they would see the other path's tail: its ACKs, its busy
 * poll).  Baseline and call alternate every few milliseconds, so both see
 * the same host load.  Prints one line per size: the call's median and
 * p99, and those of the raw echoes of the same rounds. */
static int measure_phase(const char *path, struct lat_samples *s, u8 *f,
			 u8 *buf)
{
	struct net_device *dev = fit_eth_test_dev();

	for (int b = 0; b < NBLOCK; b++) {
		for (int k = 0; k < NSIZES; k++) {
			for (int i = -SETTLE; i < BLOCK; i++) {
				u64 raw = raw_once(dev, f, sizes[k]);

				if (!raw)
					return -ETIMEDOUT;
				if (i >= 0)
					s->raw[k][b * BLOCK + i] = raw;
			}
			for (int i = -SETTLE; i < BLOCK; i++) {
				s64 t = call_once(buf, sizes[k]);

				if (t < 0)
					return (int)t;
				if (i >= 0)
					s->fit[k][b * BLOCK + i] = (u64)t;
			}
		}
	}
	for (int k = 0; k < NSIZES; k++) {
		u64 med = median_us(s->fit[k], ROUNDS);
		u64 p99 = p99_us(s->fit[k], ROUNDS);
		u64 raw = median_us(s->raw[k], ROUNDS);

		printk("fit_cross_latency: %s %u B: median %llu us, p99 %llu "
		       "us; raw median %llu us, p99 %llu us; %u samples\n",
		       path, sizes[k], med, p99, raw,
		       p99_us(s->raw[k], ROUNDS), ROUNDS);
	}
	return 0;
}

/* Both nodes: use @name ("eth" or "rdma") between nodes from now on. */
static int use_transport(const char *name)
{
	if (!strcmp(name, "eth"))
		fit_set_remote_transport(&fit_eth_transport);
	else if (!strcmp(name, "rdma") && fit_rdma_active())
		fit_set_remote_transport(&fit_rdma_transport);
	else
		return -EINVAL;
	return 0;
}

/* Reply on the old transport first, then switch. */
static int transport_handler(struct fit_msg_ctx *ctx, const void *req,
			     u32 len)
{
	char name[8] = { 0 };
	int r;

	memcpy(name, req, MIN(len, (u32)sizeof(name) - 1));
	if (strcmp(name, "eth") && strcmp(name, "rdma"))
		return -EINVAL;
	r = fit_reply(ctx, NULL, 0);
	use_transport(name);
	return r;
}

static int switch_both(const char *name)
{
	int r = -EOPNOTSUPP;

	for (int i = 0; i < 100 && r == -EOPNOTSUPP; i++) {
		r = fit_call(1, FIT_TEST_OP_TRANSPORT, name,
			     (u32)strlen(name), NULL, 0, 0);
		if (r == -EOPNOTSUPP)
			msleep(50);
	}
	if (r)
		return r;
	msleep(20);			/* its switch follows its reply */
	return use_transport(name);
}

/* The rdma phase (if FIT runs on RDMA), then the eth phase, then back. */
static int run_all(struct lat_samples *s, u8 *f, u8 *buf)
{
	int err = 0;

	if (fit_rdma_active()) {
		err = switch_both("rdma");
		if (!err)
			err = measure_phase("rdma", s, f, buf);
	}
	if (!err)
		err = switch_both("eth");
	if (!err)
		err = measure_phase("eth", s, f, buf);
	if (fit_rdma_active() && switch_both("rdma") && !err)
		err = -EIO;
	return err;
}

static int drive_latency(struct selftest_ctx *t, const u8 *peer_mac)
{
	struct net_device *dev = fit_eth_test_dev();
	struct lat_samples *s = kzalloc(sizeof(*s));
	u8 *buf = kzalloc(RAW_MAX), *f = kzalloc(ETH_HLEN + RAW_MAX);
	int err = s && buf && f ? 0 : -ENOMEM, failed;

	if (!err) {
		memcpy(f, peer_mac, ETH_ALEN);
		memcpy(f + ETH_ALEN, dev->mac, ETH_ALEN);
		f[12] = FIT_LAT_ETHERTYPE >> 8;
		f[13] = FIT_LAT_ETHERTYPE & 0xff;
		err = run_all(s, f, buf);
	}
	kfree(s);
	kfree(buf);
	kfree(f);
	failed = fit_cross_finish();
	if (err)
		ST_FAIL("round trip failed: %d", err);
	if (failed)
		ST_FAIL("node %d did not take the end message", failed);
	return 0;
}

SELFTEST(fit_cross_latency)
{
	struct net_device *dev = fit_eth_test_dev();
	u8 peer_mac[ETH_ALEN];
	int r;

	if (node_count() < 2)
		ST_SKIP("needs nodes >= 2 (tessera selftest --topology)");
	if (fit_test_mute != ~0u)
		ST_SKIP("fit.test_mute is set");
	ST_EQ(fit_cross_setup(), 0);
	r = fit_register_handler(FIT_TEST_OP_TRANSPORT, 3, transport_handler);
	ST_ASSERT(!r || r == -EEXIST);
	ST_ASSERT(dev);
	r = netdev_add_proto(dev, FIT_LAT_ETHERTYPE,
			     node_self() ? raw_echo : raw_reply, NULL);
	ST_ASSERT(!r || r == -EEXIST);
	if (!fit_wait_ready(60 * NSEC_PER_SEC))
		ST_FAIL("discovery did not finish");
	if (node_self())
		return fit_cross_serve(t);
	ST_EQ(fit_discovery_peer_mac(1, peer_mac), 0);
	return drive_latency(t, peer_mac);
}
