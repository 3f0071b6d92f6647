/* drivers/infiniband/sw/rxe/mr.c — protection domains, memory regions and
 * the copies in and out of them.
 *
 * An MR covers [addr, addr + length) of kernel virtual memory; "DMA" is
 * memcpy.  Its lkey and rkey are the same 32-bit key: bits 31:8 are the
 * table slot plus one (so 0 is never a key), bits 7:0 a generation that
 * changes each time a slot is reused, so a stale key from a deregistered
 * MR misses instead of hitting its successor.  Every lookup checks the
 * key, the PD, the access rights and the range (overflow-safe) before any
 * byte moves; callers learn only "yes, this MR" or NULL.
 * Callers: qp.c (posting), req.c, comp.c, resp.c.  No locking (rdma/rxe.h).
 */
#include "internal.h"
#include <lib/string.h>
#include <mm/mm.h>
#include <uapi/errno.h>

int rxe_alloc_pd(struct ib_device *ibdev, struct ib_pd **out)
{
	struct rxe_pd *pd = kzalloc(sizeof(*pd));

	if (!pd)
		return -ENOMEM;
	pd->ibpd.device = ibdev;
	to_rdev(ibdev)->nr_pd++;
	*out = &pd->ibpd;
	return 0;
}

int rxe_dealloc_pd(struct ib_pd *ibpd)
{
	struct rxe_pd *pd = to_rpd(ibpd);

	if (pd->users)
		return -EBUSY;
	to_rdev(ibpd->device)->nr_pd--;
	kfree(pd);
	return 0;
}

#define RXE_MR_ACCESS (IB_ACCESS_LOCAL_WRITE | IB_ACCESS_REMOTE_WRITE | \
		       IB_ACCESS_REMOTE_READ)

int rxe_reg_mr(struct ib_pd *ibpd, void *addr, u64 length, int access,
	       struct ib_mr **out)
{
	struct rxe_dev *dev = to_rdev(ibpd->device);
	struct rxe_mr *mr;
	u32 i;

	if (access & ~RXE_MR_ACCESS)
		return -EOPNOTSUPP;
	/* Remote write needs local write, as in the IB spec. */
	if ((access & IB_ACCESS_REMOTE_WRITE) &&
	    !(access & IB_ACCESS_LOCAL_WRITE))
		return -EINVAL;
	if ((!addr && length) || (uintptr_t)addr + length < (uintptr_t)addr)
		return -EINVAL;
	for (i = 0; i < dev->max_mr && dev->mrs[i]; i++)
		;
	if (i == dev->max_mr)
		return -ENOSPC;
	mr = kzalloc(sizeof(*mr));
	if (!mr)
		return -ENOMEM;
	dev->key_gen = (dev->key_gen + 1) & 0xff;
	mr->base = addr;
	mr->ibmr.device = ibpd->device;
	mr->ibmr.pd = ibpd;
	mr->ibmr.addr = (u64)(uintptr_t)addr;
	mr->ibmr.length = length;
	mr->ibmr.access = access;
	mr->ibmr.lkey = (i + 1) << 8 | dev->key_gen;
	mr->ibmr.rkey = mr->ibmr.lkey;
	dev->mrs[i] = mr;
	to_rpd(ibpd)->users++;
	*out = &mr->ibmr;
	return 0;
}

int rxe_dereg_mr(struct ib_mr *ibmr)
{
	struct rxe_dev *dev = to_rdev(ibmr->device);

	dev->mrs[(ibmr->lkey >> 8) - 1] = NULL;
	to_rpd(ibmr->pd)->users--;
	kfree(to_rmr(ibmr));
	return 0;
}

struct rxe_mr *rxe_mr_check(struct rxe_dev *dev, struct ib_pd *pd, u32 key,
			    bool rkey, int access, u64 va, u64 len)
{
	u32 slot = (key >> 8) - 1;
	struct rxe_mr *mr;

	if ((key >> 8) == 0 || slot >= dev->max_mr)
		return NULL;
	mr = dev->mrs[slot];
	if (!mr || (rkey ? mr->ibmr.rkey : mr->ibmr.lkey) != key ||
	    mr->ibmr.pd != pd)
		return NULL;
	if ((mr->ibmr.access & access) != access)
		return NULL;
	if (va < mr->ibmr.addr || len > mr->ibmr.length ||
	    va - mr->ibmr.addr > mr->ibmr.length - len)
		return NULL;
	return mr;
}

int rxe_sge_copy(struct rxe_dev *dev, struct ib_pd *pd,
		 const struct ib_sge *sge, u32 num_sge, u32 off,
		 void *buf, u32 len, bool to_sge)
{
	int access = to_sge ? IB_ACCESS_LOCAL_WRITE : 0;
	u8 *b = buf;

	for (u32 i = 0; i < num_sge && len; i++) {
		struct rxe_mr *mr;
		u32 n;
		u8 *p;

		if (off >= sge[i].length) {
			off -= sge[i].length;
			continue;
		}
		n = MIN(len, sge[i].length - off);
		mr = rxe_mr_check(dev, pd, sge[i].lkey, false, access,
				  sge[i].addr + off, n);
		if (!mr)
			return -EFAULT;
		p = mr->base + (sge[i].addr + off - mr->ibmr.addr);
		if (to_sge)
			memcpy(p, b, n);
		else
			memcpy(b, p, n);
		b += n;
		len -= n;
		off = 0;
	}
	return len ? -EINVAL : 0;
}
