/* managers/processor/tty_ldisc.h — the console's input rules
 * (tty_ldisc.c); users: fs_tty.c and tests/host/test_tty_ldisc.c. */
#ifndef PROCESSOR_TTY_LDISC_H
#define PROCESSOR_TTY_LDISC_H

#include <tessera/types.h>
#include <uapi/poll.h>

/* The bytes of pending input one read looks at: a canonical line longer
 * than this is handed over in pieces. */
#define LDISC_LINE_MAX	4096

/* c_cc indices (Linux's). */
#define VINTR	0
#define VQUIT	1
#define VERASE	2
#define VKILL	3
#define VEOF	4
#define VTIME	5
#define VMIN	6
#define VEOL	11
#define VEOL2	16

#define LDISC_SIGINT	2
#define LDISC_SIGQUIT	3

/* The console's termios at boot: canonical, no echo, no signals. */
void ldisc_default(struct termios *t);

/* For a read of @n bytes with @buf[0..k) pending (k <= LDISC_LINE_MAX;
 * k < LDISC_LINE_MAX means that is all there is): the number of bytes
 * the read returns from the start of @buf (0: end of file, or nothing
 * in raw mode with VMIN = VTIME = 0), or -EAGAIN if it must wait for
 * more; *eat is how many pending bytes it consumes. */
long ldisc_take(const struct termios *t, const u8 *buf, size_t k,
		size_t n, size_t *eat);

/* With ISIG set: the first VINTR or VQUIT byte of @buf[0..k): its signal
 * (LDISC_SIGINT, LDISC_SIGQUIT) and *eat = the bytes up to and including
 * it (dropped: the input before it is flushed, as Linux does without
 * NOFLSH); 0 and *eat = 0 if there is none. */
int ldisc_signal(const struct termios *t, const u8 *buf, size_t k,
		 size_t *eat);

#endif
