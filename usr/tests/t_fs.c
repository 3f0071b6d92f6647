/* usr/tests/t_fs.c — regular files and directories (on Tessera through
 * the storage service; on the host in the current directory): create
 * with O_EXCL, write, pread/pwrite, lseek, O_APPEND, fstat/newfstatat
 * sizes, ftruncate, getdents64, openat relative to a directory fd,
 * rename, unlink, mkdir/rmdir, chdir/getcwd. */
#include "../lib/nolibc.h"

#define O_RDONLY 0
#define O_WRONLY 1
#define O_RDWR 2
#define O_CREAT 0100
#define O_EXCL 0200
#define O_TRUNC 01000
#define O_APPEND 02000
#define O_DIRECTORY 0200000
#define AT_FDCWD -100
#define SYS_pread64 17
#define SYS_pwrite64 18
#define SYS_fsync 74
#define SYS_ftruncate 77
#define SYS_getdents64 217
#define SYS_rename 82
#define SYS_mkdir 83
#define SYS_rmdir 84
#define SYS_unlink 87
#define SYS_chdir 80
#define SYS_newfstatat 262

struct kstat {
	unsigned long dev, ino, nlink;
	unsigned int mode, uid, gid, pad;
	unsigned long rdev;
	long size, blksize, blocks;
	unsigned long t[6];
	long unused[3];
};

static int has_name(const char *buf, long n, const char *name)
{
	for (long off = 0; off < n;) {
		unsigned short reclen = *(unsigned short *)(buf + off + 16);

		if (streq(buf + off + 19, name))
			return 1;
		off += reclen;
	}
	return 0;
}

int main(int argc, char **argv, char **envp)
{
	char buf[1024];
	struct kstat st;
	long fd, dfd, n;

	sys1(SYS_unlink, "tfs_dir/b");
	sys1(SYS_unlink, "tfs_dir/a");
	sys1(SYS_rmdir, "tfs_dir");
	CHECK(sys2(SYS_mkdir, "tfs_dir", 0755) == 0);
	CHECK(sys2(SYS_mkdir, "tfs_dir", 0755) == -17);
	fd = sys4(SYS_openat, AT_FDCWD, "tfs_dir/a", O_RDWR | O_CREAT | O_EXCL, 0644);
	CHECK(fd >= 0);
	CHECK(sys4(SYS_openat, AT_FDCWD, "tfs_dir/a", O_RDWR | O_CREAT | O_EXCL, 0644) == -17);
	CHECK(sys3(SYS_write, fd, "hello, storage", 14) == 14);
	CHECK(sys4(SYS_pwrite64, fd, "S", 1, 7) == 1);
	CHECK(sys4(SYS_pread64, fd, buf, 100, 0) == 14);
	CHECK(buf[7] == 'S' && buf[13] == 'e');
	CHECK(sys3(SYS_lseek, fd, 0, 2) == 14);
	CHECK(sys2(SYS_fstat, fd, &st) == 0 && st.size == 14);
	CHECK((st.mode & 0170000) == 0100000);
	CHECK(sys2(SYS_ftruncate, fd, 5) == 0);
	CHECK(sys2(SYS_fstat, fd, &st) == 0 && st.size == 5);
	CHECK(sys1(SYS_fsync, fd) == 0);
	CHECK(sys1(SYS_close, fd) == 0);
	say("ok create write pread truncate\n");
	fd = sys4(SYS_openat, AT_FDCWD, "tfs_dir/a", O_WRONLY | O_APPEND, 0);
	CHECK(fd >= 0 && sys3(SYS_write, fd, "+tail", 5) == 5);
	sys1(SYS_close, fd);
	fd = sys4(SYS_openat, AT_FDCWD, "tfs_dir/a", O_RDONLY, 0);
	n = sys3(SYS_read, fd, buf, sizeof(buf));
	CHECK(n == 10 && buf[5] == '+' && buf[9] == 'l');
	CHECK(sys3(SYS_write, fd, "x", 1) == -9);
	sys1(SYS_close, fd);
	say("ok append\n");
	dfd = sys4(SYS_openat, AT_FDCWD, "tfs_dir", O_RDONLY | O_DIRECTORY, 0);
	CHECK(dfd >= 0);
	CHECK(sys4(SYS_openat, AT_FDCWD, "tfs_dir/a", O_RDONLY | O_DIRECTORY, 0) == -20);
	fd = sys4(SYS_openat, dfd, "b", O_WRONLY | O_CREAT | O_TRUNC, 0600);
	CHECK(fd >= 0);
	sys1(SYS_close, fd);
	CHECK(sys4(SYS_newfstatat, dfd, "b", &st, 0) == 0 && st.size == 0);
	n = sys3(SYS_getdents64, dfd, buf, sizeof(buf));
	CHECK(n > 0 && has_name(buf, n, "a") && has_name(buf, n, "b") &&
	      has_name(buf, n, "."));
	CHECK(sys3(SYS_getdents64, dfd, buf, sizeof(buf)) == 0);
	sys1(SYS_close, dfd);
	say("ok directory fd getdents64\n");
	CHECK(sys2(SYS_rename, "tfs_dir/b", "tfs_dir/c") == 0);
	CHECK(sys4(SYS_newfstatat, AT_FDCWD, "tfs_dir/b", &st, 0) == -2);
	CHECK(sys1(SYS_rmdir, "tfs_dir") == -39);
	CHECK(sys1(SYS_unlink, "tfs_dir/c") == 0);
	CHECK(sys1(SYS_unlink, "tfs_dir/a") == 0);
	CHECK(sys1(SYS_unlink, "tfs_dir/a") == -2);
	CHECK(sys2(SYS_mkdir, "tfs_dir/sub", 0755) == 0);
	CHECK(sys1(SYS_chdir, "tfs_dir/sub") == 0);
	n = sys2(SYS_getcwd, buf, sizeof(buf));
	CHECK(n > 12 && streq(buf + n - 13, "/tfs_dir/sub"));
	CHECK(sys1(SYS_chdir, "../..") == 0);
	CHECK(sys1(SYS_rmdir, "tfs_dir/sub") == 0);
	CHECK(sys1(SYS_rmdir, "tfs_dir") == 0);
	say("ok rename unlink rmdir chdir\n");
	return 0;
}
