/* drivers/infiniband/sw/rxe/trace.c — a per-device ring of recent
 * transport events, for debugging recovery after the fact.
 *
 * Off by default (dev->trace == NULL: each hook is one test of a NULL
 * pointer).  rxe_dev_set_trace(dev, n) allocates a ring of n events (a
 * power of two, at most RXE_TRACE_MAX) and starts recording; 0 frees it.
 * Recorded, each with the device clock and the local QP number:
 *   TX       every frame a QP sends: opcode, PSN, AckReq, whether it is a
 *            retransmission, and what the fault injector did with it
 *   RX       every frame that reached a QP (after parse and peer checks):
 *            opcode, PSN, AETH syndrome, and the QP's epsn (requests) or
 *            una (responses) before it was handled
 *   REWIND   go-back-N: una and the packet index the cursor moved to
 *   TIMEOUT  retransmission timer expiry: una, retries left
 *   RNR      an RNR wait begins: PSN, the wait in microseconds
 *   ERROR    the QP enters ERR: the status of the WQE that failed
 * The ring keeps the newest events; rxe_trace_read() copies those of one
 * QP (or all), oldest first.  The kernel glue formats and prints them
 * (rxe.trace=N, rxe_net_trace_dump()); host tests read them directly.
 * Callers: dev.c, req.c, comp.c, qp.c (record); the glue and tests
 * (enable, read).  No locking: the device's serialization covers it.
 */
#include "internal.h"
#include <lib/string.h>
#include <mm/mm.h>
#include <uapi/errno.h>

int rxe_dev_set_trace(struct rxe_dev *dev, u32 entries)
{
	struct rxe_trace_ev *ring = NULL;

	if (entries > RXE_TRACE_MAX || (entries & (entries - 1)))
		return -EINVAL;
	if (entries) {
		ring = kcalloc(entries, sizeof(*ring));
		if (!ring)
			return -ENOMEM;
	}
	kfree(dev->trace);
	dev->trace = ring;
	dev->trace_size = entries;
	dev->trace_next = 0;
	return 0;
}

void rxe_trace_rec(struct rxe_dev *dev, u8 kind, u32 qpn, u8 opcode,
		   u32 psn, u32 arg, u8 flags)
{
	struct rxe_trace_ev *e;

	if (!dev->trace)
		return;
	e = &dev->trace[dev->trace_next++ & (dev->trace_size - 1)];
	e->ns = rxe_now(dev);
	e->kind = kind;
	e->qpn = qpn;
	e->opcode = opcode;
	e->psn = psn;
	e->arg = arg;
	e->flags = flags;
}

u32 rxe_trace_read(const struct rxe_dev *dev, u32 qpn,
		   struct rxe_trace_ev *out, u32 max)
{
	u32 n = 0, start, i;

	if (!dev->trace || !max)
		return 0;
	/* Walk back from the newest to find where the last @max matches
	 * begin, then copy forward so the caller gets them oldest first. */
	start = dev->trace_next;
	for (i = 0; i < dev->trace_size && i < dev->trace_next && n < max;
	     i++) {
		const struct rxe_trace_ev *e =
			&dev->trace[(dev->trace_next - 1 - i) &
				    (dev->trace_size - 1)];

		if (!qpn || e->qpn == qpn) {
			n++;
			start = dev->trace_next - 1 - i;
		}
	}
	for (u32 k = 0, j = start; k < n; j++) {
		const struct rxe_trace_ev *e =
			&dev->trace[j & (dev->trace_size - 1)];

		if (!qpn || e->qpn == qpn)
			out[k++] = *e;
	}
	return n;
}

const char *rxe_trace_kind_name(u8 kind)
{
	static const char *const names[RXE_TR_NR] = {
		[RXE_TR_TX] = "tx", [RXE_TR_RX] = "rx",
		[RXE_TR_REWIND] = "rewind", [RXE_TR_TIMEOUT] = "timeout",
		[RXE_TR_RNR] = "rnr-wait", [RXE_TR_ERROR] = "error",
	};

	return kind < RXE_TR_NR ? names[kind] : "?";
}
