/* include/drivers/netdev.h — Ethernet devices as the RDMA provider sees
 * them (drivers/net/).
 *
 * A device transmits whole Ethernet frames (copied; the caller's buffer is
 * free on return) and hands every received frame to the one receive
 * handler its user installed.  In interrupt mode the handler runs in the
 * device's interrupt; in polled mode the user calls netdev_poll() from its
 * own thread and no interrupt is raised.  Handlers must not sleep and
 * must copy what they keep.
 */
#ifndef DRIVERS_NETDEV_H
#define DRIVERS_NETDEV_H

#include <tessera/compiler.h>

#define ETH_ALEN	6
#define ETH_HLEN	14

struct net_device;

typedef void (*netdev_rx_fn)(struct net_device *dev, const void *frame,
			     size_t len, void *ctx);

struct netdev_stats {
	u64 rx_packets, rx_bytes, rx_dropped;
	u64 tx_packets, tx_bytes, tx_busy;
};

struct net_device_ops {
	/* Returns 0, -EMSGSIZE (frame larger than mtu + header) or -EBUSY
	 * (no room in the transmit ring right now). */
	int (*xmit)(struct net_device *dev, const void *frame, size_t len);
	/* Deliver up to @budget received frames; returns how many. */
	int (*poll)(struct net_device *dev, int budget);
	void (*set_polling)(struct net_device *dev, bool polling);
};

struct net_device {
	char name[16];
	u8 mac[ETH_ALEN];
	u32 mtu;			/* payload bytes after the header */
	const struct net_device_ops *ops;
	netdev_rx_fn rx;
	void *rx_ctx;
	struct netdev_stats stats;
	bool polling;
	void *priv;
};

int netdev_register(struct net_device *dev);
int netdev_count(void);
struct net_device *netdev_get(int index);
void netdev_set_rx(struct net_device *dev, netdev_rx_fn fn, void *ctx);
int netdev_xmit(struct net_device *dev, const void *frame, size_t len);
int netdev_poll(struct net_device *dev, int budget);
void netdev_set_polling(struct net_device *dev, bool polling);
/* Called by drivers for every received frame. */
void netdev_deliver(struct net_device *dev, const void *frame, size_t len);

#endif
