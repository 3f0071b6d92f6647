/* managers/processor/files.c — fd tables and the fd-level syscalls: read,
 * write, readv, writev, pread64, pwrite64, lseek, close, close_range, dup,
 * dup2, dup3, fcntl, ioctl, fstat, fsync, fdatasync, ftruncate.
 *
 * struct files: up to FILES_MAX fds (RLIMIT_NOFILE's hard default), an
 * array of file pointers and a close-on-exec bitmap under files->lock (a
 * spinlock: no sleeping while held; file_put happens after unlocking).
 * Reads and writes bounce through a kernel buffer of at most IO_CHUNK
 * bytes per backend call: a read returns what one call gave (short reads
 * are legal), a write loops until everything is written or an error.
 * The file offset is serialized by f->pos_lock for seekable files.
 */
#include <asm/uaccess.h>
#include <kernel/printk.h>
#include <lib/bitmap.h>
#include <lib/string.h>
#include <mm/mm.h>
#include <processor/abi.h>
#include <processor/files.h>
#include <uapi/errno.h>
#include <uapi/fcntl.h>
#include <uapi/poll.h>
#include "internal.h"

#define FILES_MAX	4096
#define IO_CHUNK	(64 * 1024)

struct files {
	spinlock_t lock;
	int refs;
	struct file *fd[FILES_MAX];
	unsigned long cloexec[BITS_TO_LONGS(FILES_MAX)];
};

struct file *file_alloc(const struct file_ops *ops, u32 flags, void *priv)
{
	struct file *f = kzalloc(sizeof(*f));

	if (!f)
		return NULL;
	f->ops = ops;
	f->refs = 1;
	f->flags = flags;
	f->priv = priv;
	mutex_init(&f->pos_lock, "file_pos");
	return f;
}

void file_get(struct file *f)
{
	__atomic_add_fetch(&f->refs, 1, __ATOMIC_RELAXED);
}

void file_put(struct file *f)
{
	if (__atomic_sub_fetch(&f->refs, 1, __ATOMIC_ACQ_REL))
		return;
	if (f->ops->release)
		f->ops->release(f);
	kfree(f);
}

static struct files *files_alloc(void)
{
	struct files *fs = kzalloc(sizeof(*fs));

	if (!fs)
		return NULL;
	spin_lock_init(&fs->lock, "files");
	fs->refs = 1;
	return fs;
}

struct files *files_new_console(void)
{
	struct files *fs = files_alloc();

	if (!fs)
		return NULL;
	for (int i = 0; i < 3; i++)
		fs->fd[i] = tty_file();
	return fs;
}

struct files *files_dup(struct files *src)
{
	struct files *fs = files_alloc();

	if (!fs)
		return NULL;
	spin_lock(&src->lock);
	for (int i = 0; i < FILES_MAX; i++) {
		fs->fd[i] = src->fd[i];
		if (fs->fd[i])
			file_get(fs->fd[i]);
	}
	memcpy(fs->cloexec, src->cloexec, sizeof(fs->cloexec));
	spin_unlock(&src->lock);
	return fs;
}

void files_get(struct files *fs)
{
	__atomic_add_fetch(&fs->refs, 1, __ATOMIC_RELAXED);
}

void files_put(struct files *fs)
{
	if (!fs || __atomic_sub_fetch(&fs->refs, 1, __ATOMIC_ACQ_REL))
		return;
	for (int i = 0; i < FILES_MAX; i++)
		if (fs->fd[i])
			file_put(fs->fd[i]);
	kfree(fs);
}

void files_close_on_exec(struct files *fs)
{
	for (int i = 0; i < FILES_MAX; i++) {
		struct file *f = NULL;

		spin_lock(&fs->lock);
		if (test_bit(i, fs->cloexec)) {
			f = fs->fd[i];
			fs->fd[i] = NULL;
			clear_bit(i, fs->cloexec);
		}
		spin_unlock(&fs->lock);
		if (f)
			file_put(f);
	}
}

struct file *fget(int fd)
{
	struct files *fs = current_process()->files;
	struct file *f = NULL;

	if (fd < 0 || fd >= FILES_MAX)
		return NULL;
	spin_lock(&fs->lock);
	f = fs->fd[fd];
	if (f)
		file_get(f);
	spin_unlock(&fs->lock);
	return f;
}

static int nofile_limit(void)
{
	u64 lim = current_process()->rlim[RLIMIT_NOFILE].rlim_cur;

	return lim < FILES_MAX ? (int)lim : FILES_MAX;
}

int fd_install(struct file *f, int min, bool cloexec)
{
	struct files *fs = current_process()->files;
	int limit = nofile_limit(), fd;

	spin_lock(&fs->lock);
	for (fd = min; fd < limit && fs->fd[fd]; fd++)
		;
	if (fd >= limit) {
		spin_unlock(&fs->lock);
		return -EMFILE;
	}
	fs->fd[fd] = f;
	if (cloexec)
		set_bit(fd, fs->cloexec);
	else
		clear_bit(fd, fs->cloexec);
	spin_unlock(&fs->lock);
	return fd;
}

/* Replace whatever is at @fd with @f (dup2/dup3); the old file is put. */
static int fd_replace(int fd, struct file *f, bool cloexec)
{
	struct files *fs = current_process()->files;
	struct file *old;

	if (fd < 0 || fd >= nofile_limit())
		return -EBADF;
	spin_lock(&fs->lock);
	old = fs->fd[fd];
	fs->fd[fd] = f;
	if (cloexec)
		set_bit(fd, fs->cloexec);
	else
		clear_bit(fd, fs->cloexec);
	spin_unlock(&fs->lock);
	if (old)
		file_put(old);
	return fd;
}

SYSCALL_DEFINE1(close, int, fd)
{
	return fd_close(fd);
}

int fd_close(int fd)
{
	struct files *fs = current_process()->files;
	struct file *f;

	if (fd < 0 || fd >= FILES_MAX)
		return -EBADF;
	spin_lock(&fs->lock);
	f = fs->fd[fd];
	fs->fd[fd] = NULL;
	clear_bit(fd, fs->cloexec);
	spin_unlock(&fs->lock);
	if (!f)
		return -EBADF;
	file_put(f);
	return 0;
}

#define CLOSE_RANGE_CLOEXEC (1u << 2)

/* CLOSE_RANGE_UNSHARE is accepted and ignored (tables are not split). */
SYSCALL_DEFINE3(close_range, unsigned int, first, unsigned int, last,
		unsigned int, flags)
{
	struct files *fs = current_process()->files;

	if (flags & ~((1u << 1) | CLOSE_RANGE_CLOEXEC) || first > last)
		return -EINVAL;
	for (u64 fd = first; fd <= last && fd < FILES_MAX; fd++) {
		struct file *f = NULL;

		spin_lock(&fs->lock);
		if (flags & CLOSE_RANGE_CLOEXEC) {
			if (fs->fd[fd])
				set_bit(fd, fs->cloexec);
		} else {
			f = fs->fd[fd];
			fs->fd[fd] = NULL;
			clear_bit(fd, fs->cloexec);
		}
		spin_unlock(&fs->lock);
		if (f)
			file_put(f);
	}
	return 0;
}

static bool can_read(struct file *f)
{
	return (f->flags & O_ACCMODE) != O_WRONLY && f->ops->read;
}

static bool can_write(struct file *f)
{
	return (f->flags & O_ACCMODE) != O_RDONLY && f->ops->write;
}

/* One backend read into the user buffer at @ubuf; @pos NULL: the file's. */
static long do_read(struct file *f, u64 ubuf, size_t n, u64 *pos)
{
	size_t k = MIN(n, (size_t)IO_CHUNK);
	void *buf;
	long ret;

	if (!can_read(f))
		return -EBADF;
	if (!n)
		return 0;
	if (!user_range_ok(ubuf, n))
		return -EFAULT;
	buf = kmalloc(k);
	if (!buf)
		return -ENOMEM;
	if (!pos && !f->ops->stream) {
		mutex_lock(&f->pos_lock);
		ret = f->ops->read(f, buf, k, &f->pos);
		mutex_unlock(&f->pos_lock);
	} else if (!pos) {
		ret = f->ops->read(f, buf, k, &f->pos);
	} else {
		ret = f->ops->read(f, buf, k, pos);
	}
	if (ret > 0 && copy_to_user((void *)ubuf, buf, ret))
		ret = -EFAULT;
	kfree(buf);
	return ret;
}

static long write_chunks(struct file *f, u64 ubuf, size_t n, u64 *pos,
			 void *buf)
{
	size_t done = 0;

	while (done < n) {
		size_t k = MIN(n - done, (size_t)IO_CHUNK);
		long r;

		if (copy_from_user(buf, (void *)(ubuf + done), k))
			return done ? (long)done : -EFAULT;
		r = f->ops->write(f, buf, k, pos);
		if (r <= 0)
			return done ? (long)done : r;
		done += r;
		if ((size_t)r < k)
			break;
	}
	return done;
}

/* The position a write at the file's offset uses (@pos NULL), with
 * pos_lock held for seekable files; O_APPEND moves it to the end first. */
static u64 *write_pos_begin(struct file *f, u64 *pos)
{
	if (pos)
		return pos;
	if (f->ops->stream)
		return &f->pos;
	mutex_lock(&f->pos_lock);
	if ((f->flags & O_APPEND) && f->ops->size && f->ops->size(f) >= 0)
		f->pos = f->ops->size(f);
	return &f->pos;
}

static void write_pos_end(struct file *f, u64 *pos)
{
	if (!pos && !f->ops->stream)
		mutex_unlock(&f->pos_lock);
}

static long write_done(long ret)
{
	if (ret == -EPIPE)
		signal_send_thread(current_thread(), SIGPIPE,
				   &(struct sigpend){ .code = SI_USER });
	return ret;
}

static long do_write(struct file *f, u64 ubuf, size_t n, u64 *pos)
{
	void *buf;
	u64 *p;
	long ret;

	if (!can_write(f))
		return -EBADF;
	if (!n)
		return 0;
	if (!user_range_ok(ubuf, n))
		return -EFAULT;
	buf = kmalloc(MIN(n, (size_t)IO_CHUNK));
	if (!buf)
		return -ENOMEM;
	p = write_pos_begin(f, pos);
	ret = write_chunks(f, ubuf, n, p, buf);
	write_pos_end(f, pos);
	kfree(buf);
	return write_done(ret);
}

SYSCALL_DEFINE3(read, int, fd, u64, ubuf, u64, n)
{
	struct file *f = fget(fd);
	long ret;

	if (!f)
		return -EBADF;
	ret = do_read(f, ubuf, n, NULL);
	file_put(f);
	return ret;
}

SYSCALL_DEFINE3(write, int, fd, u64, ubuf, u64, n)
{
	struct file *f = fget(fd);
	long ret;

	if (!f)
		return -EBADF;
	ret = do_write(f, ubuf, n, NULL);
	file_put(f);
	return ret;
}

static long do_pio(int fd, u64 ubuf, u64 n, s64 off, bool wr)
{
	struct file *f = fget(fd);
	u64 pos = off;
	long ret;

	if (!f)
		return -EBADF;
	if (off < 0)
		ret = -EINVAL;
	else if (!f->ops->size || f->ops->size(f) == -ESPIPE)
		ret = -ESPIPE;
	else
		ret = wr ? do_write(f, ubuf, n, &pos) : do_read(f, ubuf, n, &pos);
	file_put(f);
	return ret;
}

SYSCALL_DEFINE4(pread64, int, fd, u64, ubuf, u64, n, s64, off)
{
	return do_pio(fd, ubuf, n, off, false);
}

SYSCALL_DEFINE4(pwrite64, int, fd, u64, ubuf, u64, n, s64, off)
{
	return do_pio(fd, ubuf, n, off, true);
}

/* writev of at most IO_CHUNK bytes: gathered into one buffer and handed
 * to the backend as one write, so a tty or a pipe gets the vectors'
 * bytes together (a program's line is never split around a log line or
 * another writer's bytes).  A vector that faults ends the data. */
static long writev_gathered(struct file *f, const struct iovec *iov, int cnt,
			    size_t total)
{
	u8 *buf = kmalloc(total);
	size_t got = 0;
	long ret;

	if (!buf)
		return -ENOMEM;
	for (int i = 0; i < cnt; i++) {
		u64 base = (u64)iov[i].iov_base;

		if (!user_range_ok(base, iov[i].iov_len) ||
		    copy_from_user(buf + got, (void *)base, iov[i].iov_len))
			break;
		got += iov[i].iov_len;
	}
	if (!got) {
		kfree(buf);
		return -EFAULT;
	}
	ret = f->ops->write(f, buf, got, write_pos_begin(f, NULL));
	write_pos_end(f, NULL);
	kfree(buf);
	return write_done(ret);
}

/* readv/writev: the vectors in order; a short transfer ends the call. */
static long iov_each(struct file *f, const struct iovec *iov, int cnt, bool wr)
{
	long total = 0;

	for (int i = 0; i < cnt; i++) {
		long r;

		if (!iov[i].iov_len)
			continue;
		r = wr ? do_write(f, (u64)iov[i].iov_base, iov[i].iov_len, NULL) :
			 do_read(f, (u64)iov[i].iov_base, iov[i].iov_len, NULL);
		if (r < 0)
			return total ? total : r;
		total += r;
		if ((u64)r < iov[i].iov_len)
			break;
	}
	return total;
}

static long do_iov(int fd, const struct iovec *uiov, int cnt, bool wr)
{
	struct iovec *iov = NULL;
	struct file *f;
	size_t total = 0;
	long ret = 0;

	if (cnt < 0 || cnt > UIO_MAXIOV)
		return -EINVAL;
	f = fget(fd);
	if (!f)
		return -EBADF;
	if (!cnt)
		goto out;
	iov = kmalloc(cnt * sizeof(*iov));
	ret = iov ? 0 : -ENOMEM;
	if (iov && copy_from_user(iov, uiov, cnt * sizeof(*iov)))
		ret = -EFAULT;
	for (int i = 0; !ret && i < cnt; i++) {
		if ((s64)iov[i].iov_len < 0 || total + iov[i].iov_len < total)
			ret = -EINVAL;
		total += iov[i].iov_len;
	}
	if (ret)
		goto out;
	if (wr && total && total <= IO_CHUNK && can_write(f))
		ret = writev_gathered(f, iov, cnt, total);
	else
		ret = iov_each(f, iov, cnt, wr);
out:
	kfree(iov);
	file_put(f);
	return ret;
}

SYSCALL_DEFINE3(readv, int, fd, const struct iovec *, uiov, int, cnt)
{
	return do_iov(fd, uiov, cnt, false);
}

SYSCALL_DEFINE3(writev, int, fd, const struct iovec *, uiov, int, cnt)
{
	return do_iov(fd, uiov, cnt, true);
}

/* SEEK_DATA/SEEK_HOLE -EINVAL (Linux supports them). */
SYSCALL_DEFINE3(lseek, int, fd, s64, off, int, whence)
{
	struct file *f = fget(fd);
	long size, ret;
	s64 base;

	if (!f)
		return -EBADF;
	size = f->ops->size ? f->ops->size(f) : -ESPIPE;
	if (size == -ESPIPE) {
		file_put(f);
		return -ESPIPE;
	}
	mutex_lock(&f->pos_lock);
	base = whence == SEEK_SET ? 0 : whence == SEEK_CUR ? (s64)f->pos : size;
	if (whence > SEEK_END || base + off < 0) {
		ret = -EINVAL;
	} else {
		f->pos = base + off;
		ret = f->pos;
	}
	mutex_unlock(&f->pos_lock);
	file_put(f);
	return ret;
}

static long dup_to(int oldfd, int newfd, u32 flags, bool dup2)
{
	struct file *f;

	if (flags & ~O_CLOEXEC)
		return -EINVAL;
	if (!dup2 && oldfd == newfd)
		return -EINVAL;
	f = fget(oldfd);
	if (!f)
		return -EBADF;
	if (oldfd == newfd) {
		file_put(f);
		return newfd;
	}
	return fd_replace(newfd, f, flags & O_CLOEXEC);
}

SYSCALL_DEFINE1(dup, int, fd)
{
	struct file *f = fget(fd);
	int ret;

	if (!f)
		return -EBADF;
	ret = fd_install(f, 0, false);
	if (ret < 0)
		file_put(f);
	return ret;
}

SYSCALL_DEFINE2(dup2, int, oldfd, int, newfd)
{
	return dup_to(oldfd, newfd, 0, true);
}

SYSCALL_DEFINE3(dup3, int, oldfd, int, newfd, u32, flags)
{
	return dup_to(oldfd, newfd, flags, false);
}

#define SETFL_MASK (O_APPEND | O_NONBLOCK | O_DIRECT | O_NOATIME)

/* Record locks (F_GETLK/F_SETLK/F_SETLKW) succeed without locking (one
 * processor node, no lock contention is tracked); others -EINVAL. */
SYSCALL_DEFINE3(fcntl, int, fd, int, cmd, u64, arg)
{
	struct files *fs = current_process()->files;
	struct file *f = fget(fd);
	long ret = 0;

	if (!f)
		return -EBADF;
	switch (cmd) {
	case F_DUPFD:
	case F_DUPFD_CLOEXEC:
		if (arg >= (u64)nofile_limit()) {
			ret = -EINVAL;
			break;
		}
		file_get(f);
		ret = fd_install(f, arg, cmd == F_DUPFD_CLOEXEC);
		if (ret < 0)
			file_put(f);
		break;
	case F_GETFD:
		ret = test_bit(fd, fs->cloexec) ? FD_CLOEXEC : 0;
		break;
	case F_SETFD:
		if (arg & FD_CLOEXEC)
			set_bit(fd, fs->cloexec);
		else
			clear_bit(fd, fs->cloexec);
		break;
	case F_GETFL:
		ret = f->flags;
		break;
	case F_SETFL:
		f->flags = (f->flags & ~SETFL_MASK) | (arg & SETFL_MASK);
		break;
	case F_GETLK:
	case F_SETLK:
	case F_SETLKW:
		break;
	default:
		ret = -EINVAL;
	}
	file_put(f);
	return ret;
}

SYSCALL_DEFINE3(ioctl, int, fd, unsigned int, cmd, u64, arg)
{
	struct file *f = fget(fd);
	long ret;

	if (!f)
		return -EBADF;
	if (cmd == FIOCLEX) {
		set_bit(fd, current_process()->files->cloexec);
		ret = 0;
	} else if (cmd == FIONBIO) {
		u32 on;

		ret = get_user_u32(&on, (void *)arg);
		if (!ret)
			f->flags = on ? f->flags | O_NONBLOCK : f->flags & ~O_NONBLOCK;
	} else {
		ret = f->ops->ioctl ? f->ops->ioctl(f, cmd, arg) : -ENOTTY;
	}
	file_put(f);
	return ret;
}

int file_stat(struct file *f, struct stat *st)
{
	memset(st, 0, sizeof(*st));
	st->st_blksize = 4096;
	st->st_nlink = 1;
	st->st_ino = (u64)f->priv >> 4;
	return f->ops->stat ? f->ops->stat(f, st) : 0;
}

SYSCALL_DEFINE2(fstat, int, fd, struct stat *, ust)
{
	struct file *f = fget(fd);
	struct stat st;
	int ret;

	if (!f)
		return -EBADF;
	ret = file_stat(f, &st);
	file_put(f);
	if (!ret && copy_to_user(ust, &st, sizeof(st)))
		return -EFAULT;
	return ret;
}

/* Files without a backing store (pipes, tty, pseudo files) have nothing
 * to push: 0, as Linux answers for them. */
static long do_fsync(int fd)
{
	struct file *f = fget(fd);
	long ret;

	if (!f)
		return -EBADF;
	ret = f->ops->fsync ? f->ops->fsync(f) : 0;
	file_put(f);
	return ret;
}

SYSCALL_DEFINE1(fsync, int, fd)
{
	return do_fsync(fd);
}

SYSCALL_DEFINE1(fdatasync, int, fd)
{
	return do_fsync(fd);
}

/* Only regular files of the root file system: others -EINVAL. */
SYSCALL_DEFINE2(ftruncate, int, fd, s64, len)
{
	struct file *f = fget(fd);
	long ret;

	if (!f)
		return -EBADF;
	if (len < 0 || !f->ops->truncate)
		ret = -EINVAL;
	else if ((f->flags & O_ACCMODE) == O_RDONLY)
		ret = -EINVAL;
	else
		ret = f->ops->truncate(f, len);
	file_put(f);
	return ret;
}
