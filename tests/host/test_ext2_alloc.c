/* tests/host/test_ext2_alloc.c — block allocation with reservation
 * windows (managers/storage/ext2/rsv.c, alloc.c) on real mke2fs images.
 *
 *  interleaved_4k, interleaved_1k
 *      two files written in turn, one 4 KiB piece each (as two clients of
 *      the file service would), must each end up in a few long extents:
 *      windows double up to EXT2_RSV_MAX, so an 8 MiB file has about ten
 *      runs plus its indirect blocks, where without windows every block
 *      would alternate.  A sync in the middle (which releases windows)
 *      must not change that.  Contents read back, e2fsck -fn clean.
 *  release
 *      a window's unused blocks are kept from other files until a sync
 *      releases them, and an unlinked file's window goes with it.
 *  full
 *      windows never make a write fail early: two interleaved writers
 *      fill the disk to its last block (stealing from each other's
 *      windows at the end), then e2fsck -fn is clean.
 */
#include "ext2_host.h"

static struct host_dev dev;
static struct ext2_fs *fs;
static char img[4200];

/* Is @blk one of @in's single or double indirect blocks? */
static bool is_indirect(const struct ext2_inode *in, u32 blk)
{
	struct ext2_buf *b;
	bool found = false;

	if (blk == in->d.i_block[EXT2_IND_BLOCK] ||
	    blk == in->d.i_block[EXT2_DIND_BLOCK])
		return true;
	if (!in->d.i_block[EXT2_DIND_BLOCK] ||
	    ext2_bread(fs, in->d.i_block[EXT2_DIND_BLOCK], &b) < 0)
		return false;
	for (u32 i = 0; i < fs->addr_per_block && !found; i++)
		found = ((u32 *)b->data)[i] == blk;
	ext2_brelse(fs, b);
	return found;
}

/* Extents of @ino's blocks in logical order (a file without holes; its
 * own indirect blocks, which sit among its data, continue an extent);
 * *longest gets the longest extent in blocks. */
static u32 extents(u32 ino, u32 *longest)
{
	struct ext2_inode in;
	u32 prev = 0, pblk, n = 0, run = 0;
	u64 blocks;

	*longest = 0;
	CHECK(ext2_iget(fs, ino, &in) == 0, "iget %u", ino);
	blocks = (ext2_isize(&in) + fs->block_size - 1) >> fs->log_block_size;
	for (u64 l = 0; l < blocks; l++) {
		CHECK(ext2_bmap(fs, &in, l, false, &pblk) == 0 && pblk,
		      "bmap %u/%llu", ino, (unsigned long long)l);
		while (prev && pblk > prev + 1 && is_indirect(&in, prev + 1))
			prev++;
		if (!prev || pblk != prev + 1) {
			n++;
			run = 0;
		}
		run++;
		if (run > *longest)
			*longest = run;
		prev = pblk;
	}
	return n;
}

static void fill(u8 *buf, size_t len, u32 file, u64 piece)
{
	for (size_t i = 0; i < len; i++)
		buf[i] = (u8)(file * 131 + piece * 7 + i / 64);
}

/* Two files of @pieces 4 KiB pieces written in turn; sync after @sync_at
 * pieces (0: never). */
static void interleaved(int bs, u32 pieces, u32 sync_at, u32 max_ext)
{
	u8 buf[4096], got[4096];
	u32 ino[2], longest, n;

	snprintf(img, sizeof(img), "%s/il-%d.img", host_work, bs);
	CHECK(host_mkfs(img, bs, NULL, "64M", NULL) == 0, "mke2fs");
	CHECK(host_mount_file(img, &dev, false, &fs) == 0, "mount");
	if (harness_why[0])
		return;
	CHECK(ext2_create(fs, EXT2_ROOT, "a", 0644, 0, 0, &ino[0]) == 0, "a");
	CHECK(ext2_create(fs, EXT2_ROOT, "b", 0644, 0, 0, &ino[1]) == 0, "b");
	for (u64 p = 0; p < pieces && !harness_why[0]; p++) {
		for (u32 f = 0; f < 2; f++) {
			fill(buf, sizeof(buf), f, p);
			CHECK(ext2_write(fs, ino[f], p * 4096, buf, 4096) == 4096,
			      "write %u piece %llu", f, (unsigned long long)p);
		}
		if (p + 1 == sync_at)
			CHECK(ext2_sync(fs) == 0, "sync");
	}
	/* Windows of 8, 16, ... 1024 blocks, then 1024 at a time, and a new
	 * extent at each group boundary. */
	for (u32 f = 0; f < 2; f++) {
		n = extents(ino[f], &longest);
		CHECK(n <= max_ext, "file %u: %u extents (longest %u blocks)", f,
		      n, longest);
		printf("%d-byte blocks: file %u in %u extents, longest %u blocks\n",
		       bs, f, n, longest);
		CHECK(longest >= EXT2_RSV_MAX / 2, "file %u: longest extent %u",
		      f, longest);
		for (u64 p = 0; p < pieces; p += 97) {
			fill(buf, sizeof(buf), f, p);
			CHECK(ext2_read(fs, ino[f], p * 4096, got, 4096) == 4096 &&
			      !memcmp(buf, got, 4096), "read %u piece %llu", f,
			      (unsigned long long)p);
		}
	}
	CHECK(host_unmount(fs, &dev) == 0, "unmount");
	CHECK(host_fsck(img) == 0, "e2fsck -fn");
}

/* 8 MiB each: 2,048 blocks of 4 KiB, into the double indirect map; the
 * windows double from 8 to 512 blocks: 8 extents. */
static void test_ext2_alloc_interleaved_4k(void)
{
	interleaved(4096, 2048, 0, 10);
}

/* 8 MiB each of 1 KiB blocks (8,192 blocks, one group's worth, so a group
 * boundary or two), with a sync (windows released) midway: windows of 8
 * to 1,024 blocks, then 1,024 at a time. */
static void test_ext2_alloc_interleaved_1k(void)
{
	interleaved(1024, 2048, 700, 20);
}

static u32 first_block(u32 ino)
{
	struct ext2_inode in;
	u32 pblk = 0;

	CHECK(ext2_iget(fs, ino, &in) == 0 &&
	      ext2_bmap(fs, &in, 0, false, &pblk) == 0, "bmap %u", ino);
	return pblk;
}

static void test_ext2_alloc_release(void)
{
	u8 buf[3 * 1024];
	u32 a, c, d, e, a0;

	if (!host_fresh_fs(img, sizeof(img), "release.img", 1024, "8M", NULL, &dev,
			   &fs))
		return;
	memset(buf, 5, sizeof(buf));
	CHECK(ext2_create(fs, EXT2_ROOT, "a", 0644, 0, 0, &a) == 0, "a");
	CHECK(ext2_write(fs, a, 0, buf, sizeof(buf)) == sizeof(buf), "a");
	a0 = first_block(a);
	/* a's window is EXT2_RSV_MIN blocks from a0; a used 3 of them. */
	CHECK(ext2_create(fs, EXT2_ROOT, "c", 0644, 0, 0, &c) == 0, "c");
	CHECK(ext2_write(fs, c, 0, buf, 1) == 1, "c");
	CHECK(first_block(c) >= a0 + EXT2_RSV_MIN, "c at %u inside a's window "
	      "%u+%u", first_block(c), a0, EXT2_RSV_MIN);
	/* A sync releases the windows: the next file takes a's leftovers. */
	CHECK(ext2_sync(fs) == 0, "sync");
	CHECK(ext2_create(fs, EXT2_ROOT, "d", 0644, 0, 0, &d) == 0, "d");
	CHECK(ext2_write(fs, d, 0, buf, 1) == 1, "d");
	CHECK(first_block(d) == a0 + 3, "d at %u, want %u", first_block(d),
	      a0 + 3);
	/* d now holds a window after its block; unlinking d drops it. */
	CHECK(ext2_unlink(fs, EXT2_ROOT, "d") == 0, "unlink d");
	CHECK(ext2_create(fs, EXT2_ROOT, "e", 0644, 0, 0, &e) == 0, "e");
	CHECK(ext2_write(fs, e, 0, buf, 1) == 1, "e");
	CHECK(first_block(e) == a0 + 3, "e at %u, want %u", first_block(e),
	      a0 + 3);
	CHECK(host_unmount(fs, &dev) == 0, "unmount");
	CHECK(host_fsck(img) == 0, "e2fsck -fn");
}

static void test_ext2_alloc_full(void)
{
	static u8 buf[4096];
	struct ext2_statfs st;
	u32 ino[2];
	bool full[2] = { false, false };

	if (!host_fresh_fs(img, sizeof(img), "full.img", 1024, "4M", NULL, &dev,
			   &fs))
		return;
	memset(buf, 9, sizeof(buf));
	CHECK(ext2_create(fs, EXT2_ROOT, "a", 0644, 0, 0, &ino[0]) == 0, "a");
	CHECK(ext2_create(fs, EXT2_ROOT, "b", 0644, 0, 0, &ino[1]) == 0, "b");
	for (u64 off = 0; !(full[0] && full[1]) && !harness_why[0];
	     off += 1024) {
		for (u32 f = 0; f < 2; f++) {
			ssize_t r;

			if (full[f])
				continue;
			r = ext2_write(fs, ino[f], off, buf, 1024);
			CHECK(r == 1024 || r == -ENOSPC, "write %u: %zd", f, r);
			full[f] = r != 1024;
		}
	}
	CHECK(ext2_statfs(fs, &st) == 0 && st.bfree == 0,
	      "%llu blocks left free", (unsigned long long)st.bfree);
	CHECK(host_unmount(fs, &dev) == 0, "unmount");
	CHECK(host_fsck(img) == 0, "e2fsck -fn");
}

int main(int argc, char **argv)
{
	host_workdir(argv[0], "ext2_alloc");
	RUN(test_ext2_alloc_interleaved_4k);
	RUN(test_ext2_alloc_interleaved_1k);
	RUN(test_ext2_alloc_release);
	RUN(test_ext2_alloc_full);
	return harness_exit();
}
