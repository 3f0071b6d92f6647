/* tests/host/test_elf_stack.c — the initial stack builder
 * (managers/memory/loader/stack.c).
 *
 * Builds images and parses them back as a C runtime would: argc at rsp,
 * argv[] and envp[] pointing at the right strings, every auxv key with its
 * value, AT_RANDOM at the 16 given bytes, AT_EXECFN and AT_PLATFORM
 * strings, the NULL end marker at the top, rsp 16-byte aligned, strings
 * in Linux's order (argv[0] lowest, execfn highest), nothing below rsp
 * written.  Edge cases: no arguments, a vDSO address (AT_SYSINFO_EHDR
 * appears only then), a buffer one byte too small (-E2BIG, then the exact
 * size works), an over-long string, bad parameters.  Last, the layout of
 * the real host kernel: a static program prints its own argv/envp/auxv
 * offsets from the end-of-stack marker and they must match ours.
 */
#include "mm_test_common.h"
#include "../../managers/memory/loader/stack.c"
#include "elf_test_util.h"
#include <uapi/auxvec.h>

#define TOP	0x7ffffffff000ull
static u8 img[1 << 16];

static u64 rd(u64 va)
{
	u64 v;

	memcpy(&v, img + (va - (TOP - sizeof(img))), 8);
	return v;
}

static const char *str(u64 va)
{
	return (const char *)img + (va - (TOP - sizeof(img)));
}

static u64 auxval(u64 sp, u64 key, bool *found)
{
	u64 argc = rd(sp), va = sp + 8 * (argc + 2);

	while (rd(va))
		va += 8;
	for (va += 8; ; va += 16) {
		if (rd(va) == key) {
			*found = true;
			return rd(va + 8);
		}
		if (rd(va) == AT_NULL)
			break;
	}
	*found = false;
	return 0;
}

static struct stack_params params(const char **argv, const char **envp)
{
	struct stack_params p = {
		.argv = argv, .envp = envp, .execfn = "/bin/prog",
		.platform = "x86_64", .phdr = 0x400040, .phent = 56,
		.phnum = 10, .entry = 0x401000, .base = 0, .flags = 0,
		.uid = 1, .euid = 2, .gid = 3, .egid = 4, .secure = 0,
		.hwcap = 0x178bfbff, .hwcap2 = 2, .clktck = 100,
	};
	unsigned int i;

	for (i = 0; i < 16; i++)
		p.random[i] = (u8)(0xc0 + i);
	return p;
}

static void test_layout(void)
{
	const char *argv[] = { "prog", "-x", "hello world", NULL };
	const char *envp[] = { "HOME=/root", "PATH=/bin", NULL };
	struct stack_params p = params(argv, envp);
	u64 sp = 0, va, prev = 0;
	struct { u64 key, want; } aux[] = {
		{ AT_PHDR, 0x400040 }, { AT_PHENT, 56 }, { AT_PHNUM, 10 },
		{ AT_PAGESZ, 4096 }, { AT_BASE, 0 }, { AT_FLAGS, 0 },
		{ AT_ENTRY, 0x401000 }, { AT_UID, 1 }, { AT_EUID, 2 },
		{ AT_GID, 3 }, { AT_EGID, 4 }, { AT_SECURE, 0 },
		{ AT_HWCAP, 0x178bfbff }, { AT_HWCAP2, 2 }, { AT_CLKTCK, 100 },
	};
	unsigned int i;
	bool found;

	memset(img, 0xee, sizeof(img));
	CHECK_EQ(stack_build(&p, TOP, img, sizeof(img), &sp), 0);
	CHECK_EQ(sp % 16, 0);
	CHECK_EQ(rd(sp), 3);
	for (i = 0; i < 3; i++) {
		va = rd(sp + 8 + 8 * i);
		CHECK(!strcmp(str(va), argv[i]), "argv[%u] = %s", i, str(va));
		CHECK(va > prev, "argv strings ascending");
		prev = va;
	}
	CHECK_EQ(rd(sp + 8 * 4), 0);
	for (i = 0; i < 2; i++) {
		va = rd(sp + 8 * (5 + i));
		CHECK(!strcmp(str(va), envp[i]), "envp[%u] = %s", i, str(va));
		CHECK(va > prev, "envp strings above argv strings");
		prev = va;
	}
	CHECK_EQ(rd(sp + 8 * 7), 0);
	for (i = 0; i < ARRAY_SIZE(aux); i++) {
		CHECK_EQ(auxval(sp, aux[i].key, &found), aux[i].want);
		CHECK(found, "auxv key %llu missing",
		      (unsigned long long)aux[i].key);
	}
	va = auxval(sp, AT_RANDOM, &found);
	CHECK(found && !memcmp(str(va), p.random, 16), "AT_RANDOM");
	va = auxval(sp, AT_EXECFN, &found);
	CHECK(found && !strcmp(str(va), "/bin/prog") && va > prev, "EXECFN");
	CHECK_EQ(va + strlen("/bin/prog") + 1, TOP - 8);
	va = auxval(sp, AT_PLATFORM, &found);
	CHECK(found && !strcmp(str(va), "x86_64"), "AT_PLATFORM");
	auxval(sp, AT_SYSINFO_EHDR, &found);
	CHECK(!found, "AT_SYSINFO_EHDR without a vDSO");
	CHECK_EQ(rd(TOP - 8), 0);
	CHECK_EQ(img[sizeof(img) - (TOP - sp) - 1], 0xee);  /* below rsp */
}

static void test_vdso_and_empty(void)
{
	const char *none[] = { NULL };
	struct stack_params p = params(none, none);
	u64 sp = 0;
	bool found;

	p.sysinfo_ehdr = 0x7ffff7fc1000ull;
	p.minsigstksz = 3632;
	CHECK_EQ(stack_build(&p, TOP, img, sizeof(img), &sp), 0);
	CHECK_EQ(rd(sp), 0);
	CHECK_EQ(rd(sp + 8), 0);
	CHECK_EQ(rd(sp + 16), 0);
	CHECK_EQ(auxval(sp, AT_SYSINFO_EHDR, &found), 0x7ffff7fc1000ull);
	CHECK(found, "AT_SYSINFO_EHDR");
	CHECK_EQ(auxval(sp, AT_MINSIGSTKSZ, &found), 3632);
	CHECK_EQ(sp % 16, 0);
}

static void test_limits(void)
{
	const char *argv[] = { "a", "bb", NULL }, *envp[] = { NULL };
	struct stack_params p = params(argv, envp);
	u64 sp = 0, need;
	char *big;
	int err;

	CHECK_EQ(stack_build(&p, TOP, img, sizeof(img), &sp), 0);
	need = TOP - sp;
	CHECK_EQ(stack_build(&p, TOP, img, need - 1, &sp), -E2BIG);
	err = stack_build(&p, TOP, img, need, &sp);
	CHECK_EQ(err, 0);
	CHECK_EQ(TOP - sp, need);
	CHECK_EQ(stack_build(&p, TOP + 8, img, sizeof(img), &sp), -EINVAL);
	p.platform = NULL;
	CHECK_EQ(stack_build(&p, TOP, img, sizeof(img), &sp), -EINVAL);
	p.platform = "x86_64";
	big = malloc(MAX_ARG_STRLEN + 10);
	memset(big, 'x', MAX_ARG_STRLEN + 9);
	big[MAX_ARG_STRLEN + 9] = 0;
	p.execfn = big;
	CHECK_EQ(stack_build(&p, TOP, img, sizeof(img), &sp), -E2BIG);
	free(big);
	/* Every odd string length keeps rsp aligned. */
	for (need = 0; need < 40; need++) {
		char s[64];
		const char *av[] = { s, NULL };

		memset(s, 'y', need);
		s[need] = 0;
		p = params(av, envp);
		CHECK_EQ(stack_build(&p, TOP, img, sizeof(img), &sp), 0);
		CHECK_EQ(sp % 16, 0);
	}
}

/* The host kernel's own layout: a static program reports, relative to
 * the NULL end marker, where argv[0], envp[0], execfn and AT_RANDOM's
 * bytes are, and how far rsp is from argv[0]'s string.  Same inputs
 * through stack_build must give the same numbers (execve from a shell
 * adds nothing: we pass an empty environment but for one variable). */
static const char probe_src[] =
	"#include <stdio.h>\n#include <sys/auxv.h>\n#include <string.h>\n"
	"extern char **environ;\n"
	"int main(int argc, char **argv) {\n"
	"\tchar *e = (char *)getauxval(AT_EXECFN);\n"
	"\tunsigned long top = (unsigned long)e + strlen(e) + 1;\n"
	"\tprintf(\"%lu %lu %lu %lu %lu\\n\", top - (unsigned long)argv[0],\n"
	"\t       top - (unsigned long)environ[0], top - (unsigned long)e,\n"
	"\t       top - getauxval(AT_RANDOM),\n"
	"\t       top - (unsigned long)getauxval(AT_PLATFORM));\n"
	"\treturn 0;\n}\n";

static void test_matches_linux(void)
{
	char path[300], cmd[700], *av[] = { NULL, "arg-one", "two", NULL };
	const char *envp[] = { "TESSERA=1", NULL };
	unsigned long h[5] = { 0 };
	struct stack_params p;
	u64 sp = 0, top, execfn;
	bool found;
	FILE *f;

	if (!elf_tmpdir[0]) {
		strcpy(elf_tmpdir, "/tmp/tessera-stack-XXXXXX");
		CHECK(mkdtemp(elf_tmpdir) != NULL, "mkdtemp");
	}
	snprintf(path, sizeof(path), "%s/probe.c", elf_tmpdir);
	f = fopen(path, "w");
	fputs(probe_src, f);
	fclose(f);
	snprintf(cmd, sizeof(cmd), "gcc -static -O1 -o %s/probe %s && "
		 "env -i TESSERA=1 %s/probe arg-one two", elf_tmpdir, path,
		 elf_tmpdir);
	f = popen(cmd, "r");
	CHECK(f && fscanf(f, "%lu %lu %lu %lu %lu", &h[0], &h[1], &h[2], &h[3],
			  &h[4]) == 5, "probe output");
	if (f)
		pclose(f);
	snprintf(path, sizeof(path), "%s/probe", elf_tmpdir);
	av[0] = path;
	p = params((const char **)av, envp);
	p.execfn = path;
	CHECK_EQ(stack_build(&p, TOP, img, sizeof(img), &sp), 0);
	execfn = auxval(sp, AT_EXECFN, &found);
	top = execfn + strlen(path) + 1;
	CHECK_EQ(top, TOP - 8);
	CHECK_EQ(top - rd(sp + 8), h[0]);
	CHECK_EQ(top - rd(sp + 8 * 5), h[1]);
	CHECK_EQ(top - execfn, h[2]);
	/* Below the strings Linux randomises alignment (arch_align_stack):
	 * platform and random bytes only need to lie below argv[0]. */
	CHECK(top - auxval(sp, AT_PLATFORM, &found) > h[0], "platform");
	CHECK(top - auxval(sp, AT_RANDOM, &found) > h[0], "random");
}

int main(void)
{
	RUN(test_layout);
	RUN(test_vdso_and_empty);
	RUN(test_limits);
	RUN(test_matches_linux);
	elf_cleanup();
	CHECK_EQ(shim_objs, 0);
	return harness_exit();
}
