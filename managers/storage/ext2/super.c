/* managers/storage/ext2/super.c — mount, sync, unmount, statfs.
 *
 * This is the entry point of the ext2 implementation; see also
 * Documentation/storage.md.
 *
 * Design.  One struct ext2_fs per mounted volume holds an in-core copy of
 * the superblock, the block cache and the geometry derived at mount.  The
 * group descriptor table is not copied: descriptors are read and updated
 * in place through the block cache.  The superblock's free counts are
 * recomputed from the descriptors at mount and kept equal to their sum by
 * alloc.c; ext2_sync() copies the in-core superblock into its cached block
 * and writes every dirty block.  Backup superblocks are never written (their
 * counts are informational, as on Linux).
 *
 * Validation happens once, here, before anything is trusted: magic,
 * revision, block size, counts and group geometry, the descriptor table's
 * position, and every group's bitmaps and inode table inside the group.
 * Later code still bounds-checks every block and inode number it reads from
 * disk, because inodes and directories are not checked at mount.
 *
 * Locking: none.  The caller serializes all calls on one filesystem; the
 * file service holds one mutex per mounted volume around each call.
 *
 * Mount state: a read-write mount clears EXT2_VALID_FS on disk at once and
 * sets it again at unmount, so a volume that was not unmounted cleanly is
 * known to need a check.
 */
#include "internal.h"

#define EXT2_DEFAULT_CACHE	256

u32 ext2_now(struct ext2_fs *fs)
{
	return fs->now ? fs->now(fs->now_ctx) : 0;
}

bool ext2_block_valid(const struct ext2_fs *fs, u64 block)
{
	return block >= fs->sb.s_first_data_block &&
	       block < fs->sb.s_blocks_count;
}

bool ext2_is_read_only(const struct ext2_fs *fs)
{
	return fs->read_only;
}

/* Pin the block holding @group's descriptor; *gd points into it. */
int ext2_gd_get(struct ext2_fs *fs, u32 group, struct ext2_buf **b,
		struct ext2_group_desc **gd)
{
	u32 per_block = fs->block_size / sizeof(struct ext2_group_desc);
	u64 blk = fs->sb.s_first_data_block + 1 + group / per_block;
	int err;

	if (group >= fs->groups)
		return -EUCLEAN;
	err = ext2_bread(fs, blk, b);
	if (err < 0)
		return err;
	*gd = (struct ext2_group_desc *)(*b)->data + group % per_block;
	return 0;
}

static int ext2_check_geometry(struct ext2_fs *fs)
{
	struct ext2_super *s = &fs->sb;
	u64 dev_blocks = fs->bdev.nr_sectors / fs->sectors_per_block;

	if (!s->s_blocks_per_group || s->s_blocks_per_group > 8 * fs->block_size ||
	    !s->s_inodes_per_group || s->s_inodes_per_group > 8 * fs->block_size)
		return -EINVAL;
	if (s->s_first_data_block != (fs->block_size == 1024 ? 1u : 0u) ||
	    s->s_blocks_count <= s->s_first_data_block + 1 ||
	    s->s_blocks_count > dev_blocks)
		return -EINVAL;
	if (fs->inode_size < EXT2_GOOD_OLD_INODE_SIZE ||
	    fs->inode_size > fs->block_size ||
	    (fs->inode_size & (fs->inode_size - 1)))
		return -EINVAL;
	fs->inodes_per_block = fs->block_size / fs->inode_size;
	if (s->s_inodes_per_group % fs->inodes_per_block)
		return -EINVAL;
	fs->groups = DIV_ROUND_UP(s->s_blocks_count - s->s_first_data_block,
				  s->s_blocks_per_group);
	if ((u64)fs->groups * s->s_inodes_per_group != s->s_inodes_count)
		return -EINVAL;
	if (fs->first_ino < EXT2_GOOD_OLD_FIRST_INO ||
	    fs->first_ino >= s->s_inodes_count)
		return -EINVAL;
	fs->gdt_blocks = DIV_ROUND_UP(fs->groups * sizeof(struct ext2_group_desc),
				      fs->block_size);
	if ((u64)s->s_first_data_block + 1 + fs->gdt_blocks > s->s_blocks_count)
		return -EINVAL;
	return 0;
}

/* Every group's bitmaps and inode table must lie inside the group. */
static int ext2_check_groups(struct ext2_fs *fs)
{
	u32 itb = fs->sb.s_inodes_per_group / fs->inodes_per_block;
	u64 free_blocks = 0, free_inodes = 0;

	for (u32 g = 0; g < fs->groups; g++) {
		struct ext2_group_desc *gd;
		struct ext2_buf *b;
		u64 first = fs->sb.s_first_data_block +
			    (u64)g * fs->sb.s_blocks_per_group;
		u64 last = MIN(first + fs->sb.s_blocks_per_group,
			       (u64)fs->sb.s_blocks_count) - 1;
		int err = ext2_gd_get(fs, g, &b, &gd);

		if (err < 0)
			return err;
		if (gd->bg_block_bitmap < first || gd->bg_block_bitmap > last ||
		    gd->bg_inode_bitmap < first || gd->bg_inode_bitmap > last ||
		    gd->bg_inode_table < first ||
		    (u64)gd->bg_inode_table + itb - 1 > last)
			err = -EINVAL;
		free_blocks += gd->bg_free_blocks_count;
		free_inodes += gd->bg_free_inodes_count;
		ext2_brelse(fs, b);
		if (err < 0) {
			ext2_corrupt(fs, "group %u metadata outside the group", g);
			return err;
		}
	}
	if (free_blocks > fs->sb.s_blocks_count ||
	    free_inodes > fs->sb.s_inodes_count)
		return -EINVAL;
	fs->sb.s_free_blocks_count = free_blocks;
	fs->sb.s_free_inodes_count = free_inodes;
	return 0;
}

/* Largest file: what the block map addresses, and what i_blocks (32 bits
 * of 512-byte units) can count, data and indirect blocks together; 2 GiB
 * on revision 0, which cannot carry the large_file feature. */
static void ext2_set_limits(struct ext2_fs *fs)
{
	u64 data = ext2_max_blocks(fs);
	u64 cap = (0xffffffffull >> (fs->log_block_size - 9));
	u64 meta = 1 + 1 + fs->addr_per_block + 1 + fs->addr_per_block +
		   (u64)fs->addr_per_block * fs->addr_per_block;

	cap = cap > meta ? cap - meta : 0;
	fs->max_file_size = MIN(data, cap) << fs->log_block_size;
	if (fs->sb.s_rev_level == EXT2_GOOD_OLD_REV)	/* no large_file */
		fs->max_file_size = MIN(fs->max_file_size, 0x7fffffffull);
}

static int ext2_read_super(struct ext2_fs *fs)
{
	struct ext2_super *s = &fs->sb;
	int err = ext2_dev_read(fs, EXT2_SB_OFFSET, s, sizeof(*s));

	if (err < 0)
		return -EIO;
	if (s->s_magic != EXT2_MAGIC || s->s_rev_level > EXT2_DYNAMIC_REV ||
	    s->s_log_block_size > 2)
		return -EINVAL;
	fs->log_block_size = 10 + s->s_log_block_size;
	fs->block_size = 1024u << s->s_log_block_size;
	fs->sectors_per_block = fs->block_size / EXT2_SECTOR_SIZE;
	fs->addr_per_block = fs->block_size / 4;
	if (s->s_rev_level == EXT2_GOOD_OLD_REV) {
		fs->inode_size = EXT2_GOOD_OLD_INODE_SIZE;
		fs->first_ino = EXT2_GOOD_OLD_FIRST_INO;
		s->s_feature_compat = 0;
		s->s_feature_incompat = 0;
		s->s_feature_ro_compat = 0;
	} else {
		fs->inode_size = s->s_inode_size;
		fs->first_ino = s->s_first_ino;
	}
	return 0;
}

static int ext2_check_features(struct ext2_fs *fs)
{
	struct ext2_super *s = &fs->sb;

	if (s->s_feature_incompat & ~EXT2_INCOMPAT_SUPPORTED) {
		pr_warn("ext2: unsupported incompatible features %#x\n",
			s->s_feature_incompat & ~EXT2_INCOMPAT_SUPPORTED);
		return -EINVAL;
	}
	if (s->s_feature_ro_compat & ~EXT2_RO_COMPAT_SUPPORTED) {
		pr_warn("ext2: unsupported ro-compat features %#x: read-only\n",
			s->s_feature_ro_compat & ~EXT2_RO_COMPAT_SUPPORTED);
		fs->read_only = true;
	}
	fs->filetype = s->s_feature_incompat & EXT2_FEATURE_INCOMPAT_FILETYPE;
	return 0;
}

/* Copy the in-core superblock into its block (cached) and mark it dirty. */
static int ext2_write_super(struct ext2_fs *fs)
{
	u64 blk = EXT2_SB_OFFSET / fs->block_size;
	u32 off = EXT2_SB_OFFSET % fs->block_size;
	struct ext2_buf *b;
	int err;

	if (fs->read_only)
		return 0;
	err = ext2_bread(fs, blk, &b);
	if (err < 0)
		return err;
	fs->sb.s_wtime = ext2_now(fs);
	memcpy(b->data + off, &fs->sb, sizeof(fs->sb));
	ext2_bdirty(b);
	ext2_brelse(fs, b);
	fs->sb_dirty = false;
	return 0;
}

static int ext2_mount_rw(struct ext2_fs *fs)
{
	fs->sb.s_state &= ~EXT2_VALID_FS;
	fs->sb.s_mnt_count++;
	fs->sb.s_mtime = ext2_now(fs);
	return ext2_sync(fs);
}

static int ext2_setup(struct ext2_fs *fs, const struct ext2_mount_opts *o)
{
	int err = ext2_read_super(fs);

	if (!err)
		err = ext2_check_features(fs);
	if (!err) {
		err = ext2_check_geometry(fs);
		if (err < 0)
			ext2_corrupt(fs, "bad superblock geometry");
	}
	if (!err)
		err = ext2_cache_init(fs, o && o->cache_blocks ?
					  o->cache_blocks : EXT2_DEFAULT_CACHE);
	if (!err)
		err = ext2_check_groups(fs);
	if (err)
		return err;
	ext2_set_limits(fs);
	return fs->read_only ? 0 : ext2_mount_rw(fs);
}

int ext2_mount(const struct ext2_bdev *bdev, const struct ext2_mount_opts *o,
	       struct ext2_fs **out)
{
	struct ext2_fs *fs;
	int err;

	if (!bdev || !bdev->ops || !bdev->ops->read || !out)
		return -EINVAL;
	fs = kzalloc(sizeof(*fs));
	if (!fs)
		return -ENOMEM;
	fs->bdev = *bdev;
	fs->read_only = bdev->read_only || !bdev->ops->write ||
			(o && o->read_only);
	if (o) {
		fs->now = o->now;
		fs->now_ctx = o->now_ctx;
	}
	err = ext2_setup(fs, o);
	if (err < 0) {
		if (err == -EINVAL)
			pr_warn_once("ext2: mount refused: bad superblock\n");
		ext2_cache_destroy(fs);
		kfree(fs);
		return err;
	}
	*out = fs;
	return 0;
}

int ext2_sync(struct ext2_fs *fs)
{
	int err;

	if (fs->read_only)
		return 0;
	ext2_rsv_release_all(fs);
	err = ext2_write_super(fs);
	if (err < 0)
		return err;
	return ext2_cache_sync(fs);
}

bool ext2_ino_usable(const struct ext2_fs *fs, u32 ino)
{
	return ino == EXT2_ROOT ||
	       (ino >= fs->first_ino && ino <= fs->sb.s_inodes_count);
}

bool ext2_needs_sync(struct ext2_fs *fs)
{
	return !fs->read_only && ext2_cache_dirty(fs);
}

int ext2_writeback_some(struct ext2_fs *fs, u32 max)
{
	if (fs->read_only)
		return 0;
	return ext2_cache_writeback_some(fs, max);
}

int ext2_fsync(struct ext2_fs *fs, u32 ino)
{
	return ext2_sync(fs);
}

int ext2_unmount(struct ext2_fs *fs)
{
	int err = 0;

	if (!fs)
		return 0;
	if (!fs->read_only) {
		fs->sb.s_state |= EXT2_VALID_FS;
		err = ext2_sync(fs);
	}
	ext2_cache_destroy(fs);
	kfree(fs);
	return err;
}

int ext2_statfs(struct ext2_fs *fs, struct ext2_statfs *st)
{
	const struct ext2_super *s = &fs->sb;

	memset(st, 0, sizeof(*st));
	st->bsize = fs->block_size;
	st->blocks = s->s_blocks_count;
	st->bfree = s->s_free_blocks_count;
	st->bavail = s->s_free_blocks_count > s->s_r_blocks_count ?
		     s->s_free_blocks_count - s->s_r_blocks_count : 0;
	st->files = s->s_inodes_count;
	st->ffree = s->s_free_inodes_count;
	st->namelen = EXT2_NAME_LEN;
	st->read_only = fs->read_only;
	return 0;
}
