/* managers/storage/storage_stress_test.c — storage_svc_stress: 200 files
 * through the file service, then a manifest the host checks.
 *
 * Run: `tessera selftest --disk disk.img storage_svc_stress` (role=all,
 * FIT loopback) or `tessera selftest --topology p,s --disk disk.img
 * storage_svc_stress` (node 0 calls the storage node, node 1).
 * scripts/storage-check builds the image, runs both, and checks the disk.
 *
 * Steps (node 0 drives; the storage node serves until DONE):
 *  1. under /stress-N: 8 directories with 4 subdirectories each (40);
 *  2. 200 files of sizes drawn uniformly from [0, storage_test.max_size]
 *     (default 8 MiB, about 800 MiB in all), one of them (f2) exactly
 *     max_size, written by two threads at once in STORAGE_IO_MAX
 *     messages.  storage_test.total=N (default 0: no cap) scales the
 *     other 199 sizes down so that all of them add up to about N (the
 *     quicker cross-node run of `make test`);
 *  3. unlink every 4th file, rename every odd one (half across
 *     directories), rename 5 over an existing file, truncate some down
 *     and some up (sparse tail), mkdir + rmdir an extra directory;
 *  4. readdir every directory and compare with the model;
 *  5. fsync; read every surviving file back through the service and
 *     compare its CRC32C with the model's;
 *  6. print the manifest: "storage-manifest: CRC SIZE PATH" per file,
 *     "storage-manifest: end N", then "storage: fsync done";
 *  7. 12 MiB of writes that nothing promised (under /stress-N-after), so
 *     that a run killed after step 6 stops in the middle of unsynced work.
 * File contents are a function of (file, offset), so the model is only
 * names and sizes.  The clean shutdown (unmount) is the selftest
 * runner's machine_exit(), through the storage shutdown hook.
 */
#include <kernel/node.h>
#include <kernel/param.h>
#include <kernel/printk.h>
#include <kernel/sched.h>
#include <kernel/selftest.h>
#include <kernel/time.h>
#include <lib/crc32c.h>
#include <lib/printf.h>
#include <lib/string.h>
#include <mm/mm.h>
#include <storage/client.h>
#include <uapi/errno.h>
#include "internal.h"

#define NFILES		200
#define NDIRS		40		/* 8 top, 4 under each */
#define BIG		2		/* the max_size file: kept, renamed */
#define CHUNK		STORAGE_IO_MAX
#define STRESS_ID	4

static u64 max_size = 8u << 20;
param_size("storage_test.max_size", max_size,
	   "largest file of storage_svc_stress (default 8M)");
static u64 total_cap;
param_size("storage_test.total", total_cap,
	   "scale storage_svc_stress down to about this many bytes (0: no)");

struct sfile {
	u32 dir;			/* index in dirs[] */
	char name[16];
	u64 data_len;			/* pattern bytes, then zeros */
	u64 size;
	bool alive;
};

struct stress {
	struct storage_handle base, dirs[NDIRS];
	char dir_path[NDIRS][40];
	struct sfile f[NFILES];
	u8 *buf[2];
	u64 seed;
	int err[2];
};

static u64 mix(u64 x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdull;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ull;
	return x ^ (x >> 33);
}

static u64 rnd(u64 *s)
{
	*s = *s * 6364136223846793005ull + 1442695040888963407ull;
	return mix(*s);
}

/* Bytes [off, off + len) of file @i (off and len multiples of 8). */
static void pattern(u32 i, u64 off, u8 *buf, u32 len)
{
	for (u32 k = 0; k < len; k += 8) {
		u64 w = mix(((u64)i << 40) ^ ((off + k) >> 3));

		memcpy(buf + k, &w, 8);
	}
}

static u32 expected_crc(struct sfile *f, u32 i, u8 *buf)
{
	u32 crc = 0;

	for (u64 off = 0; off < f->size; off += CHUNK) {
		u32 n = (u32)MIN((u64)CHUNK, f->size - off);

		memset(buf, 0, CHUNK);
		if (off < f->data_len) {
			pattern(i, off, buf, CHUNK);
			if (f->data_len - off < CHUNK)
				memset(buf + (f->data_len - off), 0,
				       CHUNK - (f->data_len - off));
		}
		crc = crc32c_update(crc, buf, n);
	}
	return crc;
}

/* Sizes uniform in [0, max_size], multiples of 8, the others scaled
 * down when they add up to more than total_cap; returns the total. */
static u64 plan_sizes(struct stress *s)
{
	u64 total = 0, big = max_size & ~7ull, want;

	for (u32 i = 0; i < NFILES; i++) {
		u64 r = rnd(&s->seed);

		s->f[i].size = (i == BIG ? max_size : r % (max_size + 1)) & ~7ull;
		s->f[i].dir = i % NDIRS;
		s->f[i].alive = true;
		snprintf(s->f[i].name, sizeof(s->f[i].name), "f%u", i);
		total += s->f[i].size;
	}
	want = total_cap > big ? total_cap - big : 0;
	if (total_cap && total > total_cap) {
		u64 others = total - big;

		total = big;
		for (u32 i = 0; i < NFILES; i++) {
			if (i == BIG)
				continue;
			s->f[i].size = (s->f[i].size * want / others) & ~7ull;
			total += s->f[i].size;
		}
	}
	for (u32 i = 0; i < NFILES; i++)
		s->f[i].data_len = s->f[i].size;
	return total;
}

static int make_tree(struct selftest_ctx *t, struct stress *s)
{
	char name[32];

	snprintf(name, sizeof(name), "stress-%u", node_self());
	ST_EQ(storage_mkdir(NULL, name, 0755, 0, 0, &s->base, NULL), 0);
	for (u32 d = 0; d < NDIRS; d++) {
		u32 top = d % 8, sub = d / 8;	/* sub 0: the top dir */

		if (!sub) {
			snprintf(name, sizeof(name), "d%u", top);
			ST_EQ(storage_mkdir(&s->base, name, 0755, 0, 0,
					    &s->dirs[d], NULL), 0);
			snprintf(s->dir_path[d], sizeof(s->dir_path[d]),
				 "/stress-%u/d%u", node_self(), top);
			continue;
		}
		snprintf(name, sizeof(name), "s%u", sub);
		ST_EQ(storage_mkdir(&s->dirs[top], name, 0700, 0, 0,
				    &s->dirs[d], NULL), 0);
		snprintf(s->dir_path[d], sizeof(s->dir_path[d]),
			 "/stress-%u/d%u/s%u", node_self(), top, sub);
	}
	return 0;
}

static int write_file(struct stress *s, u32 i, u8 *buf)
{
	struct sfile *f = &s->f[i];
	struct storage_handle h;
	int err = storage_create(&s->dirs[f->dir], f->name, 0644, 0, 0,
				 STORAGE_CREATE_EXCL, &h, NULL);

	for (u64 off = 0; !err && off < f->size; off += CHUNK) {
		u32 n = (u32)MIN((u64)CHUNK, f->size - off);
		ssize_t w;

		pattern(i, off, buf, CHUNK);
		w = storage_write(&h, off, buf, n);
		if (w != n)
			err = w < 0 ? (int)w : -EIO;
	}
	return err;
}

struct writer {
	struct stress *s;
	int half;
};

static int writer_thread(void *arg)
{
	struct writer *w = arg;

	for (u32 i = w->half; i < NFILES && !w->s->err[w->half]; i += 2)
		w->s->err[w->half] = write_file(w->s, i, w->s->buf[w->half]);
	return 0;
}

static int write_all(struct selftest_ctx *t, struct stress *s)
{
	struct writer w[2] = { { s, 0 }, { s, 1 } };
	struct task *k = kthread_run(writer_thread, &w[1], "stress-w1");

	ST_ASSERT(k);
	writer_thread(&w[0]);
	kthread_join(k);
	ST_EQ(s->err[0], 0);
	ST_EQ(s->err[1], 0);
	return 0;
}

static int rename_one(struct stress *s, u32 i, u32 ndir, const char *nname)
{
	struct sfile *f = &s->f[i];
	int err = storage_rename(&s->dirs[f->dir], f->name, &s->dirs[ndir],
				 nname);

	if (!err) {
		f->dir = ndir;
		strscpy(f->name, nname, sizeof(f->name));
	}
	return err;
}

static int truncate_one(struct stress *s, u32 i, u64 size)
{
	struct sfile *f = &s->f[i];
	struct storage_handle h;
	int err = storage_lookup(&s->dirs[f->dir], f->name, false, &h, NULL);

	if (!err)
		err = storage_truncate(&h, size);
	if (!err) {
		f->size = size;
		f->data_len = MIN(f->data_len, size);
	}
	return err;
}

static int mutate(struct selftest_ctx *t, struct stress *s)
{
	char name[16];

	for (u32 i = 0; i < NFILES; i += 4) {
		ST_EQ(storage_unlink(&s->dirs[s->f[i].dir], s->f[i].name), 0);
		s->f[i].alive = false;
	}
	for (u32 i = 1; i < NFILES; i += 2) {
		u32 nd = i % 4 == 1 ? (s->f[i].dir + 7) % NDIRS : s->f[i].dir;

		snprintf(name, sizeof(name), "%c%u", i % 4 == 1 ? 'r' : 'm', i);
		ST_EQ(rename_one(s, i, nd, name), 0);
	}
	/* Over an existing file, across directories: i + 4 is replaced. */
	for (u32 i = 2; i + 4 < NFILES; i += 40) {
		char target[16];

		strscpy(target, s->f[i + 4].name, sizeof(target));
		ST_EQ(rename_one(s, i, s->f[i + 4].dir, target), 0);
		s->f[i + 4].alive = false;
	}
	for (u32 i = 1; i < NFILES; i++) {
		if (!s->f[i].alive || (i % 3 && i % 7))
			continue;
		ST_EQ(truncate_one(s, i, i % 3 ? s->f[i].size + 10000 :
				   (s->f[i].size / 3) & ~7ull), 0);
	}
	ST_EQ(storage_mkdir(&s->base, "gone", 0755, 0, 0, NULL, NULL), 0);
	ST_EQ(storage_rmdir(&s->base, "gone"), 0);
	return 0;
}

/* Count entries of every directory and compare with the model. */
static int check_dirs(struct selftest_ctx *t, struct stress *s)
{
	struct storage_dirent_info *e = kmalloc(16 * sizeof(*e));
	u32 want[NDIRS] = { 0 }, got;

	ST_ASSERT(e);
	for (u32 i = 0; i < NFILES; i++)
		want[s->f[i].dir] += s->f[i].alive;
	for (u32 d = 0; d < NDIRS; d++) {
		u64 cookie = 0;
		int n;

		want[d] += 2 + (d < 8 ? 4 : 0);	/* . .. and subdirs */
		got = 0;
		while ((n = storage_readdir(&s->dirs[d], &cookie, e, 16)) > 0)
			got += n;
		ST_EQ(n, 0);
		if (got != want[d])
			ST_FAIL("%s: %u entries, expected %u", s->dir_path[d],
				got, want[d]);
	}
	kfree(e);
	return 0;
}

static int verify_and_print(struct selftest_ctx *t, struct stress *s)
{
	u32 n = 0;

	for (u32 i = 0; i < NFILES; i++) {
		struct sfile *f = &s->f[i];
		struct storage_handle h;
		struct storage_stat st;
		u32 crc = 0;

		if (!f->alive)
			continue;
		ST_EQ(storage_lookup(&s->dirs[f->dir], f->name, false, &h,
				     &st), 0);
		ST_EQ(st.size, f->size);
		for (u64 off = 0; off < f->size; off += CHUNK) {
			u32 len = (u32)MIN((u64)CHUNK, f->size - off);

			ST_EQ(storage_read(&h, off, s->buf[0], len), len);
			crc = crc32c_update(crc, s->buf[0], len);
		}
		if (crc != expected_crc(f, i, s->buf[1]))
			ST_FAIL("%s/%s: crc32c %08x, expected %08x",
				s->dir_path[f->dir], f->name, crc,
				expected_crc(f, i, s->buf[1]));
		printk("storage-manifest: %08x %llu %s/%s\n", crc, f->size,
		       s->dir_path[f->dir], f->name);
		n++;
	}
	printk("storage-manifest: end %u\n", n);
	return 0;
}

/* Work nothing promised: 12 MiB, more than the service's block cache,
 * so some of it is evicted to the disk before any sync; one line per
 * file, so a host that kills the run sees where it was. */
static int after_work(struct selftest_ctx *t, struct stress *s)
{
	struct storage_handle d, h;
	char name[32];

	snprintf(name, sizeof(name), "stress-%u-after", node_self());
	ST_EQ(storage_mkdir(NULL, name, 0755, 0, 0, &d, NULL), 0);
	for (u32 i = 0; i < 12; i++) {
		snprintf(name, sizeof(name), "a%u", i);
		ST_EQ(storage_create(&d, name, 0644, 0, 0, 0, &h, NULL), 0);
		for (u64 off = 0; off < (1u << 20); off += CHUNK) {
			pattern(i + NFILES, off, s->buf[0], CHUNK);
			ST_EQ(storage_write(&h, off, s->buf[0], CHUNK), CHUNK);
		}
		printk("storage: after fsync: %s written\n", name);
	}
	return 0;
}

static int stress(struct selftest_ctx *t, struct stress *s)
{
	struct storage_statfs_rep fs;
	u64 t0 = ktime_get_ns(), t1, total;

	if (storage_node() < 0 || storage_statfs(0, &fs) ||
	    fs.type != STORAGE_FS_EXT2 || (fs.flags & STORAGE_STATFS_RDONLY))
		ST_SKIP("no writable ext2 served (use --disk IMG)");
	total = plan_sizes(s);
	printk("storage: stress on node %d: %u files, %llu bytes, largest %llu\n",
	       storage_node(), NFILES, total, max_size);
	if (make_tree(t, s) || write_all(t, s))
		return -1;
	printk("storage: stress wrote %llu bytes in %llu ms\n", total,
	       (ktime_get_ns() - t0) / NSEC_PER_MSEC);
	if (mutate(t, s) || check_dirs(t, s))
		return -1;
	t1 = ktime_get_ns();
	ST_EQ(storage_fsync(&s->base), 0);
	printk("storage: stress fsync %llu ms\n",
	       (ktime_get_ns() - t1) / NSEC_PER_MSEC);
	t1 = ktime_get_ns();
	if (verify_and_print(t, s))
		return -1;
	printk("storage: stress read back in %llu ms\n",
	       (ktime_get_ns() - t1) / NSEC_PER_MSEC);
	printk("storage: fsync done (%llu ms, %llu calls sent again after a "
	       "timeout)\n", (ktime_get_ns() - t0) / NSEC_PER_MSEC,
	       storage_client_retries());
	return after_work(t, s);
}

SELFTEST(storage_svc_stress)
{
	struct stress *s;
	int r;

	SVC_ROLE(STRESS_ID);
	s = kzalloc(sizeof(*s));
	ST_ASSERT(s);
	s->buf[0] = kmalloc(CHUNK);
	s->buf[1] = kmalloc(CHUNK);
	s->seed = 0x5eed0000u + node_self();
	r = s->buf[0] && s->buf[1] ? stress(t, s) : -ENOMEM;
	kfree(s->buf[0]);
	kfree(s->buf[1]);
	kfree(s);
	if (svc_test_done(STRESS_ID))
		ST_FAIL("the storage node did not take DONE");
	return r;
}
