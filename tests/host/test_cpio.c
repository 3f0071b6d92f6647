/* tests/host/test_cpio.c — managers/storage/cpio, the boot archive reader.
 *
 * Archives come from GNU cpio (`find . | cpio -o -H newc`) over a
 * generated tree: every file's contents and metadata, symlink targets,
 * hard links and listings must match the host tree.  An archive of files
 * only must imply its directories.  Malformed archives (truncated, bad
 * magic, bad hex, bad name sizes, ".." names, data past the end) give
 * -EINVAL, and 3,000 seeded mutations never crash the reader.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"

#include "../../lib/string.c"
#include "../../managers/storage/cpio/cpio.c"
#include "../../managers/storage/cpio/tree.c"
#include "../../managers/storage/pathwalk.c"
#undef memcpy
#undef memcmp
#undef memset
#undef strlen
#undef strcmp
#undef strrchr
#undef snprintf

void *kmalloc(size_t n) { return malloc(n ? n : 1); }
void *kzalloc(size_t n) { return calloc(1, n ? n : 1); }
void *kcalloc(size_t n, size_t s) { return calloc(n ? n : 1, s ? s : 1); }
void kfree(const void *p) { free((void *)p); }

static char work[4096], tree[4200];
static struct cpio_archive *ar;
static unsigned long long rng = 12345;

static unsigned crnd(unsigned n)
{
	rng = rng * 6364136223846793005ull + 1442695040888963407ull;
	return n ? (rng >> 33) % n : 0;
}

static int sh(const char *cmd)
{
	int rc = system(cmd);

	return rc == -1 ? -1 : WEXITSTATUS(rc);
}

static unsigned char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	unsigned char *b;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	*len = ftell(f);
	rewind(f);
	b = malloc(*len + 1);
	if (fread(b, 1, *len, f) != *len) {
		free(b);
		b = NULL;
	}
	fclose(f);
	return b;
}

static void make_tree(void)
{
	char cmd[9000], path[4300];

	snprintf(cmd, sizeof(cmd), "mkdir -p %s/a/b/c %s/d %s/empty && "
		 "ln -s a/b %s/lnk && ln -s /a/b/c/../../../f1 %s/d/abs && "
		 "ln -s loop2 %s/loop1 && ln -s loop1 %s/loop2", tree, tree,
		 tree, tree, tree, tree, tree);
	CHECK(sh(cmd) == 0, "mkdir");
	for (int i = 0; i < 12; i++) {
		unsigned len = i < 3 ? (unsigned)i : crnd(70000);
		FILE *f;

		snprintf(path, sizeof(path), "%s/%s/f%d", tree,
			 i % 3 == 0 ? "a" : i % 3 == 1 ? "a/b/c" : "d", i);
		f = fopen(path, "wb");
		for (unsigned j = 0; f && j < len; j++)
			fputc((j * 7 + i) & 0xff, f);
		if (f)
			fclose(f);
	}
	snprintf(cmd, sizeof(cmd), "echo one > %s/f1 && ln %s/f1 %s/d/hard && "
		 "chmod 0600 %s/d/f2", tree, tree, tree, tree);
	CHECK(sh(cmd) == 0, "files");
}

static unsigned char *build(const char *find_args, const char *name,
			    size_t *len)
{
	char cmd[9000], out[4300];

	snprintf(out, sizeof(out), "%s/%s", work, name);
	snprintf(cmd, sizeof(cmd), "cd %s && find %s | LC_ALL=C sort | "
		 "cpio -o -H newc --quiet > %s", tree, find_args, out);
	CHECK(sh(cmd) == 0, "cpio -o: %s", cmd);
	return slurp(out, len);
}

static void compare(const char *rel, unsigned ino)
{
	char hp[4300], t1[4096], t2[4096];
	struct cpio_stat cs;
	struct stat st;

	snprintf(hp, sizeof(hp), "%s/%s", tree, rel);
	CHECK(lstat(hp, &st) == 0, "%s missing on host", rel);
	CHECK(cpio_stat(ar, ino, &cs) == 0, "stat %s", rel);
	CHECK(cs.mode == st.st_mode && cs.uid == st.st_uid &&
	      cs.gid == st.st_gid && cs.mtime == (unsigned)st.st_mtime,
	      "%s metadata", rel);
	CHECK(cs.nlink == st.st_nlink, "%s nlink %u/%lu", rel, cs.nlink,
	      (unsigned long)st.st_nlink);
	if (S_ISREG(st.st_mode)) {
		size_t len;
		unsigned char *want = slurp(hp, &len), *got = malloc(len + 1);

		CHECK(cs.size == len && cpio_read(ar, ino, 0, got, len + 1) ==
		      (ssize_t)len && !memcmp(want, got, len), "%s data", rel);
		free(want);
		free(got);
	} else if (S_ISLNK(st.st_mode)) {
		ssize_t a = readlink(hp, t1, sizeof(t1));

		CHECK(cpio_readlink(ar, ino, t2, sizeof(t2)) == a &&
		      !memcmp(t1, t2, a), "%s target", rel);
	}
}

static void walk_all(const char *rel, unsigned dir, int *count)
{
	struct cpio_dirent e;
	unsigned long long cookie = 0;
	char sub[4300];
	unsigned ino;

	while (cpio_readdir(ar, dir, (u64 *)&cookie, &e) == 1) {
		if (!strcmp(e.name, ".") || !strcmp(e.name, ".."))
			continue;
		snprintf(sub, sizeof(sub), "%s%s%s", rel, *rel ? "/" : "", e.name);
		CHECK(cpio_walk(ar, CPIO_ROOT, sub, false, &ino) == 0 &&
		      ino == e.ino, "walk %s", sub);
		(*count)++;
		if (tree[0])
			compare(sub, e.ino);
		if (e.type == 4)
			walk_all(sub, e.ino, count);
	}
}

static void test_cpio_tree(void)
{
	size_t len;
	unsigned char *buf = build(".", "all.cpio", &len);
	unsigned a, b;
	int n = 0;
	char x[8];

	CHECK(buf && cpio_open(buf, len, &ar) == 0, "open");
	if (!ar)
		return;
	walk_all("", CPIO_ROOT, &n);
	CHECK(n == 23, "%d entries", n);	/* 5 dirs, 4 symlinks, 14 files */
	CHECK(cpio_walk(ar, CPIO_ROOT, "lnk/c/f1", true, &a) == 0 &&
	      cpio_walk(ar, CPIO_ROOT, "/a/b/c/f1", true, &b) == 0 && a == b,
	      "through a symlink");
	CHECK(cpio_walk(ar, CPIO_ROOT, "d/abs", true, &a) == 0 &&
	      cpio_walk(ar, CPIO_ROOT, "f1", true, &b) == 0 && a == b,
	      "absolute symlink");
	CHECK(cpio_walk(ar, CPIO_ROOT, "loop1", true, &a) == -ELOOP, "ELOOP");
	CHECK(cpio_walk(ar, CPIO_ROOT, "f1/x", true, &a) == -ENOTDIR, "ENOTDIR");
	CHECK(cpio_walk(ar, CPIO_ROOT, "a/zz", true, &a) == -ENOENT, "ENOENT");
	CHECK(cpio_walk(ar, CPIO_ROOT, "a", true, &a) == 0 &&
	      cpio_read(ar, a, 0, x, 1) == -EISDIR, "EISDIR");
	CHECK(cpio_walk(ar, CPIO_ROOT, "d/hard", true, &a) == 0 &&
	      cpio_read(ar, a, 0, x, 8) == 4 && !memcmp(x, "one\n", 4),
	      "hard link data");
	cpio_close(ar);
	ar = NULL;
	free(buf);
}

static void test_cpio_implied_dirs(void)
{
	size_t len;
	unsigned char *buf = build(". -type f", "files.cpio", &len);
	struct cpio_stat st;
	unsigned ino;
	int n = 0;
	char save = tree[0];

	CHECK(buf && cpio_open(buf, len, &ar) == 0, "open");
	if (!ar)
		return;
	tree[0] = 0;		/* listing only: implied dirs have no host twin */
	walk_all("", CPIO_ROOT, &n);
	tree[0] = save;
	CHECK(n == 18, "%d entries", n);	/* 14 files, 4 implied dirs */
	CHECK(cpio_walk(ar, CPIO_ROOT, "a/b/c", true, &ino) == 0 &&
	      cpio_stat(ar, ino, &st) == 0 && S_ISDIR(st.mode), "implied dir");
	CHECK(cpio_walk(ar, CPIO_ROOT, "a/b", true, &ino) == 0 &&
	      cpio_stat(ar, ino, &st) == 0 && st.nlink == 3, "nlink of a/b");
	cpio_close(ar);
	ar = NULL;
	free(buf);
}

static void put_hdr(char *p, const char *name, unsigned size, unsigned namesize)
{
	char h[111];

	snprintf(h, sizeof(h), "070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X"
		 "%08X%08X%08X", 1, 0100644, 0, 0, 1, 0, size, 0, 0, 0, 0,
		 namesize, 0);
	memcpy(p, h, 110);
	memcpy(p + 110, name, strlen(name) + 1);
}

static int open_buf(const void *b, size_t len)
{
	struct cpio_archive *a = NULL;
	int err = cpio_open(b, len, &a);

	cpio_close(a);
	return err;
}

static void test_cpio_bad_headers(void)
{
	char b[512];

	memset(b, 0, sizeof(b));
	put_hdr(b, "file", 4, 5);
	memcpy(b + 116, "data", 4);
	put_hdr(b + 120, "TRAILER!!!", 0, 11);
	CHECK(open_buf(b, 256) == 0, "good archive");
	CHECK(open_buf(b, 100) == -EINVAL, "truncated header");
	CHECK(open_buf(b, 118) == -EINVAL, "truncated data");
	b[3] = '9';
	CHECK(open_buf(b, 256) == -EINVAL, "magic");
	b[3] = '7';
	b[20] = 'g';
	CHECK(open_buf(b, 256) == -EINVAL, "hex digit");
	put_hdr(b, "file", 4, 5000);
	CHECK(open_buf(b, 256) == -EINVAL, "namesize past the end");
	put_hdr(b, "file", 0x7fffffff, 5);
	CHECK(open_buf(b, 256) == -EINVAL, "filesize past the end");
	put_hdr(b, "file", 4, 3);
	CHECK(open_buf(b, 256) == -EINVAL, "name not terminated");
	put_hdr(b, "a/..", 4, 5);
	CHECK(open_buf(b, 256) == -EINVAL, "dot-dot");
	put_hdr(b, "file", 4, 5);
	put_hdr(b + 120, "file/x", 0, 7);
	CHECK(open_buf(b, 256) == -EINVAL, "file used as a directory");
}

static void test_cpio_fuzz(void)
{
	size_t len;
	unsigned char *orig = build(".", "fuzz.cpio", &len), *b = malloc(len);
	int opened = 0, rounds = 3000;
	char save = tree[0];

	tree[0] = 0;
	for (int r = 0; orig && r < rounds; r++) {
		int n = 1 + crnd(6);

		memcpy(b, orig, len);
		for (int i = 0; i < n; i++)
			b[crnd(r % 2 ? len : 2048)] = crnd(3) ?
				(unsigned char)"0123456789abcdef/."[crnd(18)] :
				crnd(256);
		if (cpio_open(b, r % 5 ? len : crnd(len), &ar) == 0) {
			int count = 0;

			opened++;
			walk_all("", CPIO_ROOT, &count);
			cpio_close(ar);
			ar = NULL;
		}
	}
	tree[0] = save;
	printf("# %d mutations, %d opened\n", rounds, opened);
	CHECK(opened > 0 && opened < rounds, "%d of %d opened", opened, rounds);
	free(orig);
	free(b);
}

int main(int argc, char **argv)
{
	char buf[4096];

	snprintf(buf, sizeof(buf), "%s", argv[0]);
	snprintf(work, sizeof(work), "%s/cpio.work", dirname(buf));
	snprintf(tree, sizeof(tree), "%s/tree", work);
	snprintf(buf, sizeof(buf), "rm -rf %s && mkdir -p %s", work, work);
	if (sh(buf) != 0 || sh("command -v cpio >/dev/null") != 0) {
		printf("FAIL test_cpio: no scratch directory or no cpio "
		       "(scripts/setup-deps installs it)\n");
		return 1;
	}
	RUN(make_tree);
	RUN(test_cpio_tree);
	RUN(test_cpio_implied_dirs);
	RUN(test_cpio_bad_headers);
	RUN(test_cpio_fuzz);
	return harness_exit();
}
