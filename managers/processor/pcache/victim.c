/* managers/processor/pcache/victim.c — the victim cache and its flush thread.
 *
 * Dirty lines evicted from a set wait here, one page per entry, until they
 * are written back to the memory node: by the flush thread, piggybacked on
 * a miss (fetch_remote in core.c), or synchronously by a range operation
 * (coherence.c).  A miss on a page that waits here refills its line from
 * the entry with no network traffic and takes its dirtiness along.
 *
 * The entry state machine and its reference counts are described at the
 * top of core.c.  Every transition happens under vc->lock and bumps
 * vc->seq; waiters (a filler whose page is being flushed, an evictor
 * waiting for a free entry, a range operation) sleep on vc->wait until seq
 * moves.  Entries leave the queue only as DEAD, and return to the free
 * list only from put_locked() when the count reaches zero.
 *
 * The flush thread lets entries linger while at least half are free (so
 * re-faults can hit them), writes back the oldest ones when fewer are
 * free or when someone waits, and every FLUSH_AGE_MS writes back all.
 *
 * Lock order: a set lock may be held when reserve/commit take vc->lock
 * (set -> victim); nothing here takes a set lock.  Hooks (ops->flush) are
 * called with no lock held.
 */
#include <kernel/panic.h>
#include <kernel/printk.h>
#include <kernel/sched.h>
#include <kernel/time.h>
#include <mm/mm.h>
#include <uapi/errno.h>
#include "internal.h"

#define FLUSH_AGE_MS	10

static bool in_range(const struct pcache_victim *v, struct pcache_space *s,
		     u64 start, u64 end)
{
	u64 uva = v->page << PCACHE_LINE_SHIFT;

	return v->space == s && uva >= start && uva < end;
}

static unsigned int filter_of(struct pcache_space *s, u64 page)
{
	u64 h = (page ^ ((u64)s->id << 32)) * 0x9e3779b97f4a7c15ull;

	return (unsigned int)(h >> 56) % VICTIM_FILTER;
}

/* vc->lock held: @v enters or leaves the queue. */
static void queue_add_locked(struct victim_cache *vc, struct pcache_victim *v)
{
	u16 *q = &vc->queued[filter_of(v->space, v->page)];

	list_add_tail(&v->node, &vc->queue);
	__atomic_store_n(q, (u16)(*q + 1), __ATOMIC_RELAXED);
}

static void queue_del_locked(struct victim_cache *vc, struct pcache_victim *v)
{
	u16 *q = &vc->queued[filter_of(v->space, v->page)];

	list_del(&v->node);
	BUG_ON(*q == 0);
	__atomic_store_n(q, (u16)(*q - 1), __ATOMIC_RELAXED);
}

/* Can the tag be queued?  Read without vc->lock by a filler whose BUSY
 * line holds the tag: an evictor commits its entry (count raised under
 * vc->lock) before it drops the set lock the filler took afterwards, so
 * a zero here means no entry; a stale non-zero only costs the lock. */
static bool maybe_queued(struct victim_cache *vc, struct pcache_space *s,
			 u64 page)
{
	return __atomic_load_n(&vc->queued[filter_of(s, page)],
			       __ATOMIC_RELAXED) != 0;
}

static bool under_pressure(struct victim_cache *vc)
{
	return READ_ONCE(vc->nr_ready) &&
	       READ_ONCE(vc->nr_free) * 2 < READ_ONCE(vc->nr);
}

/* vc->lock held.  Drop one reference; the last one frees a DEAD entry. */
static void put_locked(struct victim_cache *vc, struct pcache_victim *v)
{
	BUG_ON(v->refcount == 0);
	if (--v->refcount)
		return;
	BUG_ON(v->state != VICTIM_DEAD);
	v->state = VICTIM_FREE;
	v->space = NULL;
	list_add_tail(&v->node, &vc->free);
	vc->nr_free++;
}

/* vc->lock held, @v READY: start a write-back (the caller's reference). */
static void start_flush_locked(struct victim_cache *vc,
			       struct pcache_victim *v)
{
	BUG_ON(v->state != VICTIM_READY || v->refcount == 0);
	v->state = VICTIM_FLUSHING;
	v->refcount++;
	vc->nr_ready--;
	vc->seq++;
}

struct pcache_victim *pc_victim_reserve(struct pcache *pc)
{
	struct victim_cache *vc = &pc->vc;
	struct pcache_victim *v = NULL;

	spin_lock(&vc->lock);
	if (!list_empty(&vc->free)) {
		v = list_first_entry(&vc->free, struct pcache_victim, node);
		list_del(&v->node);
		BUG_ON(v->state != VICTIM_FREE || v->refcount);
		v->state = VICTIM_FILLING;
		v->refcount = 1;	/* becomes the queue's reference */
		vc->nr_free--;
		vc->seq++;
	}
	spin_unlock(&vc->lock);
	if (!v)
		wake_up(&vc->kick);
	return v;
}

void pc_victim_commit(struct pcache *pc, struct pcache_victim *v,
		      struct pcache_space *s, u64 page, bool maywrite)
{
	struct victim_cache *vc = &pc->vc;

	spin_lock(&vc->lock);
	BUG_ON(v->state != VICTIM_FILLING || v->refcount != 1);
	v->space = s;
	v->page = page;
	v->maywrite = maywrite;
	v->state = VICTIM_READY;
	queue_add_locked(vc, v);
	vc->nr_ready++;
	vc->seq++;
	spin_unlock(&vc->lock);
	if (under_pressure(vc))
		wake_up(&vc->kick);
}

static struct pcache_victim *find_locked(struct victim_cache *vc,
					 struct pcache_space *s, u64 page)
{
	struct pcache_victim *v;

	list_for_each_entry(v, &vc->queue, node) {
		if (v->space == s && v->page == page)
			return v;
	}
	return NULL;
}

int pc_victim_claim(struct pcache *pc, struct pcache_space *s, u64 page,
		    struct pcache_victim **out, u32 *seq)
{
	struct victim_cache *vc = &pc->vc;
	struct pcache_victim *v;
	int ret = -ENOENT;

	if (!maybe_queued(vc, s, page))
		return -ENOENT;
	spin_lock(&vc->lock);
	v = find_locked(vc, s, page);
	if (v && v->state == VICTIM_FLUSHING) {
		*seq = vc->seq;
		ret = -EBUSY;
	} else if (v) {
		BUG_ON(v->state != VICTIM_READY || v->refcount != 1);
		v->state = VICTIM_DEAD;	/* the queue's reference is ours */
		queue_del_locked(vc, v);
		vc->nr_ready--;
		vc->seq++;
		*out = v;
		ret = 0;
	}
	spin_unlock(&vc->lock);
	return ret;
}

bool pc_victim_present(struct pcache *pc, struct pcache_space *s, u64 page)
{
	bool found;

	if (!maybe_queued(&pc->vc, s, page))
		return false;
	spin_lock(&pc->vc.lock);
	found = find_locked(&pc->vc, s, page) != NULL;
	spin_unlock(&pc->vc.lock);
	return found;
}

void pc_victim_put(struct pcache *pc, struct pcache_victim *v)
{
	spin_lock(&pc->vc.lock);
	put_locked(&pc->vc, v);
	pc->vc.seq++;
	spin_unlock(&pc->vc.lock);
	pc_wake_if_waiters(&pc->vc.wait, &pc->vc.waiters);
}

struct pcache_victim *pc_victim_take_piggy(struct pcache *pc, u32 node)
{
	struct victim_cache *vc = &pc->vc;
	struct pcache_victim *v, *found = NULL;

	if (!under_pressure(vc))
		return NULL;
	spin_lock(&vc->lock);
	list_for_each_entry(v, &vc->queue, node) {
		if (v->state == VICTIM_READY && v->space->home_node == node) {
			start_flush_locked(vc, v);
			found = v;
			break;
		}
	}
	spin_unlock(&vc->lock);
	return found;
}

void pc_victim_flush_done(struct pcache *pc, struct pcache_victim *v,
			  int err)
{
	struct victim_cache *vc = &pc->vc;

	spin_lock(&vc->lock);
	BUG_ON(v->state != VICTIM_FLUSHING || v->refcount < 2);
	if (err) {
		v->state = VICTIM_READY;	/* retried later */
		vc->nr_ready++;
		put_locked(vc, v);		/* the flusher's */
	} else {
		v->state = VICTIM_DEAD;
		queue_del_locked(vc, v);
		put_locked(vc, v);		/* the flusher's */
		put_locked(vc, v);		/* the queue's: frees it */
	}
	vc->seq++;
	spin_unlock(&vc->lock);
	pc_wake_if_waiters(&vc->wait, &vc->waiters);
}

void pc_xfer_of(struct pcache *pc, const struct pcache_victim *v,
		struct pcache_xfer *x)
{
	x->space = v->space;
	x->uva = v->page << PCACHE_LINE_SHIFT;
	x->page = v->data;
	x->csum = pc_csum(pc, v->data);
}

void pc_victim_wait(struct pcache *pc, u32 seq)
{
	pc_count(pc, retries);
	pc_wait_counted(pc->vc.wait, &pc->vc.waiters,
			READ_ONCE(pc->vc.seq) != seq);
}

void pc_victim_wait_free(struct pcache *pc)
{
	pc_count(pc, retries);
	wake_up(&pc->vc.kick);
	pc_wait_counted(pc->vc.wait, &pc->vc.waiters,
			READ_ONCE(pc->vc.nr_free) > 0);
}

/* Finish a write-back of FLUSHING @v: -EFAULT (page unmapped meanwhile)
 * drops the data like a success; other errors requeue it. */
int pc_victim_writeback_result(struct pcache *pc, struct pcache_victim *v,
			       const struct pcache_xfer *x, int err)
{
	if (err) {
		pc_count(pc, flush_errors);
		pr_warn_once("pcache: write-back of %#llx (space %u) to node "
			     "%u failed: %d\n", x->uva, x->space->id,
			     x->space->home_node, err);
	}
	pc_victim_flush_done(pc, v, err == -EFAULT ? 0 : err);
	return err == -EFAULT ? 0 : err;
}

/* Write back a FLUSHING entry the caller started. */
static int flush_one(struct pcache *pc, struct pcache_victim *v)
{
	struct pcache_xfer x;
	int err;

	pc_xfer_of(pc, v, &x);
	err = pc->ops->flush(&x);
	if (!err)
		pc_count(pc, flushes);
	return pc_victim_writeback_result(pc, v, &x, err);
}

/* One step of a range operation: 1 = did something, 0 = range empty,
 * negative = a write-back error. */
static int range_step(struct pcache *pc, struct pcache_space *s, u64 start,
		      u64 end, bool discard)
{
	struct victim_cache *vc = &pc->vc;
	struct pcache_victim *v, *found = NULL;
	u32 seq;

	spin_lock(&vc->lock);
	seq = vc->seq;
	list_for_each_entry(v, &vc->queue, node) {
		if (in_range(v, s, start, end)) {
			found = v;
			break;
		}
	}
	if (!found || found->state == VICTIM_FLUSHING) {
		spin_unlock(&vc->lock);
		if (!found)
			return 0;
		pc_victim_wait(pc, seq);
		return 1;
	}
	if (discard) {
		BUG_ON(found->state != VICTIM_READY);
		found->state = VICTIM_DEAD;
		queue_del_locked(vc, found);
		vc->nr_ready--;
		put_locked(vc, found);
		vc->seq++;
		spin_unlock(&vc->lock);
		pc_wake_if_waiters(&vc->wait, &vc->waiters);
		return 1;
	}
	start_flush_locked(vc, found);
	spin_unlock(&vc->lock);
	return flush_one(pc, found) ?: 1;
}

int pc_victim_flush_range(struct pcache *pc, struct pcache_space *s,
			  u64 start, u64 end, bool discard)
{
	int ret;

	while ((ret = range_step(pc, s, start, end, discard)) > 0)
		;
	return ret;
}

void pc_victim_protect_range(struct pcache *pc, struct pcache_space *s,
			     u64 start, u64 end)
{
	struct pcache_victim *v;

	spin_lock(&pc->vc.lock);
	list_for_each_entry(v, &pc->vc.queue, node) {
		if (in_range(v, s, start, end))
			v->maywrite = false;
	}
	spin_unlock(&pc->vc.lock);
}

/* The oldest READY entry, now FLUSHING for the caller, or NULL. */
static struct pcache_victim *take_oldest(struct victim_cache *vc)
{
	struct pcache_victim *v, *found = NULL;

	spin_lock(&vc->lock);
	list_for_each_entry(v, &vc->queue, node) {
		if (v->state == VICTIM_READY) {
			start_flush_locked(vc, v);
			found = v;
			break;
		}
	}
	spin_unlock(&vc->lock);
	return found;
}

static int flush_thread(void *arg)
{
	struct pcache *pc = arg;
	struct victim_cache *vc = &pc->vc;
	struct pcache_victim *v;

	for (;;) {
		u64 left = wait_event_timeout(vc->kick,
					      READ_ONCE(vc->stop) ||
					      under_pressure(vc),
					      FLUSH_AGE_MS * NSEC_PER_MSEC);
		bool all = !left || READ_ONCE(vc->stop);

		while ((all || under_pressure(vc)) && (v = take_oldest(vc))) {
			if (flush_one(pc, v)) {
				msleep(FLUSH_AGE_MS);	/* back off */
				break;
			}
		}
		if (READ_ONCE(vc->stop))
			return 0;
	}
}

int pc_victim_init(struct pcache *pc)
{
	struct victim_cache *vc = &pc->vc;

	spin_lock_init(&vc->lock, "pcache_victim");
	INIT_LIST_HEAD(&vc->free);
	INIT_LIST_HEAD(&vc->queue);
	init_waitqueue_head(&vc->wait);
	init_waitqueue_head(&vc->kick);
	vc->entries = kcalloc(pc->cfg.victims, sizeof(*vc->entries));
	if (!vc->entries)
		return -ENOMEM;
	for (unsigned int i = 0; i < pc->cfg.victims; i++) {
		struct pcache_victim *v = &vc->entries[i];

		v->data = alloc_page();
		if (!v->data)
			return -ENOMEM;
		v->state = VICTIM_FREE;
		list_add_tail(&v->node, &vc->free);
		vc->nr++;
		vc->nr_free++;
	}
	vc->flusher = kthread_run(flush_thread, pc, "pcache_flush");
	return vc->flusher ? 0 : -ENOMEM;
}

/* Stop the flush thread (its last pass writes every entry back); drop
 * what could not be written, loudly. */
void pc_victim_destroy(struct pcache *pc)
{
	struct victim_cache *vc = &pc->vc;

	if (vc->flusher) {
		WRITE_ONCE(vc->stop, true);
		wake_up_all(&vc->kick);
		kthread_join(vc->flusher);
	}
	if (vc->nr_ready)
		pr_warn("pcache: %u dirty victim entries lost at destroy\n",
			vc->nr_ready);
	for (unsigned int i = 0; vc->entries && i < vc->nr; i++) {
		BUG_ON(vc->entries[i].state == VICTIM_FILLING ||
		       vc->entries[i].state == VICTIM_FLUSHING);
		free_page(vc->entries[i].data);
	}
	kfree(vc->entries);
}
