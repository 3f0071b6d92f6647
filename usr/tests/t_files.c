/* usr/tests/t_files.c — fd table, pipes, poll, /dev and /proc files. */
#include "../lib/nolibc.h"

struct pfd { int fd; short events, revents; };

int main(int argc, char **argv, char **envp)
{
	int p[2];
	char buf[256];
	long n, fd;
	struct pfd pf[2];

	CHECK(sys2(SYS_pipe2, p, 0x80000 /* O_CLOEXEC */) == 0);
	CHECK(sys2(SYS_fcntl, p[0], 1) == 1);		/* F_GETFD */
	CHECK(sys3(SYS_write, p[1], "pipe data", 9) == 9);
	pf[0] = (struct pfd){ p[0], 1, 0 };
	pf[1] = (struct pfd){ p[1], 4, 0 };
	CHECK(sys3(SYS_poll, pf, 2, 0) == 2);
	CHECK(pf[0].revents == 1 && pf[1].revents == 4);
	CHECK(sys3(SYS_read, p[0], buf, sizeof(buf)) == 9);
	CHECK(buf[0] == 'p' && buf[8] == 'a');
	CHECK(sys3(SYS_poll, pf, 1, 10) == 0);
	say("ok pipe poll\n");
	fd = sys1(SYS_dup, p[1]);
	CHECK(fd > 2 && sys2(SYS_fcntl, fd, 1) == 0);
	CHECK(sys2(SYS_dup2, fd, 20) == 20);
	CHECK(sys3(SYS_dup3, fd, 20, 0) == 20);
	CHECK(sys3(SYS_dup3, fd, fd, 0) == -22);
	CHECK(sys1(SYS_close, 20) == 0 && sys1(SYS_close, 20) == -9);
	CHECK(sys1(SYS_close, fd) == 0 && sys1(SYS_close, p[1]) == 0);
	CHECK(sys3(SYS_read, p[0], buf, sizeof(buf)) == 0);	/* EOF */
	CHECK(sys1(SYS_close, p[0]) == 0);
	CHECK(sys2(SYS_pipe2, p, 0) == 0 && sys1(SYS_close, p[0]) == 0);
	sigaction_install(13, (void *)1, 0);			/* SIGPIPE ignored */
	CHECK(sys3(SYS_write, p[1], "x", 1) == -32);
	CHECK(sys1(SYS_close, p[1]) == 0);
	say("ok dup close epipe\n");
	fd = sys4(SYS_openat, -100, "/dev/null", 2, 0);
	CHECK(fd >= 0);
	CHECK(sys3(SYS_write, fd, buf, 100) == 100);
	CHECK(sys3(SYS_read, fd, buf, 100) == 0);
	CHECK(sys1(SYS_close, fd) == 0);
	fd = sys4(SYS_openat, -100, "/dev/zero", 0, 0);
	buf[0] = 1;
	CHECK(sys3(SYS_read, fd, buf, 10) == 10 && buf[0] == 0);
	sys1(SYS_close, fd);
	CHECK(sys4(SYS_openat, -100, "/dev/nonexistent", 0, 0) == -2);
	say("ok dev\n");
	fd = sys4(SYS_openat, -100, "/sys/devices/system/cpu/online", 0, 0);
	CHECK(fd >= 0);
	n = sys3(SYS_read, fd, buf, sizeof(buf));
	CHECK(n >= 2 && buf[0] == '0' && buf[n - 1] == '\n');
	sys1(SYS_close, fd);
	fd = sys4(SYS_openat, -100, "/proc/self/status", 0, 0);
	CHECK(fd >= 0);
	n = sys3(SYS_read, fd, buf, sizeof(buf));
	CHECK(n > 10 && buf[0] == 'N' && buf[1] == 'a');
	sys1(SYS_close, fd);
	n = sys3(SYS_readlink, "/proc/self/exe", buf, sizeof(buf));
	CHECK(n > 0 && buf[0] == '/');
	say("ok proc sys\n");
	CHECK(sys2(SYS_getcwd, buf, sizeof(buf)) > 0 && buf[0] == '/');
	{
		unsigned short ws[4];

		n = sys3(SYS_ioctl, 1, 0x5413, ws);	/* TIOCGWINSZ */
		CHECK(n == 0 || n == -25);
		CHECK(sys3(SYS_ioctl, 99, 0x5413, ws) == -9);
	}
	say("ok misc\n");
	return 0;
}
