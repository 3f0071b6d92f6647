/* managers/storage/timing.c — per-operation timing of the file service:
 * what timing.h's hooks add up, and storage_timing_dump()/_reset()
 * (include/storage/client.h) to print and clear it.
 *
 * Tables are indexed by STORAGE_OP_* (anything else is ignored).  The
 * client keeps a log2 histogram of its round trips in microseconds, so
 * the dump shows the median and the 99th percentile as bucket bounds;
 * the server keeps sums per stage.  Counters are relaxed atomics, never
 * locked: callers are FIT workers, client threads and the volume's
 * device calls, any number at once.  Built into every image (the client
 * half runs everywhere; the server and device tables stay zero on nodes
 * without the storage manager).
 */
#include <kernel/printk.h>
#include <protocol/storage.h>
#include <storage/client.h>
#include "timing.h"

#define HIST_BUCKETS	20		/* bucket i: [2^i, 2^(i+1)) us */

struct client_time {
	u64 n, sum_ns, max_ns;
	u64 hist[HIST_BUCKETS];
};

struct server_time {
	u64 n, lock_ns, backend_ns, reply_ns;
};

struct dev_time {
	u64 n, bytes, ns;
};

static struct client_time client_t[STORAGE_OP_COUNT];
static struct server_time server_t[STORAGE_OP_COUNT];
static struct dev_time dev_times[STORAGE_DEV_KINDS];

static void add(u64 *p, u64 v)
{
	__atomic_add_fetch(p, v, __ATOMIC_RELAXED);
}

static u64 get(const u64 *p)
{
	return __atomic_load_n(p, __ATOMIC_RELAXED);
}

static unsigned int bucket(u64 ns)
{
	u64 us = ns / 1000;
	unsigned int b = 0;

	while (us > 1 && b < HIST_BUCKETS - 1) {
		us >>= 1;
		b++;
	}
	return b;
}

void storage_time_client(u8 op, u64 ns)
{
	struct client_time *c;
	u64 old;

	if (op >= STORAGE_OP_COUNT)
		return;
	c = &client_t[op];
	add(&c->n, 1);
	add(&c->sum_ns, ns);
	add(&c->hist[bucket(ns)], 1);
	old = get(&c->max_ns);
	while (ns > old && !__atomic_compare_exchange_n(&c->max_ns, &old, ns,
						      false, __ATOMIC_RELAXED,
						      __ATOMIC_RELAXED))
		;
}

void storage_time_server(u8 op, u64 start, u64 locked, u64 backend,
			 u64 end)
{
	struct server_time *s;

	if (op >= STORAGE_OP_COUNT)
		return;
	s = &server_t[op];
	add(&s->n, 1);
	add(&s->lock_ns, locked - start);
	add(&s->backend_ns, backend - locked);
	add(&s->reply_ns, end - backend);
}

void storage_time_dev(enum storage_dev_kind kind, u64 bytes, u64 ns)
{
	add(&dev_times[kind].n, 1);
	add(&dev_times[kind].bytes, bytes);
	add(&dev_times[kind].ns, ns);
}

/* Upper bound (us) of the bucket that holds the @pct-th percentile. */
static u64 percentile_us(const struct client_time *c, u64 n, u64 pct)
{
	u64 want = (n * pct + 99) / 100, seen = 0;

	for (unsigned int b = 0; b < HIST_BUCKETS; b++) {
		seen += get(&c->hist[b]);
		if (seen >= want)
			return 2ull << b;
	}
	return 2ull << (HIST_BUCKETS - 1);
}

static void dump_client(const char *tag, u8 op)
{
	const struct client_time *c = &client_t[op];
	u64 n = get(&c->n);

	if (!n)
		return;
	printk("storage-time: %s client op=%u n=%llu avg_us=%llu p50_us<%llu "
	       "p99_us<%llu max_us=%llu\n", tag, op, n,
	       get(&c->sum_ns) / n / 1000, percentile_us(c, n, 50),
	       percentile_us(c, n, 99), get(&c->max_ns) / 1000);
}

static void dump_server(const char *tag, u8 op)
{
	const struct server_time *s = &server_t[op];
	u64 n = get(&s->n);

	if (!n)
		return;
	printk("storage-time: %s server op=%u n=%llu lock_us=%llu "
	       "backend_us=%llu reply_us=%llu (averages)\n", tag, op, n,
	       get(&s->lock_ns) / n / 1000, get(&s->backend_ns) / n / 1000,
	       get(&s->reply_ns) / n / 1000);
}

void storage_timing_dump(const char *tag)
{
	static const char *const dev_names[STORAGE_DEV_KINDS] = {
		"read", "write", "flush" };

	for (u8 op = 0; op < STORAGE_OP_COUNT; op++) {
		dump_client(tag, op);
		dump_server(tag, op);
	}
	for (int k = 0; k < STORAGE_DEV_KINDS; k++) {
		u64 n = get(&dev_times[k].n);

		if (n)
			printk("storage-time: %s device %s n=%llu bytes=%llu "
			       "avg_us=%llu\n", tag, dev_names[k], n,
			       get(&dev_times[k].bytes), get(&dev_times[k].ns) / n / 1000);
	}
}

/* Every table is made of u64 counters only. */
static void zero(void *p, size_t bytes)
{
	u64 *w = p;

	for (size_t i = 0; i < bytes / sizeof(u64); i++)
		__atomic_store_n(&w[i], 0, __ATOMIC_RELAXED);
}

void storage_timing_reset(void)
{
	zero(client_t, sizeof(client_t));
	zero(server_t, sizeof(server_t));
	zero(dev_times, sizeof(dev_times));
}
