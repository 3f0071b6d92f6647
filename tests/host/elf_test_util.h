/* tests/host/elf_test_util.h — test programs for the loader tests, built
 * with the host gcc at test time (static, static-PIE and, when the host
 * has it, a dynamic PIE), loaded into memory, and a read callback over
 * such an in-memory file that fails the test if the loader ever reads
 * outside [0, size).  The program has initialised data, a .bss larger
 * than a page that starts inside the last data page, and a TLS block.
 */
#ifndef TESTS_HOST_ELF_TEST_UTIL_H
#define TESTS_HOST_ELF_TEST_UTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char elf_test_src[] =
	"#include <stdio.h>\n"
	"int data_words[300] = { 1, 2, 3 };\n"
	"static char bss_bytes[3 * 4096 + 123];\n"
	"__thread int tls_word = 7;\n"
	"__thread char tls_bss[64];\n"
	"int main(int argc, char **argv) {\n"
	"\tunsigned long i, bad = 0;\n"
	"\tfor (i = 0; i < sizeof(bss_bytes); i++) bad += bss_bytes[i] != 0;\n"
	"\tprintf(\"%d %lu %d %d\\n\", argc, bad, data_words[2], tls_word + tls_bss[3]);\n"
	"\treturn bad != 0;\n"
	"}\n";

struct elf_blob {
	const char *name;
	char path[256];
	unsigned char *data;
	u64 size;
	bool ok;
};

static char elf_tmpdir[128];

static bool elf_load_blob(struct elf_blob *b)
{
	FILE *f = fopen(b->path, "rb");
	long n;

	if (!f)
		return false;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	b->data = malloc(n);
	b->size = (u64)n;
	b->ok = b->data && fread(b->data, 1, n, f) == (size_t)n;
	fclose(f);
	return b->ok;
}

/* Build @b->name with @flags from the test source; false on failure. */
static bool elf_build(struct elf_blob *b, const char *flags)
{
	char cmd[768], src[200];
	FILE *f;

	if (!elf_tmpdir[0]) {
		strcpy(elf_tmpdir, "/tmp/tessera-elf-XXXXXX");
		if (!mkdtemp(elf_tmpdir))
			return false;
	}
	snprintf(src, sizeof(src), "%s/prog.c", elf_tmpdir);
	f = fopen(src, "w");
	if (!f)
		return false;
	fputs(elf_test_src, f);
	fclose(f);
	snprintf(b->path, sizeof(b->path), "%s/%s", elf_tmpdir, b->name);
	snprintf(cmd, sizeof(cmd), "gcc -O1 %s -o %s %s 2>&1", flags, b->path,
		 src);
	if (system(cmd) != 0)
		return false;
	return elf_load_blob(b);
}

static void elf_cleanup(void)
{
	char cmd[200];

	if (!elf_tmpdir[0])
		return;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", elf_tmpdir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", elf_tmpdir);
}

/* A file in memory for struct elf_file. */
struct mem_file {
	const unsigned char *data;
	u64 size;
	int bad_reads;
};

static int mem_read(void *ctx, u64 off, void *buf, u64 len)
{
	struct mem_file *m = ctx;

	if (off > m->size || len > m->size - off) {
		m->bad_reads++;
		return -EIO;
	}
	memcpy(buf, m->data + off, len);
	return 0;
}

#endif
