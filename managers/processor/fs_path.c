/* managers/processor/fs_path.c — path-level file syscalls: open, openat,
 * creat, stat, lstat, newfstatat, statx, access, faccessat(2), readlink,
 * readlinkat, getcwd, chdir, fchdir, mkdir(at), unlink(at), rmdir,
 * rename(at,at2), truncate, ftruncate, umask, getdents64.
 *
 * Paths are made absolute against the cwd and normalized ("." and ".."
 * resolved textually, repeated slashes folded) before dispatch: /dev/... to
 * fs_dev.c, /proc/... and /sys/... to fs_proc.c, everything else to the root
 * file system registered by the storage client (files_set_rootfs); with
 * none registered those paths do not exist (-ENOENT).  Relative paths
 * against a directory fd other than AT_FDCWD need directory fds, which
 * only the storage client provides: -ENOTDIR until then.  Symlinks are
 * the storage service's business; the /proc links are resolved here only
 * by readlink.
 */
#include <asm/uaccess.h>
#include <lib/printf.h>
#include <lib/string.h>
#include <mm/mm.h>
#include <processor/abi.h>
#include <processor/files.h>
#include <uapi/errno.h>
#include <uapi/fcntl.h>
#include <uapi/poll.h>
#include "internal.h"

static const struct abi_fs *rootfs;

void files_set_rootfs(const struct abi_fs *fs)
{
	rootfs = fs;
}

/* Fold "//", "." and ".." in the absolute path @p in place. */
static void normalize(char *p)
{
	char *out = p, *s = p;

	while (*s) {
		while (*s == '/')
			s++;
		char *e = s;

		while (*e && *e != '/')
			e++;
		if (e - s == 1 && s[0] == '.') {
			;
		} else if (e - s == 2 && s[0] == '.' && s[1] == '.') {
			while (out > p && *--out != '/')
				;
		} else if (e > s) {
			*out++ = '/';
			memmove(out, s, e - s);
			out += e - s;
		}
		s = e;
	}
	if (out == p)
		*out++ = '/';
	*out = '\0';
}

#define RESOLVE_EMPTY 1	/* empty path allowed: the caller uses dirfd */

/* The absolute normalized path of @upath relative to @dirfd (0), or
 * RESOLVE_EMPTY, or -errno. */
static int resolve(int dirfd, const char *upath, char *out, bool empty_ok)
{
	char rel[ABI_PATH_MAX];
	struct process *p = current_process();
	long n = strncpy_from_user(rel, upath, sizeof(rel));

	if (n < 0)
		return n;
	if (!n && !empty_ok)
		return -ENOENT;
	if (!n && dirfd != AT_FDCWD)
		return RESOLVE_EMPTY;
	if (rel[0] == '/') {
		memcpy(out, rel, n + 1);
	} else if (dirfd == AT_FDCWD) {
		if (strlen(p->cwd) + n + 2 > ABI_PATH_MAX)
			return -ENAMETOOLONG;
		snprintf(out, ABI_PATH_MAX, "%s/%s", p->cwd, rel);
	} else {
		struct file *f = fget(dirfd);
		const char *base = f && f->ops->path ? f->ops->path(f) : NULL;

		if (f && base && strlen(base) + n + 2 <= ABI_PATH_MAX)
			snprintf(out, ABI_PATH_MAX, "%s/%s", base, rel);
		if (f)
			file_put(f);
		if (!f)
			return -EBADF;
		if (!base)
			return n ? -ENOTDIR : -ENOENT;
	}
	normalize(out);
	return 0;
}

static bool is_pseudo(const char *path, bool *dev)
{
	*dev = strstarts(path, "/dev/");
	return *dev || strstarts(path, "/proc/") || strstarts(path, "/sys/");
}

static int open_path(const char *path, u32 flags, u32 mode, struct file **out)
{
	bool dev;

	if (is_pseudo(path, &dev)) {
		if ((flags & O_CREAT) && (flags & O_EXCL))
			return -EEXIST;
		if (flags & O_DIRECTORY)
			return -ENOTDIR;
		return dev ? devfs_open(path, flags, out) :
			     procfs_open(path, flags, out);
	}
	if (!rootfs)
		return -ENOENT;
	return rootfs->open(path, flags, mode & ~(current_process() ?
				current_process()->umask : 022), out);
}

int files_sync(void)
{
	return rootfs && rootfs->sync ? rootfs->sync() : 0;
}

SYSCALL_DEFINE0(sync)
{
	files_sync();
	return 0;
}

SYSCALL_DEFINE1(syncfs, int, fd)
{
	struct file *f = fget(fd);

	if (!f)
		return -EBADF;
	file_put(f);
	return files_sync();
}

int abi_kern_abspath(const char *kpath, char *out)
{
	struct process *p = current_process();
	const char *cwd = p && kpath[0] != '/' ? p->cwd : "";

	if (strlen(cwd) + strlen(kpath) + 2 > ABI_PATH_MAX)
		return -ENAMETOOLONG;
	if (kpath[0] == '/')
		strscpy(out, kpath, ABI_PATH_MAX);
	else
		snprintf(out, ABI_PATH_MAX, "%s/%s", cwd, kpath);
	normalize(out);
	return 0;
}

int abi_kern_open(const char *kpath, u32 flags, struct file **out)
{
	char path[ABI_PATH_MAX];
	int err = abi_kern_abspath(kpath, path);

	return err ? err : open_path(path, flags, 0, out);
}

/* Unsupported: O_TMPFILE and O_PATH -EOPNOTSUPP/-EINVAL as a file system
 * without them; O_NOCTTY, O_SYNC, O_DSYNC, O_NOATIME, O_LARGEFILE accepted. */
static long do_open(int dirfd, const char *upath, u32 flags, u32 mode)
{
	char path[ABI_PATH_MAX];
	struct file *f;
	int err, fd;

	if ((flags & O_TMPFILE) == O_TMPFILE)
		return -EOPNOTSUPP;
	if (flags & O_PATH)
		return -EINVAL;
	err = resolve(dirfd, upath, path, false);
	if (!err)
		err = open_path(path, flags, mode, &f);
	if (err)
		return err;
	fd = fd_install(f, 0, flags & O_CLOEXEC);
	if (fd < 0)
		file_put(f);
	return fd;
}

SYSCALL_DEFINE3(open, const char *, upath, u32, flags, u32, mode)
{
	return do_open(AT_FDCWD, upath, flags, mode);
}

SYSCALL_DEFINE4(openat, int, dirfd, const char *, upath, u32, flags, u32, mode)
{
	return do_open(dirfd, upath, flags, mode);
}

SYSCALL_DEFINE2(creat, const char *, upath, u32, mode)
{
	return do_open(AT_FDCWD, upath, O_CREAT | O_WRONLY | O_TRUNC, mode);
}

static int stat_path(const char *path, bool follow, struct stat *st)
{
	struct file *f;
	bool dev;
	int err;

	if (!is_pseudo(path, &dev))
		return rootfs ? rootfs->stat(path, follow, st) : -ENOENT;
	err = open_path(path, O_RDONLY, 0, &f);
	if (err)
		return err;
	err = file_stat(f, st);
	file_put(f);
	return err;
}

/* AT_NO_AUTOMOUNT accepted; other flags -EINVAL. */
static long do_stat(int dirfd, const char *upath, struct stat *st, u32 flags)
{
	char path[ABI_PATH_MAX];
	struct file *f;
	int err;

	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH | AT_NO_AUTOMOUNT |
		      AT_STATX_SYNC_TYPE))
		return -EINVAL;
	err = resolve(dirfd, upath, path, flags & AT_EMPTY_PATH);
	if (err == RESOLVE_EMPTY) {
		f = fget(dirfd);
		if (!f)
			return -EBADF;
		err = file_stat(f, st);
		file_put(f);
		return err;
	}
	return err ? err : stat_path(path, !(flags & AT_SYMLINK_NOFOLLOW), st);
}

static long stat_to_user(long err, const struct stat *st, struct stat *ust)
{
	if (err)
		return err;
	return copy_to_user(ust, st, sizeof(*st)) ? -EFAULT : 0;
}

SYSCALL_DEFINE2(stat, const char *, upath, struct stat *, ust)
{
	struct stat st;

	return stat_to_user(do_stat(AT_FDCWD, upath, &st, 0), &st, ust);
}

SYSCALL_DEFINE2(lstat, const char *, upath, struct stat *, ust)
{
	struct stat st;

	return stat_to_user(do_stat(AT_FDCWD, upath, &st, AT_SYMLINK_NOFOLLOW),
			    &st, ust);
}

SYSCALL_DEFINE4(newfstatat, int, dirfd, const char *, upath, struct stat *, ust,
		u32, flags)
{
	struct stat st;

	return stat_to_user(do_stat(dirfd, upath, &st, flags), &st, ust);
}

static void stat_to_statx(const struct stat *st, struct statx *sx)
{
	memset(sx, 0, sizeof(*sx));
	sx->stx_mask = STATX_BASIC_STATS;
	sx->stx_blksize = st->st_blksize;
	sx->stx_nlink = st->st_nlink;
	sx->stx_uid = st->st_uid;
	sx->stx_gid = st->st_gid;
	sx->stx_mode = st->st_mode;
	sx->stx_ino = st->st_ino;
	sx->stx_size = st->st_size;
	sx->stx_blocks = st->st_blocks;
	sx->stx_atime.tv_sec = st->st_atime;
	sx->stx_atime.tv_nsec = st->st_atime_nsec;
	sx->stx_mtime.tv_sec = st->st_mtime;
	sx->stx_mtime.tv_nsec = st->st_mtime_nsec;
	sx->stx_ctime.tv_sec = st->st_ctime;
	sx->stx_ctime.tv_nsec = st->st_ctime_nsec;
	sx->stx_rdev_major = st->st_rdev >> 8;
	sx->stx_rdev_minor = st->st_rdev & 0xff;
	sx->stx_dev_major = st->st_dev >> 8;
	sx->stx_dev_minor = st->st_dev & 0xff;
}

/* The basic fields only (no birth time): stx_mask says so. */
SYSCALL_DEFINE5(statx, int, dirfd, const char *, upath, u32, flags, u32, mask,
		struct statx *, usx)
{
	struct stat st;
	struct statx sx;
	long err = do_stat(dirfd, upath, &st, flags);

	if (err)
		return err;
	stat_to_statx(&st, &sx);
	return copy_to_user(usx, &sx, sizeof(sx)) ? -EFAULT : 0;
}

/* Everyone is root: existence is all that is checked (X_OK on a file
 * without any execute bit would fail on Linux; not checked here). */
static long do_access(int dirfd, const char *upath, int mode, u32 flags)
{
	struct stat st;

	if (mode & ~(R_OK | W_OK | X_OK))
		return -EINVAL;
	if (flags & ~(AT_EACCESS | AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	return do_stat(dirfd, upath, &st, flags & ~AT_EACCESS);
}

SYSCALL_DEFINE2(access, const char *, upath, int, mode)
{
	return do_access(AT_FDCWD, upath, mode, 0);
}

SYSCALL_DEFINE3(faccessat, int, dirfd, const char *, upath, int, mode)
{
	return do_access(dirfd, upath, mode, 0);
}

SYSCALL_DEFINE4(faccessat2, int, dirfd, const char *, upath, int, mode,
		u32, flags)
{
	return do_access(dirfd, upath, mode, flags);
}

static long do_readlink(int dirfd, const char *upath, char *ubuf, int size)
{
	char path[ABI_PATH_MAX], target[ABI_PATH_MAX];
	size_t n;
	int err;

	if (size <= 0)
		return -EINVAL;
	err = resolve(dirfd, upath, path, false);
	if (err)
		return err;
	if (strstarts(path, "/proc/"))
		err = procfs_readlink(path, target, sizeof(target));
	else
		err = rootfs ? rootfs->readlink(path, target, sizeof(target)) :
			       -ENOENT;
	if (err)
		return err;
	n = MIN(strlen(target), (size_t)size);
	return copy_to_user(ubuf, target, n) ? -EFAULT : (long)n;
}

SYSCALL_DEFINE3(readlink, const char *, upath, char *, ubuf, int, size)
{
	return do_readlink(AT_FDCWD, upath, ubuf, size);
}

SYSCALL_DEFINE4(readlinkat, int, dirfd, const char *, upath, char *, ubuf,
		int, size)
{
	return do_readlink(dirfd, upath, ubuf, size);
}

SYSCALL_DEFINE2(getcwd, char *, ubuf, u64, size)
{
	const char *cwd = current_process()->cwd;
	size_t n = strlen(cwd) + 1;

	if (size < n)
		return -ERANGE;
	return copy_to_user(ubuf, cwd, n) ? -EFAULT : (long)n;
}

SYSCALL_DEFINE1(chdir, const char *, upath)
{
	char path[ABI_PATH_MAX];
	struct stat st;
	int err = resolve(AT_FDCWD, upath, path, false);

	if (err)
		return err;
	if (strcmp(path, "/")) {
		err = stat_path(path, true, &st);
		if (err)
			return err;
		if ((st.st_mode & S_IFMT) != S_IFDIR)
			return -ENOTDIR;
	}
	strscpy(current_process()->cwd, path, ABI_PATH_MAX);
	return 0;
}

SYSCALL_DEFINE1(fchdir, int, fd)
{
	struct file *f = fget(fd);
	const char *base;
	long ret = 0;

	if (!f)
		return -EBADF;
	base = f->ops->path ? f->ops->path(f) : NULL;
	if (base)
		strscpy(current_process()->cwd, base, ABI_PATH_MAX);
	else
		ret = -ENOTDIR;
	file_put(f);
	return ret;
}

SYSCALL_DEFINE1(umask, u32, mask)
{
	struct process *p = current_process();
	u32 old = p->umask;

	p->umask = mask & 0777;
	return old;
}

/* Operations on names go to the root file system; pseudo paths -EPERM. */
static long name_op(int dirfd, const char *upath, int op, u32 arg)
{
	char path[ABI_PATH_MAX];
	bool dev;
	int err = resolve(dirfd, upath, path, false);

	if (err)
		return err;
	if (is_pseudo(path, &dev))
		return -EPERM;
	if (!rootfs)
		return -ENOENT;
	switch (op) {
	case 0:
		return rootfs->mkdir(path, arg & ~current_process()->umask);
	case 1:
		return rootfs->unlink(path, arg);
	default:
		return rootfs->truncate(path, arg);
	}
}

SYSCALL_DEFINE2(mkdir, const char *, upath, u32, mode)
{
	return name_op(AT_FDCWD, upath, 0, mode);
}

SYSCALL_DEFINE3(mkdirat, int, dirfd, const char *, upath, u32, mode)
{
	return name_op(dirfd, upath, 0, mode);
}

SYSCALL_DEFINE1(unlink, const char *, upath)
{
	return name_op(AT_FDCWD, upath, 1, false);
}

SYSCALL_DEFINE1(rmdir, const char *, upath)
{
	return name_op(AT_FDCWD, upath, 1, true);
}

SYSCALL_DEFINE3(unlinkat, int, dirfd, const char *, upath, u32, flags)
{
	if (flags & ~AT_REMOVEDIR)
		return -EINVAL;
	return name_op(dirfd, upath, 1, !!(flags & AT_REMOVEDIR));
}

SYSCALL_DEFINE2(truncate, const char *, upath, s64, len)
{
	return len < 0 ? -EINVAL : name_op(AT_FDCWD, upath, 2, len);
}

/* RENAME_NOREPLACE/EXCHANGE/WHITEOUT -EINVAL (not supported). */
static long do_rename(int ofd, const char *uold, int nfd, const char *unew,
		      u32 flags)
{
	char from[ABI_PATH_MAX], to[ABI_PATH_MAX];
	bool dev;
	int err;

	if (flags)
		return -EINVAL;
	err = resolve(ofd, uold, from, false);
	if (!err)
		err = resolve(nfd, unew, to, false);
	if (err)
		return err;
	if (is_pseudo(from, &dev) || is_pseudo(to, &dev))
		return -EPERM;
	return rootfs ? rootfs->rename(from, to) : -ENOENT;
}

SYSCALL_DEFINE2(rename, const char *, uold, const char *, unew)
{
	return do_rename(AT_FDCWD, uold, AT_FDCWD, unew, 0);
}

SYSCALL_DEFINE4(renameat, int, ofd, const char *, uold, int, nfd,
		const char *, unew)
{
	return do_rename(ofd, uold, nfd, unew, 0);
}

SYSCALL_DEFINE5(renameat2, int, ofd, const char *, uold, int, nfd,
		const char *, unew, u32, flags)
{
	return do_rename(ofd, uold, nfd, unew, flags);
}

SYSCALL_DEFINE3(getdents64, int, fd, void *, ubuf, u64, size)
{
	struct file *f = fget(fd);
	void *buf;
	long ret;

	if (!f)
		return -EBADF;
	if (!f->ops->getdents) {
		file_put(f);
		return -ENOTDIR;
	}
	buf = kmalloc(MIN(size, (u64)65536));
	ret = buf ? 0 : -ENOMEM;
	if (buf) {
		mutex_lock(&f->pos_lock);
		ret = f->ops->getdents(f, buf, MIN(size, (u64)65536), &f->pos);
		mutex_unlock(&f->pos_lock);
		if (ret > 0 && copy_to_user(ubuf, buf, ret))
			ret = -EFAULT;
		kfree(buf);
	}
	file_put(f);
	return ret;
}
