/* include/protocol/fit.h — FIT's own wire formats: the control opcodes
 * (0x0000-0x00ff of the msg.h opcode space) and the frames of the interim
 * Ethernet transport (net/fit/eth.c) and of node discovery
 * (net/fit/discovery.c).
 *
 * Ethernet frames: EtherType FIT_ETHERTYPE (0x88b6, IEEE local
 * experimental), then struct fit_eth_hdr, then:
 *   FIT_ETH_DATA      frag_len bytes of a FIT message (msg.h header first)
 *                     at byte frag_off of a message of msg_len bytes
 *   FIT_ETH_ACK       nothing: `ack` is the next sequence number expected
 *   FIT_ETH_ANNOUNCE  struct fit_announce (broadcast), then nr_rdma
 *                     struct fit_announce_rdma (a node without RDMA, or
 *                     of the first version, sends none: receivers that
 *                     do not know the entries ignore the frame's tail)
 * Sequence numbers count DATA frames per (sender, receiver) pair from 0 and
 * wrap; `ack` is cumulative and piggybacks on DATA frames too.  A stream
 * belongs to one incarnation of each side: DATA and ACK frames whose
 * boot_id or dst_boot is not the pair's current one are dropped, and a
 * peer that reboots starts a new stream from 0 on both sides.
 *
 * RDMA transport (net/fit/rdma.c): each pair of nodes is joined by
 * nr_qps RC queue pairs; the announcement's entry for peer P carries the
 * sender's QP numbers for P, its RoCE IPv4 address and the rkey and
 * address of the receive region it registered for P (nr_qps x nr_slots
 * slots of slot_size bytes; channel c's slot s at region + (c * nr_slots +
 * s) * slot_size).  Every FIT message travels as SEND_WITH_IMM (small) or
 * RDMA_WRITE_WITH_IMM into a slot (large); the 32-bit immediate is:
 *   31:24 FIT_IMM_MAGIC  17:16 kind  15:8 credits  7:0 slot
 * credits = how many of the receiver's own slots on that channel (the
 * reverse direction) the sender has emptied since it last said so;
 * FIT_IMM_CREDIT messages carry nothing else.
 */
#ifndef PROTOCOL_FIT_H
#define PROTOCOL_FIT_H

#include <protocol/msg.h>

enum fit_opcode {
	FIT_OP_PING = 0x0001,		/* reply = the request's payload */
	FIT_OP_TEST_FIRST = 0x00f0,	/* 0x00f0-0x00ff: selftests only */
	FIT_OP_TEST_LAST = 0x00ff,
};

#define FIT_ETHERTYPE		0x88b6
#define FIT_ETH_VERSION		1
#define FIT_MAX_NODES		64	/* announce's heard bitmap is a u64 */

enum fit_eth_type {
	FIT_ETH_DATA = 1,
	FIT_ETH_ACK = 2,
	FIT_ETH_ANNOUNCE = 3,
};

struct fit_eth_hdr {
	u8 type;		/* enum fit_eth_type */
	u8 version;		/* FIT_ETH_VERSION */
	u16 src_node;
	u16 dst_node;		/* 0xffff for announcements */
	u16 frag_len;		/* DATA: payload bytes in this frame */
	u32 seq;		/* DATA: sequence number */
	u32 ack;		/* next sequence number expected from dst */
	u32 msg_len;		/* DATA: length of the whole message */
	u32 frag_off;		/* DATA: offset of this fragment */
	u32 boot_id;		/* sender's random incarnation number */
	u32 dst_boot;		/* DATA/ACK: the receiver's, as the sender
				 * knows it (0 in announcements) */
};
_Static_assert(sizeof(struct fit_eth_hdr) == 32, "fit_eth_hdr wire size");

#define FIT_NODE_BROADCAST	0xffff

struct fit_announce {
	u16 node;		/* sender's node id */
	u16 nodes;		/* cluster size the sender was booted with */
	u32 roles;		/* ROLE_* bitmask (kernel/node.h) */
	u8 mac[6];
	u16 mtu;
	u64 heard;		/* bit i: the sender has heard node i */
	u32 boot_id;
	u16 nr_rdma;		/* struct fit_announce_rdma that follow */
	u16 reserved;
};
_Static_assert(sizeof(struct fit_announce) == 32, "fit_announce wire size");

#define FIT_RDMA_MAX_QPS	4
#define FIT_RDMA_F_CONNECTED	0x01	/* sender's QPs to peer are in RTS
					 * at this entry's epoch */

struct fit_announce_rdma {
	u16 peer;		/* the node these QPs and this region serve */
	u8 nr_qps;		/* channels, 1..FIT_RDMA_MAX_QPS */
	u8 flags;		/* FIT_RDMA_F_* */
	u32 ipv4;		/* sender's RoCEv2 address, host order */
	u32 qpn[FIT_RDMA_MAX_QPS];
	u64 region;		/* virtual address of the receive region */
	u32 rkey;
	u32 slot_size;		/* bytes per slot */
	u16 nr_slots;		/* slots per channel, 1..256 */
	u8 epoch;		/* connection generation: bumped by a reset */
	u8 reserved;
	u32 reserved2;
};
_Static_assert(sizeof(struct fit_announce_rdma) == 48,
	       "fit_announce_rdma wire size");

#define FIT_IMM_MAGIC		0xf1u
#define FIT_IMM(kind, credits, slot) \
	(FIT_IMM_MAGIC << 24 | (u32)(kind) << 16 | (u32)(credits) << 8 | \
	 (u32)(slot))
#define FIT_IMM_KIND(imm)	(((imm) >> 16) & 3)
#define FIT_IMM_CREDITS(imm)	(((imm) >> 8) & 0xff)
#define FIT_IMM_SLOT(imm)	((imm) & 0xff)
#define FIT_IMM_VALID(imm)	((imm) >> 24 == FIT_IMM_MAGIC)

enum fit_imm_kind {
	FIT_IMM_SEND = 0,	/* the message is the SEND's payload */
	FIT_IMM_SLOT = 1,	/* the message was written into slot */
	FIT_IMM_CREDIT = 2,	/* no message: credits only */
};

#endif
