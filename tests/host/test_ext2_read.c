/* tests/host/test_ext2_read.c — managers/storage/ext2 against images that
 * mke2fs builds from generated trees.
 *
 * For block sizes 1, 2 and 4 KiB: generate a tree (host_gen_tree), build
 * an image with `mke2fs -t ext2 -b BS -d TREE`, mount it read-only and
 * compare every object with the host tree: type and mode, link count,
 * uid, gid, size, mtime, file contents (read in random chunks), symlink
 * targets, directory listings (readdir; "." and ".."), hard links sharing
 * one inode, paths through symlinks.  Also a revision 0 volume (no
 * features, so no file types in directory entries).  A dir_index test indexes a large
 * directory with `e2fsck -fyD`, reads it as a plain directory, changes it,
 * and checks that e2fsck -fn is clean and the index flag is gone.
 */
#include "ext2_host.h"

static struct ext2_fs *fs;
static u64 host_inos[4096], ext2_inos[4096];
static int nlinks_seen;

static void check_file(const char *hpath, u32 ino, const struct stat *st)
{
	size_t len, off = 0;
	u8 *want = host_slurp(hpath, &len), *got = malloc(len + 1);
	ssize_t n;

	CHECK(want != NULL, "cannot read %s", hpath);
	while (want && off < len) {
		size_t chunk = 1 + host_randn(3 * 4096);

		n = ext2_read(fs, ino, off, got + off, MIN(chunk, len - off));
		CHECK(n > 0, "%s: read at %zu gave %zd", hpath, off, n);
		if (n <= 0)
			break;
		off += n;
	}
	CHECK(!want || !memcmp(want, got, len), "%s: contents differ", hpath);
	n = ext2_read(fs, ino, st->st_size, got, 1);
	CHECK(n == 0, "%s: read at EOF gave %zd", hpath, n);
	free(want);
	free(got);
}

static void check_link(const char *hpath, u32 ino)
{
	char want[4096], got[4096];
	ssize_t wn = readlink(hpath, want, sizeof(want));
	ssize_t gn = ext2_readlink(fs, ino, got, sizeof(got));

	CHECK(wn == gn && !memcmp(want, got, wn), "%s: target differs (%zd, %zd)",
	      hpath, wn, gn);
}

static void check_tree(const char *hroot, const char *rel, u32 dino);

static void check_entry(const char *hroot, const char *rel, u32 dino,
			const char *name, u32 ino)
{
	char hpath[4096], erel[4096];
	struct ext2_stat es;
	struct stat st;
	u32 wino;
	int i;

	snprintf(hpath, sizeof(hpath), "%s%s/%s", hroot, rel, name);
	snprintf(erel, sizeof(erel), "%s/%s", rel, name);
	CHECK(lstat(hpath, &st) == 0, "ext2 has %s, host has not", erel);
	CHECK(ext2_walk(fs, EXT2_ROOT, erel, false, &wino) == 0 && wino == ino,
	      "walk %s", erel);
	CHECK(ext2_stat(fs, ino, &es) == 0, "stat %s", erel);
	CHECK(es.mode == (st.st_mode & 0xffff), "%s mode %o want %o", erel,
	      es.mode, st.st_mode);
	CHECK(es.nlink == st.st_nlink, "%s nlink %u want %lu", erel, es.nlink,
	      (unsigned long)st.st_nlink);
	CHECK(es.uid == st.st_uid && es.gid == st.st_gid, "%s owner", erel);
	CHECK(S_ISDIR(st.st_mode) || es.size == (u64)st.st_size, "%s size %llu want %lld", erel,
	      (unsigned long long)es.size, (long long)st.st_size);
	CHECK(es.mtime == (u32)st.st_mtime, "%s mtime", erel);
	for (i = 0; i < nlinks_seen && host_inos[i] != st.st_ino; i++)
		;
	if (i < nlinks_seen)
		CHECK(ext2_inos[i] == ino, "%s: hard link to another inode", erel);
	else if (nlinks_seen < 4096) {
		host_inos[nlinks_seen] = st.st_ino;
		ext2_inos[nlinks_seen++] = ino;
	}
	if (S_ISREG(st.st_mode))
		check_file(hpath, ino, &st);
	else if (S_ISLNK(st.st_mode))
		check_link(hpath, ino);
	else if (S_ISDIR(st.st_mode))
		check_tree(hroot, erel, ino);
}

static int count_host(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *de;
	int n = 0;

	while (d && (de = readdir(d)))
		n++;
	if (d)
		closedir(d);
	return n;
}

static void check_tree(const char *hroot, const char *rel, u32 dino)
{
	struct ext2_dirent_info ent;
	char hpath[4096];
	u64 cookie = 0;
	int n = 0, r;
	u32 parent;

	snprintf(hpath, sizeof(hpath), "%s%s", hroot, rel);
	while ((r = ext2_readdir(fs, dino, &cookie, &ent)) == 1) {
		n++;
		if (!strcmp(ent.name, ".")) {
			CHECK(ent.ino == dino, "%s/.", rel);
			continue;
		}
		if (!strcmp(ent.name, "..")) {
			CHECK(ext2_lookup(fs, dino, "..", &parent) == 0 &&
			      parent == ent.ino, "%s/..", rel);
			continue;
		}
		if (!strcmp(ent.name, "lost+found") && !*rel)
			continue;
		check_entry(hroot, rel, dino, ent.name, ent.ino);
	}
	CHECK(r == 0, "readdir %s: %d", rel, r);
	CHECK(n == count_host(hpath) + (*rel ? 0 : 1), "%s: %d entries", rel, n);
}

static void check_image(int bs, const char *extra)
{
	char tree[4200], img[4200];
	struct host_dev dev;
	u32 ino, ino2;
	int err;

	snprintf(tree, sizeof(tree), "%s/tree%d%s", host_work, bs, extra ? "r0" : "");
	snprintf(img, sizeof(img), "%s/img%d%s", host_work, bs, extra ? "r0" : "");
	host_gen_tree(tree, bs, 30);
	CHECK(host_mkfs(img, bs, tree, "24M", extra) == 0, "mke2fs -b %d", bs);
	err = host_mount_file(img, &dev, true, &fs);
	CHECK(err == 0, "mount bs %d: %d", bs, err);
	if (err)
		return;
	nlinks_seen = 0;
	check_tree(tree, "", EXT2_ROOT);
	CHECK(ext2_walk(fs, EXT2_ROOT, "/dirlink/f1", true, &ino) == 0 &&
	      ext2_walk(fs, EXT2_ROOT, "a/b/f1", true, &ino2) == 0 &&
	      ino == ino2, "walk through symlink");
	CHECK(ext2_walk(fs, EXT2_ROOT, "fast", true, &ino) == 0 && ino == ino2,
	      "follow last symlink");
	CHECK(ext2_walk(fs, EXT2_ROOT, "//a/./b/../b/f1", true, &ino) == 0 &&
	      ino == ino2, "dots and slashes");
	CHECK(ext2_create(fs, EXT2_ROOT, "x", 0644, 0, 0, &ino) == -EROFS,
	      "read-only mount refuses create");
	CHECK(host_unmount(fs, &dev) == 0, "unmount");
	CHECK(host_fsck(img) == 0, "e2fsck after read-only mount");
}

static void test_ext2_read_1k(void) { check_image(1024, NULL); }
static void test_ext2_read_2k(void) { check_image(2048, NULL); }
static void test_ext2_read_4k(void) { check_image(4096, NULL); }
/* Revision 0: 128-byte inodes, no features (no file types in entries). */
static void test_ext2_read_rev0(void) { check_image(1024, "-r 0"); }

static bool is_indexed(u32 ino)
{
	struct ext2_inode in;

	return ext2_iget(fs, ino, &in) == 0 && (in.d.i_flags & EXT2_INDEX_FL);
}

static void test_ext2_dir_index(void)
{
	char tree[4200], img[4200], name[4300];
	struct host_dev dev;
	u32 big, ino;
	int found = 0;

	snprintf(tree, sizeof(tree), "%s/treeidx", host_work);
	snprintf(img, sizeof(img), "%s/imgidx", host_work);
	host_sh("mkdir -p '%s/big'", tree);
	for (int i = 0; i < 600; i++) {
		snprintf(name, sizeof(name), "%s/big/file-with-a-long-name-%04d",
			 tree, i);
		host_write_file(name, 0, i % 3, i);
	}
	CHECK(host_mkfs(img, 1024, tree, "8M", "-O dir_index") == 0, "mke2fs");
	host_sh("e2fsck -fyD '%s' >/dev/null 2>&1", img);
	CHECK(host_mount_file(img, &dev, false, &fs) == 0, "mount");
	CHECK(ext2_lookup(fs, EXT2_ROOT, "big", &big) == 0, "lookup big");
	CHECK(is_indexed(big), "e2fsck -D did not index the directory");
	for (int i = 0; i < 600; i++) {
		snprintf(name, sizeof(name), "file-with-a-long-name-%04d", i);
		found += ext2_lookup(fs, big, name, &ino) == 0;
	}
	CHECK(found == 600, "found %d of 600 names", found);
	CHECK(ext2_unlink(fs, big, "file-with-a-long-name-0007") == 0, "unlink");
	CHECK(ext2_create(fs, big, "new", 0600, 0, 0, &ino) == 0, "create");
	CHECK(!is_indexed(big), "index flag still set after a change");
	CHECK(host_unmount(fs, &dev) == 0, "unmount");
	CHECK(host_fsck(img) == 0, "e2fsck -fn not clean");
}

int main(int argc, char **argv)
{
	host_workdir(argv[0], "ext2_read");
	RUN(test_ext2_read_1k);
	RUN(test_ext2_read_2k);
	RUN(test_ext2_read_4k);
	RUN(test_ext2_read_rev0);
	RUN(test_ext2_dir_index);
	return harness_exit();
}
