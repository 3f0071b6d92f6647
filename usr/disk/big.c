/* usr/disk/big.c — a program larger than 4 MiB (run from a disk by
 * scripts/abi-busybox, not embedded): 6 MiB of initialized data, each
 * 4 KiB page filled with 32-bit words naming the page, and 1 MiB of
 * .bss.  It checks every word, that .bss is zero, that both are
 * writable, and prints its argv, the count of bad words and an FNV-1a
 * hash of the data, so a page loaded from the wrong file offset, a short
 * read or a missing page shows in the output compared with the host's. */
#include "../lib/nolibc.h"

#define PAGES	1536			/* 6 MiB */
#define WORD(pg)	((unsigned)(pg) * 40503u + 12345u)

extern const unsigned int big_data[PAGES * 1024];
__asm__(".pushsection .data\n.balign 4096\n.global big_data\nbig_data:\n"
	".set pg, 0\n"
	".rept 1536\n"
	".fill 1024, 4, pg * 40503 + 12345\n"
	".set pg, pg + 1\n"
	".endr\n.popsection\n");

static unsigned char bss[1 << 20];

int main(int argc, char **argv, char **envp)
{
	unsigned long long h = 0xcbf29ce484222325ull;
	volatile unsigned int *w = (volatile unsigned int *)big_data;
	long bad = 0, nonzero = 0;

	for (int i = 0; i < argc; i++) {
		say(argv[i]);
		say(i + 1 < argc ? " " : "\n");
	}
	for (long i = 0; i < PAGES * 1024l; i++) {
		unsigned int v = big_data[i];

		bad += v != WORD(i / 1024);
		for (int b = 0; b < 4; b++)
			h = (h ^ ((v >> (8 * b)) & 0xff)) * 0x100000001b3ull;
	}
	for (long i = 0; i < (long)sizeof(bss); i++)
		nonzero += bss[i] != 0;
	w[PAGES * 1024 - 1] = 7;
	bss[sizeof(bss) - 1] = 7;
	CHECK(w[PAGES * 1024 - 1] == 7 && bss[sizeof(bss) - 1] == 7);
	say_num("pages ", PAGES);
	say_num("bad words ", bad);
	say_num("nonzero bss ", nonzero);
	say_num("hash low ", (long)(h & 0xffffffff));
	say_num("hash high ", (long)(h >> 32));
	return bad || nonzero;
}
