/* managers/storage/ext2/namei.c — names: lookup, create, mkdir, symlink,
 * link, unlink, rmdir.  rename is in rename.c, path walks in path.c.
 *
 * Every operation validates first (names, types, existence, link limits)
 * and only then changes the disk, in an order that never leaves an entry
 * pointing at a free inode: a new inode is fully written before the entry
 * naming it is added; an entry is removed before its inode loses the link.
 * If adding the entry fails (-ENOSPC), the new inode is freed again.
 *
 * Link counts follow the ext2 rules: a directory starts at 2 ("." and its
 * entry in the parent) and its parent gains one for the child's "..";
 * more than EXT2_LINK_MAX links gives -EMLINK.  Hard links to directories
 * are refused (-EPERM).  Symlinks of fewer than 60 bytes live in i_block
 * ("fast"), longer ones (up to a block less one byte) in one data block.
 *
 * Errors follow Linux: unlink of a directory -EISDIR, rmdir of a
 * non-directory -ENOTDIR, of "." -EINVAL, of ".." or a non-empty directory
 * -ENOTEMPTY.  The caller serializes (no locks).
 */
#include "internal.h"

#define EXT2_FAST_SYMLINK_MAX	(EXT2_N_BLOCKS * 4)

static int ext2_get_dir(struct ext2_fs *fs, u32 ino, struct ext2_inode *dir)
{
	int err = ext2_iget(fs, ino, dir);

	if (err < 0)
		return err;
	return ext2_is_dir(dir) ? 0 : -ENOTDIR;
}

int ext2_lookup(struct ext2_fs *fs, u32 dino, const char *name, u32 *ino)
{
	struct ext2_inode dir;
	struct ext2_dirpos pos;
	u32 len;
	int err = ext2_get_dir(fs, dino, &dir);

	if (!err)
		err = ext2_check_name(name, &len);
	if (!err)
		err = ext2_dir_find(fs, &dir, name, len, &pos);
	if (!err)
		*ino = pos.ino;
	return err;
}

/* Common prologue of the calls that add a name: @dir is a writable
 * directory and @name is valid and absent. */
static int ext2_prep_new(struct ext2_fs *fs, u32 dino, const char *name,
			 struct ext2_inode *dir, u32 *len)
{
	struct ext2_dirpos pos;
	int err;

	if (fs->read_only)
		return -EROFS;
	err = ext2_get_dir(fs, dino, dir);
	if (!err)
		err = ext2_check_name(name, len);
	if (err)
		return err;
	err = ext2_dir_find(fs, dir, name, *len, &pos);
	if (!err)
		return -EEXIST;
	return err == -ENOENT ? 0 : err;
}

/* Name the new inode @in in @dir; on failure free @in again. */
static int ext2_commit_new(struct ext2_fs *fs, struct ext2_inode *dir,
			   const char *name, u32 len, struct ext2_inode *in)
{
	int err = ext2_iput(fs, in), e;

	if (!err)
		err = ext2_dir_add(fs, dir, name, len, in->ino,
				   ext2_mode_to_ft(in->d.i_mode));
	if (err) {
		ext2_ievict(fs, in);
		return err;
	}
	e = ext2_iput(fs, dir);
	return e;
}

int ext2_create(struct ext2_fs *fs, u32 dino, const char *name, u16 mode,
		u32 uid, u32 gid, u32 *ino)
{
	struct ext2_inode dir, in;
	u32 len;
	int err = ext2_prep_new(fs, dino, name, &dir, &len);

	if (err)
		return err;
	err = ext2_inew(fs, dino, EXT2_S_IFREG | (mode & 07777), uid, gid, &in);
	if (err)
		return err;
	err = ext2_commit_new(fs, &dir, name, len, &in);
	if (!err && ino)
		*ino = in.ino;
	return err;
}

int ext2_mkdir(struct ext2_fs *fs, u32 dino, const char *name, u16 mode,
	       u32 uid, u32 gid, u32 *ino)
{
	struct ext2_inode dir, in;
	u32 len;
	int err = ext2_prep_new(fs, dino, name, &dir, &len);

	if (err)
		return err;
	if (dir.d.i_links_count >= EXT2_LINK_MAX)
		return -EMLINK;
	err = ext2_inew(fs, dino, EXT2_S_IFDIR | (mode & 07777), uid, gid, &in);
	if (err)
		return err;
	in.d.i_links_count = 2;
	err = ext2_dir_init(fs, &in, dino);
	if (err) {
		ext2_ievict(fs, &in);
		return err;
	}
	dir.d.i_links_count++;
	err = ext2_commit_new(fs, &dir, name, len, &in);
	if (!err && ino)
		*ino = in.ino;
	return err;
}

static int ext2_put_target(struct ext2_fs *fs, struct ext2_inode *in,
			   const char *target, u32 tlen)
{
	struct ext2_buf *b;
	u32 pblk;
	int err;

	if (tlen < EXT2_FAST_SYMLINK_MAX) {
		memcpy(in->d.i_block, target, tlen);
	} else {
		err = ext2_bmap(fs, in, 0, true, &pblk);
		if (!err)
			err = ext2_bread(fs, pblk, &b);
		if (err)
			return err;
		memcpy(b->data, target, tlen);
		ext2_bdirty(b);
		ext2_brelse(fs, b);
	}
	ext2_set_isize(fs, in, tlen);
	return 0;
}

int ext2_symlink(struct ext2_fs *fs, u32 dino, const char *name,
		 const char *target, u32 uid, u32 gid, u32 *ino)
{
	struct ext2_inode dir, in;
	u32 len, tlen = strnlen(target, fs->block_size);
	int err;

	if (!tlen)
		return -ENOENT;
	if (tlen >= fs->block_size)
		return -ENAMETOOLONG;
	err = ext2_prep_new(fs, dino, name, &dir, &len);
	if (err)
		return err;
	err = ext2_inew(fs, dino, EXT2_S_IFLNK | 0777, uid, gid, &in);
	if (err)
		return err;
	err = ext2_put_target(fs, &in, target, tlen);
	if (err) {
		ext2_ievict(fs, &in);
		return err;
	}
	err = ext2_commit_new(fs, &dir, name, len, &in);
	if (!err && ino)
		*ino = in.ino;
	return err;
}

int ext2_link(struct ext2_fs *fs, u32 ino, u32 dino, const char *name)
{
	struct ext2_inode dir, in;
	u32 len;
	int err = ext2_prep_new(fs, dino, name, &dir, &len);

	if (!err)
		err = ext2_iget(fs, ino, &in);
	if (err)
		return err;
	if (ext2_is_dir(&in))
		return -EPERM;
	if (in.d.i_links_count >= EXT2_LINK_MAX)
		return -EMLINK;
	err = ext2_dir_add(fs, &dir, name, len, ino,
			   ext2_mode_to_ft(in.d.i_mode));
	if (err)
		return err;
	in.d.i_links_count++;
	ext2_touch(fs, &in, false);
	err = ext2_iput(fs, &in);
	return err ? err : ext2_iput(fs, &dir);
}

/* Find @name in @dino for removal: fills @dir, @pos and the victim @in. */
static int ext2_prep_remove(struct ext2_fs *fs, u32 dino, const char *name,
			    struct ext2_inode *dir, struct ext2_dirpos *pos,
			    struct ext2_inode *in)
{
	u32 len;
	int err;

	if (fs->read_only)
		return -EROFS;
	err = ext2_get_dir(fs, dino, dir);
	if (!err)
		err = ext2_check_name(name, &len);
	if (!err)
		err = ext2_dir_find(fs, dir, name, len, pos);
	if (!err)
		err = ext2_iget(fs, pos->ino, in);
	return err;
}

int ext2_unlink(struct ext2_fs *fs, u32 dino, const char *name)
{
	struct ext2_inode dir, in;
	struct ext2_dirpos pos;
	int err = ext2_prep_remove(fs, dino, name, &dir, &pos, &in);

	if (err)
		return err;
	if (ext2_is_dir(&in))
		return -EISDIR;
	err = ext2_dir_remove(fs, &dir, &pos);
	if (!err)
		err = ext2_iput(fs, &dir);
	if (!err)
		err = ext2_idrop_link(fs, &in);
	return err;
}

int ext2_rmdir(struct ext2_fs *fs, u32 dino, const char *name)
{
	struct ext2_inode dir, in;
	struct ext2_dirpos pos;
	int err;

	if (!strcmp(name, "."))
		return -EINVAL;
	if (!strcmp(name, ".."))
		return -ENOTEMPTY;
	err = ext2_prep_remove(fs, dino, name, &dir, &pos, &in);
	if (err)
		return err;
	if (!ext2_is_dir(&in))
		return -ENOTDIR;
	err = ext2_dir_empty(fs, &in);
	if (err <= 0)
		return err ? err : -ENOTEMPTY;
	err = ext2_dir_remove(fs, &dir, &pos);
	if (err)
		return err;
	if (dir.d.i_links_count > 1)
		dir.d.i_links_count--;
	err = ext2_iput(fs, &dir);
	in.d.i_links_count = 0;
	return err ? err : ext2_ievict(fs, &in);
}
