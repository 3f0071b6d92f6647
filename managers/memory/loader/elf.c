/* managers/memory/loader/elf.c — ELF64 x86-64 validation and load plans.
 *
 * elf_plan_build() reads the ELF header and the program-header table
 * through the caller's read callback and checks, before trusting any of
 * it: the identification (64-bit, little endian, current version,
 * x86-64), the type (ET_EXEC, or ET_DYN for static-PIE and PIE), the phdr
 * table (entry size, 1..73 entries as Linux allows: at most one page,
 * inside the file).  Each PT_LOAD: p_filesz <= p_memsz, file bytes inside
 * the file, p_vaddr and p_offset congruent modulo the page size, p_align a
 * power of two, no wrap-around, inside [MM_MIN_ADDR, MM_TASK_SIZE) after
 * the bias, ascending and page-disjoint from the previous PT_LOAD.  One
 * PT_INTERP at most, inside the file, NUL-terminated, shorter than
 * PATH_MAX.  PT_TLS inside the file with filesz <= memsz.  An empty
 * PT_LOAD (p_memsz 0) is checked and then maps nothing, as in Linux.  The entry point
 * must lie in a PT_LOAD.  Everything else is ignored, as Linux does.
 *
 * The plan: per PT_LOAD the page ranges to map from the file and as
 * anonymous memory, and the partial page to clear (LESSONS 2); the entry
 * point, AT_PHDR (from PT_PHDR, else the PT_LOAD holding e_phoff), the
 * initial break (the page after the highest segment), the bias for ET_DYN
 * (the lowest segment lands on @dyn_base), PT_GNU_STACK and PT_TLS.
 *
 * Caller: the P2M_EXECVE handler (through loader/exec.c); host fuzz test.
 * No locks; may sleep in the read callback.
 */
#include <lib/string.h>
#include <memory/loader.h>
#include <mm/mm.h>
#include <uapi/elf.h>
#include <uapi/errno.h>
#include <uapi/mman.h>

#define PG		MM_PAGE_SIZE
#define PHDRS_MAX_BYTES	4096
#define PHNUM_MAX	(PHDRS_MAX_BYTES / sizeof(struct elf64_phdr))

static int elf_check_ehdr(const struct elf64_ehdr *eh, u64 size)
{
	if (memcmp(eh->e_ident, ELFMAG, SELFMAG) ||
	    eh->e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh->e_ident[EI_DATA] != ELFDATA2LSB ||
	    eh->e_ident[EI_VERSION] != EV_CURRENT ||
	    eh->e_version != EV_CURRENT || eh->e_machine != EM_X86_64)
		return -ENOEXEC;
	if (eh->e_type != ET_EXEC && eh->e_type != ET_DYN)
		return -ENOEXEC;
	if (eh->e_phentsize != sizeof(struct elf64_phdr) ||
	    eh->e_phnum == 0 || eh->e_phnum > PHNUM_MAX)
		return -ENOEXEC;
	if (eh->e_phoff > size ||
	    (u64)eh->e_phnum * sizeof(struct elf64_phdr) > size - eh->e_phoff)
		return -ENOEXEC;
	return 0;
}

/* In-file byte range [off, off + len) check without overflow. */
static bool in_file(u64 off, u64 len, u64 size)
{
	return off <= size && len <= size - off;
}

static bool pow2_or_small(u64 a)
{
	return a <= 1 || !(a & (a - 1));
}

/* Per-PT_LOAD checks that do not depend on the bias. */
static int elf_check_load(const struct elf64_phdr *ph, u64 size)
{
	if (ph->p_filesz > ph->p_memsz)
		return -ENOEXEC;
	if (!in_file(ph->p_offset, ph->p_filesz, size))
		return -ENOEXEC;
	if ((ph->p_vaddr - ph->p_offset) & (PG - 1))
		return -ENOEXEC;
	if (!pow2_or_small(ph->p_align))
		return -ENOEXEC;
	if (ph->p_memsz > MM_TASK_SIZE || ph->p_vaddr > MM_TASK_SIZE - ph->p_memsz)
		return -ENOEXEC;
	return 0;
}

static int elf_read_interp(const struct elf_file *f,
			   const struct elf64_phdr *ph, struct elf_plan *plan)
{
	int err;

	if (plan->has_interp || ph->p_filesz < 2 ||
	    ph->p_filesz > ELF_INTERP_MAX ||
	    !in_file(ph->p_offset, ph->p_filesz, f->size))
		return -ENOEXEC;
	err = f->read(f->ctx, ph->p_offset, plan->interp, ph->p_filesz);
	if (err)
		return err;
	if (plan->interp[ph->p_filesz - 1] != '\0' ||
	    strlen(plan->interp) != ph->p_filesz - 1)
		return -ENOEXEC;
	plan->has_interp = true;
	return 0;
}

static int elf_note_tls(const struct elf64_phdr *ph, u64 size,
			struct elf_plan *plan)
{
	if (plan->tls_memsz || ph->p_filesz > ph->p_memsz ||
	    !in_file(ph->p_offset, ph->p_filesz, size) ||
	    !pow2_or_small(ph->p_align) || ph->p_memsz > MM_TASK_SIZE ||
	    ph->p_vaddr > MM_TASK_SIZE - ph->p_memsz)
		return -ENOEXEC;
	plan->tls_va = ph->p_vaddr;	/* biased later */
	plan->tls_filesz = ph->p_filesz;
	plan->tls_memsz = ph->p_memsz;
	plan->tls_align = ph->p_align;
	return 0;
}

static u32 elf_prot(u32 pf)
{
	return ((pf & PF_R) ? PROT_READ : 0) | ((pf & PF_W) ? PROT_WRITE : 0) |
	       ((pf & PF_X) ? PROT_EXEC : 0);
}

/* Record PT_LOAD @ph (unbiased) as the next segment. */
static int elf_add_load(const struct elf64_phdr *ph, u64 size,
			struct elf_plan *plan)
{
	struct elf_segment *s;
	int err = elf_check_load(ph, size);

	if (err)
		return err;
	if (!ph->p_memsz)
		return 0;		/* empty: maps nothing, as in Linux */
	if (plan->nr_segs == ELF_MAX_SEGMENTS)
		return -ENOEXEC;
	s = &plan->seg[plan->nr_segs];
	s->start = ALIGN_DOWN(ph->p_vaddr, PG);
	s->end = ALIGN_UP(ph->p_vaddr + ph->p_memsz, PG);
	s->file_end = ph->p_filesz ? ALIGN_UP(ph->p_vaddr + ph->p_filesz, PG)
				   : s->start;
	s->off = ALIGN_DOWN(ph->p_offset, PG);
	s->zero_start = s->zero_end = 0;
	if (ph->p_memsz > ph->p_filesz && s->file_end > s->start) {
		s->zero_start = ph->p_vaddr + ph->p_filesz;
		s->zero_end = s->file_end;
	}
	s->prot = elf_prot(ph->p_flags);
	if (plan->nr_segs && s->start < plan->seg[plan->nr_segs - 1].end)
		return -ENOEXEC;	/* unordered or overlapping pages */
	plan->nr_segs++;
	return 0;
}

static int elf_scan(const struct elf_file *f, const struct elf64_phdr *ph,
		    unsigned int n, struct elf_plan *plan, u64 *phdr_vaddr)
{
	unsigned int i;
	int err = 0;

	for (i = 0; i < n && !err; i++) {
		switch (ph[i].p_type) {
		case PT_LOAD:
			err = elf_add_load(&ph[i], f->size, plan);
			break;
		case PT_INTERP:
			err = elf_read_interp(f, &ph[i], plan);
			break;
		case PT_GNU_STACK:
			plan->exec_stack = ph[i].p_flags & PF_X;
			break;
		case PT_TLS:
			err = elf_note_tls(&ph[i], f->size, plan);
			break;
		case PT_PHDR:
			*phdr_vaddr = ph[i].p_vaddr;
			break;
		}
	}
	if (!err && !plan->nr_segs)
		err = -ENOEXEC;
	return err;
}

/* Where the phdr table is in memory (unbiased), or -ENOEXEC if it is not
 * inside any PT_LOAD's file bytes. */
static int elf_phdr_addr(const struct elf64_phdr *ph, unsigned int n,
			 u64 phoff, u64 *va)
{
	u64 len = n * sizeof(*ph);
	unsigned int i;

	for (i = 0; i < n; i++) {
		if (ph[i].p_type != PT_LOAD || phoff < ph[i].p_offset ||
		    phoff - ph[i].p_offset > ph[i].p_filesz ||
		    len > ph[i].p_filesz - (phoff - ph[i].p_offset))
			continue;
		*va = ph[i].p_vaddr + (phoff - ph[i].p_offset);
		return 0;
	}
	return -ENOEXEC;
}

/* Apply @bias to every address in the plan and check the result. */
static int elf_relocate(struct elf_plan *plan, u64 bias)
{
	unsigned int i;

	plan->bias = bias;
	plan->lo = plan->seg[0].start;
	plan->hi = plan->seg[plan->nr_segs - 1].end;
	if (plan->lo + bias < MM_MIN_ADDR || plan->hi > MM_TASK_SIZE - bias ||
	    plan->lo + bias < plan->lo)
		return -ENOEXEC;
	for (i = 0; i < plan->nr_segs; i++) {
		struct elf_segment *s = &plan->seg[i];

		s->start += bias;
		s->file_end += bias;
		s->end += bias;
		if (s->zero_end) {
			s->zero_start += bias;
			s->zero_end += bias;
		}
	}
	plan->lo += bias;
	plan->hi += bias;
	plan->entry += bias;
	if (plan->phdr)
		plan->phdr += bias;
	if (plan->tls_memsz)
		plan->tls_va += bias;
	plan->brk = plan->hi;
	return 0;
}

static bool elf_entry_ok(const struct elf_plan *plan)
{
	unsigned int i;

	for (i = 0; i < plan->nr_segs; i++)
		if (plan->entry >= plan->seg[i].start &&
		    plan->entry < plan->seg[i].end)
			return true;
	return false;
}

static int elf_plan_from(const struct elf_file *f,
			 const struct elf64_ehdr *eh,
			 const struct elf64_phdr *ph, u64 dyn_base,
			 struct elf_plan *plan)
{
	u64 phdr_va = ~0ull, bias = 0;
	int err;

	plan->type = eh->e_type;
	plan->phnum = eh->e_phnum;
	plan->phent = eh->e_phentsize;
	plan->entry = eh->e_entry;
	err = elf_scan(f, ph, eh->e_phnum, plan, &phdr_va);
	if (err)
		return err;
	if (phdr_va == ~0ull &&
	    elf_phdr_addr(ph, eh->e_phnum, eh->e_phoff, &phdr_va))
		phdr_va = 0;	/* not mapped: AT_PHDR 0, as Linux */
	plan->phdr = phdr_va;
	if (eh->e_type == ET_DYN) {
		if (dyn_base & (PG - 1))
			return -ENOEXEC;
		if (dyn_base > plan->seg[0].start)	/* else: prelinked */
			bias = dyn_base - plan->seg[0].start;
	}
	err = elf_relocate(plan, bias);
	if (err)
		return err;
	return elf_entry_ok(plan) ? 0 : -ENOEXEC;
}

int elf_plan_build(const struct elf_file *f, u64 dyn_base,
		   struct elf_plan *plan)
{
	struct elf64_ehdr eh;
	struct elf64_phdr *ph;
	int err;

	memset(plan, 0, sizeof(*plan));
	if (f->size < sizeof(eh))
		return -ENOEXEC;
	err = f->read(f->ctx, 0, &eh, sizeof(eh));
	if (err)
		return err;
	err = elf_check_ehdr(&eh, f->size);
	if (err)
		return err;
	ph = kmalloc(PHDRS_MAX_BYTES);
	if (!ph)
		return -ENOMEM;
	err = f->read(f->ctx, eh.e_phoff, ph, eh.e_phnum * sizeof(*ph));
	if (!err)
		err = elf_plan_from(f, &eh, ph, dyn_base, plan);
	kfree(ph);
	return err;
}
