/* tests/host/test_fit_eth.c — the receive side of FIT's interim Ethernet
 * transport (net/fit/eth.c) on the host, under ASan and UBSan.
 *
 * This node is node 0 of 2; node 1 is a peer at a known MAC.  The test
 * plays node 1: it cuts messages into DATA frames exactly as the wire
 * format says, feeds them to eth_rx() (the NIC's receive handler) in
 * order, with duplicates and with frames reordered, and checks that every
 * message comes up through fit_transport_rx() once, whole, byte for byte,
 * and that ACKs report the right next sequence number.  Then 200,000
 * mutated frames (random bytes flipped, truncated, extended, fields set to
 * boundary values) must never crash, overrun a buffer, or deliver a
 * message whose length differs from what its frames claimed.  A reboot of
 * node 1 restarts the stream: the old incarnation's frames are dropped,
 * the new one's stream starts at 0.
 *
 * Shims: the kernel services eth.c uses (spinlocks and wait queues as
 * no-ops — the test is single-threaded —, kmalloc on malloc, a fake clock,
 * a netdev whose transmit records ACK frames).
 */
#include "harness.h"

#include <string.h>

#include "../../kernel/node.c"
#include "../../lib/string.c"
#include "../../lib/vsnprintf.c"
#include "../../net/fit/eth.c"

#undef memcmp
#undef memcpy
#undef memset

/* --- shims ------------------------------------------------------------ */
#define MY_BOOT		0x1234u
#define PEER_BOOT	0x5678u
#define NEW_BOOT	0x9abcu		/* node 1 after a reboot */
static u32 frame_boot = PEER_BOOT;	/* node 1's frames carry it */

struct fit_stats fit_stats;
static u64 now_ns;
static int warnings;

void printk(const char *fmt, ...) { warnings++; (void)fmt; }
u64 ktime_get_ns(void) { return now_ns; }
void spin_lock_init(spinlock_t *l, const char *name) {}
unsigned long spin_lock_irqsave(spinlock_t *l) { return 0; }
void spin_unlock_irqrestore(spinlock_t *l, unsigned long f) {}
void init_waitqueue_head(struct wait_queue_head *wq) {}
void wake_up(struct wait_queue_head *wq) {}
void prepare_to_wait(struct wait_queue_head *wq, struct wait_queue_entry *e,
		     enum task_state s) {}
void finish_wait(struct wait_queue_head *wq, struct wait_queue_entry *e) {}
void schedule(void) {}
u64 schedule_timeout(u64 ns) { now_ns += ns; return 0; }
struct task *current_task(void) { return NULL; }
struct task *kthread_run(kthread_fn_t fn, void *arg, const char *name)
{
	return (struct task *)1;
}
void kthread_detach(struct task *t) {}
void *kmalloc(size_t n) { return malloc(n ? n : 1); }
void *kzalloc(size_t n) { return calloc(1, n ? n : 1); }
void kfree(const void *p) { free((void *)p); }
void fit_stat_add(u64 *c, u64 n) { *c += n; }
u64 fit_default_timeout_ns(void) { return 1000000000ull; }
void fit_set_remote_transport(struct fit_transport *t) {}
void msleep(unsigned int ms) { now_ns += ms * 1000000ull; }
static int peer_resets;
void fit_peer_reset(u16 node, bool rebooted) { peer_resets++; }

static int announcements;
void fit_discovery_rx(const u8 *mac, const struct fit_announce *a,
		      const struct fit_announce_rdma *e, unsigned int nr)
{
	announcements++;
	for (unsigned int i = 0; i < nr; i++)
		if (e[i].peer != node_self())
			abort();	/* only our own entries are handed up */
}

/* Messages handed up, kept for checking. */
#define MAX_UP 64
static u8 *up_msg[MAX_UP];
static u32 up_len[MAX_UP], nr_up, bad_up;
static u32 claimed_len;		/* fuzz: msg_len of the frames sent */

void fit_transport_rx(void *msg, u32 len)
{
	if (claimed_len && len != claimed_len)
		bad_up++;
	if (nr_up < MAX_UP) {
		up_msg[nr_up] = msg;
		up_len[nr_up++] = len;
	} else {
		free(msg);
	}
}

static u32 last_ack, acks;

static int fake_xmit(struct net_device *d, const void *f, size_t len)
{
	struct fit_eth_hdr h;

	memcpy(&h, (const u8 *)f + ETH_HLEN, sizeof(h));
	if (h.type == FIT_ETH_ACK) {
		last_ack = h.ack;
		acks++;
	}
	return 0;
}

static int fake_poll(struct net_device *d, int budget) { return 0; }
static void fake_polling(struct net_device *d, bool p) {}
static const struct net_device_ops fake_ops = { fake_xmit, fake_poll,
						fake_polling };
static struct net_device dev = {
	.name = "fake0", .mac = { 2, 0, 0, 0, 0, 0x10 }, .mtu = 1500,
	.ops = &fake_ops,
};
static const u8 peer_mac[ETH_ALEN] = { 2, 0, 0, 0, 0, 0x11 };

int netdev_xmit(struct net_device *d, const void *f, size_t len)
{
	return d->ops->xmit(d, f, len);
}

/* The demultiplexer is not under test: the one protocol lands in rx. */
int netdev_add_proto(struct net_device *d, u16 type, netdev_rx_fn fn,
		     void *ctx)
{
	d->rx = type == FIT_ETHERTYPE ? fn : NULL;
	return 0;
}

/* --- node 1, as the test plays it -------------------------------------- */
static u32 next_seq;

/* Frames of one message of @len bytes (pattern from @seed) into @frames;
 * returns how many. */
static int cut(u8 frames[][ETH_HLEN + 1500], size_t *flen, u32 len,
	       u32 seed, u32 seq0)
{
	u32 fmax = 1500 - sizeof(struct fit_eth_hdr), off = 0;
	int n = 0;

	do {
		u32 k = len - off < fmax ? len - off : fmax;
		struct fit_eth_hdr h = {
			.type = FIT_ETH_DATA, .version = FIT_ETH_VERSION,
			.src_node = 1, .dst_node = 0, .frag_len = (u16)k,
			.seq = seq0 + n, .msg_len = len, .frag_off = off,
			.boot_id = frame_boot, .dst_boot = MY_BOOT,
		};
		u8 *f = frames[n];

		memcpy(f, dev.mac, ETH_ALEN);
		memcpy(f + ETH_ALEN, peer_mac, ETH_ALEN);
		f[12] = 0x88;
		f[13] = 0xb6;
		memcpy(f + ETH_HLEN, &h, sizeof(h));
		for (u32 i = 0; i < k; i++)
			f[HDRS + i] = (u8)(seed + off + i);
		flen[n++] = HDRS + k;
		off += k;
	} while (off < len);
	return n;
}

static u8 frames[64][ETH_HLEN + 1500];
static size_t flen[64];

static bool pattern_ok(const u8 *m, u32 len, u32 seed)
{
	for (u32 i = 0; i < len; i++)
		if (m[i] != (u8)(seed + i))
			return false;
	return true;
}

static void reset_up(void)
{
	for (u32 i = 0; i < nr_up && i < MAX_UP; i++)
		free(up_msg[i]);
	nr_up = 0;
}

static void setup(void)
{
	node_id = 0;
	nr_nodes = 2;
	CHECK_EQ(fit_eth_init(&dev, MY_BOOT), 0);
	CHECK_EQ(fit_eth_add_peer(1, peer_mac, PEER_BOOT), 0);
}

static void test_in_order(void)
{
	static const u32 sizes[] = { 24, 25, 1468, 1469, 4096, 65560 };

	for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		int n = cut(frames, flen, sizes[s], (u32)s, next_seq);

		reset_up();
		for (int i = 0; i < n; i++)
			dev.rx(&dev, frames[i], flen[i], NULL);
		next_seq += n;
		CHECK_EQ(nr_up, 1);
		CHECK_EQ(up_len[0], sizes[s]);
		CHECK(pattern_ok(up_msg[0], sizes[s], (u32)s), "size %u",
		      sizes[s]);
		CHECK_EQ(last_ack, next_seq);
	}
	reset_up();
}

static void test_dup_and_reorder(void)
{
	int n = cut(frames, flen, 10000, 7, next_seq);	/* 7 frames */
	u32 drops = (u32)fit_stats.dup_frames;

	reset_up();
	dev.rx(&dev, frames[0], flen[0], NULL);
	dev.rx(&dev, frames[0], flen[0], NULL);		/* duplicate */
	dev.rx(&dev, frames[2], flen[2], NULL);		/* early */
	CHECK_EQ(last_ack, next_seq + 1);		/* "send 1 again" */
	for (int i = 1; i < n; i++)
		dev.rx(&dev, frames[i], flen[i], NULL);
	dev.rx(&dev, frames[n - 1], flen[n - 1], NULL);	/* late duplicate */
	next_seq += n;
	CHECK_EQ(nr_up, 1);
	CHECK(nr_up && up_len[0] == 10000 && pattern_ok(up_msg[0], 10000, 7),
	      "reassembly");
	CHECK_EQ(fit_stats.dup_frames - drops, 3);
	CHECK_EQ(last_ack, next_seq);
	reset_up();
}

/* Node 1 reboots: its old stream's frames are dropped unanswered, the
 * new incarnation's stream starts at sequence 0. */
static void test_reboot(void)
{
	u64 dups = fit_stats.dup_frames;
	u32 acks0 = acks;
	int n;

	fit_eth_peer_rebooted(1, NEW_BOOT);
	CHECK_EQ(peer_resets, 1);
	CHECK_EQ(fit_eth_readmissions(), 1);
	n = cut(frames, flen, 3000, 9, next_seq);	/* the old one's */
	reset_up();
	for (int i = 0; i < n; i++)
		dev.rx(&dev, frames[i], flen[i], NULL);
	CHECK_EQ(nr_up, 0);
	CHECK_EQ(acks, acks0);
	CHECK_EQ(fit_stats.dup_frames - dups, (u64)n);
	frame_boot = NEW_BOOT;
	next_seq = 0;
	n = cut(frames, flen, 3000, 9, next_seq);
	for (int i = 0; i < n; i++)
		dev.rx(&dev, frames[i], flen[i], NULL);
	next_seq += n;
	CHECK_EQ(nr_up, 1);
	CHECK(nr_up && up_len[0] == 3000 && pattern_ok(up_msg[0], 3000, 9),
	      "new stream");
	CHECK_EQ(last_ack, next_seq);
	reset_up();
}

static void mutate(u8 *f, size_t *len)
{
	static const u32 edge[] = { 0, 1, 23, 24, 0xffff, 0x10018, 0x10019,
				    0x7fffffff, 0xffffffff };
	int what = (int)(rnd() % 4);

	if (what == 0) {
		for (int i = 0, k = 1 + (int)(rnd() % 4); i < k; i++)
			f[rnd() % *len] ^= (u8)(1 + rnd() % 255);
	} else if (what == 1) {
		*len = rnd() % (*len + 1);
	} else if (what == 2) {
		u32 v = edge[rnd() % (sizeof(edge) / sizeof(edge[0]))];
		size_t at = ETH_HLEN + 2 * (rnd() % 14);

		if (at + 4 <= *len)
			memcpy(f + at, &v, rnd() % 2 ? 4 : 2);
	} else {
		size_t more = rnd() % 64;

		if (*len + more <= ETH_HLEN + 1500)
			*len += more;
	}
}

/* Mutated frames from node 1, interleaved with valid ones: whatever
 * comes up must be as long as its frames said, and nothing may crash. */
static void test_fuzz(void)
{
	u32 delivered = 0, mutated = 0;
	u64 malformed = fit_stats.drop_malformed, dups = fit_stats.dup_frames;

	for (int round = 0; mutated < 200000; round++) {
		u32 len = 24 + (u32)(rnd() % 6000);
		int n = cut(frames, flen, len, (u32)round, next_seq);

		reset_up();
		claimed_len = len;
		for (int i = 0; i < n; i++) {
			u8 copy[ETH_HLEN + 1500];
			size_t l = flen[i];

			memcpy(copy, frames[i], l);
			if (rnd() % 3 == 0) {
				mutate(copy, &l);
				dev.rx(&dev, copy, l, NULL);	/* 10 tries */
				mutated += 10;
				for (int k = 0; k < 9; k++) {
					memcpy(copy, frames[i], flen[i]);
					l = flen[i];
					mutate(copy, &l);
					dev.rx(&dev, copy, l, NULL);
				}
			}
			dev.rx(&dev, frames[i], flen[i], NULL);
		}
		delivered += nr_up;
		next_seq = last_ack;	/* what the receiver expects now */
	}
	claimed_len = 0;
	reset_up();
	CHECK_EQ(bad_up, 0);
	CHECK(delivered > 10000, "only %u messages came through", delivered);
	CHECK(fit_stats.drop_malformed - malformed > 10000, "malformed %llu",
	      (unsigned long long)(fit_stats.drop_malformed - malformed));
	CHECK(fit_stats.dup_frames - dups > 10000, "dups %llu",
	      (unsigned long long)(fit_stats.dup_frames - dups));
}

int main(void)
{
	setup();
	RUN(test_in_order);
	RUN(test_dup_and_reorder);
	RUN(test_reboot);
	RUN(test_fuzz);
	return harness_exit();
}
