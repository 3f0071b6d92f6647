/* managers/storage/vol.c — volumes: each one mounted filesystem (ext2 on
 * a block device, or the read-only boot archive), its mutex, the handle
 * checks and the dispatch to the backend.
 *
 * Handles: {fs id, inode number, generation}.  A handle is good when its
 * volume exists and is mounted, the inode number can name a file
 * (ext2_ino_usable: the root or a non-reserved inode inside the volume),
 * the inode is in use, and its generation is the handle's.  ext2 gives a
 * reused inode the next generation (ext2_inew), so a handle that outlived
 * an unlink is -ESTALE whether or not the number was reused.  The archive
 * never changes: its generation is always 0.
 *
 * Locking: every vol_* backend call runs with v->lock held (the ext2 core
 * has no locks of its own); vol_lock_handle() takes it and validates.
 * The table `vols` is filled at role start before any handler exists and
 * never shrinks, so lookups need no lock.  Callers: service*.c.
 */
#include <kernel/printk.h>
#include <kernel/time.h>
#include <lib/string.h>
#include <mm/mm.h>
#include <uapi/errno.h>
#include "internal.h"

#define VOL_CACHE_BLOCKS 2048		/* block cache of a served volume */

static struct storage_vol vols[STORAGE_MAX_VOLS];
static u32 nr_vols;

struct storage_vol *vol_find(u32 id)
{
	u32 n = __atomic_load_n(&nr_vols, __ATOMIC_ACQUIRE);

	return id >= 1 && id <= n ? &vols[id - 1] : NULL;
}

struct storage_vol *vol_root(void)
{
	return vol_find(1);
}

static struct storage_vol *vol_new(u32 type)
{
	struct storage_vol *v;

	if (nr_vols == STORAGE_MAX_VOLS)
		return NULL;
	v = &vols[nr_vols];
	memset(v, 0, sizeof(*v));
	v->id = nr_vols + 1;
	v->type = type;
	mutex_init(&v->lock, "storage_vol");
	return v;
}

static void vol_publish(void)
{
	__atomic_store_n(&nr_vols, nr_vols + 1, __ATOMIC_RELEASE);
}

/* The kernel has no wall clock: ext2 times continue from the volume's
 * last mount or write (never before TIME_FLOOR) by the uptime.  Besides
 * plausible times this keeps i_dtime of freed inodes large, which e2fsck
 * needs (a small i_dtime reads as an orphan-list link). */
#define TIME_FLOOR	1700000000u	/* November 2023 */

static u32 vol_now(void *ctx)
{
	struct storage_vol *v = ctx;

	return v->time_base + (u32)(ktime_get_ns() / NSEC_PER_SEC);
}

int vol_add_ext2(struct block_device *bdev, u32 last_time,
		 struct storage_vol **out)
{
	struct storage_vol *v = vol_new(STORAGE_FS_EXT2);
	struct ext2_mount_opts o = { .cache_blocks = VOL_CACHE_BLOCKS,
				     .now = vol_now };
	int err;

	if (!v)
		return -ENOSPC;
	v->bdev = bdev;
	v->time_base = MAX(last_time, TIME_FLOOR);
	o.now_ctx = v;
	storage_bdev_init(&v->eb, bdev);
	err = ext2_mount(&v->eb, &o, &v->ext2);
	if (err)
		return err;
	v->root_ino = EXT2_ROOT;
	vol_publish();
	*out = v;
	return 0;
}

int vol_add_archive(const void *data, size_t len, struct storage_vol **out)
{
	struct storage_vol *v = vol_new(STORAGE_FS_ARCHIVE);
	int err;

	if (!v)
		return -ENOSPC;
	err = cpio_open(data, len, &v->cpio);
	if (err)
		return err;
	v->root_ino = CPIO_ROOT;
	vol_publish();
	*out = v;
	return 0;
}

void vol_unlock(struct storage_vol *v)
{
	mutex_unlock(&v->lock);
}

bool vol_read_only(struct storage_vol *v)
{
	return v->type != STORAGE_FS_EXT2 || !v->ext2 ||
	       ext2_is_read_only(v->ext2);
}

struct ext2_fs *vol_ext2(struct storage_vol *v)
{
	return v->ext2;
}

static bool vol_live(struct storage_vol *v)
{
	return v->type == STORAGE_FS_ARCHIVE || v->ext2;
}

static void stat_from_ext2(const struct ext2_stat *e, struct storage_stat *st)
{
	memset(st, 0, sizeof(*st));
	st->ino = e->ino;
	st->mode = e->mode;
	st->nlink = e->nlink;
	st->uid = e->uid;
	st->gid = e->gid;
	st->blksize = e->blksize;
	st->size = e->size;
	st->blocks = e->blocks;
	st->atime = e->atime;
	st->mtime = e->mtime;
	st->ctime = e->ctime;
}

static void stat_from_cpio(const struct cpio_stat *c, struct storage_stat *st)
{
	memset(st, 0, sizeof(*st));
	st->ino = c->ino;
	st->mode = c->mode;
	st->nlink = c->nlink;
	st->uid = c->uid;
	st->gid = c->gid;
	st->blksize = 4096;
	st->size = c->size;
	st->blocks = (c->size + 511) / 512;
	st->atime = st->mtime = st->ctime = c->mtime;
}

int vol_stat(struct storage_vol *v, u32 ino, struct storage_stat *st,
	     u32 *gen)
{
	int err;

	if (!vol_live(v))
		return -EIO;
	if (v->type == STORAGE_FS_EXT2) {
		struct ext2_stat e;

		if (!ext2_ino_usable(v->ext2, ino))
			return -ESTALE;
		err = ext2_stat(v->ext2, ino, &e);
		if (err)
			return err == -ENOENT ? -ESTALE : err;
		stat_from_ext2(&e, st);
		*gen = e.generation;
		return 0;
	}
	{
		struct cpio_stat c;

		err = cpio_stat(v->cpio, ino, &c);
		if (err)
			return err == -ENOENT ? -ESTALE : err;
		stat_from_cpio(&c, st);
		*gen = 0;
		return 0;
	}
}

int vol_handle(struct storage_vol *v, u32 ino, struct storage_handle *h,
	       struct storage_stat *st)
{
	u32 gen;
	int err = vol_stat(v, ino, st, &gen);

	if (err)
		return err;
	*h = (struct storage_handle){ .fs = v->id, .ino = ino, .gen = gen };
	return 0;
}

int vol_lock_handle(const struct storage_handle *h, bool root_ok,
		    struct storage_vol **out, struct storage_stat *st)
{
	struct storage_vol *v;
	u32 ino = h->ino, gen;
	int err = storage_wait_ready();

	if (err)
		return err;
	v = vol_find(h->fs);
	if (!v && root_ok && !h->fs && !h->ino && !h->gen)
		v = vol_root();
	if (!v || h->reserved)
		return -ESTALE;
	mutex_lock(&v->lock);
	if (!h->fs)
		ino = v->root_ino;
	err = vol_stat(v, ino, st, &gen);
	if (!err && h->fs && gen != h->gen)
		err = -ESTALE;
	if (err) {
		mutex_unlock(&v->lock);
		return err;
	}
	*out = v;
	return 0;
}

int vol_check_locked(struct storage_vol *v, const struct storage_handle *h,
		     struct storage_stat *st)
{
	u32 gen;
	int err;

	if (h->fs != v->id || h->reserved)
		return vol_find(h->fs) ? -EXDEV : -ESTALE;
	err = vol_stat(v, h->ino, st, &gen);
	if (!err && gen != h->gen)
		err = -ESTALE;
	return err;
}

int vol_walk(struct storage_vol *v, u32 cwd, const char *path, bool follow,
	     u32 *ino)
{
	if (v->type == STORAGE_FS_EXT2)
		return ext2_walk(v->ext2, cwd, path, follow, ino);
	return cpio_walk(v->cpio, cwd, path, follow, ino);
}

int vol_lookup(struct storage_vol *v, u32 dir, const char *name, u32 *ino)
{
	if (v->type == STORAGE_FS_EXT2)
		return ext2_lookup(v->ext2, dir, name, ino);
	return cpio_lookup(v->cpio, dir, name, ino);
}

ssize_t vol_read(struct storage_vol *v, u32 ino, u64 off, void *buf,
		 size_t len)
{
	if (v->type == STORAGE_FS_EXT2)
		return ext2_read(v->ext2, ino, off, buf, len);
	return cpio_read(v->cpio, ino, off, buf, len);
}

ssize_t vol_write(struct storage_vol *v, u32 ino, u64 off, const void *buf,
		  size_t len)
{
	if (vol_read_only(v))
		return -EROFS;
	return ext2_write(v->ext2, ino, off, buf, len);
}

int vol_truncate(struct storage_vol *v, u32 ino, u64 size)
{
	if (vol_read_only(v))
		return -EROFS;
	return ext2_truncate(v->ext2, ino, size);
}

int vol_readdir(struct storage_vol *v, u32 dir, u64 *cookie,
		struct storage_ent *ent)
{
	int r;

	if (v->type == STORAGE_FS_EXT2) {
		struct ext2_dirent_info e;

		r = ext2_readdir(v->ext2, dir, cookie, &e);
		if (r == 1) {
			ent->ino = e.ino;
			ent->type = e.type;
			ent->name_len = e.name_len;
			memcpy(ent->name, e.name, e.name_len + 1);
		}
		return r;
	}
	{
		struct cpio_dirent c;

		r = cpio_readdir(v->cpio, dir, cookie, &c);
		if (r == 1) {
			ent->ino = c.ino;
			ent->type = c.type;
			ent->name_len = (u8)strnlen(c.name, 255);
			memcpy(ent->name, c.name, ent->name_len);
			ent->name[ent->name_len] = 0;
		}
		return r;
	}
}

ssize_t vol_readlink(struct storage_vol *v, u32 ino, char *buf, size_t len)
{
	if (v->type == STORAGE_FS_EXT2)
		return ext2_readlink(v->ext2, ino, buf, len);
	return cpio_readlink(v->cpio, ino, buf, len);
}

int vol_sync(struct storage_vol *v)
{
	if (v->type != STORAGE_FS_EXT2)
		return 0;
	if (!v->ext2)
		return -EIO;
	return ext2_sync(v->ext2);
}

int vol_statfs(struct storage_vol *v, struct storage_statfs_rep *rep)
{
	struct storage_stat st;
	struct ext2_statfs s;
	int err;

	memset(rep, 0, sizeof(*rep));
	rep->fs = v->id;
	rep->type = v->type;
	err = vol_handle(v, v->root_ino, &rep->root, &st);
	if (err)
		return err;
	if (v->type != STORAGE_FS_EXT2) {
		rep->bsize = 4096;
		rep->namelen = STORAGE_NAME_MAX;
		rep->flags = STORAGE_STATFS_RDONLY;
		return 0;
	}
	ext2_statfs(v->ext2, &s);
	rep->bsize = s.bsize;
	rep->namelen = s.namelen;
	rep->blocks = s.blocks;
	rep->bfree = s.bfree;
	rep->bavail = s.bavail;
	rep->files = s.files;
	rep->ffree = s.ffree;
	rep->flags = s.read_only ? STORAGE_STATFS_RDONLY : 0;
	return 0;
}

void vol_shutdown(struct storage_vol *v)
{
	int err;

	mutex_lock(&v->lock);
	if (v->type == STORAGE_FS_EXT2 && v->ext2) {
		err = ext2_unmount(v->ext2);
		v->ext2 = NULL;
		printk("storage: fs %u (%s) unmounted%s\n", v->id,
		       v->bdev->name, err ? " with errors" : "");
	}
	v->dead = true;
	mutex_unlock(&v->lock);
}
