/* drivers/infiniband/sw/rxe/icrc.c — the RoCEv2 invariant CRC.
 *
 * The ICRC is CRC-32 as Ethernet computes it (lib/crc32.h: reflected
 * 0x04c11db7, register preset to all ones, result inverted) over
 *   8 bytes of 0xff            (the masked LRH that RoCEv2 does not carry)
 *   the IPv4 header            with TOS, TTL and header checksum set to 1s
 *   the UDP header             with the checksum set to 1s
 *   the BTH                    with the FECN/BECN/resv6a byte set to 1s
 *   every byte after the BTH   up to and including the pad, not the ICRC
 * The masked fields are the ones routers may change in flight.  The result
 * is carried least significant byte first, as Ethernet's FCS is.
 * Caller: wire.c, for building and for checking.  Pure, no state.
 */
#include "internal.h"
#include <lib/crc32.h>
#include <lib/string.h>

/* The CRC register after eight 0xff bytes from the all-ones preset;
 * tests/host/test_rxe_wire.c recomputes it. */
#define RXE_ICRC_SEED 0xdebb20e3u

#define IP_LEN	sizeof(struct roce_ipv4_hdr)
#define UDP_LEN	sizeof(struct roce_udp_hdr)
#define BTH_LEN	sizeof(struct roce_bth)

u32 rxe_icrc(const u8 *ip, u32 len)
{
	u8 hdr[IP_LEN + UDP_LEN + BTH_LEN];
	struct roce_ipv4_hdr *iph = (void *)hdr;
	struct roce_udp_hdr *udph = (void *)(hdr + IP_LEN);
	u8 *bth = hdr + IP_LEN + UDP_LEN;
	u32 reg;

	BUILD_BUG_ON(sizeof(hdr) != 40);
	if (len < sizeof(hdr))
		return 0;
	memcpy(hdr, ip, sizeof(hdr));
	iph->tos = 0xff;
	iph->ttl = 0xff;
	iph->check = 0xffff;
	udph->check = 0xffff;
	bth[4] = 0xff;		/* FECN, BECN, resv6a */
	reg = crc32_le_raw(RXE_ICRC_SEED, hdr, sizeof(hdr));
	reg = crc32_le_raw(reg, ip + sizeof(hdr), len - sizeof(hdr));
	return ~reg;
}
