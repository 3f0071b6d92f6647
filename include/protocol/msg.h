/* include/protocol/msg.h — the common header of every message between
 * Tessera nodes.
 *
 * Every FIT message (request or reply, any protocol) starts with struct
 * msg_hdr.  All wire structures in include/protocol/ use fixed-width
 * little-endian fields (x86-64 is little-endian, so fields are used
 * directly), explicit padding and a _Static_assert on their size.
 *
 * The opcode space is partitioned by protocol; each protocol keeps its
 * own enum in its own header:
 *	0x0000-0x00ff  FIT control (include/protocol/fit.h)
 *	0x0100-0x01ff  P2M, processor -> memory
 *	0x0200-0x02ff  P2S, processor -> storage
 *	0x0300-0x03ff  M2S, memory -> storage
 * A reply carries the opcode of its request with MSG_F_REPLY set and the
 * same request_id.  An error reply (MSG_F_ERROR) carries a struct
 * msg_error and no other payload.
 *
 * request_id: the sender's incarnation (its boot id) in bits 63:32 and a
 * sequence number (from 1, wrapping) in bits 31:0, so ids never repeat
 * across a sender's reboots.  A request sent again after a connection
 * reset keeps its id: the receiver runs it at most once (net/fit/dedup.c).
 * ack_delta (requests only; zero in replies): the sender has finished
 * (got the reply or gave up) every request to this receiver whose
 * sequence number lies ack_delta or more before this one's, so the
 * receiver may forget their replies.
 */
#ifndef PROTOCOL_MSG_H
#define PROTOCOL_MSG_H

#include <tessera/types.h>

#define MSG_VERSION		1

#define MSG_PROTO_FIT		0x0000
#define MSG_PROTO_P2M		0x0100
#define MSG_PROTO_P2S		0x0200
#define MSG_PROTO_M2S		0x0300
#define MSG_PROTO_OF(op)	((u16)((op) & 0xff00))

/* flags */
#define MSG_F_REPLY		0x01	/* answer to request_id */
#define MSG_F_ERROR		0x02	/* reply whose payload is msg_error */
#define MSG_F_KNOWN		(MSG_F_REPLY | MSG_F_ERROR)

struct msg_hdr {
	u16 opcode;
	u8 version;		/* MSG_VERSION */
	u8 flags;		/* MSG_F_* */
	u16 src_node;
	u16 dst_node;
	u32 length;		/* whole message, header included */
	u32 ack_delta;		/* requests: see above; replies: zero */
	u64 request_id;		/* incarnation << 32 | sequence */
};
_Static_assert(sizeof(struct msg_hdr) == 24, "msg_hdr wire size");

struct msg_error {
	struct msg_hdr hdr;
	s32 error;		/* negative errno */
	u32 reserved;
};
_Static_assert(sizeof(struct msg_error) == 32, "msg_error wire size");

#endif
