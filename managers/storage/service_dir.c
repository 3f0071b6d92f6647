/* managers/storage/service_dir.c — file-service handlers that list or
 * change directories: readdir, create, mkdir, symlink, link, unlink,
 * rmdir, rename (wire formats: include/protocol/storage.h).
 *
 * Same shape as service_ops.c: decode and check (the exact length,
 * storage_check_len(), then arguments and names —
 * storage_name() — counted and logged once when bad), lock the volume
 * through the directory handle, check any second handle on the same
 * volume (another volume: -EXDEV), act with the lock held, reply.  A
 * read-only volume (the boot archive, a read-only disk or a volume with
 * unknown RO_COMPAT features) answers changes with -EROFS.  Called in
 * FIT worker threads; may sleep.
 */
#include <fit/fit.h>
#include <lib/string.h>
#include <mm/mm.h>
#include <uapi/errno.h>
#include "internal.h"

int storage_name(struct fit_msg_ctx *ctx, const void *p, u32 len, char *out)
{
	if (!len)
		return storage_reject(ctx, STORAGE_BAD_NAME, -ENOENT);
	if (len > STORAGE_NAME_MAX)
		return storage_reject(ctx, STORAGE_BAD_NAME, -ENAMETOOLONG);
	if (memchr(p, 0, len) || memchr(p, '/', len))
		return storage_reject(ctx, STORAGE_BAD_NAME, -EINVAL);
	memcpy(out, p, len);
	out[len] = 0;
	return 0;
}

/* Lock the volume of directory @h and check it is a directory. */
static int lock_dir(struct fit_msg_ctx *ctx, const struct storage_handle *h,
		    bool change, struct storage_vol **v)
{
	struct storage_stat st;
	int err = vol_lock_handle(h, false, v, &st);

	if (err)
		return err == -ESTALE ? storage_reject(ctx, STORAGE_BAD_HANDLE, err) : err;
	if ((st.mode & STORAGE_S_IFMT) != STORAGE_S_IFDIR)
		err = -ENOTDIR;
	else if (change && vol_read_only(*v))
		err = -EROFS;
	if (err)
		vol_unlock(*v);
	return err;
}

static u32 dirent_size(u32 name_len)
{
	return (sizeof(struct storage_dirent) + name_len + 7) & ~7u;
}

static int fill_dirents(struct storage_vol *v, u32 dir, u64 *cookie,
			u8 *out, u32 max, u32 max_ents,
			struct storage_readdir_rep *rep)
{
	struct storage_ent *e = kmalloc(sizeof(*e));
	u32 used = 0;
	int r = 1;

	if (!e)
		return -ENOMEM;
	while (r == 1 && (!max_ents || rep->count < max_ents)) {
		u64 before = *cookie;
		struct storage_dirent *d = (void *)(out + used);

		r = vol_readdir(v, dir, cookie, e);
		if (r != 1)
			break;
		if (used + dirent_size(e->name_len) > max) {
			*cookie = before;
			break;
		}
		memset(d, 0, dirent_size(e->name_len));
		*d = (struct storage_dirent){ .ino = e->ino,
			.rec_len = (u16)dirent_size(e->name_len),
			.type = e->type, .name_len = e->name_len };
		memcpy(d + 1, e->name, e->name_len);
		used += d->rec_len;
		rep->count++;
	}
	kfree(e);
	rep->eof = r == 0;	/* stopped by a limit: not known yet */
	rep->cookie = *cookie;
	if (r < 0)
		return r;
	return rep->count || rep->eof ? (int)used : -EINVAL;
}

static int op_readdir(struct fit_msg_ctx *ctx, const void *req, u32 len)
{
	const struct storage_readdir_req *r = req;
	u32 max = MIN(r->max_bytes, FIT_MAX_PAYLOAD - 16u);
	struct storage_readdir_rep *rep;
	struct storage_vol *v;
	u64 cookie = r->cookie;
	int n;

	if (storage_check_len(ctx, len, sizeof(*r)))
		return -EBADMSG;
	if (max < dirent_size(STORAGE_NAME_MAX))
		return storage_reject(ctx, STORAGE_BAD_ARG, -EINVAL);
	rep = kzalloc(sizeof(*rep) + max);
	if (!rep)
		return -ENOMEM;
	n = lock_dir(ctx, &r->dir, false, &v);
	if (!n) {
		n = fill_dirents(v, r->dir.ino, &cookie, (u8 *)(rep + 1), max,
				 r->max_entries, rep);
		vol_unlock(v);
	}
	if (n >= 0)
		n = fit_reply(ctx, rep, sizeof(*rep) + (u32)n);
	kfree(rep);
	return n;
}

static int reply_entry(struct fit_msg_ctx *ctx, struct storage_vol *v,
		       u32 ino, int err)
{
	struct storage_entry_rep rep;

	if (!err)
		err = vol_handle(v, ino, &rep.h, &rep.st);
	vol_unlock(v);
	return err ? err : fit_reply(ctx, &rep, sizeof(rep));
}

static int op_create(struct fit_msg_ctx *ctx, const void *req, u32 len)
{
	const struct storage_create_req *r = req;
	struct storage_stat st;
	struct storage_vol *v;
	char name[256];
	u32 ino, gen;
	int err;

	if (storage_check_len(ctx, len, (u64)sizeof(*r) + r->name_len))
		return -EBADMSG;
	if (r->flags & ~STORAGE_CREATE_EXCL || r->mode & ~07777u)
		return storage_reject(ctx, STORAGE_BAD_ARG, -EINVAL);
	err = storage_name(ctx, r + 1, r->name_len, name);
	if (!err)
		err = lock_dir(ctx, &r->dir, false, &v);
	if (err)
		return err;
	err = vol_lookup(v, r->dir.ino, name, &ino);
	if (!err && (r->flags & STORAGE_CREATE_EXCL))
		err = -EEXIST;
	else if (!err && !vol_stat(v, ino, &st, &gen) &&
		 (st.mode & STORAGE_S_IFMT) == STORAGE_S_IFDIR)
		err = -EISDIR;
	else if (err == -ENOENT)
		err = vol_read_only(v) ? -EROFS :
		      ext2_create(vol_ext2(v), r->dir.ino, name,
				  (u16)r->mode, r->uid, r->gid, &ino);
	return reply_entry(ctx, v, ino, err);
}

static int op_mkdir(struct fit_msg_ctx *ctx, const void *req, u32 len)
{
	const struct storage_mkdir_req *r = req;
	struct storage_vol *v;
	char name[256];
	u32 ino = 0;
	int err;

	if (storage_check_len(ctx, len, (u64)sizeof(*r) + r->name_len))
		return -EBADMSG;
	if (r->mode & ~07777u)
		return storage_reject(ctx, STORAGE_BAD_ARG, -EINVAL);
	err = storage_name(ctx, r + 1, r->name_len, name);
	if (!err)
		err = lock_dir(ctx, &r->dir, true, &v);
	if (err)
		return err;
	err = ext2_mkdir(vol_ext2(v), r->dir.ino, name, (u16)r->mode, r->uid,
			 r->gid, &ino);
	return reply_entry(ctx, v, ino, err);
}

static int op_symlink(struct fit_msg_ctx *ctx, const void *req, u32 len)
{
	const struct storage_symlink_req *r = req;
	const char *target = (const char *)(r + 1) + r->name_len;
	struct storage_vol *v;
	char name[256], *t;
	u32 ino = 0;
	int err;

	if (storage_check_len(ctx, len, (u64)sizeof(*r) + r->name_len +
			      r->target_len))
		return -EBADMSG;
	if (!r->target_len || r->target_len >= STORAGE_PATH_MAX ||
	    memchr(target, 0, r->target_len))
		return storage_reject(ctx, STORAGE_BAD_PATH, r->target_len ?
			   -ENAMETOOLONG : -ENOENT);
	err = storage_name(ctx, r + 1, r->name_len, name);
	if (err)
		return err;
	t = kmalloc(r->target_len + 1u);
	if (!t)
		return -ENOMEM;
	memcpy(t, target, r->target_len);
	t[r->target_len] = 0;
	err = lock_dir(ctx, &r->dir, true, &v);
	if (!err) {
		err = ext2_symlink(vol_ext2(v), r->dir.ino, name, t, r->uid,
				   r->gid, &ino);
		err = reply_entry(ctx, v, ino, err);
	}
	kfree(t);
	return err;
}

static int op_link(struct fit_msg_ctx *ctx, const void *req, u32 len)
{
	const struct storage_link_req *r = req;
	struct storage_stat st;
	struct storage_vol *v;
	char name[256];
	int err;

	if (storage_check_len(ctx, len, (u64)sizeof(*r) + r->name_len))
		return -EBADMSG;
	err = storage_name(ctx, r + 1, r->name_len, name);
	if (!err)
		err = lock_dir(ctx, &r->dir, true, &v);
	if (err)
		return err;
	err = vol_check_locked(v, &r->h, &st);
	if (!err)
		err = ext2_link(vol_ext2(v), r->h.ino, r->dir.ino, name);
	if (!err)
		err = vol_check_locked(v, &r->h, &st);
	vol_unlock(v);
	return err ? err : fit_reply(ctx, &st, sizeof(st));
}

/* UNLINK and RMDIR share a layout. */
static int remove_name(struct fit_msg_ctx *ctx, const void *req, u32 len,
		       bool dir)
{
	const struct storage_unlink_req *r = req;
	struct storage_vol *v;
	char name[256];
	int err;

	if (storage_check_len(ctx, len, (u64)sizeof(*r) + r->name_len))
		return -EBADMSG;
	err = storage_name(ctx, r + 1, r->name_len, name);
	if (!err)
		err = lock_dir(ctx, &r->dir, true, &v);
	if (err)
		return err;
	err = dir ? ext2_rmdir(vol_ext2(v), r->dir.ino, name) :
		    ext2_unlink(vol_ext2(v), r->dir.ino, name);
	vol_unlock(v);
	return err ? err : fit_reply(ctx, NULL, 0);
}

static int op_unlink(struct fit_msg_ctx *ctx, const void *req, u32 len)
{
	return remove_name(ctx, req, len, false);
}

static int op_rmdir(struct fit_msg_ctx *ctx, const void *req, u32 len)
{
	return remove_name(ctx, req, len, true);
}

static int op_rename(struct fit_msg_ctx *ctx, const void *req, u32 len)
{
	const struct storage_rename_req *r = req;
	const char *p = (const char *)(r + 1);
	char oname[256], nname[256];
	struct storage_stat st;
	struct storage_vol *v;
	int err;

	if (storage_check_len(ctx, len, (u64)sizeof(*r) + r->oname_len +
			      r->nname_len))
		return -EBADMSG;
	err = storage_name(ctx, p, r->oname_len, oname);
	if (!err)
		err = storage_name(ctx, p + r->oname_len, r->nname_len, nname);
	if (!err)
		err = lock_dir(ctx, &r->odir, true, &v);
	if (err)
		return err;
	err = vol_check_locked(v, &r->ndir, &st);
	if (!err && (st.mode & STORAGE_S_IFMT) != STORAGE_S_IFDIR)
		err = -ENOTDIR;
	if (!err)
		err = ext2_rename(vol_ext2(v), r->odir.ino, oname, r->ndir.ino,
				  nname);
	vol_unlock(v);
	if (err == -ESTALE)
		storage_reject(ctx, STORAGE_BAD_HANDLE, err);
	return err ? err : fit_reply(ctx, NULL, 0);
}

const struct storage_handler storage_dir_handlers[] = {
	{ STORAGE_OP_READDIR, sizeof(struct storage_readdir_req), op_readdir },
	{ STORAGE_OP_CREATE, sizeof(struct storage_create_req), op_create },
	{ STORAGE_OP_MKDIR, sizeof(struct storage_mkdir_req), op_mkdir },
	{ STORAGE_OP_SYMLINK, sizeof(struct storage_symlink_req), op_symlink },
	{ STORAGE_OP_LINK, sizeof(struct storage_link_req), op_link },
	{ STORAGE_OP_UNLINK, sizeof(struct storage_unlink_req), op_unlink },
	{ STORAGE_OP_RMDIR, sizeof(struct storage_rmdir_req), op_rmdir },
	{ STORAGE_OP_RENAME, sizeof(struct storage_rename_req), op_rename },
};
const unsigned int storage_nr_dir_handlers = ARRAY_SIZE(storage_dir_handlers);
