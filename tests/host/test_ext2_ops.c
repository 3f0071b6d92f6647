/* tests/host/test_ext2_ops.c — random namespace and data operations on an
 * ext2 image, checked against the host kernel doing the same operations on
 * a copy of the tree.
 *
 * For each block size: generate a tree, copy it (the model) and build an
 * image from it; mount read-write; run a long seeded sequence of create,
 * write, truncate, unlink, mkdir, rmdir, rename, link and symlink on paths
 * drawn from a small pool (so collisions, wrong types and missing parents
 * are common).  Each operation runs on both sides and must return the same
 * errno.  Reads are compared along the way, the volume is remounted now
 * and then, and at the end, after sync and unmount: `e2fsck -fn` must be
 * clean (also on a copy taken after sync, before unmount, as a crash would
 * leave it), the whole tree (types, modes, sizes, link counts, contents,
 * symlink targets, listings) must equal the model's, and `debugfs -R cat`
 * of surviving files must equal the model's files.  EXT2_OPS_SEED=N in
 * the environment shifts the seeds (to explore; the default is fixed).
 */
#include "ext2_host.h"

static struct ext2_fs *fs;
static struct host_dev dev;
static char model[4200], img[4200];
static int mismatches, nsuccess, nops_done;

static const char *dirs[] = { "/", "/a", "/a/b", "/a/b/c", "/d", "/d/e",
			      "/", "/a", "/a/b", "/d", "/d/e", "/n1",
			      "/n1/n2", "/empty", "/a/n1", "/d/e/n2" };
static const char *names[] = { "f0", "f1", "f2", "f3", "f4", "f5", "x", "y",
			       "n1", "n2", "c", "e", "fast", "r1", "r2",
			       "f6", "f7", "f8", "f9", "f10" };
static const char *targets[] = { "f0", "x", "b", "c/f1", "nonexistent", "e",
	"n1/x", "a-very-long-symlink-target-that-is-longer-than-sixty-bytes/"
	"and-so-needs-a-block-of-its-own" };

static void rand_path(char *out, size_t n)
{
	const char *d = dirs[host_randn(ARRAY_SIZE(dirs))];

	snprintf(out, n, "%s%s%s", d, d[1] ? "/" : "",
		 names[host_randn(ARRAY_SIZE(names))]);
}

static void host_path(char *out, size_t n, const char *p)
{
	snprintf(out, n, "%s%s", model, p);
}

/* Split @p into its parent's inode and last name. */
static int e_parent(const char *p, u32 *dino, const char **name)
{
	char parent[4096];
	const char *slash = strrchr(p, '/');

	memcpy(parent, p, slash - p);
	parent[slash - p] = '/';	/* the parent must be a directory */
	parent[slash - p + 1] = 0;
	*name = slash + 1;
	return ext2_walk(fs, EXT2_ROOT, parent, true, dino);
}

static int herr(int rc)
{
	return rc < 0 ? -errno : 0;
}

static u8 wbuf[1 << 17];

static void op_write(const char *p, int *h, int *e)
{
	u64 p4 = dev.size ? fs->addr_per_block : 256, bs = fs->block_size;
	u32 r = host_randn(10), len = host_randn(r < 8 ? 3 * bs : sizeof(wbuf));
	u64 off = r < 7 ? host_randn(20 * bs) :
		  r < 9 ? host_randn((12 + 2 * p4) * bs) :
		  host_randn(4 * 1024 * 1024);
	char hp[4300];
	u32 ino;
	int fd;

	for (u32 i = 0; i < len; i++)
		wbuf[i] = host_rand();
	host_path(hp, sizeof(hp), p);
	fd = open(hp, O_WRONLY);
	*h = fd < 0 ? -errno : 0;
	if (fd >= 0) {
		*h = pwrite(fd, wbuf, len, off) == (ssize_t)len ? 0 : -errno;
		close(fd);
	}
	*e = ext2_walk(fs, EXT2_ROOT, p, true, &ino);
	if (!*e) {
		ssize_t n = ext2_write(fs, ino, off, wbuf, len);

		*e = n < 0 ? n : n == (ssize_t)len ? 0 : -EIO;
	}
}

static void op_truncate(const char *p, int *h, int *e)
{
	u64 size = host_randn(8) ? host_randn(30 * fs->block_size) :
		   host_randn(3 * 1024 * 1024);
	char hp[4300];
	u32 ino;

	host_path(hp, sizeof(hp), p);
	*h = herr(truncate(hp, size));
	*e = ext2_walk(fs, EXT2_ROOT, p, true, &ino);
	if (!*e)
		*e = ext2_truncate(fs, ino, size);
}

static void op_two(int op, const char *p, const char *q, int *h, int *e)
{
	char hp[4300], hq[4300];
	const char *n1, *n2;
	u32 d1, d2, ino;

	host_path(hp, sizeof(hp), p);
	host_path(hq, sizeof(hq), q);
	if (op == 0) {
		*h = herr(rename(hp, hq));
		*e = e_parent(p, &d1, &n1);
		if (!*e)
			*e = e_parent(q, &d2, &n2);
		if (!*e)
			*e = ext2_rename(fs, d1, n1, d2, n2);
	} else {
		*h = herr(link(hp, hq));
		*e = ext2_walk(fs, EXT2_ROOT, p, false, &ino);
		if (!*e)
			*e = e_parent(q, &d2, &n2);
		if (!*e)
			*e = ext2_link(fs, ino, d2, n2);
	}
}

static void op_name(int op, const char *p, int *h, int *e)
{
	const char *t = targets[host_randn(ARRAY_SIZE(targets))], *n;
	char hp[4300];
	u32 d;
	int fd;

	host_path(hp, sizeof(hp), p);
	switch (op) {
	case 0:
		fd = open(hp, O_CREAT | O_EXCL | O_WRONLY, 0644);
		*h = fd < 0 ? -errno : 0;
		if (fd >= 0)
			close(fd);
		break;
	case 1: *h = herr(mkdir(hp, 0755)); break;
	case 2: *h = herr(unlink(hp)); break;
	case 3: *h = herr(rmdir(hp)); break;
	default: *h = herr(symlink(t, hp)); break;
	}
	*e = e_parent(p, &d, &n);
	if (*e)
		return;
	switch (op) {
	case 0: *e = ext2_create(fs, d, n, 0644, 0, 0, NULL); break;
	case 1: *e = ext2_mkdir(fs, d, n, 0755, 0, 0, NULL); break;
	case 2: *e = ext2_unlink(fs, d, n); break;
	case 3: *e = ext2_rmdir(fs, d, n); break;
	default: *e = ext2_symlink(fs, d, n, t, 0, 0, NULL); break;
	}
}

/* Compare one regular file (whole, or windows of a big one). */
static void compare_file(const char *p, u32 ino)
{
	char hp[4300];
	struct stat st;
	u8 *a = malloc(65536), *b = malloc(65536);
	int fd;

	host_path(hp, sizeof(hp), p);
	fd = open(hp, O_RDONLY);
	CHECK(fd >= 0 && fstat(fd, &st) == 0, "open %s", hp);
	for (u64 off = 0; fd >= 0 && off < (u64)st.st_size; off += 65536) {
		ssize_t hn, en;

		if (st.st_size > (1 << 21) && host_randn(8))
			continue;
		hn = pread(fd, a, 65536, off);
		en = ext2_read(fs, ino, off, b, 65536);
		CHECK(hn == en && !memcmp(a, b, hn), "%s differs at %llu", p,
		      (unsigned long long)off);
		if (hn != en || memcmp(a, b, hn))
			break;
	}
	if (fd >= 0)
		close(fd);
	free(a);
	free(b);
}

static void compare_tree(const char *rel, u32 dino);

static void compare_entry(const char *rel, const char *name, u32 ino)
{
	char p[4300], hp[4300], t1[4096], t2[4096];
	struct ext2_stat es;
	struct stat st;

	snprintf(p, sizeof(p), "%s/%s", rel, name);
	host_path(hp, sizeof(hp), p);
	CHECK(lstat(hp, &st) == 0, "%s only on ext2", p);
	CHECK(ext2_stat(fs, ino, &es) == 0, "stat %s", p);
	CHECK(es.mode == (st.st_mode & 0xffff) && es.nlink == st.st_nlink,
	      "%s: mode %o/%o nlink %u/%lu", p, es.mode, st.st_mode, es.nlink,
	      (unsigned long)st.st_nlink);
	if (S_ISREG(st.st_mode)) {
		CHECK(es.size == (u64)st.st_size, "%s size", p);
		compare_file(p, ino);
	} else if (S_ISLNK(st.st_mode)) {
		ssize_t a = readlink(hp, t1, sizeof(t1));
		ssize_t b = ext2_readlink(fs, ino, t2, sizeof(t2));

		CHECK(a == b && !memcmp(t1, t2, a), "%s target", p);
	} else if (S_ISDIR(st.st_mode)) {
		compare_tree(p, ino);
	}
}

static void compare_tree(const char *rel, u32 dino)
{
	struct ext2_dirent_info ent;
	char hp[4300];
	u64 cookie = 0;
	int n = 0, hn = 0, r;
	DIR *d;

	while ((r = ext2_readdir(fs, dino, &cookie, &ent)) == 1) {
		n++;
		if (strcmp(ent.name, ".") && strcmp(ent.name, "..") &&
		    (*rel || strcmp(ent.name, "lost+found")))
			compare_entry(rel, ent.name, ent.ino);
	}
	CHECK(r == 0, "readdir %s: %d", rel, r);
	host_path(hp, sizeof(hp), *rel ? rel : "/");
	d = opendir(hp);
	while (d && readdir(d))
		hn++;
	if (d)
		closedir(d);
	CHECK(n == hn + !*rel, "%s: %d entries, model %d", rel, n, hn);
}

static void remount(void)
{
	CHECK(host_unmount(fs, &dev) == 0, "unmount");
	CHECK(host_mount_file(img, &dev, false, &fs) == 0, "remount");
}

static void one_op(u32 i)
{
	char p[256], q[256], what[600];
	int h = 0, e = 0, op = host_randn(100);

	rand_path(p, sizeof(p));
	rand_path(q, sizeof(q));
	if (op < 30)
		op_write(p, &h, &e);
	else if (op < 38)
		op_truncate(p, &h, &e);
	else if (op < 50)
		op_name(0, p, &h, &e);
	else if (op < 70)
		op_name(1 + (op - 50) / 5, p, &h, &e);
	else if (op < 90)
		op_two(0, p, q, &h, &e);
	else
		op_two(1, p, q, &h, &e);
	snprintf(what, sizeof(what), "op %u (%d) %s %s: host %d ext2 %d", i,
		 op, p, q, h, e);
	nops_done++;
	nsuccess += h == 0;
	if (h != e && mismatches++ < 5)
		fprintf(stderr, "%s\n", what);
	CHECK(h == e, "%s", what);
}

static void debugfs_compare(const char *rel, u32 dino, int *budget);

static void run_ops(int bs, u32 nops, u64 seed, const char *extra)
{
	char tree[4200];
	int budget = 25;

	host_rng = seed + (getenv("EXT2_OPS_SEED") ?
			   strtoull(getenv("EXT2_OPS_SEED"), NULL, 0) : 0);
	umask(0);
	snprintf(tree, sizeof(tree), "%s/tree%d%s", host_work, bs, extra ? "x" : "");
	snprintf(model, sizeof(model), "%s/model%d%s", host_work, bs,
		 extra ? "x" : "");
	snprintf(img, sizeof(img), "%s/img%d%s", host_work, bs, extra ? "x" : "");
	host_gen_tree(tree, bs, 8);
	host_sh("rm -f '%s/dirlink' && cp -a '%s' '%s'", tree, tree, model);
	CHECK(host_mkfs(img, bs, tree, "32M", extra) == 0, "mke2fs");
	CHECK(host_mount_file(img, &dev, false, &fs) == 0, "mount");
	for (u32 i = 0; i < nops && !harness_why[0]; i++) {
		one_op(i);
		if (i % 500 == 499)
			remount();
	}
	CHECK(ext2_sync(fs) == 0, "sync");
	/* A stop right after sync (no unmount) must leave a consistent disk. */
	CHECK(host_sh("cp --sparse=always '%s' '%s.crash'", img, img) == 0 &&
	      host_sh("e2fsck -fn '%s.crash' >'%s.crash.fsck' 2>&1", img,
		      img) == 0, "e2fsck of the image as it was after sync");
	compare_tree("", EXT2_ROOT);
	debugfs_compare("", EXT2_ROOT, &budget);
	CHECK(host_unmount(fs, &dev) == 0, "unmount");
	CHECK(host_fsck(img) == 0, "e2fsck -fn %s not clean", img);
	CHECK(nsuccess > (int)nops / 6, "only %d of %u operations succeeded",
	      nsuccess, nops);
	printf("# bs %d: %d operations, %d succeeded\n", bs, nops_done, nsuccess);
	nsuccess = nops_done = 0;
}

/* debugfs -R "cat PATH" of up to @budget regular files vs the model. */
static void debugfs_compare(const char *rel, u32 dino, int *budget)
{
	struct ext2_dirent_info ent;
	char p[4300], hp[4300], out[4300];
	u64 cookie = 0;

	while (*budget > 0 && ext2_readdir(fs, dino, &cookie, &ent) == 1) {
		snprintf(p, sizeof(p), "%s/%s", rel, ent.name);
		host_path(hp, sizeof(hp), p);
		if (ent.type == EXT2_DT_DIR && ent.name[0] != '.' &&
		    strcmp(ent.name, "lost+found"))
			debugfs_compare(p, ent.ino, budget);
		if (ent.type != EXT2_DT_REG)
			continue;
		(*budget)--;
		snprintf(out, sizeof(out), "%s.cat", img);
		CHECK(host_sh("debugfs -R 'cat \"%s\"' '%s' >'%s' 2>/dev/null "
			      "&& cmp -s '%s' '%s'", p, img, out, out, hp) == 0,
		      "debugfs cat %s differs from the model", p);
	}
}

/* A file written sequentially in small pieces is laid out contiguously,
 * apart from its indirect blocks, which sit just before the data they map. */
static void test_ext2_contiguous(void)
{
	struct ext2_inode in;
	u8 buf[1000];
	u32 ino, prev = 0, pblk, breaks = 0;

	if (!host_fresh_fs(img, sizeof(img), "contig.img", 1024, "8M", NULL, &dev,
			   &fs))
		return;
	CHECK(ext2_create(fs, EXT2_ROOT, "seq", 0644, 0, 0, &ino) == 0, "create");
	memset(buf, 7, sizeof(buf));
	for (int i = 0; i < 700; i++)
		CHECK(ext2_write(fs, ino, i * 1000ull, buf, 1000) == 1000, "write");
	CHECK(ext2_iget(fs, ino, &in) == 0, "iget");
	for (u64 l = 0; l < 700000 / 1024; l++) {
		CHECK(ext2_bmap(fs, &in, l, false, &pblk) == 0 && pblk, "bmap");
		breaks += prev && pblk != prev + 1;
		prev = pblk;
	}
	/* 12 direct, then IND, then DIND + its first IND: three jumps. */
	CHECK(breaks <= 3, "%u discontinuities in a sequential file", breaks);
	CHECK(host_unmount(fs, &dev) == 0 && host_fsck(img) == 0, "e2fsck");
}

/* ext2_writeback_some writes dirty blocks in slices, lowest first, and
 * says whether any remain; after the slices and a sync the image is
 * clean and holds the data. */
static void test_ext2_writeback_slices(void)
{
	static u8 buf[64 * 1024];
	u32 ino, slices = 0;
	int r;

	if (!host_fresh_fs(img, sizeof(img), "slices.img", 1024, "8M", NULL, &dev,
			   &fs))
		return;
	memset(buf, 0x3c, sizeof(buf));
	CHECK(ext2_create(fs, EXT2_ROOT, "f", 0644, 0, 0, &ino) == 0, "create");
	CHECK(ext2_write(fs, ino, 0, buf, sizeof(buf)) == sizeof(buf), "write");
	while ((r = ext2_writeback_some(fs, 8)) > 0)
		slices++;
	CHECK(r == 0, "writeback_some: %d", r);
	/* 64 data blocks, an indirect block and the metadata: 9+ slices. */
	CHECK(slices >= 8, "%u slices", slices);
	CHECK(!ext2_needs_sync(fs), "dirty blocks left");
	CHECK(ext2_sync(fs) == 0, "sync");
	CHECK(host_unmount(fs, &dev) == 0 && host_fsck(img) == 0, "e2fsck");
	CHECK(host_mount_file(img, &dev, true, &fs) == 0, "remount");
	if (harness_why[0])
		return;
	memset(buf, 0, sizeof(buf));
	CHECK(ext2_lookup(fs, EXT2_ROOT, "f", &ino) == 0 &&
	      ext2_read(fs, ino, 0, buf, sizeof(buf)) == sizeof(buf), "read");
	for (u32 i = 0; i < sizeof(buf); i++)
		CHECK(buf[i] == 0x3c, "byte %u", i);
	host_unmount(fs, &dev);
}

/* One directory of many blocks: names of varying length are added and
 * removed at random (entries split, merge and are reused across blocks);
 * listing and lookups must match a model, and e2fsck must stay clean. */
static void test_ext2_bigdir(void)
{
	enum { N = 400 };
	static bool present[N];
	struct ext2_dirent_info ent;
	char name[300];
	u64 cookie = 0;
	u32 d, ino, listed = 0, want = 0;

	host_rng = 7;
	if (!host_fresh_fs(img, sizeof(img), "bigdir.img", 1024, "8M", NULL, &dev,
			   &fs))
		return;
	CHECK(ext2_mkdir(fs, EXT2_ROOT, "big", 0755, 0, 0, &d) == 0, "mkdir");
	for (int step = 0; step < 4000; step++) {
		u32 i = host_randn(N), len = 1 + i % 200;
		int err;

		memset(name, 'a' + i % 26, len);
		snprintf(name + len, 12, "%u", i);
		err = present[i] ? ext2_unlink(fs, d, name) :
		      ext2_create(fs, d, name, 0644, 0, 0, NULL);
		CHECK(!err, "step %d: %d", step, err);
		present[i] = !present[i];
	}
	for (u32 i = 0; i < N; i++) {
		u32 len = 1 + i % 200;

		memset(name, 'a' + i % 26, len);
		snprintf(name + len, 12, "%u", i);
		CHECK((ext2_lookup(fs, d, name, &ino) == 0) == present[i],
		      "lookup %u", i);
		want += present[i];
	}
	while (ext2_readdir(fs, d, &cookie, &ent) == 1)
		listed++;
	CHECK(listed == want + 2, "listed %u, want %u", listed, want + 2);
	CHECK(host_unmount(fs, &dev) == 0 && host_fsck(img) == 0, "e2fsck");
}

static void test_ext2_ops_1k(void) { run_ops(1024, 4000, 1, NULL); }
/* 256-byte inodes: their tail must survive untouched. */
static void test_ext2_ops_2k(void) { run_ops(2048, 3000, 2, "-I 256"); }
static void test_ext2_ops_4k(void) { run_ops(4096, 4000, 3, NULL); }
/* Revision 0: no filetype in entries, no large_file. */
static void test_ext2_ops_rev0(void) { run_ops(1024, 1500, 4, "-r 0"); }

int main(int argc, char **argv)
{
	host_workdir(argv[0], "ext2_ops");
	RUN(test_ext2_contiguous);
	RUN(test_ext2_writeback_slices);
	RUN(test_ext2_bigdir);
	RUN(test_ext2_ops_1k);
	RUN(test_ext2_ops_2k);
	RUN(test_ext2_ops_4k);
	RUN(test_ext2_ops_rev0);
	return harness_exit();
}
