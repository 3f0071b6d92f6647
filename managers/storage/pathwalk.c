/* managers/storage/pathwalk.c — path walks with symlinks, for every
 * backend of the storage manager (ext2/path.c and cpio/tree.c give it
 * their lookup and readlink).
 *
 * path_walk() resolves a path one component at a time from @root (an
 * absolute path) or @cwd.  A symlink met in the middle of the path (or at
 * its end when @follow, or before a trailing "/") is expanded in place:
 * the rest of the path is appended to its target and the walk continues
 * from the root (absolute target) or the symlink's directory.  More than
 * PATH_WALK_SYMLOOP_MAX expansions give -ELOOP, an empty target -ENOENT; a
 * component that is not a directory but has something after it gives
 * -ENOTDIR; components longer than PATH_WALK_NAME_MAX and paths (or
 * expansions) of PATH_WALK_PATH_MAX bytes or more give -ENAMETOOLONG.
 * The walk is iterative with two heap buffers of PATH_WALK_PATH_MAX, so a
 * loop of directories or symlinks in a corrupt volume costs bounded work:
 * every step either shortens the path or uses up an expansion.
 *
 * No state of its own; the backend's caller serializes as the backend
 * requires.  Pure logic: also built into the host tests.
 */
#include <lib/string.h>
#include <mm/mm.h>
#include <uapi/errno.h>
#include "pathwalk.h"

struct walk {
	const struct path_walk_ops *ops;
	void *fs;
	char *path;		/* what remains to resolve */
	char *tmp;
	u32 root;
	u32 dir;		/* directory the next component is looked up in */
	u32 links;
};

/* Replace the walk's path by @target + "/" + @rest (or @target alone). */
static int walk_expand(struct walk *w, u32 ino, const char *rest)
{
	size_t rlen = strlen(rest);
	ssize_t tlen;

	if (++w->links > PATH_WALK_SYMLOOP_MAX)
		return -ELOOP;
	tlen = w->ops->readlink(w->fs, ino, w->tmp, PATH_WALK_PATH_MAX);
	if (tlen < 0)
		return tlen;
	if (!tlen)
		return -ENOENT;
	if ((size_t)tlen + 1 + rlen >= PATH_WALK_PATH_MAX)
		return -ENAMETOOLONG;
	w->tmp[tlen] = '/';
	memcpy(w->tmp + tlen + !!rlen, rest, rlen + 1);
	memcpy(w->path, w->tmp, tlen + !!rlen + rlen + 1);
	if (w->path[0] == '/')
		w->dir = w->root;
	return 0;
}

/* One component at w->path (no leading '/').  Returns 1 when done. */
static int walk_step(struct walk *w, bool follow, u32 *out)
{
	char *p = w->path, *e, name[PATH_WALK_NAME_MAX + 1];
	enum path_walk_kind kind;
	bool last, slash;
	u32 ino;
	int err;

	e = strchr(p, '/') ? strchr(p, '/') : p + strlen(p);
	if (e - p > PATH_WALK_NAME_MAX)
		return -ENAMETOOLONG;
	memcpy(name, p, e - p);
	name[e - p] = 0;
	slash = *e == '/';
	while (*e == '/')
		e++;
	last = !*e;
	err = w->ops->lookup(w->fs, w->dir, name, &ino, &kind);
	if (err)
		return err;
	if (kind == PATH_WALK_LNK && (!last || follow || slash))
		return walk_expand(w, ino, last && slash ? "/" : e);
	if (kind != PATH_WALK_DIR && (!last || slash))
		return -ENOTDIR;
	w->dir = ino;
	memmove(w->path, e, strlen(e) + 1);
	if (last)
		*out = ino;
	return last;
}

int path_walk(const struct path_walk_ops *ops, void *fs, u32 root, u32 cwd,
	      const char *path, bool follow, u32 *ino)
{
	struct walk w = { .ops = ops, .fs = fs, .root = root,
			  .dir = path[0] == '/' ? root : cwd };
	size_t len = strnlen(path, PATH_WALK_PATH_MAX);
	int err = 0;

	if (!len)
		return -ENOENT;
	if (len >= PATH_WALK_PATH_MAX)
		return -ENAMETOOLONG;
	w.path = kmalloc(PATH_WALK_PATH_MAX);
	w.tmp = kmalloc(PATH_WALK_PATH_MAX);
	if (!w.path || !w.tmp) {
		err = -ENOMEM;
		goto out;
	}
	memcpy(w.path, path, len + 1);
	while (!err) {
		char *p = w.path;

		while (*p == '/')
			p++;
		if (!*p) {		/* "/" alone, or a symlink to "/" */
			*ino = w.dir;
			break;
		}
		memmove(w.path, p, strlen(p) + 1);
		err = walk_step(&w, follow, ino);
	}
	err = err > 0 ? 0 : err;
out:
	kfree(w.path);
	kfree(w.tmp);
	return err;
}
