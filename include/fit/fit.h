/* include/fit/fit.h — FIT, the in-kernel RPC layer between Tessera nodes.
 * Design, transports and lock order: net/fit/core.c and Documentation/fit.md.
 *
 * Client side: fit_call() sends a request to a node and sleeps until the
 * matching reply arrives or the timeout expires.  Server side: a handler
 * per opcode, registered with its minimum request size; FIT's worker
 * threads call it for every request that passed the checks and it answers
 * exactly once with fit_reply(), at once or later from any thread.
 * Messages to this node itself go through the same receive path
 * (loopback transport), never as a direct call.
 */
#ifndef FIT_FIT_H
#define FIT_FIT_H

#include <tessera/compiler.h>

/* Largest request or reply payload (the msg.h header not included). */
#define FIT_MAX_PAYLOAD		(64u * 1024)

struct fit_msg_ctx;

/* Called in a FIT worker thread (may sleep).  @req/@len: the payload
 * after the msg.h header, @len >= the registered minimum; @req stays
 * valid until fit_reply(ctx).  Return 0 when the request was or will be
 * answered with fit_reply() (`return fit_reply(ctx, ...)` is fine: its
 * error, if any, is then ignored); return a negative errno without
 * replying (and without arranging a later reply) to have FIT send an
 * error reply that makes the caller's fit_call() return that errno. */
typedef int (*fit_handler_t)(struct fit_msg_ctx *ctx, const void *req,
			     u32 len);

/* Boot, once, after pci_init: node identity, transports, workers,
 * discovery.  Never fails the boot: problems are logged and the node
 * keeps to itself. */
void fit_init(void);

/* Register @fn for @opcode; requests shorter than @min_len (payload
 * bytes) are rejected before any handler sees them.  Returns 0, -EEXIST
 * or -EINVAL.  May sleep.  Handlers are never unregistered. */
int fit_register_handler(u16 opcode, u32 min_len, fit_handler_t fn);

/* A protocol's handler table {opcode, minimum payload, handler}. */
struct fit_handler_desc {
	u16 opcode;
	u32 min_len;
	fit_handler_t fn;
};
/* Register every entry of @tab; stops at and returns the first error. */
int fit_register_handlers(const struct fit_handler_desc *tab, size_t n);

/* Send @req (@len payload bytes) to @node as @opcode and wait for the
 * reply, copying at most @max bytes of it into @reply.  @timeout_ns 0
 * means fit.timeout_ms.  Returns the reply length, or -ETIMEDOUT,
 * -EHOSTUNREACH (no such node, or not discovered), -EMSGSIZE (request
 * over FIT_MAX_PAYLOAD, or reply longer than @max), -EINVAL, -ENOMEM, or
 * the errno of the remote side's error reply (-EOPNOTSUPP unknown opcode,
 * -EBADMSG request too short, a handler's own errno).  May sleep; any
 * number of callers at once. */
int fit_call(u16 node, u16 opcode, const void *req, u32 len, void *reply,
	     u32 max, u64 timeout_ns);

/* Answer the request of @ctx with @len bytes of @reply (a reply over
 * FIT_MAX_PAYLOAD becomes an -EMSGSIZE error reply); @ctx and the request
 * are freed once the handler has returned too.  Exactly once per request,
 * from the handler or any thread later.  May sleep.  Returns 0 or the
 * transport's error (the reply is then lost; the caller times out). */
int fit_reply(struct fit_msg_ctx *ctx, const void *reply, u32 len);
/* Answer with an error reply carrying @error (a negative errno; anything
 * else becomes -EIO), under the same rules as fit_reply(): for a handler
 * that returned 0 and answers later from another thread. */
int fit_reply_error(struct fit_msg_ctx *ctx, int error);
/* Who sent the request and which opcode it carries. */
u16 fit_ctx_src(const struct fit_msg_ctx *ctx);
u16 fit_ctx_opcode(const struct fit_msg_ctx *ctx);

/* Wait until node discovery found every node (true) or @timeout_ns
 * passed (false).  Immediately true on a single node.  May sleep. */
bool fit_wait_ready(u64 timeout_ns);
bool fit_node_known(u16 node);
/* The roles (ROLE_* of include/kernel/node.h) @node announced; this
 * node's own for node_self(); 0 for a node not heard from.  Any
 * context. */
unsigned int fit_node_roles(u16 node);
/* Wait until every message this node sent reached its peer (true) or
 * @timeout_ns passed (false): before a node leaves the cluster, so its
 * last replies are not lost with it.  May sleep. */
bool fit_quiesce(u64 timeout_ns);
/* The default call timeout (fit.timeout_ms) in ns. */
u64 fit_default_timeout_ns(void);

#define FIT_LAT_BUCKETS	24	/* bucket i: latency in [2^i, 2^(i+1)) us */

struct fit_stats {
	u64 calls, calls_ok, call_errors, timeouts;
	u64 requests, replies_sent;
	u64 bytes_sent, bytes_received;
	u64 retransmissions;		/* transport frames sent again */
	u64 dup_frames;			/* duplicate/out-of-order frames */
	u64 drop_unknown_opcode, drop_short, drop_malformed;
	u64 late_replies;		/* reply for no waiting caller */
	u64 test_muted;			/* requests ignored by fit.test_mute */
	u64 lost_sends;			/* messages a failed channel dropped */
	u64 resends;			/* requests sent again after a reset */
	/* Requests that came again (server, net/fit/dedup.c): while their
	 * handler ran (dropped), after it answered (cached reply sent
	 * again), after their reply was forgotten (dropped). */
	u64 dup_running, dup_replayed, dup_forgotten;
	u64 latency_us_log2[FIT_LAT_BUCKETS];
};
void fit_get_stats(struct fit_stats *out);
/* Print the counters and the latency histogram on the console. */
void fit_dump_stats(void);

#endif
