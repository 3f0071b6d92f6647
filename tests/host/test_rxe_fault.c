/* tests/host/test_rxe_fault.c — drivers/infiniband/sw/rxe/fault.c, the
 * provider's seeded fault injector.
 *
 * A device on a recording port: frames numbered 0..N-1 go through
 * rxe_fault_xmit() and the clock advances; the port records what leaves
 * and when.  Checks: probabilities parse exactly; drop, duplicate and
 * reorder rates are near what was asked; nothing leaves before its delay;
 * without "reorder" a constant delay keeps order; with it, some frames are
 * overtaken; every frame leaves at most 1 + duplicates times; the same
 * seed replays the same run; teardown frees held frames (ASan).
 * End-to-end recovery under these faults is in test_rxe_rc.c.
 */
#include "harness.h"
#include "rxe_host.h"

#include <string.h>

#define N 100000

struct rec {
	u64 now;
	u64 timer;
	u32 out[2 * N];
	u64 when[2 * N];
	u32 nout;
};

static int rec_xmit(void *ctx, const void *frame, u32 len)
{
	struct rec *r = ctx;
	u32 seq;

	memcpy(&seq, frame, 4);
	r->out[r->nout] = seq;
	r->when[r->nout++] = r->now;
	return 0;
}

static u64 rec_now(void *ctx)
{
	return ((struct rec *)ctx)->now;
}

static void rec_arm(void *ctx, u64 deadline)
{
	struct rec *r = ctx;

	if (deadline < r->timer)
		r->timer = deadline;
}

static const struct rxe_port_ops rec_ops = {
	.xmit = rec_xmit, .now_ns = rec_now, .arm_timer = rec_arm,
};

static struct rxe_dev *rec_dev(struct rec *r)
{
	struct rxe_dev_config cfg = { .mac = { 2 }, .ipv4 = 1,
				      .max_mtu = IB_MTU_1024, .max_qp = 1,
				      .max_mr = 1 };
	struct rxe_dev *dev;

	memset(r, 0, sizeof(*r));
	r->timer = ~0ull;
	if (rxe_dev_create(&cfg, &rec_ops, r, &dev))
		abort();
	return dev;
}

/* Send N frames 1 us apart, then let every held one out. */
static void pump(struct rxe_dev *dev, struct rec *r)
{
	u8 frame[64] = { 0 };

	for (u32 i = 0; i < N; i++) {
		memcpy(frame, &i, 4);
		rxe_fault_xmit(dev, frame, sizeof(frame));
		r->now += 1000;
		if (r->timer <= r->now) {
			r->timer = ~0ull;
			rxe_dev_timer(dev);
		}
	}
	while (r->timer != ~0ull) {
		r->now = MAX(r->now, r->timer);
		r->timer = ~0ull;
		rxe_dev_timer(dev);
	}
}

static void test_parse_ppm(void)
{
	static const struct { const char *s; int err; u32 ppm; } v[] = {
		{ "0", 0, 0 }, { "1", 0, 1000000 }, { "0.02", 0, 20000 },
		{ ".5", 0, 500000 }, { "0.000001", 0, 1 },
		{ "1.0", 0, 1000000 },
		{ "0.0000001", -EINVAL, 0 }, { "1.5", -EINVAL, 0 },
		{ "2", -EINVAL, 0 }, { "", -EINVAL, 0 }, { "0.", -EINVAL, 0 },
		{ "abc", -EINVAL, 0 }, { "0.1x", -EINVAL, 0 },
		{ "-0.1", -EINVAL, 0 },
	};

	for (u32 i = 0; i < ARRAY_SIZE(v); i++) {
		u32 ppm = 12345;
		int err = rxe_fault_parse_ppm(v[i].s, &ppm);

		CHECK(err == v[i].err && (err || ppm == v[i].ppm),
		      "\"%s\": err %d ppm %u", v[i].s, err, ppm);
	}
	CHECK_EQ(rxe_fault_parse_ppm(NULL, &(u32){ 0 }), -EINVAL);
}

static void test_rates(void)
{
	static struct rec r;
	struct rxe_dev *dev = rec_dev(&r);
	struct rxe_fault_params p = { .drop_ppm = 100000, .dup_ppm = 50000,
				      .seed = 1 };
	static u8 seen[N];
	u64 drops, dups;

	rxe_dev_set_faults(dev, &p);
	pump(dev, &r);
	drops = rxe_counter(dev, RXE_CNT_FAULT_DROP);
	dups = rxe_counter(dev, RXE_CNT_FAULT_DUP);
	CHECK(drops > N / 10 - 1000 && drops < N / 10 + 1000, "drops %llu",
	      (unsigned long long)drops);
	CHECK(dups > 4000 && dups < 5500, "dups %llu",
	      (unsigned long long)dups);
	CHECK_EQ(r.nout, N - drops + dups);
	memset(seen, 0, sizeof(seen));
	for (u32 i = 0; i < r.nout; i++) {
		CHECK(r.out[i] < N && seen[r.out[i]] < 2, "frame %u", r.out[i]);
		if (r.out[i] < N)
			seen[r.out[i]]++;
		CHECK(i == 0 || r.out[i] >= r.out[i - 1], "order at %u", i);
	}
	CHECK_EQ(rxe_dev_destroy(dev), 0);
}

static void test_delay_and_reorder(void)
{
	static struct rec r;
	struct rxe_dev *dev = rec_dev(&r);
	struct rxe_fault_params p = { .delay_us = 20, .seed = 2 };
	u32 inversions = 0;

	rxe_dev_set_faults(dev, &p);
	pump(dev, &r);
	CHECK_EQ(r.nout, N);
	for (u32 i = 0; i < r.nout; i++) {
		CHECK_EQ(r.out[i], i);
		CHECK(r.when[i] >= (u64)i * 1000 + 20000, "frame %u early", i);
	}
	CHECK_EQ(rxe_dev_destroy(dev), 0);

	dev = rec_dev(&r);
	p.reorder_ppm = 20000;
	rxe_dev_set_faults(dev, &p);
	pump(dev, &r);
	CHECK_EQ(r.nout, N);
	for (u32 i = 1; i < r.nout; i++)
		inversions += r.out[i] < r.out[i - 1];
	CHECK(inversions > 1000, "only %u inversions", inversions);
	CHECK(rxe_counter(dev, RXE_CNT_FAULT_REORDER) > 1500, "reorders");
	CHECK_EQ(rxe_dev_destroy(dev), 0);
}

static void test_replay_and_teardown(void)
{
	static struct rec a, b;
	struct rxe_fault_params p = { .drop_ppm = 30000, .dup_ppm = 30000,
				      .reorder_ppm = 30000, .delay_us = 3,
				      .seed = 77 };
	struct rxe_dev *da = rec_dev(&a), *db;
	u8 frame[64] = { 0 };

	rxe_dev_set_faults(da, &p);
	pump(da, &a);
	db = rec_dev(&b);
	rxe_dev_set_faults(db, &p);
	pump(db, &b);
	CHECK_EQ(a.nout, b.nout);
	CHECK(!memcmp(a.out, b.out, a.nout * sizeof(u32)), "not replayed");
	CHECK_EQ(rxe_dev_destroy(da), 0);
	/* Frames still held when the device goes away are freed. */
	p.delay_us = 1000;
	rxe_dev_set_faults(db, &p);
	for (int i = 0; i < 100; i++)
		rxe_fault_xmit(db, frame, sizeof(frame));
	CHECK(db->nr_held > 50, "held %u", db->nr_held);
	p = (struct rxe_fault_params){ 0 };
	rxe_dev_set_faults(db, &p);
	CHECK_EQ(db->fault_on, false);
	CHECK_EQ(rxe_dev_destroy(db), 0);
}

int main(void)
{
	RUN(test_parse_ppm);
	RUN(test_rates);
	RUN(test_delay_and_reorder);
	RUN(test_replay_and_teardown);
	return harness_exit();
}
