/* usr/libc/stdin.c — reading the console (glibc and musl builds): poll
 * says stdin is readable, then read(2) in odd-sized chunks takes all of
 * it up to end of file; the program prints the byte and line counts, an
 * FNV-1a digest and the first and last line, and echoes the first lines
 * through stdio in upper case.  It sleeps 0.5 s first, so that a large
 * input piles up (on Tessera: fills the receive ring, which then holds
 * the sender back).  scripts/abi-compare feeds the same input
 * file on the host and under `tessera run` (where it travels over COM2
 * and ends with ^D). */
#include <ctype.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAX_IN (4 << 20)

int main(void)
{
	struct pollfd p = { .fd = 0, .events = POLLIN };
	char *in = malloc(MAX_IN), first[80] = "", last[80] = "";
	size_t n = 0, lines = 0, echoed = 0, start = 0;
	unsigned int h = 2166136261u;
	ssize_t r;

	if (!in)
		return 2;
	nanosleep(&(struct timespec){ 0, 500 * 1000 * 1000 }, NULL);
	r = poll(&p, 1, 10000);
	printf("poll: %s\n", r == 1 && (p.revents & POLLIN) ? "readable" :
	       "not readable");
	do {
		size_t want = n % 3 ? 1000 : 4093;

		r = read(0, in + n, want < MAX_IN - n ? want : MAX_IN - n);
		n += r > 0 ? r : 0;
	} while (r > 0 && n < MAX_IN);
	if (r < 0) {
		perror("read");
		return 1;
	}
	for (size_t i = 0; i < n; i++) {
		h = (h ^ (unsigned char)in[i]) * 16777619u;
		if (in[i] != '\n')
			continue;
		size_t len = i - start < sizeof(last) - 1 ? i - start :
			     sizeof(last) - 1;

		memcpy(last, in + start, len);
		last[len] = '\0';
		if (!lines)
			strcpy(first, last);
		if (echoed < 3) {
			for (char *c = last; *c; c++)
				putchar(toupper((unsigned char)*c));
			putchar('\n');
			echoed++;
		}
		lines++;
		start = i + 1;
	}
	printf("bytes %zu lines %zu fnv %08x\n", n, lines, h);
	printf("first '%s' last '%s'\n", first, last);
	free(in);
	return 0;
}
