/* usr/tests/x_batch.c — run a list of programs one after another and
 * frame each one's output (Tessera only: scripts/abi-compare --batch runs
 * every test program in one boot of a topology instead of one boot each).
 *
 * Usage: x_batch LIST [SECONDS]
 * LIST is a file of lines "DIR PROGRAM ARG...", words separated by single
 * spaces (no quoting: abi-compare already writes arguments without
 * spaces).  Each program runs in a child of its own: cwd DIR, stdin
 * /dev/null, stdout and stderr one pipe (as the host's comparison run
 * has them), argv[0] PROGRAM, our environment.  After SECONDS (default
 * 300) of wall time it gets SIGKILL, and if its output pipe is still
 * held open KILL_GRACE_MS later (children of its own), so does every
 * other process when we are init (pid 1, as under `tessera run`: Tessera
 * has no process groups); the end record says "timeout".
 *
 * Our stdout carries only records, each a header line then a payload:
 *   "@@batch N\n"                      first: N programs follow
 *   "@@out I LEN\n" + LEN bytes        output of program I (0-based), as
 *                                      it arrives, byte for byte
 *   "@@end I STATUS MS\n"              I ended: its wait status in hex,
 *                                      or "timeout", or "exec" (no child);
 *                                      MS: milliseconds it took
 *   "@@done\n"                         last
 * so the host splits the stream without ever looking inside a payload.
 * Exit status 0 once every program was run, whatever they returned;
 * 2 for a bad LIST.
 */
#include "../lib/nolibc.h"

#define SYS_chdir	80
#define O_RDONLY	0
#define O_CLOEXEC	02000000
#define POLLIN		1
#define SIGKILL		9
#define CLOCK_MONOTONIC	1
#define LIST_MAX	(64 << 10)
#define ARGS_MAX	64
#define CHUNK		(32 << 10)
#define KILL_GRACE_MS	5000
#define WNOHANG		1

struct pollfd {
	int fd;
	short events, revents;
};

struct timespec {
	long sec, nsec;
};

static char list[LIST_MAX];
static char chunk[CHUNK];

static void write_all(const char *p, long n)
{
	while (n > 0) {
		long r = sys3(SYS_write, 1, p, n);

		if (r == -4)		/* EINTR */
			continue;
		if (r <= 0)
			exit_group(3);	/* the console is gone */
		p += r;
		n -= r;
	}
}

static void put(const char *s)
{
	write_all(s, slen(s));
}

static void put_num(long v)
{
	char b[24];

	put(fmt_long(b + sizeof(b), v));
}

static void put_hex(unsigned long v)
{
	char b[20], *e = b + sizeof(b);

	*--e = '\0';
	do {
		*--e = "0123456789abcdef"[v & 15];
		v >>= 4;
	} while (v);
	put("0x");
	put(e);
}

static long now_ms(void)
{
	struct timespec ts;

	sys2(SYS_clock_gettime, CLOCK_MONOTONIC, &ts);
	return ts.sec * 1000 + ts.nsec / 1000000;
}

/* Split @line at spaces into @argv (NULL-terminated); the word count. */
static int split(char *line, char **argv)
{
	int n = 0;

	while (*line && n < ARGS_MAX) {
		argv[n++] = line;
		while (*line && *line != ' ')
			line++;
		if (*line)
			*line++ = '\0';
	}
	argv[n] = 0;
	return n;
}

/* In the child: never returns. */
static void child(char **argv, char **envp, int out)
{
	long null = sys3(SYS_open, "/dev/null", O_RDONLY, 0);

	if (null < 0 || sys2(SYS_dup2, null, 0) < 0 ||
	    sys2(SYS_dup2, out, 1) < 0 || sys2(SYS_dup2, out, 2) < 0 ||
	    sys1(SYS_chdir, argv[0]) < 0)
		exit_group(126);
	sys3(SYS_execve, argv[1], argv + 1, envp);
	exit_group(127);
}

/* Relay @fd to records of program @i until end of file or @deadline;
 * false on timeout. */
static int relay(int i, int fd, long deadline)
{
	for (;;) {
		struct pollfd p = { fd, POLLIN, 0 };
		long left = deadline - now_ms(), r;

		if (left <= 0)
			return 0;
		r = sys3(SYS_poll, &p, 1, left);
		if (r == -4 || r == 0)
			continue;
		r = sys3(SYS_read, fd, chunk, CHUNK);
		if (r == -4 || r == -11)
			continue;
		if (r <= 0)
			return 1;
		put("@@out ");
		put_num(i);
		put(" ");
		put_num(r);
		put("\n");
		write_all(chunk, r);
	}
}

static void run_one(int i, char **argv, char **envp, long seconds)
{
	int pipe[2], status = 0, orphan, done = 0;
	long pid, start = now_ms();

	if (sys2(SYS_pipe2, pipe, O_CLOEXEC) < 0) {
		put("@@end ");
		put_num(i);
		put(" exec 0\n");
		return;
	}
	pid = sys0(SYS_fork);
	if (pid == 0)
		child(argv, envp, pipe[1]);
	sys1(SYS_close, pipe[1]);
	if (pid > 0) {
		done = relay(i, pipe[0], now_ms() + seconds * 1000);
		if (!done) {
			sys2(SYS_kill, pid, SIGKILL);
			if (!relay(i, pipe[0], now_ms() + KILL_GRACE_MS) &&
			    sys0(SYS_getpid) == 1)
				sys2(SYS_kill, -1, SIGKILL);
		}
		sys4(SYS_wait4, pid, &status, 0, 0);
		while (sys4(SYS_wait4, -1, &orphan, WNOHANG, 0) > 0)
			;	/* its orphans, reparented to us (init) */
	}
	sys1(SYS_close, pipe[0]);
	put("@@end ");
	put_num(i);
	if (pid < 0)
		put(" exec");
	else if (!done)
		put(" timeout");
	else {
		put(" ");
		put_hex((unsigned)status);
	}
	put(" ");
	put_num(now_ms() - start);
	put("\n");
}

static long parse_num(const char *s)
{
	long v = 0;

	if (!*s)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (*s - '0');
	}
	return v;
}

int main(int argc, char **argv, char **envp)
{
	char *words[ARGS_MAX + 1], *line, *end;
	long fd, len, got, seconds = argc > 2 ? parse_num(argv[2]) : 300;
	int n = 0, i = 0;

	if (argc < 2 || seconds <= 0) {
		puts_fd(2, "usage: x_batch LIST [SECONDS]\n");
		return 2;
	}
	fd = sys3(SYS_open, argv[1], O_RDONLY | O_CLOEXEC, 0);
	for (len = 0; fd >= 0 && len < LIST_MAX - 1; len += got) {
		got = sys3(SYS_read, fd, list + len, LIST_MAX - 1 - len);
		if (got <= 0)
			break;
	}
	if (fd < 0 || len == LIST_MAX - 1) {
		puts_fd(2, "x_batch: cannot read the list (or it is too big)\n");
		return 2;
	}
	sys1(SYS_close, fd);
	for (long k = 0; k < len; k++)
		n += list[k] == '\n';
	put("@@batch ");
	put_num(n);
	put("\n");
	for (line = list; i < n; line = end + 1, i++) {
		for (end = line; *end != '\n'; end++)
			;
		*end = '\0';
		if (split(line, words) < 2) {
			put("@@end ");
			put_num(i);
			put(" exec 0\n");
			continue;
		}
		run_one(i, words, envp, seconds);
	}
	put("@@done\n");
	return 0;
}
