/* managers/processor/fs_dev.c — /dev: null, zero, urandom (and random),
 * tty/console, stdin/stdout/stderr, and the in-memory pseudo-file backend
 * that /proc and /sys (fs_proc.c) use.
 *
 * A pseudo file is a snapshot: its text is generated when it is opened
 * and then read like a small regular file (seekable, pread works), which
 * is what programs reading /proc expect from Linux's seq files for
 * contents this small.
 */
#include <lib/string.h>
#include <mm/mm.h>
#include <processor/files.h>
#include <uapi/errno.h>
#include <uapi/fcntl.h>
#include <uapi/poll.h>
#include "internal.h"

struct devnode {
	const char *name;
	int minor;		/* char major 1, Linux's minors */
};

static const struct devnode devs[] = {
	{ "null", 3 }, { "zero", 5 }, { "random", 8 }, { "urandom", 9 },
};

static long dev_read(struct file *f, void *buf, size_t n, u64 *pos)
{
	const struct devnode *d = f->priv;

	if (d->minor == 3)
		return 0;
	if (d->minor == 5)
		memset(buf, 0, n);
	else
		abi_random_bytes(buf, n);
	*pos += n;
	return n;
}

static long dev_write(struct file *f, const void *buf, size_t n, u64 *pos)
{
	*pos += n;
	return n;
}

static int dev_stat(struct file *f, struct stat *st)
{
	const struct devnode *d = f->priv;

	st->st_mode = S_IFCHR | 0666;
	st->st_rdev = (1 << 8) | d->minor;
	st->st_dev = 5;
	st->st_ino = 100 + d->minor;
	return 0;
}

static long dev_size(struct file *f)
{
	return 0;
}

static const struct file_ops dev_ops = {
	.read = dev_read,
	.write = dev_write,
	.stat = dev_stat,
	.size = dev_size,
};

bool devfs_is_zero(const struct file *f)
{
	return f->ops == &dev_ops &&
	       ((const struct devnode *)f->priv)->minor == 5;
}

/* Open a new reference to the file at @fd of the current process. */
static int open_fd(int fd, struct file **out)
{
	*out = fget(fd);
	return *out ? 0 : -ENOENT;
}

int devfs_open(const char *path, u32 flags, struct file **out)
{
	const char *name = path + 5;	/* after "/dev/" */

	if (!strcmp(name, "tty") || !strcmp(name, "console") ||
	    !strcmp(name, "ttyS0"))
		return tty_open(flags, out);
	if (!strcmp(name, "stdin"))
		return open_fd(0, out);
	if (!strcmp(name, "stdout"))
		return open_fd(1, out);
	if (!strcmp(name, "stderr"))
		return open_fd(2, out);
	for (size_t i = 0; i < ARRAY_SIZE(devs); i++) {
		if (strcmp(name, devs[i].name))
			continue;
		*out = file_alloc(&dev_ops, flags & (O_ACCMODE | O_NONBLOCK | O_APPEND),
				  (void *)&devs[i]);
		return *out ? 0 : -ENOMEM;
	}
	return -ENOENT;
}

/* Pseudo files: @text (kmalloc'd, owned by the file) served from memory. */
struct pseudo {
	char *text;
	size_t len;
	u32 mode;
	u64 ino;
};

static long pseudo_read(struct file *f, void *buf, size_t n, u64 *pos)
{
	struct pseudo *p = f->priv;
	size_t k;

	if (*pos >= p->len)
		return 0;
	k = MIN(n, p->len - (size_t)*pos);
	memcpy(buf, p->text + *pos, k);
	*pos += k;
	return k;
}

static int pseudo_stat(struct file *f, struct stat *st)
{
	struct pseudo *p = f->priv;

	st->st_mode = p->mode;
	st->st_ino = p->ino;
	st->st_dev = 3;
	st->st_size = 0;	/* as Linux reports for /proc and /sys files */
	return 0;
}

static long pseudo_size(struct file *f)
{
	return ((struct pseudo *)f->priv)->len;
}

static void pseudo_release(struct file *f)
{
	struct pseudo *p = f->priv;

	kfree(p->text);
	kfree(p);
}

static const struct file_ops pseudo_ops = {
	.read = pseudo_read,
	.stat = pseudo_stat,
	.size = pseudo_size,
	.release = pseudo_release,
};

int pseudo_open(char *text, size_t len, u64 ino, u32 flags, struct file **out)
{
	struct pseudo *p;

	if ((flags & O_ACCMODE) != O_RDONLY) {
		kfree(text);
		return -EACCES;
	}
	p = kzalloc(sizeof(*p));
	*out = p ? file_alloc(&pseudo_ops, O_RDONLY, p) : NULL;
	if (!*out) {
		kfree(p);
		kfree(text);
		return -ENOMEM;
	}
	p->text = text;
	p->len = len;
	p->mode = S_IFREG | 0444;
	p->ino = ino;
	return 0;
}
