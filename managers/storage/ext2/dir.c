/* managers/storage/ext2/dir.c — directory blocks.
 *
 * A directory is a file of whole blocks (i_size a multiple of the block
 * size, no holes) holding variable-length entries {inode, rec_len,
 * name_len, file_type, name}.  Entries tile each block exactly: rec_len is
 * a multiple of 4, at least 8 + name_len rounded up, and never crosses the
 * block's end.  An entry with inode 0 is free space; removing an entry
 * merges it into the entry before it in the same block (or zeroes its
 * inode if it is the first).  Adding an entry takes the first free entry
 * or slack after an entry that is large enough, else appends a block.
 *
 * Every block is checked (ext2_dir_block) before any entry in it is
 * trusted; a bad entry makes the whole call fail with -EUCLEAN, logged
 * once, so a corrupt directory can never send a walk outside its block.
 *
 * dir_index (hashed) directories are read as the plain directories they
 * also are: index blocks look like blocks with one free entry.  Any change
 * to such a directory clears EXT2_INDEX_FL, as Linux's ext2 does, since
 * the index is no longer maintained.
 *
 * Readdir cookies are byte offsets of the next entry in the directory; a
 * cookie that points inside an entry (the directory changed) resumes at the
 * next entry boundary.  Callers: namei.c, rename.c, path.c.  No locks.
 */
#include "internal.h"

int ext2_check_name(const char *name, u32 *len)
{
	size_t n = strnlen(name, EXT2_NAME_LEN + 1);

	if (!n)
		return -ENOENT;
	if (n > EXT2_NAME_LEN)
		return -ENAMETOOLONG;
	if (memchr(name, '/', n))
		return -EINVAL;
	*len = n;
	return 0;
}

static bool ext2_dirent_ok(struct ext2_fs *fs, const u8 *blk, u32 off)
{
	const struct ext2_dirent *de = (const void *)(blk + off);

	if (off + 8 > fs->block_size)
		return false;
	return de->rec_len >= 12 && !(de->rec_len & 3) &&
	       off + de->rec_len <= fs->block_size &&
	       de->rec_len >= EXT2_DIR_REC_LEN(de->name_len) &&
	       de->inode <= fs->sb.s_inodes_count;
}

/* Pin directory block @lblk after checking every entry in it. */
static int ext2_dir_block(struct ext2_fs *fs, struct ext2_inode *dir, u64 lblk,
			  struct ext2_buf **out)
{
	u32 pblk, off;
	int err = ext2_bmap(fs, dir, lblk, false, &pblk);

	if (err < 0)
		return err;
	if (!pblk) {
		ext2_corrupt(fs, "directory %u has a hole", dir->ino);
		return -EUCLEAN;
	}
	err = ext2_bread(fs, pblk, out);
	if (err < 0)
		return err;
	for (off = 0; off < fs->block_size;
	     off += ((struct ext2_dirent *)((*out)->data + off))->rec_len) {
		if (!ext2_dirent_ok(fs, (*out)->data, off)) {
			ext2_corrupt(fs, "directory %u block %llu: bad entry",
				     dir->ino, (unsigned long long)lblk);
			ext2_brelse(fs, *out);
			return -EUCLEAN;
		}
	}
	return 0;
}

static u64 ext2_dir_nblocks(struct ext2_fs *fs, struct ext2_inode *dir)
{
	return ext2_isize(dir) >> fs->log_block_size;
}

static struct ext2_dirent *ext2_de(struct ext2_buf *b, u32 off)
{
	return (struct ext2_dirent *)(b->data + off);
}

int ext2_dir_find(struct ext2_fs *fs, struct ext2_inode *dir,
		  const char *name, u32 len, struct ext2_dirpos *pos)
{
	u64 n = ext2_dir_nblocks(fs, dir);

	for (u64 lblk = 0; lblk < n; lblk++) {
		struct ext2_buf *b;
		u32 prev = ~0u;
		int err = ext2_dir_block(fs, dir, lblk, &b);

		if (err < 0)
			return err;
		for (u32 off = 0; off < fs->block_size;
		     prev = off, off += ext2_de(b, off)->rec_len) {
			struct ext2_dirent *de = ext2_de(b, off);

			if (!de->inode || de->name_len != len ||
			    memcmp(de->name, name, len))
				continue;
			pos->lblk = lblk;
			pos->off = off;
			pos->prev = prev;
			pos->ino = de->inode;
			pos->file_type = de->file_type;
			ext2_brelse(fs, b);
			return 0;
		}
		ext2_brelse(fs, b);
	}
	return -ENOENT;
}

static void ext2_dir_changed(struct ext2_fs *fs, struct ext2_inode *dir)
{
	dir->d.i_flags &= ~EXT2_INDEX_FL;
	ext2_touch(fs, dir, true);
}

static void ext2_put_entry(struct ext2_fs *fs, struct ext2_dirent *de,
			   const char *name, u32 len, u32 ino, u8 ft)
{
	de->inode = ino;
	de->name_len = len;
	de->file_type = fs->filetype ? ft : 0;
	memcpy(de->name, name, len);
}

/* Try to place the entry in block @b; true if placed. */
static bool ext2_place(struct ext2_fs *fs, struct ext2_buf *b,
		       const char *name, u32 len, u32 ino, u8 ft)
{
	u32 need = EXT2_DIR_REC_LEN(len);

	for (u32 off = 0; off < fs->block_size; off += ext2_de(b, off)->rec_len) {
		struct ext2_dirent *de = ext2_de(b, off), *nde;
		u32 used = de->inode ? EXT2_DIR_REC_LEN(de->name_len) : 0;

		if (de->rec_len < used + need)
			continue;
		if (used) {
			nde = ext2_de(b, off + used);
			nde->rec_len = de->rec_len - used;
			de->rec_len = used;
			de = nde;
		}
		ext2_put_entry(fs, de, name, len, ino, ft);
		ext2_bdirty(b);
		return true;
	}
	return false;
}

/* Add @name -> @ino; the caller checked that @name is not present. */
int ext2_dir_add(struct ext2_fs *fs, struct ext2_inode *dir,
		 const char *name, u32 len, u32 ino, u8 ft)
{
	u64 n = ext2_dir_nblocks(fs, dir);
	struct ext2_buf *b;
	u32 pblk;
	int err;

	for (u64 lblk = 0; lblk < n; lblk++) {
		bool placed;

		err = ext2_dir_block(fs, dir, lblk, &b);
		if (err < 0)
			return err;
		placed = ext2_place(fs, b, name, len, ino, ft);
		ext2_brelse(fs, b);
		if (placed) {
			ext2_dir_changed(fs, dir);
			return 0;
		}
	}
	err = ext2_bmap(fs, dir, n, true, &pblk);
	if (!err)
		err = ext2_bread(fs, pblk, &b);
	if (err < 0)
		return err;
	ext2_de(b, 0)->rec_len = fs->block_size;
	ext2_put_entry(fs, ext2_de(b, 0), name, len, ino, ft);
	ext2_bdirty(b);
	ext2_brelse(fs, b);
	ext2_set_isize(fs, dir, (n + 1) << fs->log_block_size);
	ext2_dir_changed(fs, dir);
	return 0;
}

int ext2_dir_remove(struct ext2_fs *fs, struct ext2_inode *dir,
		    const struct ext2_dirpos *pos)
{
	struct ext2_buf *b;
	int err = ext2_dir_block(fs, dir, pos->lblk, &b);

	if (err < 0)
		return err;
	if (pos->prev != ~0u)
		ext2_de(b, pos->prev)->rec_len += ext2_de(b, pos->off)->rec_len;
	else
		ext2_de(b, pos->off)->inode = 0;
	ext2_bdirty(b);
	ext2_brelse(fs, b);
	ext2_dir_changed(fs, dir);
	return 0;
}

/* Point an existing entry at another inode. */
int ext2_dir_set(struct ext2_fs *fs, struct ext2_inode *dir,
		 const struct ext2_dirpos *pos, u32 ino, u8 ft)
{
	struct ext2_buf *b;
	int err = ext2_dir_block(fs, dir, pos->lblk, &b);

	if (err < 0)
		return err;
	ext2_de(b, pos->off)->inode = ino;
	ext2_de(b, pos->off)->file_type = fs->filetype ? ft : 0;
	ext2_bdirty(b);
	ext2_brelse(fs, b);
	ext2_dir_changed(fs, dir);
	return 0;
}

static bool ext2_is_dot(const struct ext2_dirent *de)
{
	return (de->name_len == 1 && de->name[0] == '.') ||
	       (de->name_len == 2 && de->name[0] == '.' && de->name[1] == '.');
}

/* 1 if @dir holds nothing but "." and "..", 0 if not, or an error. */
int ext2_dir_empty(struct ext2_fs *fs, struct ext2_inode *dir)
{
	u64 n = ext2_dir_nblocks(fs, dir);

	for (u64 lblk = 0; lblk < n; lblk++) {
		struct ext2_buf *b;
		int err = ext2_dir_block(fs, dir, lblk, &b), empty = 1;

		if (err < 0)
			return err;
		for (u32 off = 0; off < fs->block_size && empty;
		     off += ext2_de(b, off)->rec_len) {
			struct ext2_dirent *de = ext2_de(b, off);

			if (de->inode && !ext2_is_dot(de))
				empty = 0;
		}
		ext2_brelse(fs, b);
		if (!empty)
			return 0;
	}
	return 1;
}

/* First block of a new directory: "." and "..". */
int ext2_dir_init(struct ext2_fs *fs, struct ext2_inode *dir, u32 parent)
{
	struct ext2_dirent *de;
	struct ext2_buf *b;
	u32 pblk;
	int err = ext2_bmap(fs, dir, 0, true, &pblk);

	if (!err)
		err = ext2_bread(fs, pblk, &b);
	if (err < 0)
		return err;
	de = ext2_de(b, 0);
	de->rec_len = 12;
	ext2_put_entry(fs, de, ".", 1, dir->ino, EXT2_FT_DIR);
	de = ext2_de(b, 12);
	de->rec_len = fs->block_size - 12;
	ext2_put_entry(fs, de, "..", 2, parent, EXT2_FT_DIR);
	ext2_bdirty(b);
	ext2_brelse(fs, b);
	ext2_set_isize(fs, dir, fs->block_size);
	return 0;
}

/* The ".." entry: the second entry of block 0. */
static int ext2_dotdot(struct ext2_fs *fs, struct ext2_inode *dir,
		       struct ext2_dirpos *pos)
{
	struct ext2_buf *b;
	struct ext2_dirent *de;
	int err = ext2_dir_block(fs, dir, 0, &b);

	if (err < 0)
		return err;
	de = ext2_de(b, 0);
	pos->lblk = 0;
	pos->off = de->rec_len;
	pos->prev = 0;
	de = pos->off < fs->block_size ? ext2_de(b, pos->off) : NULL;
	if (!de || de->name_len != 2 || memcmp(de->name, "..", 2))
		err = -EUCLEAN;
	else
		pos->ino = de->inode;
	ext2_brelse(fs, b);
	if (err)
		ext2_corrupt(fs, "directory %u has no ..", dir->ino);
	return err;
}

int ext2_dir_parent(struct ext2_fs *fs, struct ext2_inode *dir, u32 *parent)
{
	struct ext2_dirpos pos;
	int err = ext2_dotdot(fs, dir, &pos);

	if (!err)
		*parent = pos.ino;
	return err;
}

int ext2_dir_set_parent(struct ext2_fs *fs, struct ext2_inode *dir,
			u32 parent)
{
	struct ext2_dirpos pos;
	int err = ext2_dotdot(fs, dir, &pos);

	if (!err)
		err = ext2_dir_set(fs, dir, &pos, parent, EXT2_FT_DIR);
	return err;
}

static u8 ext2_ft_to_dt(struct ext2_fs *fs, u8 ft)
{
	static const u8 map[] = {
		[EXT2_FT_REG_FILE] = EXT2_DT_REG, [EXT2_FT_DIR] = EXT2_DT_DIR,
		[EXT2_FT_CHRDEV] = EXT2_DT_CHR, [EXT2_FT_BLKDEV] = EXT2_DT_BLK,
		[EXT2_FT_FIFO] = EXT2_DT_FIFO, [EXT2_FT_SOCK] = EXT2_DT_SOCK,
		[EXT2_FT_SYMLINK] = EXT2_DT_LNK,
	};

	return fs->filetype && ft < ARRAY_SIZE(map) ? map[ft] : EXT2_DT_UNKNOWN;
}

/* The first live entry at or after *cookie in block @lblk; 1 if found. */
static int ext2_readdir_block(struct ext2_fs *fs, struct ext2_inode *dir,
			      u64 lblk, u64 *cookie,
			      struct ext2_dirent_info *ent)
{
	u32 start = *cookie & (fs->block_size - 1);
	struct ext2_buf *b;
	int err = ext2_dir_block(fs, dir, lblk, &b), found = 0;

	if (err < 0)
		return err;
	for (u32 off = 0; off < fs->block_size && !found;
	     off += ext2_de(b, off)->rec_len) {
		struct ext2_dirent *de = ext2_de(b, off);

		if (off < start || !de->inode)
			continue;
		ent->ino = de->inode;
		ent->type = ext2_ft_to_dt(fs, de->file_type);
		ent->name_len = de->name_len;
		memcpy(ent->name, de->name, de->name_len);
		ent->name[de->name_len] = 0;
		*cookie = (lblk << fs->log_block_size) + off + de->rec_len;
		found = 1;
	}
	ext2_brelse(fs, b);
	if (!found)
		*cookie = (lblk + 1) << fs->log_block_size;
	return found;
}

int ext2_readdir(struct ext2_fs *fs, u32 ino, u64 *cookie,
		 struct ext2_dirent_info *ent)
{
	struct ext2_inode dir;
	int err = ext2_iget(fs, ino, &dir);

	if (err < 0)
		return err;
	if (!ext2_is_dir(&dir))
		return -ENOTDIR;
	while ((*cookie >> fs->log_block_size) < ext2_dir_nblocks(fs, &dir)) {
		err = ext2_readdir_block(fs, &dir, *cookie >> fs->log_block_size,
					 cookie, ent);
		if (err)
			return err;
	}
	return 0;
}
