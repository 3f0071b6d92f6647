/* managers/processor/fs_tty.c — the console tty behind fds 0, 1 and 2
 * (and /dev/tty, /dev/console).
 *
 * Two back ends, chosen once at boot by the hardware:
 *  - COM2 present (`tessera run` adds it; drivers/tty/serial_aux.c): the
 *    program's own wire.  A write's bytes go out unchanged ("\n" stays
 *    "\n") and contiguous: tty_wr_lock is held for the whole write, and
 *    writev reaches us as one write (files.c gathers it), so nothing —
 *    another writer or the kernel log, which lives on COM1 — can land
 *    inside it.  Reads follow the termios the program set (tty_ldisc.c:
 *    canonical by default — one line per read, ^D as end of file; raw
 *    mode with ICANON off) and sleep interruptibly until they can
 *    return: a signal gives -ERESTARTSYS (restarted or -EINTR on the way
 *    out), O_NONBLOCK gives -EAGAIN.  poll reports POLLIN when a read
 *    would not wait.
 *  - No COM2 (bare metal, `tessera boot`): output goes to the kernel's
 *    consoles through console_write_user(), with no printk prefix and never
 *    inside a log line; `tessera run` used to tell it apart by the log's
 *    "[  s.us] cpuN " prefix.  Reads return end of file at once.
 * TCGETS returns the termios (at boot: canonical 38400-baud 8N1, no
 * echo, tty_ldisc.c), TCSETS/TCSETSW/TCSETSF set it (TCSETSW after COM2
 * has sent its output, TCSETSF dropping pending input too); TIOCGWINSZ
 * answers 24x80, so isatty() is true and programs line-buffer;
 * TIOCSWINSZ is accepted and changes nothing.
 *
 * With ISIG set, a VINTR (^C) or VQUIT byte is taken by the tty_isig
 * thread: the input up to it is dropped and every process gets SIGINT or
 * SIGQUIT.
 *
 * Lock order: tty_wr_lock (mutex, writers); tty_rx_lock (spinlock, one
 * reader takes data at a time; guards tty_termios and tty_window) ->
 * serial_aux's lock -> wait queue locks; proc_tree_lock is taken alone
 * (by tty_isig, after tty_rx_lock is dropped).
 * The receive hook runs in interrupt context and only wakes.
 */
#include <asm/uaccess.h>
#include <drivers/serial.h>
#include <kernel/mutex.h>
#include <kernel/printk.h>
#include <kernel/sched.h>
#include <kernel/wait.h>
#include <lib/string.h>
#include <processor/files.h>
#include <processor/process.h>
#include <uapi/errno.h>
#include <uapi/fcntl.h>
#include <uapi/poll.h>
#include "internal.h"
#include "tty_ldisc.h"

#define TX_BACKOFF_MS	10

static DEFINE_MUTEX(tty_wr_lock);
static DEFINE_SPINLOCK(tty_rx_lock);
static DEFINE_WAIT_QUEUE_HEAD(tty_rx_wait);
static struct file *tty;
static struct termios tty_termios;
static bool tty_termios_set;
static u8 tty_window[LDISC_LINE_MAX];	/* the pending bytes a read sees */

static DEFINE_WAIT_QUEUE_HEAD(tty_sig_wait);
static bool tty_sig_kick;

/* serial_aux's receive hook: may run in an interrupt handler. */
static void tty_rx_notify(void)
{
	WRITE_ONCE(tty_sig_kick, true);
	wake_up_all(&tty_sig_wait);
	wake_up_all(&tty_rx_wait);
	poll_wake();
}

/* tty_rx_lock held: the termios, set to the default on first use. */
static const struct termios *termios_locked(void)
{
	if (!tty_termios_set) {
		ldisc_default(&tty_termios);
		tty_termios_set = true;
	}
	return &tty_termios;
}

/* Take what a read of @n bytes gets now (tty_ldisc.c) into @buf (NULL:
 * only ask): its length, or -EAGAIN if the read must wait. */
static long tty_take(u8 *buf, size_t n)
{
	size_t k, eat;
	long r;

	spin_lock(&tty_rx_lock);
	k = serial_aux_peek(tty_window, sizeof(tty_window));
	r = ldisc_take(termios_locked(), tty_window, k, n, &eat);
	if (buf && r > 0)
		memcpy(buf, tty_window, r);
	if (buf)
		serial_aux_consume(eat);
	spin_unlock(&tty_rx_lock);
	return r;
}

/* A read would return now (data, or end of file). */
static bool tty_ready(void)
{
	return tty_take(NULL, LDISC_LINE_MAX) != -EAGAIN;
}

/* poll's POLLIN: as tty_ready, but a raw read that returns 0 only
 * because VMIN = VTIME = 0 does not count (it has nothing). */
static bool tty_poll_ready(void)
{
	long r = tty_take(NULL, LDISC_LINE_MAX);

	return r > 0 || (!r && serial_aux_rx_pending());
}

static int tty_signal_one(struct process *p, void *arg)
{
	struct sigpend i = { .code = SI_KERNEL };

	return signal_send_process(p, *(int *)arg, &i) == 0;
}

/* ISIG (tty_ldisc.c): a thread, as the receive hook may run in an
 * interrupt handler.  A VINTR/VQUIT byte and the input before it are
 * dropped and the signal goes to every process (no process groups: all
 * are in the foreground, as under a shell without job control). */
static int tty_sig_thread(void *unused)
{
	for (;;) {
		size_t k, eat;
		int sig;

		wait_event(tty_sig_wait, READ_ONCE(tty_sig_kick));
		WRITE_ONCE(tty_sig_kick, false);
		do {
			spin_lock(&tty_rx_lock);
			k = serial_aux_peek(tty_window, sizeof(tty_window));
			sig = ldisc_signal(termios_locked(), tty_window, k,
					   &eat);
			serial_aux_consume(eat);
			spin_unlock(&tty_rx_lock);
			if (sig) {
				spin_lock(&proc_tree_lock);
				process_for_each_other(NULL, tty_signal_one,
						       &sig);
				spin_unlock(&proc_tree_lock);
				wake_up_all(&tty_rx_wait);
			}
		} while (sig);
	}
	return 0;
}

static long tty_read(struct file *f, void *buf, size_t n, u64 *pos)
{
	long r;
	int err;

	if (!serial_aux_present())
		return 0;
	for (;;) {
		r = tty_take(buf, n);
		if (r != -EAGAIN)
			return r;
		if (f->flags & O_NONBLOCK)
			return -EAGAIN;
		err = wait_event_interruptible(tty_rx_wait, tty_ready());
		if (err)
			return err;
	}
}

/* COM2: everything, or stop early (short count) once a signal is pending
 * while the host does not take bytes. */
static long tty_write_aux(const u8 *buf, size_t n)
{
	size_t done = 0;

	while (done < n) {
		done += serial_aux_write(buf + done, n - done);
		if (done == n)
			break;
		if (signal_pending(current_thread()))
			return done ? (long)done : -ERESTARTSYS;
		msleep(TX_BACKOFF_MS);
	}
	return done;
}

static long tty_write(struct file *f, const void *buf, size_t n, u64 *pos)
{
	long r = n;

	mutex_lock(&tty_wr_lock);
	if (serial_aux_present())
		r = tty_write_aux(buf, n);
	else
		console_write_user(buf, n);
	mutex_unlock(&tty_wr_lock);
	return r;
}

static unsigned int tty_poll(struct file *f)
{
	if (!serial_aux_present() || tty_poll_ready())
		return POLLIN | POLLRDNORM | POLLOUT | POLLWRNORM;
	return POLLOUT | POLLWRNORM;
}

void tty_flush(void)
{
	mutex_lock(&tty_wr_lock);
	if (serial_aux_flush(1000))
		pr_warn("tty: COM2 did not drain in 1 s\n");
	mutex_unlock(&tty_wr_lock);
}

/* TCSETS, TCSETSW (after COM2 drained), TCSETSF (and drop the input). */
static long tty_set(unsigned int cmd, u64 arg)
{
	struct termios t;

	if (copy_from_user(&t, (void *)arg, sizeof(t)))
		return -EFAULT;
	if (cmd != TCSETS && serial_aux_present())
		tty_flush();
	spin_lock(&tty_rx_lock);
	tty_termios = t;
	tty_termios_set = true;
	if (cmd == TCSETSF && serial_aux_present())
		serial_aux_consume(serial_aux_rx_pending());
	spin_unlock(&tty_rx_lock);
	tty_rx_notify();		/* a reader may now be able to go on */
	return 0;
}

static long tty_ioctl(struct file *f, unsigned int cmd, u64 arg)
{
	struct termios t;
	struct winsize ws = { 24, 80, 0, 0 };

	switch (cmd) {
	case TCGETS:
		spin_lock(&tty_rx_lock);
		t = *termios_locked();
		spin_unlock(&tty_rx_lock);
		return copy_to_user((void *)arg, &t, sizeof(t)) ? -EFAULT : 0;
	case TIOCGWINSZ:
		return copy_to_user((void *)arg, &ws, sizeof(ws)) ? -EFAULT : 0;
	case TCSETS:
	case TCSETSW:
	case TCSETSF:
		return tty_set(cmd, arg);
	case TIOCSWINSZ:
		return 0;
	case TIOCGPGRP:
		return put_user_u32(current_process()->tgid, (void *)arg);
	case TIOCSPGRP:
		return 0;
	case FIONREAD:
		return put_user_u32(serial_aux_rx_pending(), (void *)arg);
	default:
		return -ENOTTY;
	}
}

static int tty_stat(struct file *f, struct stat *st)
{
	st->st_mode = S_IFCHR | 0620;
	st->st_rdev = (4 << 8) | 64;		/* ttyS0 */
	st->st_dev = 5;
	st->st_ino = 3;
	st->st_blksize = 1024;
	return 0;
}

static long tty_size(struct file *f)
{
	return -ESPIPE;
}

static const struct file_ops tty_ops = {
	.stream = true,
	.read = tty_read,
	.write = tty_write,
	.poll = tty_poll,
	.ioctl = tty_ioctl,
	.stat = tty_stat,
	.size = tty_size,
};

/* Once, for the first opener: the ISIG thread (COM2 only). */
static struct file *tty_start(struct file *f)
{
	struct task *t;

	if (!serial_aux_present())
		return f;
	t = kthread_run(tty_sig_thread, NULL, "tty_isig");
	if (t)
		kthread_detach(t);
	else
		pr_warn("tty: no ISIG thread: ^C and ^\\ stay pending\n");
	return f;
}

struct file *tty_file(void)
{
	struct file *f = READ_ONCE(tty), *n;

	if (!f) {
		n = file_alloc(&tty_ops, O_RDWR, NULL);
		if (!n)
			return NULL;
		serial_aux_set_notify(tty_rx_notify);
		/* The first opener wins; the table holds one reference. */
		if (!__atomic_compare_exchange_n(&tty, &f, n, false,
						 __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
			file_put(n);
		else
			f = tty_start(n);
	}
	file_get(f);
	return f;
}

int tty_open(u32 flags, struct file **out)
{
	*out = tty_file();
	return *out ? 0 : -ENOMEM;
}
