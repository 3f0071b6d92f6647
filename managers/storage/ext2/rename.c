/* managers/storage/ext2/rename.c — rename within and across directories.
 *
 * Validate, then act (nothing on disk changes until every check passed):
 *   - the source must exist; "." and ".." on either side give -EBUSY;
 *   - source and target naming the same inode: nothing to do;
 *   - a directory may replace only an empty directory (-ENOTDIR,
 *     -ENOTEMPTY), a non-directory only a non-directory (-EISDIR);
 *   - a directory may not move under itself (-EINVAL; found by walking ".."
 *     up from the new parent, bounded so a corrupt loop gives -EUCLEAN),
 *     nor replace an ancestor of the source (-ENOTEMPTY), checked in the
 *     order Linux's VFS checks them;
 * Then: the target entry is repointed (or a new entry added), the old
 * entry removed, a replaced inode loses its link (a replaced directory is
 * freed), and a moved directory's ".." and both parents' link counts are
 * updated.  When source and target directory are the same inode, one
 * in-core copy serves both so no update is lost.  The caller serializes.
 */
#include "internal.h"

struct ext2_rename {
	struct ext2_inode odir_s, ndir_s, src, tgt;
	struct ext2_inode *odir, *ndir;
	struct ext2_dirpos opos, npos;
	u32 olen, nlen;
	bool exists;
};

static bool ext2_dots(const char *name)
{
	return !strcmp(name, ".") || !strcmp(name, "..");
}

/* Is @anc an ancestor of (or equal to) directory @ino? */
static int ext2_is_ancestor(struct ext2_fs *fs, u32 anc, u32 ino)
{
	for (u32 steps = 0; steps < 65536; steps++) {
		struct ext2_inode in;
		u32 parent;
		int err;

		if (ino == anc)
			return 1;
		if (ino == EXT2_ROOT)
			return 0;
		err = ext2_iget(fs, ino, &in);
		if (!err)
			err = ext2_dir_parent(fs, &in, &parent);
		if (err)
			return err;
		ino = parent;
	}
	ext2_corrupt(fs, "directory loop above inode %u", ino);
	return -EUCLEAN;
}

static int ext2_rename_dirs(struct ext2_fs *fs, struct ext2_rename *r,
			    u32 odir, u32 ndir)
{
	int err = ext2_iget(fs, odir, &r->odir_s);

	if (err)
		return err;
	r->odir = &r->odir_s;
	r->ndir = r->odir;
	if (ndir != odir) {
		err = ext2_iget(fs, ndir, &r->ndir_s);
		if (err)
			return err;
		r->ndir = &r->ndir_s;
	}
	if (!ext2_is_dir(r->odir) || !ext2_is_dir(r->ndir))
		return -ENOTDIR;
	return 0;
}

/* Every check; nothing is changed. */
static int ext2_rename_check(struct ext2_fs *fs, struct ext2_rename *r,
			     const char *oname, const char *nname)
{
	int err = ext2_dir_find(fs, r->odir, oname, r->olen, &r->opos);

	if (!err)
		err = ext2_iget(fs, r->opos.ino, &r->src);
	if (err)
		return err;
	if (ext2_is_dir(&r->src) && r->odir != r->ndir) {
		err = ext2_is_ancestor(fs, r->src.ino, r->ndir->ino);
		if (err)
			return err > 0 ? -EINVAL : err;
	}
	err = ext2_dir_find(fs, r->ndir, nname, r->nlen, &r->npos);
	if (err && err != -ENOENT)
		return err;
	r->exists = !err;
	if (r->exists) {
		if (r->odir != r->ndir && r->npos.file_type != EXT2_FT_REG_FILE &&
		    (err = ext2_is_ancestor(fs, r->npos.ino, r->odir->ino)))
			return err > 0 ? -ENOTEMPTY : err;
		if (r->npos.ino == r->opos.ino)
			return 1;
		err = ext2_iget(fs, r->npos.ino, &r->tgt);
		if (err)
			return err;
		if (ext2_is_dir(&r->src) && !ext2_is_dir(&r->tgt))
			return -ENOTDIR;
		if (!ext2_is_dir(&r->src) && ext2_is_dir(&r->tgt))
			return -EISDIR;
		if (ext2_is_dir(&r->tgt) && (err = ext2_dir_empty(fs, &r->tgt)) <= 0)
			return err ? err : -ENOTEMPTY;
	}
	if (!ext2_is_dir(&r->src) || r->odir == r->ndir)
		return 0;
	if (!r->exists && r->ndir->d.i_links_count >= EXT2_LINK_MAX)
		return -EMLINK;
	return 0;
}

/* Install the new name; a replaced inode loses its link. */
static int ext2_rename_target(struct ext2_fs *fs, struct ext2_rename *r,
			      const char *nname)
{
	u8 ft = ext2_mode_to_ft(r->src.d.i_mode);
	int err;

	if (!r->exists)
		return ext2_dir_add(fs, r->ndir, nname, r->nlen, r->src.ino, ft);
	err = ext2_dir_set(fs, r->ndir, &r->npos, r->src.ino, ft);
	if (err)
		return err;
	if (!ext2_is_dir(&r->tgt))
		return ext2_idrop_link(fs, &r->tgt);
	if (r->ndir->d.i_links_count > 1)
		r->ndir->d.i_links_count--;
	r->tgt.d.i_links_count = 0;
	return ext2_ievict(fs, &r->tgt);
}

static int ext2_rename_act(struct ext2_fs *fs, struct ext2_rename *r,
			   const char *oname, const char *nname)
{
	int err = ext2_rename_target(fs, r, nname);

	/* Adding may have moved entries of the same block: find it again. */
	if (!err)
		err = ext2_dir_find(fs, r->odir, oname, r->olen, &r->opos);
	if (!err)
		err = ext2_dir_remove(fs, r->odir, &r->opos);
	if (err)
		return err;
	ext2_touch(fs, &r->src, false);
	if (ext2_is_dir(&r->src) && r->odir != r->ndir) {
		err = ext2_dir_set_parent(fs, &r->src, r->ndir->ino);
		if (r->odir->d.i_links_count > 1)
			r->odir->d.i_links_count--;
		r->ndir->d.i_links_count++;
	}
	if (!err)
		err = ext2_iput(fs, &r->src);
	if (!err)
		err = ext2_iput(fs, r->odir);
	if (!err && r->ndir != r->odir)
		err = ext2_iput(fs, r->ndir);
	return err;
}

int ext2_rename(struct ext2_fs *fs, u32 odir, const char *oname, u32 ndir,
		const char *nname)
{
	struct ext2_rename *r;
	int err;

	if (fs->read_only)
		return -EROFS;
	if (ext2_dots(oname) || ext2_dots(nname))
		return -EBUSY;
	r = kzalloc(sizeof(*r));
	if (!r)
		return -ENOMEM;
	err = ext2_check_name(oname, &r->olen);
	if (!err)
		err = ext2_check_name(nname, &r->nlen);
	if (!err)
		err = ext2_rename_dirs(fs, r, odir, ndir);
	if (!err)
		err = ext2_rename_check(fs, r, oname, nname);
	if (!err)
		err = ext2_rename_act(fs, r, oname, nname);
	kfree(r);
	return err > 0 ? 0 : err;
}
