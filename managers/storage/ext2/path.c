/* managers/storage/ext2/path.c — path walks and symlink targets.
 *
 * ext2_walk() resolves a path one component at a time from the root or a
 * starting directory.  A symlink met in the middle of the path (or at its
 * end when asked, or before a trailing "/") is expanded in place: the rest
 * of the path is appended to its target and the walk continues from the
 * root (absolute target) or the symlink's directory.  More than
 * EXT2_SYMLOOP_MAX expansions give -ELOOP; a component that is not a
 * directory but has something after it gives -ENOTDIR; components longer
 * than 255 bytes and paths longer than EXT2_PATH_MAX give -ENAMETOOLONG.
 * The walk is iterative with two heap buffers of EXT2_PATH_MAX, so a loop
 * of directories or symlinks on disk can only cost bounded work.
 *
 * ".." is an ordinary directory entry (the root's ".." is the root).
 * The caller serializes (no locks).
 */
#include "internal.h"

ssize_t ext2_readlink(struct ext2_fs *fs, u32 ino, char *buf, size_t len)
{
	struct ext2_inode in;
	struct ext2_buf *b;
	u64 size;
	u32 pblk;
	int err = ext2_iget(fs, ino, &in);

	if (err)
		return err;
	if (!ext2_is_lnk(&in))
		return -EINVAL;
	size = ext2_isize(&in);
	if (size >= fs->block_size ||
	    (ext2_fast_symlink(fs, &in) && size >= sizeof(in.d.i_block))) {
		ext2_corrupt(fs, "symlink %u has size %llu", ino,
			     (unsigned long long)size);
		return -EUCLEAN;
	}
	len = MIN((u64)len, size);
	if (ext2_fast_symlink(fs, &in)) {
		memcpy(buf, in.d.i_block, len);
		return len;
	}
	err = ext2_bmap(fs, &in, 0, false, &pblk);
	if (!err && !pblk)
		err = -EUCLEAN;
	if (!err)
		err = ext2_bread(fs, pblk, &b);
	if (err)
		return err;
	memcpy(buf, b->data, len);
	ext2_brelse(fs, b);
	return len;
}

struct ext2_walk {
	char *path;		/* what remains to resolve */
	char *tmp;
	u32 dir;		/* directory the next component is looked up in */
	u32 links;
};

/* Replace the walk's path by @target + "/" + @rest (or @target alone). */
static int ext2_expand(struct ext2_fs *fs, struct ext2_walk *w, u32 ino,
		       const char *rest)
{
	size_t rlen = strlen(rest);
	ssize_t tlen;

	if (++w->links > EXT2_SYMLOOP_MAX)
		return -ELOOP;
	tlen = ext2_readlink(fs, ino, w->tmp, EXT2_PATH_MAX);
	if (tlen < 0)
		return tlen;
	if (!tlen)
		return -ENOENT;
	if ((size_t)tlen + 1 + rlen >= EXT2_PATH_MAX)
		return -ENAMETOOLONG;
	w->tmp[tlen] = '/';
	memcpy(w->tmp + tlen + !!rlen, rest, rlen + 1);
	memcpy(w->path, w->tmp, tlen + !!rlen + rlen + 1);
	if (w->path[0] == '/')
		w->dir = EXT2_ROOT;
	return 0;
}

/* One component at w->path (no leading '/').  Returns 1 when done. */
static int ext2_walk_step(struct ext2_fs *fs, struct ext2_walk *w,
			  bool follow, u32 *out)
{
	char *p = w->path, *e, name[EXT2_NAME_LEN + 1];
	struct ext2_inode in;
	bool last, slash;
	u32 ino;
	int err;

	e = strchr(p, '/') ? strchr(p, '/') : p + strlen(p);
	if (e - p > EXT2_NAME_LEN)
		return -ENAMETOOLONG;
	memcpy(name, p, e - p);
	name[e - p] = 0;
	slash = *e == '/';
	while (*e == '/')
		e++;
	last = !*e;
	err = ext2_lookup(fs, w->dir, name, &ino);
	if (!err)
		err = ext2_iget(fs, ino, &in);
	if (err)
		return err;
	if (ext2_is_lnk(&in) && (!last || follow || slash))
		return ext2_expand(fs, w, ino, last && slash ? "/" : e);
	if (!ext2_is_dir(&in) && (!last || slash))
		return -ENOTDIR;
	w->dir = ino;
	memmove(w->path, e, strlen(e) + 1);
	if (last)
		*out = ino;
	return last;
}

int ext2_walk(struct ext2_fs *fs, u32 cwd, const char *path, bool follow,
	      u32 *ino)
{
	struct ext2_walk w = { .dir = path[0] == '/' ? EXT2_ROOT : cwd };
	size_t len = strnlen(path, EXT2_PATH_MAX);
	int err = 0;

	if (!len)
		return -ENOENT;
	if (len >= EXT2_PATH_MAX)
		return -ENAMETOOLONG;
	w.path = kmalloc(EXT2_PATH_MAX);
	w.tmp = kmalloc(EXT2_PATH_MAX);
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
		err = ext2_walk_step(fs, &w, follow, ino);
	}
	err = err > 0 ? 0 : err;
out:
	kfree(w.path);
	kfree(w.tmp);
	return err;
}
