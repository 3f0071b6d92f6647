/* tests/host/ext2_host.h — what every ext2 host test shares.
 *
 * Includes the ext2 sources (every .c of managers/storage/ext2, and the
 * shared managers/storage/pathwalk.c) and lib/string.c
 * into the test program, provides the kernel services they use (kmalloc
 * family on malloc, printk on stderr), two block devices (a file through
 * pread/pwrite, and a memory buffer), a scratch directory under the build
 * directory (the directory holding the test binary, as
 * tests/host/Makefile lays it out), and helpers to run mke2fs, e2fsck and
 * debugfs.  Not a test itself (no test_ prefix).
 */
#ifndef TESTS_HOST_EXT2_HOST_H
#define TESTS_HOST_EXT2_HOST_H

#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "harness.h"

#undef va_start
#undef va_end
#undef va_arg
#undef va_copy
#include "../../lib/string.c"
#include "../../managers/storage/ext2/cache.c"
#include "../../managers/storage/ext2/super.c"
#include "../../managers/storage/ext2/alloc.c"
#include "../../managers/storage/ext2/rsv.c"
#include "../../managers/storage/ext2/inode.c"
#include "../../managers/storage/ext2/bmap.c"
#include "../../managers/storage/ext2/file.c"
#include "../../managers/storage/ext2/dir.c"
#include "../../managers/storage/ext2/namei.c"
#include "../../managers/storage/ext2/rename.c"
#include "../../managers/storage/ext2/path.c"
#include "../../managers/storage/pathwalk.c"
#undef snprintf
#undef vsnprintf
/* The test's own code uses the host libc (lib/string.c's byte loops are
 * for the code under test). */
#undef memset
#undef memcpy
#undef memmove
#undef memcmp
#undef memchr
#undef strlen
#undef strnlen
#undef strcmp
#undef strncmp
#undef strchr
#undef strrchr

static bool host_quiet;		/* silence printk (fuzzing) */

void printk(const char *fmt, ...)
{
	va_list ap;

	if (host_quiet)
		return;
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
}

void *kmalloc(size_t n) { return malloc(n ? n : 1); }
void *kzalloc(size_t n) { return calloc(1, n ? n : 1); }
void *kcalloc(size_t n, size_t s) { return calloc(n ? n : 1, s ? s : 1); }
void kfree(const void *p) { free((void *)p); }

/* --- block devices ------------------------------------------------------ */

struct host_dev {
	int fd;			/* file device, or -1 */
	u8 *mem;		/* memory device */
	u64 size;
	u64 writes, flushes;
};

static int hdev_read(void *ctx, u64 sector, void *buf, u32 count)
{
	struct host_dev *d = ctx;
	u64 off = sector * 512, len = (u64)count * 512;

	if (off + len > d->size)
		return -EIO;
	if (d->mem) {
		memcpy(buf, d->mem + off, len);
		return 0;
	}
	return pread(d->fd, buf, len, off) == (ssize_t)len ? 0 : -EIO;
}

static int hdev_write(void *ctx, u64 sector, const void *buf, u32 count)
{
	struct host_dev *d = ctx;
	u64 off = sector * 512, len = (u64)count * 512;

	if (off + len > d->size)
		return -EIO;
	d->writes++;
	if (d->mem) {
		memcpy(d->mem + off, buf, len);
		return 0;
	}
	return pwrite(d->fd, buf, len, off) == (ssize_t)len ? 0 : -EIO;
}

/* Writes are already visible to e2fsck and debugfs through the host's
 * page cache; an fsync would only make the tests slow. */
static int hdev_flush(void *ctx)
{
	struct host_dev *d = ctx;

	d->flushes++;
	return 0;
}

static const struct ext2_bdev_ops hdev_ops = {
	.read = hdev_read, .write = hdev_write, .flush = hdev_flush,
};

static u32 host_now(void *ctx)
{
	return 1700000000u;
}

/* Mount the image file @path; 0 or the mount error. */
static int host_mount_file(const char *path, struct host_dev *d, bool ro,
			   struct ext2_fs **fs)
{
	struct ext2_mount_opts o = { .cache_blocks = 512, .read_only = ro,
				     .now = host_now };
	struct ext2_bdev bd = { .ops = &hdev_ops, .ctx = d };
	struct stat st;
	int err;

	memset(d, 0, sizeof(*d));
	d->fd = open(path, ro ? O_RDONLY : O_RDWR);
	if (d->fd < 0 || fstat(d->fd, &st) < 0)
		return -EIO;
	d->size = st.st_size;
	bd.nr_sectors = d->size / 512;
	bd.read_only = ro;
	err = ext2_mount(&bd, &o, fs);
	if (err) {
		close(d->fd);
		d->fd = -1;
	}
	return err;
}

static int host_unmount(struct ext2_fs *fs, struct host_dev *d)
{
	int err = ext2_unmount(fs);

	if (d->fd >= 0)
		close(d->fd);
	d->fd = -1;
	return err;
}

/* --- scratch directory, commands ----------------------------------------- */

static char host_work[4096];

/* Scratch directory <dir of argv0>/<name>.work, emptied. */
static void host_workdir(const char *argv0, const char *name)
{
	char buf[4096], cmd[8300];

	snprintf(buf, sizeof(buf), "%s", argv0);
	snprintf(host_work, sizeof(host_work), "%s/%s.work", dirname(buf), name);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s' && mkdir -p '%s'", host_work,
		 host_work);
	if (system(cmd) != 0) {
		fprintf(stderr, "cannot make %s\n", host_work);
		exit(2);
	}
}

static __attribute__((format(printf, 1, 2))) int host_sh(const char *fmt, ...)
{
	char cmd[16384];
	va_list ap;
	int rc;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	rc = system(cmd);
	return rc == -1 ? -1 : WEXITSTATUS(rc);
}

/* mke2fs -t ext2 -b @bs [-d @tree] @img @size; 0 on success. */
static int host_mkfs(const char *img, int bs, const char *tree,
		     const char *size, const char *extra)
{
	unlink(img);
	return host_sh("mke2fs -q -F -t ext2 -b %d %s %s%s%s '%s' %s "
		       ">/dev/null 2>&1", bs, extra ? extra : "",
		       tree ? "-d '" : "", tree ? tree : "", tree ? "'" : "",
		       img, size);
}

/* A fresh empty image @name in the work directory (its path into @img,
 * @n bytes), made by host_mkfs and mounted read-write; false (the failure
 * recorded as the test's) if either step failed. */
static bool host_fresh_fs(char *img, size_t n, const char *name, int bs,
			  const char *size, const char *extra,
			  struct host_dev *d, struct ext2_fs **fs)
{
	snprintf(img, n, "%s/%s", host_work, name);
	CHECK(host_mkfs(img, bs, NULL, size, extra) == 0, "mke2fs %s", name);
	CHECK(host_mount_file(img, d, false, fs) == 0, "mount %s", name);
	return !harness_why[0];
}

/* e2fsck -fn: 0 when clean.  The report goes to @img.fsck; when the image
 * is not clean its first 20 lines are also shown on stderr. */
static int host_fsck(const char *img)
{
	int r = host_sh("e2fsck -fn '%s' >'%s.fsck' 2>&1", img, img);

	if (r)
		host_sh("head -n 20 '%s.fsck' >&2", img);
	return r;
}

/* Read a whole host file; NULL if it cannot be read. */
static u8 *host_slurp(const char *path, size_t *len)
{
	struct stat st;
	u8 *buf;
	int fd = open(path, O_RDONLY);

	if (fd < 0 || fstat(fd, &st) < 0) {
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	buf = malloc(st.st_size + 1);
	*len = st.st_size;
	if (buf && read(fd, buf, st.st_size) != st.st_size) {
		free(buf);
		buf = NULL;
	}
	close(fd);
	return buf;
}

/* Deterministic PRNG (xorshift64*) so failures reproduce. */
static u64 host_rng = 88172645463325252ull;

static u64 host_rand(void)
{
	host_rng ^= host_rng >> 12;
	host_rng ^= host_rng << 25;
	host_rng ^= host_rng >> 27;
	return host_rng * 2685821657736338717ull;
}

static u32 host_randn(u32 n)
{
	return n ? host_rand() % n : 0;
}

#endif

/* --- generated trees ------------------------------------------------------ */

static void host_write_file(const char *path, u64 off, size_t len, u32 seed)
{
	u8 *buf = malloc(len ? len : 1);
	int fd = open(path, O_WRONLY | O_CREAT, 0644);

	for (size_t i = 0; i < len; i++)
		buf[i] = (u8)(seed * 131 + i * 7 + (i >> 9));
	if (fd < 0 || pwrite(fd, buf, len, off) != (ssize_t)len) {
		fprintf(stderr, "cannot write %s\n", path);
		exit(2);
	}
	close(fd);
	free(buf);
}

/* A tree exercising every mapping level of block size @bs: files of many
 * sizes (empty, around block and indirect boundaries, random), sparse
 * files reaching the double and (for 1 KiB blocks) triple indirect
 * blocks, nested directories, fast and slow symlinks, hard links. */
static void host_gen_tree(const char *root, int bs, u32 nrandom)
{
	u64 p = bs / 4;
	u64 sizes[] = { 0, 1, 100, bs - 1, bs, bs + 1, 12 * bs - 1, 12 * bs,
			12 * bs + 1, (12 + p) * bs + 3, (12 + p + 2) * bs + 9 };
	char path[4096], t[1024];

	host_sh("mkdir -p '%s/a/b/c' '%s/d/e' '%s/empty'", root, root, root);
	for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
		snprintf(path, sizeof(path), "%s/%s/f%zu", root,
			 i % 3 == 0 ? "a" : i % 3 == 1 ? "a/b" : "d/e", i);
		host_write_file(path, 0, sizes[i], i);
	}
	for (u32 i = 0; i < nrandom; i++) {
		snprintf(path, sizeof(path), "%s/%s/r%u", root,
			 i % 2 ? "a/b/c" : "d", i);
		host_write_file(path, 0, host_randn(40 * bs), i + 100);
	}
	snprintf(path, sizeof(path), "%s/sparse1", root);
	host_write_file(path, 0, 10, 1);
	host_write_file(path, (12 + p + 5) * (u64)bs + 17, 3000, 2);
	snprintf(path, sizeof(path), "%s/a/sparse2", root);
	if (bs == 1024)		/* triple indirect; 4 GiB away with 4 KiB */
		host_write_file(path, (12 + p + p * p + 3) * (u64)bs + 1, 5000, 3);
	host_sh("truncate -s %llu '%s/d/hole_end'",
		(unsigned long long)(12 + p) * bs * 3, root);
	snprintf(path, sizeof(path), "%s/fast", root);
	symlink("a/b/f1", path);
	memset(t, 'x', sizeof(t));
	memcpy(t, "a/", 2);
	t[59] = 0;
	snprintf(path, sizeof(path), "%s/d/fast59", root);
	symlink(t, path);
	t[59] = 'y';
	t[60] = 0;
	snprintf(path, sizeof(path), "%s/d/slow60", root);
	symlink(t, path);
	t[59] = 'x';
	t[700 < bs - 1 ? 700 : bs - 1] = 0;
	snprintf(path, sizeof(path), "%s/a/slow_long", root);
	symlink(t, path);
	snprintf(path, sizeof(path), "%s/dirlink", root);
	symlink("/a/b", path);
	host_sh("ln '%s/a/f0' '%s/d/hard0' && ln '%s/a/f0' '%s/hard1'", root,
		root, root, root);
}

/* Mount an image held in memory (@mem, @size bytes). */
static int host_mount_mem(u8 *mem, u64 size, bool ro, struct host_dev *d,
			  struct ext2_fs **fs)
{
	struct ext2_mount_opts o = { .cache_blocks = 64, .read_only = ro,
				     .now = host_now };
	struct ext2_bdev bd = { .ops = &hdev_ops, .ctx = d,
				.nr_sectors = size / 512, .read_only = ro };

	memset(d, 0, sizeof(*d));
	d->fd = -1;
	d->mem = mem;
	d->size = size;
	return ext2_mount(&bd, &o, fs);
}
