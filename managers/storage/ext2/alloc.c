/* managers/storage/ext2/alloc.c — block and inode allocation.
 *
 * Bitmaps are read and changed through the block cache.  Every change to a
 * bitmap bit changes, together and before returning, the group
 * descriptor's free count (and used_dirs_count for directories) and the
 * in-core superblock's free count, so the three always agree (what
 * `e2fsck -f` checks in its pass 5).
 *
 * Policy.  Blocks: the caller passes a goal (the block after the file's
 * previous block, or the first block of the inode's group); the search
 * takes the first free block at or after the goal in its group, then the
 * following groups in turn, and finally the start of the goal's group.
 * Files therefore grow contiguously while there is room.  Blocks for an
 * inode come from its reservation window (rsv.c), and every search skips
 * the windows of other inodes, so files growing at the same time do not
 * interleave; only when nothing is free outside windows does a search
 * take a block inside one.  Inodes: a file
 * goes in its parent's group if it has a free inode, else the next group
 * that has one; a directory goes in the group, scanning from the parent's,
 * with at least the average number of free inodes and the most free
 * blocks, which spreads directory trees over the disk as Linux's allocator
 * does (without Orlov's refinements).
 *
 * A bitmap that offers one of its group's own metadata blocks, or a free
 * that finds its bit already clear, is corruption: -EUCLEAN, logged once.
 * The caller serializes (no locks).
 */
#include "internal.h"

static u32 ext2_group_blocks(const struct ext2_fs *fs, u32 g)
{
	u64 first = fs->sb.s_first_data_block + (u64)g * fs->sb.s_blocks_per_group;

	return MIN((u64)fs->sb.s_blocks_per_group, fs->sb.s_blocks_count - first);
}

/* First clear bit in [from, to), or ~0u. */
static u32 ext2_find_zero(const u8 *map, u32 from, u32 to)
{
	u32 i = from;

	while (i < to) {
		if ((i & 7) == 0 && map[i >> 3] == 0xff) {
			i += 8;
			continue;
		}
		if (!(map[i >> 3] & (1u << (i & 7))))
			return i;
		i++;
	}
	return ~0u;
}

static bool ext2_is_group_meta(struct ext2_fs *fs,
			       const struct ext2_group_desc *gd, u32 blk)
{
	u32 itb = fs->sb.s_inodes_per_group / fs->inodes_per_block;

	return blk == gd->bg_block_bitmap || blk == gd->bg_inode_bitmap ||
	       (blk >= gd->bg_inode_table && blk < gd->bg_inode_table + itb) ||
	       blk <= fs->sb.s_first_data_block + fs->gdt_blocks;
}

/* First clear bit of group @g's bitmap @map in [from, to) whose block
 * is in no reservation window of an inode other than @ino, or ~0u. */
static u32 ext2_find_free(const struct ext2_fs *fs, const u8 *map, u32 g,
			  u32 from, u32 to, u32 ino)
{
	u32 base = fs->sb.s_first_data_block + g * fs->sb.s_blocks_per_group;

	for (;;) {
		u32 bit = ext2_find_zero(map, from, to), end;

		if (bit == ~0u || !ext2_rsv_other(fs, ino, base + bit, &end))
			return bit;
		from = end - base;	/* windows never cross a group */
	}
}

/* Take the first free block of group @g in [from, to) outside other
 * inodes' windows (see ext2_find_free); 1 if taken. */
static int ext2_take_block(struct ext2_fs *fs, u32 g, u32 from, u32 to,
			   u32 ino, u32 *out)
{
	struct ext2_group_desc *gd;
	struct ext2_buf *gb, *bb;
	int err = ext2_gd_get(fs, g, &gb, &gd);
	u32 bit;

	if (err < 0)
		return err;
	if (!gd->bg_free_blocks_count) {
		ext2_brelse(fs, gb);
		return 0;
	}
	err = ext2_bread(fs, gd->bg_block_bitmap, &bb);
	if (err < 0)
		goto out_gd;
	bit = ext2_find_free(fs, bb->data, g, from, to, ino);
	if (bit == ~0u)
		goto out_bb;
	*out = fs->sb.s_first_data_block + g * fs->sb.s_blocks_per_group + bit;
	if (ext2_is_group_meta(fs, gd, *out)) {
		ext2_corrupt(fs, "block bitmap of group %u frees metadata", g);
		err = -EUCLEAN;
		goto out_bb;
	}
	bb->data[bit >> 3] |= 1u << (bit & 7);
	ext2_bdirty(bb);
	gd->bg_free_blocks_count--;
	ext2_bdirty(gb);
	fs->sb.s_free_blocks_count--;
	fs->sb_dirty = true;
	err = 1;
out_bb:
	ext2_brelse(fs, bb);
out_gd:
	ext2_brelse(fs, gb);
	return err;
}

int ext2_alloc_range(struct ext2_fs *fs, u32 ino, u32 from, u32 to, u32 *out)
{
	u32 first = fs->sb.s_first_data_block, bpg = fs->sb.s_blocks_per_group;
	u32 g = (from - first) / bpg;
	int err;

	if (to <= from || (to - 1 - first) / bpg != g)
		return -ENOSPC;
	err = ext2_take_block(fs, g, (from - first) % bpg,
			      (to - 1 - first) % bpg + 1, ino, out);
	return err < 0 ? err : err ? 0 : -ENOSPC;
}

int ext2_alloc_near(struct ext2_fs *fs, u32 ino, u32 goal, u32 *out)
{
	u32 bpg = fs->sb.s_blocks_per_group, g0, bit0;
	int err;

	g0 = (goal - fs->sb.s_first_data_block) / bpg;
	bit0 = (goal - fs->sb.s_first_data_block) % bpg;
	for (u32 i = 0; i <= fs->groups; i++) {
		u32 g = (g0 + i) % fs->groups;
		u32 n = ext2_group_blocks(fs, g);
		u32 from = i == 0 ? bit0 : 0;
		u32 to = i == fs->groups ? MIN(bit0, n) : n;

		err = ext2_take_block(fs, g, from, to, ino, out);
		if (err)
			return err < 0 ? err : 0;
	}
	return -ENOSPC;
}

int ext2_alloc_block(struct ext2_fs *fs, u32 ino, u32 goal, u32 *out)
{
	int err;

	if (fs->read_only)
		return -EROFS;
	if (!fs->sb.s_free_blocks_count)
		return -ENOSPC;
	if (!ext2_block_valid(fs, goal))
		goal = fs->sb.s_first_data_block;
	err = ino ? ext2_rsv_alloc(fs, ino, goal, out) :
		    ext2_alloc_near(fs, 0, goal, out);
	if (err == -ENOSPC)	/* only windows have room left: steal */
		err = ext2_alloc_near(fs, EXT2_RSV_IGNORE, goal, out);
	return err;
}

int ext2_free_block(struct ext2_fs *fs, u32 block)
{
	u32 rel, g, bit;
	struct ext2_group_desc *gd;
	struct ext2_buf *gb, *bb;
	int err;

	if (!ext2_block_valid(fs, block)) {
		ext2_corrupt(fs, "freeing block %u outside the volume", block);
		return -EUCLEAN;
	}
	rel = block - fs->sb.s_first_data_block;
	g = rel / fs->sb.s_blocks_per_group;
	bit = rel % fs->sb.s_blocks_per_group;
	err = ext2_gd_get(fs, g, &gb, &gd);
	if (err < 0)
		return err;
	err = ext2_bread(fs, gd->bg_block_bitmap, &bb);
	if (err < 0)
		goto out_gd;
	if (!(bb->data[bit >> 3] & (1u << (bit & 7))) ||
	    ext2_is_group_meta(fs, gd, block)) {
		ext2_corrupt(fs, "freeing free or metadata block %u", block);
		err = -EUCLEAN;
	} else {
		bb->data[bit >> 3] &= ~(1u << (bit & 7));
		ext2_bdirty(bb);
		gd->bg_free_blocks_count++;
		ext2_bdirty(gb);
		fs->sb.s_free_blocks_count++;
		fs->sb_dirty = true;
		ext2_bforget(fs, block);
	}
	ext2_brelse(fs, bb);
out_gd:
	ext2_brelse(fs, gb);
	return err;
}

/* Take a free inode of group @g; 1 if taken. */
static int ext2_take_inode(struct ext2_fs *fs, u32 g, bool dir, u32 *out)
{
	u32 ipg = fs->sb.s_inodes_per_group, bit = 0;
	struct ext2_group_desc *gd;
	struct ext2_buf *gb, *bb;
	int err = ext2_gd_get(fs, g, &gb, &gd);

	if (err < 0)
		return err;
	if (!gd->bg_free_inodes_count) {
		ext2_brelse(fs, gb);
		return 0;
	}
	err = ext2_bread(fs, gd->bg_inode_bitmap, &bb);
	if (err < 0)
		goto out_gd;
	if (g == 0)
		bit = fs->first_ino - 1;
	bit = ext2_find_zero(bb->data, MIN(bit, ipg), ipg);
	if (bit != ~0u) {
		bb->data[bit >> 3] |= 1u << (bit & 7);
		ext2_bdirty(bb);
		gd->bg_free_inodes_count--;
		if (dir)
			gd->bg_used_dirs_count++;
		ext2_bdirty(gb);
		fs->sb.s_free_inodes_count--;
		fs->sb_dirty = true;
		*out = g * ipg + bit + 1;
		err = 1;
	}
	ext2_brelse(fs, bb);
out_gd:
	ext2_brelse(fs, gb);
	return err;
}

/* A directory's group: enough free inodes, most free blocks. */
static int ext2_dir_group(struct ext2_fs *fs, u32 pg, u32 *out)
{
	u32 avg = fs->sb.s_free_inodes_count / fs->groups, best_free = 0;
	bool found = false;

	for (u32 i = 0; i < fs->groups; i++) {
		u32 g = (pg + i) % fs->groups;
		struct ext2_group_desc *gd;
		struct ext2_buf *gb;
		int err = ext2_gd_get(fs, g, &gb, &gd);

		if (err < 0)
			return err;
		if (gd->bg_free_inodes_count && gd->bg_free_inodes_count >= avg &&
		    (!found || gd->bg_free_blocks_count > best_free)) {
			found = true;
			best_free = gd->bg_free_blocks_count;
			*out = g;
		}
		ext2_brelse(fs, gb);
	}
	if (!found)
		*out = pg;
	return 0;
}

int ext2_alloc_inode(struct ext2_fs *fs, u32 parent, bool dir, u32 *out)
{
	u32 pg = (parent - 1) / fs->sb.s_inodes_per_group % fs->groups;
	int err;

	if (fs->read_only)
		return -EROFS;
	if (!fs->sb.s_free_inodes_count)
		return -ENOSPC;
	if (dir) {
		err = ext2_dir_group(fs, pg, &pg);
		if (err < 0)
			return err;
	}
	for (u32 i = 0; i < fs->groups; i++) {
		err = ext2_take_inode(fs, (pg + i) % fs->groups, dir, out);
		if (err)
			return err < 0 ? err : 0;
	}
	return -ENOSPC;
}

int ext2_free_inode_bit(struct ext2_fs *fs, u32 ino, bool dir)
{
	u32 g = (ino - 1) / fs->sb.s_inodes_per_group;
	u32 bit = (ino - 1) % fs->sb.s_inodes_per_group;
	struct ext2_group_desc *gd;
	struct ext2_buf *gb, *bb;
	int err = ext2_gd_get(fs, g, &gb, &gd);

	if (err < 0)
		return err;
	err = ext2_bread(fs, gd->bg_inode_bitmap, &bb);
	if (err < 0)
		goto out_gd;
	if (!(bb->data[bit >> 3] & (1u << (bit & 7)))) {
		ext2_corrupt(fs, "freeing free inode %u", ino);
		err = -EUCLEAN;
	} else {
		bb->data[bit >> 3] &= ~(1u << (bit & 7));
		ext2_bdirty(bb);
		gd->bg_free_inodes_count++;
		if (dir && gd->bg_used_dirs_count)
			gd->bg_used_dirs_count--;
		ext2_bdirty(gb);
		fs->sb.s_free_inodes_count++;
		fs->sb_dirty = true;
	}
	ext2_brelse(fs, bb);
out_gd:
	ext2_brelse(fs, gb);
	return err;
}
