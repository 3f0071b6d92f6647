/* managers/storage/storage_test.c — selftests of the file service through
 * the client library and raw FIT messages.  They need a served writable
 * ext2 root (`tessera selftest --disk disk.img 'storage_svc*'`) and skip
 * otherwise; storage_svc_archive needs the boot archive instead
 * (`--archive DIR`).  On role=all every call goes through FIT's loopback;
 * with a topology the calls go to the storage node (storage_node()).
 *
 *  storage_svc_ops      every operation once, with the errnos Linux gives
 *                       (-EEXIST, -ENOENT, -ENOTDIR, -EISDIR, -ENOTEMPTY,
 *                       -ENAMETOOLONG) and -ESTALE for a handle whose
 *                       inode was unlinked, then reused.
 *  storage_svc_bad      malformed requests sent raw: short, lengths that
 *                       disagree, unknown fs, inode out of range, reserved
 *                       inode, wrong generation, names with '/' or too
 *                       long, oversized I/O, bad flags; each gets its
 *                       errno and the service still answers afterwards.
 *  storage_svc_archive  the boot archive: lookups, reads, readdir, and
 *                       -EROFS for every change.
 *  storage_svc_readonly  a read-only ext2 disk: served, and -EROFS for
 *                       every change (the walk of storage_svc_archive).
 *  storage_svc_writeback  a dirty volume is written back by the
 *                       write-back thread within 12 s, without fsync
 *                       (only where the volume is local: role=all).
 * The 200-file stress test is in storage_stress_test.c.
 */
#include <fit/fit.h>
#include <kernel/node.h>
#include <kernel/param.h>
#include <kernel/printk.h>
#include <kernel/sched.h>
#include <kernel/selftest.h>
#include <kernel/time.h>
#include <kernel/wait.h>
#include <lib/printf.h>
#include <lib/string.h>
#include <mm/mm.h>
#include <storage/client.h>
#include <uapi/errno.h>
#include "internal.h"

/* How long a serving node waits for DONE: long enough for the full-size
 * cross-node stress test and the 256 MiB remote bench under TCG (the
 * host's own timeout ends a run whose driver died). */
static unsigned long serve_s = 7200;
param_ulong("storage_test.serve_s", serve_s,
	    "seconds a storage node serves a cross-node test (default 7200)");

static u32 done_mask;
static DEFINE_WAIT_QUEUE_HEAD(done_wait);

static int done_handler(struct fit_msg_ctx *ctx, const void *req, u32 len)
{
	u32 id = *(const u32 *)req;
	int r = fit_reply(ctx, NULL, 0);

	if (id < 32)
		__atomic_or_fetch(&done_mask, 1u << id, __ATOMIC_RELEASE);
	wake_up_all(&done_wait);
	return r;
}

enum svc_test_role svc_test_role(void)
{
	if (node_count() == 1 || node_self() == 0)
		return SVC_DRIVE;
	if (!node_has_role(ROLE_STORAGE))
		return SVC_SKIP;
	return SVC_SERVE;
}

#define TIMING_TAG_MAX	31

static int timing_handler(struct fit_msg_ctx *ctx, const void *req, u32 len)
{
	char tag[TIMING_TAG_MAX + 1];

	len = MIN(len, (u32)TIMING_TAG_MAX);
	memcpy(tag, req, len);
	tag[len] = 0;
	storage_timing_dump(tag);
	storage_timing_reset();
	return fit_reply(ctx, NULL, 0);
}

void svc_test_timing(const char *tag)
{
	int node = storage_node();

	storage_timing_dump(tag);
	storage_timing_reset();
	if (node >= 0 && (unsigned int)node != node_self())
		fit_call((u16)node, P2S_OP(STORAGE_OP_TEST_TIMING), tag,
			 (u32)strnlen(tag, TIMING_TAG_MAX), NULL, 0,
			 5 * NSEC_PER_SEC);
}

int svc_test_serve(u32 id)
{
	u64 deadline = ktime_get_ns() + serve_s * NSEC_PER_SEC;
	int r = fit_register_handler(P2S_OP(STORAGE_OP_TEST_DONE), 4,
				     done_handler);

	if (r && r != -EEXIST)
		return r;
	r = fit_register_handler(P2S_OP(STORAGE_OP_TEST_TIMING), 0,
				 timing_handler);
	if (r && r != -EEXIST)
		return r;
	while (!(__atomic_load_n(&done_mask, __ATOMIC_ACQUIRE) & (1u << id))) {
		DEFINE_WAIT(w);
		u64 now = ktime_get_ns();

		if (now >= deadline)
			return -ETIMEDOUT;
		prepare_to_wait(&done_wait, &w, TASK_INTERRUPTIBLE);
		if (!(__atomic_load_n(&done_mask, __ATOMIC_ACQUIRE) &
		      (1u << id)))
			schedule_timeout(MIN(deadline - now, NSEC_PER_SEC));
		finish_wait(&done_wait, &w);
	}
	fit_quiesce(5 * NSEC_PER_SEC);
	return 0;
}

/* The serving node may still be starting its own copy of the test:
 * retry "no such opcode"; DONE is idempotent, so retry timeouts too. */
int svc_test_done(u32 id)
{
	int node = storage_node(), r = -EOPNOTSUPP;

	if (node < 0 || (unsigned int)node == node_self())
		return 0;
	for (int i = 0; i < 300 && (r == -EOPNOTSUPP || r == -ETIMEDOUT); i++) {
		r = fit_call((u16)node, P2S_OP(STORAGE_OP_TEST_DONE), &id,
			     sizeof(id), NULL, 0, 5 * NSEC_PER_SEC);
		if (r == -EOPNOTSUPP)
			msleep(100);
	}
	return r < 0 ? r : 0;
}


static bool writable_ext2(void)
{
	struct storage_statfs_rep fs;

	return !storage_statfs(0, &fs) && fs.type == STORAGE_FS_EXT2 &&
	       !(fs.flags & STORAGE_STATFS_RDONLY);
}

static int make_dir(struct selftest_ctx *t, struct storage_handle *out)
{
	char name[32];
	int err;

	snprintf(name, sizeof(name), "svc-ops-%u", node_self());
	err = storage_mkdir(NULL, name, 0755, 0, 0, out, NULL);
	if (err == -EEXIST)
		err = storage_lookup(NULL, name, false, out, NULL);
	ST_EQ(err, 0);
	return 0;
}

static int ops_files(struct selftest_ctx *t, struct storage_handle *d)
{
	struct storage_handle f, g, f2;
	struct storage_stat st;
	u8 *page = kmalloc(4096), *back = kmalloc(4096);

	ST_ASSERT(page && back);
	for (int i = 0; i < 4096; i++)
		page[i] = (u8)(i * 7 + 3);
	ST_EQ(storage_create(d, "a", 0644, 0, 0, 0, &f, &st), 0);
	ST_EQ(storage_create(d, "a", 0644, 0, 0, STORAGE_CREATE_EXCL, NULL,
			     NULL), -EEXIST);
	ST_EQ(storage_write(&f, 8192, page, 4096), 4096);
	ST_EQ(storage_read(&f, 8192, back, 4096), 4096);
	ST_ASSERT(!memcmp(page, back, 4096));
	ST_EQ(storage_read(&f, 0, back, 4096), 4096);	/* hole: zeros */
	ST_ASSERT(!back[0] && !back[4095]);
	ST_EQ(storage_stat(&f, &st), 0);
	ST_EQ(st.size, 12288);
	ST_EQ(storage_truncate(&f, 100), 0);
	ST_EQ(storage_read(&f, 0, back, 4096), 100);
	ST_EQ(storage_open(&f, STORAGE_O_RDWR | STORAGE_O_TRUNC, &st), 0);
	ST_EQ(st.size, 0);
	ST_EQ(storage_open(d, STORAGE_O_WRONLY, NULL), -EISDIR);
	ST_EQ(storage_link(&f, d, "a-link"), 0);
	ST_EQ(storage_stat(&f, &st), 0);
	ST_EQ(st.nlink, 2);
	ST_EQ(storage_lookup(d, "a/x", false, NULL, NULL), -ENOTDIR);
	ST_EQ(storage_lookup(d, "nope", false, NULL, NULL), -ENOENT);
	ST_EQ(storage_symlink(d, "sl", "a", 0, 0, NULL, NULL), 0);
	ST_EQ(storage_lookup(d, "sl", true, &g, NULL), 0);
	ST_EQ(g.ino, f.ino);
	ST_EQ(storage_lookup(d, "sl", false, &g, NULL), 0);
	ST_EQ(storage_readlink(&g, (char *)back, 64), 1);
	ST_EQ(back[0], 'a');
	/* Unlink both names: the handle goes stale; a reuse does not
	 * revive it. */
	ST_EQ(storage_unlink(d, "a"), 0);
	ST_EQ(storage_unlink(d, "a-link"), 0);
	ST_EQ(storage_stat(&f, NULL), -ESTALE);
	ST_EQ(storage_create(d, "b", 0644, 0, 0, 0, &f2, NULL), 0);
	if (f2.ino == f.ino)
		ST_ASSERT(f2.gen != f.gen);
	ST_EQ(storage_write(&f, 0, page, 10), -ESTALE);
	ST_EQ(storage_unlink(d, "b"), 0);
	ST_EQ(storage_unlink(d, "sl"), 0);
	ST_EQ(storage_fsync(d), 0);
	kfree(page);
	kfree(back);
	return 0;
}

static int ops_dirs(struct selftest_ctx *t, struct storage_handle *d)
{
	struct storage_dirent_info *ents = kmalloc(8 * sizeof(*ents));
	char name[300];
	struct storage_handle s;
	u64 cookie = 0;
	int n, total = 0, found = 0;

	ST_ASSERT(ents);
	ST_EQ(storage_mkdir(d, "sub", 0755, 0, 0, &s, NULL), 0);
	ST_EQ(storage_mkdir(d, "sub", 0755, 0, 0, NULL, NULL), -EEXIST);
	ST_EQ(storage_create(&s, "in", 0644, 0, 0, 0, NULL, NULL), 0);
	ST_EQ(storage_rmdir(d, "sub"), -ENOTEMPTY);
	ST_EQ(storage_unlink(d, "sub"), -EISDIR);
	ST_EQ(storage_rename(&s, "in", d, "moved"), 0);
	ST_EQ(storage_lookup(d, "moved", false, NULL, NULL), 0);
	memset(name, 'n', 256);
	name[256] = 0;
	ST_EQ(storage_create(d, name, 0644, 0, 0, 0, NULL, NULL),
	      -ENAMETOOLONG);
	while ((n = storage_readdir(d, &cookie, ents, 8)) > 0) {
		for (int i = 0; i < n; i++)
			found += !strcmp(ents[i].name, "moved") ||
				 !strcmp(ents[i].name, "sub");
		total += n;
	}
	ST_EQ(n, 0);
	ST_EQ(found, 2);
	ST_EQ(total, 4);			/* . .. sub moved */
	ST_EQ(storage_unlink(d, "moved"), 0);
	ST_EQ(storage_rmdir(d, "sub"), 0);
	ST_EQ(storage_stat(&s, NULL), -ESTALE);
	kfree(ents);
	return 0;
}

static int svc_ops(struct selftest_ctx *t)
{
	struct storage_statfs_rep fs, fs2;
	struct storage_handle d;
	char name[32];

	if (storage_node() < 0 || !writable_ext2())
		ST_SKIP("no writable ext2 served (use --disk IMG)");
	ST_EQ(storage_statfs(0, &fs), 0);
	if (make_dir(t, &d) || ops_files(t, &d) || ops_dirs(t, &d))
		return -1;
	snprintf(name, sizeof(name), "svc-ops-%u", node_self());
	ST_EQ(storage_rmdir(NULL, name), 0);
	ST_EQ(storage_fsync(&fs.root), 0);
	ST_EQ(storage_statfs(0, &fs2), 0);
	ST_EQ(fs2.ffree, fs.ffree);
	ST_EQ(fs2.bfree, fs.bfree);
	return 0;
}

SELFTEST(storage_svc_ops)
{
	int r;

	SVC_ROLE(1);
	r = svc_ops(t);
	if (svc_test_done(1))
		ST_FAIL("the storage node did not take DONE");
	return r;
}

/* One raw request; returns fit_call's result. */
static int raw(u8 op, const void *req, u32 len, void *rep, u32 max)
{
	return fit_call((u16)storage_node(), P2S_OP(op), req, len, rep, max,
			0);
}

static int bad_handles(struct selftest_ctx *t,
		       const struct storage_handle *root, bool ext2)
{
	struct storage_stat_req sr = { .h = *root };
	struct storage_stat st;

	ST_EQ(raw(STORAGE_OP_STAT, &sr, sizeof(sr), &st, sizeof(st)),
	      (int)sizeof(st));
	ST_EQ(raw(STORAGE_OP_STAT, &sr, 8, &st, sizeof(st)), -EBADMSG);
	sr.h.fs = 99;
	ST_EQ(raw(STORAGE_OP_STAT, &sr, sizeof(sr), &st, sizeof(st)), -ESTALE);
	sr.h = *root;
	sr.h.ino = 0x7fffffff;
	ST_EQ(raw(STORAGE_OP_STAT, &sr, sizeof(sr), &st, sizeof(st)), -ESTALE);
	sr.h.ino = 7;			/* ext2: reserved (resize inode) */
	if (ext2)
		ST_EQ(raw(STORAGE_OP_STAT, &sr, sizeof(sr), &st, sizeof(st)),
		      -ESTALE);
	sr.h = *root;
	sr.h.gen ^= 1;
	ST_EQ(raw(STORAGE_OP_STAT, &sr, sizeof(sr), &st, sizeof(st)), -ESTALE);
	sr.h = *root;
	sr.h.reserved = 1;
	ST_EQ(raw(STORAGE_OP_STAT, &sr, sizeof(sr), &st, sizeof(st)), -ESTALE);
	return 0;
}

static int bad_names(struct selftest_ctx *t, const struct storage_handle *root)
{
	struct {
		struct storage_unlink_req r;
		char name[300];
	} u = { .r = { .dir = *root } };
	struct {
		struct storage_lookup_req r;
		char path[16];
	} l = { .r = { .dir = *root } };

	memcpy(u.name, "a/b", 3);
	u.r.name_len = 3;
	ST_EQ(raw(STORAGE_OP_UNLINK, &u, sizeof(u.r) + 3, NULL, 0), -EINVAL);
	ST_EQ(raw(STORAGE_OP_UNLINK, &u, sizeof(u.r) + 2, NULL, 0), -EBADMSG);
	u.r.name_len = 0;
	ST_EQ(raw(STORAGE_OP_UNLINK, &u, sizeof(u.r), NULL, 0), -ENOENT);
	memset(u.name, 'x', 300);
	u.r.name_len = 300;
	ST_EQ(raw(STORAGE_OP_UNLINK, &u, sizeof(u), NULL, 0), -ENAMETOOLONG);
	memcpy(l.path, "x\0y", 3);
	l.r.path_len = 3;
	ST_EQ(raw(STORAGE_OP_LOOKUP, &l, sizeof(l.r) + 3, NULL, 0), -EINVAL);
	l.r.path_len = 5000;
	ST_EQ(raw(STORAGE_OP_LOOKUP, &l, sizeof(l.r) + 3, NULL, 0), -EBADMSG);
	l.r.path_len = 1;
	l.r.flags = 0x80;
	ST_EQ(raw(STORAGE_OP_LOOKUP, &l, sizeof(l.r) + 1, NULL, 0), -EINVAL);
	return 0;
}

static int bad_io(struct selftest_ctx *t, const struct storage_handle *root)
{
	struct storage_read_req rr = { .h = *root, .len = STORAGE_IO_MAX + 1 };
	struct storage_write_req wr = { .h = *root, .len = 16 };
	struct storage_open_req o = { .h = *root, .flags = 3 };
	u8 rep[64];

	ST_EQ(raw(STORAGE_OP_READ, &rr, sizeof(rr), rep, sizeof(rep)),
	      -EINVAL);
	rr.len = 16;
	ST_EQ(raw(STORAGE_OP_READ, &rr, sizeof(rr), rep, sizeof(rep)),
	      -EISDIR);
	ST_EQ(raw(STORAGE_OP_WRITE, &wr, sizeof(wr), rep, sizeof(rep)),
	      -EBADMSG);
	ST_EQ(raw(STORAGE_OP_OPEN, &o, sizeof(o), rep, sizeof(rep)), -EINVAL);
	ST_EQ(fit_call((u16)storage_node(), P2S_OP(0xee), NULL, 0, NULL, 0, 0),
	      -EOPNOTSUPP);
	return 0;
}

static int svc_bad(struct selftest_ctx *t)
{
	struct storage_statfs_rep fs;

	if (storage_node() < 0 || storage_statfs(0, &fs))
		ST_SKIP("no filesystem served (use --disk or --archive)");
	if (bad_handles(t, &fs.root, fs.type == STORAGE_FS_EXT2) || bad_names(t, &fs.root) ||
	    bad_io(t, &fs.root))
		return -1;
	/* Still serving. */
	ST_EQ(storage_statfs(0, &fs), 0);
	ST_EQ(storage_lookup(NULL, "/", false, NULL, NULL), 0);
	return 0;
}

SELFTEST(storage_svc_bad)
{
	int r;

	SVC_ROLE(2);
	r = svc_bad(t);
	if (svc_test_done(2))
		ST_FAIL("the storage node did not take DONE");
	return r;
}

static int archive_walk(struct selftest_ctx *t, struct storage_handle *dir,
			int depth, int *files)
{
	struct storage_dirent_info *e = kmalloc(sizeof(*e));
	struct storage_handle h;
	struct storage_stat st;
	u64 cookie = 0;
	u8 buf[64];
	int n;

	ST_ASSERT(e);
	while ((n = storage_readdir(dir, &cookie, e, 1)) == 1) {
		if (!strcmp(e->name, ".") || !strcmp(e->name, ".."))
			continue;
		ST_EQ(storage_lookup(dir, e->name, false, &h, &st), 0);
		if (e->type == 8) {
			ST_EQ(storage_read(&h, 0, buf, sizeof(buf)),
			      MIN(st.size, sizeof(buf)));
			ST_EQ(storage_open(&h, STORAGE_O_RDWR, NULL), -EROFS);
			ST_EQ(storage_truncate(&h, 0), -EROFS);
			(*files)++;
		} else if (e->type == 4 && depth < 8 &&
			   archive_walk(t, &h, depth + 1, files)) {
			return -1;
		}
	}
	ST_EQ(n, 0);
	ST_EQ(storage_create(dir, "new", 0644, 0, 0, 0, NULL, NULL), -EROFS);
	ST_EQ(storage_mkdir(dir, "new", 0755, 0, 0, NULL, NULL), -EROFS);
	kfree(e);
	return 0;
}

static int svc_archive(struct selftest_ctx *t)
{
	struct storage_statfs_rep fs;
	int files = 0;

	if (storage_node() < 0 || storage_statfs(0, &fs) ||
	    fs.type != STORAGE_FS_ARCHIVE)
		ST_SKIP("no boot archive served (use --archive DIR)");
	ST_ASSERT(fs.flags & STORAGE_STATFS_RDONLY);
	if (archive_walk(t, &fs.root, 0, &files))
		return -1;
	ST_ASSERT(files > 0);
	ST_EQ(storage_unlink(&fs.root, "x"), -EROFS);
	return 0;
}

/* A read-only disk (QEMU readonly=on): served, every change -EROFS. */
static int svc_readonly(struct selftest_ctx *t)
{
	struct storage_statfs_rep fs;
	int files = 0;

	if (storage_node() < 0 || storage_statfs(0, &fs) ||
	    fs.type != STORAGE_FS_EXT2 || !(fs.flags & STORAGE_STATFS_RDONLY))
		ST_SKIP("no read-only ext2 served (use a readonly disk)");
	if (archive_walk(t, &fs.root, 0, &files))
		return -1;
	ST_ASSERT(files > 0);
	ST_EQ(storage_fsync(&fs.root), 0);
	return 0;
}

SELFTEST(storage_svc_readonly)
{
	int r;

	SVC_ROLE(7);
	r = svc_readonly(t);
	if (svc_test_done(7))
		ST_FAIL("the storage node did not take DONE");
	return r;
}

SELFTEST(storage_svc_archive)
{
	int r;

	SVC_ROLE(3);
	r = svc_archive(t);
	if (svc_test_done(3))
		ST_FAIL("the storage node did not take DONE");
	return r;
}

/* The write-back thread syncs a dirty volume within its period (5 s):
 * checked on the volume itself, so only where it is local. */
static int svc_writeback(struct selftest_ctx *t)
{
	struct storage_handle f;
	struct storage_vol *v;
	bool dirty = true;
	char name[32];

	if (!node_has_role(ROLE_STORAGE) || storage_wait_ready())
		ST_SKIP("not a storage node");
	v = vol_root();
	if (!v || v->type != STORAGE_FS_EXT2 || !writable_ext2())
		ST_SKIP("no local writable ext2 (use --disk IMG on role=all)");
	snprintf(name, sizeof(name), "wb-%u", node_self());
	ST_EQ(storage_create(NULL, name, 0644, 0, 0, 0, &f, NULL), 0);
	ST_EQ(storage_write(&f, 0, name, 4), 4);
	for (int i = 0; i < 120 && dirty; i++) {
		mutex_lock(&v->lock);
		dirty = v->ext2 && ext2_needs_sync(v->ext2);
		mutex_unlock(&v->lock);
		if (dirty)
			msleep(100);
	}
	ST_ASSERT(!dirty);
	ST_EQ(storage_unlink(NULL, name), 0);
	return 0;
}

SELFTEST(storage_svc_writeback)
{
	int r;

	SVC_ROLE(6);
	r = svc_writeback(t);
	if (svc_test_done(6))
		ST_FAIL("the storage node did not take DONE");
	return r;
}
