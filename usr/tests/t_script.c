/* usr/tests/t_script.c — execve of "#!" scripts and of files that are
 * not programs.  Scripts written to the cwd name this program as their
 * interpreter (found next to argv[0]); run that way (T_SCRIPT=1 in the
 * environment) it prints the argv it got, with its directory shown as
 * "@/", so the output shows Linux's rules: the interpreter, its one
 * optional argument (inner blanks kept, trailing ones dropped, cut at the
 * 256-byte head), the script's path, the caller's argv[1..]; scripts as
 * interpreters up to the nesting limit (-ELOOP after); -ENOENT for a
 * missing interpreter, -ENOEXEC for an empty "#!" line, an overlong
 * interpreter name, text and corrupted or cut ELF headers, -EACCES for a
 * script without execute permission.  Every result is printed and
 * compared with the host's. */
#include "../lib/nolibc.h"

#define O_WRONLY_CREAT_TRUNC	(1 | 0100 | 01000)

static char dir[200];
static char self_path[256];

static void say_arg(const char *s)
{
	size_t n = slen(dir), i;

	for (i = 0; i < n && s[i] == dir[i]; i++)
		;
	if (n && i == n) {
		say("@/");
		s += n;
	}
	say("[");
	say(s);
	say("]");
}

static void child_report(int argc, char **argv)
{
	say_num("  argc ", argc);
	for (int i = 0; i < argc; i++) {
		size_t n = slen(argv[i]);

		if (n > 100 && i) {	/* a cut argument: where it ended */
			char last[2] = { argv[i][n - 1], 0 };

			say_num("  [long, ends at byte ", 3 + slen(argv[0]) + n);
			say("   last ");
			say(last);
			say("\n");
			continue;
		}
		say("  ");
		say_arg(argv[i]);
		say("\n");
	}
}

static char *cat(char *buf, const char *a, const char *b, const char *c)
{
	char *p = buf;

	for (; *a; a++)
		*p++ = *a;
	for (; *b; b++)
		*p++ = *b;
	for (; *c; c++)
		*p++ = *c;
	*p = '\0';
	return buf;
}

static void write_file(const char *name, const char *text, size_t len,
		       int mode)
{
	long fd = sys4(SYS_openat, -100, name, O_WRONLY_CREAT_TRUNC, mode);

	CHECK(fd >= 0);
	CHECK(sys3(SYS_write, fd, text, len) == (long)len);
	CHECK(sys1(SYS_close, fd) == 0);
}

static void script(const char *name, const char *text, int mode)
{
	write_file(name, text, slen(text), mode);
}

/* fork; the child execs @name with argv {"zero", "a1", "b  2"}. */
static void run(const char *name)
{
	char *cargv[] = { "zero", "a1", "b  2", 0 };
	char *cenv[] = { "T_SCRIPT=1", 0 };
	int status = 0;
	long pid;

	say("exec ");
	say(name);
	say("\n");
	pid = sys0(SYS_fork);
	if (pid == 0) {
		long err = sys3(SYS_execve, name, cargv, cenv);

		say_num("  execve ", err);
		exit_group(0);
	}
	CHECK(pid > 0);
	CHECK(sys4(SYS_wait4, pid, &status, 0, 0) == pid);
	say_num("  status ", status);
}

static unsigned char elf[4096];

static void put(unsigned off, unsigned long v, int n)
{
	for (int i = 0; i < n; i++)
		elf[off + i] = (unsigned char)(v >> (8 * i));
}

/* A minimal static program: one PT_LOAD of this page at 0x400000 whose
 * code exits with 42. */
static void make_elf(void)
{
	static const unsigned char code[] = {
		0xb8, 60, 0, 0, 0,	/* mov $60, %eax */
		0xbf, 42, 0, 0, 0,	/* mov $42, %edi */
		0x0f, 0x05,		/* syscall */
	};

	put(0, 0x464c457f, 4);		/* \x7fELF */
	put(4, 0x010102, 3);		/* 64-bit, little endian, v1 */
	put(16, 2, 2);			/* ET_EXEC */
	put(18, 62, 2);			/* EM_X86_64 */
	put(20, 1, 4);
	put(24, 0x400078, 8);		/* e_entry */
	put(32, 64, 8);			/* e_phoff */
	put(52, 64, 2);			/* e_ehsize */
	put(54, 56, 2);			/* e_phentsize */
	put(56, 1, 2);			/* e_phnum */
	put(64, 1, 4);			/* PT_LOAD */
	put(68, 5, 4);			/* R+X */
	put(80, 0x400000, 8);		/* p_vaddr */
	put(88, 0x400000, 8);		/* p_paddr */
	put(96, sizeof(elf), 8);	/* p_filesz */
	put(104, sizeof(elf), 8);	/* p_memsz */
	put(112, 4096, 8);		/* p_align */
	for (unsigned i = 0; i < sizeof(code); i++)
		elf[0x78 + i] = code[i];
}

/* The program with @len bytes kept and the 2-byte field at @off set to
 * @val (off < 0: none). */
static void bad_elf(const char *name, long len, long off, int val)
{
	static unsigned char copy[sizeof(elf)];

	for (long i = 0; i < len; i++)
		copy[i] = elf[i];
	if (off >= 0) {
		copy[off] = (unsigned char)val;
		copy[off + 1] = (unsigned char)(val >> 8);
	}
	write_file(name, (const char *)copy, len, 0755);
}

/* A name filling the 256-byte head without an end: -ENOEXEC; an
 * argument doing so is cut. */
static void long_lines(void)
{
	char line[400];

	for (int i = 0; i < 300; i++)
		line[i] = 'n';
	line[0] = '#';
	line[1] = '!';
	line[300] = '\0';
	script("s_longname", line, 0755);
	run("./s_longname");
	cat(line, "#!", self_path, " ");
	for (size_t i = slen(line); i < 300; i++)
		line[i] = (char)('a' + i % 26);
	line[300] = '\n';
	line[301] = '\0';
	script("s_longarg", line, 0755);
	run("./s_longarg");
}

static void elf_files(void)
{
	/* A tiny program, then copies cut short or with a bad field. */
	make_elf();
	bad_elf("e_good", sizeof(elf), -1, 0);
	run("./e_good");
	bad_elf("e_short", 40, -1, 0);
	run("./e_short");
	bad_elf("e_machine", sizeof(elf), 18, 3);	/* EM_386 */
	run("./e_machine");
	bad_elf("e_type", sizeof(elf), 16, 1);		/* ET_REL */
	run("./e_type");
	bad_elf("e_phentsize", sizeof(elf), 54, 32);
	run("./e_phentsize");
	bad_elf("e_phnum", sizeof(elf), 56, 0);
	run("./e_phnum");
}

int main(int argc, char **argv, char **envp)
{
	char line[400], c[8], prev[8];
	const char *me = argv[0];

	{
		size_t i, slash = 0;

		for (i = 0; argv[0][i] && i < sizeof(dir) - 1; i++) {
			if (argv[0][i] == '/')
				slash = i + 1;
			dir[i] = argv[0][i];
		}
		dir[slash] = '\0';
		me = argv[0] + slash;	/* t_script, g_t_script, m_t_script */
	}
	for (char **e = envp; *e; e++)
		if (streq(*e, "T_SCRIPT=1")) {
			child_report(argc, argv);
			return 0;
		}
	cat(self_path, dir, me, "");
	script("s_arg", cat(line, "#!", self_path, "  --opt  x  y \t \n"), 0755);
	run("./s_arg");
	script("s_noarg", cat(line, "#!", self_path, "\necho ignored\n"), 0755);
	run("s_noarg");
	script("s_tab", cat(line, "#!\t ", self_path, "\t-t\n"), 0755);
	run("./s_tab");
	script("s_noeol", cat(line, "#!", self_path, " -n"), 0755);
	run("./s_noeol");
	script("s_nest", "#!./s_arg nested\n", 0755);
	run("./s_nest");
	/* c0 runs us; cN runs c(N-1): c4 is 5 scripts deep, c5 6. */
	script("c0", cat(line, "#!", self_path, "\n"), 0755);
	for (int i = 1; i <= 5; i++) {
		cat(c, "c", "", "");
		c[1] = (char)('0' + i);
		c[2] = '\0';
		cat(prev, "./c", "", "");
		prev[3] = (char)('0' + i - 1);
		prev[4] = '\0';
		script(c, cat(line, "#!", prev, "\n"), 0755);
	}
	run("./c4");
	run("./c5");
	script("s_loop", "#!./s_loop\n", 0755);
	run("./s_loop");
	script("s_missing", "#!/nonexistent/interp -x\n", 0755);
	run("./s_missing");
	script("s_empty", "#!  \t \n", 0755);
	run("./s_empty");
	script("s_text", "hello, not a program\n", 0755);
	run("./s_text");
	script("s_noexec", cat(line, "#!", self_path, "\n"), 0644);
	run("./s_noexec");
	long_lines();
	elf_files();
	say("ok script\n");
	return 0;
}
