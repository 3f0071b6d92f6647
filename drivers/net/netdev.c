/* drivers/net/netdev.c — the registry of Ethernet devices and the thin
 * layer between drivers and their user (the RDMA provider).
 *
 * Registration happens at boot (probe) and devices are never removed, so
 * the table is read without a lock after boot.
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
	netdev_rx_fn fn = __atomic_load_n(&dev->rx, __ATOMIC_ACQUIRE);

	dev->stats.rx_packets++;
	dev->stats.rx_bytes += len;
	if (fn)
		fn(dev, frame, len, dev->rx_ctx);
	else
		dev->stats.rx_dropped++;
}
