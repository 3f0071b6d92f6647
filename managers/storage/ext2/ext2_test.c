/* managers/storage/ext2/ext2_test.c — in-kernel selftest of the ext2 core
 * on a RAM disk.
 *
 * The kernel has no mke2fs, so the test formats a 1 MiB, 1 KiB-block,
 * single-group volume itself (superblock, descriptor, bitmaps, inode
 * table, root directory), then mounts it and runs the namespace and data
 * operations through the public interface: nested mkdir, files through
 * the single and double indirect blocks, read back, rename across
 * directories, symlinks, hard links, unlink, rmdir, readdir, a remount,
 * and free counts returning to their start.  The host tests
 * (tests/host/test_ext2_*.c) do the same against mke2fs and e2fsck; this
 * one proves the code runs in the kernel (no FP, stack limits, kmalloc).
 */
#include <storage/ext2.h>
#include <kernel/selftest.h>
#include <lib/string.h>
#include <mm/mm.h>
#include <uapi/errno.h>
#include "ext2_disk.h"

#define RD_ORDER	8		/* 1 MiB */
#define RD_BLOCKS	1024
#define RD_INODES	128
#define RD_ITABLE	5		/* blocks 5..20 */
#define RD_ROOTBLK	21

struct ramdisk {
	u8 *mem;
	u64 bytes;
};

static int rd_read(void *ctx, u64 sector, void *buf, u32 count)
{
	struct ramdisk *rd = ctx;

	if ((sector + count) * 512 > rd->bytes)
		return -EIO;
	memcpy(buf, rd->mem + sector * 512, count * 512);
	return 0;
}

static int rd_write(void *ctx, u64 sector, const void *buf, u32 count)
{
	struct ramdisk *rd = ctx;

	if ((sector + count) * 512 > rd->bytes)
		return -EIO;
	memcpy(rd->mem + sector * 512, buf, count * 512);
	return 0;
}

static int rd_flush(void *ctx)
{
	return 0;
}

static const struct ext2_bdev_ops rd_ops = {
	.read = rd_read, .write = rd_write, .flush = rd_flush,
};

static void rd_set_bits(u8 *map, u32 n)
{
	for (u32 i = 0; i < n; i++)
		map[i >> 3] |= 1u << (i & 7);
}

/* A minimal ext2 revision 1 volume: one group, root directory only. */
static void rd_mkfs(u8 *m)
{
	struct ext2_super *s = (void *)(m + 1024);
	struct ext2_group_desc *gd = (void *)(m + 2048);
	struct ext2_dinode *root = (void *)(m + RD_ITABLE * 1024 + 128);
	struct ext2_dirent *de = (void *)(m + RD_ROOTBLK * 1024);

	memset(m, 0, RD_BLOCKS * 1024);
	s->s_inodes_count = RD_INODES;
	s->s_blocks_count = RD_BLOCKS;
	s->s_free_blocks_count = RD_BLOCKS - 1 - RD_ROOTBLK;
	s->s_free_inodes_count = RD_INODES - 10;
	s->s_first_data_block = 1;
	s->s_blocks_per_group = 8192;
	s->s_frags_per_group = 8192;
	s->s_inodes_per_group = RD_INODES;
	s->s_magic = EXT2_MAGIC;
	s->s_state = EXT2_VALID_FS;
	s->s_rev_level = EXT2_DYNAMIC_REV;
	s->s_first_ino = 11;
	s->s_inode_size = 128;
	s->s_feature_incompat = EXT2_FEATURE_INCOMPAT_FILETYPE;
	gd->bg_block_bitmap = 3;
	gd->bg_inode_bitmap = 4;
	gd->bg_inode_table = RD_ITABLE;
	gd->bg_free_blocks_count = s->s_free_blocks_count;
	gd->bg_free_inodes_count = s->s_free_inodes_count;
	gd->bg_used_dirs_count = 1;
	rd_set_bits(m + 3 * 1024, RD_ROOTBLK);	/* blocks 1..21 */
	m[3 * 1024 + 127] |= 0x80;		/* bit 1023: past the last block */
	memset(m + 3 * 1024 + 128, 0xff, 1024 - 128);
	rd_set_bits(m + 4 * 1024, 10);
	memset(m + 4 * 1024 + RD_INODES / 8, 0xff, 1024 - RD_INODES / 8);
	root->i_mode = EXT2_S_IFDIR | 0755;
	root->i_links_count = 2;
	root->i_size = 1024;
	root->i_blocks = 2;
	root->i_block[0] = RD_ROOTBLK;
	de->inode = EXT2_ROOT_INO;
	de->rec_len = 12;
	de->name_len = 1;
	de->file_type = EXT2_FT_DIR;
	de->name[0] = '.';
	de = (void *)((u8 *)de + 12);
	de->inode = EXT2_ROOT_INO;
	de->rec_len = 1012;
	de->name_len = 2;
	de->file_type = EXT2_FT_DIR;
	memcpy(de->name, "..", 2);
}

static void fill(u8 *b, u32 n, u32 seed)
{
	for (u32 i = 0; i < n; i++)
		b[i] = (u8)(seed + i * 31 + (i >> 10));
}

static int ext2_st_files(struct selftest_ctx *t, struct ext2_fs *fs, u8 *buf,
			 u8 *chk)
{
	u32 d1, d2, f, l, ino;
	struct ext2_stat st;

	ST_EQ(ext2_mkdir(fs, EXT2_ROOT, "d1", 0755, 0, 0, &d1), 0);
	ST_EQ(ext2_mkdir(fs, d1, "d2", 0700, 0, 0, &d2), 0);
	ST_EQ(ext2_create(fs, d2, "f", 0644, 1, 2, &f), 0);
	fill(buf, 300 * 1024, 5);	/* direct, single and double indirect */
	ST_EQ(ext2_write(fs, f, 0, buf, 300 * 1024), 300 * 1024);
	ST_EQ(ext2_read(fs, f, 0, chk, 300 * 1024), 300 * 1024);
	ST_ASSERT(!memcmp(buf, chk, 300 * 1024));
	ST_EQ(ext2_stat(fs, f, &st), 0);
	ST_ASSERT(st.size == 300 * 1024 && st.uid == 1 && st.gid == 2);
	ST_EQ(ext2_symlink(fs, EXT2_ROOT, "l", "d1/d2/f", 0, 0, &l), 0);
	ST_EQ(ext2_walk(fs, EXT2_ROOT, "/l", true, &ino), 0);
	ST_EQ(ino, f);
	ST_EQ(ext2_link(fs, f, EXT2_ROOT, "hard"), 0);
	ST_EQ(ext2_rename(fs, d2, "f", EXT2_ROOT, "moved"), 0);
	ST_EQ(ext2_walk(fs, EXT2_ROOT, "l", true, &ino), -ENOENT);
	ST_EQ(ext2_rename(fs, d1, "d2", EXT2_ROOT, "d2"), 0);
	ST_EQ(ext2_lookup(fs, d2, "..", &ino), 0);
	ST_EQ(ino, EXT2_ROOT);
	ST_EQ(ext2_rmdir(fs, EXT2_ROOT, "d1"), 0);
	ST_EQ(ext2_truncate(fs, f, 5000), 0);
	ST_EQ(ext2_read(fs, f, 4990, chk, 100), 10);
	ST_ASSERT(!memcmp(chk, buf + 4990, 10));
	return 0;
}

static int ext2_st_cleanup(struct selftest_ctx *t, struct ext2_fs *fs)
{
	struct ext2_dirent_info *ent = kzalloc(sizeof(*ent));
	u64 cookie = 0;
	int n = 0;

	ST_ASSERT(ent);
	while (ext2_readdir(fs, EXT2_ROOT, &cookie, ent) == 1)
		n++;
	kfree(ent);
	ST_EQ(n, 6);			/* . .. d2 l hard moved */
	ST_EQ(ext2_unlink(fs, EXT2_ROOT, "moved"), 0);
	ST_EQ(ext2_unlink(fs, EXT2_ROOT, "hard"), 0);
	ST_EQ(ext2_unlink(fs, EXT2_ROOT, "l"), 0);
	ST_EQ(ext2_rmdir(fs, EXT2_ROOT, "d2"), 0);
	return 0;
}

SELFTEST(storage_ext2_ramdisk)
{
	struct ramdisk rd = { .mem = alloc_pages(RD_ORDER),
			      .bytes = RD_BLOCKS * 1024 };
	struct ext2_bdev bd = { .ops = &rd_ops, .ctx = &rd,
				.nr_sectors = RD_BLOCKS * 2 };
	struct ext2_mount_opts o = { .cache_blocks = 32 };
	u8 *buf = alloc_pages(7), *chk = alloc_pages(7);
	struct ext2_statfs s0, s1;
	struct ext2_fs *fs;
	int err;

	ST_ASSERT(rd.mem && buf && chk);
	rd_mkfs(rd.mem);
	ST_EQ(ext2_mount(&bd, &o, &fs), 0);
	ST_EQ(ext2_statfs(fs, &s0), 0);
	err = ext2_st_files(t, fs, buf, chk);
	if (!err) {
		ST_EQ(ext2_unmount(fs), 0);
		ST_EQ(ext2_mount(&bd, &o, &fs), 0);
		err = ext2_st_cleanup(t, fs);
	}
	ST_EQ(ext2_statfs(fs, &s1), 0);
	ST_EQ(ext2_unmount(fs), 0);
	free_pages(buf, 7);
	free_pages(chk, 7);
	free_pages(rd.mem, RD_ORDER);
	if (err)
		return err;
	ST_EQ(s1.bfree, s0.bfree);
	ST_EQ(s1.ffree, s0.ffree);
	return 0;
}
