/* managers/storage/ext2/inode.c — inodes: read, write, create, free, stat.
 *
 * An inode is copied into a struct ext2_inode (its first 128 bytes) by
 * ext2_iget() and written back into its cached inode-table block by
 * ext2_iput() when marked dirty; the rest of a large on-disk inode is left
 * untouched (and zeroed when the inode is created).  There is no inode
 * cache beyond the block cache: each operation reads the inodes it needs
 * and writes back the ones it changed before returning.
 *
 * Invariants kept here: an allocated inode has a non-zero link count (the
 * last link's removal frees it in ext2_ievict()); a freed inode has
 * i_links_count 0, a non-zero i_dtime, no blocks, and its bitmap bit clear.
 * Regular files keep bits 32..63 of the size in i_size_high (the large_file
 * feature is switched on, as Linux does, by the first file past 2 GiB).
 *
 * ext2_iget() refuses inode numbers outside the volume and inodes with no
 * valid file type (-EUCLEAN) and deleted inodes (-ENOENT).
 * Callers: every file of this directory.  No locks.
 */
#include "internal.h"

bool ext2_is_dir(const struct ext2_inode *in)
{
	return (in->d.i_mode & EXT2_S_IFMT) == EXT2_S_IFDIR;
}

bool ext2_is_reg(const struct ext2_inode *in)
{
	return (in->d.i_mode & EXT2_S_IFMT) == EXT2_S_IFREG;
}

bool ext2_is_lnk(const struct ext2_inode *in)
{
	return (in->d.i_mode & EXT2_S_IFMT) == EXT2_S_IFLNK;
}

/* A fast symlink keeps its target in i_block and owns no data block. */
bool ext2_fast_symlink(const struct ext2_fs *fs, const struct ext2_inode *in)
{
	u32 ea = in->d.i_file_acl ? fs->block_size / 512 : 0;

	return ext2_is_lnk(in) && in->d.i_blocks - ea == 0;
}

u8 ext2_mode_to_ft(u16 mode)
{
	switch (mode & EXT2_S_IFMT) {
	case EXT2_S_IFREG:	return EXT2_FT_REG_FILE;
	case EXT2_S_IFDIR:	return EXT2_FT_DIR;
	case EXT2_S_IFLNK:	return EXT2_FT_SYMLINK;
	case EXT2_S_IFCHR:	return EXT2_FT_CHRDEV;
	case EXT2_S_IFBLK:	return EXT2_FT_BLKDEV;
	case EXT2_S_IFIFO:	return EXT2_FT_FIFO;
	case EXT2_S_IFSOCK:	return EXT2_FT_SOCK;
	default:		return EXT2_FT_UNKNOWN;
	}
}

u64 ext2_isize(const struct ext2_inode *in)
{
	u64 size = in->d.i_size;

	if (ext2_is_reg(in))
		size |= (u64)in->d.i_size_high << 32;
	return size;
}

void ext2_set_isize(struct ext2_fs *fs, struct ext2_inode *in, u64 size)
{
	in->d.i_size = (u32)size;
	if (ext2_is_reg(in)) {
		in->d.i_size_high = size >> 32;
		if (size > 0x7fffffffull && !(fs->sb.s_feature_ro_compat &
				EXT2_FEATURE_RO_COMPAT_LARGE_FILE)) {
			fs->sb.s_feature_ro_compat |=
				EXT2_FEATURE_RO_COMPAT_LARGE_FILE;
			fs->sb_dirty = true;
		}
	}
	in->dirty = true;
}

void ext2_touch(struct ext2_fs *fs, struct ext2_inode *in, bool mtime)
{
	in->d.i_ctime = ext2_now(fs);
	if (mtime)
		in->d.i_mtime = in->d.i_ctime;
	in->dirty = true;
}

/* Pin the inode-table block of @ino; *off is the inode's offset in it. */
static int ext2_inode_block(struct ext2_fs *fs, u32 ino, struct ext2_buf **b,
			    u32 *off)
{
	u32 ipg = fs->sb.s_inodes_per_group;
	u32 idx = (ino - 1) % ipg;
	struct ext2_group_desc *gd;
	struct ext2_buf *gb;
	u64 blk;
	int err;

	if (ino < 1 || ino > fs->sb.s_inodes_count) {
		ext2_corrupt(fs, "inode number %u out of range", ino);
		return -EUCLEAN;
	}
	err = ext2_gd_get(fs, (ino - 1) / ipg, &gb, &gd);
	if (err < 0)
		return err;
	blk = (u64)gd->bg_inode_table + idx / fs->inodes_per_block;
	ext2_brelse(fs, gb);
	*off = (idx % fs->inodes_per_block) * fs->inode_size;
	return ext2_bread(fs, blk, b);
}

int ext2_iget(struct ext2_fs *fs, u32 ino, struct ext2_inode *in)
{
	struct ext2_buf *b;
	u32 off;
	int err = ext2_inode_block(fs, ino, &b, &off);

	if (err < 0)
		return err;
	memcpy(&in->d, b->data + off, sizeof(in->d));
	ext2_brelse(fs, b);
	in->ino = ino;
	in->dirty = false;
	if (!in->d.i_links_count)
		return -ENOENT;
	if (ext2_mode_to_ft(in->d.i_mode) == EXT2_FT_UNKNOWN) {
		ext2_corrupt(fs, "inode %u has mode %#o", ino, in->d.i_mode);
		return -EUCLEAN;
	}
	return 0;
}

int ext2_iput(struct ext2_fs *fs, struct ext2_inode *in)
{
	struct ext2_buf *b;
	u32 off;
	int err;

	if (!in->dirty)
		return 0;
	err = ext2_inode_block(fs, in->ino, &b, &off);
	if (err < 0)
		return err;
	memcpy(b->data + off, &in->d, sizeof(in->d));
	ext2_bdirty(b);
	ext2_brelse(fs, b);
	in->dirty = false;
	return 0;
}

/* Allocate and initialise an inode (link count 1, no blocks). */
int ext2_inew(struct ext2_fs *fs, u32 parent, u16 mode, u32 uid, u32 gid,
	      struct ext2_inode *in)
{
	bool dir = (mode & EXT2_S_IFMT) == EXT2_S_IFDIR;
	const struct ext2_dinode *old;
	struct ext2_buf *b;
	u32 ino, off, gen;
	int err = ext2_alloc_inode(fs, parent, dir, &ino);

	if (err < 0)
		return err;
	err = ext2_inode_block(fs, ino, &b, &off);
	if (err < 0) {
		ext2_free_inode_bit(fs, ino, dir);
		return err;
	}
	/* A reused inode gets the next generation, so a handle to its
	 * previous life is recognisably stale. */
	old = (const struct ext2_dinode *)(b->data + off);
	gen = old->i_generation + 1;
	if (!old->i_generation)
		gen = ino * 2654435761u;
	memset(b->data + off, 0, fs->inode_size);
	ext2_bdirty(b);
	ext2_brelse(fs, b);
	memset(in, 0, sizeof(*in));
	in->ino = ino;
	in->d.i_mode = mode;
	in->d.i_uid = uid & 0xffff;
	in->d.i_uid_high = uid >> 16;
	in->d.i_gid = gid & 0xffff;
	in->d.i_gid_high = gid >> 16;
	in->d.i_links_count = 1;
	in->d.i_atime = in->d.i_ctime = in->d.i_mtime = ext2_now(fs);
	in->d.i_generation = gen;
	in->dirty = true;
	return 0;
}

/* Drop the inode's reference to its extended attribute block. */
static int ext2_release_xattr(struct ext2_fs *fs, struct ext2_inode *in)
{
	u32 blk = in->d.i_file_acl;
	struct ext2_xattr_header *h;
	struct ext2_buf *b;
	bool last;
	int err;

	if (!blk)
		return 0;
	in->d.i_file_acl = 0;
	in->dirty = true;
	if (!ext2_block_valid(fs, blk)) {
		ext2_corrupt(fs, "inode %u: xattr block %u", in->ino, blk);
		return -EUCLEAN;
	}
	err = ext2_bread(fs, blk, &b);
	if (err < 0)
		return err;
	h = (struct ext2_xattr_header *)b->data;
	last = h->h_magic != EXT2_XATTR_MAGIC || h->h_refcount <= 1;
	if (!last) {
		h->h_refcount--;
		ext2_bdirty(b);
	}
	ext2_brelse(fs, b);
	if (in->d.i_blocks >= fs->block_size / 512)
		in->d.i_blocks -= fs->block_size / 512;
	return last ? ext2_free_block(fs, blk) : 0;
}

/* The last link is gone: free the blocks and the inode. */
int ext2_ievict(struct ext2_fs *fs, struct ext2_inode *in)
{
	u16 type = in->d.i_mode & EXT2_S_IFMT;
	bool has_blocks = type == EXT2_S_IFREG || type == EXT2_S_IFDIR ||
			  (type == EXT2_S_IFLNK && !ext2_fast_symlink(fs, in));
	int err = 0, e;

	ext2_rsv_drop(fs, in->ino);
	if (has_blocks)
		err = ext2_free_range(fs, in, 0);
	e = ext2_release_xattr(fs, in);
	if (!err)
		err = e;
	if (!has_blocks)
		memset(in->d.i_block, 0, sizeof(in->d.i_block));
	in->d.i_links_count = 0;
	in->d.i_dtime = ext2_now(fs) ? ext2_now(fs) : 1;
	in->d.i_size = 0;
	in->d.i_size_high = 0;
	in->dirty = true;
	e = ext2_iput(fs, in);
	if (!err)
		err = e;
	e = ext2_free_inode_bit(fs, in->ino, type == EXT2_S_IFDIR);
	return err ? err : e;
}

/* Remove one link; free the inode when none is left.  Writes @in back. */
int ext2_idrop_link(struct ext2_fs *fs, struct ext2_inode *in)
{
	if (in->d.i_links_count)
		in->d.i_links_count--;
	ext2_touch(fs, in, false);
	if (!in->d.i_links_count)
		return ext2_ievict(fs, in);
	return ext2_iput(fs, in);
}

int ext2_stat(struct ext2_fs *fs, u32 ino, struct ext2_stat *st)
{
	struct ext2_inode in;
	int err = ext2_iget(fs, ino, &in);

	if (err < 0)
		return err;
	memset(st, 0, sizeof(*st));
	st->ino = ino;
	st->mode = in.d.i_mode;
	st->nlink = in.d.i_links_count;
	st->uid = in.d.i_uid | (u32)in.d.i_uid_high << 16;
	st->gid = in.d.i_gid | (u32)in.d.i_gid_high << 16;
	st->size = ext2_isize(&in);
	st->blocks = in.d.i_blocks;
	st->atime = in.d.i_atime;
	st->mtime = in.d.i_mtime;
	st->ctime = in.d.i_ctime;
	st->blksize = fs->block_size;
	st->generation = in.d.i_generation;
	return 0;
}
