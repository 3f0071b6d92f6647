/* usr/tests/t_mmap_file.c — mmap of a regular file as Linux answers it:
 * a read-only private map shows the file and zeroes past its end in the
 * last page; a private write stays in the process (not in the file, not
 * in another mapping); a shared write reaches the file at msync and at
 * munmap, never growing it; a fork child inherits both kinds (its
 * private writes stay its own, its shared writes reach the parent and
 * the file); a touch past the last page of the file is SIGBUS; and the
 * errors (EACCES, also from mprotect; EBADF, ENODEV, EINVAL); /dev/zero
 * maps as anonymous memory, private or shared.  Prints
 * one line per area, exits 0; the same binary's output on the host is
 * the reference.  The file is made in the current directory and removed
 * at the end. */
#include "../lib/nolibc.h"

#define SYS_pread64	17
#define SYS_msync	26
#define SYS_unlink	87
#define PG		4096L
#define SIZE		(2 * PG + 1000)	/* three pages, the last partial */
#define PATH		"t_mmap_file.dat"
#define R		1		/* PROT_READ */
#define RW		3		/* PROT_READ | PROT_WRITE */
#define SHARED		0x01
#define PRIVATE		0x02
#define MS_SYNC		4
#define SIGBUS		7

static char pat(long i)
{
	return (char)('a' + (i / 7) % 26);
}

static long map(long len, long prot, long flags, long fd, long off)
{
	return syscall6(SYS_mmap, 0, len, prot, flags, fd, off);
}

static char file_at(int fd, long off)
{
	char c = 0;

	CHECK(sys4(SYS_pread64, fd, &c, 1, off) == 1);
	return c;
}

static long file_size(int fd)
{
	return sys3(SYS_lseek, fd, 0, 2 /* SEEK_END */);
}

static int make_file(void)
{
	static char buf[SIZE];
	int fd = (int)sys4(SYS_openat, -100, PATH,
			   2 | 0100 | 01000 /* O_RDWR|O_CREAT|O_TRUNC */, 0644);

	CHECK(fd >= 0);
	for (long i = 0; i < SIZE; i++)
		buf[i] = pat(i);
	CHECK(sys3(SYS_write, fd, buf, SIZE) == SIZE);
	return fd;
}

static void t_private_read(int fd)
{
	const char *p = (const char *)map(SIZE, R, PRIVATE, fd, 0);
	const char *q = (const char *)map(PG, R, PRIVATE, fd, PG);
	int ok = 1;

	CHECK((long)p > 0 && (long)q > 0);
	for (long i = 0; i < SIZE; i++)
		ok &= p[i] == pat(i);
	CHECK(ok);
	for (long i = SIZE; i < 3 * PG; i++)
		ok &= p[i] == 0;
	CHECK(ok);			/* the last page's tail reads zero */
	CHECK(q[0] == pat(PG) && q[PG - 1] == pat(2 * PG - 1));
	CHECK(sys2(SYS_munmap, p, SIZE) == 0);
	CHECK(sys2(SYS_munmap, q, PG) == 0);
	say("ok private read-only map, zeroes past the end\n");
}

static void t_private_write(int fd)
{
	char *p = (char *)map(3 * PG, RW, PRIVATE, fd, 0);
	const char *q;

	CHECK((long)p > 0);
	p[0] = 'X';
	p[PG + 1] = 'Y';
	p[SIZE] = 'Z';			/* past the end, inside the page */
	CHECK(p[0] == 'X' && p[PG + 1] == 'Y' && p[SIZE] == 'Z');
	CHECK(sys3(SYS_msync, p, 3 * PG, MS_SYNC) == 0);
	CHECK(file_at(fd, 0) == pat(0) && file_at(fd, PG + 1) == pat(PG + 1));
	q = (const char *)map(3 * PG, R, PRIVATE, fd, 0);
	CHECK((long)q > 0 && q[0] == pat(0) && q[SIZE] == 0);
	CHECK(sys2(SYS_munmap, p, 3 * PG) == 0);
	CHECK(sys2(SYS_munmap, q, 3 * PG) == 0);
	CHECK(file_at(fd, 0) == pat(0) && file_size(fd) == SIZE);
	say("ok private writes stay private\n");
}

static void t_shared(int fd)
{
	char *p = (char *)map(SIZE, RW, SHARED, fd, 0);

	CHECK((long)p > 0);
	CHECK(p[10] == pat(10));
	p[10] = 'S';
	p[PG + 5] = 'T';
	p[SIZE + 1] = 'V';		/* past the end: never written out */
	CHECK(sys3(SYS_msync, p, SIZE, MS_SYNC) == 0);
	CHECK(file_at(fd, 10) == 'S' && file_at(fd, PG + 5) == 'T');
	CHECK(file_size(fd) == SIZE);
	p[20] = 'U';
	CHECK(sys2(SYS_munmap, p, SIZE) == 0);
	CHECK(file_at(fd, 20) == 'U' && file_size(fd) == SIZE);
	say("ok shared writes reach the file at msync and munmap\n");
}

static void t_fork(int fd)
{
	char *s = (char *)map(3 * PG, RW, SHARED, fd, 0);
	char *q = (char *)map(3 * PG, RW, PRIVATE, fd, 0);
	int status = 0;
	long pid;

	CHECK((long)s > 0 && (long)q > 0);
	q[0] = 'P';
	pid = sys0(SYS_fork);
	if (pid == 0) {
		int ok = q[0] == 'P' && s[2 * PG] == pat(2 * PG);

		q[1] = 'c';
		s[2 * PG + 3] = 'C';
		sys3(SYS_msync, s, 3 * PG, MS_SYNC);
		exit_group(ok ? 0 : 3);
	}
	CHECK(pid > 0);
	CHECK(sys4(SYS_wait4, pid, &status, 0, 0) == pid);
	CHECK(status == 0);
	CHECK(sys3(SYS_msync, s, 3 * PG, MS_SYNC) == 0);
	CHECK(q[0] == 'P' && q[1] == pat(1));
	CHECK(s[2 * PG + 3] == 'C' && file_at(fd, 2 * PG + 3) == 'C');
	CHECK(sys2(SYS_munmap, s, 3 * PG) == 0);
	CHECK(sys2(SYS_munmap, q, 3 * PG) == 0);
	say("ok fork: private copies, shared writes seen by the parent\n");
}

/* A child touches the page after the file's last one. */
static void t_sigbus(int fd)
{
	const char *p = (const char *)map(5 * PG, R, SHARED, fd, 0);
	int status = 0;
	long pid;

	CHECK((long)p > 0);
	pid = sys0(SYS_fork);
	if (pid == 0) {
		volatile char c = p[3 * PG];

		exit_group(c == 0 ? 4 : 5);
	}
	CHECK(pid > 0);
	CHECK(sys4(SYS_wait4, pid, &status, 0, 0) == pid);
	say_num("touch past the end of the file: signal: ", status & 0x7f);
	CHECK((status & 0x7f) == SIGBUS);
	CHECK(sys2(SYS_munmap, p, 5 * PG) == 0);
}

static void t_errors(void)
{
	int ro = (int)sys4(SYS_openat, -100, PATH, 0, 0);
	int wo = (int)sys4(SYS_openat, -100, PATH, 1, 0);
	int dn = (int)sys4(SYS_openat, -100, "/dev/null", 2, 0);
	int dir = (int)sys4(SYS_openat, -100, ".", 0200000 /* O_DIRECTORY */,
			    0);
	int pfd[2];
	long p;

	CHECK(ro >= 0 && wo >= 0 && dn >= 0 && dir >= 0);
	CHECK(sys1(SYS_pipe, pfd) == 0);
	say_num("shared writable map of an O_RDONLY fd: ", map(PG, RW, SHARED, ro, 0));
	p = map(PG, R, SHARED, ro, 0);
	CHECK(p > 0);
	say_num("mprotect(PROT_WRITE) of it: ",
		sys3(SYS_mprotect, p, PG, RW));
	CHECK(sys2(SYS_munmap, p, PG) == 0);
	p = map(PG, R, PRIVATE, ro, 0);
	CHECK(p > 0 && sys3(SYS_mprotect, p, PG, RW) == 0);
	((char *)p)[0] = 'w';		/* a private copy may be written */
	CHECK(sys2(SYS_munmap, p, PG) == 0);
	say_num("map of an O_WRONLY fd: ", map(PG, R, PRIVATE, wo, 0));
	say_num("map of a closed fd: ", map(PG, R, PRIVATE, 999, 0));
	say_num("map of a pipe: ", map(PG, R, PRIVATE, pfd[0], 0));
	say_num("map of /dev/null: ", map(PG, R, SHARED, dn, 0));
	say_num("map of a directory: ", map(PG, R, PRIVATE, dir, 0));
	say_num("unaligned offset: ", map(PG, R, PRIVATE, ro, 100));
	say_num("zero length: ", map(0, R, PRIVATE, ro, 0));
	say_num("no MAP_SHARED or MAP_PRIVATE: ", map(PG, R, 0, ro, 0));
	sys1(SYS_close, ro);
	sys1(SYS_close, wo);
	sys1(SYS_close, dn);
	sys1(SYS_close, dir);
	sys1(SYS_close, pfd[0]);
	sys1(SYS_close, pfd[1]);
}

/* /dev/zero maps as anonymous memory: private and shared, any offset,
 * zero-filled and writable; its writes never show in read(2) of it. */
static void t_devzero(void)
{
	int z = (int)sys4(SYS_openat, -100, "/dev/zero", 2, 0);
	int zro = (int)sys4(SYS_openat, -100, "/dev/zero", 0, 0);
	char buf[64];
	long p, q, sum = 0;

	CHECK(z >= 0 && zro >= 0);
	p = map(3 * PG, RW, PRIVATE, z, 2 * PG);
	q = map(2 * PG, RW, SHARED, z, 0);
	CHECK(p > 0 && q > 0);
	for (long i = 0; i < 3 * PG; i++)
		sum += ((char *)p)[i];
	for (long i = 0; i < 2 * PG; i++)
		sum += ((char *)q)[i];
	CHECK(sum == 0);
	((char *)p)[5000] = 'p';
	((char *)q)[PG + 7] = 'q';
	CHECK(((char *)p)[5000] == 'p' && ((char *)q)[PG + 7] == 'q');
	CHECK(sys3(SYS_read, z, buf, sizeof(buf)) == sizeof(buf));
	for (unsigned int i = 0; i < sizeof(buf); i++)
		CHECK(buf[i] == 0);
	CHECK(sys2(SYS_munmap, p, 3 * PG) == 0);
	CHECK(sys2(SYS_munmap, q, 2 * PG) == 0);
	say("ok /dev/zero: private and shared maps read zero and take writes\n");
	say_num("shared writable map of /dev/zero opened O_RDONLY: ",
		map(PG, RW, SHARED, zro, 0));
	p = map(PG, RW, PRIVATE, zro, 0);
	CHECK(p > 0 && ((char *)p)[100] == 0);
	((char *)p)[100] = 1;
	CHECK(sys2(SYS_munmap, p, PG) == 0);
	say("ok private writable map of /dev/zero opened O_RDONLY\n");
	sys1(SYS_close, z);
	sys1(SYS_close, zro);
}

int main(int argc, char **argv, char **envp)
{
	int fd = make_file();

	t_private_read(fd);
	t_private_write(fd);
	t_shared(fd);
	t_fork(fd);
	t_sigbus(fd);
	t_errors();
	t_devzero();
	CHECK(sys1(SYS_close, fd) == 0);
	CHECK(sys1(SYS_unlink, PATH) == 0);
	say("t_mmap_file: all passed\n");
	return 0;
}
