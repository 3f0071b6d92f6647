/* managers/memory/service_page.c — P2M page traffic on the memory node:
 * PCACHE_MISS (with an optional piggybacked write-back and fault-around),
 * PCACHE_FLUSH, PCACHE_ZEROFILL(_MANY) and PCACHE_UPGRADE.
 *
 * A miss resolves the fault in the space's own page tables (mm_fault:
 * allocate, read file data, break COW on a write) and ships the page.
 * The piggybacked dirty line, if any, is written back before the fault
 * is resolved, so a miss on the very page being flushed returns the
 * flushed data.  Fault-around pages (nr > 1) are read faults on the
 * following pages of the same VMA that are present here or file backed;
 * the first one that is not (or whose fault fails) ends the list.  With the checksum option each page shipped carries its CRC32C;
 * a page received with P2M_F_CSUM is checked before it is stored.
 *
 * Locking: p->lock held shared (svc_proc_lock_shared) around all core
 * calls of a request, so no VMA changes meanwhile (the VMA looked up for
 * fault-around stays), while other page requests of the process run at
 * once: the core's _shared calls serialise only their page-table changes.
 * A fault that would grow a stack VMA takes p->lock exclusive instead.
 * Callers: FIT workers.
 */
#include <kernel/printk.h>
#include <lib/crc32c.h>
#include <lib/string.h>
#include <mm/mm.h>
#include <uapi/errno.h>
#include "internal.h"
#include "svc_internal.h"

/* A page arrived: check its checksum if it carries one. */
static int check_page(u32 flags, const void *page, u32 csum, u64 uva)
{
	if (!(flags & P2M_F_CSUM) || crc32c(page, P2M_PAGE_SIZE) == csum)
		return 0;
	svc_count(&svc_stats.csum_errors);
	pr_warn("p2m: checksum mismatch on page %#llx from the processor\n",
		(unsigned long long)uva);
	return -EBADMSG;
}

static int flush_page(struct mm_space *mm, u64 uva, const void *page,
		      u32 flags, u32 csum)
{
	int err;

	if (!IS_ALIGNED(uva, MM_PAGE_SIZE) || uva >= MM_TASK_SIZE)
		return -EINVAL;
	err = check_page(flags, page, csum, uva);
	return err ? err : mm_flush_shared(mm, uva, page);
}

/* Pages from @va (inclusive) to the end of its VMA, at most @max; the
 * VMA's prot in *@prot.  p->lock held (no VMA changes). */
static unsigned int vma_pages_from(struct mm_space *mm, u64 va,
				   unsigned int max, u32 *prot)
{
	struct vma *v = vma_find(mm, va);
	unsigned int n = 1;

	if (v && v->start <= va) {
		n = (unsigned int)MIN((u64)max, (v->end - va) / MM_PAGE_SIZE);
		*prot = v->prot;
	}
	return n ? n : 1;
}

/* Fault-around takes the page at @va if it is present already or file
 * backed: never-touched anonymous neighbours are left to the processor's
 * local zero-fill instead of being allocated here and shipped as zeroes.
 * p->lock held. */
static bool around_ok(struct mm_space *mm, u64 va)
{
	struct vma *v = vma_find(mm, va);

	return (v && v->start <= va && (v->flags & MM_VMA_FILE)) ||
	       mm_page_present_shared(mm, va);
}

/* A fault with p->lock held shared; one that would grow a stack VMA is
 * done again with it held exclusive. */
static int fault(struct p2m_proc *p, u64 va, u32 flags, void *buf,
		 bool *w)
{
	int err = mm_fault_shared(p->mm, va, flags, buf, w);

	if (err != -EAGAIN)
		return err;
	err = svc_proc_relock(p);
	return err ? -EFAULT : mm_fault(p->mm, va, flags, buf, w);
}

/* Fill @rep and the pages after it; returns the reply length. */
static u32 do_miss(struct p2m_proc *p, const struct p2m_miss_req *r,
		   struct p2m_miss_rep *rep)
{
	struct mm_space *mm;
	u64 va = ALIGN_DOWN(r->uva, MM_PAGE_SIZE);
	u8 *pages = (u8 *)(rep + 1);
	unsigned int n, i;
	u32 prot = 0;
	bool w;

	rep->err = fault(p, va, r->flags & P2M_MISS_WRITE ? MM_FAULT_WRITE : 0,
			 pages, &w);
	if (rep->err)
		return sizeof(*rep);
	mm = p->mm;
	rep->writable = w;
	n = vma_pages_from(mm, va, r->nr, &prot);
	rep->prot = prot;
	for (i = 1; i < n; i++) {
		if (!around_ok(mm, va + i * MM_PAGE_SIZE) ||
		    mm_fault_shared(mm, va + i * MM_PAGE_SIZE, 0,
				    pages + i * P2M_PAGE_SIZE, &w))
			break;
		rep->writable |= (u32)w << i;
	}
	rep->nr = i;
	if (svc_csum_on()) {
		rep->flags |= P2M_F_CSUM;
		for (i = 0; i < rep->nr; i++)
			rep->csum[i] = crc32c(pages + i * P2M_PAGE_SIZE,
					      P2M_PAGE_SIZE);
	}
	__atomic_fetch_add(&svc_stats.pages_sent, rep->nr, __ATOMIC_RELAXED);
	return sizeof(*rep) + rep->nr * P2M_PAGE_SIZE;
}

/* A one-page miss answers from the service thread's own buffer: a
 * buffer over a page is a buddy block, which the page allocator's debug
 * option poisons on every free and checks on every allocation. */
static struct p2m_miss_rep *rbuf_get(u32 nr)
{
	void *p = nr == 1 ? svc_thread_buf() : NULL;

	return p ? p : kmalloc(sizeof(struct p2m_miss_rep) +
			       nr * P2M_PAGE_SIZE);
}

static void rbuf_put(struct p2m_miss_rep *rep, u32 nr)
{
	if (nr != 1 || (void *)rep != svc_thread_buf())
		kfree(rep);
}

static int miss_handler(struct fit_msg_ctx *ctx, const void *req, u32 len)
{
	const struct p2m_miss_req *r = req;
	bool piggy = r->flags & P2M_MISS_PIGGY;
	struct p2m_miss_rep *rep;
	struct p2m_proc *p;
	u32 rlen, nr;
	int err;

	svc_count(&svc_stats.misses);
	if (len != sizeof(*r) + (piggy ? P2M_PAGE_SIZE : 0))
		return svc_bad_len(ctx, len);
	if (!r->nr || r->nr > P2M_MISS_MAX_PAGES)
		return -EINVAL;
	rep = rbuf_get(r->nr);
	if (!rep)
		return -ENOMEM;
	memset(rep, 0, sizeof(*rep));	/* pages are all written or not sent */
	err = svc_proc_lock_shared(ctx, r->tgid, &p);
	if (err) {
		rbuf_put(rep, r->nr);
		return err;
	}
	if (piggy) {
		svc_count(&svc_stats.piggybacks);
		rep->piggy_err = flush_page(p->mm, r->piggy_uva, r + 1,
				(r->flags & P2M_MISS_PIGGY_CSUM) ? P2M_F_CSUM
								 : 0,
				r->piggy_csum);
	}
	nr = r->nr;		/* the request is freed with the reply */
	rlen = do_miss(p, r, rep);
	svc_proc_unlock(p);
	err = svc_reply(ctx, rep, rlen);
	rbuf_put(rep, nr);
	return err;
}

static int flush_handler(struct fit_msg_ctx *ctx, const void *req, u32 len)
{
	const struct p2m_flush_req *r = req;
	struct p2m_proc *p;
	int err;

	svc_count(&svc_stats.flushes);
	if (len != P2M_FLUSH_LEN)
		return svc_bad_len(ctx, len);
	err = svc_proc_lock_shared(ctx, r->tgid, &p);
	if (err)
		return err;
	err = flush_page(p->mm, r->uva, r + 1, r->flags, r->csum);
	svc_proc_unlock(p);
	return err ? err : svc_reply(ctx, NULL, 0);
}

/* ZEROFILL and UPGRADE: fault the page in without shipping it (a zero
 * page for a first touch; COW broken for a write). */
static int nodata_fault(struct fit_msg_ctx *ctx, const void *req, u32 len,
			u32 flags)
{
	const struct p2m_zerofill_req *r = req;
	struct p2m_zerofill_rep rep = { 0, 0 };
	u64 va = ALIGN_DOWN(r->uva, MM_PAGE_SIZE);
	struct p2m_proc *p;
	u32 prot = 0;
	bool w = false;
	int err;

	if (len != sizeof(*r))
		return svc_bad_len(ctx, len);
	err = svc_proc_lock_shared(ctx, r->tgid, &p);
	if (err)
		return err;
	err = fault(p, va, flags, NULL, &w);
	if (!err)
		vma_pages_from(p->mm, va, 1, &prot);
	svc_proc_unlock(p);
	rep.writable = w;
	rep.prot = prot;
	return err ? err : svc_reply(ctx, &rep, sizeof(rep));
}

static int zerofill_handler(struct fit_msg_ctx *ctx, const void *req,
			    u32 len)
{
	const struct p2m_zerofill_req *r = req;

	svc_count(&svc_stats.zerofills);
	return nodata_fault(ctx, req, len, len >= sizeof(*r) &&
			    (r->flags & P2M_MISS_WRITE) ? MM_FAULT_WRITE : 0);
}

/* A batch of zero-fill notices: each page made present (zeroed) if it is
 * not; pages no longer mapped (unmapped, or PROT_NONE since) skipped. */
static int zerofill_many_handler(struct fit_msg_ctx *ctx, const void *req,
				 u32 len)
{
	const struct p2m_zerofill_many_req *r = req;
	const u64 *uva = (const u64 *)(r + 1);
	struct p2m_zerofill_many_rep rep = { 0, 0 };
	struct p2m_proc *p;
	int err;

	if (!r->nr || r->nr > P2M_ZEROFILL_MAX)
		return -EINVAL;
	if (len != sizeof(*r) + r->nr * sizeof(u64))
		return svc_bad_len(ctx, len);
	err = svc_proc_lock_shared(ctx, r->tgid, &p);
	if (err)
		return err;
	for (u32 i = 0; i < r->nr; i++) {
		bool w;

		svc_count(&svc_stats.zerofills);
		err = IS_ALIGNED(uva[i], MM_PAGE_SIZE)
		      ? fault(p, uva[i], 0, NULL, &w) : -EINVAL;
		if (!err)
			rep.done++;
		else if (err != -EFAULT && err != -EACCES && !rep.err)
			rep.err = err;
	}
	svc_proc_unlock(p);
	return svc_reply(ctx, &rep, sizeof(rep));
}

static int upgrade_handler(struct fit_msg_ctx *ctx, const void *req,
			   u32 len)
{
	svc_count(&svc_stats.upgrades);
	return nodata_fault(ctx, req, len, MM_FAULT_WRITE);
}

int svc_page_init(void)
{
	static const struct fit_handler_desc tab[] = {
		{ P2M_PCACHE_MISS, sizeof(struct p2m_miss_req), miss_handler },
		{ P2M_PCACHE_FLUSH, sizeof(struct p2m_flush_req),
		  flush_handler },
		{ P2M_PCACHE_ZEROFILL, sizeof(struct p2m_zerofill_req),
		  zerofill_handler },
		{ P2M_PCACHE_UPGRADE, sizeof(struct p2m_zerofill_req),
		  upgrade_handler },
		{ P2M_PCACHE_ZEROFILL_MANY,
		  sizeof(struct p2m_zerofill_many_req),
		  zerofill_many_handler },
	};

	return svc_register_handlers(tab, ARRAY_SIZE(tab));
}
