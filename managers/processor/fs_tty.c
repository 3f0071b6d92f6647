/* managers/processor/fs_tty.c — the console tty behind fds 0, 1 and 2.
 *
 * Output goes to the kernel's consoles through console_write_raw(), with
 * no printk prefix; `tessera run` separates it from the kernel log (lines
 * of the log carry the "[  s.us] cpuN " prefix).  tty_lock keeps one
 * write's bytes together.  There is no console input path yet: reads
 * return end-of-file.  TCGETS answers a cooked 38400-baud 8N1 terminal
 * and TIOCGWINSZ 24x80, so isatty() is true and programs line-buffer;
 * TCSETS* and TIOCSWINSZ are accepted and change nothing.
 */
#include <asm/uaccess.h>
#include <kernel/mutex.h>
#include <kernel/printk.h>
#include <lib/string.h>
#include <processor/files.h>
#include <uapi/errno.h>
#include <uapi/fcntl.h>
#include <uapi/poll.h>
#include "internal.h"

static DEFINE_MUTEX(tty_lock);
static struct file *tty;

static long tty_read(struct file *f, void *buf, size_t n, u64 *pos)
{
	return 0;
}

static long tty_write(struct file *f, const void *buf, size_t n, u64 *pos)
{
	mutex_lock(&tty_lock);
	console_write_raw(buf, n);
	mutex_unlock(&tty_lock);
	return n;
}

static unsigned int tty_poll(struct file *f)
{
	return POLLIN | POLLRDNORM | POLLOUT | POLLWRNORM;
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
