/* tests/host/test_ext2_fuzz.c — seeded mutations of real images.
 *
 * Three images (1, 2 and 4 KiB blocks) from generated trees.  Each round
 * copies one, changes a few bytes (mostly in the metadata at the start of
 * the volume: superblock, descriptors, bitmaps, inode tables, the first
 * directories; sometimes anywhere), mounts it read-only and walks the
 * whole tree: readdir, stat, path walks with symlinks, readlink, reads of
 * every file.  Every fourth round also mounts read-write and runs a few
 * namespace and data operations.  Errors are expected; crashes, sanitizer
 * reports and hangs are failures.  1,020 rounds under ASan/UBSan;
 * EXT2_FUZZ_SEED=N in the environment explores other seeds.
 */
#include "ext2_host.h"

#define ROUNDS_PER_IMAGE 340

static struct ext2_fs *fs;
static struct host_dev dev;
static u32 visited;
static u64 nr_errors, nr_mounted, nr_rw;

static void fuzz_walk(const char *path, u32 dino, int depth);

static void fuzz_entry(const char *path, const struct ext2_dirent_info *e,
		       int depth)
{
	static u8 buf[16384];
	struct ext2_stat st;
	char p[1024], t[4096];
	u32 ino;

	snprintf(p, sizeof(p), "%s/%s", path, e->name);
	nr_errors += ext2_walk(fs, EXT2_ROOT, p, true, &ino) < 0;
	if (ext2_stat(fs, e->ino, &st) < 0) {
		nr_errors++;
		return;
	}
	if ((st.mode & 0xf000) == 0xa000)
		nr_errors += ext2_readlink(fs, e->ino, t, sizeof(t)) < 0;
	if ((st.mode & 0xf000) == 0x8000) {
		for (u64 off = 0; off < st.size && off < (256 << 10);
		     off += sizeof(buf))
			if (ext2_read(fs, e->ino, off, buf, sizeof(buf)) < 0) {
				nr_errors++;
				break;
			}
		nr_errors += ext2_read(fs, e->ino, st.size + host_randn(1 << 20),
				       buf, 100) < 0;
	}
	if ((st.mode & 0xf000) == 0x4000 && e->name[0] != '.')
		fuzz_walk(p, e->ino, depth + 1);
}

static void fuzz_walk(const char *path, u32 dino, int depth)
{
	struct ext2_dirent_info e;
	u64 cookie = 0;
	int r = 0;

	if (depth > 8)
		return;
	while (visited < 400 && (r = ext2_readdir(fs, dino, &cookie, &e)) == 1) {
		visited++;
		fuzz_entry(path, &e, depth);
	}
	nr_errors += r < 0;
}

static void fuzz_write_ops(void)
{
	static u8 buf[5000];
	u32 ino = 0, d = 0;

	nr_rw++;
	ext2_mkdir(fs, EXT2_ROOT, "fz", 0755, 0, 0, &d);
	ext2_create(fs, EXT2_ROOT, "fzf", 0644, 0, 0, &ino);
	if (ino) {
		ext2_write(fs, ino, host_randn(1 << 20), buf, sizeof(buf));
		ext2_truncate(fs, ino, host_randn(4096));
	}
	ext2_walk(fs, EXT2_ROOT, "a/f0", true, &ino);
	ext2_write(fs, ino, 10, buf, 100);
	ext2_rename(fs, EXT2_ROOT, "a", EXT2_ROOT, "d");
	ext2_rename(fs, EXT2_ROOT, "fzf", d ? d : EXT2_ROOT, "moved");
	ext2_symlink(fs, EXT2_ROOT, "fzl", "a/b/c", 0, 0, NULL);
	ext2_link(fs, ino, EXT2_ROOT, "fzh");
	ext2_unlink(fs, EXT2_ROOT, "sparse1");
	ext2_rmdir(fs, EXT2_ROOT, "empty");
	ext2_truncate(fs, ino, 0);
	ext2_sync(fs);
}

/* Superblock and descriptors 10%, the first metadata-dense 96 KiB plus
 * 40 blocks 70%, anywhere 20%. */
static void mutate(u8 *img, size_t len, u32 bs)
{
	u32 n = 1 + host_randn(8);

	for (u32 i = 0; i < n; i++) {
		size_t hot = MIN(len, (size_t)96 * 1024 + 40 * bs);
		u32 r = host_randn(10);
		size_t off = r < 1 ? 1024 + host_randn(bs == 1024 ? 2048 : bs) :
			     r < 8 ? host_randn(hot) : host_randn(len);

		switch (host_randn(4)) {
		case 0: img[off] = host_rand(); break;
		case 1: img[off] ^= 1u << host_randn(8); break;
		case 2: img[off] = host_randn(2) ? 0xff : 0; break;
		default:
			if (off + 4 <= len) {
				u32 v = host_randn(2) ? host_randn(64) : host_rand();

				memcpy(img + off, &v, 4);
			}
		}
	}
}

static void fuzz_image(int bs, const char *size)
{
	char tree[4200], img[4200];
	size_t len;
	u8 *pristine, *mem;

	snprintf(tree, sizeof(tree), "%s/tree%d", host_work, bs);
	snprintf(img, sizeof(img), "%s/img%d", host_work, bs);
	host_gen_tree(tree, bs, 4);
	CHECK(host_mkfs(img, bs, tree, size, NULL) == 0, "mke2fs %d", bs);
	pristine = host_slurp(img, &len);
	CHECK(pristine != NULL, "read image");
	if (!pristine)
		return;
	mem = malloc(len);
	for (int round = 0; round < ROUNDS_PER_IMAGE; round++) {
		memcpy(mem, pristine, len);
		mutate(mem, len, bs);
		if (host_mount_mem(mem, len, true, &dev, &fs) == 0) {
			nr_mounted++;
			visited = 0;
			fuzz_walk("", EXT2_ROOT, 0);
			ext2_unmount(fs);
		}
		if (round % 4 == 0 &&
		    host_mount_mem(mem, len, false, &dev, &fs) == 0) {
			fuzz_write_ops();
			visited = 0;
			fuzz_walk("", EXT2_ROOT, 0);
			ext2_unmount(fs);
		}
	}
	free(mem);
	free(pristine);
}

static void test_ext2_fuzz(void)
{
	host_rng = 0xf00d + (getenv("EXT2_FUZZ_SEED") ?
			     strtoull(getenv("EXT2_FUZZ_SEED"), NULL, 0) : 0);
	host_quiet = true;
	fuzz_image(1024, "2M");
	fuzz_image(2048, "4M");
	fuzz_image(4096, "12M");
	host_quiet = false;
	printf("# %d rounds, %llu mounted, %llu read-write, %llu errors seen\n",
	       3 * ROUNDS_PER_IMAGE, (unsigned long long)nr_mounted,
	       (unsigned long long)nr_rw, (unsigned long long)nr_errors);
	CHECK(nr_mounted > ROUNDS_PER_IMAGE, "only %llu mounts succeeded",
	      (unsigned long long)nr_mounted);
	CHECK(nr_errors > 0, "no mutation was ever noticed");
}

int main(int argc, char **argv)
{
	host_workdir(argv[0], "ext2_fuzz");
	RUN(test_ext2_fuzz);
	return harness_exit();
}
