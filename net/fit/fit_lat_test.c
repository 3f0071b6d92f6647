/* net/fit/fit_lat_test.c — fit_cross_latency: round trips between node 0
 * and node 1, all in one run on the same two QEMUs (scripts/run-bench
 * turns the lines into JSON):
 *   raw   a bare Ethernet frame (EtherType FIT_LAT_ETHERTYPE, through the
 *         netdev demultiplexer) that node 1 echoes back from its receive
 *         interrupt: the floor any transport sits on;
 *   rdma  fit_call over the RDMA transport (if FIT runs on it);
 *   eth   fit_call over the eth transport (both nodes switch to it for
 *         the measurement through FIT_TEST_OP_TRANSPORT, then back).
 * Lines: "fit_cross_latency: <path> <bytes> B: median <us> us, p99 <us>
 * us" (bytes = FIT payload, or the raw frame's bytes after the Ethernet
 * header).  Fails only if a call or an echo fails: numbers, not a verdict
 * on speed — under TCG on a shared host they vary run to run.
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

#define SAMPLES			400
#define FIT_LAT_ETHERTYPE	0x88b5	/* IEEE local experimental 1 */
#define FIT_TEST_OP_TRANSPORT	(FIT_OP_TEST_FIRST + 12)
#define RAW_MAX			4096

static DEFINE_COMPLETION(raw_back);
static u32 raw_expect;			/* sequence number awaited */

static int cmp_u64(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

static void report(const char *path, u32 len, u64 *ns)
{
	sort(ns, SAMPLES, sizeof(*ns), cmp_u64);
	printk("fit_cross_latency: %s %u B: median %llu us, p99 %llu us\n",
	       path, len, ns[SAMPLES / 2] / NSEC_PER_USEC,
	       ns[SAMPLES * 99 / 100] / NSEC_PER_USEC);
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

/* SAMPLES raw round trips of @len bytes after the header to @mac. */
static int measure_raw(struct net_device *dev, const u8 *mac, u32 len,
		       u64 *ns)
{
	u8 *f = kzalloc(ETH_HLEN + RAW_MAX);

	if (!f)
		return -ENOMEM;
	memcpy(f, mac, ETH_ALEN);
	memcpy(f + ETH_ALEN, dev->mac, ETH_ALEN);
	f[12] = FIT_LAT_ETHERTYPE >> 8;
	f[13] = FIT_LAT_ETHERTYPE & 0xff;
	for (u32 i = 0; i < SAMPLES; i++) {
		u32 seq = i + 1 + len * SAMPLES;
		u64 t0 = ktime_get_ns();

		memcpy(f + ETH_HLEN, &seq, 4);
		__atomic_store_n(&raw_expect, seq, __ATOMIC_RELEASE);
		reinit_completion(&raw_back);
		if (netdev_xmit(dev, f, ETH_HLEN + len) ||
		    !wait_for_completion_timeout(&raw_back, 500 * NSEC_PER_MSEC)) {
			kfree(f);
			return -ETIMEDOUT;
		}
		ns[i] = ktime_get_ns() - t0;
	}
	kfree(f);
	report("raw", len, ns);
	return 0;
}

static int measure_fit(const char *path, u32 len, u64 *ns, u8 *buf)
{
	for (int i = 0; i < SAMPLES; i++) {
		u64 t0 = ktime_get_ns();
		int r = fit_call(1, FIT_OP_PING, buf, len, buf, len, 0);

		if (r != (int)len)
			return r < 0 ? r : -EPROTO;
		ns[i] = ktime_get_ns() - t0;
	}
	report(path, len, ns);
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

static int run_all(u64 *ns, u8 *buf, const u8 *peer_mac)
{
	static const u32 sizes[] = { 64, 4096 };
	struct net_device *dev = fit_eth_test_dev();
	int err = 0;

	for (size_t i = 0; i < ARRAY_SIZE(sizes) && !err; i++)
		err = measure_raw(dev, peer_mac, sizes[i], ns);
	if (!err && fit_rdma_active()) {
		err = switch_both("rdma");
		for (size_t i = 0; i < ARRAY_SIZE(sizes) && !err; i++)
			err = measure_fit("rdma", sizes[i], ns, buf);
	}
	if (!err)
		err = switch_both("eth");
	for (size_t i = 0; i < ARRAY_SIZE(sizes) && !err; i++)
		err = measure_fit("eth", sizes[i], ns, buf);
	if (fit_rdma_active() && switch_both("rdma") && !err)
		err = -EIO;
	return err;
}

static int drive_latency(struct selftest_ctx *t, const u8 *peer_mac)
{
	u64 *ns = kcalloc(SAMPLES, sizeof(u64));
	u8 *buf = kzalloc(4096);
	int err = ns && buf ? 0 : -ENOMEM, failed;

	if (!err)
		err = switch_both(fit_rdma_active() ? "rdma" : "eth");
	if (!err)
		err = run_all(ns, buf, peer_mac);
	kfree(ns);
	kfree(buf);
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
