/* drivers/net/virtio_net_test.c — frames between two virtio-net devices
 * of one machine joined by a QEMU hub (scripts/tessera adds them for
 * selftests: -netdev hubport,hubid=0 twice).  Checks every frame arrives
 * exactly once and byte for byte, in interrupt and in polled mode.  Order
 * is counted, not required: the driver hands frames up in ring order, but
 * QEMU's net queue may pass a queued frame when the receiver's ring
 * refills (seen with 8 vCPUs on 2 host cores). */
#include <drivers/netdev.h>
#include <kernel/printk.h>
#include <kernel/sched.h>
#include <kernel/selftest.h>
#include <kernel/time.h>
#include <lib/string.h>
#include <mm/mm.h>
#include <uapi/errno.h>

#define FRAMES 2000

struct sink {
	u32 next_seq;
	u32 errors;
	u32 got;
	u32 reordered;
	u8 seen[FRAMES];
	u32 first_bad_seq, first_bad_expected, first_bad_len, first_bad_kind;
};

static void bad(struct sink *k, u32 seq, size_t len, u32 kind)
{
	if (!k->errors++) {
		k->first_bad_seq = seq;
		k->first_bad_expected = k->next_seq;
		k->first_bad_len = (u32)len;
		k->first_bad_kind = kind;
	}
}

static u32 rnd(u32 *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

static void fill(u8 *f, size_t len, u32 seq, const u8 *dst, const u8 *src)
{
	u32 s = seq * 2654435761u + 1;

	memcpy(f, dst, ETH_ALEN);
	memcpy(f + ETH_ALEN, src, ETH_ALEN);
	f[12] = 0x88;
	f[13] = 0xb5;			/* local experimental ethertype */
	memcpy(f + 14, &seq, 4);
	for (size_t i = 18; i < len; i++)
		f[i] = (u8)rnd(&s);
}

static void on_rx(struct net_device *dev, const void *frame, size_t len,
		  void *ctx)
{
	struct sink *k = ctx;
	const u8 *f = frame;
	u32 seq, s;

	if (len < 18 || f[12] != 0x88 || f[13] != 0xb5)
		return;			/* not ours */
	memcpy(&seq, f + 14, 4);
	if (seq >= FRAMES || k->seen[seq]++)
		bad(k, seq, len, 1);		/* duplicate or bogus */
	else if (memcmp(f, dev->mac, ETH_ALEN))
		bad(k, seq, len, 2);
	if (seq != k->next_seq)
		k->reordered++;
	s = seq * 2654435761u + 1;
	for (size_t i = 18; i < len; i++)
		if (f[i] != (u8)rnd(&s)) {
			bad(k, seq, len, 3 + (u32)i * 16);
			break;
		}
	k->next_seq = seq + 1;
	k->got++;
}

static int send_all(struct net_device *a, struct net_device *b,
		    struct sink *k, bool polled, u32 *seed)
{
	u8 *frame = kmalloc(9216);
	u32 limit = MIN(a->mtu + ETH_HLEN, 9216u);

	if (!frame)
		return -1;
	for (u32 seq = 0; seq < FRAMES; seq++) {
		size_t len = 60 + rnd(seed) % (limit - 60 + 1);
		/* A full transmit ring drains only as fast as the receiver's
		 * vCPU runs, which a loaded host may stall for seconds. */
		u64 end = ktime_get_ns() + 10 * NSEC_PER_SEC;
		int err;

		fill(frame, len, seq, b->mac, a->mac);
		while ((err = netdev_xmit(a, frame, len)) == -EBUSY &&
		       ktime_get_ns() < end) {
			if (polled)
				netdev_poll(b, 64);
			yield();
		}
		if (err) {
			kfree(frame);
			return -2;	/* frame not sent: not a receive error */
		}
		if (polled)
			netdev_poll(b, 64);
	}
	for (u64 end = ktime_get_ns() + 10 * NSEC_PER_SEC;
	     k->got < FRAMES && ktime_get_ns() < end;) {
		if (polled)
			netdev_poll(b, 64);
		else
			msleep(1);
	}
	kfree(frame);
	return 0;
}

SELFTEST(virtio_net_hub)
{
	struct net_device *a = netdev_get(0), *b = netdev_get(1);
	static struct sink k;
	u32 seed = 12345;

	if (!a || !b)
		ST_SKIP("needs two virtio-net devices on one hub");
	for (int polled = 0; polled < 2; polled++) {
		memset(&k, 0, sizeof(k));
		netdev_set_polling(b, polled);
		netdev_set_rx(b, on_rx, &k);
		ST_EQ(send_all(a, b, &k, polled, &seed), 0);
		netdev_set_rx(b, NULL, NULL);
		netdev_set_polling(b, false);
		if (k.errors)
			ST_FAIL("%s mode: %u bad frames; first: seq %u (expected %u) "
				"len %u kind %u", polled ? "polled" : "interrupt",
				k.errors, k.first_bad_seq, k.first_bad_expected,
				k.first_bad_len, k.first_bad_kind);
		ST_EQ(k.got, FRAMES);
		if (k.reordered)
			printk("virtio_net_hub: %s mode: %u frames out of order\n",
			       polled ? "polled" : "interrupt", k.reordered);
	}
	return 0;
}
