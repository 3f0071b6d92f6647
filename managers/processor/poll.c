/* managers/processor/poll.c — poll, ppoll, select, pselect6.
 *
 * Readiness comes from each file's ops->poll (no waiting in the backends).
 * Waiting is on one global wait queue, poll_wq, which every backend wakes
 * when something may have become ready (pipes, sockets later): simple and
 * never loses a wake-up (we are on the queue before the final scan), at
 * the price of waking every poller for any change.  Timeouts are relative
 * (ppoll's timespec, select's timeval written back with what is left as
 * Linux does).  ppoll/pselect6 install the given signal mask for the
 * duration of the wait.
 */
#include <asm/uaccess.h>
#include <kernel/sched.h>
#include <kernel/time.h>
#include <kernel/wait.h>
#include <lib/string.h>
#include <mm/mm.h>
#include <processor/abi.h>
#include <processor/files.h>
#include <uapi/errno.h>
#include <uapi/poll.h>
#include <uapi/time.h>
#include "internal.h"

#define POLL_MAX_FDS	4096
#define SELECT_MAX	1024

DEFINE_WAIT_QUEUE_HEAD(poll_wq);

void poll_wake(void)
{
	wake_up_all(&poll_wq);
}

static unsigned int poll_one(struct pollfd *p)
{
	struct file *f;
	unsigned int m;

	if (p->fd < 0)
		return 0;
	f = fget(p->fd);
	if (!f)
		return POLLNVAL;
	m = f->ops->poll ? f->ops->poll(f) :
	    (POLLIN | POLLRDNORM | POLLOUT | POLLWRNORM);
	file_put(f);
	return m & (p->events | POLLERR | POLLHUP | POLLNVAL);
}

static int scan(struct pollfd *fds, unsigned int n)
{
	int ready = 0;

	for (unsigned int i = 0; i < n; i++) {
		fds[i].revents = poll_one(&fds[i]);
		if (fds[i].revents)
			ready++;
	}
	return ready;
}

/* Wait until some entry is ready, @timeout_ns passes (~0: forever) or a
 * signal arrives; returns the ready count, 0 or -ERESTARTSYS/-EINTR. */
static long do_poll(struct pollfd *fds, unsigned int n, u64 timeout_ns)
{
	u64 deadline = timeout_ns == ~0ull ? 0 : ktime_get_ns() + timeout_ns;
	DEFINE_WAIT(w);
	long ret;

	for (;;) {
		u64 now;

		prepare_to_wait(&poll_wq, &w, TASK_INTERRUPTIBLE);
		ret = scan(fds, n);
		now = ktime_get_ns();
		if (ret || (deadline && now >= deadline) || !timeout_ns)
			break;
		if (signal_pending(current_thread())) {
			ret = -EINTR;
			break;
		}
		if (deadline)
			schedule_timeout(deadline - now);
		else
			schedule();
	}
	finish_wait(&poll_wq, &w);
	return ret;
}

static long poll_user(struct pollfd *ufds, unsigned int n, u64 timeout_ns)
{
	struct pollfd *fds;
	long ret;

	if (n > POLL_MAX_FDS)
		return -EINVAL;
	fds = kmalloc(sizeof(*fds) * (n ? n : 1));
	if (!fds)
		return -ENOMEM;
	if (copy_from_user(fds, ufds, sizeof(*fds) * n)) {
		kfree(fds);
		return -EFAULT;
	}
	ret = do_poll(fds, n, timeout_ns);
	if (ret >= 0 && copy_to_user(ufds, fds, sizeof(*fds) * n))
		ret = -EFAULT;
	kfree(fds);
	return ret;
}

SYSCALL_DEFINE3(poll, struct pollfd *, ufds, unsigned int, n, int, ms)
{
	return poll_user(ufds, n, ms < 0 ? ~0ull : (u64)ms * NSEC_PER_MSEC);
}

/* Install @umask (if any) for the wait; the old mask returns after the
 * handler (restore_mask) or at once when no signal came. */
static long with_sigmask(const sigset_t *umask, u64 size, sigset_t *old)
{
	struct thread *t = current_thread();
	sigset_t m;

	*old = t->blocked;
	if (!umask)
		return 0;
	if (size != sizeof(sigset_t))
		return -EINVAL;
	if (copy_from_user(&m, umask, sizeof(m)))
		return -EFAULT;
	t->blocked = m & ~((1ull << (SIGKILL - 1)) | (1ull << (SIGSTOP - 1)));
	return 0;
}

static void end_sigmask(const sigset_t *umask, sigset_t old, long ret)
{
	struct thread *t = current_thread();

	if (!umask)
		return;
	if (ret == -EINTR) {
		t->saved_mask = old;
		t->restore_mask = true;
	} else {
		t->blocked = old;
	}
}

static long timeout_from(const struct timespec *uts, u64 *ns)
{
	struct timespec ts;

	*ns = ~0ull;
	if (!uts)
		return 0;
	if (copy_from_user(&ts, uts, sizeof(ts)))
		return -EFAULT;
	if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= (s64)NSEC_PER_SEC)
		return -EINVAL;
	*ns = ts.tv_sec * NSEC_PER_SEC + ts.tv_nsec;
	return 0;
}

SYSCALL_DEFINE5(ppoll, struct pollfd *, ufds, unsigned int, n,
		const struct timespec *, uts, const sigset_t *, umask, u64, size)
{
	sigset_t old;
	u64 ns;
	long ret = timeout_from(uts, &ns);

	if (!ret)
		ret = with_sigmask(umask, size, &old);
	if (ret)
		return ret;
	ret = poll_user(ufds, n, ns);
	end_sigmask(umask, old, ret);
	return ret;
}

/* select over fd_sets as bitmaps of u64 words. */
static long do_select(int nfds, u64 *uin, u64 *uout, u64 *uex, u64 ns)
{
	u64 in[SELECT_MAX / 64] = { 0 }, out[SELECT_MAX / 64] = { 0 };
	u64 ex[SELECT_MAX / 64] = { 0 };
	size_t bytes = DIV_ROUND_UP(nfds, 64) * 8;
	struct pollfd *fds;
	unsigned int n = 0;
	long ret;

	if (nfds < 0 || nfds > SELECT_MAX)
		return -EINVAL;
	if ((uin && copy_from_user(in, uin, bytes)) ||
	    (uout && copy_from_user(out, uout, bytes)) ||
	    (uex && copy_from_user(ex, uex, bytes)))
		return -EFAULT;
	fds = kmalloc(sizeof(*fds) * (nfds ? nfds : 1));
	if (!fds)
		return -ENOMEM;
	for (int fd = 0; fd < nfds; fd++) {
		u64 bit = 1ull << (fd % 64);
		short ev = ((in[fd / 64] & bit) ? POLLIN : 0) |
			   ((out[fd / 64] & bit) ? POLLOUT : 0) |
			   ((ex[fd / 64] & bit) ? POLLPRI : 0);

		if (ev)
			fds[n++] = (struct pollfd){ fd, ev, 0 };
	}
	ret = do_poll(fds, n, ns);
	if (ret < 0)
		goto out;
	memset(in, 0, sizeof(in));
	memset(out, 0, sizeof(out));
	memset(ex, 0, sizeof(ex));
	ret = 0;
	for (unsigned int i = 0; i < n; i++) {
		int fd = fds[i].fd;
		u64 bit = 1ull << (fd % 64);

		if (fds[i].revents & POLLNVAL) {
			ret = -EBADF;
			goto out;
		}
		if (fds[i].revents & (POLLIN | POLLHUP | POLLERR) && fds[i].events & POLLIN)
			in[fd / 64] |= bit, ret++;
		if (fds[i].revents & (POLLOUT | POLLERR) && fds[i].events & POLLOUT)
			out[fd / 64] |= bit, ret++;
		if (fds[i].revents & POLLPRI)
			ex[fd / 64] |= bit, ret++;
	}
	if ((uin && copy_to_user(uin, in, bytes)) ||
	    (uout && copy_to_user(uout, out, bytes)) ||
	    (uex && copy_to_user(uex, ex, bytes)))
		ret = -EFAULT;
out:
	kfree(fds);
	return ret;
}

SYSCALL_DEFINE5(select, int, nfds, u64 *, uin, u64 *, uout, u64 *, uex,
		struct timeval *, utv)
{
	struct timeval tv;
	u64 ns = ~0ull, start = ktime_get_ns(), spent;
	long ret;

	if (utv) {
		if (copy_from_user(&tv, utv, sizeof(tv)))
			return -EFAULT;
		if (tv.tv_sec < 0 || tv.tv_usec < 0 || tv.tv_usec >= 1000000)
			return -EINVAL;
		ns = tv.tv_sec * NSEC_PER_SEC + tv.tv_usec * NSEC_PER_USEC;
	}
	ret = do_select(nfds, uin, uout, uex, ns);
	if (utv && ret >= 0) {
		spent = ktime_get_ns() - start;
		ns = ns > spent ? ns - spent : 0;
		tv.tv_sec = ns / NSEC_PER_SEC;
		tv.tv_usec = ns % NSEC_PER_SEC / NSEC_PER_USEC;
		if (copy_to_user(utv, &tv, sizeof(tv)))
			return -EFAULT;
	}
	return ret;
}

SYSCALL_DEFINE6(pselect6, int, nfds, u64 *, uin, u64 *, uout, u64 *, uex,
		const struct timespec *, uts, const u64 *, usig)
{
	u64 sig[2] = { 0, 0 }, ns;
	sigset_t old;
	long ret = timeout_from(uts, &ns);

	if (!ret && usig && copy_from_user(sig, usig, sizeof(sig)))
		ret = -EFAULT;
	if (!ret)
		ret = with_sigmask(usig ? (const sigset_t *)sig[0] : NULL, sig[1], &old);
	if (ret)
		return ret;
	ret = do_select(nfds, uin, uout, uex, ns);
	end_sigmask(usig ? (const sigset_t *)sig[0] : NULL, old, ret);
	return ret;
}
