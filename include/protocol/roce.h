/* include/protocol/roce.h — the RoCEv2 wire format spoken by sw/rxe.
 *
 * A RoCEv2 RC frame, as Tessera sends it (no VLAN tag, no IP options):
 *
 *   Ethernet 14 | IPv4 20 | UDP 8 (dport 4791) | BTH 12 | [RETH 16]
 *   | [AETH 4] | [ImmDt 4] | payload | pad 0-3 | ICRC 4 | (Ethernet pad)
 *
 * Every multi-byte field is big-endian on the wire; the structs below name
 * them be16/be32/be64 and are only ever read through roce_get*() and
 * written through roce_put*().  Which extension headers follow the BTH is a
 * function of the BTH opcode alone (roce_opcode_info()).  The ICRC covers
 * the IP header to the end of the padded payload with the variant fields
 * masked (drivers/infiniband/sw/rxe/icrc.c).  The IPv4 total length, not
 * the frame length, delimits the packet: short frames carry Ethernet
 * padding.  Builder and parser: drivers/infiniband/sw/rxe/wire.c.
 */
#ifndef PROTOCOL_ROCE_H
#define PROTOCOL_ROCE_H

#include <tessera/compiler.h>

typedef u16 be16;
typedef u32 be32;
typedef u64 be64;

#define ROCE_ETHERTYPE_IPV4	0x0800
#define ROCE_UDP_PORT		4791
#define ROCE_IP_PROTO_UDP	17
#define ROCE_DEFAULT_PKEY	0xffff
#define ROCE_TVER		0
#define ROCE_PSN_MASK		0xffffffu
#define ROCE_QPN_MASK		0xffffffu
#define ROCE_ETH_MIN_FRAME	60	/* without FCS */

struct roce_eth_hdr {
	u8 dst[6];
	u8 src[6];
	be16 type;
} __packed;
_Static_assert(sizeof(struct roce_eth_hdr) == 14, "wire size");

struct roce_ipv4_hdr {
	u8 ver_ihl;		/* 0x45: version 4, 5 words, no options */
	u8 tos;			/* masked in the ICRC */
	be16 tot_len;		/* IP header to the end of the ICRC */
	be16 id;
	be16 frag_off;		/* DF set, never fragmented */
	u8 ttl;			/* masked in the ICRC */
	u8 protocol;		/* 17 */
	be16 check;		/* masked in the ICRC */
	be32 saddr;
	be32 daddr;
} __packed;
_Static_assert(sizeof(struct roce_ipv4_hdr) == 20, "wire size");

struct roce_udp_hdr {
	be16 sport;		/* flow entropy, from the source QPN */
	be16 dport;		/* 4791 */
	be16 len;		/* UDP header to the end of the ICRC */
	be16 check;		/* 0: RoCEv2 allows no UDP checksum */
} __packed;
_Static_assert(sizeof(struct roce_udp_hdr) == 8, "wire size");

/* Base Transport Header. */
struct roce_bth {
	u8 opcode;		/* enum roce_opcode */
	u8 flags;		/* SE(7) M(6) PadCnt(5:4) TVer(3:0) */
	be16 pkey;
	be32 qpn;		/* FECN(31) BECN(30) resv6 DestQP(23:0) */
	be32 apsn;		/* AckReq(31) resv7(30:24) PSN(23:0) */
} __packed;
_Static_assert(sizeof(struct roce_bth) == 12, "wire size");

#define ROCE_BTH_SE		0x80
#define ROCE_BTH_MIG		0x40
#define ROCE_BTH_PAD_SHIFT	4
#define ROCE_BTH_PAD_MASK	0x30
#define ROCE_BTH_TVER_MASK	0x0f
#define ROCE_BTH_ACKREQ		0x80000000u
#define ROCE_BTH_FECN		0x80000000u
#define ROCE_BTH_BECN		0x40000000u

/* RDMA Extended Transport Header: the target of a WRITE or READ. */
struct roce_reth {
	be64 va;
	be32 rkey;
	be32 dma_len;		/* whole message length */
} __packed;
_Static_assert(sizeof(struct roce_reth) == 16, "wire size");

/* ACK Extended Transport Header. */
struct roce_aeth {
	be32 smsn;		/* Syndrome(31:24) MSN(23:0) */
} __packed;
_Static_assert(sizeof(struct roce_aeth) == 4, "wire size");

/* AETH syndrome: bits 6:5 say ACK / RNR NAK / NAK, bits 4:0 the value
 * (credit count for ACK, RNR timer code, NAK code). */
#define ROCE_AETH_TYPE_MASK	0x60
#define ROCE_AETH_ACK		0x00
#define ROCE_AETH_RNR_NAK	0x20
#define ROCE_AETH_NAK		0x60
#define ROCE_AETH_VALUE_MASK	0x1f
#define ROCE_AETH_ACK_NO_CREDIT	0x1f	/* "credit count invalid" */

enum roce_nak_code {
	ROCE_NAK_PSN_SEQ_ERR = 0,
	ROCE_NAK_INVALID_REQ = 1,
	ROCE_NAK_REM_ACCESS_ERR = 2,
	ROCE_NAK_REM_OP_ERR = 3,
	ROCE_NAK_INVALID_RD_REQ = 4,
};

struct roce_immdt {
	be32 imm;
} __packed;
_Static_assert(sizeof(struct roce_immdt) == 4, "wire size");

#define ROCE_ICRC_SIZE		4

/* The headers Tessera puts in front of the BTH. */
struct roce_l2l4_hdr {
	struct roce_eth_hdr eth;
	struct roce_ipv4_hdr ip;
	struct roce_udp_hdr udp;
} __packed;
_Static_assert(sizeof(struct roce_l2l4_hdr) == 42, "wire size");

/* RC opcodes (transport prefix 000).  UC, UD and atomics are not spoken. */
enum roce_opcode {
	ROCE_SEND_FIRST = 0x00,
	ROCE_SEND_MIDDLE = 0x01,
	ROCE_SEND_LAST = 0x02,
	ROCE_SEND_LAST_IMM = 0x03,
	ROCE_SEND_ONLY = 0x04,
	ROCE_SEND_ONLY_IMM = 0x05,
	ROCE_WRITE_FIRST = 0x06,
	ROCE_WRITE_MIDDLE = 0x07,
	ROCE_WRITE_LAST = 0x08,
	ROCE_WRITE_LAST_IMM = 0x09,
	ROCE_WRITE_ONLY = 0x0a,
	ROCE_WRITE_ONLY_IMM = 0x0b,
	ROCE_READ_REQUEST = 0x0c,
	ROCE_READ_RESP_FIRST = 0x0d,
	ROCE_READ_RESP_MIDDLE = 0x0e,
	ROCE_READ_RESP_LAST = 0x0f,
	ROCE_READ_RESP_ONLY = 0x10,
	ROCE_ACK = 0x11,
	ROCE_OPCODE_COUNT = 0x12,
};

/* What an opcode carries and where it sits in a message. */
enum roce_op_flags {
	ROCE_F_RETH = 1 << 0,
	ROCE_F_AETH = 1 << 1,
	ROCE_F_IMM = 1 << 2,
	ROCE_F_PAYLOAD = 1 << 3,
	ROCE_F_FIRST = 1 << 4,
	ROCE_F_MIDDLE = 1 << 5,
	ROCE_F_LAST = 1 << 6,
	ROCE_F_ONLY = ROCE_F_FIRST | ROCE_F_LAST,
	ROCE_F_REQ = 1 << 7,		/* requester -> responder */
	ROCE_F_SEND = 1 << 8,
	ROCE_F_WRITE = 1 << 9,
	ROCE_F_READ = 1 << 10,		/* READ request or response */
};

/* Big-endian accessors; fields may be unaligned. */
static inline u16 roce_get16(const void *p)
{
	const u8 *b = p;

	return (u16)(b[0] << 8 | b[1]);
}
static inline u32 roce_get32(const void *p)
{
	const u8 *b = p;

	return (u32)b[0] << 24 | (u32)b[1] << 16 | (u32)b[2] << 8 | b[3];
}
static inline u64 roce_get64(const void *p)
{
	return (u64)roce_get32(p) << 32 | roce_get32((const u8 *)p + 4);
}
static inline void roce_put16(void *p, u16 v)
{
	u8 *b = p;

	b[0] = (u8)(v >> 8);
	b[1] = (u8)v;
}
static inline void roce_put32(void *p, u32 v)
{
	u8 *b = p;

	b[0] = (u8)(v >> 24);
	b[1] = (u8)(v >> 16);
	b[2] = (u8)(v >> 8);
	b[3] = (u8)v;
}
static inline void roce_put64(void *p, u64 v)
{
	roce_put32(p, (u32)(v >> 32));
	roce_put32((u8 *)p + 4, (u32)v);
}

#endif
