/* drivers/net/virtio_net_test.c — frames between two virtio-net devices
 * of one machine joined by a QEMU hub (scripts/tessera adds them for
 * selftests: -netdev hubport,hubid=0 twice).  Checks every frame arrives
 * once, in order, byte for byte, in interrupt and in polled mode. */
#include <drivers/netdev.h>
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
};

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
	if (seq != k->next_seq || memcmp(f, dev->mac, ETH_ALEN))
		k->errors++;
	s = seq * 2654435761u + 1;
	for (size_t i = 18; i < len; i++)
		if (f[i] != (u8)rnd(&s)) {
			k->errors++;
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
		u64 end = ktime_get_ns() + NSEC_PER_SEC;

		fill(frame, len, seq, b->mac, a->mac);
		while (netdev_xmit(a, frame, len) == -EBUSY &&
		       ktime_get_ns() < end)
			yield();
		if (polled)
			netdev_poll(b, 64);
	}
	for (u64 end = ktime_get_ns() + 2 * NSEC_PER_SEC;
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
	struct sink k;
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
		ST_EQ(k.errors, 0);
		ST_EQ(k.got, FRAMES);
	}
	return 0;
}
