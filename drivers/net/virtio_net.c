/* drivers/net/virtio_net.c — virtio-net: the Ethernet under the emulated
 * RDMA NIC.
 *
 * One receive and one transmit queue.  Receive: every ring slot holds one
 * device-writable buffer big enough for the header and a full frame of the
 * negotiated MTU (VIRTIO_NET_F_MTU; 1500 otherwise); a drained buffer is
 * handed to netdev_deliver() and immediately re-posted.  Transmit: a pool
 * of buffers, one per ring slot; xmit copies the frame behind a zeroed
 * virtio_net_hdr, and completed buffers are reclaimed lazily on the next
 * xmit (transmit interrupts stay off).  No offloads are negotiated.
 *
 * Interrupt mode: the receive interrupt drains the ring in interrupt
 * context.  Polled mode: receive interrupts are suppressed and the user
 * calls netdev_poll().  rx_lock and tx_lock are the two queues' locks.
 * Covers: virtio-net (modern) with MAC and MTU features.
 */
#include <asm/layout.h>
#include <drivers/netdev.h>
#include <drivers/virtio.h>
#include <kernel/printk.h>
#include <lib/string.h>
#include <mm/mm.h>
#include <uapi/errno.h>

#define F_MTU		3
#define F_MAC		5
#define HDR_LEN		12
#define RX_QUEUE	0
#define TX_QUEUE	1
#define QUEUE_MAX	256

struct vnet {
	struct net_device dev;
	struct virtio_dev *vdev;
	struct virtqueue *rxq, *txq;
	u32 buf_size;
	u8 **rx_bufs;
	u8 **tx_free;		/* stack of free transmit buffers */
	unsigned int nr_tx_free;
	int draining;		/* one context delivers at a time */
};

static void rx_post(struct vnet *n, u8 *buf)
{
	struct vq_buf b = { virt_to_phys(buf), n->buf_size };

	virtqueue_add(n->rxq, &b, 0, 1, buf);
}

static int rx_drain_locked(struct vnet *n, int budget)
{
	spinlock_t *l = virtqueue_lock(n->rxq);
	int done = 0;
	u32 len;
	u8 *buf;

	while (done < budget) {
		unsigned long f = spin_lock_irqsave(l);

		buf = virtqueue_get(n->rxq, &len);
		spin_unlock_irqrestore(l, f);
		if (!buf)
			break;
		if (len > HDR_LEN && len <= n->buf_size)
			netdev_deliver(&n->dev, buf + HDR_LEN, len - HDR_LEN);
		else
			n->dev.stats.rx_dropped++;
		f = spin_lock_irqsave(l);
		rx_post(n, buf);
		spin_unlock_irqrestore(l, f);
		done++;
	}
	if (done) {
		unsigned long f = spin_lock_irqsave(l);
		virtqueue_kick(n->rxq);
		spin_unlock_irqrestore(l, f);
	}
	return done;
}

/* Deliver up to @budget frames, in ring order: only one context (an
 * interrupt on one CPU, a poller on another) drains at a time, or two
 * could hand frames up out of order.  A context that finds the ring busy
 * leaves the work to the one draining, which looks again after letting
 * go, so no frame waits for the next interrupt. */
static int rx_drain(struct vnet *n, int budget)
{
	int done = 0;

	do {
		if (__atomic_exchange_n(&n->draining, 1, __ATOMIC_ACQUIRE))
			return done;
		done += rx_drain_locked(n, budget - done);
		__atomic_store_n(&n->draining, 0, __ATOMIC_RELEASE);
	} while (done < budget && virtqueue_has_used(n->rxq));
	return done;
}

static void rx_irq(struct virtqueue *vq)
{
	struct vnet *n = virtqueue_priv(vq);

	if (!n->dev.polling)
		rx_drain(n, 1 << 30);
}

static int vnet_poll(struct net_device *dev, int budget)
{
	return rx_drain(dev->priv, budget);
}

static void vnet_set_polling(struct net_device *dev, bool polling)
{
	struct vnet *n = dev->priv;
	unsigned long f = spin_lock_irqsave(virtqueue_lock(n->rxq));

	virtqueue_set_cb_enabled(n->rxq, !polling);
	spin_unlock_irqrestore(virtqueue_lock(n->rxq), f);
	if (!polling)
		rx_drain(n, 1 << 30);	/* frames that came while polling */
}

static void tx_reclaim(struct vnet *n)
{
	u8 *buf;

	while ((buf = virtqueue_get(n->txq, NULL)))
		n->tx_free[n->nr_tx_free++] = buf;
}

static int vnet_xmit(struct net_device *dev, const void *frame, size_t len)
{
	struct vnet *n = dev->priv;
	spinlock_t *l = virtqueue_lock(n->txq);
	unsigned long f = spin_lock_irqsave(l);
	struct vq_buf b;
	u8 *buf;

	tx_reclaim(n);
	if (!n->nr_tx_free) {
		spin_unlock_irqrestore(l, f);
		dev->stats.tx_busy++;
		return -EBUSY;
	}
	buf = n->tx_free[--n->nr_tx_free];
	memset(buf, 0, HDR_LEN);
	memcpy(buf + HDR_LEN, frame, len);
	b = (struct vq_buf){ virt_to_phys(buf), (u32)(HDR_LEN + len) };
	virtqueue_add(n->txq, &b, 1, 0, buf);
	virtqueue_kick(n->txq);
	dev->stats.tx_packets++;
	dev->stats.tx_bytes += len;
	spin_unlock_irqrestore(l, f);
	return 0;
}

static const struct net_device_ops vnet_ops = {
	.xmit = vnet_xmit,
	.poll = vnet_poll,
	.set_polling = vnet_set_polling,
};

static u8 *alloc_buf(u32 size)
{
	unsigned int order = 0;

	while ((4096u << order) < size)
		order++;
	return order ? alloc_pages(order) : kmalloc(size);
}

static int setup_buffers(struct vnet *n)
{
	unsigned int rxs = virtqueue_size(n->rxq), txs = virtqueue_size(n->txq);

	n->rx_bufs = kcalloc(rxs, sizeof(u8 *));
	n->tx_free = kcalloc(txs, sizeof(u8 *));
	if (!n->rx_bufs || !n->tx_free)
		return -ENOMEM;
	for (unsigned int i = 0; i < rxs; i++) {
		n->rx_bufs[i] = alloc_buf(n->buf_size);
		if (!n->rx_bufs[i])
			return -ENOMEM;
		rx_post(n, n->rx_bufs[i]);
	}
	for (unsigned int i = 0; i < txs; i++) {
		n->tx_free[i] = alloc_buf(n->buf_size);
		if (!n->tx_free[i])
			return -ENOMEM;
	}
	n->nr_tx_free = txs;
	return 0;
}

static int vnet_probe(struct virtio_dev *v)
{
	struct vnet *n = kzalloc(sizeof(*n));
	int err;

	if (!n)
		return -ENOMEM;
	n->vdev = v;
	err = virtio_negotiate(v, (1ull << F_MAC) | (1ull << F_MTU));
	if (err)
		return err;
	n->dev.mtu = (v->features & (1ull << F_MTU)) ? virtio_cfg_read16(v, 10)
						     : 1500;
	if (n->dev.mtu < 68)
		n->dev.mtu = 1500;
	n->buf_size = ALIGN_UP(HDR_LEN + ETH_HLEN + n->dev.mtu, 64);
	for (int i = 0; i < ETH_ALEN; i++)
		n->dev.mac[i] = (v->features & (1ull << F_MAC))
				? virtio_cfg_read8(v, i) : (i ? 0x10 + i : 0x52);
	n->rxq = virtqueue_create(v, RX_QUEUE, QUEUE_MAX, rx_irq, n);
	n->txq = virtqueue_create(v, TX_QUEUE, QUEUE_MAX, NULL, n);
	if (!n->rxq || !n->txq)
		return -EIO;
	virtqueue_set_cb_enabled(n->txq, false);
	err = setup_buffers(n);
	if (err)
		return err;
	n->dev.ops = &vnet_ops;
	n->dev.priv = n;
	v->priv = n;
	virtio_driver_ok(v);
	virtqueue_kick(n->rxq);
	return netdev_register(&n->dev);
}

VIRTIO_DRIVER(net) = {
	.name = "virtio-net",
	.type = VIRTIO_ID_NET,
	.probe = vnet_probe,
};
