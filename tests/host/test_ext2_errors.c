/* tests/host/test_ext2_errors.c — bad input gets Linux's errno, never a
 * crash.
 *
 * Corrupt superblocks and group descriptors (mount refused with -EINVAL,
 * or read-only for unknown ro-compat features); names and paths too long;
 * paths through files; symlink loops; a full disk (blocks and inodes),
 * after which e2fsck is still clean and every freed block comes back;
 * wrong-type operations; directory entries with bad lengths or naming
 * inodes outside the volume, direct and indirect block pointers outside
 * the disk and directory loops (-EUCLEAN).
 */
#include "ext2_host.h"

static struct ext2_fs *fs;
static struct host_dev dev;
static u8 *pristine, *mem;
static size_t img_len;

static void load_image(void)
{
	char tree[4200], img[4200];

	snprintf(tree, sizeof(tree), "%s/tree", host_work);
	snprintf(img, sizeof(img), "%s/base.img", host_work);
	host_sh("mkdir -p '%s/a/b' && echo hello > '%s/a/f' && "
		"echo x > '%s/a/b/g'", tree, tree, tree);
	if (host_mkfs(img, 1024, tree, "2M", NULL) != 0) {
		fprintf(stderr, "mke2fs failed\n");
		exit(2);
	}
	pristine = host_slurp(img, &img_len);
	mem = malloc(img_len);
}

static struct ext2_super *fresh(void)
{
	memcpy(mem, pristine, img_len);
	return (struct ext2_super *)(mem + 1024);
}

static int mount_mem(bool ro)
{
	return host_mount_mem(mem, img_len, ro, &dev, &fs);
}

static void expect_mount(int want, const char *what)
{
	int err = mount_mem(false);

	CHECK(err == want, "%s: mount gave %d, want %d", what, err, want);
	if (!err)
		ext2_unmount(fs);
}

static void test_ext2_bad_super(void)
{
	struct ext2_group_desc *gd;
	struct ext2_statfs st;

	fresh()->s_magic = 0x1234;
	expect_mount(-EINVAL, "magic");
	fresh()->s_log_block_size = 7;
	expect_mount(-EINVAL, "block size");
	fresh()->s_rev_level = 5;
	expect_mount(-EINVAL, "revision");
	fresh()->s_blocks_count = 1u << 30;
	expect_mount(-EINVAL, "blocks past the device");
	fresh()->s_inodes_per_group = 0;
	expect_mount(-EINVAL, "inodes per group");
	fresh()->s_inodes_count++;
	expect_mount(-EINVAL, "inode count");
	fresh()->s_inode_size = 100;
	expect_mount(-EINVAL, "inode size");
	fresh()->s_first_ino = 1;
	expect_mount(-EINVAL, "first inode");
	fresh()->s_blocks_per_group = 0;
	expect_mount(-EINVAL, "blocks per group");
	fresh()->s_feature_incompat |= 0x40;
	expect_mount(-EINVAL, "unknown incompat feature (extents)");
	fresh();
	gd = (struct ext2_group_desc *)(mem + 2048);
	gd->bg_inode_table = 2040;
	expect_mount(-EINVAL, "inode table outside its group");
	fresh()->s_feature_ro_compat |= 0x400;
	CHECK(mount_mem(false) == 0, "ro-compat mount");
	CHECK(ext2_is_read_only(fs) && ext2_statfs(fs, &st) == 0 && st.read_only,
	      "unknown ro-compat feature must mount read-only");
	CHECK(ext2_mkdir(fs, EXT2_ROOT, "x", 0755, 0, 0, NULL) == -EROFS, "EROFS");
	ext2_unmount(fs);
	CHECK(!memcmp(mem + 4096, pristine + 4096, img_len - 4096),
	      "read-only mount wrote");
}

static void test_ext2_names(void)
{
	char name[300], path[5000];
	u32 ino, a;

	fresh();
	CHECK(mount_mem(false) == 0, "mount");
	memset(name, 'n', sizeof(name));
	name[256] = 0;
	CHECK(ext2_create(fs, EXT2_ROOT, name, 0644, 0, 0, &ino) ==
	      -ENAMETOOLONG, "256-byte name");
	CHECK(ext2_lookup(fs, EXT2_ROOT, name, &ino) == -ENAMETOOLONG, "lookup");
	name[255] = 0;
	CHECK(ext2_create(fs, EXT2_ROOT, name, 0644, 0, 0, &ino) == 0, "255");
	CHECK(ext2_lookup(fs, EXT2_ROOT, name, &a) == 0 && a == ino, "find 255");
	memset(path, 'p', sizeof(path));
	path[4999] = 0;
	CHECK(ext2_walk(fs, EXT2_ROOT, path, true, &ino) == -ENAMETOOLONG,
	      "path longer than PATH_MAX");
	CHECK(ext2_walk(fs, EXT2_ROOT, "a/f/x", true, &ino) == -ENOTDIR,
	      "path through a file");
	CHECK(ext2_walk(fs, EXT2_ROOT, "a/f/", true, &ino) == -ENOTDIR,
	      "trailing slash on a file");
	CHECK(ext2_walk(fs, EXT2_ROOT, "a/nope/x", true, &ino) == -ENOENT, "ENOENT");
	CHECK(ext2_walk(fs, EXT2_ROOT, "", true, &ino) == -ENOENT, "empty path");
	CHECK(ext2_walk(fs, EXT2_ROOT, "a", true, &a) == 0, "a");
	CHECK(ext2_walk(fs, EXT2_ROOT, "a/f", true, &ino) == 0, "a/f");
	CHECK(ext2_create(fs, ino, "x", 0644, 0, 0, NULL) == -ENOTDIR, "in file");
	CHECK(ext2_create(fs, a, "f", 0644, 0, 0, NULL) == -EEXIST, "EEXIST");
	CHECK(ext2_mkdir(fs, a, ".", 0755, 0, 0, NULL) == -EEXIST, "mkdir .");
	CHECK(ext2_unlink(fs, EXT2_ROOT, "a") == -EISDIR, "unlink dir");
	CHECK(ext2_rmdir(fs, a, "f") == -ENOTDIR, "rmdir file");
	CHECK(ext2_rmdir(fs, EXT2_ROOT, "a") == -ENOTEMPTY, "rmdir non-empty");
	CHECK(ext2_rmdir(fs, a, ".") == -EINVAL, "rmdir .");
	CHECK(ext2_rmdir(fs, a, "..") == -ENOTEMPTY, "rmdir ..");
	CHECK(ext2_link(fs, a, EXT2_ROOT, "hl") == -EPERM, "link a directory");
	CHECK(ext2_rename(fs, EXT2_ROOT, "a", a, "sub") == -EINVAL,
	      "rename into itself");
	CHECK(ext2_rename(fs, a, "f", a, "b") == -EISDIR, "file over dir");
	CHECK(ext2_rename(fs, a, "f", EXT2_ROOT, "a") == -ENOTEMPTY,
	      "file over an ancestor");
	CHECK(ext2_rename(fs, EXT2_ROOT, "a", EXT2_ROOT, name) == -ENOTDIR,
	      "dir over file");
	CHECK(ext2_rename(fs, a, ".", EXT2_ROOT, "z") == -EBUSY, "rename .");
	CHECK(ext2_read(fs, a, 0, path, 10) == -EISDIR, "read a directory");
	CHECK(ext2_readdir(fs, ino, &(u64){0}, &(struct ext2_dirent_info){0}) ==
	      -ENOTDIR, "readdir a file");
	CHECK(ext2_readlink(fs, ino, path, 10) == -EINVAL, "readlink a file");
	CHECK(ext2_symlink(fs, a, "l", "", 0, 0, NULL) == -ENOENT, "empty target");
	memset(path, 't', 1100);
	path[1024] = 0;
	CHECK(ext2_symlink(fs, a, "l", path, 0, 0, NULL) == -ENAMETOOLONG,
	      "target of a whole block");
	CHECK(ext2_unmount(fs) == 0, "unmount");
}

static void test_ext2_symlink_loops(void)
{
	char name[16], target[16];
	u32 ino;

	fresh();
	CHECK(mount_mem(false) == 0, "mount");
	CHECK(ext2_symlink(fs, EXT2_ROOT, "l1", "l2", 0, 0, NULL) == 0 &&
	      ext2_symlink(fs, EXT2_ROOT, "l2", "/l1", 0, 0, NULL) == 0, "links");
	CHECK(ext2_walk(fs, EXT2_ROOT, "l1", true, &ino) == -ELOOP, "ELOOP");
	CHECK(ext2_walk(fs, EXT2_ROOT, "l1/x", false, &ino) == -ELOOP, "mid");
	CHECK(ext2_walk(fs, EXT2_ROOT, "l1", false, &ino) == 0, "nofollow");
	/* c0 -> c1 -> ... -> c40 -> a: 41 links is one too many. */
	for (int i = 0; i <= 40; i++) {
		snprintf(name, sizeof(name), "c%d", i);
		snprintf(target, sizeof(target), i == 40 ? "a" : "c%d", i + 1);
		CHECK(ext2_symlink(fs, EXT2_ROOT, name, target, 0, 0, NULL) == 0,
		      "chain");
	}
	CHECK(ext2_walk(fs, EXT2_ROOT, "c1", true, &ino) == 0, "40 links");
	CHECK(ext2_walk(fs, EXT2_ROOT, "c0", true, &ino) == -ELOOP, "41 links");
	CHECK(ext2_unmount(fs) == 0, "unmount");
}

static void test_ext2_full_disk(void)
{
	char img[4200], name[32];
	static u8 buf[65536];
	struct ext2_statfs s0, s1;
	ssize_t n, total = 0;
	u32 ino;
	int err = 0, files = 0;

	if (!host_fresh_fs(img, sizeof(img), "full.img", 1024, "1M", "-N 64", &dev,
			   &fs))
		return;
	ext2_statfs(fs, &s0);
	CHECK(ext2_create(fs, EXT2_ROOT, "big", 0644, 0, 0, &ino) == 0, "create");
	while ((n = ext2_write(fs, ino, total, buf, sizeof(buf))) > 0)
		total += n;
	CHECK(n == -ENOSPC && total > 800 * 1024, "filled %zd bytes, then %zd",
	      total, n);
	for (files = 0; files < 100 && !err; files++) {
		snprintf(name, sizeof(name), "f%d", files);
		err = ext2_create(fs, EXT2_ROOT, name, 0644, 0, 0, NULL);
	}
	CHECK(err == -ENOSPC, "creating files on a full disk: %d", err);
	CHECK(ext2_sync(fs) == 0, "sync");
	CHECK(host_sh("e2fsck -fn '%s' >/dev/null 2>&1", img) == 0,
	      "e2fsck on the full disk");
	CHECK(ext2_unlink(fs, EXT2_ROOT, "big") == 0, "unlink");
	for (int i = 0; i < files; i++) {
		snprintf(name, sizeof(name), "f%d", i);
		ext2_unlink(fs, EXT2_ROOT, name);
	}
	ext2_statfs(fs, &s1);
	CHECK(s1.ffree == s0.ffree, "inodes back");
	CHECK(s1.bfree + 8 >= s0.bfree, "blocks back: %llu of %llu",
	      (unsigned long long)s1.bfree, (unsigned long long)s0.bfree);
	CHECK(host_unmount(fs, &dev) == 0 && host_fsck(img) == 0, "e2fsck after");
}

/* Physical block of logical block 0 of @path. */
static u32 first_block(const char *path)
{
	struct ext2_inode in;
	u32 ino, pblk = 0;

	if (ext2_walk(fs, EXT2_ROOT, path, false, &ino) == 0 &&
	    ext2_iget(fs, ino, &in) == 0)
		ext2_bmap(fs, &in, 0, false, &pblk);
	return pblk;
}

static struct ext2_dinode *dinode_of(const char *path)
{
	struct ext2_group_desc *gd = (void *)(mem + 2048);
	u32 ino;

	if (ext2_walk(fs, EXT2_ROOT, path, false, &ino))
		return NULL;
	return (void *)(mem + gd->bg_inode_table * 1024 +
			(ino - 1) * fs->inode_size);
}

/* A directory entry naming an inode past the volume's inode count. */
static void test_ext2_dirent_inode_range(void)
{
	struct ext2_dirent *de;
	u32 blk, ino, a;

	fresh();
	CHECK(mount_mem(true) == 0, "mount");
	blk = first_block("/a/b");
	ext2_unmount(fs);
	de = (void *)(mem + blk * 1024 + 24);	/* the entry after ".." */
	CHECK(de->name_len == 1 && de->name[0] == 'g', "entry g of a/b");
	de->inode = ((struct ext2_super *)(mem + 1024))->s_inodes_count + 1;
	CHECK(mount_mem(false) == 0, "mount");
	CHECK(ext2_walk(fs, EXT2_ROOT, "a/b/g", true, &ino) == -EUCLEAN,
	      "entry naming an inode outside the volume");
	CHECK(ext2_walk(fs, EXT2_ROOT, "a/f", true, &a) == 0,
	      "the rest still served");
	CHECK(ext2_unlink(fs, a, "x") == -ENOTDIR, "unlink under a file");
	ext2_unmount(fs);
}

static void test_ext2_corrupt_metadata(void)
{
	struct ext2_dinode *di;
	struct ext2_dirent *de;
	char buf[64];
	u32 blk, ino, a;

	fresh();
	CHECK(mount_mem(true) == 0, "mount");
	blk = first_block("/a");
	CHECK(blk != 0, "dir block of /a");
	de = (void *)(mem + blk * 1024 + 12);	/* ".." */
	de->rec_len = 3;
	ext2_unmount(fs);
	CHECK(mount_mem(true) == 0, "mount");
	CHECK(ext2_walk(fs, EXT2_ROOT, "a/f", true, &ino) == -EUCLEAN,
	      "bad rec_len");
	CHECK(ext2_lookup(fs, EXT2_ROOT, "a", &a) == 0, "root still works");
	CHECK(ext2_readdir(fs, a, &(u64){0}, &(struct ext2_dirent_info){0}) ==
	      -EUCLEAN, "readdir of a bad block");
	de->rec_len = 1012 + 4;
	CHECK(ext2_walk(fs, EXT2_ROOT, "a/f", true, &ino) == -EUCLEAN,
	      "rec_len past the block");
	ext2_unmount(fs);

	fresh();
	CHECK(mount_mem(false) == 0, "mount");
	di = dinode_of("/a/f");
	CHECK(di != NULL, "inode of a/f");
	ext2_unmount(fs);
	di->i_block[0] = 0x7fffffff;
	CHECK(mount_mem(false) == 0, "mount");
	CHECK(ext2_walk(fs, EXT2_ROOT, "a/f", true, &ino) == 0, "walk");
	CHECK(ext2_read(fs, ino, 0, buf, 6) == -EUCLEAN, "block outside disk");
	CHECK(ext2_write(fs, ino, 0, buf, 6) == -EUCLEAN, "write outside disk");
	ext2_unmount(fs);
	di->i_block[0] = 0;
	di->i_block[EXT2_IND_BLOCK] = 0x7ffffff0;
	di->i_size = 13 * 1024;
	CHECK(mount_mem(false) == 0, "mount");
	CHECK(ext2_walk(fs, EXT2_ROOT, "a/f", true, &ino) == 0, "walk");
	CHECK(ext2_read(fs, ino, 12 * 1024, buf, 6) == -EUCLEAN,
	      "indirect block outside disk");
	CHECK(ext2_read(fs, ino, 0, buf, 6) == 6, "hole before it reads");
	ext2_unmount(fs);
	test_ext2_dirent_inode_range();
}

static void test_ext2_dir_loop(void)
{
	struct ext2_dirent *de;
	u32 blk, b, d, ino;

	fresh();
	CHECK(mount_mem(false) == 0, "mount");
	CHECK(ext2_walk(fs, EXT2_ROOT, "a/b", false, &b) == 0, "a/b");
	CHECK(ext2_mkdir(fs, EXT2_ROOT, "d", 0755, 0, 0, &d) == 0, "mkdir d");
	blk = first_block("/a/b");
	CHECK(ext2_unmount(fs) == 0, "unmount");
	de = (void *)(mem + blk * 1024 + 12);	/* a/b/.. -> a/b */
	de->inode = b;
	CHECK(mount_mem(false) == 0, "mount");
	CHECK(ext2_walk(fs, EXT2_ROOT, "a/b/../../../..", true, &ino) == 0 &&
	      ino == b, "walk through the loop ends");
	CHECK(ext2_rename(fs, EXT2_ROOT, "d", b, "d") == -EUCLEAN,
	      "rename under a loop: %d", ext2_rename(fs, EXT2_ROOT, "d", b, "d"));
	ext2_unmount(fs);
}

int main(int argc, char **argv)
{
	host_workdir(argv[0], "ext2_errors");
	load_image();
	RUN(test_ext2_bad_super);
	RUN(test_ext2_names);
	RUN(test_ext2_symlink_loops);
	RUN(test_ext2_full_disk);
	RUN(test_ext2_corrupt_metadata);
	RUN(test_ext2_dir_loop);
	free(pristine);
	free(mem);
	return harness_exit();
}
