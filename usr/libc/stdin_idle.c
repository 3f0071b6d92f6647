/* usr/libc/stdin_idle.c — a console with nothing to read (glibc and musl
 * builds): scripts/abi-compare keeps stdin open and silent.  poll times
 * out, an O_NONBLOCK read gives EAGAIN, and a blocking read is cut short
 * by SIGUSR1 from a child (handler without SA_RESTART) with EINTR. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t signals;

static void on_signal(int sig)
{
	(void)sig;
	signals++;
}

static const char *result(ssize_t r)
{
	static char buf[64];

	if (r >= 0)
		snprintf(buf, sizeof(buf), "%zd bytes", r);
	else
		snprintf(buf, sizeof(buf), "%s", errno == EINTR ? "EINTR" :
			 errno == EAGAIN ? "EAGAIN" : strerror(errno));
	return buf;
}

int main(void)
{
	struct pollfd p = { .fd = 0, .events = POLLIN };
	struct sigaction sa;
	int fl = fcntl(0, F_GETFL);
	char c;
	ssize_t r;
	pid_t pid;

	r = poll(&p, 1, 200);
	printf("poll: %zd ready, revents %#x\n", r, p.revents);
	fcntl(0, F_SETFL, fl | O_NONBLOCK);
	r = read(0, &c, 1);
	printf("nonblocking read: %s\n", result(r));
	fcntl(0, F_SETFL, fl);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGUSR1, &sa, NULL);
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		struct timespec ts = { 0, 300 * 1000 * 1000 };

		nanosleep(&ts, NULL);
		kill(getppid(), SIGUSR1);
		_exit(0);
	}
	r = read(0, &c, 1);
	printf("blocking read: %s, signals %d\n", result(r), (int)signals);
	waitpid(pid, NULL, 0);
	return 0;
}
