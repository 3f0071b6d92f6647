/* managers/storage/ext2/bmap.c — the block map of an inode.
 *
 * i_block[0..11] point at the first twelve data blocks; i_block[12] at a
 * single indirect block (p = block_size / 4 block numbers), i_block[13] at
 * a double and i_block[14] at a triple indirect block.  A zero pointer is a
 * hole: it reads as zeros and is allocated by the first write.
 *
 * ext2_bmap() translates a logical block, allocating missing indirect and
 * data blocks when asked (all new blocks are zeroed in the cache, so a
 * hole that is partly written still reads zeros elsewhere).  The goal of
 * each allocation is the block after the file's previous logical block, or
 * the start of the inode's group for its first block (alloc.c searches
 * forward from the goal, inside the inode's reservation window, rsv.c),
 * which keeps files contiguous.  ext2_free_range()
 * frees every block from a logical block on, and every indirect block left
 * with nothing under it.  i_blocks counts data and indirect blocks in
 * 512-byte units and is kept exact by both.
 *
 * Pointers read from disk are checked before use; an out-of-range pointer
 * is corruption (-EUCLEAN), logged once.  The caller writes the inode back.
 */
#include "internal.h"

u64 ext2_max_blocks(const struct ext2_fs *fs)
{
	u64 p = fs->addr_per_block;

	return EXT2_NDIR_BLOCKS + p + p * p + p * p * p;
}

/* Path of indices from i_block down to the data block; returns depth. */
static int ext2_block_path(const struct ext2_fs *fs, u64 lblk, u32 idx[4])
{
	u64 p = fs->addr_per_block;

	if (lblk < EXT2_NDIR_BLOCKS) {
		idx[0] = lblk;
		return 0;
	}
	lblk -= EXT2_NDIR_BLOCKS;
	if (lblk < p) {
		idx[0] = EXT2_IND_BLOCK;
		idx[1] = lblk;
		return 1;
	}
	lblk -= p;
	if (lblk < p * p) {
		idx[0] = EXT2_DIND_BLOCK;
		idx[1] = lblk / p;
		idx[2] = lblk % p;
		return 2;
	}
	lblk -= p * p;
	idx[0] = EXT2_TIND_BLOCK;
	idx[1] = lblk / (p * p);
	idx[2] = lblk / p % p;
	idx[3] = lblk % p;
	return 3;
}

/* Goal for @lblk: the block after the previous logical block (*after_prev
 * set), or the start of the inode's group. */
static u32 ext2_goal(struct ext2_fs *fs, struct ext2_inode *in, u64 lblk,
		     bool *after_prev)
{
	u32 prev = 0;

	*after_prev = lblk > 0 &&
		      ext2_bmap(fs, in, lblk - 1, false, &prev) == 0 && prev;
	if (*after_prev)
		return prev + 1;
	return fs->sb.s_first_data_block +
	       (in->ino - 1) / fs->sb.s_inodes_per_group *
	       fs->sb.s_blocks_per_group;
}

/* Fill an empty slot with a new zeroed block. */
static int ext2_fill_slot(struct ext2_fs *fs, struct ext2_inode *in,
			  u32 goal, u32 *slot)
{
	struct ext2_buf *b;
	u32 blk;
	int err = ext2_alloc_block(fs, in->ino, goal, &blk);

	if (err < 0)
		return err;
	err = ext2_bzero(fs, blk, &b);
	if (err < 0) {
		ext2_free_block(fs, blk);
		return err;
	}
	ext2_brelse(fs, b);
	*slot = blk;
	in->d.i_blocks += fs->block_size / 512;
	in->dirty = true;
	return 0;
}

/* *pblk = physical block of @lblk, 0 for a hole (when !create). */
int ext2_bmap(struct ext2_fs *fs, struct ext2_inode *in, u64 lblk,
	      bool create, u32 *pblk)
{
	u32 idx[4], goal = 0, next, *slot;
	struct ext2_buf *b = NULL;
	bool after_prev = false, filled = false;
	int depth, err = 0;

	if (lblk >= ext2_max_blocks(fs))
		return -EFBIG;
	depth = ext2_block_path(fs, lblk, idx);
	if (create)
		goal = ext2_goal(fs, in, lblk, &after_prev);
	slot = &in->d.i_block[idx[0]];
	for (int level = 0; ; level++) {
		filled = !*slot;
		if (!*slot) {
			if (!create) {
				*pblk = 0;
				break;
			}
			err = ext2_fill_slot(fs, in, goal, slot);
			if (err < 0)
				break;
			if (b)
				ext2_bdirty(b);
		} else if (!ext2_block_valid(fs, *slot)) {
			ext2_corrupt(fs, "inode %u: block pointer %u", in->ino,
				     *slot);
			err = -EUCLEAN;
			break;
		}
		if (level == depth) {
			*pblk = *slot;
			break;
		}
		next = *slot;
		/* Below an indirect block just made, or without a previous
		 * block: right after it.  Else still after the previous one. */
		if (filled || !after_prev)
			goal = next + 1;
		ext2_brelse(fs, b);
		err = ext2_bread(fs, next, &b);
		if (err < 0) {
			b = NULL;
			break;
		}
		slot = (u32 *)b->data + idx[level + 1];
	}
	ext2_brelse(fs, b);
	return err;
}

static void ext2_release(struct ext2_fs *fs, struct ext2_inode *in, u32 blk,
			 int *err)
{
	int e = ext2_free_block(fs, blk);

	if (e < 0 && !*err)
		*err = e;
	if (in->d.i_blocks >= fs->block_size / 512)
		in->d.i_blocks -= fs->block_size / 512;
	in->dirty = true;
}

/* Free what hangs under *slot (a @level-indirect block) from relative
 * block @start on; free the block itself if @start is 0. */
static void ext2_free_tree(struct ext2_fs *fs, struct ext2_inode *in,
			   u32 *slot, int level, u64 start, int *err)
{
	u64 span = 1;
	struct ext2_buf *b;
	u32 *v;
	int e;

	if (!*slot)
		return;
	if (!ext2_block_valid(fs, *slot)) {
		ext2_corrupt(fs, "inode %u: indirect pointer %u", in->ino, *slot);
		*err = -EUCLEAN;
		*slot = 0;
		return;
	}
	for (int i = 1; i < level; i++)
		span *= fs->addr_per_block;
	e = ext2_bread(fs, *slot, &b);
	if (e < 0) {
		*err = e;
		return;
	}
	v = (u32 *)b->data;
	for (u32 i = start / span; i < fs->addr_per_block; i++) {
		u64 sub = i == start / span ? start % span : 0;

		if (level == 1 && v[i])
			ext2_release(fs, in, v[i], err);
		else if (level > 1)
			ext2_free_tree(fs, in, &v[i], level - 1, sub, err);
		if (level == 1 || sub == 0)
			v[i] = 0;
		ext2_bdirty(b);
	}
	ext2_brelse(fs, b);
	if (start == 0) {
		ext2_release(fs, in, *slot, err);
		*slot = 0;
	}
}

/* Free every block of @in at logical block @from and beyond. */
int ext2_free_range(struct ext2_fs *fs, struct ext2_inode *in, u64 from)
{
	u64 p = fs->addr_per_block, base = EXT2_NDIR_BLOCKS, span = p;
	int err = 0;

	for (u64 i = from; i < EXT2_NDIR_BLOCKS; i++) {
		if (!in->d.i_block[i])
			continue;
		if (ext2_block_valid(fs, in->d.i_block[i]))
			ext2_release(fs, in, in->d.i_block[i], &err);
		else
			err = -EUCLEAN;
		in->d.i_block[i] = 0;
	}
	for (int level = 1; level <= 3; level++) {
		u32 *slot = &in->d.i_block[EXT2_IND_BLOCK + level - 1];

		if (from < base + span)
			ext2_free_tree(fs, in, slot, level,
				       from > base ? from - base : 0, &err);
		base += span;
		span *= p;
	}
	in->dirty = true;
	return err;
}
