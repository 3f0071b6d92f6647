/* managers/memory/loader/exec.c — apply a load plan and a stack image to
 * a fresh address space.
 *
 * For each segment of an elf_plan (loader/elf.c): a private file mapping
 * of its file pages, anonymous pages up to p_memsz, then the bytes after
 * p_filesz in the last file page are cleared (the page becomes this
 * space's private copy) — so .bss reads as zero (LESSONS 2).  Then the
 * break is set to the page after the highest segment and the stack VMA is
 * mapped: GROWSDOWN, read-write (executable only if PT_GNU_STACK asks),
 * the image plus 128 KiB like Linux's initial stack, ending at
 * mm_stack_top(); the image from stack_build is copied to [sp, top).
 *
 * A dynamic program's interpreter (PT_INTERP) is planned with its own
 * elf_plan_build (dyn_base: an mmap-chosen free area) and mapped with
 * elf_map_segments; the stack then carries AT_BASE = its bias and the
 * process starts at the interpreter's entry.
 *
 * The space must be new and empty: on error the caller destroys it and the
 * process keeps its old space (exec's point of no return comes after).
 * Locking: through the mm_* calls.  Caller: the P2M_EXECVE handler.
 */
#include <memory/loader.h>
#include <uapi/errno.h>
#include <uapi/mman.h>

#define STACK_EXPAND	(128ull << 10)

static int map_segment(struct mm_space *mm, const struct elf_segment *s,
		       u64 file)
{
	u64 addr;
	int err = 0;

	if (s->file_end > s->start)
		err = mm_mmap(mm, s->start, s->file_end - s->start, s->prot,
			      MAP_PRIVATE | MAP_FIXED, file, s->off, &addr,
			      NULL);
	if (!err && s->end > s->file_end)
		err = mm_mmap(mm, s->file_end, s->end - s->file_end, s->prot,
			      MAP_PRIVATE | MAP_FIXED | MAP_ANONYMOUS, 0, 0,
			      &addr, NULL);
	if (!err && s->zero_end > s->zero_start)
		err = mm_zero(mm, s->zero_start, s->zero_end - s->zero_start);
	return err;
}

int elf_map_segments(struct mm_space *mm, const struct elf_plan *plan,
		     u64 file)
{
	unsigned int i;
	int err;

	for (i = 0; i < plan->nr_segs; i++) {
		err = map_segment(mm, &plan->seg[i], file);
		if (err)
			return err;
	}
	return 0;
}

int elf_exec_map(struct mm_space *mm, const struct elf_plan *plan, u64 file,
		 const u8 *img_end, u64 sp)
{
	u64 top = mm_stack_top(mm), len, size, addr;
	u32 prot = PROT_READ | PROT_WRITE;
	int err;

	if (sp >= top || top - sp > MM_STACK_LIMIT)
		return -E2BIG;
	err = elf_map_segments(mm, plan, file);
	if (err)
		return err;
	mm_set_brk(mm, plan->brk);
	len = top - sp;
	size = ALIGN_UP(len, MM_PAGE_SIZE) + STACK_EXPAND;
	if (plan->exec_stack)
		prot |= PROT_EXEC;
	err = mm_mmap(mm, top - size, size, prot,
		      MAP_PRIVATE | MAP_FIXED | MAP_ANONYMOUS | MAP_GROWSDOWN,
		      0, 0, &addr, NULL);
	if (err)
		return err;
	return mm_write(mm, sp, img_end - len, len);
}
