/* tests/host/test_rxe_fuzz.c — mutated frames against the rxe parser and
 * transport, under ASan/UBSan.
 *
 * A corpus of valid frames is captured from a real exchange between two
 * connected QPs (SENDs, WRITEs, READs, their ACKs and responses).  Each
 * fuzz frame is a corpus frame with one of several mutations; every frame
 * is copied into a buffer of exactly its length, so a read past the end is
 * an ASan error:
 *   - random bytes flipped anywhere, no repair (the parser's job);
 *   - truncated or extended at a random point;
 *   - transport fields rewritten (opcode, flags, PSN near the expected one,
 *     RETH address/key/length, AETH syndrome, payload length) and the IP
 *     checksum, lengths and ICRC repaired, so the frame reaches the
 *     responder or completer of a live QP.
 * 120,000 frames go to the parser alone and 120,000 through rxe_rx() into
 * QPs that are re-connected whenever an error sends them to ERR.  Checks:
 * no crash, every rejected frame is counted under exactly one reason,
 * several reasons occur, and the transport saw repaired frames.
 */
#include "harness.h"
#include "rxe_sim.h"

#define CORPUS_MAX	512
#define FUZZ_FRAMES	120000

struct corpus {
	u8 *f[CORPUS_MAX];
	u32 len[CORPUS_MAX];
	u32 n;
};

static struct corpus corpus;

static void tap(struct sim_node *n, const u8 *frame, u32 len)
{
	if (corpus.n < CORPUS_MAX) {
		corpus.f[corpus.n] = malloc(len);
		memcpy(corpus.f[corpus.n], frame, len);
		corpus.len[corpus.n++] = len;
	}
}

static const struct sim_qp_opts opts = {
	.depth = 32, .mtu = IB_MTU_1024, .timeout = 6, .retry_cnt = 7,
	.rnr_retry = 7, .min_rnr_timer = 1,
	.access = IB_ACCESS_LOCAL_WRITE | IB_ACCESS_REMOTE_WRITE |
		  IB_ACCESS_REMOTE_READ,
};

#define MEM (64 * 1024)

struct fz {
	struct sim s;
	struct sim_ep ep[2];
	u8 *mem[2];
	struct ib_mr *mr[2];
	u32 reconnects;
};

static void refill(struct fz *z)
{
	for (int i = 0; i < 2; i++) {
		struct ib_sge sge = { .addr = (u64)(uintptr_t)z->mem[i],
				      .length = MEM, .lkey = z->mr[i]->lkey };
		struct ib_recv_wr wr = { .sg_list = &sge, .num_sge = 1 };

		while (!ib_post_recv(z->ep[i].qp, &wr, NULL))
			;
	}
}

static void drain(struct fz *z)
{
	struct ib_wc wc[32];

	for (int i = 0; i < 2; i++) {
		while (ib_poll_cq(z->ep[i].scq, 32, wc) > 0)
			;
		while (ib_poll_cq(z->ep[i].rcq, 32, wc) > 0)
			;
	}
}

static void reconnect(struct fz *z)
{
	struct ib_qp_attr at = { .qp_state = IB_QPS_RESET };

	drain(z);
	for (int i = 0; i < 2; i++)
		CHECK_EQ(ib_modify_qp(z->ep[i].qp, &at, IB_QP_STATE), 0);
	CHECK_EQ(sim_ep_connect(&z->ep[0], &z->ep[1], &opts), 0);
	CHECK_EQ(sim_ep_connect(&z->ep[1], &z->ep[0], &opts), 0);
	refill(z);
	z->reconnects++;
}

static void post(struct fz *z, int from, enum ib_wr_opcode op, u32 len)
{
	struct ib_sge sge = { .addr = (u64)(uintptr_t)z->mem[from],
			      .length = len, .lkey = z->mr[from]->lkey };
	struct ib_send_wr wr = {
		.opcode = op, .sg_list = &sge, .num_sge = 1,
		.send_flags = IB_SEND_SIGNALED,
		.rdma = { .remote_addr = (u64)(uintptr_t)z->mem[!from],
			  .rkey = z->mr[!from]->rkey },
	};

	CHECK_EQ(ib_post_send(z->ep[from].qp, &wr, NULL), 0);
}

static void fz_init(struct fz *z)
{
	static const enum ib_wr_opcode ops[] = {
		IB_WR_SEND, IB_WR_SEND_WITH_IMM, IB_WR_RDMA_WRITE,
		IB_WR_RDMA_WRITE_WITH_IMM, IB_WR_RDMA_READ,
	};

	sim_init(&z->s, 2, 99);
	for (int i = 0; i < 2; i++) {
		sim_ep_create(&z->ep[i], &z->s.nodes[i], &opts);
		z->mem[i] = calloc(1, MEM);
		if (ib_reg_mr(z->ep[i].pd, z->mem[i], MEM, opts.access,
			      &z->mr[i]))
			abort();
		z->s.nodes[i].tap = tap;
	}
	reconnect(z);
	for (int k = 0; k < 40; k++)
		post(z, k & 1, ops[k % 5], (u32)(rnd() % 5000));
	z->s.faults.drop = 0.05;	/* NAKs and retries in the corpus */
	sim_run(&z->s, NULL, NULL, 50000000);
	z->s.faults.drop = 0;
	for (int i = 0; i < 2; i++)
		z->s.nodes[i].tap = NULL;
	drain(z);
}

static void fz_free(struct fz *z)
{
	drain(z);
	for (int i = 0; i < 2; i++) {
		ib_dereg_mr(z->mr[i]);
		sim_ep_destroy(&z->ep[i]);
		free(z->mem[i]);
	}
	sim_free(&z->s);
}

/* Recompute the IP checksum, UDP/IP lengths for @iplen and the ICRC. */
static void repair(u8 *f, u32 iplen)
{
	u8 *ip = f + 14;
	u32 c;

	roce_put16(ip + 2, (u16)iplen);
	roce_put16(ip + 20 + 4, (u16)(iplen - 20));
	ip[10] = ip[11] = 0;
	roce_put16(ip + 10, ip_csum(ip));
	c = rxe_icrc(ip, iplen - 4);
	for (int i = 0; i < 4; i++)
		ip[iplen - 4 + i] = (u8)(c >> (8 * i));
}

/* Rewrite transport fields of a corpus frame so it parses. */
static u32 mutate_deep(u8 *f, u32 len, u32 epsn)
{
	u32 iplen = roce_get16(f + 16), hdrs, pay;
	u8 op = (u8)(rnd() % ROCE_OPCODE_COUNT);
	u32 fl = rxe_op_flags(op);
	u8 *bth = f + 42;

	hdrs = 12 + (fl & ROCE_F_RETH ? 16 : 0) + (fl & ROCE_F_AETH ? 4 : 0) +
	       (fl & ROCE_F_IMM ? 4 : 0);
	pay = fl & ROCE_F_PAYLOAD ? (u32)(rnd() % 1100) & ~3u : 0;
	iplen = 28 + hdrs + pay + 4;
	if (14 + iplen > len)
		return 0;
	bth[0] = op;
	bth[1] = (u8)(rnd() & 0xb0);	/* SE, pad; TVer 0 */
	if (rnd() & 1)
		roce_put32(bth + 8, (u32)(rnd() & 0x80000000u) |
					    ((epsn + (u32)(rnd() % 5) - 2) &
					     ROCE_PSN_MASK));
	if (fl & ROCE_F_RETH) {
		u8 *r = bth + 12;

		if (rnd() & 1)
			roce_put64(r, roce_get64(r) + rnd() % 70000 - 1000);
		if (rnd() % 4 == 0)
			roce_put32(r + 8, (u32)rnd());
		roce_put32(r + 12, (u32)(rnd() % 3 ? rnd() % 70000 : rnd()));
	}
	if ((fl & ROCE_F_AETH) && (rnd() & 1))
		bth[12 + (fl & ROCE_F_RETH ? 16 : 0)] = (u8)rnd();
	repair(f, iplen);
	return 14 + iplen;
}

/* One mutated copy of a random corpus frame, in a buffer of exactly its
 * length. */
static u8 *mutant(u32 *out_len, u32 epsn, int *deep)
{
	u32 k = (u32)(rnd() % corpus.n), len = corpus.len[k];
	u8 buf[RXE_MAX_FRAME + 64];
	u8 *f;
	int mode = (int)(rnd() % 4);

	memcpy(buf, corpus.f[k], len);
	*deep = 0;
	if (mode == 0) {
		for (int i = 0, n = 1 + (int)(rnd() % 8); i < n; i++)
			buf[rnd() % len] ^= (u8)(1 + rnd() % 255);
	} else if (mode == 1) {
		u32 nl = (u32)(rnd() % (len + 32));

		for (u32 i = len; i < nl; i++)
			buf[i] = (u8)rnd();
		len = nl;
	} else {
		u32 nl = mutate_deep(buf, sizeof(buf) - 64, epsn);

		if (nl) {
			len = MAX(nl, (u32)ROCE_ETH_MIN_FRAME);
			*deep = 1;
		}
		if (mode == 3)
			buf[42 + rnd() % (len - 42)] ^= (u8)(1 + rnd() % 255);
	}
	f = malloc(len ? len : 1);
	memcpy(f, buf, len);
	*out_len = len;
	return f;
}

static void test_parser_only(void)
{
	u64 reasons[RXE_PARSE_NR] = { 0 };
	struct rxe_pkt pkt;
	int kinds = 0, deep;

	for (u32 i = 0; i < FUZZ_FRAMES; i++) {
		u32 len;
		u8 *f = mutant(&len, 0, &deep);
		enum rxe_parse_err e = rxe_pkt_parse(f, len, &pkt);

		CHECK((unsigned int)e < RXE_PARSE_NR, "reason %d", e);
		reasons[e]++;
		if (e == RXE_PARSE_OK)
			CHECK(pkt.payload >= f &&
				      pkt.payload + pkt.paylen <= f + len,
			      "payload outside frame");
		free(f);
	}
	for (int e = 0; e < RXE_PARSE_NR; e++)
		kinds += reasons[e] > 0;
	CHECK(kinds >= 8, "only %d outcomes", kinds);
	printf("  parser:");
	for (int e = 0; e < RXE_PARSE_NR; e++)
		printf(" %s=%llu", rxe_parse_err_name((enum rxe_parse_err)e),
		       (unsigned long long)reasons[e]);
	printf("\n");
}

static bool qp_any_err(struct fz *z)
{
	return to_rqp(z->ep[0].qp)->state == IB_QPS_ERR ||
	       to_rqp(z->ep[1].qp)->state == IB_QPS_ERR;
}

static void test_transport(void)
{
	static struct fz z;
	u64 fed = 0, deep_fed = 0, rx0[2], drop0[2][RXE_PARSE_NR];
	u64 want[2][RXE_PARSE_NR] = { { 0 } }, fed_to[2] = { 0 };
	struct rxe_pkt pkt;

	corpus.n = 0;
	fz_init(&z);
	CHECK(corpus.n > 100, "corpus of %u frames", corpus.n);
	for (int i = 0; i < 2; i++) {
		rx0[i] = rxe_counter(z.s.nodes[i].dev, RXE_CNT_RX_PKTS);
		for (int e = 1; e < RXE_PARSE_NR; e++)
			drop0[i][e] = rxe_counter(z.s.nodes[i].dev,
						  RXE_CNT_DROP_SHORT + e - 1);
	}
	for (u32 i = 0; i < FUZZ_FRAMES; i++) {
		int to = (int)(rnd() & 1), deep;
		struct rxe_qp *qp = to_rqp(z.ep[to].qp);
		u32 len;
		u8 *f = mutant(&len, qp->resp.epsn, &deep);

		/* Aim the frame at the live QP and from its peer. */
		if (deep && len >= 42 + 12) {
			roce_put32(f + 42 + 4, qp->ibqp.qp_num);
			memcpy(f + 14 + 12, &(u32){ __builtin_bswap32(
				z.ep[!to].ib->ipv4) }, 4);
			memcpy(f + 14 + 16, &(u32){ __builtin_bswap32(
				z.ep[to].ib->ipv4) }, 4);
			repair(f, roce_get16(f + 16));
			deep_fed++;
		}
		want[to][rxe_pkt_parse(f, len, &pkt)]++;
		rxe_rx(z.s.nodes[to].dev, f, len);
		free(f);
		fed++;
		fed_to[to]++;
		if (i % 64 == 0) {
			sim_run(&z.s, NULL, NULL, 300000);
			drain(&z);
		}
		if (qp_any_err(&z))
			reconnect(&z);
	}
	sim_run(&z.s, NULL, NULL, 100000000);
	/* The link is clean now: every parse drop is one of ours, counted
	 * once under the reason the parser gives. */
	for (int i = 0; i < 2; i++) {
		struct rxe_dev *d = z.s.nodes[i].dev;

		CHECK(rxe_counter(d, RXE_CNT_RX_PKTS) - rx0[i] >= fed_to[i],
		      "rx count %d", i);
		for (int e = 1; e < RXE_PARSE_NR; e++)
			CHECK(rxe_counter(d, RXE_CNT_DROP_SHORT + e - 1) -
				      drop0[i][e] == want[i][e],
			      "node %d reason %s", i,
			      rxe_parse_err_name((enum rxe_parse_err)e));
	}
	CHECK(deep_fed > FUZZ_FRAMES / 4, "only %llu deep frames",
	      (unsigned long long)deep_fed);
	CHECK(z.reconnects > 10, "only %u reconnects", z.reconnects);
	printf("  transport: %llu fed (%llu repaired), %u reconnects\n",
	       (unsigned long long)fed, (unsigned long long)deep_fed,
	       z.reconnects);
	for (int c = 0; c < RXE_CNT_NR; c++)
		printf("    %s=%llu\n", rxe_counter_name((enum rxe_counter)c),
		       (unsigned long long)(rxe_counter(z.s.nodes[0].dev,
							(enum rxe_counter)c) +
					    rxe_counter(z.s.nodes[1].dev,
							(enum rxe_counter)c)));
	fz_free(&z);
	for (u32 k = 0; k < corpus.n; k++)
		free(corpus.f[k]);
}

int main(void)
{
	static struct fz z;

	corpus.n = 0;
	fz_init(&z);
	fz_free(&z);
	RUN(test_parser_only);
	for (u32 k = 0; k < corpus.n; k++)
		free(corpus.f[k]);
	RUN(test_transport);
	return harness_exit();
}
