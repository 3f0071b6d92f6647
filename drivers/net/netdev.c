/* drivers/net/netdev.c — the registry of Ethernet devices and the thin
 * layer between drivers and their users (the RDMA provider, FIT's
 * discovery and eth transport, tests).
 *
 * Registration happens at boot (probe) and devices are never removed, so
 * the table is read without a lock after boot.
 *
 * Receive demultiplexing: each device has a small table of {EtherType,
 * handler, context}.  netdev_deliver() reads the frame's EtherType and
 * calls the matching handler; frames nobody claims go to the default
 * handler (netdev_set_rx) or are counted in rx_dropped.  A slot is filled
 * (ctx, then fn with release) before nr_protos is raised, and a removed
 * slot keeps its EtherType with fn = NULL (reused by the same EtherType),
 * so the receive path reads the table without a lock.
 */
#include <drivers/netdev.h>
#include <kernel/printk.h>
#include <lib/printf.h>
#include <uapi/errno.h>

#define MAX_NETDEVS 8

static struct net_device *devices[MAX_NETDEVS];
static int nr_devices;

int netdev_register(struct net_device *dev)
{
	if (nr_devices >= MAX_NETDEVS)
		return -ENOSPC;
	snprintf(dev->name, sizeof(dev->name), "eth%d", nr_devices);
	devices[nr_devices] = dev;
	__atomic_store_n(&nr_devices, nr_devices + 1, __ATOMIC_RELEASE);
	printk("%s: mac %02x:%02x:%02x:%02x:%02x:%02x mtu %u\n", dev->name,
	       dev->mac[0], dev->mac[1], dev->mac[2], dev->mac[3], dev->mac[4],
	       dev->mac[5], dev->mtu);
	return 0;
}

int netdev_count(void)
{
	return __atomic_load_n(&nr_devices, __ATOMIC_ACQUIRE);
}

struct net_device *netdev_get(int index)
{
	return index >= 0 && index < netdev_count() ? devices[index] : NULL;
}

void netdev_set_rx(struct net_device *dev, netdev_rx_fn fn, void *ctx)
{
	dev->rx_ctx = ctx;
	__atomic_store_n(&dev->rx, fn, __ATOMIC_RELEASE);
}

int netdev_add_proto(struct net_device *dev, u16 ethertype, netdev_rx_fn fn,
		     void *ctx)
{
	struct netdev_proto *free = NULL;
	unsigned int n = dev->nr_protos;

	if (!ethertype || !fn)
		return -EINVAL;
	for (unsigned int i = 0; i < n; i++) {
		struct netdev_proto *p = &dev->protos[i];

		if (p->ethertype != ethertype)
			continue;
		if (__atomic_load_n(&p->fn, __ATOMIC_ACQUIRE))
			return -EEXIST;
		free = p;
	}
	if (!free) {
		if (n >= NETDEV_MAX_PROTOS)
			return -ENOSPC;
		free = &dev->protos[n];
		free->ethertype = ethertype;
	}
	free->ctx = ctx;
	__atomic_store_n(&free->fn, fn, __ATOMIC_RELEASE);
	if (free == &dev->protos[n])
		__atomic_store_n(&dev->nr_protos, n + 1, __ATOMIC_RELEASE);
	return 0;
}

void netdev_del_proto(struct net_device *dev, u16 ethertype)
{
	for (unsigned int i = 0; i < dev->nr_protos; i++)
		if (dev->protos[i].ethertype == ethertype)
			__atomic_store_n(&dev->protos[i].fn, NULL,
					 __ATOMIC_RELEASE);
}

int netdev_xmit(struct net_device *dev, const void *frame, size_t len)
{
	if (len < ETH_HLEN || len > ETH_HLEN + dev->mtu)
		return -EMSGSIZE;
	return dev->ops->xmit(dev, frame, len);
}

int netdev_poll(struct net_device *dev, int budget)
{
	return dev->ops->poll(dev, budget);
}

void netdev_set_polling(struct net_device *dev, bool polling)
{
	dev->polling = polling;
	dev->ops->set_polling(dev, polling);
}

void netdev_deliver(struct net_device *dev, const void *frame, size_t len)
{
	unsigned int n = __atomic_load_n(&dev->nr_protos, __ATOMIC_ACQUIRE);
	const u8 *f = frame;
	netdev_rx_fn fn;

	dev->stats.rx_packets++;
	dev->stats.rx_bytes += len;
	if (len >= ETH_HLEN) {
		u16 type = (u16)(f[12] << 8 | f[13]);

		for (unsigned int i = 0; i < n; i++) {
			struct netdev_proto *p = &dev->protos[i];

			if (p->ethertype != type)
				continue;
			fn = __atomic_load_n(&p->fn, __ATOMIC_ACQUIRE);
			if (!fn)
				break;
			fn(dev, frame, len, p->ctx);
			return;
		}
	}
	fn = __atomic_load_n(&dev->rx, __ATOMIC_ACQUIRE);
	if (fn)
		fn(dev, frame, len, dev->rx_ctx);
	else
		dev->stats.rx_dropped++;
}
