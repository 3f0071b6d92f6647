/* drivers/infiniband/sw/rxe/fault.c — seeded fault injection on transmit.
 *
 * Sits between the transport and the port: rxe_fault_xmit() is how every
 * frame leaves the device.  With no faults configured it calls the port's
 * xmit directly.  Otherwise each frame may be dropped, duplicated,
 * delayed (delay_us) or reordered (held back longer, so frames behind it
 * overtake it), each decision drawn from a xorshift generator seeded by
 * the parameters, so a failing run can be replayed.  Delayed frames wait
 * in a queue ordered by release time (copies, at most RXE_FAULT_QUEUE of
 * them) and leave from rxe_fault_run(), which rxe_dev_timer() calls; the
 * device asks the port for a timer at the earliest release time.  Frames
 * with the same delay keep their order: only "reorder" reorders.
 * Callers: dev.c.  No locking (rdma/rxe.h).
 */
#include "internal.h"
#include <lib/random.h>
#include <lib/string.h>
#include <mm/mm.h>
#include <uapi/errno.h>

#define RXE_FAULT_QUEUE	4096

struct rxe_held {
	struct list_head link;
	u64 due;
	u32 len;
	u8 data[];
};

int rxe_fault_parse_ppm(const char *s, u32 *ppm)
{
	u32 whole = 0, frac = 0, scale = 1000000;

	if (!s || !*s)
		return -EINVAL;
	if (*s == '0' || *s == '1')
		whole = (u32)(*s++ - '0');
	if (*s == '.') {
		s++;
		if (!*s)
			return -EINVAL;
		for (; *s >= '0' && *s <= '9'; s++) {
			if (scale == 1)
				return -EINVAL;
			scale /= 10;
			frac += (u32)(*s - '0') * scale;
		}
	}
	if (*s || (whole == 1 && frac))
		return -EINVAL;
	*ppm = whole * 1000000 + frac;
	return 0;
}

static u64 fault_rand(struct rxe_dev *dev)
{
	return xorshift64s(&dev->fault_rng);
}

static bool fault_chance(struct rxe_dev *dev, u32 ppm)
{
	return ppm && fault_rand(dev) % 1000000 < ppm;
}

void rxe_dev_set_faults(struct rxe_dev *dev, const struct rxe_fault_params *p)
{
	dev->faults = *p;
	dev->faults.drop_ppm = MIN(p->drop_ppm, 1000000u);
	dev->faults.dup_ppm = MIN(p->dup_ppm, 1000000u);
	dev->faults.reorder_ppm = MIN(p->reorder_ppm, 1000000u);
	dev->fault_rng = p->seed * 0x9e3779b97f4a7c15ull + 1;
	dev->fault_on = p->drop_ppm || p->dup_ppm || p->reorder_ppm ||
			p->delay_us;
}

static void port_xmit(struct rxe_dev *dev, const void *frame, u32 len)
{
	if (dev->ops->xmit(dev->ctx, frame, len))
		rxe_count(dev, RXE_CNT_TX_FAIL);
}

/* Queue a copy of @frame for release at @due, after every frame due no
 * later (so equal delays keep their order). */
static void hold(struct rxe_dev *dev, const void *frame, u32 len, u64 due)
{
	struct rxe_held *h, *pos;

	if (dev->nr_held >= RXE_FAULT_QUEUE) {
		rxe_count(dev, RXE_CNT_FAULT_OVERFLOW);
		return;
	}
	h = kmalloc(sizeof(*h) + len);
	if (!h) {
		rxe_count(dev, RXE_CNT_FAULT_OVERFLOW);
		return;
	}
	h->due = due;
	h->len = len;
	memcpy(h->data, frame, len);
	pos = list_entry(dev->held.prev, struct rxe_held, link);
	while (&pos->link != &dev->held && pos->due > due)
		pos = list_entry(pos->link.prev, struct rxe_held, link);
	__list_add(&h->link, &pos->link, pos->link.next);
	dev->nr_held++;
	rxe_count(dev, RXE_CNT_FAULT_HELD);
	rxe_arm(dev, list_first_entry(&dev->held, struct rxe_held, link)->due);
}

/* Send or hold one copy; returns RXE_TRF_HELD if held. */
static u8 fault_copy(struct rxe_dev *dev, const void *frame, u32 len)
{
	u64 delay = (u64)dev->faults.delay_us * 1000;

	if (fault_chance(dev, dev->faults.reorder_ppm)) {
		u64 extra = MAX(4 * delay, 50000ull);

		rxe_count(dev, RXE_CNT_FAULT_REORDER);
		delay += 1 + fault_rand(dev) % extra;
	}
	if (!delay) {
		port_xmit(dev, frame, len);
		return 0;
	}
	hold(dev, frame, len, rxe_now(dev) + delay);
	return RXE_TRF_HELD;
}

u8 rxe_fault_xmit(struct rxe_dev *dev, const void *frame, u32 len)
{
	u8 what;

	if (!dev->fault_on) {
		port_xmit(dev, frame, len);
		return 0;
	}
	if (fault_chance(dev, dev->faults.drop_ppm)) {
		rxe_count(dev, RXE_CNT_FAULT_DROP);
		return RXE_TRF_DROPPED;
	}
	what = fault_copy(dev, frame, len);
	if (fault_chance(dev, dev->faults.dup_ppm)) {
		rxe_count(dev, RXE_CNT_FAULT_DUP);
		what |= RXE_TRF_DUP | fault_copy(dev, frame, len);
	}
	return what;
}

void rxe_fault_run(struct rxe_dev *dev, u64 now)
{
	while (!list_empty(&dev->held)) {
		struct rxe_held *h = list_first_entry(&dev->held,
						      struct rxe_held, link);

		if (h->due > now) {
			rxe_arm(dev, h->due);
			return;
		}
		list_del(&h->link);
		dev->nr_held--;
		port_xmit(dev, h->data, h->len);
		kfree(h);
	}
}

void rxe_fault_flush(struct rxe_dev *dev)
{
	while (!list_empty(&dev->held)) {
		struct rxe_held *h = list_first_entry(&dev->held,
						      struct rxe_held, link);

		list_del(&h->link);
		kfree(h);
	}
	dev->nr_held = 0;
}
