/* include/memory/loader.h — the memory node's program loader
 * (managers/memory/loader/): ELF64 x86-64 validation and load plans
 * (elf.c), the initial user stack (stack.c), and applying both to an
 * address space (exec.c).
 *
 * None of these take locks of their own; elf_plan_build and
 * stack_build are pure functions of their inputs, elf_exec_map calls the
 * locked mm_* functions.  All may sleep (the read callback will talk to
 * the storage service).  Bad files give -ENOEXEC, never a crash: the
 * validator is fuzzed by tests/host/test_elf_fuzz.c.
 */
#ifndef MEMORY_LOADER_H
#define MEMORY_LOADER_H

#include <memory/mm_space.h>

/* Reads @len bytes at @off of the executable; 0 or a negative errno.  The
 * loader never reads past @size. */
struct elf_file {
	int (*read)(void *ctx, u64 off, void *buf, u64 len);
	void *ctx;
	u64 size;
};

#define ELF_MAX_SEGMENTS	16
#define ELF_INTERP_MAX		4096	/* PATH_MAX, with the NUL */
#define ELF_DYN_BASE		0x555555554000ull /* Linux's ELF_ET_DYN_BASE */

/* One PT_LOAD, page-granular and already relocated by the bias:
 *   [start, file_end)  private mapping of the file from offset off;
 *   [zero_start, zero_end) bytes inside that mapping's last page to clear
 *                      (the partial page after p_filesz; empty when
 *                      p_memsz == p_filesz, as in Linux);
 *   [file_end, end)    anonymous zero pages up to p_memsz (.bss). */
struct elf_segment {
	u64 start, file_end, end;
	u64 off;
	u64 zero_start, zero_end;
	u32 prot;			/* PROT_* from p_flags */
	u32 unused;
};

struct elf_plan {
	u16 type;			/* ET_EXEC or ET_DYN */
	u16 phnum;			/* AT_PHNUM */
	u16 phent;			/* AT_PHENT */
	bool exec_stack;		/* PT_GNU_STACK with PF_X */
	bool has_interp;		/* PT_INTERP: interp holds the path */
	u64 bias;			/* load bias (0 for ET_EXEC) */
	u64 entry;			/* e_entry + bias (AT_ENTRY) */
	u64 phdr;			/* user address of the phdrs (AT_PHDR) */
	u64 lo, hi;			/* page-aligned span of all segments */
	u64 brk;			/* initial break: page after hi */
	u64 tls_va, tls_filesz, tls_memsz, tls_align;	/* PT_TLS, or 0s */
	unsigned int nr_segs;
	struct elf_segment seg[ELF_MAX_SEGMENTS];
	char interp[ELF_INTERP_MAX];
};

/* Validate the executable and fill @plan.  @dyn_base is where an ET_DYN
 * image's lowest segment goes (page aligned; ELF_DYN_BASE as Linux).
 * -ENOEXEC for anything malformed, or the read callback's error. */
int elf_plan_build(const struct elf_file *f, u64 dyn_base,
		   struct elf_plan *plan);

/* The initial stack (Linux x86-64 layout, top down): an 8-byte NULL end
 * marker, execfn, envp strings, argv strings, the platform string, 16
 * random bytes, padding, then auxv, envp[], argv[], argc at the final
 * 16-byte aligned rsp. */
struct stack_params {
	const char *const *argv;	/* NULL-terminated */
	const char *const *envp;	/* NULL-terminated */
	const char *execfn;		/* AT_EXECFN */
	const char *platform;		/* AT_PLATFORM, "x86_64" */
	u8 random[16];			/* AT_RANDOM bytes */
	u64 phdr, phent, phnum, entry, base, flags;
	u32 uid, euid, gid, egid;
	u64 secure;
	u64 hwcap, hwcap2, clktck;
	u64 minsigstksz;		/* AT_MINSIGSTKSZ if non-zero */
	u64 sysinfo_ehdr;		/* AT_SYSINFO_EHDR if non-zero (vDSO) */
};

/* Build the image of [*@sp, @stack_top) into the end of @buf (@size
 * bytes, standing for [stack_top - size, stack_top)).  *@sp gets the
 * initial rsp (16-byte aligned, pointing at argc).  -E2BIG if it does not
 * fit, -EINVAL for bad parameters. */
int stack_build(const struct stack_params *p, u64 stack_top, u8 *buf,
		u64 size, u64 *sp);

/* Map @plan's segments only (a dynamic program's interpreter). */
int elf_map_segments(struct mm_space *mm, const struct elf_plan *plan,
		     u64 file);

/* exec: map @plan's segments (file @file) into the empty space @mm, clear
 * the partial pages, set the break, map a GROWSDOWN stack below
 * mm_stack_top() and copy the stack image [sp, stack_top) from @img (the
 * end of a stack_build buffer). */
int elf_exec_map(struct mm_space *mm, const struct elf_plan *plan, u64 file,
		 const u8 *img_end, u64 sp);

#endif
