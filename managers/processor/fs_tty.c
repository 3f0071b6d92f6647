/* managers/processor/fs_tty.c — the console tty behind fds 0, 1 and 2
 * (and /dev/tty, /dev/console).
 *
 * Two back ends, chosen once at boot by the hardware:
 *  - COM2 present (`tessera run` adds it; drivers/tty/serial_aux.c): the
 *    program's own wire.  A write's bytes go out unchanged ("\n" stays
 *    "\n") and contiguous: tty_wr_lock is held for the whole write, and
 *    writev reaches us as one write (files.c gathers it), so nothing —
 *    another writer or the kernel log, which lives on COM1 — can land
 *    inside it.  Reads take what has arrived (no line discipline: no echo,
 *    no editing, a read does not stop at "\n") and sleep interruptibly
 *    until something arrives: a signal gives -ERESTARTSYS (restarted or
 *    -EINTR on the way out), O_NONBLOCK gives -EAGAIN.  A ^D (VEOF) is
 *    treated as a terminal in canonical mode does: at the start of a line
 *    one read returns 0 (end of file) for it; after a partial line it ends
 *    that read's data.  poll reports POLLIN while bytes (data or ^D) are
 *    pending.
 *  - No COM2 (bare metal, `tessera boot`): output goes to the kernel's
 *    consoles through console_write_user(), with no printk prefix and never
 *    inside a log line; `tessera run` used to tell it apart by the log's
 *    "[  s.us] cpuN " prefix.  Reads return end of file at once.
 * TCGETS answers a cooked 38400-baud 8N1 terminal and TIOCGWINSZ 24x80,
 * so isatty() is true and programs line-buffer; TCSETS* and TIOCSWINSZ are
 * accepted and change nothing.
 *
 * Lock order: tty_wr_lock (mutex, writers); tty_rx_lock (spinlock, one
 * reader takes data at a time) -> serial_aux's lock -> wait queue locks.
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

#define VEOF_CHAR	0x04	/* ^D */
#define TX_BACKOFF_MS	10

static DEFINE_MUTEX(tty_wr_lock);
static DEFINE_SPINLOCK(tty_rx_lock);
static DEFINE_WAIT_QUEUE_HEAD(tty_rx_wait);
static struct file *tty;

/* serial_aux's receive hook: may run in an interrupt handler. */
static void tty_rx_notify(void)
{
	wake_up_all(&tty_rx_wait);
	poll_wake();
}

/* Take the pending bytes, up to @n, as a canonical-mode read sees a ^D:
 * at the start of a line (first byte, or after a "\n") it is end of file:
 * read alone, as 0, and consumed then; after a partial line it hands the
 * line over and is consumed with it.  -EAGAIN if nothing is pending. */
static long tty_take(u8 *buf, size_t n)
{
	size_t k, eat;
	u8 *eof;

	spin_lock(&tty_rx_lock);
	k = serial_aux_peek(buf, n);
	eof = k ? memchr(buf, VEOF_CHAR, k) : NULL;
	eat = k;
	if (eof) {
		k = eof - buf;
		eat = k && buf[k - 1] == '\n' ? k : k + 1;
	}
	serial_aux_consume(eat);
	spin_unlock(&tty_rx_lock);
	return eat ? (long)k : -EAGAIN;
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
		err = wait_event_interruptible(tty_rx_wait,
					       serial_aux_rx_pending());
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
	if (!serial_aux_present() || serial_aux_rx_pending())
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

static long tty_ioctl(struct file *f, unsigned int cmd, u64 arg)
{
	struct termios t;
	struct winsize ws = { 24, 80, 0, 0 };

	switch (cmd) {
	case TCGETS:
		memset(&t, 0, sizeof(t));
		t.c_iflag = ICRNL | IXON;
		t.c_oflag = OPOST | ONLCR;
		t.c_cflag = B38400 | CS8 | CREAD;
		t.c_lflag = ISIG | ICANON | ECHO | ECHOE | ECHOK | IEXTEN;
		t.c_cc[0] = 3;		/* VINTR ^C */
		t.c_cc[2] = 0x7f;	/* VERASE */
		t.c_cc[4] = 4;		/* VEOF ^D */
		t.c_cc[6] = 1;		/* VMIN */
		return copy_to_user((void *)arg, &t, sizeof(t)) ? -EFAULT : 0;
	case TIOCGWINSZ:
		return copy_to_user((void *)arg, &ws, sizeof(ws)) ? -EFAULT : 0;
	case TCSETS:
	case TCSETSW:
	case TCSETSF:
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
			f = n;
	}
	file_get(f);
	return f;
}

int tty_open(u32 flags, struct file **out)
{
	*out = tty_file();
	return *out ? 0 : -ENOMEM;
}
