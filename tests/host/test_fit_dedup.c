/* tests/host/test_fit_dedup.c — net/fit/dedup.c, the server's "each
 * request at most once" table, on the host under ASan and UBSan.
 *
 * This node is node 0; requests come from node 1 (incarnations A and B).
 * Checked: a new request runs; a copy while it runs is dropped; a copy
 * after it answered gets the cached reply (same flags and bytes) and does
 * not run; the client's ack_delta retires answered entries and a copy
 * below the floor is dropped, never run; an entry still running below the
 * floor lives until it answers and is then freed; over DD_MAX_BYTES the
 * oldest replies are forgotten (their copies dropped), over
 * DD_MAX_ENTRIES the oldest entries go and the floor follows (still never
 * a second run); a new incarnation drops the old one's entries (a running
 * one is freed when it answers: ASan sees a use after free or a leak) and
 * the old one's stragglers are dropped; this node's own requests get no
 * entry; an absurd ack_delta is ignored.
 *
 * Shims: spinlocks as no-ops (single thread), kmalloc on malloc,
 * fit_send_msg records the replays.
 */
#include "harness.h"
#include <string.h>

#define CONFIG_SELFTEST 1
#include "../../kernel/node.c"
#include "../../lib/string.c"
#include "../../lib/vsnprintf.c"
#include "../../net/fit/dedup.c"

#undef memcmp
#undef memcpy
#undef memset

/* --- shims ------------------------------------------------------------ */

struct fit_stats fit_stats;
void printk(const char *fmt, ...) { (void)fmt; }
u64 ktime_get_ns(void) { return 0; }
void spin_lock_init(spinlock_t *l, const char *name) {}
void spin_lock(spinlock_t *l) {}
void spin_unlock(spinlock_t *l) {}
void *kmalloc(size_t n) { return malloc(n ? n : 1); }
void *kzalloc(size_t n) { return calloc(1, n ? n : 1); }
void kfree(const void *p) { free((void *)p); }
void fit_stat_add(u64 *c, u64 n) { *c += n; }
u64 fit_default_timeout_ns(void) { return 1000000000ull; }

static u32 replays, last_len;
static u8 last_flags, last_byte;
static u64 last_id;

int fit_send_msg(u16 node, u16 opcode, u8 flags, u64 request_id,
		 u32 ack_delta, const void *payload, u32 len, u64 deadline_ns)
{
	replays++;
	last_flags = flags;
	last_id = request_id;
	last_len = len;
	last_byte = len ? ((const u8 *)payload)[len - 1] : 0;
	return 0;
}

/* --- requests from node 1 ---------------------------------------------- */

#define INC_A	0xaaaa0001u
#define INC_B	0xbbbb0001u

static struct msg_hdr req(u32 inc, u32 seq, u32 ack_delta)
{
	struct msg_hdr h = { .opcode = 0x0101, .version = MSG_VERSION,
			     .src_node = 1, .dst_node = 0,
			     .length = sizeof(h), .ack_delta = ack_delta,
			     .request_id = (u64)inc << 32 | seq };
	return h;
}

/* Begin @seq; returns 1 (run, *e set) or 0 (a copy). */
static int begin(u32 inc, u32 seq, u32 ack_delta, struct fit_dd_entry **e)
{
	struct msg_hdr h = req(inc, seq, ack_delta);

	return fit_dedup_begin(&h, e);
}

/* Run @seq to its end with a @len-byte reply whose last byte is @b. */
static void run(u32 inc, u32 seq, u32 ack_delta, u32 len, u8 b)
{
	struct fit_dd_entry *e;
	u8 *rep = calloc(1, len ? len : 1);

	if (len)
		rep[len - 1] = b;
	CHECK_EQ(begin(inc, seq, ack_delta, &e), 1);
	CHECK(e != NULL, "no entry for %u", seq);
	fit_dedup_done(e, 0, rep, len);
	free(rep);
}

static void test_once(void)
{
	struct fit_dd_entry *e, *e2;
	u64 running = fit_stats.dup_running;

	CHECK_EQ(begin(INC_A, 1, 0, &e), 1);
	CHECK_EQ(begin(INC_A, 1, 0, &e2), 0);		/* still running */
	CHECK(e2 == NULL, "copy got an entry");
	CHECK_EQ(fit_stats.dup_running - running, 1);
	fit_dedup_done(e, MSG_F_ERROR, "xyz", 3);
	CHECK_EQ(begin(INC_A, 1, 0, &e2), 0);		/* answered: replay */
	CHECK_EQ(replays, 1);
	CHECK_EQ(last_flags, MSG_F_REPLY | MSG_F_ERROR);
	CHECK_EQ(last_id, (u64)INC_A << 32 | 1);
	CHECK(last_len == 3 && last_byte == 'z', "replayed %u bytes", last_len);
	CHECK_EQ(fit_stats.dup_replayed, 1);
}

static void test_ack_retires(void)
{
	struct fit_dd_entry *e, *r, *r21;
	u64 forgotten = fit_stats.dup_forgotten;

	for (u32 s = 2; s <= 10; s++)
		run(INC_A, s, s - 1, 16, (u8)s);	/* floor stays at 1 */
	CHECK_EQ(fit_dedup_entries(1), 10);
	CHECK_EQ(begin(INC_A, 20, 0, &r), 1);		/* all before: done */
	CHECK_EQ(fit_dedup_entries(1), 1);
	CHECK_EQ(begin(INC_A, 5, 15, &e), 0);		/* below the floor */
	CHECK_EQ(fit_stats.dup_forgotten - forgotten, 1);
	CHECK_EQ(begin(INC_A, 21, 0, &r21), 1);		/* 20 still running */
	CHECK_EQ(fit_dedup_entries(1), 2);
	CHECK_EQ(begin(INC_A, 20, 1, &e), 0);
	fit_dedup_done(r, 0, "late", 4);		/* below: freed */
	CHECK_EQ(fit_dedup_entries(1), 1);
	fit_dedup_done(r21, 0, NULL, 0);
	CHECK_EQ(begin(INC_A, 20, 2, &e), 0);		/* not run again */
}

static void test_caps(void)
{
	struct fit_dd_entry *e;
	u32 base = 100, n = 100, r0 = replays;
	u64 forgotten = fit_stats.dup_forgotten;

	/* 100 replies of 64 KiB, none acknowledged: over DD_MAX_BYTES. */
	for (u32 i = 0; i < n; i++)
		run(INC_A, base + i, i, 65536, (u8)i);
	CHECK_EQ(begin(INC_A, base, n, &e), 0);		/* forgotten */
	CHECK_EQ(fit_stats.dup_forgotten - forgotten, 1);
	CHECK_EQ(begin(INC_A, base + n - 1, 1, &e), 0);	/* replayed */
	CHECK(replays == r0 + 1 && last_len == 65536 &&
	      last_byte == (u8)(n - 1), "replay of the newest");
	CHECK(srcs[1].bytes <= DD_MAX_BYTES, "%llu bytes cached",
	      (unsigned long long)srcs[1].bytes);
	/* 3000 small ones: over DD_MAX_ENTRIES. */
	base = 1000;
	for (u32 i = 0; i < 3000; i++)
		run(INC_A, base + i, i + 900, 8, 1);
	CHECK_EQ(fit_dedup_entries(1), DD_MAX_ENTRIES);
	CHECK_EQ(begin(INC_A, base, 3000, &e), 0);	/* never twice */
	CHECK_EQ(begin(INC_A, base + 2999, 1, &e), 0);
}

static void test_incarnation(void)
{
	struct fit_dd_entry *e, *old;
	u64 forgotten;

	CHECK_EQ(begin(INC_A, 9000, 0, &old), 1);	/* A's, running */
	run(INC_B, 1, 0, 8, 2);				/* node 1 rebooted */
	CHECK_EQ(fit_dedup_entries(1), 1);
	forgotten = fit_stats.dup_forgotten;
	CHECK_EQ(begin(INC_A, 9001, 0, &e), 0);		/* A's straggler */
	CHECK_EQ(fit_stats.dup_forgotten - forgotten, 1);
	fit_dedup_done(old, 0, "gone", 4);		/* orphan: freed */
	CHECK_EQ(fit_dedup_entries(1), 1);
	CHECK_EQ(begin(INC_B, 2, 0x90000000u, &e), 1);	/* bogus ack */
	CHECK_EQ(fit_dedup_entries(1), 2);
	fit_dedup_done(e, 0, NULL, 0);
}

static void test_loopback(void)
{
	struct msg_hdr h = req(INC_A, 1, 0);
	struct fit_dd_entry *e = (struct fit_dd_entry *)1;

	h.src_node = 0;
	CHECK_EQ(fit_dedup_begin(&h, &e), 1);
	CHECK(e == NULL, "loopback got an entry");
	CHECK_EQ(fit_dedup_begin(&h, &e), 1);		/* no table at all */
	fit_dedup_done(NULL, 0, NULL, 0);
}

int main(void)
{
	node_id = 0;
	nr_nodes = 2;
	fit_dedup_init();
	RUN(test_once);
	RUN(test_ack_retires);
	RUN(test_caps);
	RUN(test_incarnation);
	RUN(test_loopback);
	return harness_exit();
}
