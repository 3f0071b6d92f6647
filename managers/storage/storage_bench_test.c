/* managers/storage/storage_bench_test.c — storage_bench: throughput of
 * 4 KiB operations on one file through the file service, and of the raw
 * block device as the baseline, for scripts/run-bench (`make bench`).
 *
 * Needs a writable ext2 disk (`--disk IMG`); skips otherwise.  The file
 * is storage_bench.size bytes (default 256 MiB).
 * Figures, each one line "storage-bench: NAME where=W bytes=B ns=N
 * ops=O" that run-bench turns into JSON:
 *   raw_seq_read, raw_rand_read   4 KiB blk_read()s of the device under
 *                                 the served volume (only where that
 *                                 device is local: role=all)
 *   seq_write, seq_read, rand_write, rand_read, fsync
 *                                 4 KiB storage_write/storage_read calls
 *                                 (one FIT message each way per page),
 *                                 from node 0 to the storage node
 *                                 (where=local on role=all, where=remote
 *                                 across nodes)
 * Random offsets are page-aligned, one per page of the file, from a
 * seeded generator.  The server's block cache (2048 blocks) is smaller
 * than the file, so reads are a mix of cache hits and device reads.
 */
#include <fit/fit.h>
#include <kernel/node.h>
#include <kernel/param.h>
#include <kernel/printk.h>
#include <kernel/selftest.h>
#include <kernel/time.h>
#include <lib/printf.h>
#include <lib/sort.h>
#include <lib/string.h>
#include <mm/mm.h>
#include <protocol/fit.h>
#include <storage/client.h>
#include <uapi/errno.h>
#include "internal.h"

#define PAGE		4096u
#define BENCH_ID	5
#define LAT_ROUNDS	400

static u64 bench_size = 256u << 20;
param_size("storage_bench.size", bench_size,
	   "file size for storage_bench (default 256M)");

static u64 next(u64 *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static void report(const char *name, const char *where, u64 bytes, u64 ns,
		   u64 ops)
{
	printk("storage-bench: %s where=%s bytes=%llu ns=%llu ops=%llu\n",
	       name, where, bytes, ns ? ns : 1, ops);
}

/* Raw device baseline, when the served device is in this machine. */
static int bench_raw(struct selftest_ctx *t, u8 *page)
{
	struct storage_vol *v = vol_root();
	u64 pages = bench_size / PAGE, seed = 0x9e3779b9, t0;

	if (!v || !v->bdev || node_count() > 1)
		return 0;
	pages = MIN(pages, v->bdev->sectors / (PAGE / SECTOR_SIZE));
	t0 = ktime_get_ns();
	for (u64 i = 0; i < pages; i++)
		ST_EQ(blk_read(v->bdev, i * (PAGE / SECTOR_SIZE), page, PAGE), 0);
	report("raw_seq_read", "local", pages * PAGE, ktime_get_ns() - t0,
	       pages);
	t0 = ktime_get_ns();
	for (u64 i = 0; i < pages; i++) {
		u64 p = next(&seed) % pages;

		ST_EQ(blk_read(v->bdev, p * (PAGE / SECTOR_SIZE), page, PAGE), 0);
	}
	report("raw_rand_read", "local", pages * PAGE, ktime_get_ns() - t0,
	       pages);
	return 0;
}

static int pass(struct selftest_ctx *t, const struct storage_handle *h,
		u8 *page, bool write, bool random, const char *where)
{
	u64 pages = bench_size / PAGE, seed = 0x2545f4914f6cdd1d, t0;
	char name[16];

	t0 = ktime_get_ns();
	for (u64 i = 0; i < pages; i++) {
		u64 p = random ? next(&seed) % pages : i;

		if (write) {
			page[0] = (u8)i;
			ST_EQ(storage_write(h, p * PAGE, page, PAGE), PAGE);
		} else {
			ST_EQ(storage_read(h, p * PAGE, page, PAGE), PAGE);
		}
	}
	snprintf(name, sizeof(name), "%s_%s", random ? "rand" : "seq",
		 write ? "write" : "read");
	report(name, where, pages * PAGE, ktime_get_ns() - t0, pages);
	svc_test_timing(name);
	return 0;
}

static int cmp_u64(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

static void report_lat(const char *name, const char *where, u64 *ns)
{
	u64 sum = 0;

	for (u32 i = 0; i < LAT_ROUNDS; i++)
		sum += ns[i];
	sort(ns, LAT_ROUNDS, sizeof(*ns), cmp_u64);
	printk("storage-lat: %s where=%s n=%u p50_ns=%llu p90_ns=%llu "
	       "avg_ns=%llu\n", name, where, LAT_ROUNDS, ns[LAT_ROUNDS / 2],
	       ns[LAT_ROUNDS * 9 / 10], sum / LAT_ROUNDS);
}

/* What the service adds to FIT: LAT_ROUNDS rounds of a raw 4 KiB
 * FIT_OP_PING to the storage node (FIT alone; it echoes the page, so it
 * carries a page each way), a 4 KiB WRITE and a 4 KiB READ of the file's
 * first page (block-cache hits), each timed on its own.  Interleaved, so
 * that all three see the same load on the host. */
static int bench_lat(struct selftest_ctx *t, const struct storage_handle *h,
		     u8 *page, const char *where)
{
	u64 *ns = kmalloc(3 * LAT_ROUNDS * sizeof(*ns));
	u8 *back = kmalloc(PAGE);
	int r = 0;

	if (!ns || !back) {
		kfree(ns);
		kfree(back);
		ST_FAIL("no memory");
	}
	for (u32 i = 0; i < LAT_ROUNDS && !r; i++) {
		u64 t0 = ktime_get_ns(), t1, t2;

		if (fit_call((u16)storage_node(), FIT_OP_PING, page, PAGE, back,
			     PAGE, 20 * NSEC_PER_SEC) != (int)PAGE)
			r = -EIO;
		t1 = ktime_get_ns();
		if (!r && storage_write(h, 0, page, PAGE) != PAGE)
			r = -EIO;
		t2 = ktime_get_ns();
		if (!r && storage_read(h, 0, back, PAGE) != PAGE)
			r = -EIO;
		ns[i] = t1 - t0;
		ns[LAT_ROUNDS + i] = t2 - t1;
		ns[2 * LAT_ROUNDS + i] = ktime_get_ns() - t2;
	}
	if (!r) {
		report_lat("fit_ping", where, ns);
		report_lat("write", where, ns + LAT_ROUNDS);
		report_lat("read", where, ns + 2 * LAT_ROUNDS);
	}
	kfree(ns);
	kfree(back);
	ST_EQ(r, 0);
	svc_test_timing("latency");
	return 0;
}

static int bench(struct selftest_ctx *t, u8 *page)
{
	const char *where = storage_node() == (int)node_self() ? "local" :
			    "remote";
	struct storage_statfs_rep fs;
	struct storage_handle d, h;
	char name[32];
	u64 t0;

	if (storage_node() < 0 || storage_statfs(0, &fs) ||
	    fs.type != STORAGE_FS_EXT2 || (fs.flags & STORAGE_STATFS_RDONLY))
		ST_SKIP("no writable ext2 served (use --disk IMG)");
	memset(page, 0xa5, PAGE);
	svc_test_timing("setup");
	snprintf(name, sizeof(name), "bench-%u", node_self());
	ST_EQ(storage_mkdir(NULL, name, 0755, 0, 0, &d, NULL), 0);
	ST_EQ(storage_create(&d, "file", 0644, 0, 0, 0, &h, NULL), 0);
	if (bench_lat(t, &h, page, where) ||
	    pass(t, &h, page, true, false, where))
		return -1;
	t0 = ktime_get_ns();
	ST_EQ(storage_fsync(&h), 0);
	report("fsync", where, bench_size, ktime_get_ns() - t0, 1);
	svc_test_timing("fsync");
	if (pass(t, &h, page, false, false, where) ||
	    pass(t, &h, page, true, true, where) ||
	    pass(t, &h, page, false, true, where))
		return -1;
	return bench_raw(t, page);
}

SELFTEST(storage_bench)
{
	u8 *page;
	int r;

	SVC_ROLE(BENCH_ID);
	page = kmalloc(PAGE);
	ST_ASSERT(page);
	printk("storage-bench: file size %llu bytes, 4 KiB operations\n",
	       bench_size);
	r = bench(t, page);
	kfree(page);
	if (svc_test_done(BENCH_ID))
		ST_FAIL("the storage node did not take DONE");
	return r;
}
