/* tests/host/test_tty_ldisc.c — ldisc_take() (managers/processor/
 * tty_ldisc.c), the console's input rules: canonical lines, VEOF at the
 * start of a line and after a partial one, short reads, a line that
 * fills the window, VEOL, raw mode with a literal 0x04 and VMIN = 0,
 * ISIG (reads stop before ^C, ldisc_signal finds it).
 * A stream check then feeds random text with ^D marks through repeated
 * reads of random sizes and compares with a simple model.
 */
#include "harness.h"
#include "../../lib/string.c"
#include "../../managers/processor/tty_ldisc.c"

#include <string.h>

static long take(const struct termios *t, const char *in, size_t n,
		 size_t *eat)
{
	return ldisc_take(t, (const u8 *)in, strlen(in), n, eat);
}

static void test_canonical(void)
{
	struct termios t;
	size_t eat;

	ldisc_default(&t);
	CHECK_EQ(take(&t, "ab\ncd\n", 100, &eat), 3);
	CHECK_EQ(eat, 3);
	CHECK_EQ(take(&t, "abc", 100, &eat), -EAGAIN);	/* no line yet */
	CHECK_EQ(eat, 0);
	CHECK_EQ(take(&t, "", 100, &eat), -EAGAIN);
	CHECK_EQ(take(&t, "\x04rest", 100, &eat), 0);	/* end of file */
	CHECK_EQ(eat, 1);
	CHECK_EQ(take(&t, "ab\x04" "cd\n", 100, &eat), 2);	/* ^D ends it */
	CHECK_EQ(eat, 3);
	CHECK_EQ(take(&t, "abcdef\n", 4, &eat), 4);	/* a short read */
	CHECK_EQ(eat, 4);
	CHECK_EQ(take(&t, "abcd\x04", 4, &eat), 4);	/* all, and the ^D */
	CHECK_EQ(eat, 5);
	CHECK_EQ(take(&t, "abcde\x04", 4, &eat), 4);	/* ^D stays */
	CHECK_EQ(eat, 4);
	t.c_cc[VEOL] = ';';
	CHECK_EQ(take(&t, "a;b\n", 100, &eat), 2);
	CHECK_EQ(eat, 2);
	t.c_cc[VEOF] = 0;				/* disabled */
	CHECK_EQ(take(&t, "a\x04" "b\n", 100, &eat), 4);
}

static void test_full_window(void)
{
	static u8 big[LDISC_LINE_MAX];
	struct termios t;
	size_t eat;

	ldisc_default(&t);
	memset(big, 'x', sizeof(big));
	CHECK_EQ(ldisc_take(&t, big, sizeof(big), 1 << 20, &eat),
		 LDISC_LINE_MAX);
	CHECK_EQ(eat, LDISC_LINE_MAX);
	CHECK_EQ(ldisc_take(&t, big, sizeof(big) - 1, 1 << 20, &eat),
		 -EAGAIN);
}

static void test_raw(void)
{
	struct termios t;
	size_t eat;

	ldisc_default(&t);
	t.c_lflag &= ~ICANON;
	CHECK_EQ(take(&t, "a\x04" "b", 100, &eat), 3);	/* 0x04 is data */
	CHECK_EQ(eat, 3);
	CHECK_EQ(take(&t, "\x04", 100, &eat), 1);
	CHECK_EQ(take(&t, "abc", 2, &eat), 2);
	CHECK_EQ(eat, 2);
	CHECK_EQ(take(&t, "", 100, &eat), -EAGAIN);	/* VMIN 1: waits */
	t.c_cc[VMIN] = 0;
	CHECK_EQ(take(&t, "", 100, &eat), 0);		/* polls */
	CHECK_EQ(eat, 0);
	t.c_cc[VTIME] = 5;
	CHECK_EQ(take(&t, "", 100, &eat), -EAGAIN);
}

static void test_isig(void)
{
	struct termios t;
	size_t eat;

	ldisc_default(&t);
	CHECK_EQ(ldisc_signal(&t, (const u8 *)"ab\x03", 3, &eat), 0);
	CHECK_EQ(take(&t, "a\x03\n", 100, &eat), 3);	/* ISIG off: data */
	t.c_lflag |= ISIG;
	CHECK_EQ(ldisc_signal(&t, (const u8 *)"ab\x03" "cd", 5, &eat),
		 LDISC_SIGINT);
	CHECK_EQ(eat, 3);
	CHECK_EQ(ldisc_signal(&t, (const u8 *)"\x1c", 1, &eat),
		 LDISC_SIGQUIT);
	CHECK_EQ(take(&t, "ab\x03" "cd\n", 100, &eat), -EAGAIN);
	CHECK_EQ(take(&t, "ab\ncd\x03\n", 100, &eat), 3);	/* a line first */
	t.c_lflag &= ~ICANON;
	CHECK_EQ(take(&t, "ab\x03" "cd", 100, &eat), 2);	/* raw: up to it */
	CHECK_EQ(take(&t, "\x03" "cd", 100, &eat), -EAGAIN);
	t.c_cc[VINTR] = 0;				/* disabled */
	CHECK_EQ(take(&t, "\x03" "cd", 100, &eat), 3);
}

/* Random lines with ^D marks, read in random sizes: the data must come
 * out in order, every ^D consumed, and an end of file exactly for a ^D
 * at the start of a line. */
static void test_stream(void)
{
	static u8 in[20000], out[20000];
	size_t len = 0, pos = 0, got = 0, eofs = 0, want_eofs = 0, data = 0;
	struct termios t;
	unsigned int seed = 1;
	bool line_start = true;

	ldisc_default(&t);
	while (len < sizeof(in) - 1) {
		unsigned int r = (seed = seed * 1103515245 + 12345) >> 16;
		u8 c = r % 13 == 0 ? '\n' : r % 29 == 0 ? 4 : 'a' + r % 26;

		in[len++] = c;
		if (c == 4)
			want_eofs += line_start;
		else
			data++;
		line_start = c == '\n' || c == 4;
	}
	in[len++] = '\n';
	data++;
	while (pos < len) {
		size_t eat, n = 1 + ((seed = seed * 1103515245 + 12345) >> 16)
			% 300, k = MIN(len - pos, (size_t)LDISC_LINE_MAX);
		long r = ldisc_take(&t, in + pos, k, n, &eat);

		CHECK(r >= 0, "waits at %zu", pos);
		if (r < 0)
			break;
		CHECK(eat >= (size_t)r && eat > 0, "eat %zu r %ld", eat, r);
		memcpy(out + got, in + pos, r);
		got += r;
		eofs += r == 0;
		pos += eat;
	}
	CHECK_EQ(got, data);
	CHECK_EQ(eofs, want_eofs);
	for (size_t i = 0, j = 0; i < len && j < got; i++)
		if (in[i] != 4)
			CHECK(in[i] == out[j++], "byte %zu", j - 1);
}

int main(void)
{
	RUN(test_canonical);
	RUN(test_full_window);
	RUN(test_raw);
	RUN(test_isig);
	RUN(test_stream);
	return harness_exit();
}
