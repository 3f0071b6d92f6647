/* usr/tests/x_tty.c — the console's termios end to end (Tessera only:
 * under the host's comparison stdin is not a terminal).  scripts/tty-check
 * runs it under `tessera run` with stdin
 * "line one\nraw\x04data\nlost\x03kept\n" and
 * checks the output, which shows:
 *   - TCGETS at boot: ICANON on, ECHO and ISIG off, VEOF ^D;
 *   - canonical: a read of 100 bytes returns one line although more is
 *     pending;
 *   - TCSETS (ICANON off, VMIN 1) then TCGETS gives it back; a raw read
 *     of 9 returns "raw\x04data\n" with the 0x04 as data (the input goes
 *     on after it), shown with the 0x04 as "^D";
 *   - canonical with ISIG (TCSETSW) and a SA_RESTART SIGINT handler: the
 *     pending "lost\x03" is dropped and SIGINT arrives once; the next
 *     read returns "kept\n" (if it started before the signal, it waited
 *     and was restarted);
 *   - then a read is end of file (0): the ^D the launcher sends when the
 *     input ends;
 *   - VMIN 0, VTIME 0 in raw mode: with nothing pending a read returns 0
 *     at once.
 * Every step prints one line; "tty: ok" at the end, exit status 0.
 */
#include "../lib/nolibc.h"

#define TCGETS	0x5401
#define TCSETS	0x5402
#define TCSETSW	0x5403
#define ICANON	0000002
#define ECHO	0000010
#define ISIG	0000001
#define VEOF	4
#define VTIME	5
#define VMIN	6

struct termios {
	unsigned int iflag, oflag, cflag, lflag;
	unsigned char line, cc[19];
};

#define SIGINT		2
#define SA_RESTART	0x10000000

static char buf[200];
static volatile int sigints;
static const struct timespec_ {
	long sec, nsec;
} ms10 = { 0, 10 * 1000 * 1000 };

static void on_sigint(int sig, void *info, void *uc)
{
	sigints++;
}

static void show(const char *label, long n)
{
	say(label);
	for (long i = 0; i < n; i++) {
		char c[2] = { buf[i], 0 };

		say(buf[i] == 4 ? "^D" : buf[i] == '\n' ? "\\n" : c);
	}
	say_num(" bytes ", n);
}

int main(int argc, char **argv, char **envp)
{
	struct termios t, back;
	long n;

	CHECK(sys3(SYS_ioctl, 0, TCGETS, &t) == 0);
	say_num("icanon ", !!(t.lflag & ICANON));
	say_num("echo ", !!(t.lflag & ECHO));
	say_num("isig ", !!(t.lflag & ISIG));
	say_num("veof ", t.cc[VEOF]);
	n = sys3(SYS_read, 0, buf, 100);
	show("canonical: ", n);
	t.lflag &= ~ICANON;
	t.cc[VMIN] = 1;
	t.cc[VTIME] = 0;
	CHECK(sys3(SYS_ioctl, 0, TCSETS, &t) == 0);
	CHECK(sys3(SYS_ioctl, 0, TCGETS, &back) == 0);
	say_num("raw icanon ", !!(back.lflag & ICANON));
	n = sys3(SYS_read, 0, buf, 9);
	show("raw: ", n);
	CHECK(sigaction_install(SIGINT, on_sigint, SA_RESTART) == 0);
	t.lflag |= ICANON | ISIG;
	CHECK(sys3(SYS_ioctl, 0, TCSETSW, &t) == 0);
	n = sys3(SYS_read, 0, buf, 100);
	for (int i = 0; i < 500 && !sigints; i++)
		sys2(SYS_nanosleep, &ms10, 0);
	say_num("isig: SIGINT ", sigints);
	show("after it: ", n);
	say_num("canonical again: end of file ", sys3(SYS_read, 0, buf, 100));
	t.lflag &= ~ICANON;
	t.cc[VMIN] = 0;
	CHECK(sys3(SYS_ioctl, 0, TCSETS, &t) == 0);
	say_num("vmin 0, nothing pending: ", sys3(SYS_read, 0, buf, 100));
	say("tty: ok\n");
	return 0;
}
