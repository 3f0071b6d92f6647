/* managers/processor/fs_storage.c — regular files, directories and
 * symlinks through the storage service's client (include/storage/
 * client.h): the root file system of the file-state layer
 * (files_set_rootfs).
 *
 * Paths arrive absolute and normalized (fs_path.c) and are looked up from
 * the root each time; an open file keeps the storage handle, its path (so
 * it can serve as a directory fd for *at() calls and fchdir) and nothing
 * cached: reads, writes, sizes and directory listings go to the storage
 * node.  getdents64 asks for one entry per message so the resume cookie
 * is exact whatever fits in the caller's buffer.  Owners are root (uid and
 * gid 0).  Creation, unlink, rename resolve the parent directory first.
 */
#include <lib/string.h>
#include <mm/mm.h>
#include <processor/files.h>
#include <processor/process.h>
#include <storage/client.h>
#include <uapi/errno.h>
#include <uapi/fcntl.h>
#include <uapi/poll.h>
#include "internal.h"

struct sfile {
	struct storage_handle h;
	u32 mode;
	char path[ABI_PATH_MAX];
};

/* A lookup from the root: a node without a root file system answers
 * -ESTALE for the root handle itself; to a program that path does not
 * exist. */
static int lookup(const char *path, bool follow, struct storage_handle *h,
		  struct storage_stat *st)
{
	int err = storage_lookup(NULL, path, follow, h, st);

	return err == -ESTALE ? -ENOENT : err;
}

static void to_stat(const struct storage_stat *s, struct stat *st)
{
	memset(st, 0, sizeof(*st));
	st->st_dev = 0x801;
	st->st_ino = s->ino;
	st->st_mode = s->mode;
	st->st_nlink = s->nlink;
	st->st_uid = s->uid;
	st->st_gid = s->gid;
	st->st_size = s->size;
	st->st_blksize = s->blksize ? s->blksize : 4096;
	st->st_blocks = s->blocks;
	st->st_atime = s->atime;
	st->st_mtime = s->mtime;
	st->st_ctime = s->ctime;
}

static long sf_read(struct file *f, void *buf, size_t n, u64 *pos)
{
	struct sfile *s = f->priv;
	ssize_t r;

	if ((s->mode & S_IFMT) == S_IFDIR)
		return -EISDIR;
	r = storage_read(&s->h, *pos, buf, n);
	if (r > 0)
		*pos += r;
	return r;
}

static long sf_write(struct file *f, const void *buf, size_t n, u64 *pos)
{
	struct sfile *s = f->priv;
	ssize_t r = storage_write(&s->h, *pos, buf, n);

	if (r > 0)
		*pos += r;
	return r;
}

static int sf_stat(struct file *f, struct stat *st)
{
	struct sfile *s = f->priv;
	struct storage_stat ss;
	int err = storage_stat(&s->h, &ss);

	if (!err)
		to_stat(&ss, st);
	return err;
}

static long sf_size(struct file *f)
{
	struct sfile *s = f->priv;
	struct storage_stat ss;
	int err = storage_stat(&s->h, &ss);

	return err ? err : (long)ss.size;
}

static long sf_getdents(struct file *f, void *buf, size_t n, u64 *pos)
{
	struct sfile *s = f->priv;
	struct storage_dirent_info *e = kmalloc(sizeof(*e));
	size_t used = 0;

	if (!e)
		return -ENOMEM;
	for (;;) {
		u64 cookie = *pos;
		struct linux_dirent64 *d = (void *)((u8 *)buf + used);
		size_t rec;
		int got = storage_readdir(&s->h, &cookie, e, 1);

		if (got <= 0) {
			kfree(e);
			return got < 0 && !used ? got : (long)used;
		}
		rec = ALIGN_UP(offsetof(struct linux_dirent64, d_name) +
			       e->name_len + 1, 8);
		if (used + rec > n) {
			kfree(e);
			return used ? (long)used : -EINVAL;
		}
		memset(d, 0, rec);
		d->d_ino = e->ino;
		d->d_off = cookie;
		d->d_reclen = rec;
		d->d_type = e->type;
		memcpy(d->d_name, e->name, e->name_len);
		used += rec;
		*pos = cookie;
	}
}

static const char *sf_path(struct file *f)
{
	struct sfile *s = f->priv;

	return (s->mode & S_IFMT) == S_IFDIR ? s->path : NULL;
}

static int sf_truncate(struct file *f, u64 len)
{
	struct sfile *s = f->priv;

	return (s->mode & S_IFMT) == S_IFREG ? storage_truncate(&s->h, len) :
					       -EINVAL;
}

static int sf_fsync(struct file *f)
{
	return storage_fsync(&((struct sfile *)f->priv)->h);
}

static void sf_release(struct file *f)
{
	kfree(f->priv);
}

static const struct file_ops storage_file_ops = {
	.read = sf_read,
	.write = sf_write,
	.stat = sf_stat,
	.getdents = sf_getdents,
	.size = sf_size,
	.path = sf_path,
	.truncate = sf_truncate,
	.fsync = sf_fsync,
	.release = sf_release,
};

int fs_storage_map_info(struct file *f, struct mm_file_map *fm)
{
	struct sfile *s = f->priv;
	int node;

	if (f->ops != &storage_file_ops || (s->mode & S_IFMT) != S_IFREG)
		return -ENODEV;
	node = storage_node();
	if (node < 0)
		return -ENODEV;
	fm->h = s->h;
	fm->storage_node = (u32)node;
	fm->maywrite = (f->flags & O_ACCMODE) != O_RDONLY;
	return 0;
}

/* Look up the parent of @path; *name points at the last component. */
static int lookup_parent(const char *path, struct storage_handle *dir,
			 const char **name)
{
	char parent[ABI_PATH_MAX];
	const char *slash = strrchr(path, '/');
	struct storage_stat st;
	int err;

	*name = slash + 1;
	if (!**name)
		return -EEXIST;		/* the root itself */
	if (slash == path)
		strscpy(parent, "/", sizeof(parent));
	else
		strscpy(parent, path, MIN((size_t)(slash - path) + 1, sizeof(parent)));
	err = lookup(parent, true, dir, &st);
	if (!err && (st.mode & S_IFMT) != S_IFDIR)
		err = -ENOTDIR;
	return err;
}

static int find_or_create(const char *path, u32 flags, u32 mode,
			  struct storage_handle *h, struct storage_stat *st)
{
	struct storage_handle dir;
	const char *name;
	int err = lookup(path, !(flags & O_NOFOLLOW), h, st);

	if (!err && (flags & O_CREAT) && (flags & O_EXCL))
		return -EEXIST;
	if (err != -ENOENT || !(flags & O_CREAT))
		return err;
	err = lookup_parent(path, &dir, &name);
	if (err)
		return err;
	return storage_create(&dir, name, mode & 07777, 0, 0,
			      (flags & O_EXCL) ? STORAGE_CREATE_EXCL : 0, h, st);
}

/* Unsupported: O_NOFOLLOW on a symlink opens... gives -ELOOP as Linux. */
static int sfs_open(const char *path, u32 flags, u32 mode, struct file **out)
{
	struct storage_handle h;
	struct storage_stat st;
	struct sfile *s;
	int err = find_or_create(path, flags, mode, &h, &st);
	u32 type = st.mode & S_IFMT;

	if (err)
		return err;
	if (type == S_IFLNK)
		return -ELOOP;
	if ((flags & O_DIRECTORY) && type != S_IFDIR)
		return -ENOTDIR;
	if (type == S_IFDIR && (flags & O_ACCMODE) != O_RDONLY)
		return -EISDIR;
	if (type == S_IFREG) {
		err = storage_open(&h, flags & (O_ACCMODE | O_TRUNC), &st);
		if (err)
			return err;
	}
	s = kzalloc(sizeof(*s));
	*out = s ? file_alloc(&storage_file_ops, flags & ~(O_CREAT | O_EXCL |
				O_TRUNC | O_CLOEXEC | O_NOFOLLOW), s) : NULL;
	if (!*out) {
		kfree(s);
		return -ENOMEM;
	}
	s->h = h;
	s->mode = st.mode;
	strscpy(s->path, path, sizeof(s->path));
	return 0;
}

static int sfs_stat(const char *path, bool follow, struct stat *st)
{
	struct storage_handle h;
	struct storage_stat ss;
	int err = lookup(path, follow, &h, &ss);

	if (!err)
		to_stat(&ss, st);
	return err;
}

static int sfs_mkdir(const char *path, u32 mode)
{
	struct storage_handle dir, h;
	struct storage_stat st;
	const char *name;
	int err = lookup_parent(path, &dir, &name);

	return err ? err : storage_mkdir(&dir, name, mode & 07777,
					 0, 0, &h, &st);
}

static int sfs_unlink(const char *path, bool isdir)
{
	struct storage_handle dir;
	const char *name;
	int err = lookup_parent(path, &dir, &name);

	if (err)
		return err == -EEXIST ? -EBUSY : err;
	return isdir ? storage_rmdir(&dir, name) : storage_unlink(&dir, name);
}

static int sfs_rename(const char *from, const char *to)
{
	struct storage_handle od, nd;
	const char *on, *nn;
	int err = lookup_parent(from, &od, &on);

	if (!err)
		err = lookup_parent(to, &nd, &nn);
	return err ? err : storage_rename(&od, on, &nd, nn);
}

static int sfs_readlink(const char *path, char *buf, size_t len)
{
	struct storage_handle h;
	struct storage_stat st;
	ssize_t n;
	int err = lookup(path, false, &h, &st);

	if (err)
		return err;
	if ((st.mode & S_IFMT) != S_IFLNK)
		return -EINVAL;
	n = storage_readlink(&h, buf, len - 1);
	if (n < 0)
		return n;
	buf[n] = '\0';
	return 0;
}

static int sfs_truncate(const char *path, u64 len)
{
	struct storage_handle h;
	struct storage_stat st;
	int err = lookup(path, true, &h, &st);

	if (err)
		return err;
	if ((st.mode & S_IFMT) == S_IFDIR)
		return -EISDIR;
	return storage_truncate(&h, len);
}

static int sfs_sync(void)
{
	struct storage_handle h;
	struct storage_stat st;
	int err = lookup("/", true, &h, &st);

	return err ? err : storage_fsync(&h);
}

static const struct abi_fs storage_fs = {
	.open = sfs_open,
	.stat = sfs_stat,
	.mkdir = sfs_mkdir,
	.unlink = sfs_unlink,
	.rename = sfs_rename,
	.readlink = sfs_readlink,
	.truncate = sfs_truncate,
	.sync = sfs_sync,
};

void fs_storage_init(void)
{
	files_set_rootfs(&storage_fs);
}
