/* managers/storage/ext2/rsv.c — reservation windows: each growing file
 * allocates from a run of blocks set aside for it, so that two files
 * written at the same time do not interleave their blocks.
 *
 * A window is {inode, [start, end)}: blocks of one group, near the
 * inode's last block, that allocations for other inodes skip.  Windows
 * live only in memory (fs->rsv): nothing about them is ever written, so a
 * window needs no undo — releasing one just forgets it, and a crash
 * cannot leave reserved blocks behind (e2fsck sees plain ext2).  A block
 * is marked in the bitmap only when it is really allocated (alloc.c);
 * blocks of a window that were already in use are skipped.
 *
 * Policy (alloc.c calls ext2_rsv_alloc for every block of an inode):
 *  - goal inside the inode's window: the first free block at or after
 *    the goal inside the window;
 *  - otherwise (no window, the window is used up, or the file moved on):
 *    a new window at the first free block at or after the goal that lies
 *    in no other inode's window; it is `size` blocks long, cut at the end
 *    of the group and at the next window.  `size` starts at EXT2_RSV_MIN
 *    and doubles, up to EXT2_RSV_MAX, each time a file writing
 *    sequentially runs off the end of its window, so a streaming writer
 *    gets ever longer runs.
 *  - When no block is left outside other windows, alloc.c takes one
 *    inside them (a nearly full disk never fails for reservations).
 * Windows are released (their unused blocks given back to everyone, the
 * size kept) at every sync and fsync, dropped with their size when the
 * file is truncated or freed, and the least recently used one is reused
 * when all EXT2_RSV_SLOTS are taken.  The file service has no close
 * request (the server keeps no open files), so sync stands for close.
 *
 * The caller serializes (no locks), like every ext2 call.
 */
#include "internal.h"

static u32 ext2_rsv_group_end(const struct ext2_fs *fs, u32 blk)
{
	u32 first = fs->sb.s_first_data_block, bpg = fs->sb.s_blocks_per_group;
	u64 end = first + ((u64)(blk - first) / bpg + 1) * bpg;

	return (u32)MIN(end, (u64)fs->sb.s_blocks_count);
}

static struct ext2_rsv *ext2_rsv_find(struct ext2_fs *fs, u32 ino)
{
	for (u32 i = 0; i < EXT2_RSV_SLOTS; i++)
		if (fs->rsv[i].ino == ino)
			return &fs->rsv[i];
	return NULL;
}

/* A slot for @ino: a free one, else the least recently used. */
static struct ext2_rsv *ext2_rsv_slot(struct ext2_fs *fs, u32 ino)
{
	struct ext2_rsv *best = &fs->rsv[0];

	for (u32 i = 0; i < EXT2_RSV_SLOTS; i++) {
		struct ext2_rsv *w = &fs->rsv[i];

		if (!w->ino) {
			best = w;
			break;
		}
		if (w->used < best->used)
			best = w;
	}
	*best = (struct ext2_rsv){ .ino = ino, .size = EXT2_RSV_MIN };
	return best;
}

bool ext2_rsv_other(const struct ext2_fs *fs, u32 ino, u32 blk, u32 *end)
{
	if (ino == EXT2_RSV_IGNORE)
		return false;
	for (u32 i = 0; i < EXT2_RSV_SLOTS; i++) {
		const struct ext2_rsv *w = &fs->rsv[i];

		if (w->ino && w->ino != ino && blk >= w->start && blk < w->end) {
			*end = w->end;
			return true;
		}
	}
	return false;
}

/* Where a window that starts at @start must end: @size blocks on, but
 * not past its group nor into another window. */
static u32 ext2_rsv_end(const struct ext2_fs *fs, const struct ext2_rsv *self,
			u32 start, u32 size)
{
	u32 end = ext2_rsv_group_end(fs, start);

	if (end - start > size)
		end = start + size;
	for (u32 i = 0; i < EXT2_RSV_SLOTS; i++) {
		const struct ext2_rsv *w = &fs->rsv[i];

		if (w != self && w->ino && w->start < w->end &&
		    w->start > start && w->start < end)
			end = w->start;
	}
	return end;
}

int ext2_rsv_alloc(struct ext2_fs *fs, u32 ino, u32 goal, u32 *out)
{
	struct ext2_rsv *w = ext2_rsv_find(fs, ino);
	u32 size = EXT2_RSV_MIN;
	int err;

	if (w && goal >= w->start && goal < w->end) {
		err = ext2_alloc_range(fs, ino, goal, w->end, out);
		if (err != -ENOSPC) {
			w->used = ++fs->rsv_clock;
			return err;
		}
	}
	if (w) {
		size = w->size;
		if (w->start < w->end && goal >= w->start && goal <= w->end &&
		    size < EXT2_RSV_MAX)
			size *= 2;	/* used up by this file: grow */
	}
	err = ext2_alloc_near(fs, ino, goal, out);
	if (err < 0)
		return err;
	if (!w)
		w = ext2_rsv_slot(fs, ino);
	w->size = size;
	w->start = *out;
	w->end = ext2_rsv_end(fs, w, *out, size);
	w->used = ++fs->rsv_clock;
	return 0;
}

void ext2_rsv_release_all(struct ext2_fs *fs)
{
	for (u32 i = 0; i < EXT2_RSV_SLOTS; i++)
		fs->rsv[i].start = fs->rsv[i].end = 0;
}

void ext2_rsv_drop(struct ext2_fs *fs, u32 ino)
{
	struct ext2_rsv *w = ext2_rsv_find(fs, ino);

	if (w && ino)
		*w = (struct ext2_rsv){ 0 };
}
