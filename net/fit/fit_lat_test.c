/* net/fit/fit_lat_test.c — fit_cross_latency: round-trip times of
 * fit_call between node 0 and node 1 over the netdev transport, next to
 * the raw fabric (one FIT_OP_PING of 0 bytes is the smallest round trip
 * FIT can make).  Prints median and p99 for 0 B, 64 B and 4 KiB payloads;
 * fails only if a call fails.  Numbers, not a verdict on speed: under
 * TCG on a shared host they vary run to run.
 */
#include <fit/fit.h>
#include <kernel/node.h>
#include <kernel/printk.h>
#include <kernel/selftest.h>
#include <kernel/time.h>
#include <lib/sort.h>
#include <mm/mm.h>
#include <protocol/fit.h>
#include <uapi/errno.h>
#include "internal.h"

#define SAMPLES	400

static int cmp_u64(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

/* Time SAMPLES calls of @len bytes to node 1; prints the figures. */
static int measure(u32 len, u64 *ns, u8 *buf)
{
	for (int i = 0; i < SAMPLES; i++) {
		u64 t0 = ktime_get_ns();
		int r = fit_call(1, FIT_OP_PING, buf, len, buf, len, 0);

		if (r != (int)len)
			return r < 0 ? r : -EPROTO;
		ns[i] = ktime_get_ns() - t0;
	}
	sort(ns, SAMPLES, sizeof(*ns), cmp_u64);
	printk("fit_cross_latency: %5u B: median %llu us, p99 %llu us\n", len,
	       ns[SAMPLES / 2] / NSEC_PER_USEC,
	       ns[SAMPLES * 99 / 100] / NSEC_PER_USEC);
	return 0;
}

static int drive_latency(struct selftest_ctx *t)
{
	static const u32 sizes[] = { 0, 64, 4096 };
	u64 *ns = kcalloc(SAMPLES, sizeof(u64));
	u8 *buf = kzalloc(4096);
	int err = ns && buf ? 0 : -ENOMEM, failed;

	for (size_t i = 0; i < ARRAY_SIZE(sizes) && !err; i++)
		err = measure(sizes[i], ns, buf);
	kfree(ns);
	kfree(buf);
	failed = fit_cross_finish();
	if (err)
		ST_FAIL("call failed: %d", err);
	if (failed)
		ST_FAIL("node %d did not take the end message", failed);
	return 0;
}

SELFTEST(fit_cross_latency)
{
	if (node_count() < 2)
		ST_SKIP("needs nodes >= 2 (tessera selftest --topology)");
	if (fit_test_mute != ~0u)
		ST_SKIP("fit.test_mute is set");
	ST_EQ(fit_cross_setup(), 0);
	if (!fit_wait_ready(60 * NSEC_PER_SEC))
		ST_FAIL("discovery did not finish");
	return node_self() ? fit_cross_serve(t) : drive_latency(t);
}
