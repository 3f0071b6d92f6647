/* managers/storage/ext2/path.c — path walks and symlink targets.
 *
 * ext2_walk() is the storage manager's shared walker (../pathwalk.c,
 * which states the rules: symlinks, -ELOOP, -ENOTDIR, -ENAMETOOLONG,
 * bounded work on a corrupt volume) over ext2's lookup and readlink.
 * ".." is an ordinary directory entry (the root's ".." is the root).
 * ext2_readlink() checks the target's size against the block size and,
 * for fast symlinks, against i_block before copying it.
 * The caller serializes (no locks).
 */
#include "internal.h"
#include "../pathwalk.h"

_Static_assert(EXT2_PATH_MAX == PATH_WALK_PATH_MAX &&
	       EXT2_SYMLOOP_MAX == PATH_WALK_SYMLOOP_MAX &&
	       EXT2_NAME_LEN == PATH_WALK_NAME_MAX, "ext2 and walk limits");

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

static int ext2_pw_lookup(void *p, u32 dir, const char *name, u32 *ino,
			  enum path_walk_kind *kind)
{
	struct ext2_fs *fs = p;
	struct ext2_inode in;
	int err = ext2_lookup(fs, dir, name, ino);

	if (!err)
		err = ext2_iget(fs, *ino, &in);
	if (!err)
		*kind = ext2_is_dir(&in) ? PATH_WALK_DIR :
			ext2_is_lnk(&in) ? PATH_WALK_LNK : PATH_WALK_OTHER;
	return err;
}

static ssize_t ext2_pw_readlink(void *p, u32 ino, char *buf, size_t len)
{
	return ext2_readlink(p, ino, buf, len);
}

static const struct path_walk_ops ext2_pw_ops = {
	.lookup = ext2_pw_lookup,
	.readlink = ext2_pw_readlink,
};

int ext2_walk(struct ext2_fs *fs, u32 cwd, const char *path, bool follow,
	      u32 *ino)
{
	return path_walk(&ext2_pw_ops, fs, EXT2_ROOT, cwd, path, follow, ino);
}
