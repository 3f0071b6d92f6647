/* net/fit/internal.h — FIT's internals: the transport interface, the
 * receive upcall, and what the files of net/fit share.
 *
 *   core.c       fit_call/fit_reply, pending calls, statistics, fit_init
 *   dispatch.c   handler table, receive queue, worker pool
 *   loopback.c   transport to this node itself
 *   eth.c        reliable datagram transport over raw frames (fallback)
 *   rdma.c       RC queue pairs of an ib_device (default when one exists)
 *   discovery.c  announcements over the netdev, peer table, RDMA set-up
 *
 * A transport moves whole FIT messages (msg.h header + payload) to a node
 * and hands every message it receives to fit_transport_rx().  loopback
 * carries messages to this node; rdma (or eth, fit.transport=eth) all
 * others.  `nr_channels` independent ordered channels per peer (rdma: one
 * RC QP each, shared by all senders; FIT spreads calls over them by
 * request id).
 */
#ifndef NET_FIT_INTERNAL_H
#define NET_FIT_INTERNAL_H

#include <fit/fit.h>
#include <protocol/fit.h>

/* Largest whole message: header + FIT_MAX_PAYLOAD. */
#define FIT_MAX_MSG	(FIT_MAX_PAYLOAD + (u32)sizeof(struct msg_hdr))

struct fit_transport {
	const char *name;
	u32 max_msg;			/* whole message, header included */
	unsigned int nr_channels;	/* ordered channels per peer */
	/* Queue @hdr followed by @len bytes of @payload (hdr->length ==
	 * sizeof(*hdr) + len) for hdr->dst_node on @channel.  May sleep
	 * until @deadline_ns (ktime) for room; returns 0, -ETIMEDOUT,
	 * -EHOSTUNREACH or -ENOMEM.  Delivery is reliable and in order per
	 * channel while the peer lives; the caller's timeout covers the rest. */
	int (*send)(struct fit_transport *t, unsigned int channel,
		    const struct msg_hdr *hdr, const void *payload, u32 len,
		    u64 deadline_ns);
	bool (*reachable)(struct fit_transport *t, u16 node);
	/* Optional: discovery may call the cluster ready for @node (default:
	 * reachable). */
	bool (*ready)(struct fit_transport *t, u16 node);
	/* True when every message sent so far reached its peer. */
	bool (*idle)(struct fit_transport *t);
	/* Optional: frames the transport sent again (its own counter). */
	u64 (*retransmissions)(struct fit_transport *t);
	/* Optional: print the transport's counters. */
	void (*dump)(struct fit_transport *t);
};

/* Upcall from a transport: @msg (kmalloc'ed, @len bytes, claims to start
 * with a msg_hdr) arrived; FIT owns it from now on.  Any context,
 * interrupts included; never sleeps. */
void fit_transport_rx(void *msg, u32 len);

/* core.c */
extern struct fit_transport fit_loopback_transport;
struct fit_transport *fit_transport_for(u16 node);
void fit_set_remote_transport(struct fit_transport *t);
void fit_deliver_reply(const struct msg_hdr *hdr, void *msg);
int fit_send_msg(u16 node, u16 opcode, u8 flags, u64 request_id,
		 const void *payload, u32 len, u64 deadline_ns);
void fit_stat_add(u64 *counter, u64 n);
extern struct fit_stats fit_stats;
extern unsigned int fit_test_mute;	/* node id that ignores requests */

/* dispatch.c */
int fit_dispatch_init(void);
void fit_queue_request(void *msg);

/* eth.c: the peer table is filled by discovery.c. */
struct net_device;
int fit_eth_init(struct net_device *dev, u32 boot_id);
int fit_eth_add_peer(u16 node, const u8 *mac);
void fit_eth_xmit_announce(const struct fit_announce *a,
			   const struct fit_announce_rdma *e);
/* How many announcement entries fit in one frame. */
unsigned int fit_eth_announce_room(void);
extern struct fit_transport fit_eth_transport;
#ifdef CONFIG_SELFTEST
/* Selftests (fit_cross_test.c): opcodes and the cross-node protocol. */
#define FIT_TEST_OP_DONE	(FIT_OP_TEST_FIRST + 8)	/* node 0 is done */
#define FIT_TEST_OP_STATS	(FIT_OP_TEST_FIRST + 9)	/* -> fit_stats */
#define FIT_TEST_OP_RXE_QP	(FIT_OP_TEST_FIRST + 10) /* test QP pair */
#define FIT_TEST_OP_RXE_STATS	(FIT_OP_TEST_FIRST + 11) /* -> counters */
struct selftest_ctx;
int fit_cross_setup(void);
int fit_cross_serve(struct selftest_ctx *t);
int fit_cross_finish(void);
int fit_eth_test_frame(u16 node, const void *data, u32 len, u32 msg_len,
		       u32 frag_off);
struct net_device *fit_eth_test_dev(void);
#endif

/* rdma.c: peers come from discovery.c. */
struct ib_device;
struct fit_announce_rdma;
int fit_rdma_init(struct ib_device *dev, u32 boot_id);
bool fit_rdma_active(void);
struct ib_device *fit_rdma_device(void);
u64 fit_rdma_resets(void);		/* connections reset so far */
int fit_rdma_add_peer(u16 node);
/* Discovery thread: @node came back with a new boot id (a reboot). */
void fit_rdma_peer_rebooted(u16 node);
void fit_rdma_connect(u16 node, const u8 *mac, u32 boot_id,
		      const struct fit_announce_rdma *e);
unsigned int fit_rdma_fill(struct fit_announce_rdma *e, unsigned int max);
extern struct fit_transport fit_rdma_transport;

/* rdma_buf.c: message buffers, freed with fit_rdma_buf_put (or kfree);
 * refill: the poll thread, before it sleeps. */
#define FIT_RDMA_BUF	8192u
void *fit_rdma_buf_get(u32 len);
void fit_rdma_buf_put(void *buf);
void fit_rdma_buf_refill(void);

/* discovery.c */
int fit_discovery_start(struct net_device *dev, struct ib_device *ib,
			u32 boot_id);
void fit_discovery_rx(const u8 *src_mac, const struct fit_announce *a,
		      const struct fit_announce_rdma *e, unsigned int nr);
bool fit_discovery_ready(void);
void fit_discovery_kick(void);
int fit_discovery_peer_mac(u16 node, u8 *mac);

#endif
