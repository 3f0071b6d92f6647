/* managers/processor/pipe.c — pipes (pipe, pipe2).
 *
 * One ring buffer of PIPE_SIZE bytes shared by a read end and a write end
 * (two struct files).  pipe->lock guards the ring and the end counts;
 * readers sleep on rd_wait until data or no writers (EOF), writers on
 * wr_wait until room or no readers (-EPIPE, and SIGPIPE from files.c).
 * Writes of at most PIPE_BUF bytes are atomic: the writer waits until all
 * of them fit.  O_NONBLOCK gives -EAGAIN instead of sleeping; a signal
 * gives -ERESTARTSYS (restarted or -EINTR on the way out).  Every change
 * wakes poll_wq.  O_DIRECT (packet mode) -EINVAL (Linux supports it).
 */
#include <asm/uaccess.h>
#include <kernel/spinlock.h>
#include <kernel/wait.h>
#include <lib/string.h>
#include <mm/mm.h>
#include <processor/abi.h>
#include <processor/files.h>
#include <uapi/errno.h>
#include <uapi/fcntl.h>
#include <uapi/poll.h>
#include "internal.h"

#define PIPE_SIZE	65536
#define PIPE_BUF	4096

struct pipe {
	spinlock_t lock;
	u8 *buf;
	u32 head, len;		/* read position, bytes held */
	int readers, writers;
	struct wait_queue_head rd_wait, wr_wait;
	u64 ino;
};

static u64 pipe_ino = 1000;

static bool readable(struct pipe *p)
{
	return p->len || !p->writers;
}

static long pipe_read(struct file *f, void *buf, size_t n, u64 *pos)
{
	struct pipe *p = f->priv;
	size_t k;
	int err;

	for (;;) {
		spin_lock(&p->lock);
		if (p->len || !p->writers)
			break;
		spin_unlock(&p->lock);
		if (f->flags & O_NONBLOCK)
			return -EAGAIN;
		err = wait_event_interruptible(p->rd_wait, readable(p));
		if (err)
			return err;
	}
	k = MIN(n, (size_t)p->len);
	for (size_t i = 0; i < k; i++)
		((u8 *)buf)[i] = p->buf[(p->head + i) % PIPE_SIZE];
	p->head = (p->head + k) % PIPE_SIZE;
	p->len -= k;
	spin_unlock(&p->lock);
	wake_up_all(&p->wr_wait);
	poll_wake();
	return k;
}

static bool writable(struct pipe *p, size_t need)
{
	return !p->readers || PIPE_SIZE - p->len >= need;
}

static long pipe_write(struct file *f, const void *buf, size_t n, u64 *pos)
{
	struct pipe *p = f->priv;
	size_t need = n <= PIPE_BUF ? n : 1, k;
	int err;

	for (;;) {
		spin_lock(&p->lock);
		if (!p->readers) {
			spin_unlock(&p->lock);
			return -EPIPE;
		}
		if (PIPE_SIZE - p->len >= need)
			break;
		spin_unlock(&p->lock);
		if (f->flags & O_NONBLOCK)
			return -EAGAIN;
		err = wait_event_interruptible(p->wr_wait, writable(p, need));
		if (err)
			return err;
	}
	k = MIN(n, (size_t)(PIPE_SIZE - p->len));
	for (size_t i = 0; i < k; i++)
		p->buf[(p->head + p->len + i) % PIPE_SIZE] = ((const u8 *)buf)[i];
	p->len += k;
	spin_unlock(&p->lock);
	wake_up_all(&p->rd_wait);
	poll_wake();
	return k;
}

static unsigned int pipe_poll(struct file *f)
{
	struct pipe *p = f->priv;
	unsigned int m = 0;

	spin_lock(&p->lock);
	if ((f->flags & O_ACCMODE) == O_RDONLY) {
		if (p->len)
			m |= POLLIN | POLLRDNORM;
		if (!p->writers)
			m |= POLLHUP;
	} else {
		if (PIPE_SIZE - p->len >= PIPE_BUF)
			m |= POLLOUT | POLLWRNORM;
		if (!p->readers)
			m |= POLLERR;
	}
	spin_unlock(&p->lock);
	return m;
}

static int pipe_stat(struct file *f, struct stat *st)
{
	struct pipe *p = f->priv;

	st->st_mode = S_IFIFO | 0600;
	st->st_ino = p->ino;
	st->st_dev = 12;
	st->st_blksize = PIPE_BUF;
	return 0;
}

static long pipe_size(struct file *f)
{
	return -ESPIPE;
}

static long pipe_ioctl(struct file *f, unsigned int cmd, u64 arg)
{
	struct pipe *p = f->priv;

	if (cmd != FIONREAD)
		return -ENOTTY;
	return put_user_u32(READ_ONCE(p->len), (void *)arg);
}

static void pipe_release(struct file *f)
{
	struct pipe *p = f->priv;
	bool last;

	/* Wake under the lock: the other end's release may free the pipe as
	 * soon as we let go of it. */
	spin_lock(&p->lock);
	if ((f->flags & O_ACCMODE) == O_RDONLY)
		p->readers--;
	else
		p->writers--;
	last = !p->readers && !p->writers;
	wake_up_all(&p->rd_wait);
	wake_up_all(&p->wr_wait);
	spin_unlock(&p->lock);
	poll_wake();
	if (last) {
		free_pages(p->buf, 4);
		kfree(p);
	}
}

static const struct file_ops pipe_ops = {
	.read = pipe_read,
	.write = pipe_write,
	.poll = pipe_poll,
	.ioctl = pipe_ioctl,
	.stat = pipe_stat,
	.size = pipe_size,
	.release = pipe_release,
	.stream = true,
};

static int pipe_create(struct file **rd, struct file **wr, u32 flags)
{
	struct pipe *p = kzalloc(sizeof(*p));

	if (!p)
		return -ENOMEM;
	p->buf = alloc_pages(4);	/* 16 pages = PIPE_SIZE */
	*rd = file_alloc(&pipe_ops, O_RDONLY | (flags & O_NONBLOCK), p);
	*wr = file_alloc(&pipe_ops, O_WRONLY | (flags & O_NONBLOCK), p);
	if (!p->buf || !*rd || !*wr) {
		if (p->buf)
			free_pages(p->buf, 4);
		kfree(*rd);
		kfree(*wr);
		kfree(p);
		return -ENOMEM;
	}
	spin_lock_init(&p->lock, "pipe");
	init_waitqueue_head(&p->rd_wait);
	init_waitqueue_head(&p->wr_wait);
	p->readers = p->writers = 1;
	p->ino = __atomic_add_fetch(&pipe_ino, 1, __ATOMIC_RELAXED);
	return 0;
}

SYSCALL_DEFINE2(pipe2, int *, ufds, u32, flags)
{
	struct file *rd, *wr;
	int fds[2], err;

	if (flags & ~(O_CLOEXEC | O_NONBLOCK))
		return -EINVAL;
	err = pipe_create(&rd, &wr, flags);
	if (err)
		return err;
	fds[0] = fd_install(rd, 0, flags & O_CLOEXEC);
	if (fds[0] < 0) {
		file_put(rd);
		file_put(wr);
		return fds[0];
	}
	fds[1] = fd_install(wr, 0, flags & O_CLOEXEC);
	if (fds[1] < 0) {
		fd_close(fds[0]);
		file_put(wr);
		return fds[1];
	}
	if (copy_to_user(ufds, fds, sizeof(fds))) {
		fd_close(fds[0]);
		fd_close(fds[1]);
		return -EFAULT;
	}
	return 0;
}

SYSCALL_DEFINE1(pipe, int *, ufds)
{
	return sys_pipe2((u64[6]){ (u64)ufds, 0 });
}
