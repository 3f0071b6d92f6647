/* tests/host/test_elf_fuzz.c — the ELF validator against 120,000 seeded
 * mutations of real binaries, under ASan and UBSan.
 *
 * Seeds: the test program built static and static-PIE, and /bin/true if
 * the host has it (dynamic, with PT_INTERP).  Each round applies 1-8
 * mutations — random bytes in the ELF header or phdr table, bit flips,
 * "interesting" values (0, 1, page-1, file size +-1, 2^47, ~0, ...) in a
 * random phdr field or e_phoff/e_phnum/e_entry/e_type, random bytes
 * anywhere, a truncated file size — runs elf_plan_build, then undoes them.
 * Verdicts: no sanitizer report, no read outside [0, size), only 0,
 * -ENOEXEC (or -EIO never: reads are in bounds), and every accepted plan
 * obeys the loader's promises: segments page aligned, ordered, disjoint,
 * inside [MM_MIN_ADDR, MM_TASK_SIZE), file parts inside the file, zero
 * ranges inside their segment's file part, entry inside a segment, brk at
 * the top, interp NUL-terminated.  Seeded: a failure names its round.
 */
#include "mm_test_common.h"
#include "../../managers/memory/loader/elf.c"
#include "elf_test_util.h"

#define ROUNDS	120000

static bool plan_ok(const struct elf_plan *pl, u64 size, const char **why)
{
	unsigned int i;

	*why = "segments";
	if (!pl->nr_segs || pl->nr_segs > ELF_MAX_SEGMENTS)
		return false;
	for (i = 0; i < pl->nr_segs; i++) {
		const struct elf_segment *s = &pl->seg[i];

		*why = "alignment";
		if ((s->start | s->end | s->file_end | s->off) & (PGSZ - 1))
			return false;
		*why = "range";
		if (s->start < MM_MIN_ADDR || s->end > MM_TASK_SIZE ||
		    s->start >= s->end || s->file_end < s->start ||
		    s->file_end > s->end)
			return false;
		*why = "order";
		if (i && s->start < pl->seg[i - 1].end)
			return false;
		*why = "file";
		if (s->file_end > s->start && s->off >= size + PGSZ)
			return false;
		*why = "zero";
		if (s->zero_end > s->zero_start &&
		    (s->zero_start < s->start || s->zero_end != s->file_end))
			return false;
	}
	*why = "entry/brk";
	if (pl->entry < pl->lo || pl->entry >= pl->hi || pl->brk != pl->hi)
		return false;
	*why = "interp";
	if (pl->has_interp && !memchr(pl->interp, 0, sizeof(pl->interp)))
		return false;
	return true;
}

static const u64 interesting[] = {
	0, 1, 7, 8, 0x38, 0x40, 0xfff, 0x1000, 0x1001, 0x10000, 0x400000,
	0x7ffffffff000ull, 0x800000000000ull, 0xfffffffffffff000ull,
	0xffffffffffffffffull, 0x7fffffffffffffffull, 0x80000000ull,
};

struct undo {
	u64 off;
	u8 old;
};

static void poke(u8 *d, u64 size, u64 off, u8 v, struct undo *u,
		 unsigned int *nu)
{
	if (off >= size || *nu >= 256)
		return;
	u[*nu].off = off;
	u[*nu].old = d[off];
	(*nu)++;
	d[off] = v;
}

static void poke64(u8 *d, u64 size, u64 off, u64 v, struct undo *u,
		   unsigned int *nu)
{
	unsigned int i;

	for (i = 0; i < 8; i++)
		poke(d, size, off + i, (u8)(v >> (8 * i)), u, nu);
}

/* One mutation of @d; may shrink *@size. */
static void mutate(u8 *d, u64 *size, struct undo *u, unsigned int *nu)
{
	const struct elf64_ehdr *eh = (const void *)d;
	u64 phoff = eh->e_phoff < *size ? eh->e_phoff : 64;
	u64 head = MIN(*size, phoff + 56ull * 16);
	u64 iv = interesting[rnd() % ARRAY_SIZE(interesting)];

	if (!head)
		return;		/* truncated to nothing already */
	switch (rnd() % 7) {
	case 0:		/* random byte in header or phdrs */
		poke(d, *size, rnd() % head, (u8)rnd(), u, nu);
		break;
	case 1:		/* bit flip there */
		{
			u64 o = rnd() % head;

			poke(d, *size, o, d[o] ^ (u8)(1u << (rnd() % 8)), u, nu);
		}
		break;
	case 2:		/* interesting value in a phdr field */
		poke64(d, *size, phoff + 56 * (rnd() % 16) + 8 * (rnd() % 7),
		       rnd() % 4 ? iv : iv + (rnd() % 3) - 1, u, nu);
		break;
	case 3:		/* header fields: phoff, entry, phnum, type */
		switch (rnd() % 4) {
		case 0: poke64(d, *size, 32, iv, u, nu); break;
		case 1: poke64(d, *size, 24, iv, u, nu); break;
		case 2: poke(d, *size, 56, (u8)rnd(), u, nu); break;
		default: poke(d, *size, 16, (u8)(rnd() % 5), u, nu); break;
		}
		break;
	case 4:		/* random byte anywhere */
		poke(d, *size, rnd() % *size, (u8)rnd(), u, nu);
		break;
	case 5:		/* truncate */
		*size = rnd() % (*size + 1);
		break;
	default:	/* p_filesz vs p_memsz, p_offset near the end */
		poke64(d, *size, phoff + 56 * (rnd() % 16) + 32,
		       *size - (rnd() % 64), u, nu);
		break;
	}
}

static void fuzz(struct elf_blob *seeds, unsigned int nseeds)
{
	static struct elf_plan plan;
	unsigned long accepted = 0, round;

	for (round = 0; round < ROUNDS && !harness_why[0]; round++) {
		struct elf_blob *b = &seeds[rnd() % nseeds];
		unsigned int n = 1 + rnd() % 8, nu = 0, i;
		struct undo u[256];
		struct mem_file mf;
		struct elf_file f;
		const char *why;
		u64 size = b->size;
		int err;

		for (i = 0; i < n; i++)
			mutate(b->data, &size, u, &nu);
		mf = (struct mem_file){ b->data, size, 0 };
		f = (struct elf_file){ mem_read, &mf, size };
		err = elf_plan_build(&f, ELF_DYN_BASE, &plan);
		CHECK(mf.bad_reads == 0, "round %lu read out of bounds", round);
		CHECK(err == 0 || err == -ENOEXEC, "round %lu: err %d", round,
		      err);
		if (!err) {
			accepted++;
			CHECK(plan_ok(&plan, size, &why), "round %lu: plan %s",
			      round, why);
		}
		while (nu--)
			b->data[u[nu].off] = u[nu].old;
	}
	printf("fuzz: %lu rounds, %lu accepted\n", round, accepted);
	CHECK(accepted > 100 && accepted < round, "accepted %lu", accepted);
}

static void test_fuzz(void)
{
	struct elf_blob seeds[3] = { { .name = "static" },
				     { .name = "static-pie" },
				     { .name = "true" } };
	unsigned int n = 0, i;

	CHECK(elf_build(&seeds[0], "-static"), "build static");
	CHECK(elf_build(&seeds[1], "-static-pie"), "build static-pie");
	n = seeds[0].ok + seeds[1].ok;
	if (n == 2) {
		strcpy(seeds[2].path, "/bin/true");
		if (elf_load_blob(&seeds[2]))
			n++;
	}
	if (n >= 2)
		fuzz(seeds, n);
	for (i = 0; i < 3; i++)
		free(seeds[i].data);
}

int main(void)
{
	RUN(test_fuzz);
	elf_cleanup();
	CHECK_EQ(shim_objs, 0);
	return harness_exit();
}
