/* scripts/tools/crc32c.c — host tool for scripts/storage-check: prints the
 * CRC-32C of standard input (or of each FILE) as 8 hex digits and the
 * byte count, with the kernel's own lib/crc32c.c, so the host check and
 * the kernel's manifest use one implementation.  Built on demand by
 * storage-check: gcc -O2 -D__HOST_TEST__ -Iinclude -Iarch/x86/include
 * -include tessera/compiler.h.
 */
#include "../../lib/crc32c.c"

#include <stdio.h>

static int sum(FILE *f, const char *name)
{
	static unsigned char buf[1 << 16];
	unsigned long long n = 0;
	u32 crc = 0;
	size_t got;

	while ((got = fread(buf, 1, sizeof(buf), f)) > 0) {
		crc = crc32c_update(crc, buf, got);
		n += got;
	}
	if (ferror(f)) {
		perror(name);
		return 1;
	}
	printf("%08x %llu %s\n", crc, n, name);
	return 0;
}

int main(int argc, char **argv)
{
	int bad = 0;

	if (argc < 2)
		return sum(stdin, "-");
	for (int i = 1; i < argc; i++) {
		FILE *f = fopen(argv[i], "rb");

		if (!f) {
			perror(argv[i]);
			bad = 1;
			continue;
		}
		bad |= sum(f, argv[i]);
		fclose(f);
	}
	return bad;
}
