/* net/fit/loopback.c — the transport from this node to itself.
 *
 * With role=all (one node) every manager talks to the others through FIT
 * exactly as across nodes: a message is copied into a fresh buffer and
 * handed to fit_transport_rx(), the same upcall the network transports
 * use, so requests go through the receive queue, the dispatcher's checks
 * and a worker thread — never a direct call into a handler.  Delivery is
 * immediate, reliable and in order; no locks.
 */
#include <kernel/node.h>
#include <lib/string.h>
#include <mm/mm.h>
#include <uapi/errno.h>
#include "internal.h"

static int loop_send(struct fit_transport *t, unsigned int channel,
		     const struct msg_hdr *hdr, const void *payload, u32 len,
		     u64 deadline_ns)
{
	u8 *msg;

	if (hdr->length != sizeof(*hdr) + len || hdr->length > t->max_msg)
		return -EMSGSIZE;
	msg = kmalloc(hdr->length);
	if (!msg)
		return -ENOMEM;
	memcpy(msg, hdr, sizeof(*hdr));
	if (len)
		memcpy(msg + sizeof(*hdr), payload, len);
	fit_transport_rx(msg, hdr->length);
	return 0;
}

static bool loop_reachable(struct fit_transport *t, u16 node)
{
	return node == node_self();
}

static bool loop_idle(struct fit_transport *t)
{
	return true;		/* delivered before send() returned */
}

struct fit_transport fit_loopback_transport = {
	.name = "loopback",
	.max_msg = FIT_MAX_MSG,
	.nr_channels = 1,
	.send = loop_send,
	.reachable = loop_reachable,
	.idle = loop_idle,
};
