/* net/fit/fit_test.c — FIT selftests on one node, through the loopback
 * transport (the same receive queue, dispatcher and workers as remote
 * messages).  Cross-node tests: fit_cross_test.c.
 *
 * Test opcodes (FIT_OP_TEST_FIRST..LAST) are registered on first use and
 * stay registered (handlers are never removed).
 */
#include <fit/fit.h>
#include <kernel/node.h>
#include <kernel/sched.h>
#include <kernel/selftest.h>
#include <kernel/smp.h>
#include <kernel/time.h>
#include <lib/string.h>
#include <mm/mm.h>
#include <protocol/fit.h>
#include <uapi/errno.h>

#define OP_HOLD		(FIT_OP_TEST_FIRST + 0)	/* never answers by itself */
#define OP_MIN16	(FIT_OP_TEST_FIRST + 1)	/* needs 16 bytes */
#define OP_FAIL		(FIT_OP_TEST_FIRST + 2)	/* answers -ENOSPC */
#define OP_UNKNOWN	FIT_OP_TEST_LAST		/* never registered */
/* Generous: these tests check correctness on a loaded, emulated host. */
#define CALL_TIMEOUT	(10 * NSEC_PER_SEC)

static u64 rnd64(u64 *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static void fill(u8 *buf, u32 len, u64 *seed)
{
	u32 i = 0;

	for (; i + 8 <= len; i += 8)
		*(u64 *)(buf + i) = rnd64(seed);
	for (; i < len; i++)
		buf[i] = (u8)rnd64(seed);
}

/* memcmp() is byte-wise; compare 8 bytes at a time (TCG is slow). */
static bool same(const u8 *a, const u8 *b, u32 len)
{
	u32 i = 0;

	for (; i + 8 <= len; i += 8)	/* x86: unaligned loads are fine */
		if (*(const u64 *)(a + i) != *(const u64 *)(b + i))
			return false;
	return !memcmp(a + i, b + i, len - i);
}

/* One echo round trip of @len bytes to @node; 0 or a description. */
static int echo_once(u16 node, u8 *req, u8 *rep, u32 len, u64 *seed)
{
	int r;

	fill(req, len, seed);
	memset(rep, 0xa5, MIN(len + 1, FIT_MAX_PAYLOAD));
	r = fit_call(node, FIT_OP_PING, req, len, rep, FIT_MAX_PAYLOAD,
		     CALL_TIMEOUT);
	if (r != (int)len)
		return r < 0 ? r : -EPROTO;
	return same(req, rep, len) ? 0 : -EBADMSG;
}

SELFTEST(fit_loop_echo)
{
	u8 *req = kmalloc(FIT_MAX_PAYLOAD), *rep = kmalloc(FIT_MAX_PAYLOAD);
	u64 seed = 0x1234567887654321ull;
	struct fit_stats before, after;
	int err = 0, i;

	ST_ASSERT(req && rep);
	fit_get_stats(&before);
	for (i = 0; i < 10000 && !err; i++) {
		u32 len = (u32)(rnd64(&seed) % (FIT_MAX_PAYLOAD + 1));

		if (i < 2)
			len = i ? FIT_MAX_PAYLOAD : 0;	/* both ends */
		err = echo_once((u16)node_self(), req, rep, len, &seed);
	}
	fit_get_stats(&after);
	kfree(req);
	kfree(rep);
	if (err)
		ST_FAIL("call %d: error %d", i - 1, err);
	ST_ASSERT(after.calls_ok - before.calls_ok >= 10000);
	ST_ASSERT(after.requests - before.requests >= 10000);
	return 0;
}

struct worker_arg {
	int calls, err, done;
	u64 seed;
};

static int echo_worker(void *p)
{
	struct worker_arg *w = p;
	u8 *req = kmalloc(FIT_MAX_PAYLOAD), *rep = kmalloc(FIT_MAX_PAYLOAD);

	w->err = req && rep ? 0 : -ENOMEM;
	for (w->done = 0; w->done < w->calls && !w->err; w->done++) {
		u64 r = rnd64(&w->seed);
		u32 len = (u32)(r % 16 ? r % 4097 : r % (FIT_MAX_PAYLOAD + 1));

		w->err = echo_once((u16)node_self(), req, rep, len, &w->seed);
	}
	kfree(req);
	kfree(rep);
	return 0;
}

SELFTEST(fit_loop_concurrent)
{
	static struct worker_arg args[CONFIG_NR_CPUS];
	static struct task *tasks[CONFIG_NR_CPUS];
	int cpu;

	for_each_online_cpu(cpu) {
		args[cpu] = (struct worker_arg){ .calls = 500,
						 .seed = 0x9e3779b9u + cpu };
		tasks[cpu] = kthread_run_on(echo_worker, &args[cpu], cpu,
					    "fit-test-caller");
		ST_ASSERT(tasks[cpu]);
	}
	for_each_online_cpu(cpu)
		kthread_join(tasks[cpu]);
	for_each_online_cpu(cpu)
		if (args[cpu].err)
			ST_FAIL("cpu %d: call %d failed with %d", cpu,
				args[cpu].done, args[cpu].err);
	return 0;
}

/* OP_HOLD keeps the request's context in held[] and never answers. */
static struct fit_msg_ctx *held[2];

static int hold_handler(struct fit_msg_ctx *ctx, const void *req, u32 len)
{
	for (int i = 0; i < 2; i++)
		if (!__atomic_load_n(&held[i], __ATOMIC_ACQUIRE)) {
			__atomic_store_n(&held[i], ctx, __ATOMIC_RELEASE);
			return 0;
		}
	return -EBUSY;
}

static int min16_calls;

static int min16_handler(struct fit_msg_ctx *ctx, const void *req, u32 len)
{
	__atomic_fetch_add(&min16_calls, 1, __ATOMIC_RELAXED);
	return fit_reply(ctx, req, 16);
}

static int fail_handler(struct fit_msg_ctx *ctx, const void *req, u32 len)
{
	return -ENOSPC;
}

static int register_test_ops(void)
{
	int e1 = fit_register_handler(OP_HOLD, 0, hold_handler);
	int e2 = fit_register_handler(OP_MIN16, 16, min16_handler);
	int e3 = fit_register_handler(OP_FAIL, 0, fail_handler);

	if ((e1 && e1 != -EEXIST) || (e2 && e2 != -EEXIST) ||
	    (e3 && e3 != -EEXIST))
		return -EINVAL;
	return 0;
}

struct hold_call {
	char reply[8];
	int ret;
};

static int hold_caller(void *p)
{
	struct hold_call *c = p;

	c->ret = fit_call((u16)node_self(), OP_HOLD, "x", 1, c->reply,
			  sizeof(c->reply), 5 * NSEC_PER_SEC);
	return 0;
}

static struct fit_msg_ctx *wait_held(int i)
{
	for (int n = 0; n < 2000; n++) {
		struct fit_msg_ctx *c = __atomic_load_n(&held[i],
							__ATOMIC_ACQUIRE);
		if (c)
			return c;
		msleep(1);
	}
	return NULL;
}

/* A handler that never answers: -ETIMEDOUT in time, counted; its late
 * reply is dropped and counted, and never reaches the next caller. */
SELFTEST(fit_loop_timeout)
{
	struct fit_stats s0, s1, s2;
	struct hold_call second = { .ret = 1 };
	struct fit_msg_ctx *first_ctx, *second_ctx;
	struct task *th;
	char buf[8];
	u64 t0, waited;
	int r;

	ST_EQ(register_test_ops(), 0);
	held[0] = held[1] = NULL;
	fit_get_stats(&s0);
	t0 = ktime_get_ns();
	r = fit_call((u16)node_self(), OP_HOLD, "x", 1, buf, sizeof(buf),
		     200 * NSEC_PER_MSEC);
	waited = ktime_get_ns() - t0;
	ST_EQ(r, -ETIMEDOUT);
	ST_ASSERT(waited >= 200 * NSEC_PER_MSEC);
	ST_ASSERT(waited < 700 * NSEC_PER_MSEC);
	fit_get_stats(&s1);
	ST_EQ(s1.timeouts - s0.timeouts, 1);
	first_ctx = wait_held(0);
	ST_ASSERT(first_ctx);

	th = kthread_run(hold_caller, &second, "fit-test-hold");
	ST_ASSERT(th);
	second_ctx = wait_held(1);
	if (!second_ctx) {
		kthread_join(th);
		ST_FAIL("second request never reached the handler");
	}
	ST_EQ(fit_reply(first_ctx, "LATE", 4), 0);
	ST_EQ(fit_reply(second_ctx, "B", 1), 0);
	kthread_join(th);
	fit_get_stats(&s2);
	ST_EQ(second.ret, 1);
	ST_EQ(second.reply[0], 'B');
	ST_EQ(s2.late_replies - s1.late_replies, 1);
	return 0;
}

/* Unknown opcodes and short requests never reach a handler; the other
 * argument errors are reported locally. */
SELFTEST(fit_loop_reject)
{
	u8 req[32] = { 1, 2, 3 }, rep[32];
	struct fit_stats s0, s1;
	u16 me = (u16)node_self();
	int calls;

	ST_EQ(register_test_ops(), 0);
	fit_get_stats(&s0);
	calls = __atomic_load_n(&min16_calls, __ATOMIC_RELAXED);
	ST_EQ(fit_call(me, OP_UNKNOWN, req, 8, rep, sizeof(rep), 0),
	      -EOPNOTSUPP);
	ST_EQ(fit_call(me, OP_MIN16, req, 15, rep, sizeof(rep), 0), -EBADMSG);
	ST_EQ(__atomic_load_n(&min16_calls, __ATOMIC_RELAXED), calls);
	ST_EQ(fit_call(me, OP_MIN16, req, 16, rep, sizeof(rep), 0), 16);
	ST_EQ(__atomic_load_n(&min16_calls, __ATOMIC_RELAXED), calls + 1);
	ST_EQ(fit_call(me, OP_MIN16, req, 16, rep, 8, 0), -EMSGSIZE);
	ST_EQ(fit_call(me, OP_FAIL, NULL, 0, NULL, 0, 0), -ENOSPC);
	ST_EQ(fit_call(me, FIT_OP_PING, req, FIT_MAX_PAYLOAD + 1, rep,
		       sizeof(rep), 0), -EMSGSIZE);
	ST_EQ(fit_call((u16)node_count(), FIT_OP_PING, req, 1, rep,
		       sizeof(rep), 0), -EHOSTUNREACH);
	ST_EQ(fit_call(me, FIT_OP_PING, NULL, 4, rep, sizeof(rep), 0),
	      -EINVAL);
	ST_EQ(fit_register_handler(FIT_OP_PING, 0, fail_handler), -EEXIST);
	fit_get_stats(&s1);
	ST_EQ(s1.drop_unknown_opcode - s0.drop_unknown_opcode, 1);
	ST_EQ(s1.drop_short - s0.drop_short, 1);
	return 0;
}

/* The counters add up; fit_dump_stats prints them. */
SELFTEST(fit_loop_stats)
{
	struct fit_stats s0, s1;
	u64 hist0 = 0, hist1 = 0;
	u8 rep[8];

	fit_get_stats(&s0);
	for (int i = 0; i < 100; i++)
		ST_EQ(fit_call((u16)node_self(), FIT_OP_PING, "12345678", 8,
			       rep, sizeof(rep), 0), 8);
	fit_get_stats(&s1);
	for (int i = 0; i < FIT_LAT_BUCKETS; i++) {
		hist0 += s0.latency_us_log2[i];
		hist1 += s1.latency_us_log2[i];
	}
	ST_ASSERT(s1.calls - s0.calls >= 100);
	ST_ASSERT(hist1 - hist0 >= 100);
	ST_EQ(hist1, s1.calls_ok);
	ST_ASSERT(s1.bytes_sent - s0.bytes_sent >= 100 * (24 + 8) * 2);
	ST_ASSERT(s1.bytes_received - s0.bytes_received >= 100 * (24 + 8) * 2);
	fit_dump_stats();
	return 0;
}
