/* include/drivers/netdev.h — Ethernet devices as the RDMA provider sees
 * them (drivers/net/).
 *
 * A device transmits whole Ethernet frames (copied; the caller's buffer is
 * free on return) and demultiplexes every received frame by EtherType:
 * users register a handler per EtherType (netdev_add_proto: rxe takes
 * IPv4 0x0800, FIT's discovery and eth transport 0x88b6, tests their own),
 * and frames no handler claims go to the default handler (netdev_set_rx)
 * or are counted as dropped.  In interrupt mode handlers run in the
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

#define NETDEV_MAX_PROTOS	8

struct netdev_proto {
	u16 ethertype;			/* host order; 0 = free slot */
	netdev_rx_fn fn;		/* NULL once removed */
	void *ctx;
};

struct net_device {
	char name[16];
	u8 mac[ETH_ALEN];
	u32 mtu;			/* payload bytes after the header */
	const struct net_device_ops *ops;
	netdev_rx_fn rx;		/* default: frames no proto claims */
	void *rx_ctx;
	struct netdev_proto protos[NETDEV_MAX_PROTOS];
	unsigned int nr_protos;		/* slots in use, published last */
	struct netdev_stats stats;
	bool polling;
	void *priv;
};

int netdev_register(struct net_device *dev);
int netdev_count(void);
struct net_device *netdev_get(int index);
void netdev_set_rx(struct net_device *dev, netdev_rx_fn fn, void *ctx);
/* Receive frames of @ethertype with @fn (any context, see above).
 * Returns 0, -EEXIST (another handler has it), -ENOSPC or -EINVAL.
 * Registration is serialized by the caller (boot, or one test at a time);
 * lookups on the receive path are lock-free. */
int netdev_add_proto(struct net_device *dev, u16 ethertype, netdev_rx_fn fn,
		     void *ctx);
/* Stop delivering @ethertype to its handler (a handler running on another
 * CPU may still finish its frame). */
void netdev_del_proto(struct net_device *dev, u16 ethertype);
int netdev_xmit(struct net_device *dev, const void *frame, size_t len);
int netdev_poll(struct net_device *dev, int budget);
void netdev_set_polling(struct net_device *dev, bool polling);
/* Called by drivers for every received frame. */
void netdev_deliver(struct net_device *dev, const void *frame, size_t len);

#endif
