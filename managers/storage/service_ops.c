/* managers/storage/service_ops.c — file-service handlers that work on one
 * object by handle: lookup, open, read, write, stat, truncate, readlink,
 * fsync, statfs (wire formats: include/protocol/storage.h).
 *
 * Every handler follows one shape: decode (first the exact message
 * length, storage_check_len(): its struct plus the lengths it states;
 * then flags and sizes — the only step allowed
 * to reject bad input, which is counted and logged once through
 * storage_bad()), then lock the volume and check the handle
 * (vol_lock_handle: -ESTALE for a freed or reused inode), then act
 * through vol_* with the lock held, unlock, reply.  Errors go back as a
 * negative errno (FIT turns it into an error reply).  Called in FIT
 * worker threads; may sleep.  FIT has already checked min_len.
 */
#include <fit/fit.h>
#include <kernel/printk.h>
#include <kernel/time.h>
#include <lib/string.h>
#include <mm/mm.h>
#include <uapi/errno.h>
#include "internal.h"
#include "timing.h"

_Static_assert(sizeof(struct storage_write_req) + STORAGE_IO_MAX <=
	       FIT_MAX_PAYLOAD && sizeof(struct storage_read_rep) +
	       STORAGE_IO_MAX <= FIT_MAX_PAYLOAD, "READ/WRITE fit one message");

/* -ESTALE from a handle check is the client's mistake: count it. */
static int handle_err(struct fit_msg_ctx *ctx, int err)
{
	return err == -ESTALE ? storage_reject(ctx, STORAGE_BAD_HANDLE, err) : err;
}

static int op_lookup(struct fit_msg_ctx *ctx, const void *req, u32 len)
{
	const struct storage_lookup_req *r = req;
	struct storage_entry_rep rep;
	struct storage_vol *v;
	u32 ino;
	char *path;
	int err;

	if (storage_check_len(ctx, len, (u64)sizeof(*r) + r->path_len))
		return -EBADMSG;
	if (r->flags & ~STORAGE_LOOKUP_FOLLOW)
		return storage_reject(ctx, STORAGE_BAD_ARG, -EINVAL);
	if (!r->path_len)
		return storage_reject(ctx, STORAGE_BAD_PATH, -ENOENT);
	if (r->path_len >= STORAGE_PATH_MAX)
		return storage_reject(ctx, STORAGE_BAD_PATH, -ENAMETOOLONG);
	if (memchr(r + 1, 0, r->path_len))
		return storage_reject(ctx, STORAGE_BAD_PATH, -EINVAL);
	path = kmalloc(r->path_len + 1);
	if (!path)
		return -ENOMEM;
	memcpy(path, r + 1, r->path_len);
	path[r->path_len] = 0;
	err = vol_lock_handle(&r->dir, true, &v, &rep.st);
	if (err) {
		kfree(path);
		return handle_err(ctx, err);
	}
	err = vol_walk(v, r->dir.fs ? r->dir.ino : v->root_ino, path,
		       r->flags & STORAGE_LOOKUP_FOLLOW, &ino);
	if (!err)
		err = vol_handle(v, ino, &rep.h, &rep.st);
	vol_unlock(v);
	kfree(path);
	if (err == -ENOTDIR)
		storage_reject(ctx, STORAGE_BAD_PATH, err);
	return err ? err : fit_reply(ctx, &rep, sizeof(rep));
}

static int open_checks(struct storage_vol *v, const struct storage_stat *st,
		       u32 flags)
{
	u32 acc = flags & STORAGE_O_ACCMODE;
	u32 type = st->mode & STORAGE_S_IFMT;

	if (acc == STORAGE_O_RDONLY)
		return 0;
	if (type == STORAGE_S_IFDIR)
		return -EISDIR;
	if (type == STORAGE_S_IFLNK)
		return -ELOOP;
	if (vol_read_only(v))
		return -EROFS;
	return 0;
}

static int op_open(struct fit_msg_ctx *ctx, const void *req, u32 len)
{
	const struct storage_open_req *r = req;
	struct storage_stat st;
	struct storage_vol *v;
	u32 gen;
	int err;

	if (storage_check_len(ctx, len, sizeof(*r)))
		return -EBADMSG;
	if ((r->flags & STORAGE_O_ACCMODE) == STORAGE_O_ACCMODE)
		return storage_reject(ctx, STORAGE_BAD_ARG, -EINVAL);
	err = vol_lock_handle(&r->h, false, &v, &st);
	if (err)
		return handle_err(ctx, err);
	err = open_checks(v, &st, r->flags);
	if (!err && (r->flags & STORAGE_O_TRUNC) &&
	    (r->flags & STORAGE_O_ACCMODE) &&
	    (st.mode & STORAGE_S_IFMT) == STORAGE_S_IFREG && st.size) {
		err = vol_truncate(v, r->h.ino, 0);
		if (!err)
			err = vol_stat(v, r->h.ino, &st, &gen);
	}
	vol_unlock(v);
	return err ? err : fit_reply(ctx, &st, sizeof(st));
}

static int op_read(struct fit_msg_ctx *ctx, const void *req, u32 len)
{
	const struct storage_read_req *r = req;
	struct storage_read_rep *rep;
	struct storage_stat st;
	struct storage_vol *v;
	u64 t0 = ktime_get_ns(), t1, t2;
	ssize_t n;
	int err;

	if (storage_check_len(ctx, len, sizeof(*r)))
		return -EBADMSG;
	if (r->len > STORAGE_IO_MAX)
		return storage_reject(ctx, STORAGE_BAD_ARG, -EINVAL);
	rep = kmalloc(sizeof(*rep) + r->len);
	if (!rep)
		return -ENOMEM;
	err = vol_lock_handle(&r->h, false, &v, &st);
	if (err) {
		kfree(rep);
		return handle_err(ctx, err);
	}
	t1 = ktime_get_ns();
	if ((st.mode & STORAGE_S_IFMT) == STORAGE_S_IFDIR)
		n = -EISDIR;
	else if ((st.mode & STORAGE_S_IFMT) != STORAGE_S_IFREG)
		n = -EINVAL;
	else
		n = vol_read(v, r->h.ino, r->offset, rep + 1, r->len);
	vol_unlock(v);
	t2 = ktime_get_ns();
	if (n >= 0) {
		*rep = (struct storage_read_rep){ .len = (u32)n,
						  .size = st.size };
		err = fit_reply(ctx, rep, sizeof(*rep) + (u32)n);
		storage_time_server(STORAGE_OP_READ, t0, t1, t2,
				    ktime_get_ns());
	}
	kfree(rep);
	return n < 0 ? (int)n : err;
}

static int op_write(struct fit_msg_ctx *ctx, const void *req, u32 len)
{
	const struct storage_write_req *r = req;
	struct storage_write_rep rep = { 0 };
	struct storage_stat st;
	struct storage_vol *v;
	u64 t0 = ktime_get_ns(), t1, t2;
	ssize_t n;
	int err;

	if (storage_check_len(ctx, len, (u64)sizeof(*r) + r->len))
		return -EBADMSG;
	if (r->len > STORAGE_IO_MAX)
		return storage_reject(ctx, STORAGE_BAD_ARG, -EINVAL);
	err = vol_lock_handle(&r->h, false, &v, &st);
	if (err)
		return handle_err(ctx, err);
	t1 = ktime_get_ns();
	if ((st.mode & STORAGE_S_IFMT) == STORAGE_S_IFDIR)
		n = -EISDIR;
	else if ((st.mode & STORAGE_S_IFMT) != STORAGE_S_IFREG)
		n = -EINVAL;
	else
		n = vol_write(v, r->h.ino, r->offset, r + 1, r->len);
	vol_unlock(v);
	t2 = ktime_get_ns();
	if (n < 0)
		return (int)n;
	rep.len = (u32)n;
	rep.size = MAX(st.size, r->offset + (u64)n);
	err = fit_reply(ctx, &rep, sizeof(rep));
	storage_time_server(STORAGE_OP_WRITE, t0, t1, t2, ktime_get_ns());
	return err;
}

static int op_stat(struct fit_msg_ctx *ctx, const void *req, u32 len)
{
	const struct storage_stat_req *r = req;
	struct storage_stat st;
	struct storage_vol *v;
	int err;

	if (storage_check_len(ctx, len, sizeof(*r)))
		return -EBADMSG;
	err = vol_lock_handle(&r->h, false, &v, &st);
	if (err)
		return handle_err(ctx, err);
	vol_unlock(v);
	return fit_reply(ctx, &st, sizeof(st));
}

static int op_truncate(struct fit_msg_ctx *ctx, const void *req, u32 len)
{
	const struct storage_truncate_req *r = req;
	struct storage_stat st;
	struct storage_vol *v;
	u32 gen;
	int err;

	if (storage_check_len(ctx, len, sizeof(*r)))
		return -EBADMSG;
	err = vol_lock_handle(&r->h, false, &v, &st);
	if (err)
		return handle_err(ctx, err);
	if ((st.mode & STORAGE_S_IFMT) == STORAGE_S_IFDIR)
		err = -EISDIR;
	else if ((st.mode & STORAGE_S_IFMT) != STORAGE_S_IFREG)
		err = -EINVAL;
	else
		err = vol_truncate(v, r->h.ino, r->size);
	if (!err)
		err = vol_stat(v, r->h.ino, &st, &gen);
	vol_unlock(v);
	return err ? err : fit_reply(ctx, &st, sizeof(st));
}

static int op_readlink(struct fit_msg_ctx *ctx, const void *req, u32 len)
{
	const struct storage_readlink_req *r = req;
	struct storage_readlink_rep *rep;
	struct storage_stat st;
	struct storage_vol *v;
	ssize_t n;
	int err;

	if (storage_check_len(ctx, len, sizeof(*r)))
		return -EBADMSG;
	rep = kmalloc(sizeof(*rep) + STORAGE_PATH_MAX);
	if (!rep)
		return -ENOMEM;
	err = vol_lock_handle(&r->h, false, &v, &st);
	if (err) {
		kfree(rep);
		return handle_err(ctx, err);
	}
	n = vol_readlink(v, r->h.ino, (char *)(rep + 1), STORAGE_PATH_MAX);
	vol_unlock(v);
	if (n >= 0) {
		*rep = (struct storage_readlink_rep){ .len = (u32)n };
		err = fit_reply(ctx, rep, sizeof(*rep) + (u32)n);
	}
	kfree(rep);
	return n < 0 ? (int)n : err;
}

static int op_fsync(struct fit_msg_ctx *ctx, const void *req, u32 len)
{
	const struct storage_fsync_req *r = req;
	struct storage_stat st;
	struct storage_vol *v;
	int err;

	if (storage_check_len(ctx, len, sizeof(*r)))
		return -EBADMSG;
	if (r->flags & ~1u)
		return storage_reject(ctx, STORAGE_BAD_ARG, -EINVAL);
	err = vol_lock_handle(&r->h, false, &v, &st);
	if (err)
		return handle_err(ctx, err);
	if (!vol_read_only(v))
		err = ext2_fsync(vol_ext2(v), r->h.ino);
	vol_unlock(v);
	return err ? err : fit_reply(ctx, NULL, 0);
}

static int op_statfs(struct fit_msg_ctx *ctx, const void *req, u32 len)
{
	const struct storage_statfs_req *r = req;
	struct storage_statfs_rep rep;
	struct storage_vol *v;
	int err;

	if (storage_check_len(ctx, len, sizeof(*r)))
		return -EBADMSG;
	err = storage_wait_ready();
	if (err)
		return err;
	v = r->fs ? vol_find(r->fs) : vol_root();
	if (!v)
		return r->fs ? storage_reject(ctx, STORAGE_BAD_HANDLE, -ESTALE) : -ENODEV;
	mutex_lock(&v->lock);
	err = vol_statfs(v, &rep);
	vol_unlock(v);
	return err ? err : fit_reply(ctx, &rep, sizeof(rep));
}

const struct storage_handler storage_file_handlers[] = {
	{ STORAGE_OP_LOOKUP, sizeof(struct storage_lookup_req), op_lookup },
	{ STORAGE_OP_OPEN, sizeof(struct storage_open_req), op_open },
	{ STORAGE_OP_READ, sizeof(struct storage_read_req), op_read },
	{ STORAGE_OP_WRITE, sizeof(struct storage_write_req), op_write },
	{ STORAGE_OP_STAT, sizeof(struct storage_stat_req), op_stat },
	{ STORAGE_OP_TRUNCATE, sizeof(struct storage_truncate_req),
	  op_truncate },
	{ STORAGE_OP_READLINK, sizeof(struct storage_readlink_req),
	  op_readlink },
	{ STORAGE_OP_FSYNC, sizeof(struct storage_fsync_req), op_fsync },
	{ STORAGE_OP_STATFS, sizeof(struct storage_statfs_req), op_statfs },
};
const unsigned int storage_nr_file_handlers = ARRAY_SIZE(storage_file_handlers);
