/* managers/processor/p2m/zerofill.c — first-touch zero-fill without a
 * round trip: which anonymous pages the memory node has never given out,
 * and the notices that tell it about the ones this node zero-filled.
 *
 * WHAT.  A private anonymous mapping without MAP_POPULATE starts with no
 * page on the memory node.  When its MMAP reply comes back, the client
 * records the range here ("fresh"), with one "given out" bit per page.
 * The pcache's first_touch hook (pcache_glue.c) asks p2m_fresh_take():
 * if the page lies in a fresh range and its bit was clear, the bit is set
 * and a notice queued in the same locked section, and the pcache fills
 * the line with zeroes locally.  Every page a PCACHE_MISS asks for is
 * marked given out first (p2m_fresh_given), so a page the memory node
 * made present is never zero-filled here afterwards.
 *
 * Fresh ranges are dropped conservatively, whole ranges, before every
 * memory call that could change what the range holds: munmap, mremap
 * (both ranges), mprotect, MAP_FIXED (the range it replaces), and every
 * range a reply's change records name; all of a process's on fork (a COW
 * page is not fresh; the child starts with none), exec and exit
 * (client_vm.c, client.c).  brk needs nothing more: it never grows into
 * a mapping, and its shrinking comes back as an UNMAP record.
 *
 * NOTICES.  The memory node stores a written-back page only if it gave it
 * out writable (PCACHE_FLUSH), so it must learn about a zero-filled page
 * before any write-back of it, and before any memory call that could
 * replace the mapping (else a late notice would make a page present in
 * the new mapping, and a stale write-back of the old one would then be
 * taken).  Notices go in batches (PCACHE_ZEROFILL_MANY) from one
 * notifier thread, off the fault path; and:
 *  - a write-back (PCACHE_FLUSH, or a miss carrying one) of a page waits
 *    for that page's notice (p2m_zf_wait_page, from the glue);
 *  - every memory call of a process waits for all of its notices
 *    (p2m_zf_fence, from the client), after dropping its fresh ranges, so
 *    no notice can be queued for the range behind the wait.
 * A notice that fails in transport is sent again (ZF_TRIES in all); the
 * waiters give up after ZF_WAIT_NS with a log line (LESSONS 8).  When
 * the queue is full first_touch says no and the fault misses: the memory
 * node allocates the page instead, which is always correct.
 *
 * LIMITS.  At most ZF_RANGES fresh ranges in all, each at most
 * ZF_RANGE_PAGES pages (a larger mapping is simply not tracked).
 *
 * LOCKING.  zf_lock (a spinlock, never in interrupts) guards the ranges
 * and the notice queue; nothing nests inside it (bitmaps are allocated
 * and freed outside).  The notifier sleeps on zf_kick; waiters on
 * zf_done.  Callers: the client's calls and the pcache glue's hooks, in
 * task context with no pcache lock held.
 */
#include <kernel/mutex.h>
#include <kernel/panic.h>
#include <kernel/printk.h>
#include <kernel/sched.h>
#include <kernel/spinlock.h>
#include <kernel/time.h>
#include <kernel/wait.h>
#include <lib/list.h>
#include <lib/string.h>
#include <mm/mm.h>
#include <uapi/errno.h>
#include <uapi/mman.h>
#include "internal.h"

#define ZF_RANGES	256
#define ZF_RANGE_PAGES	(1u << 18)		/* 1 GiB: 32 KiB of bits */
#define ZF_QUEUE	256
#define ZF_TRIES	3
#define ZF_WAIT_NS	(30ull * NSEC_PER_SEC)
#define PG		P2M_PAGE_SIZE

struct zf_range {
	struct list_head link;
	u32 tgid;
	u32 prot;
	u64 start, end;
	u64 *given;			/* bit per page */
};

enum { ZF_FREE, ZF_QUEUED, ZF_SENDING };

struct zf_notice {
	u32 tgid;
	u8 state;
	u8 tries;
	u64 uva;
};

static DEFINE_SPINLOCK(zf_lock);
static LIST_HEAD(ranges);
static unsigned int nr_ranges;
static struct zf_notice queue[ZF_QUEUE];
static unsigned int nr_queued, nr_pending;	/* pending: queued+sending */
static DEFINE_WAIT_QUEUE_HEAD(zf_kick);
static DEFINE_WAIT_QUEUE_HEAD(zf_done);
static struct task *notifier;
static struct p2m_zf_stats zf_stats;

static int zf_start(void);

static struct zf_range *find_locked(u32 tgid, u64 uva)
{
	struct zf_range *r;

	list_for_each_entry(r, &ranges, link)
		if (r->tgid == tgid && uva >= r->start && uva < r->end)
			return r;
	return NULL;
}

/* Move the ranges of @tgid overlapping [start, end) to @out. */
static void unlink_locked(u32 tgid, u64 start, u64 end,
			  struct list_head *out)
{
	struct zf_range *r, *n;

	list_for_each_entry_safe(r, n, &ranges, link) {
		if (r->tgid != tgid || r->end <= start || r->start >= end)
			continue;
		list_del(&r->link);
		list_add(&r->link, out);
		nr_ranges--;
	}
}

static void free_list(struct list_head *l)
{
	struct zf_range *r, *n;

	list_for_each_entry_safe(r, n, l, link) {
		kfree(r->given);
		kfree(r);
	}
}

void p2m_fresh_drop(u32 tgid, u64 start, u64 end)
{
	LIST_HEAD(dead);

	if (!READ_ONCE(nr_ranges))
		return;
	if (end < start)		/* an overflowing length: to the top */
		end = ~0ull;
	spin_lock(&zf_lock);
	unlink_locked(tgid, start, end, &dead);
	spin_unlock(&zf_lock);
	free_list(&dead);
}

void p2m_fresh_drop_changes(u32 tgid, const struct p2m_changes *ch)
{
	for (unsigned int i = 0; ch && i < ch->nr && i < P2M_CHANGES_MAX;
	     i++) {
		const struct p2m_change *c = &ch->c[i];

		p2m_fresh_drop(tgid, c->start, c->end);
		if (c->kind == P2M_CHANGE_MOVE)
			p2m_fresh_drop(tgid, c->to, c->to + (c->end - c->start));
	}
}

void p2m_fresh_add(u32 tgid, u64 start, u64 len, u32 prot)
{
	u64 pages = ALIGN_UP(len, PG) / PG;
	struct zf_range *r;

	if (!pages || pages > ZF_RANGE_PAGES || !(prot & PROT_READ) ||
	    start + pages * PG < start || READ_ONCE(nr_ranges) >= ZF_RANGES ||
	    zf_start())
		return;
	r = kzalloc(sizeof(*r));
	if (r)
		r->given = kzalloc(ALIGN_UP(pages, 64) / 8);
	if (!r || !r->given) {
		kfree(r);
		return;
	}
	*r = (struct zf_range){ LIST_HEAD_INIT(r->link), tgid,
				prot & (PROT_READ | PROT_WRITE), start,
				start + pages * PG, r->given };
	spin_lock(&zf_lock);
	if (nr_ranges < ZF_RANGES) {
		list_add(&r->link, &ranges);
		nr_ranges++;
		r = NULL;
	}
	spin_unlock(&zf_lock);
	if (r) {
		kfree(r->given);
		kfree(r);
	}
}

void p2m_fresh_given(u32 tgid, u64 uva, unsigned int nr)
{
	if (!READ_ONCE(nr_ranges))
		return;
	uva = ALIGN_DOWN(uva, PG);
	spin_lock(&zf_lock);
	for (unsigned int i = 0; i < nr; i++, uva += PG) {
		struct zf_range *r = find_locked(tgid, uva);
		u64 bit = r ? (uva - r->start) / PG : 0;

		if (r)
			r->given[bit / 64] |= 1ull << (bit % 64);
	}
	spin_unlock(&zf_lock);
}

/* A free slot for a notice, or -1.  zf_lock held. */
static int slot_locked(void)
{
	if (nr_pending >= ZF_QUEUE)
		return -1;
	for (int i = 0; i < ZF_QUEUE; i++)
		if (queue[i].state == ZF_FREE)
			return i;
	BUG_ON(1);
	return -1;
}

bool p2m_fresh_take(u32 tgid, u64 uva, u32 *prot)
{
	bool ok = false, full = false;
	struct zf_range *r;
	u64 bit, mask;
	int slot = -1;

	if (!READ_ONCE(nr_ranges))
		return false;
	uva = ALIGN_DOWN(uva, PG);
	spin_lock(&zf_lock);
	r = find_locked(tgid, uva);
	bit = r ? (uva - r->start) / PG : 0;
	mask = 1ull << (bit % 64);
	if (r && !(r->given[bit / 64] & mask)) {
		slot = slot_locked();
		full = slot < 0;
		ok = !full;
	}
	if (ok) {
		r->given[bit / 64] |= mask;
		queue[slot] = (struct zf_notice){ tgid, ZF_QUEUED, 0, uva };
		nr_queued++;
		nr_pending++;
		*prot = r->prot;
	}
	spin_unlock(&zf_lock);
	if (ok)
		wake_up(&zf_kick);
	if (full)
		p2m_ccount(&zf_stats.queue_full);
	return ok;
}

/* ---- the notifier -------------------------------------------------- */

/* Mark up to P2M_ZEROFILL_MAX queued notices of one process SENDING:
 * their slots into @idx, the process into *@tgid; returns how many. */
static unsigned int take_batch(u32 *tgid, int *idx)
{
	unsigned int n = 0;

	spin_lock(&zf_lock);
	for (int i = 0; i < ZF_QUEUE && n < P2M_ZEROFILL_MAX; i++) {
		if (queue[i].state != ZF_QUEUED ||
		    (n && queue[i].tgid != *tgid))
			continue;
		*tgid = queue[i].tgid;
		queue[i].state = ZF_SENDING;
		idx[n++] = i;
	}
	nr_queued -= n;
	spin_unlock(&zf_lock);
	return n;
}

static void batch_done(const int *idx, unsigned int n, int err)
{
	bool retry = err == -ETIMEDOUT || err == -EIO || err == -ENOMEM;

	spin_lock(&zf_lock);
	for (unsigned int i = 0; i < n; i++) {
		struct zf_notice *q = &queue[idx[i]];

		if (retry && ++q->tries < ZF_TRIES) {
			q->state = ZF_QUEUED;
			nr_queued++;
			continue;
		}
		q->state = ZF_FREE;
		nr_pending--;
	}
	spin_unlock(&zf_lock);
	wake_up_all(&zf_done);
}

static int notifier_fn(void *arg)
{
	static u64 uva[P2M_ZEROFILL_MAX];
	static int idx[P2M_ZEROFILL_MAX];

	for (;;) {
		unsigned int n;
		u32 tgid = 0;
		int err;

		wait_event(zf_kick, READ_ONCE(nr_queued) != 0);
		n = take_batch(&tgid, idx);
		for (unsigned int i = 0; i < n; i++)
			uva[i] = queue[idx[i]].uva;
		err = n ? p2m_zerofill_many(tgid, uva, n) : 0;
		if (n) {
			p2m_ccount(&zf_stats.batches);
			__atomic_fetch_add(&zf_stats.notices, n,
					   __ATOMIC_RELAXED);
		}
		if (err) {
			p2m_ccount(&zf_stats.errors);
			pr_warn_once("p2m: zero-fill notices for tgid %u "
				     "failed: %d (logged once)\n", tgid, err);
		}
		batch_done(idx, n, err);
	}
	return 0;
}

/* Start the notifier once (it runs for the node's lifetime). */
static int zf_start(void)
{
	static DEFINE_MUTEX(start_lock);
	struct task *t;

	if (__atomic_load_n(&notifier, __ATOMIC_ACQUIRE))
		return 0;
	mutex_lock(&start_lock);
	t = notifier;
	if (!t) {
		t = kthread_run(notifier_fn, NULL, "p2m_zf");
		if (t) {
			kthread_detach(t);
			__atomic_store_n(&notifier, t, __ATOMIC_RELEASE);
		}
	}
	mutex_unlock(&start_lock);
	return t ? 0 : -ENOMEM;
}

/* ---- waiting for notices ------------------------------------------- */

static bool pending(u32 tgid, u64 uva, bool any_page)
{
	bool found = false;

	spin_lock(&zf_lock);
	for (int i = 0; i < ZF_QUEUE && !found; i++)
		found = queue[i].state != ZF_FREE && queue[i].tgid == tgid &&
			(any_page || queue[i].uva == uva);
	spin_unlock(&zf_lock);
	return found;
}

static void wait_pending(u32 tgid, u64 uva, bool any_page)
{
	u64 deadline;

	if (!READ_ONCE(nr_pending) || !pending(tgid, uva, any_page))
		return;
	p2m_ccount(&zf_stats.waits);
	deadline = ktime_get_ns() + ZF_WAIT_NS;
	while (!wait_event_timeout(zf_done, !pending(tgid, uva, any_page),
				   NSEC_PER_SEC)) {
		if (ktime_get_ns() > deadline) {
			pr_warn("p2m: gave up waiting for the zero-fill notice "
				"of %#llx (tgid %u)\n", uva, tgid);
			return;
		}
	}
}

void p2m_zf_wait_page(u32 tgid, u64 uva)
{
	wait_pending(tgid, ALIGN_DOWN(uva, PG), false);
}

void p2m_zf_fence(u32 tgid)
{
	wait_pending(tgid, 0, true);
}

void p2m_zf_get_stats(struct p2m_zf_stats *out)
{
	memcpy(out, &zf_stats, sizeof(*out));
}
