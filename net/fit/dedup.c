/* net/fit/dedup.c — the server runs every request at most once.
 *
 * A client sends a request again (same request id, msg.h) when its
 * transport reset the connection and the request or its reply may have
 * been lost (core.c: fit_peer_reset).  So a request can arrive twice;
 * create, append, fork or mmap must not run twice.  Per source node this
 * file keeps one entry per request id it ran:
 *   RUNNING    the handler has not answered yet: a copy is dropped (the
 *              answer will come on the connection that is up by then);
 *   DONE       a copy of the reply is kept: a copy of the request gets
 *              it again, the handler does not run;
 *   FORGOTTEN  ran and answered, but its reply was dropped to stay under
 *              DD_MAX_BYTES: a copy is dropped (its caller times out —
 *              never a second run).
 * The key is (source node, source incarnation, sequence): request_id's
 * high half is the sender's boot id.  A new incarnation of a source (it
 * rebooted) drops every entry of the old one; a RUNNING entry is only
 * detached (orphan) and freed when its handler answers.  Messages from
 * the incarnation before are dropped as stale.
 *
 * Bounded memory, per source: the client's ack_delta says which of its
 * requests it has finished; entries before that floor retire (a RUNNING
 * one when it answers).  Over DD_MAX_BYTES of cached replies, the oldest
 * become FORGOTTEN; over DD_MAX_ENTRIES entries, the oldest finished one
 * is freed and the floor moves past it: a request below the floor that
 * is not in the table is taken as a copy and dropped.  (So with more than
 * DD_MAX_ENTRIES calls finishing while an older one waits to be resent,
 * that one times out instead of running: at most once wins.)
 *
 * Requests from this node itself (loopback) never come twice: no entry.
 * Callers: dispatch.c, in worker threads.  Lock: one spinlock per source,
 * nothing nested inside it but kmalloc/kfree; replies are sent after it
 * is dropped.
 */
#include <kernel/node.h>
#include <kernel/printk.h>
#include <kernel/spinlock.h>
#include <kernel/time.h>
#include <lib/list.h>
#include <lib/string.h>
#include <mm/mm.h>
#include <uapi/errno.h>
#include "internal.h"

#define DD_BUCKETS	32
#define DD_MAX_ENTRIES	2048
#define DD_MAX_BYTES	(4u << 20)

enum { DD_RUNNING, DD_DONE, DD_FORGOTTEN };

struct dd_src;

struct fit_dd_entry {
	struct list_head hash;		/* in src->bucket[seq % DD_BUCKETS] */
	struct list_head age;		/* in src->age, arrival order */
	struct dd_src *src;
	u32 seq, len;			/* len: bytes of reply */
	u8 state, flags;		/* flags: the reply's MSG_F_ERROR */
	bool orphan;			/* its incarnation is gone */
	void *reply;
};

struct dd_src {
	spinlock_t lock;
	bool has_inc, has_old, has_floor;
	u32 inc, old_inc;
	u32 floor;			/* sequences before it are finished */
	u32 nr;
	u64 bytes;
	struct list_head bucket[DD_BUCKETS];
	struct list_head age;
};

static struct dd_src srcs[FIT_MAX_NODES];

static bool before(u32 a, u32 b)
{
	return (s32)(a - b) < 0;
}

static void drop_reply(struct dd_src *s, struct fit_dd_entry *e)
{
	kfree(e->reply);
	e->reply = NULL;
	s->bytes -= e->len;
	e->len = 0;
	e->state = DD_FORGOTTEN;
}

/* Unlink and free @e (not RUNNING); caller holds s->lock. */
static void entry_free(struct dd_src *s, struct fit_dd_entry *e)
{
	if (e->reply)
		drop_reply(s, e);
	list_del(&e->hash);
	list_del(&e->age);
	s->nr--;
	kfree(e);
}

/* Free finished entries before @lo, oldest first. */
static void retire(struct dd_src *s, u32 lo)
{
	struct list_head *pos, *n;

	list_for_each_safe(pos, n, &s->age) {
		struct fit_dd_entry *e = list_entry(pos, struct fit_dd_entry,
						    age);

		if (!before(e->seq, lo))
			break;
		if (e->state != DD_RUNNING)
			entry_free(s, e);
	}
}

/* Stay under DD_MAX_BYTES and DD_MAX_ENTRIES (see the top). */
static void trim(struct dd_src *s)
{
	struct fit_dd_entry *e;

	list_for_each_entry(e, &s->age, age) {
		if (s->bytes <= DD_MAX_BYTES)
			break;
		if (e->reply)
			drop_reply(s, e);
	}
	while (s->nr > DD_MAX_ENTRIES) {
		struct fit_dd_entry *victim = NULL;

		list_for_each_entry(e, &s->age, age)
			if (e->state != DD_RUNNING) {
				victim = e;
				break;
			}
		if (!victim)
			return;		/* all running: they are memory anyway */
		if (!before(victim->seq, s->floor))
			s->floor = victim->seq + 1;
		entry_free(s, victim);
	}
}

/* @s's source came back as incarnation @inc. */
static void new_incarnation(struct dd_src *s, u32 inc)
{
	struct list_head *pos, *n;

	list_for_each_safe(pos, n, &s->age) {
		struct fit_dd_entry *e = list_entry(pos, struct fit_dd_entry,
						    age);

		if (e->state != DD_RUNNING) {
			entry_free(s, e);
			continue;
		}
		list_del(&e->hash);
		list_del(&e->age);
		s->nr--;
		e->orphan = true;	/* fit_dedup_done frees it */
	}
	if (s->has_inc) {
		s->old_inc = s->inc;
		s->has_old = true;
	}
	s->inc = inc;
	s->has_inc = true;
	s->has_floor = false;
}

static struct fit_dd_entry *lookup(struct dd_src *s, u32 seq)
{
	struct fit_dd_entry *e;

	list_for_each_entry(e, &s->bucket[seq % DD_BUCKETS], hash)
		if (e->seq == seq)
			return e;
	return NULL;
}

/* Send @e's reply again (copied under the lock into @copy). */
static void replay(const struct msg_hdr *hdr, u8 flags, void *copy, u32 len)
{
	fit_stat_add(&fit_stats.dup_replayed, 1);
	if (!fit_send_msg(hdr->src_node, hdr->opcode, MSG_F_REPLY | flags,
			  hdr->request_id, 0, copy, len,
			  ktime_get_ns() + fit_default_timeout_ns()))
		fit_stat_add(&fit_stats.replies_sent, 1);
	kfree(copy);
}

/* A copy of a request we know (or knew): count it, maybe copy the reply
 * to send again.  Caller holds s->lock.  Returns true to replay. */
static bool known(struct fit_dd_entry *e, void **copy, u32 *len, u8 *flags)
{
	if (e && e->state == DD_DONE) {
		*copy = e->len ? kmalloc(e->len) : NULL;
		if (e->len && !*copy)
			return false;	/* the caller resends after a reset */
		if (e->len)
			memcpy(*copy, e->reply, e->len);
		*len = e->len;
		*flags = e->flags;
		return true;
	}
	fit_stat_add(e && e->state == DD_RUNNING ? &fit_stats.dup_running :
		     &fit_stats.dup_forgotten, 1);
	return false;
}

/* Record @seq as RUNNING; NULL when out of memory.  Caller holds s->lock. */
static struct fit_dd_entry *add(struct dd_src *s, u32 seq)
{
	struct fit_dd_entry *e = kzalloc(sizeof(*e));

	if (!e)
		return NULL;
	e->src = s;
	e->seq = seq;
	e->state = DD_RUNNING;
	list_add_tail(&e->hash, &s->bucket[seq % DD_BUCKETS]);
	list_add_tail(&e->age, &s->age);
	s->nr++;
	trim(s);
	return e;
}

int fit_dedup_begin(const struct msg_hdr *hdr, struct fit_dd_entry **out)
{
	u32 inc = (u32)(hdr->request_id >> 32), seq = (u32)hdr->request_id;
	struct fit_dd_entry *e;
	void *copy = NULL;
	struct dd_src *s;
	u32 len = 0;
	u8 flags = 0;
	bool again;

	*out = NULL;
	if (hdr->src_node == node_self() || hdr->src_node >= FIT_MAX_NODES)
		return 1;
	s = &srcs[hdr->src_node];
	spin_lock(&s->lock);
	if (s->has_inc && s->inc != inc && s->has_old && s->old_inc == inc) {
		spin_unlock(&s->lock);		/* the incarnation before */
		fit_stat_add(&fit_stats.dup_forgotten, 1);
		return 0;
	}
	if (!s->has_inc || s->inc != inc)
		new_incarnation(s, inc);
	if (hdr->ack_delta < 0x80000000u &&
	    (!s->has_floor || before(s->floor, seq - hdr->ack_delta))) {
		s->floor = seq - hdr->ack_delta;
		s->has_floor = true;
		retire(s, s->floor);
	}
	e = lookup(s, seq);
	if (e || (s->has_floor && before(seq, s->floor))) {
		again = known(e, &copy, &len, &flags);
		spin_unlock(&s->lock);
		if (!e)
			pr_warn_once("fit: request %08x:%u (opcode %#06x) from "
				     "node %u is below its acknowledged floor: "
				     "dropped\n", inc, seq, hdr->opcode,
				     hdr->src_node);
		if (again)
			replay(hdr, flags, copy, len);
		return 0;
	}
	*out = add(s, seq);
	spin_unlock(&s->lock);
	if (!*out) {
		pr_warn_once("fit: no memory to track a request from node %u: "
			     "dropped\n", hdr->src_node);
		return 0;
	}
	return 1;
}

void fit_dedup_done(struct fit_dd_entry *e, u8 flags, const void *reply,
		    u32 len)
{
	struct dd_src *s;
	void *copy;

	if (!e)
		return;
	s = e->src;
	copy = len ? kmalloc(len) : NULL;
	if (copy)
		memcpy(copy, reply, len);
	spin_lock(&s->lock);
	if (e->orphan) {
		spin_unlock(&s->lock);
		kfree(copy);
		kfree(e);
		return;
	}
	if (s->has_floor && before(e->seq, s->floor)) {
		entry_free(s, e);	/* its caller has finished */
		kfree(copy);
	} else if (len && !copy) {
		e->state = DD_FORGOTTEN;
	} else {
		e->reply = copy;
		e->len = len;
		e->flags = flags & MSG_F_ERROR;
		e->state = DD_DONE;
		s->bytes += len;
		trim(s);
	}
	spin_unlock(&s->lock);
}

#ifdef CONFIG_SELFTEST
u32 fit_dedup_entries(u16 src)
{
	u32 n;

	if (src >= FIT_MAX_NODES)
		return 0;
	spin_lock(&srcs[src].lock);
	n = srcs[src].nr;
	spin_unlock(&srcs[src].lock);
	return n;
}
#endif

void fit_dedup_init(void)
{
	for (int i = 0; i < FIT_MAX_NODES; i++) {
		spin_lock_init(&srcs[i].lock, "fit_dedup");
		INIT_LIST_HEAD(&srcs[i].age);
		for (int k = 0; k < DD_BUCKETS; k++)
			INIT_LIST_HEAD(&srcs[i].bucket[k]);
	}
}
