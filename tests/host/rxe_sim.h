/* tests/host/rxe_sim.h — a simulated Ethernet segment and clock for rxe.
 *
 * Two (or more) rxe devices ("nodes") share one link.  Every frame a node
 * transmits is copied into an event heap ordered by delivery time; the
 * link's seeded faults decide for each frame whether it is dropped,
 * duplicated (a second copy at another time), reordered (held back by an
 * extra random delay so later frames overtake it) or simply delayed.  A
 * node that is "dead" receives nothing.  The clock is simulated: sim_run()
 * repeatedly jumps to the earliest frame delivery or node timer, so a test
 * of seconds of protocol time runs in milliseconds.  Each node's timer is
 * the earliest deadline rxe asked for; when it fires the node's
 * rxe_dev_timer() runs and re-arms what is still pending.
 * With RXE_PCAP=FILE in the environment every transmitted frame is also
 * written to FILE (pcap, simulated timestamps) for tshark.
 * Used by test_rxe_rc.c, test_rxe_errors.c and test_rxe_fuzz.c.
 */
#ifndef TESTS_HOST_RXE_SIM_H
#define TESTS_HOST_RXE_SIM_H

#include "rxe_host.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SIM_MAX_NODES	4
#define SIM_NEVER	(~0ull)

struct sim_faults {
	double drop, dup, reorder;
	u64 delay_ns;		/* base one-way delay */
	u64 jitter_ns;		/* uniform extra delay */
	u64 reorder_ns;		/* extra delay of a reordered frame */
};

struct sim_event {
	u64 when;
	u64 seq;		/* FIFO among equal times */
	int dst;
	u32 len;
	u8 *frame;
};

struct sim_node {
	struct sim *sim;
	int id;
	struct rxe_dev *dev;
	u64 timer;		/* earliest requested deadline */
	bool dead;		/* receives nothing */
	void (*tap)(struct sim_node *n, const u8 *frame, u32 len);
};

struct sim {
	u64 now;
	u64 seq;
	u64 rng;
	struct sim_faults faults;
	struct sim_node nodes[SIM_MAX_NODES];
	int nr_nodes;
	struct sim_event *heap;
	u32 heap_len, heap_cap;
	u64 fifo[SIM_MAX_NODES];	/* last in-order delivery time */
	u64 frames, dropped, duplicated, reordered;
	FILE *pcap;
};

static void sim_pcap_open(struct sim *s)
{
	const char *path = getenv("RXE_PCAP");
	u32 hdr[6] = { 0xa1b2c3d4, 0x00040002, 0, 0, 65535, 1 };

	if (!path || !*path)
		return;
	s->pcap = fopen(path, "wb");
	if (s->pcap)
		fwrite(hdr, sizeof(hdr), 1, s->pcap);
}

static void sim_pcap_write(struct sim *s, const void *frame, u32 len)
{
	u32 rec[4] = { (u32)(s->now / 1000000000u),
		       (u32)(s->now % 1000000000u / 1000u), len, len };

	fwrite(rec, sizeof(rec), 1, s->pcap);
	fwrite(frame, len, 1, s->pcap);
}

static u64 sim_rand(struct sim *s)
{
	s->rng ^= s->rng >> 12;
	s->rng ^= s->rng << 25;
	s->rng ^= s->rng >> 27;
	return s->rng * 0x2545f4914f6cdd1dull;
}

static bool sim_chance(struct sim *s, double p)
{
	return p > 0 && (double)(sim_rand(s) >> 11) / 9007199254740992.0 < p;
}

static bool ev_before(const struct sim_event *a, const struct sim_event *b)
{
	return a->when < b->when || (a->when == b->when && a->seq < b->seq);
}

static void heap_push(struct sim *s, struct sim_event e)
{
	u32 i;

	if (s->heap_len == s->heap_cap) {
		s->heap_cap = s->heap_cap ? s->heap_cap * 2 : 1024;
		s->heap = realloc(s->heap, s->heap_cap * sizeof(*s->heap));
	}
	i = s->heap_len++;
	while (i && ev_before(&e, &s->heap[(i - 1) / 2])) {
		s->heap[i] = s->heap[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	s->heap[i] = e;
}

static struct sim_event heap_pop(struct sim *s)
{
	struct sim_event top = s->heap[0], last = s->heap[--s->heap_len];
	u32 i = 0;

	for (;;) {
		u32 c = 2 * i + 1;

		if (c >= s->heap_len)
			break;
		if (c + 1 < s->heap_len &&
		    ev_before(&s->heap[c + 1], &s->heap[c]))
			c++;
		if (!ev_before(&s->heap[c], &last))
			break;
		s->heap[i] = s->heap[c];
		i = c;
	}
	if (s->heap_len)
		s->heap[i] = last;
	return top;
}

static void sim_schedule(struct sim *s, int dst, const void *f, u32 len,
			 u64 when)
{
	struct sim_event e = { .when = when, .seq = s->seq++, .dst = dst,
			       .len = len, .frame = malloc(len) };

	memcpy(e.frame, f, len);
	heap_push(s, e);
}

/* Delivery time of a frame to @dst sent now.  Jitter never reorders: an
 * ordinary frame arrives no earlier than the previous one; a frame picked
 * for reordering is held back and may be overtaken. */
static u64 sim_when(struct sim *s, int dst)
{
	u64 t = s->now + s->faults.delay_ns;

	if (s->faults.jitter_ns)
		t += sim_rand(s) % s->faults.jitter_ns;
	if (sim_chance(s, s->faults.reorder)) {
		s->reordered++;
		return t + (s->faults.reorder_ns ?
				    sim_rand(s) % s->faults.reorder_ns : 0);
	}
	if (t < s->fifo[dst])
		t = s->fifo[dst];
	s->fifo[dst] = t;
	return t;
}

/* Port callbacks: ctx is the sending sim_node. */
static int sim_xmit(void *ctx, const void *frame, u32 len)
{
	struct sim_node *n = ctx;
	struct sim *s = n->sim;

	s->frames++;
	if (s->pcap)
		sim_pcap_write(s, frame, len);
	if (n->tap)
		n->tap(n, frame, len);
	for (int d = 0; d < s->nr_nodes; d++) {
		const u8 *dmac = frame;

		if (d == n->id || memcmp(dmac, s->nodes[d].dev->ibdev.mac, 6))
			continue;
		if (sim_chance(s, s->faults.drop)) {
			s->dropped++;
			continue;
		}
		sim_schedule(s, d, frame, len, sim_when(s, d));
		if (sim_chance(s, s->faults.dup)) {
			s->duplicated++;
			sim_schedule(s, d, frame, len, sim_when(s, d));
		}
	}
	return 0;
}

static u64 sim_now(void *ctx)
{
	return ((struct sim_node *)ctx)->sim->now;
}

static void sim_arm(void *ctx, u64 deadline)
{
	struct sim_node *n = ctx;

	if (deadline < n->timer)
		n->timer = deadline;
}

static const struct rxe_port_ops sim_port_ops = {
	.xmit = sim_xmit,
	.now_ns = sim_now,
	.arm_timer = sim_arm,
};

/* Every device sim_init() creates gets this delayed-ACK bound (resp.c;
 * 0: ACK at once). */
static u32 sim_ack_delay_us;

static void sim_init(struct sim *s, int nodes, u64 seed)
{
	memset(s, 0, sizeof(*s));
	s->rng = seed * 0x9e3779b97f4a7c15ull + 1;
	s->faults.delay_ns = 2000;
	s->nr_nodes = nodes;
	sim_pcap_open(s);
	for (int i = 0; i < nodes; i++) {
		struct sim_node *n = &s->nodes[i];
		struct rxe_dev_config cfg = {
			.name = "rxe_sim",
			.mac = { 2, 0, 0, 0, 0, (u8)(i + 1) },
			.ipv4 = 0x0a000001u + (u32)i, .max_mtu = IB_MTU_4096,
			.max_qp = 16, .max_mr = 64,
			.ack_delay_us = sim_ack_delay_us,
		};

		n->sim = s;
		n->id = i;
		n->timer = SIM_NEVER;
		if (rxe_dev_create(&cfg, &sim_port_ops, n, &n->dev))
			abort();
	}
}

static void sim_free(struct sim *s)
{
	while (s->heap_len)
		free(heap_pop(s).frame);
	free(s->heap);
	if (s->pcap)
		fclose(s->pcap);
	for (int i = 0; i < s->nr_nodes; i++)
		if (rxe_dev_destroy(s->nodes[i].dev))
			abort();
}

/* Advance to the next event and run it.  Returns false if nothing is
 * pending or the next event is later than @until. */
static bool sim_step(struct sim *s, u64 until)
{
	struct sim_node *tn = NULL;
	u64 t = SIM_NEVER;

	for (int i = 0; i < s->nr_nodes; i++)
		if (s->nodes[i].timer < t) {
			t = s->nodes[i].timer;
			tn = &s->nodes[i];
		}
	if (s->heap_len && s->heap[0].when <= t) {
		if (s->heap[0].when > until)
			return false;
		struct sim_event e = heap_pop(s);

		if (e.when > s->now)
			s->now = e.when;
		if (!s->nodes[e.dst].dead)
			rxe_rx(s->nodes[e.dst].dev, e.frame, e.len);
		free(e.frame);
		return true;
	}
	if (!tn || t > until)
		return false;
	if (t > s->now)
		s->now = t;
	tn->timer = SIM_NEVER;
	rxe_dev_timer(tn->dev);
	return true;
}

/* Run until @done(arg) or nothing is left to do or @max_ns passes. */
static void sim_run(struct sim *s, bool (*done)(void *), void *arg,
		    u64 max_ns)
{
	u64 until = s->now + max_ns;

	while (!(done && done(arg)) && sim_step(s, until))
		;
	if (s->now < until && !(done && done(arg)))
		s->now = until;
}

/* --- QP plumbing shared by the tests --- */

struct sim_ep {
	struct sim_node *node;
	struct ib_device *ib;
	struct ib_pd *pd;
	struct ib_cq *scq, *rcq;
	struct ib_qp *qp;
};

struct sim_qp_opts {
	u32 depth;
	enum ib_mtu mtu;
	u8 timeout, retry_cnt, rnr_retry, min_rnr_timer;
	int access;
};

static void sim_ep_create(struct sim_ep *ep, struct sim_node *n,
			  const struct sim_qp_opts *o)
{
	struct ib_qp_init_attr init = {
		.cap = { .max_send_wr = o->depth, .max_recv_wr = o->depth,
			 .max_send_sge = RXE_MAX_SGE,
			 .max_recv_sge = RXE_MAX_SGE },
		.qp_type = IB_QPT_RC,
	};

	memset(ep, 0, sizeof(*ep));
	ep->node = n;
	ep->ib = rxe_ib_device(n->dev);
	if (ib_alloc_pd(ep->ib, &ep->pd) ||
	    ib_create_cq(ep->ib, (int)o->depth * 2, NULL, NULL, &ep->scq) ||
	    ib_create_cq(ep->ib, (int)o->depth * 2, NULL, NULL, &ep->rcq))
		abort();
	init.send_cq = ep->scq;
	init.recv_cq = ep->rcq;
	if (ib_create_qp(ep->pd, &init, &ep->qp))
		abort();
}

/* Bring @a's QP to RTS connected to @b's; returns 0 or the failing
 * modify_qp's error. */
static int sim_ep_connect(struct sim_ep *a, struct sim_ep *b,
			  const struct sim_qp_opts *o)
{
	struct ib_qp_attr at = { .qp_state = IB_QPS_INIT,
				 .qp_access_flags = o->access };
	int err;

	err = ib_modify_qp(a->qp, &at, IB_QP_STATE | IB_QP_ACCESS_FLAGS);
	if (err)
		return err;
	memset(&at, 0, sizeof(at));
	at.qp_state = IB_QPS_RTR;
	at.path_mtu = o->mtu;
	at.dest_qp_num = b->qp->qp_num;
	at.rq_psn = 0xfffff0;		/* wraps early: PSN arithmetic */
	memcpy(at.ah_attr.dmac, b->ib->mac, 6);
	at.ah_attr.dip = b->ib->ipv4;
	at.max_dest_rd_atomic = RXE_MAX_RD_ATOMIC;
	at.min_rnr_timer = o->min_rnr_timer;
	err = ib_modify_qp(a->qp, &at, IB_QP_STATE | IB_QP_AV |
				 IB_QP_PATH_MTU | IB_QP_DEST_QPN |
				 IB_QP_RQ_PSN | IB_QP_MAX_DEST_RD_ATOMIC |
				 IB_QP_MIN_RNR_TIMER);
	if (err)
		return err;
	memset(&at, 0, sizeof(at));
	at.qp_state = IB_QPS_RTS;
	at.sq_psn = 0xfffff0;
	at.timeout = o->timeout;
	at.retry_cnt = o->retry_cnt;
	at.rnr_retry = o->rnr_retry;
	at.max_rd_atomic = RXE_MAX_RD_ATOMIC;
	return ib_modify_qp(a->qp, &at, IB_QP_STATE | IB_QP_SQ_PSN |
				  IB_QP_TIMEOUT | IB_QP_RETRY_CNT |
				  IB_QP_RNR_RETRY | IB_QP_MAX_QP_RD_ATOMIC);
}

static void sim_ep_destroy(struct sim_ep *ep)
{
	if (ib_destroy_qp(ep->qp) || ib_destroy_cq(ep->scq) ||
	    ib_destroy_cq(ep->rcq) || ib_dealloc_pd(ep->pd))
		abort();
}

#endif
