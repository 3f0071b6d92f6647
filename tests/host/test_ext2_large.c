/* tests/host/test_ext2_large.c — files past 4 GiB and the large_file
 * feature.
 *
 * On a sparse 8 GiB image with 4 KiB blocks: write at 5 GiB (triple
 * indirect) and across the double/triple indirect boundary, read back
 * data and holes, check the size and -EFBIG past the largest file, shrink
 * and delete and check the free block count returns, e2fsck -fn clean at
 * each step, and debugfs agrees on the size.  On a 1 KiB image made
 * without large_file: a write past 2 GiB turns the feature on, as on Linux.
 */
#include "ext2_host.h"

static struct ext2_fs *fs;
static struct host_dev dev;

static void fill(u8 *b, size_t n, u32 seed)
{
	for (size_t i = 0; i < n; i++)
		b[i] = (u8)(seed + i * 13);
}

static void test_ext2_large_file(void)
{
	char img[4200];
	u64 tind = (12ull + 1024 + 1024 * 1024) * 4096, big = 5ull << 30;
	u8 a[8000], b[8000];
	struct ext2_statfs s0, s1;
	struct ext2_stat st;
	u32 ino;

	if (!host_fresh_fs(img, sizeof(img), "large.img", 4096, "8G", "-N 4096", &dev,
			   &fs))
		return;
	ext2_statfs(fs, &s0);
	CHECK(ext2_create(fs, EXT2_ROOT, "big", 0644, 0, 0, &ino) == 0, "create");
	fill(a, sizeof(a), 1);
	CHECK(ext2_write(fs, ino, big + 123, a, 5) == 5, "write at 5 GiB");
	CHECK(ext2_write(fs, ino, tind - 3000, a, 8000) == 8000, "write across");
	CHECK(ext2_stat(fs, ino, &st) == 0 && st.size == big + 128, "size");
	CHECK(ext2_read(fs, ino, tind - 3000, b, 8000) == 8000 &&
	      !memcmp(a, b, 8000), "read across the boundary");
	CHECK(ext2_read(fs, ino, big + 120, b, 100) == 8 &&
	      !b[0] && !b[1] && !b[2] && !memcmp(b + 3, a, 5), "read at 5 GiB");
	CHECK(ext2_read(fs, ino, 1ull << 30, b, 4096) == 4096 &&
	      !b[0] && !b[4095], "hole reads zeros");
	CHECK(ext2_write(fs, ino, fs->max_file_size, a, 1) == -EFBIG,
	      "write past the largest file");
	CHECK(ext2_write(fs, ino, 3ull << 40, a, 1) == -EFBIG, "3 TiB");
	CHECK(ext2_truncate(fs, ino, 1ull << 42) == -EFBIG, "truncate 4 TiB");
	CHECK(host_unmount(fs, &dev) == 0, "unmount");
	CHECK(host_fsck(img) == 0, "e2fsck after writing past 4 GiB");
	CHECK(host_sh("debugfs -R 'stat /big' '%s' 2>/dev/null | "
		      "grep -q 'Size: %llu'", img,
		      (unsigned long long)(big + 128)) == 0, "debugfs size");
	CHECK(host_mount_file(img, &dev, false, &fs) == 0, "remount");
	CHECK(ext2_truncate(fs, ino, 20 * 4096 + 7) == 0, "shrink");
	CHECK(ext2_read(fs, ino, 0, b, 100) == 100 && !b[99], "after shrink");
	CHECK(host_unmount(fs, &dev) == 0 && host_fsck(img) == 0,
	      "e2fsck after shrink");
	CHECK(host_mount_file(img, &dev, false, &fs) == 0, "remount");
	CHECK(ext2_unlink(fs, EXT2_ROOT, "big") == 0, "unlink");
	ext2_statfs(fs, &s1);
	CHECK(s1.bfree == s0.bfree && s1.ffree == s0.ffree,
	      "free counts %llu/%llu", (unsigned long long)s1.bfree,
	      (unsigned long long)s0.bfree);
	CHECK(host_unmount(fs, &dev) == 0 && host_fsck(img) == 0,
	      "e2fsck after unlink");
	unlink(img);
}

static void test_ext2_large_file_feature(void)
{
	char img[4200];
	u8 a[10] = "0123456789";
	u32 ino;

	snprintf(img, sizeof(img), "%s/small.img", host_work);
	CHECK(host_mkfs(img, 1024, NULL, "64M", "-O ^large_file") == 0, "mke2fs");
	CHECK(host_sh("dumpe2fs -h '%s' 2>/dev/null | grep -q large_file",
		      img) != 0, "large_file set before the test");
	CHECK(host_mount_file(img, &dev, false, &fs) == 0, "mount");
	if (harness_why[0])
		return;
	CHECK(ext2_create(fs, EXT2_ROOT, "f", 0644, 0, 0, &ino) == 0, "create");
	CHECK(ext2_write(fs, ino, 3ull << 30, a, 10) == 10, "write at 3 GiB");
	CHECK(host_unmount(fs, &dev) == 0, "unmount");
	CHECK(host_sh("dumpe2fs -h '%s' 2>/dev/null | grep -q large_file",
		      img) == 0, "large_file not set");
	CHECK(host_fsck(img) == 0, "e2fsck");
}

int main(int argc, char **argv)
{
	host_workdir(argv[0], "ext2_large");
	RUN(test_ext2_large_file);
	RUN(test_ext2_large_file_feature);
	return harness_exit();
}
