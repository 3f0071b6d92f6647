/* managers/processor/tty_ldisc.c — the console's input rules: what one
 * read takes from the bytes pending on COM2, under the termios the
 * program set (fs_tty.c keeps it; TCGETS/TCSETS*).
 *
 * Canonical mode (ICANON): a read returns one line at most — up to and
 * including "\n" (or VEOL, or VEOL2 with IEXTEN) — and waits while no
 * line is complete.  VEOF (^D unless changed; 0 disables it) ends a line
 * without being passed on: alone at the start of a read it is end of
 * file (the read returns 0 and consumes it); after a partial line it
 * hands that line over and is consumed with it.  A read shorter than the
 * line takes its start; the rest (and a VEOF after it) stays pending.
 * A line that fills the whole window (LDISC_LINE_MAX bytes) with no end is
 * handed over as it is (Linux drops the excess instead).
 * Raw mode (ICANON off): every byte is data, VEOF (0x04) included; a
 * read takes what is pending.  With VMIN = 0 and VTIME = 0 it does not
 * wait (returns 0 when nothing is pending); any other VMIN/VTIME waits
 * for one byte (VMIN > 1 and VTIME timers are not implemented).
 * ISIG: a VINTR (^C) or VQUIT byte is never data: reads stop before
 * it, and ldisc_signal() tells fs_tty.c to drop the input up to it and
 * send the signal.  No editing (VERASE, VKILL) and no ECHO: those flags
 * are stored and reported, not acted on (`tessera run` leaves the host
 * terminal cooked: it echoes by itself).
 *
 * Pure functions: no locks, no allocation (host-tested by
 * tests/host/test_tty_ldisc.c).  Callers: fs_tty.c.
 */
#include <lib/string.h>
#include <uapi/errno.h>
#include <uapi/poll.h>
#include "tty_ldisc.h"

void ldisc_default(struct termios *t)
{
	memset(t, 0, sizeof(*t));
	t->c_iflag = ICRNL | IXON;
	t->c_oflag = OPOST | ONLCR;
	t->c_cflag = B38400 | CS8 | CREAD;
	t->c_lflag = ICANON | IEXTEN;
	t->c_cc[VINTR] = 3;		/* ^C */
	t->c_cc[VQUIT] = 0x1c;		/* ^\ */
	t->c_cc[VERASE] = 0x7f;
	t->c_cc[VKILL] = 0x15;		/* ^U */
	t->c_cc[VEOF] = 4;		/* ^D */
	t->c_cc[VMIN] = 1;
}

/* Index of the first byte of @buf[0..k) that ends a canonical line (a
 * line-end byte or VEOF), or k; *is_eof says whether it is VEOF. */
static size_t line_end(const struct termios *t, const u8 *buf, size_t k,
		       bool *is_eof)
{
	u8 eof = t->c_cc[VEOF], eol = t->c_cc[VEOL];
	u8 eol2 = t->c_lflag & IEXTEN ? t->c_cc[VEOL2] : 0;

	for (size_t i = 0; i < k; i++) {
		u8 c = buf[i];

		*is_eof = eof && c == eof;
		if (*is_eof || c == '\n' || (eol && c == eol) ||
		    (eol2 && c == eol2))
			return i;
	}
	*is_eof = false;
	return k;
}

/* ISIG on: the signal byte @c stands for (0: it is data). */
static int sig_of(const struct termios *t, u8 c)
{
	if (!(t->c_lflag & ISIG))
		return 0;
	if (t->c_cc[VINTR] && c == t->c_cc[VINTR])
		return LDISC_SIGINT;
	if (t->c_cc[VQUIT] && c == t->c_cc[VQUIT])
		return LDISC_SIGQUIT;
	return 0;
}

int ldisc_signal(const struct termios *t, const u8 *buf, size_t k,
		 size_t *eat)
{
	for (size_t i = 0; i < k; i++) {
		int sig = sig_of(t, buf[i]);

		if (sig) {
			*eat = i + 1;
			return sig;
		}
	}
	*eat = 0;
	return 0;
}

long ldisc_take(const struct termios *t, const u8 *buf, size_t k,
		size_t n, size_t *eat)
{
	size_t end, data, sig_at;
	bool is_eof;

	*eat = 0;
	if (ldisc_signal(t, buf, k, &sig_at))
		k = sig_at - 1;		/* the input ends before it, for now */
	if (!(t->c_lflag & ICANON)) {
		if (!k)
			return t->c_cc[VMIN] || t->c_cc[VTIME] ? -EAGAIN : 0;
		*eat = MIN(k, n);
		return (long)*eat;
	}
	end = line_end(t, buf, k, &is_eof);
	if (end == k && k < LDISC_LINE_MAX)
		return -EAGAIN;			/* no complete line yet */
	data = end == k ? k : is_eof ? end : end + 1;
	if (data > n) {				/* the read takes a part */
		*eat = n;
		return (long)n;
	}
	*eat = is_eof ? end + 1 : data;
	return (long)data;
}
