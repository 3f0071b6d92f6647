/* tests/host/test_elf_load.c — the ELF loader on real programs.
 *
 * A test program is built with the host gcc as a static executable, a
 * static PIE and (if the host can) a dynamic PIE.  For each, the load plan
 * is checked against `readelf -lW`, parsed here: every PT_LOAD's page
 * range, file offset, file/anonymous split, zero range and protection;
 * the entry point, AT_PHDR, PT_INTERP, PT_GNU_STACK, PT_TLS, the bias
 * and the initial break.  Then the plan is applied to a fresh address
 * space whose file pages come from the binary, with a real stack image,
 * and every byte of every segment is read back through the fault path:
 * file bytes equal the file, everything from p_filesz to p_memsz is zero
 * (.bss and the partial page — LESSONS 2), and the stack holds argc.
 * The program also runs natively and reports a zero .bss itself.  Last,
 * some two dozen specific bad files made from the static binary
 * (truncated, wrong class/machine/type, bad phdr table, filesz > memsz,
 * data past EOF, incongruent offsets, overlapping or unordered segments,
 * wrap-around, absurd sizes, below mmap_min_addr, unterminated
 * PT_INTERP) must each give -ENOEXEC without reading out of bounds.
 */
#include "mm_test_common.h"
#include "../../managers/memory/loader/elf.c"
#include "../../managers/memory/loader/stack.c"
#include "../../managers/memory/loader/exec.c"
#include "elf_test_util.h"

struct ro_load {
	u64 off, vaddr, filesz, memsz, align;
	u32 flags;
};

struct readelf_info {
	u64 entry;
	unsigned int nload;
	struct ro_load load[16];
	bool has_phdr, has_tls, has_stack, stack_x;
	u64 phdr_vaddr;
	struct ro_load tls;
	char interp[256];
};

static u32 parse_flags(const char *f)
{
	return (strchr(f, 'R') ? PF_R : 0) | (strchr(f, 'W') ? PF_W : 0) |
	       (strchr(f, 'E') ? PF_X : 0);
}

static void parse_phdr_line(const char *line, struct readelf_info *ri)
{
	char type[32], flg[8] = "";
	unsigned long long off, va, pa, fs, ms, al;
	struct ro_load l;
	int n;

	if (sscanf(line, " %31s 0x%llx 0x%llx 0x%llx 0x%llx 0x%llx %n", type,
		   &off, &va, &pa, &fs, &ms, &n) != 6)
		return;
	/* Flags are "R", "RW", "R E", "RWE": up to the last field. */
	sscanf(line + n, "%7[RWE ] 0x%llx", flg, &al);
	l = (struct ro_load){ off, va, fs, ms, al, parse_flags(flg) };
	if (!strcmp(type, "LOAD") && ri->nload < 16)
		ri->load[ri->nload++] = l;
	else if (!strcmp(type, "PHDR")) {
		ri->has_phdr = true;
		ri->phdr_vaddr = va;
	} else if (!strcmp(type, "TLS")) {
		ri->has_tls = true;
		ri->tls = l;
	} else if (!strcmp(type, "GNU_STACK")) {
		ri->has_stack = true;
		ri->stack_x = l.flags & PF_X;
	}
}

static bool run_readelf(const char *path, struct readelf_info *ri)
{
	char cmd[400], line[512];
	FILE *p;

	memset(ri, 0, sizeof(*ri));
	snprintf(cmd, sizeof(cmd), "readelf -lW %s", path);
	p = popen(cmd, "r");
	if (!p)
		return false;
	while (fgets(line, sizeof(line), p)) {
		unsigned long long e;

		if (sscanf(line, "Entry point 0x%llx", &e) == 1)
			ri->entry = e;
		else if (sscanf(line, " [Requesting program interpreter: %255[^]]",
				ri->interp) == 1)
			continue;
		else if (line[0] == ' ' && line[1] == ' ')
			parse_phdr_line(line, ri);
	}
	return pclose(p) == 0 && ri->nload > 0;
}

static void check_segment(const struct elf_segment *s, const struct ro_load *l,
			  u64 bias, unsigned int i)
{
	u64 fend = l->vaddr + l->filesz;

	CHECK(s->start == ALIGN_DOWN(l->vaddr, PGSZ) + bias, "seg %u start", i);
	CHECK(s->end == ALIGN_UP(l->vaddr + l->memsz, PGSZ) + bias,
	      "seg %u end", i);
	CHECK(s->off == ALIGN_DOWN(l->off, PGSZ), "seg %u off", i);
	CHECK(s->file_end == (l->filesz ? ALIGN_UP(fend, PGSZ) + bias :
			      s->start), "seg %u file_end", i);
	if (l->memsz > l->filesz && l->filesz) {
		CHECK(s->zero_start == fend + bias, "seg %u zero_start", i);
		CHECK(s->zero_end == ALIGN_UP(fend, PGSZ) + bias,
		      "seg %u zero_end", i);
	} else {
		CHECK(s->zero_start == s->zero_end, "seg %u zero range", i);
	}
	CHECK(s->prot == (((l->flags & PF_R) ? PROT_READ : 0) |
			  ((l->flags & PF_W) ? PROT_WRITE : 0) |
			  ((l->flags & PF_X) ? PROT_EXEC : 0)), "seg %u prot", i);
}

static void check_plan(const struct elf_plan *pl, const struct readelf_info *ri,
		       const struct elf_blob *b)
{
	const struct elf64_ehdr *eh = (const void *)b->data;
	u64 bias = pl->bias, hi = 0;
	unsigned int i;

	CHECK_EQ(pl->nr_segs, ri->nload);
	CHECK_EQ(pl->type, eh->e_type);
	CHECK(eh->e_type == ET_DYN ? bias == ELF_DYN_BASE : bias == 0,
	      "bias %llx", (unsigned long long)bias);
	for (i = 0; i < pl->nr_segs && i < ri->nload; i++) {
		check_segment(&pl->seg[i], &ri->load[i], bias, i);
		hi = MAX(hi, ALIGN_UP(ri->load[i].vaddr + ri->load[i].memsz,
				      PGSZ) + bias);
	}
	CHECK_EQ(pl->entry, ri->entry + bias);
	CHECK_EQ(pl->brk, hi);
	CHECK_EQ(pl->phnum, eh->e_phnum);
	CHECK_EQ(pl->phent, 56);
	if (ri->has_phdr)
		CHECK_EQ(pl->phdr, ri->phdr_vaddr + bias);
	else	/* static: the first PT_LOAD maps offset 0 */
		CHECK_EQ(pl->phdr, ri->load[0].vaddr + eh->e_phoff + bias);
	CHECK(pl->has_interp == (ri->interp[0] != 0), "interp presence");
	CHECK(!strcmp(pl->interp, ri->interp), "interp %s", pl->interp);
	CHECK(pl->exec_stack == (ri->has_stack && ri->stack_x), "stack");
	if (ri->has_tls) {
		CHECK_EQ(pl->tls_va, ri->tls.vaddr + bias);
		CHECK_EQ(pl->tls_memsz, ri->tls.memsz);
		CHECK_EQ(pl->tls_filesz, ri->tls.filesz);
	}
}

static struct mem_file cur_file;

static int file_page(void *ctx, u64 file, u64 off, void *page)
{
	u64 n = off < cur_file.size ? MIN(PGSZ, cur_file.size - off) : 0;

	memset(page, 0, PGSZ);
	if (n)
		memcpy(page, cur_file.data + off, n);
	return 0;
}

static const struct mm_file_ops blob_fops = { .read_page = file_page };

/* Apply the plan; read every segment back through the fault path. */
static void check_loaded(const struct elf_plan *pl,
			 const struct readelf_info *ri, const struct elf_blob *b)
{
	struct mm_space_params sp = { 1, 1, 0, 0, &blob_fops, NULL };
	const char *argv[] = { b->path, "one", NULL }, *envp[] = { "A=1", NULL };
	struct stack_params p = { .argv = argv, .envp = envp,
				  .execfn = b->path, .platform = "x86_64" };
	struct mm_space *mm = mm_space_create(&sp);
	static u8 img[65536], buf[1 << 20];
	u64 stack_sp = 0, argc = 0;
	unsigned int i;

	CHECK_EQ(stack_build(&p, mm_stack_top(mm), img, sizeof(img),
			     &stack_sp), 0);
	CHECK_EQ(elf_exec_map(mm, pl, 42, img + sizeof(img), stack_sp), 0);
	for (i = 0; i < ri->nload; i++) {
		const struct ro_load *l = &ri->load[i];
		u64 va = l->vaddr + pl->bias, j;

		CHECK(l->memsz <= sizeof(buf), "segment too big for the test");
		if (l->memsz > sizeof(buf))
			continue;
		CHECK_EQ(mm_read(mm, va, buf, l->memsz), 0);
		CHECK(!memcmp(buf, b->data + l->off, l->filesz),
		      "seg %u file bytes differ", i);
		for (j = l->filesz; j < l->memsz; j++)
			if (buf[j])
				break;
		CHECK(j == l->memsz, "seg %u: byte %llu past p_filesz is %#x", i,
		      (unsigned long long)j, buf[j < l->memsz ? j : 0]);
		/* The partial page after p_filesz is zero too. */
		j = ALIGN_UP(va + l->filesz, PGSZ) - (va + l->filesz);
		if (l->memsz > l->filesz && j && j <= sizeof(buf)) {
			CHECK_EQ(mm_read(mm, va + l->filesz, buf, j), 0);
			CHECK(!memchr(buf, 1, j) && !memchr(buf, 0xa5, j),
			      "partial page not clear");
		}
	}
	CHECK_EQ(mm_read(mm, stack_sp, &argc, 8), 0);
	CHECK_EQ(argc, 2);
	CHECK_EQ(mm_brk(mm, 0, NULL), pl->brk);
	CHECK(space_ok(mm), "invariants");
	mm_space_destroy(mm);
}

static void check_binary(const char *name, const char *flags, bool must)
{
	struct elf_blob b = { .name = name };
	struct readelf_info ri;
	struct elf_plan *pl = calloc(1, sizeof(*pl));
	struct elf_file f;
	int err;

	if (!elf_build(&b, flags)) {
		CHECK(!must, "cannot build %s with gcc %s", name, flags);
		printf("note: %s not built (gcc %s), skipped\n", name, flags);
		free(pl);
		return;
	}
	CHECK(run_readelf(b.path, &ri), "readelf %s", b.path);
	cur_file = (struct mem_file){ b.data, b.size, 0 };
	f = (struct elf_file){ mem_read, &cur_file, b.size };
	err = elf_plan_build(&f, ELF_DYN_BASE, pl);
	CHECK_EQ(err, 0);
	CHECK_EQ(cur_file.bad_reads, 0);
	if (!err) {
		check_plan(pl, &ri, &b);
		if (!pl->has_interp)
			check_loaded(pl, &ri, &b);
	}
	if (!pl->has_interp) {	/* native run: .bss zero, exit 0 */
		char cmd[300];

		snprintf(cmd, sizeof(cmd), "%s a b > /dev/null", b.path);
		CHECK(system(cmd) == 0, "native run of %s", name);
	}
	free(pl);
	free(b.data);
}

/* Specific bad files, made from the static binary: each -ENOEXEC. */
static int plan_of(u8 *d, u64 size)
{
	static struct elf_plan pl;
	struct mem_file m = { d, size, 0 };
	struct elf_file f = { mem_read, &m, size };
	int err = elf_plan_build(&f, ELF_DYN_BASE, &pl);

	CHECK_EQ(m.bad_reads, 0);
	return err;
}

static struct elf64_phdr *nth_load(u8 *d, unsigned int n)
{
	struct elf64_ehdr *eh = (void *)d;
	struct elf64_phdr *ph = (void *)(d + eh->e_phoff);
	unsigned int i;

	for (i = 0; i < eh->e_phnum; i++)
		if (ph[i].p_type == PT_LOAD && !n--)
			return &ph[i];
	return NULL;
}

static void test_bad_elfs(void)
{
	struct elf_blob b = { .name = "bad" };
	struct elf64_ehdr *eh;
	struct elf64_phdr *l0, *l1, save0, save1;
	u8 *d;

#define BAD(what, stmt) do { struct elf64_ehdr se = *eh;                   \
		save0 = *l0; save1 = *l1; stmt;                             \
		CHECK(plan_of(d, b.size) == -ENOEXEC, "%s accepted", what); \
		*eh = se; *l0 = save0; *l1 = save1; } while (0)
	if (!elf_build(&b, "-static")) {
		CHECK(0, "cannot build");
		return;
	}
	d = b.data;
	eh = (void *)d;
	l0 = nth_load(d, 0);
	l1 = nth_load(d, 1);
	CHECK_EQ(plan_of(d, b.size), 0);
	CHECK_EQ(plan_of(d, 63), -ENOEXEC);			/* truncated */
	CHECK_EQ(plan_of(d, eh->e_phoff + 100), -ENOEXEC);	/* cut phdrs */
	CHECK_EQ(plan_of(d, l1->p_offset + 10), -ENOEXEC);	/* cut data */
	BAD("magic", d[1] = 'X');
	BAD("32-bit", d[EI_CLASS] = 1);
	BAD("big endian", d[EI_DATA] = 2);
	BAD("machine", eh->e_machine = 3);
	BAD("ET_REL", eh->e_type = ET_REL);
	BAD("phnum 0", eh->e_phnum = 0);
	BAD("phnum huge", eh->e_phnum = 1000);
	BAD("phentsize", eh->e_phentsize = 32);
	BAD("phoff past end", eh->e_phoff = b.size - 8);
	BAD("entry outside", eh->e_entry = 0x100);
	BAD("filesz > memsz", l1->p_filesz = l1->p_memsz + 1);
	BAD("offset past end", l1->p_offset = b.size + 0x1000);
	BAD("incongruent", l1->p_vaddr += 8);
	BAD("align not pow2", l1->p_align = 0x3000);
	BAD("overlap", l1->p_vaddr = l0->p_vaddr; l1->p_offset = l0->p_offset);
	BAD("unordered", l1->p_vaddr = l0->p_vaddr - 0x100000;
	    l1->p_offset = l0->p_offset);
	BAD("wraps", l1->p_memsz = ~0ull - l1->p_vaddr + 2);
	BAD("beyond user space", l1->p_vaddr = 0x7ffffffff000ull;
	    l1->p_offset = 0);
	BAD("absurd memsz", l1->p_memsz = 1ull << 50);
	BAD("below mmap_min_addr", l0->p_vaddr = 0; l0->p_offset = 0);
	BAD("interp not terminated", l1->p_type = PT_INTERP;
	    l1->p_filesz = 3);
#undef BAD
	free(b.data);
}

static void test_static(void)
{
	check_binary("static", "-static", true);
}

static void test_static_pie(void)
{
	check_binary("static-pie", "-static-pie", true);
}

static void test_dynamic_pie(void)
{
	check_binary("dyn-pie", "-pie -fPIE", false);
}

static void test_execstack(void)
{
	check_binary("execstack", "-static -z execstack", false);
}

int main(void)
{
	RUN(test_static);
	RUN(test_static_pie);
	RUN(test_dynamic_pie);
	RUN(test_execstack);
	RUN(test_bad_elfs);
	elf_cleanup();
	CHECK_EQ(mm_pages_in_use(), 0);
	return harness_exit();
}
