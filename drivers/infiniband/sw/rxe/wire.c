/* drivers/infiniband/sw/rxe/wire.c — build and parse RoCEv2 RC frames.
 *
 * The format is include/protocol/roce.h.  Parsing is the only place a
 * received byte is trusted: rxe_pkt_parse() checks, in order, the Ethernet
 * type, the IPv4 header (version 4, no options, not fragmented, total length
 * inside the frame, header checksum), UDP to port 4791 with a length that
 * matches IP's, a known RC opcode, TVer 0, the extension headers the opcode
 * needs, a pad count no larger than the payload, no payload where the
 * opcode carries none, and finally the ICRC.  It returns the first reason
 * that fails (counted by the caller); only a packet that passes all of them
 * is decoded into struct rxe_pkt.  Lengths that depend on the QP (path MTU,
 * message position) are checked by the transport (req.c, comp.c, resp.c).
 *
 * Building is two-step so the requester can gather payload straight into
 * the frame: rxe_pkt_build_hdrs() writes every header and returns where the
 * payload goes; rxe_pkt_build_finish() pads, sums the IP header, appends the
 * ICRC and pads the Ethernet frame to its 60-byte minimum.
 * Pure functions; no state.
 */
#include "internal.h"
#include <lib/string.h>

#define L2L4	sizeof(struct roce_l2l4_hdr)
#define ETH_LEN	sizeof(struct roce_eth_hdr)
#define IP_LEN	sizeof(struct roce_ipv4_hdr)
#define UDP_LEN	sizeof(struct roce_udp_hdr)
#define BTH_LEN	sizeof(struct roce_bth)

#define REQ(x)	(ROCE_F_REQ | (x))
#define SND	(ROCE_F_SEND | ROCE_F_PAYLOAD)
#define WRT	(ROCE_F_WRITE | ROCE_F_PAYLOAD)
#define RRS	(ROCE_F_READ | ROCE_F_PAYLOAD)

static const u16 rxe_opcode_flags[ROCE_OPCODE_COUNT] = {
	[ROCE_SEND_FIRST] = REQ(SND | ROCE_F_FIRST),
	[ROCE_SEND_MIDDLE] = REQ(SND | ROCE_F_MIDDLE),
	[ROCE_SEND_LAST] = REQ(SND | ROCE_F_LAST),
	[ROCE_SEND_LAST_IMM] = REQ(SND | ROCE_F_LAST | ROCE_F_IMM),
	[ROCE_SEND_ONLY] = REQ(SND | ROCE_F_ONLY),
	[ROCE_SEND_ONLY_IMM] = REQ(SND | ROCE_F_ONLY | ROCE_F_IMM),
	[ROCE_WRITE_FIRST] = REQ(WRT | ROCE_F_FIRST | ROCE_F_RETH),
	[ROCE_WRITE_MIDDLE] = REQ(WRT | ROCE_F_MIDDLE),
	[ROCE_WRITE_LAST] = REQ(WRT | ROCE_F_LAST),
	[ROCE_WRITE_LAST_IMM] = REQ(WRT | ROCE_F_LAST | ROCE_F_IMM),
	[ROCE_WRITE_ONLY] = REQ(WRT | ROCE_F_ONLY | ROCE_F_RETH),
	[ROCE_WRITE_ONLY_IMM] =
		REQ(WRT | ROCE_F_ONLY | ROCE_F_RETH | ROCE_F_IMM),
	[ROCE_READ_REQUEST] = REQ(ROCE_F_READ | ROCE_F_ONLY | ROCE_F_RETH),
	[ROCE_READ_RESP_FIRST] = RRS | ROCE_F_FIRST | ROCE_F_AETH,
	[ROCE_READ_RESP_MIDDLE] = RRS | ROCE_F_MIDDLE,
	[ROCE_READ_RESP_LAST] = RRS | ROCE_F_LAST | ROCE_F_AETH,
	[ROCE_READ_RESP_ONLY] = RRS | ROCE_F_ONLY | ROCE_F_AETH,
	[ROCE_ACK] = ROCE_F_ONLY | ROCE_F_AETH,
};

static const char *const rxe_parse_err_names[RXE_PARSE_NR] = {
	[RXE_PARSE_OK] = "ok",
	[RXE_PARSE_SHORT] = "truncated",
	[RXE_PARSE_NOT_IPV4] = "not IPv4",
	[RXE_PARSE_BAD_IP] = "bad IPv4 header",
	[RXE_PARSE_IP_CSUM] = "bad IPv4 checksum",
	[RXE_PARSE_NOT_ROCE] = "not UDP/4791",
	[RXE_PARSE_BAD_UDP_LEN] = "bad UDP length",
	[RXE_PARSE_BAD_OPCODE] = "unknown opcode",
	[RXE_PARSE_BAD_BTH] = "bad BTH or length for opcode",
	[RXE_PARSE_BAD_ICRC] = "bad ICRC",
};

/* Flags of a known RC opcode, 0 for anything else. */
u32 rxe_op_flags(u8 opcode)
{
	return opcode < ROCE_OPCODE_COUNT ? rxe_opcode_flags[opcode] : 0;
}

const char *rxe_parse_err_name(enum rxe_parse_err e)
{
	return (unsigned int)e < RXE_PARSE_NR ? rxe_parse_err_names[e] : "?";
}

/* Bytes of transport headers after the BTH. */
static u32 ext_len(u32 flags)
{
	return (flags & ROCE_F_RETH ? sizeof(struct roce_reth) : 0) +
	       (flags & ROCE_F_AETH ? sizeof(struct roce_aeth) : 0) +
	       (flags & ROCE_F_IMM ? sizeof(struct roce_immdt) : 0);
}

static u32 pad_of(u32 paylen)
{
	return (4 - (paylen & 3)) & 3;
}

static u16 ip_csum(const u8 *p)
{
	u32 sum = 0;

	for (u32 i = 0; i < IP_LEN; i += 2)
		sum += roce_get16(p + i);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (u16)~sum;
}

/* IP packet length: headers, payload, pad and ICRC. */
static u32 ip_len(const struct rxe_tx *tx)
{
	u32 f = rxe_op_flags(tx->opcode);

	return IP_LEN + UDP_LEN + BTH_LEN + ext_len(f) + tx->paylen +
	       pad_of(tx->paylen) + ROCE_ICRC_SIZE;
}

u32 rxe_frame_len(const struct rxe_tx *tx)
{
	u32 n = ETH_LEN + ip_len(tx);

	return n < ROCE_ETH_MIN_FRAME ? ROCE_ETH_MIN_FRAME : n;
}

static void build_l2l4(u8 *buf, const struct rxe_tx *tx)
{
	struct roce_l2l4_hdr *h = (void *)buf;
	u32 iplen = ip_len(tx);

	memcpy(h->eth.dst, tx->dmac, 6);
	memcpy(h->eth.src, tx->smac, 6);
	roce_put16(&h->eth.type, ROCE_ETHERTYPE_IPV4);
	h->ip.ver_ihl = 0x45;
	h->ip.tos = 0;
	roce_put16(&h->ip.tot_len, (u16)iplen);
	roce_put16(&h->ip.id, tx->ip_id);
	roce_put16(&h->ip.frag_off, 0x4000);	/* DF */
	h->ip.ttl = 64;
	h->ip.protocol = ROCE_IP_PROTO_UDP;
	h->ip.check = 0;
	roce_put32(&h->ip.saddr, tx->sip);
	roce_put32(&h->ip.daddr, tx->dip);
	roce_put16(&h->udp.sport, tx->sport);
	roce_put16(&h->udp.dport, ROCE_UDP_PORT);
	roce_put16(&h->udp.len, (u16)(iplen - IP_LEN));
	h->udp.check = 0;
}

/* Write every header of @tx into @buf (at least rxe_frame_len() bytes);
 * return where tx->paylen bytes of payload go. */
u8 *rxe_pkt_build_hdrs(u8 *buf, const struct rxe_tx *tx)
{
	u32 f = rxe_op_flags(tx->opcode);
	struct roce_bth *bth = (void *)(buf + L2L4);
	u8 *p = buf + L2L4 + BTH_LEN;

	build_l2l4(buf, tx);
	bth->opcode = tx->opcode;
	bth->flags = (u8)((tx->se ? ROCE_BTH_SE : 0) |
			  pad_of(tx->paylen) << ROCE_BTH_PAD_SHIFT | ROCE_TVER);
	roce_put16(&bth->pkey, ROCE_DEFAULT_PKEY);
	roce_put32(&bth->qpn, tx->qpn & ROCE_QPN_MASK);
	roce_put32(&bth->apsn, (tx->ackreq ? ROCE_BTH_ACKREQ : 0) |
				       (tx->psn & ROCE_PSN_MASK));
	if (f & ROCE_F_RETH) {
		struct roce_reth *r = (void *)p;

		roce_put64(&r->va, tx->va);
		roce_put32(&r->rkey, tx->rkey);
		roce_put32(&r->dma_len, tx->dma_len);
		p += sizeof(*r);
	}
	if (f & ROCE_F_AETH) {
		roce_put32(p, (u32)tx->syndrome << 24 |
				      (tx->msn & ROCE_PSN_MASK));
		p += sizeof(struct roce_aeth);
	}
	if (f & ROCE_F_IMM) {
		roce_put32(p, tx->imm);
		p += sizeof(struct roce_immdt);
	}
	return p;
}

/* Pad, checksum the IP header, append the ICRC and pad the frame to the
 * Ethernet minimum.  The payload must be in place.  Returns the frame
 * length. */
u32 rxe_pkt_build_finish(u8 *buf, const struct rxe_tx *tx)
{
	u8 *ip = buf + ETH_LEN;
	u32 iplen = ip_len(tx);
	u32 end = ETH_LEN + iplen - ROCE_ICRC_SIZE;
	u32 pad = pad_of(tx->paylen);
	u32 frame = rxe_frame_len(tx);
	u32 icrc;

	memset(buf + end - pad, 0, pad);
	roce_put16(ip + 10, ip_csum(ip));
	icrc = rxe_icrc(ip, iplen - ROCE_ICRC_SIZE);
	for (int i = 0; i < ROCE_ICRC_SIZE; i++)
		buf[end + i] = (u8)(icrc >> (8 * i));
	if (frame > ETH_LEN + iplen)
		memset(buf + ETH_LEN + iplen, 0, frame - ETH_LEN - iplen);
	return frame;
}

/* Whole frame from a flat payload; 0 if @cap is too small or the opcode
 * is unknown. */
u32 rxe_pkt_build(u8 *buf, u32 cap, const struct rxe_tx *tx,
		  const void *payload)
{
	u8 *p;

	if (!rxe_op_flags(tx->opcode) || tx->paylen > RXE_MAX_PAYLOAD ||
	    rxe_frame_len(tx) > cap)
		return 0;
	p = rxe_pkt_build_hdrs(buf, tx);
	if (tx->paylen)
		memcpy(p, payload, tx->paylen);
	return rxe_pkt_build_finish(buf, tx);
}

/* Ethernet, IPv4 and UDP.  On success *iplen is the IP packet length. */
static enum rxe_parse_err parse_l2l4(const u8 *f, u32 len, u32 *iplen)
{
	const struct roce_l2l4_hdr *h = (const void *)f;
	u32 tot;

	if (len < ETH_LEN)
		return RXE_PARSE_SHORT;
	if (roce_get16(&h->eth.type) != ROCE_ETHERTYPE_IPV4)
		return RXE_PARSE_NOT_IPV4;
	if (len < ETH_LEN + IP_LEN)
		return RXE_PARSE_SHORT;
	tot = roce_get16(&h->ip.tot_len);
	if (h->ip.ver_ihl != 0x45 || (roce_get16(&h->ip.frag_off) & 0x3fff) ||
	    tot < IP_LEN)
		return RXE_PARSE_BAD_IP;
	if (tot > len - ETH_LEN)
		return RXE_PARSE_SHORT;
	if (ip_csum(f + ETH_LEN) != 0)
		return RXE_PARSE_IP_CSUM;
	if (h->ip.protocol != ROCE_IP_PROTO_UDP || tot < IP_LEN + UDP_LEN)
		return RXE_PARSE_NOT_ROCE;
	if (roce_get16(&h->udp.dport) != ROCE_UDP_PORT)
		return RXE_PARSE_NOT_ROCE;
	if (roce_get16(&h->udp.len) != tot - IP_LEN)
		return RXE_PARSE_BAD_UDP_LEN;
	*iplen = tot;
	return RXE_PARSE_OK;
}

static void decode_ext(const u8 *p, u32 f, struct rxe_pkt *pkt)
{
	if (f & ROCE_F_RETH) {
		pkt->va = roce_get64(p);
		pkt->rkey = roce_get32(p + 8);
		pkt->dma_len = roce_get32(p + 12);
		p += sizeof(struct roce_reth);
	}
	if (f & ROCE_F_AETH) {
		u32 v = roce_get32(p);

		pkt->syndrome = (u8)(v >> 24);
		pkt->msn = v & ROCE_PSN_MASK;
		p += sizeof(struct roce_aeth);
	}
	if (f & ROCE_F_IMM)
		pkt->imm = roce_get32(p);
}

static void decode_addrs(const u8 *f, struct rxe_pkt *pkt)
{
	const struct roce_l2l4_hdr *h = (const void *)f;

	memcpy(pkt->dmac, h->eth.dst, 6);
	memcpy(pkt->smac, h->eth.src, 6);
	pkt->sip = roce_get32(&h->ip.saddr);
	pkt->dip = roce_get32(&h->ip.daddr);
	pkt->sport = roce_get16(&h->udp.sport);
}

/* Check everything about @frame that does not depend on a QP and decode
 * it into @pkt.  Returns RXE_PARSE_OK or the first problem found. */
enum rxe_parse_err rxe_pkt_parse(const u8 *frame, u32 len,
				 struct rxe_pkt *pkt)
{
	const struct roce_bth *bth = (const void *)(frame + L2L4);
	u32 iplen, ib, hdrs, f, pad, padded, icrc;
	enum rxe_parse_err err;
	const u8 *end;

	memset(pkt, 0, sizeof(*pkt));
	err = parse_l2l4(frame, len, &iplen);
	if (err)
		return err;
	ib = iplen - IP_LEN - UDP_LEN;
	if (ib < BTH_LEN + ROCE_ICRC_SIZE)
		return RXE_PARSE_SHORT;
	f = rxe_op_flags(bth->opcode);
	if (!f)
		return RXE_PARSE_BAD_OPCODE;
	if ((bth->flags & ROCE_BTH_TVER_MASK) != ROCE_TVER)
		return RXE_PARSE_BAD_BTH;
	hdrs = BTH_LEN + ext_len(f);
	if (ib < hdrs + ROCE_ICRC_SIZE)
		return RXE_PARSE_SHORT;
	padded = ib - hdrs - ROCE_ICRC_SIZE;
	pad = (bth->flags & ROCE_BTH_PAD_MASK) >> ROCE_BTH_PAD_SHIFT;
	if (pad > padded || (!(f & ROCE_F_PAYLOAD) && padded) ||
	    padded - pad > RXE_MAX_PAYLOAD || (padded & 3))
		return RXE_PARSE_BAD_BTH;
	end = frame + ETH_LEN + iplen - ROCE_ICRC_SIZE;
	icrc = (u32)end[0] | (u32)end[1] << 8 | (u32)end[2] << 16 |
	       (u32)end[3] << 24;
	if (rxe_icrc(frame + ETH_LEN, iplen - ROCE_ICRC_SIZE) != icrc)
		return RXE_PARSE_BAD_ICRC;

	decode_addrs(frame, pkt);
	pkt->opcode = bth->opcode;
	pkt->flags = f;
	pkt->se = bth->flags & ROCE_BTH_SE;
	pkt->qpn = roce_get32(&bth->qpn) & ROCE_QPN_MASK;
	pkt->ackreq = roce_get32(&bth->apsn) & ROCE_BTH_ACKREQ;
	pkt->psn = roce_get32(&bth->apsn) & ROCE_PSN_MASK;
	decode_ext(frame + L2L4 + BTH_LEN, f, pkt);
	pkt->payload = frame + L2L4 + hdrs;
	pkt->paylen = padded - pad;
	return RXE_PARSE_OK;
}
