/* managers/processor/strace.c — strace=1: one line per syscall on the
 * console, "[tid] name(args) = result", with the arguments decoded by
 * the format letters of syscalls.tbl (i signed, u unsigned, x hex,
 * o octal, p pointer, s user string quoted and cut at 32 bytes, ? six hex
 * words) and errors by name ("= -2 ENOENT").  Strings are read before the
 * call runs, so a path is shown as the call saw it.  Called by the
 * dispatcher (syscall.c) in the calling thread; may fault in user pages.
 */
#include <asm/uaccess.h>
#include <kernel/printk.h>
#include <lib/printf.h>
#include <lib/string.h>
#include <processor/abi.h>
#include <processor/process.h>
#include <uapi/errno.h>

static const char *const errnames[] = {
	[EPERM] = "EPERM", [ENOENT] = "ENOENT", [ESRCH] = "ESRCH",
	[EINTR] = "EINTR", [EIO] = "EIO", [ENXIO] = "ENXIO",
	[E2BIG] = "E2BIG", [ENOEXEC] = "ENOEXEC", [EBADF] = "EBADF",
	[ECHILD] = "ECHILD", [EAGAIN] = "EAGAIN", [ENOMEM] = "ENOMEM",
	[EACCES] = "EACCES", [EFAULT] = "EFAULT", [EBUSY] = "EBUSY",
	[EEXIST] = "EEXIST", [EXDEV] = "EXDEV", [ENODEV] = "ENODEV",
	[ENOTDIR] = "ENOTDIR", [EISDIR] = "EISDIR", [EINVAL] = "EINVAL",
	[ENFILE] = "ENFILE", [EMFILE] = "EMFILE", [ENOTTY] = "ENOTTY",
	[ETXTBSY] = "ETXTBSY", [EFBIG] = "EFBIG", [ENOSPC] = "ENOSPC",
	[ESPIPE] = "ESPIPE", [EROFS] = "EROFS", [EMLINK] = "EMLINK",
	[EPIPE] = "EPIPE", [EDOM] = "EDOM", [ERANGE] = "ERANGE",
	[EDEADLK] = "EDEADLK", [ENAMETOOLONG] = "ENAMETOOLONG",
	[ENOLCK] = "ENOLCK", [ENOSYS] = "ENOSYS", [ENOTEMPTY] = "ENOTEMPTY",
	[ELOOP] = "ELOOP", [ENODATA] = "ENODATA", [ETIME] = "ETIME",
	[EOVERFLOW] = "EOVERFLOW", [ENOTSOCK] = "ENOTSOCK",
	[EOPNOTSUPP] = "EOPNOTSUPP", [ETIMEDOUT] = "ETIMEDOUT",
	[ERESTARTSYS] = "ERESTARTSYS",
};

const char *errno_name(long err)
{
	if (err >= 0 || -err >= (long)ARRAY_SIZE(errnames))
		return NULL;
	return errnames[-err];
}

/* Quote a user string: printable ASCII as is, the rest as \n, \t, \xHH. */
static int format_string(char *buf, size_t len, u64 uaddr)
{
	char s[33];
	long n = strncpy_from_user(s, (const char *)uaddr, sizeof(s));
	int w = 0;

	if (n == -EFAULT || !uaddr)
		return snprintf(buf, len, "%#llx", uaddr);
	if (n < 0)
		n = sizeof(s) - 1;
	w += snprintf(buf + w, len - w, "\"");
	for (long i = 0; i < n && (size_t)w < len; i++) {
		unsigned char c = s[i];

		if (c == '\n')
			w += snprintf(buf + w, len - w, "\\n");
		else if (c == '"' || c == '\\')
			w += snprintf(buf + w, len - w, "\\%c", c);
		else if (c >= 32 && c < 127)
			w += snprintf(buf + w, len - w, "%c", c);
		else
			w += snprintf(buf + w, len - w, "\\x%02x", c);
	}
	if ((size_t)w < len)
		w += snprintf(buf + w, len - w, n == sizeof(s) - 1 ? "\"..." : "\"");
	return w;
}

static int format_one(char *buf, size_t len, char f, u64 v)
{
	switch (f) {
	case 'i':
		return snprintf(buf, len, "%d", (int)v);
	case 'u':
		return snprintf(buf, len, "%llu", v);
	case 'o':
		return snprintf(buf, len, "%#llo", v);
	case 's':
		return format_string(buf, len, v);
	case 'p':
		return v ? snprintf(buf, len, "%#llx", v) : snprintf(buf, len, "NULL");
	default:
		return snprintf(buf, len, "%#llx", v);
	}
}

void strace_format_args(const struct syscall_desc *d, const u64 *args,
			char *buf, size_t len)
{
	const char *fmt = d->fmt[0] == '?' ? "xxxxxx" : d->fmt;
	int w = 0;

	buf[0] = '\0';
	for (int i = 0; fmt[i] && i < 6 && (size_t)w < len; i++) {
		if (i)
			w += snprintf(buf + w, len - w, ", ");
		if ((size_t)w < len)
			w += format_one(buf + w, len - w, fmt[i], args[i]);
	}
}

void strace_print(const struct syscall_desc *d, u64 nr, const char *args,
		  long ret)
{
	struct thread *t = current_thread();
	int tid = t ? t->tid : 0;
	const char *e = errno_name(ret);

	if (ret == STRACE_NO_RETURN)
		printk("strace: [%d] %s(%s) = ?\n", tid, d->name, args);
	else if (e)
		printk("strace: [%d] %s(%s) = %ld %s\n", tid, d->name, args, ret, e);
	else if (ret < -4095 || ret > 0xffff)
		printk("strace: [%d] %s(%s) = %#lx\n", tid, d->name, args, ret);
	else
		printk("strace: [%d] %s(%s) = %ld\n", tid, d->name, args, ret);
}
