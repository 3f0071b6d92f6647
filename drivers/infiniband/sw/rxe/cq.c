/* drivers/infiniband/sw/rxe/cq.c — completion queues.
 *
 * A CQ is a ring of struct ib_wc whose size is the requested capacity
 * rounded up to a power of two.  Producers are the completer and the
 * responder (rxe_cq_push); the consumer is ib_poll_cq.  A full CQ drops the
 * new completion and counts RXE_CNT_CQ_OVERFLOW: callers size their CQs to
 * cover every WR they post.  The completion handler runs after each push,
 * under the caller's serialization (rdma/rxe.h).
 */
#include "internal.h"
#include <mm/mm.h>
#include <uapi/errno.h>

int rxe_create_cq(struct ib_device *ibdev, int cqe, ib_comp_handler handler,
		  void *ctx, struct ib_cq **out)
{
	struct rxe_cq *cq;
	u32 size = 1;

	if (cqe < 1 || cqe > 65536)
		return -EINVAL;
	while (size < (u32)cqe)
		size <<= 1;
	cq = kzalloc(sizeof(*cq));
	if (!cq)
		return -ENOMEM;
	cq->ring = kcalloc(size, sizeof(*cq->ring));
	if (!cq->ring) {
		kfree(cq);
		return -ENOMEM;
	}
	cq->size = size;
	cq->ibcq.device = ibdev;
	cq->ibcq.cqe = (int)size;
	cq->ibcq.comp_handler = handler;
	cq->ibcq.cq_context = ctx;
	to_rdev(ibdev)->nr_cq++;
	*out = &cq->ibcq;
	return 0;
}

int rxe_destroy_cq(struct ib_cq *ibcq)
{
	struct rxe_cq *cq = to_rcq(ibcq);

	if (cq->users)
		return -EBUSY;
	to_rdev(ibcq->device)->nr_cq--;
	kfree(cq->ring);
	kfree(cq);
	return 0;
}

int rxe_poll_cq(struct ib_cq *ibcq, int num, struct ib_wc *wc)
{
	struct rxe_cq *cq = to_rcq(ibcq);
	int n = 0;

	while (n < num && cq->cons != cq->prod) {
		wc[n++] = cq->ring[cq->cons & (cq->size - 1)];
		cq->cons++;
	}
	return n;
}

void rxe_cq_push(struct rxe_dev *dev, struct ib_cq *ibcq,
		 const struct ib_wc *wc)
{
	struct rxe_cq *cq = to_rcq(ibcq);

	if (cq->prod - cq->cons >= cq->size) {
		rxe_count(dev, RXE_CNT_CQ_OVERFLOW);
		return;
	}
	cq->ring[cq->prod & (cq->size - 1)] = *wc;
	cq->prod++;
	if (ibcq->comp_handler)
		ibcq->comp_handler(ibcq, ibcq->cq_context);
}
