/* net/fit/fit_bad_test.c — bad input across nodes: fit_cross_bad.
 *
 * Node 0 sends node 1 what a broken or hostile peer might: raw frames
 * with a truncated header, a wrong version, type, destination or source
 * MAC, a payload shorter than it claims, a truncated announcement, a
 * sequence number far ahead; and, in sequence (so the stream itself stays
 * intact), fragments of impossible messages and whole messages with bad
 * FIT headers.  Node 1 must count every malformed one exactly once in
 * drop_malformed, never hand one up, and keep answering byte-exact echoes.
 * Needs a lossless segment (no --drop): a lost raw frame is not counted.
 * The other nodes serve until node 0 is done (fit_cross_test.c helpers).
 */
#include <drivers/netdev.h>
#include <fit/fit.h>
#include <kernel/node.h>
#include <kernel/sched.h>
#include <kernel/selftest.h>
#include <kernel/time.h>
#include <lib/string.h>
#include <protocol/fit.h>
#include <uapi/errno.h>
#include "internal.h"

#define RAW_MALFORMED	7	/* raw frames below that count */
#define SEQ_MALFORMED	6	/* in-sequence ones */

static void raw_frame(u8 *f, u8 type, u16 src, u16 dst, u32 seq)
{
	struct net_device *dev = fit_eth_test_dev();
	struct fit_eth_hdr h = {
		.type = type, .version = FIT_ETH_VERSION, .src_node = src,
		.dst_node = dst, .seq = seq, .frag_len = 8, .msg_len = 32,
		.boot_id = fit_boot_id, .dst_boot = fit_eth_test_peer_boot(dst),
	};

	memset(f, 0xff, ETH_ALEN);		/* broadcast: no MAC needed */
	memcpy(f + ETH_ALEN, dev->mac, ETH_ALEN);
	f[12] = FIT_ETHERTYPE >> 8;
	f[13] = FIT_ETHERTYPE & 0xff;
	memcpy(f + ETH_HLEN, &h, sizeof(h));
	memset(f + ETH_HLEN + sizeof(h), 0x5a, 64);
}

static void send_raw(void)
{
	struct net_device *dev = fit_eth_test_dev();
	const size_t full = ETH_HLEN + sizeof(struct fit_eth_hdr) + 64;
	u8 f[ETH_HLEN + sizeof(struct fit_eth_hdr) + 64];

	raw_frame(f, FIT_ETH_DATA, 0, 1, 0);
	netdev_xmit(dev, f, ETH_HLEN + 10);		/* truncated header */
	f[ETH_HLEN + 1] = 9;
	netdev_xmit(dev, f, full);			/* version */
	raw_frame(f, 7, 0, 1, 0);
	netdev_xmit(dev, f, full);			/* type */
	raw_frame(f, FIT_ETH_DATA, 0, 77, 0);
	netdev_xmit(dev, f, full);			/* destination */
	raw_frame(f, FIT_ETH_DATA, 0, 1, 0);
	f[ETH_ALEN + 5] ^= 0x40;
	netdev_xmit(dev, f, full);			/* source MAC */
	raw_frame(f, FIT_ETH_DATA, 0, 1, 0);
	((struct fit_eth_hdr *)(f + ETH_HLEN))->frag_len = 1000;
	netdev_xmit(dev, f, full);			/* short payload */
	raw_frame(f, FIT_ETH_ANNOUNCE, 0, FIT_NODE_BROADCAST, 0);
	netdev_xmit(dev, f, ETH_HLEN + sizeof(struct fit_eth_hdr) + 8);
	raw_frame(f, FIT_ETH_DATA, 0, 1, 0x40000000);
	netdev_xmit(dev, f, full);			/* far ahead: dup */
}

static int send_in_sequence(void)
{
	struct msg_hdr m = { .opcode = FIT_OP_PING, .version = MSG_VERSION,
			     .src_node = 0, .dst_node = 1, .length = 32 };
	u8 buf[32] = { 0 };
	int err = 0;

	memcpy(buf, &m, sizeof(m));
	err |= fit_eth_test_frame(1, buf, 32, FIT_MAX_MSG + 1, 0);
	err |= fit_eth_test_frame(1, buf, 32, 64, 24);	/* no first part */
	((struct msg_hdr *)buf)->length = 999;
	err |= fit_eth_test_frame(1, buf, 32, 32, 0);	/* length */
	((struct msg_hdr *)buf)->length = 32;
	((struct msg_hdr *)buf)->dst_node = 5;
	err |= fit_eth_test_frame(1, buf, 32, 32, 0);	/* destination */
	((struct msg_hdr *)buf)->dst_node = 1;
	((struct msg_hdr *)buf)->version = 7;
	err |= fit_eth_test_frame(1, buf, 32, 32, 0);	/* version */
	((struct msg_hdr *)buf)->version = MSG_VERSION;
	((struct msg_hdr *)buf)->flags = 0x80;
	err |= fit_eth_test_frame(1, buf, 32, 32, 0);	/* flags */
	return err;
}

static int peer_stats(struct fit_stats *s)
{
	int r = -EOPNOTSUPP;

	for (int i = 0; i < 300 && r == -EOPNOTSUPP; i++) {
		r = fit_call(1, FIT_TEST_OP_STATS, NULL, 0, s, sizeof(*s), 0);
		if (r == -EOPNOTSUPP)
			msleep(100);
	}
	return r == (int)sizeof(*s) ? 0 : (r < 0 ? r : -EPROTO);
}

static int echo_check(int calls)
{
	u8 req[300], rep[300];

	for (int i = 0; i < calls; i++) {
		u32 len = (u32)(i * 37) % sizeof(req);

		for (u32 k = 0; k < len; k++)
			req[k] = (u8)(i + k * 7);
		if (fit_call(1, FIT_OP_PING, req, len, rep, sizeof(rep), 0) !=
		    (int)len || memcmp(req, rep, len))
			return -EBADMSG;
	}
	return 0;
}

static int drive_bad(struct selftest_ctx *t)
{
	struct fit_stats s0, s1;

	ST_EQ(peer_stats(&s0), 0);
	send_raw();
	ST_EQ(send_in_sequence(), 0);
	ST_EQ(echo_check(100), 0);
	ST_EQ(peer_stats(&s1), 0);
	fit_cross_finish();
	ST_EQ(s1.drop_malformed - s0.drop_malformed,
	      RAW_MALFORMED + SEQ_MALFORMED);
	ST_ASSERT(s1.dup_frames > s0.dup_frames);
	ST_ASSERT(s1.requests - s0.requests >= 101);
	return 0;
}

SELFTEST(fit_cross_bad)
{
	if (node_count() < 2)
		ST_SKIP("needs nodes >= 2 (tessera selftest --topology)");
	if (fit_test_mute != ~0u)
		ST_SKIP("fit.test_mute is set");
	ST_EQ(fit_cross_setup(), 0);
	if (!fit_wait_ready(60 * NSEC_PER_SEC))
		ST_FAIL("discovery did not finish");
	if (node_self())
		return fit_cross_serve(t);
	return drive_bad(t);
}
