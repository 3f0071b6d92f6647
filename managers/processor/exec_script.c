/* managers/processor/exec_script.c — the exec request before any loader
 * sees it: the caller's argv/envp copied into a struct exec_args, and
 * "#!" scripts turned into their interpreter, for both loaders (the
 * local one in process_exec.c and P2M_EXECVE on the memory node).
 *
 * A script's first line is read from its first SCRIPT_HEAD bytes, as
 * Linux reads them: "#!", optional spaces/tabs, the interpreter (up to a
 * space, tab or NUL), then at most one argument — everything after the
 * separating blanks, trailing blanks stripped, inner blanks kept.  A line
 * longer than the head is accepted if the interpreter name ends inside
 * it (the argument is cut), refused (-ENOEXEC) otherwise; an empty
 * interpreter is -ENOEXEC.  The new argv is: interpreter, argument (if
 * any), the path of the file being run, then the old argv[1..].  The
 * interpreter may be a script itself, up to EXEC_MAX_SCRIPTS scripts in
 * a row (-ELOOP after, as Linux).  Only regular executable files are
 * looked at (-EACCES otherwise, as the loaders say); a file the processor
 * cannot open (-ENOENT: an embedded program, or a program only the
 * memory node's source has) is left for the loader.
 *
 * No locks; may sleep (file reads).  Callers: execve (process_exec.c),
 * abi_spawn (init.c).
 */
#include <asm/uaccess.h>
#include <lib/string.h>
#include <mm/mm.h>
#include <processor/files.h>
#include <uapi/errno.h>
#include <uapi/fcntl.h>
#include <uapi/stat.h>
#include "internal.h"

#define SCRIPT_HEAD	256	/* bytes of a file the "#!" line must fit */

/* Copy a NULL-terminated vector of user strings into a->strings as the
 * kernel vector @vec (at most EXEC_MAX_ARGS - 1 entries). */
static int copy_strings(struct exec_args *a, const u64 *uvec,
			const char **vec)
{
	int n = 0;

	for (; uvec; n++) {
		u64 up;
		long len;

		if (n >= EXEC_MAX_ARGS - 1)
			return -E2BIG;
		if (get_user_u64(&up, &uvec[n]))
			return -EFAULT;
		if (!up)
			break;
		len = strncpy_from_user(a->strings + a->used, (const char *)up,
					EXEC_STRINGS - a->used);
		if (len == -ENAMETOOLONG)
			return -E2BIG;
		if (len < 0)
			return len;
		vec[n] = a->strings + a->used;
		a->used += len + 1;
	}
	vec[n] = NULL;
	return 0;
}

int exec_args_from_user(struct exec_args *a, const u64 *uargv,
			const u64 *uenvp)
{
	int err;

	a->used = 0;
	err = copy_strings(a, uargv, a->argv);
	if (!err)
		err = copy_strings(a, uenvp, a->envp);
	return err;
}

/* Up to SCRIPT_HEAD bytes of @path into @buf (zero-filled after them):
 * the count, or -errno. */
static long read_head(const char *path, char *buf)
{
	struct file *f;
	struct stat st;
	u64 pos = 0;
	long n = 0;
	int err = abi_kern_open(path, O_RDONLY, &f);

	memset(buf, 0, SCRIPT_HEAD + 1);
	if (err)
		return err;
	err = file_stat(f, &st);
	if (!err && ((st.st_mode & S_IFMT) != S_IFREG || !(st.st_mode & 0111)))
		err = -EACCES;
	while (!err && pos < SCRIPT_HEAD &&
	       (n = f->ops->read(f, buf + pos, SCRIPT_HEAD - pos, &pos)) > 0)
		;
	if (!err && n < 0)
		err = n;
	file_put(f);
	return err ? err : (long)pos;
}

static bool blank(char c)
{
	return c == ' ' || c == '\t';
}

/* Parse the "#!" line in @buf (SCRIPT_HEAD bytes + a NUL): *name and
 * *arg (NULL if none) point into @buf. */
static int parse_line(char *buf, char **name, char **arg)
{
	char *end = memchr(buf, '\n', SCRIPT_HEAD), *p;

	if (!end) {
		/* No newline in the head: the name must end inside it. */
		end = buf + SCRIPT_HEAD - 1;
		for (p = buf + 2; p < end && blank(*p); p++)
			;
		while (p < end && !blank(*p) && *p)
			p++;
		if (p == end)
			return -ENOEXEC;
	}
	while (end > buf + 2 && blank(end[-1]))
		end--;
	*end = '\0';
	for (p = buf + 2; p < end && blank(*p); p++)
		;
	if (p == end || !*p)
		return -ENOEXEC;
	*name = p;
	while (p < end && !blank(*p) && *p)
		p++;
	*arg = NULL;
	if (p < end && *p) {
		*p++ = '\0';
		while (p < end && blank(*p))
			p++;
		if (p < end)
			*arg = p;
	}
	return 0;
}

/* A copy of @s in a->strings, or NULL when they are full. */
static const char *keep(struct exec_args *a, const char *s)
{
	size_t n = strlen(s) + 1;
	char *d = a->strings + a->used;

	if (n > EXEC_STRINGS - a->used)
		return NULL;
	memcpy(d, s, n);
	a->used += n;
	return d;
}

/* argv = name, arg, a->path, argv[1..]; a->path = name. */
static int rewrite(struct exec_args *a, const char *name, const char *arg)
{
	const char *n = keep(a, name), *g = arg ? keep(a, arg) : NULL;
	const char *script = keep(a, a->path);
	int argc = 0, add = arg ? 3 : 2, i;

	if (!n || (arg && !g) || !script || strlen(name) >= sizeof(a->path))
		return -E2BIG;
	while (a->argv[argc])
		argc++;
	/* argv[0] goes, add entries come first. */
	if ((argc ? argc - 1 : 0) + add >= EXEC_MAX_ARGS)
		return -E2BIG;
	if (argc) {
		memmove(&a->argv[add], &a->argv[1], argc * sizeof(a->argv[0]));
	} else {
		a->argv[add] = NULL;
	}
	i = 0;
	a->argv[i++] = n;
	if (g)
		a->argv[i++] = g;
	a->argv[i] = script;
	strscpy(a->path, name, sizeof(a->path));
	return 0;
}

int exec_resolve_scripts(struct exec_args *a, bool embedded_first)
{
	char *buf = kmalloc(SCRIPT_HEAD + 1), *name, *arg;
	int err = buf ? 0 : -ENOMEM;

	for (int depth = 0; !err; depth++) {
		long n;

		if (embedded_first && embedded_find(a->path))
			break;
		n = read_head(a->path, buf);
		if (n == -ENOENT)
			break;
		if (n < 0) {
			err = n;
			break;
		}
		if (n < 2 || buf[0] != '#' || buf[1] != '!')
			break;			/* the loader decides */
		if (depth >= EXEC_MAX_SCRIPTS) {
			err = -ELOOP;
			break;
		}
		err = parse_line(buf, &name, &arg);
		if (!err)
			err = rewrite(a, name, arg);
	}
	kfree(buf);
	return err;
}
