/* managers/processor/p2m/pcache_glue.c — the pcache's memory-node hooks
 * (include/processor/pcache.h, struct pcache_ops) over P2M.
 *
 *  fetch         PCACHE_MISS of up to P2M_MISS_MAX_PAGES pages.  The
 *                pcache gives one set of rights to every page of a fill,
 *                so the pages returned stop where the memory node's
 *                "writable" changes (a COW neighbour after a writable
 *                fault page, or the reverse), and the rights are the
 *                VMA's minus WRITE when the pages are not writable: a
 *                later write then asks (check_write) instead of writing a
 *                line the memory node would refuse to take back.  A
 *                piggybacked victim of another space is written back
 *                first with its own FLUSH (a miss carries only its own
 *                process's line).
 *  flush         PCACHE_FLUSH with the CRC32C the pcache took at eviction.
 *  check_write   PCACHE_UPGRADE (the memory node breaks COW).
 *  first_touch   zerofill.c: true for a page of a fresh private
 *                anonymous mapping that was never given out (the MMAP
 *                replies told the client); its notice is queued at once
 *                and goes out in a PCACHE_ZEROFILL_MANY batch.
 *  zerofill_notify  none (first_touch queued the notice).  A write-back
 *                of a page, alone or piggybacked, first waits for that
 *                page's notice (the memory node takes a write-back only
 *                of a page it knows it gave out).
 *  vma_pages_after  @max: the memory node ends fault-around at the VMA's
 *                end (and at never-touched anonymous pages).
 *
 * Errors follow the hooks' contracts: the memory node's "no such VMA /
 * no right / no such process" become -EFAULT; timeouts stay -ETIMEDOUT,
 * and a file page past end of file stays -ENXIO (SIGBUS);
 * other failures are -EIO.  The page-table hooks are the caller's.
 * No locks; called by the pcache with none of its locks held.
 */
#include <kernel/printk.h>
#include <processor/pcache.h>
#include <uapi/errno.h>
#include <uapi/mman.h>
#include "internal.h"

_Static_assert(PROT_READ == PCACHE_PROT_READ &&
	       PROT_WRITE == PCACHE_PROT_WRITE, "prot values");

static int fault_err(int err)
{
	if (err == -EFAULT || err == -EACCES || err == -ESRCH)
		return -EFAULT;
	return err == -ETIMEDOUT || err == -ENXIO ? err : -EIO;
}

static int glue_flush(const struct pcache_xfer *x)
{
	int err;

	p2m_zf_wait_page(x->space->id, x->uva);
	err = p2m_flush_sum(x->space->id, x->uva, x->page,
				x->csum ? &x->csum : NULL);

	/* The page is gone (unmapped, COW, process exited): drop it. */
	if (err == -ESRCH || err == -EINVAL)
		return -EFAULT;
	return err;
}

/* Pages [0, n) of a fill share page 0's writability. */
static unsigned int same_rights(u32 writable, unsigned int n)
{
	unsigned int i;

	for (i = 1; i < n; i++)
		if (((writable >> i) & 1) != (writable & 1))
			break;
	return i;
}

static int glue_fetch(struct pcache_space *s, u64 uva, void **pages,
		      u32 *csums, unsigned int nr, bool write, u32 *prot,
		      const struct pcache_xfer *piggy, int *piggy_err)
{
	struct p2m_dirty d, *dp = NULL;
	struct p2m_fill f = { 0, 0, 0, -EIO };	/* until known */
	int n;

	if (piggy && piggy->space->id == s->id) {
		p2m_zf_wait_page(s->id, piggy->uva);
		d = (struct p2m_dirty){ piggy->uva, piggy->page,
					piggy->csum ? &piggy->csum : NULL };
		dp = &d;
	} else if (piggy) {
		*piggy_err = glue_flush(piggy);
	}
	n = p2m_miss_many(s->id, uva, write ? P2M_MISS_WRITE : 0, dp, pages,
			  MIN(nr, P2M_MISS_MAX_PAGES), &f, csums);
	if (dp)
		*piggy_err = f.piggy_err == -ESRCH ? -EFAULT : f.piggy_err;
	if (n < 0)
		return fault_err(n);
	*prot = f.prot & (PCACHE_PROT_READ | PCACHE_PROT_WRITE);
	if (!(f.writable & 1))
		*prot &= ~PCACHE_PROT_WRITE;
	return (int)same_rights(f.writable, (unsigned int)n);
}

static int glue_check_write(struct pcache_space *s, u64 uva)
{
	u32 prot;
	int err = p2m_upgrade(s->id, uva, &prot);

	return err == -ETIMEDOUT ? err : err ? -EFAULT : 0;
}

static bool glue_first_touch(struct pcache_space *s, u64 uva, u32 *prot)
{
	return p2m_fresh_take(s->id, uva, prot);
}

static unsigned int glue_vma_pages_after(struct pcache_space *s, u64 uva,
					 unsigned int max)
{
	return MIN(max, P2M_MISS_MAX_PAGES - 1);
}

void p2m_pcache_ops(struct pcache_ops *ops)
{
	ops->fetch = glue_fetch;
	ops->flush = glue_flush;
	ops->check_write = glue_check_write;
	ops->first_touch = glue_first_touch;
	ops->zerofill_notify = NULL;
	ops->vma_pages_after = glue_vma_pages_after;
}
