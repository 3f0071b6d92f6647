/* tests/host/test_netdev_demux.c — the receive demultiplexer of
 * drivers/net/netdev.c on the host, under ASan and UBSan.
 *
 * Frames go to the handler registered for their EtherType (with its own
 * context), frames nobody claims to the default handler or into
 * rx_dropped, runt frames never reach a protocol handler; registration
 * refuses duplicates, a zero EtherType and a full table; a removed
 * protocol stops receiving and can be registered again in its old slot.
 * Shims: printk and the formatting netdev_register needs.
 */
#include "harness.h"

#include <string.h>

#include "../../lib/string.c"
#include "../../lib/vsnprintf.c"
#include "../../drivers/net/netdev.c"

#undef memcmp
#undef memcpy
#undef memset

void printk(const char *fmt, ...) { (void)fmt; }

static int hits[4];
static void *last_ctx;

static void on_a(struct net_device *d, const void *f, size_t len, void *ctx)
{
	hits[0]++;
	last_ctx = ctx;
}
static void on_b(struct net_device *d, const void *f, size_t len, void *ctx)
{
	hits[1]++;
	last_ctx = ctx;
}
static void on_default(struct net_device *d, const void *f, size_t len,
		       void *ctx)
{
	hits[2]++;
}

static void deliver(struct net_device *d, u16 type, size_t len)
{
	u8 f[64] = { 0 };

	f[12] = (u8)(type >> 8);
	f[13] = (u8)type;
	netdev_deliver(d, f, len);
}

static void test_dispatch(void)
{
	static struct net_device d;
	int ca, cb;

	memset(hits, 0, sizeof(hits));
	CHECK_EQ(netdev_add_proto(&d, 0x0800, on_a, &ca), 0);
	CHECK_EQ(netdev_add_proto(&d, 0x88b6, on_b, &cb), 0);
	CHECK_EQ(netdev_add_proto(&d, 0x0800, on_b, NULL), -EEXIST);
	CHECK_EQ(netdev_add_proto(&d, 0, on_b, NULL), -EINVAL);
	deliver(&d, 0x0800, 60);
	CHECK(hits[0] == 1 && last_ctx == &ca, "ipv4 to a");
	deliver(&d, 0x88b6, 60);
	CHECK(hits[1] == 1 && last_ctx == &cb, "fit to b");
	deliver(&d, 0x86dd, 60);
	CHECK_EQ(d.stats.rx_dropped, 1);
	netdev_set_rx(&d, on_default, NULL);
	deliver(&d, 0x86dd, 60);
	CHECK_EQ(hits[2], 1);
	deliver(&d, 0x0800, 10);		/* runt: no EtherType */
	CHECK_EQ(hits[0], 1);
	CHECK_EQ(hits[2], 2);
	CHECK_EQ(d.stats.rx_packets, 5);
}

static void test_remove_and_full(void)
{
	static struct net_device d;

	memset(hits, 0, sizeof(hits));
	CHECK_EQ(netdev_add_proto(&d, 0x0800, on_a, NULL), 0);
	netdev_del_proto(&d, 0x0800);
	deliver(&d, 0x0800, 60);
	CHECK_EQ(hits[0], 0);
	CHECK_EQ(d.stats.rx_dropped, 1);
	CHECK_EQ(netdev_add_proto(&d, 0x0800, on_b, NULL), 0);
	CHECK_EQ(d.nr_protos, 1);		/* its old slot again */
	deliver(&d, 0x0800, 60);
	CHECK_EQ(hits[1], 1);
	for (u16 t = 1; t < NETDEV_MAX_PROTOS; t++)
		CHECK_EQ(netdev_add_proto(&d, (u16)(0x9000 + t), on_a, NULL), 0);
	CHECK_EQ(netdev_add_proto(&d, 0x9999, on_a, NULL), -ENOSPC);
	deliver(&d, 0x9000 + NETDEV_MAX_PROTOS - 1, 60);
	CHECK_EQ(hits[0], 1);
}

int main(void)
{
	RUN(test_dispatch);
	RUN(test_remove_and_full);
	return harness_exit();
}
