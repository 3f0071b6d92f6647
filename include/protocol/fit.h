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
 *   FIT_ETH_ANNOUNCE  struct fit_announce (broadcast)
 * Sequence numbers count DATA frames per (sender, receiver) pair from 0 and
 * wrap; `ack` is cumulative and piggybacks on DATA frames too.
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
	u32 reserved;
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
	u32 reserved;		/* later: the QP numbers follow */
};
_Static_assert(sizeof(struct fit_announce) == 32, "fit_announce wire size");

#endif
