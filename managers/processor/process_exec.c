/* managers/processor/process_exec.c — starting programs without the
 * memory node: a static ELF (an embedded program, or a file read piece
 * by piece through struct exec_source, with no size limit) is loaded into
 * a local address space (localmm.c), the initial stack is built the way
 * Linux builds it, and execve replaces the calling process's image.
 * Programs come from the table of programs embedded in the kernel
 * (usr/, embedded.S), looked up by path or base name, then from the root
 * file system.  "#!" scripts are resolved before (exec_script.c); with
 * P2M the memory node loads the program (P2M_EXECVE) instead.
 *
 * Initial stack (from the top): the 16 random bytes of AT_RANDOM, the
 * platform string, the argv and envp strings, padding to 16, auxv,
 * envp[] NULL, argv[] NULL, argc <- rsp.  Segments: PT_LOAD only, file
 * bytes read into the freshly mapped pages and the rest left zero
 * (LESSONS 2: .bss is zero up to p_memsz); ET_DYN (static-pie) is placed
 * at PIE_BASE.  Interpreters (PT_INTERP, dynamic programs) -ENOEXEC until
 * file-backed mmap exists locally.  Truncated or malformed files
 * -ENOEXEC (exec_test.c).
 */
#include <asm/fpu.h>
#include <asm/layout.h>
#include <asm/syscall.h>
#include <asm/paging.h>
#include <asm/thread.h>
#include <asm/uaccess.h>
#include <kernel/sched.h>
#include <lib/string.h>
#include <mm/mm.h>
#include <processor/abi.h>
#include <processor/files.h>
#include <uapi/auxvec.h>
#include <uapi/elf.h>
#include <uapi/errno.h>
#include <uapi/fcntl.h>
#include "internal.h"

#define STACK_TOP	0x7ffffffff000ull
#define STACK_SIZE	(256 * 1024ull)
#define STACK_BUILD	(16 * 1024)	/* room for strings, vectors, auxv */
#define PIE_BASE	0x555555554000ull
#define PHNUM_MAX	(PAGE_SIZE / sizeof(struct elf64_phdr))	/* as Linux */

static int check_ehdr(const struct elf64_ehdr *eh, u64 len)
{
	if (len < sizeof(*eh) || memcmp(eh->e_ident, ELFMAG, SELFMAG) ||
	    eh->e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh->e_ident[EI_DATA] != ELFDATA2LSB ||
	    eh->e_machine != EM_X86_64 ||
	    (eh->e_type != ET_EXEC && eh->e_type != ET_DYN) ||
	    eh->e_phentsize != sizeof(struct elf64_phdr) || !eh->e_phnum ||
	    eh->e_phnum > PHNUM_MAX || eh->e_phoff > len ||
	    eh->e_phnum * sizeof(struct elf64_phdr) > len - eh->e_phoff)
		return -ENOEXEC;
	return 0;
}

static u64 pte_of(u32 pf)
{
	return ((pf & PF_W) ? PTE_W : 0) | ((pf & PF_X) ? 0 : PTE_NX);
}

/* Copy @len file bytes at @off to user address @va of the (mapped, not
 * yet running) space, a page at a time straight into its pages. */
static int fill_segment(struct proc_mm *mm, struct exec_source *src, u64 va,
			u64 off, u64 len)
{
	while (len) {
		u64 in = va & (PAGE_SIZE - 1), n = MIN(len, PAGE_SIZE - in);
		u8 *page = localmm_page(mm, va);
		int err;

		if (!page)
			return -EFAULT;
		err = exec_source_read(src, off, page + in, n);
		if (err)
			return err;
		va += n;
		off += n;
		len -= n;
	}
	return 0;
}

/* Map the PT_LOAD segments; *brk gets the end of the highest one and
 * *phdr the user address of the program headers. */
static int load_segments(struct proc_mm *mm, struct exec_source *src,
			 const struct elf64_ehdr *eh,
			 const struct elf64_phdr *ph, u64 base, u64 *brk,
			 u64 *phdr)
{
	int err;

	*brk = 0;
	*phdr = 0;
	for (int i = 0; i < eh->e_phnum; i++) {
		u64 va = base + ph[i].p_vaddr, start = ALIGN_DOWN(va, PAGE_SIZE);

		if (ph[i].p_type == PT_INTERP)
			return -ENOEXEC;
		if (ph[i].p_type != PT_LOAD || !ph[i].p_memsz)
			continue;
		if (ph[i].p_filesz > ph[i].p_memsz || ph[i].p_offset > src->size ||
		    ph[i].p_filesz > src->size - ph[i].p_offset ||
		    !user_range_ok(va, ph[i].p_memsz) || va < PAGE_SIZE)
			return -ENOEXEC;
		err = localmm_map(mm, start, ALIGN_UP(va + ph[i].p_memsz, PAGE_SIZE) - start,
				  pte_of(ph[i].p_flags), NULL, 0, 0);
		if (!err)
			err = fill_segment(mm, src, va, ph[i].p_offset,
					   ph[i].p_filesz);
		if (err)
			return err;
		if (eh->e_phoff >= ph[i].p_offset &&
		    eh->e_phoff - ph[i].p_offset < ph[i].p_filesz)
			*phdr = va + eh->e_phoff - ph[i].p_offset;
		*brk = MAX(*brk, va + ph[i].p_memsz);
	}
	return *brk ? 0 : -ENOEXEC;
}

struct stack_builder {
	u8 *buf;		/* mirrors [STACK_TOP - STACK_BUILD, STACK_TOP) */
	u64 sp;			/* user address of the next free byte below */
	bool overflow;
	u64 ptrs[2 * EXEC_MAX_ARGS];	/* argv and envp user addresses */
};

static u64 push_bytes(struct stack_builder *sb, const void *p, size_t n)
{
	if (sb->sp - n < STACK_TOP - STACK_BUILD) {
		sb->overflow = true;
		return 0;
	}
	sb->sp -= n;
	memcpy(sb->buf + (sb->sp - (STACK_TOP - STACK_BUILD)), p, n);
	return sb->sp;
}

static void push_u64(struct stack_builder *sb, u64 v)
{
	push_bytes(sb, &v, 8);
}

/* Build argv/envp/auxv; returns the initial rsp or 0 on overflow. */
static u64 build_stack(struct stack_builder *sb, const char *const *argv,
		       const char *const *envp, const struct elf64_ehdr *eh,
		       u64 base, u64 phdr, const char *path)
{
	u64 *ap = sb->ptrs, *ep = sb->ptrs + EXEC_MAX_ARGS, rnd, plat, fn;
	int argc = 0, envc = 0;
	u8 random[16];
	u64 aux[][2] = {
		{ AT_PHDR, phdr }, { AT_PHENT, sizeof(struct elf64_phdr) },
		{ AT_PHNUM, eh->e_phnum }, { AT_PAGESZ, PAGE_SIZE },
		{ AT_BASE, 0 }, { AT_FLAGS, 0 }, { AT_ENTRY, base + eh->e_entry },
		{ AT_UID, 0 }, { AT_EUID, 0 }, { AT_GID, 0 }, { AT_EGID, 0 },
		{ AT_HWCAP, 0x178bfbff }, { AT_CLKTCK, 100 }, { AT_SECURE, 0 },
		{ AT_RANDOM, 0 }, { AT_PLATFORM, 0 }, { AT_EXECFN, 0 },
		{ AT_NULL, 0 },
	};

	abi_random_bytes(random, sizeof(random));
	rnd = push_bytes(sb, random, sizeof(random));
	plat = push_bytes(sb, "x86_64", 7);
	fn = push_bytes(sb, path, strlen(path) + 1);
	for (; argv[argc] && argc < EXEC_MAX_ARGS; argc++)
		ap[argc] = push_bytes(sb, argv[argc], strlen(argv[argc]) + 1);
	for (; envp[envc] && envc < EXEC_MAX_ARGS; envc++)
		ep[envc] = push_bytes(sb, envp[envc], strlen(envp[envc]) + 1);
	aux[14][1] = rnd;
	aux[15][1] = plat;
	aux[16][1] = fn;
	sb->sp = ALIGN_DOWN(sb->sp, 16);
	/* argc + argv + NULL + envp + NULL + auxv must end 16-aligned. */
	if ((argc + envc + 3) & 1)
		push_u64(sb, 0);
	push_bytes(sb, aux, sizeof(aux));
	push_u64(sb, 0);
	for (int i = envc - 1; i >= 0; i--)
		push_u64(sb, ep[i]);
	push_u64(sb, 0);
	for (int i = argc - 1; i >= 0; i--)
		push_u64(sb, ap[i]);
	push_u64(sb, argc);
	return sb->overflow ? 0 : sb->sp;
}

/* The ELF header and program headers of @src, validated; *@ph is
 * kmalloc'ed. */
static int read_headers(struct exec_source *src, struct elf64_ehdr *eh,
			struct elf64_phdr **ph)
{
	int err;

	*ph = NULL;
	if (src->size < sizeof(*eh))
		return -ENOEXEC;
	err = exec_source_read(src, 0, eh, sizeof(*eh));
	if (!err)
		err = check_ehdr(eh, src->size);
	if (err)
		return err;
	*ph = kmalloc(eh->e_phnum * sizeof(**ph));
	if (!*ph)
		return -ENOMEM;
	err = exec_source_read(src, eh->e_phoff, *ph, eh->e_phnum * sizeof(**ph));
	if (err) {
		kfree(*ph);
		*ph = NULL;
	}
	return err;
}

/* Build the initial stack in a buffer and map it below STACK_TOP. */
static int map_stack(struct process *p, const char *const *argv,
		     const char *const *envp, const struct elf64_ehdr *eh,
		     u64 base, u64 phdr, const char *execfn,
		     struct exec_image *img)
{
	struct stack_builder *sb = kzalloc(sizeof(*sb));
	int err;

	if (sb)
		sb->buf = kzalloc(STACK_BUILD);
	if (!sb || !sb->buf) {
		kfree(sb);
		return -ENOMEM;
	}
	sb->sp = STACK_TOP;
	img->sp = build_stack(sb, argv, envp, eh, base, phdr, execfn);
	err = img->sp ? 0 : -E2BIG;
	if (!err)
		err = localmm_map(p->mm, STACK_TOP - STACK_SIZE, STACK_SIZE,
				  PTE_W | PTE_NX, sb->buf, STACK_BUILD,
				  STACK_SIZE - STACK_BUILD);
	kfree(sb->buf);
	kfree(sb);
	return err;
}

int process_load_elf(struct process *p, struct exec_source *src,
		     const char *const *argv, const char *const *envp,
		     const char *execfn, struct exec_image *img)
{
	struct elf64_phdr *ph;
	struct elf64_ehdr eh;
	u64 base, brk, phdr;
	int err = read_headers(src, &eh, &ph);

	if (err)
		return err;
	base = eh.e_type == ET_DYN ? PIE_BASE : 0;
	err = load_segments(p->mm, src, &eh, ph, base, &brk, &phdr);
	kfree(ph);
	if (!err)
		err = map_stack(p, argv, envp, &eh, base, phdr, execfn, img);
	img->entry = base + eh.e_entry;
	if (!err)
		err = localmm_set_brk(p->mm, brk);
	if (!err)
		strscpy(p->exe, src->path, sizeof(p->exe));
	return err;
}

/* Open @path for exec; embedded programs win. */
int exec_source_get(const char *path, struct exec_source *src)
{
	const struct embedded_prog *prog = embedded_find(path);
	struct stat st;
	int err;

	memset(src, 0, sizeof(*src));
	if (prog) {
		src->data = prog->start;
		src->size = prog->end - prog->start;
		strscpy(src->path, prog->name, sizeof(src->path));
		return 0;
	}
	err = abi_kern_open(path, O_RDONLY, &src->file);
	if (err)
		return err;
	err = file_stat(src->file, &st);
	if (!err && (st.st_mode & S_IFMT) != S_IFREG)
		err = -EACCES;
	if (!err && !(st.st_mode & 0111))
		err = -EACCES;
	if (err) {
		exec_source_put(src);
		return err;
	}
	src->size = st.st_size;
	strscpy(src->path, path, sizeof(src->path));
	return 0;
}

int exec_source_read(struct exec_source *src, u64 off, void *buf, u64 len)
{
	u64 pos = off;

	if (off > src->size || len > src->size - off)
		return -ENOEXEC;
	if (src->data) {
		memcpy(buf, src->data + off, len);
		return 0;
	}
	while (pos < off + len) {
		long n = src->file->ops->read(src->file, (u8 *)buf + (pos - off),
					      off + len - pos, &pos);

		if (n < 0)
			return n;
		if (!n)
			return -ENOEXEC;	/* shorter than it said */
	}
	return 0;
}

void exec_source_put(struct exec_source *src)
{
	if (src->file)
		file_put(src->file);
	src->file = NULL;
}

/* The new image is in place: drop the old one and reset what exec resets. */
static void exec_commit(struct process *p, struct proc_mm *old,
			const struct exec_image *img)
{
	struct thread *t = current_thread();
	struct thread_arch *arch = task_arch(current_task());
	struct pt_regs *r = abi_user_regs();

	arch->upt = &p->mm->upt;
	upt_switch(&p->mm->upt);
	proc_mm_put(old);
	files_close_on_exec(p->files);
	signal_clear_handlers(p);
	memset(&t->altstack, 0, sizeof(t->altstack));
	t->robust_list = 0;
	t->clear_child_tid = 0;
	arch->fs_base = 0;
	arch->gs_base = 0;
	fpu_reset(&arch->fpu);
	if (p->vfork_done) {
		complete(p->vfork_done);
		p->vfork_done = NULL;
	}
	memset(r, 0, sizeof(*r));
	r->rip = img->entry;
	r->rsp = img->sp;
	r->cs = USER_CS;
	r->ss = USER_DS;
	r->rflags = 0x202;
}

static int exec_kill_others(struct process *p);

/* Load a->path into a new local space at p->mm (the old one stays in
 * place on failure). */
static int exec_local(struct process *p, const struct exec_args *a,
		      struct exec_image *img)
{
	struct proc_mm *old = p->mm;
	struct exec_source src;
	int err = exec_source_get(a->path, &src);

	if (!err && p->nr_threads > 1)
		err = exec_kill_others(p);
	if (err) {
		exec_source_put(&src);
		return err;
	}
	p->mm = proc_mm_create(&localmm_ops);
	err = p->mm ? process_load_elf(p, &src, a->argv, a->envp, a->execfn,
				       img) : -ENOMEM;
	exec_source_put(&src);
	if (err) {
		if (p->mm)
			proc_mm_put(p->mm);
		p->mm = old;
	}
	return err;
}

/* The memory node loads a->path as the new space of p->tgid; the old
 * space (if it had the same id) is replaced there, so ours must not end
 * it.  The memory node knows no cwd: a relative path is made absolute
 * here first. */
static int exec_p2m(struct process *p, struct exec_args *a,
		    struct exec_image *img)
{
	struct proc_mm *old = p->mm;
	char path[ABI_PATH_MAX];
	int err = abi_kern_abspath(a->path, path);

	if (err)
		return err;
	strscpy(a->path, path, sizeof(a->path));
	err = p->nr_threads > 1 ? exec_kill_others(p) : 0;
	if (err)
		return err;
	p2m_mm_exec_prepare(old);
	p->mm = proc_mm_create(&p2m_mm_ops);
	err = p->mm ? p2m_exec_image(p, a->path, a->argv, a->envp, img) : -ENOMEM;
	if (err) {
		if (p->mm) {
			p->mm->detached = true;	/* the old space lives on */
			proc_mm_put(p->mm);
		}
		p->mm = old;
	} else if (old->space_id == (u64)p->tgid) {
		old->detached = true;
	}
	return err;
}

/* Exec ends every other thread of the process first (as Linux's
 * de_thread): each gets a thread-directed SIGKILL, which ends only that
 * thread, and we wait until we are alone.  Returns -EINTR if the whole
 * process is being killed meanwhile. */
static int exec_kill_others(struct process *p)
{
	struct thread *me = current_thread(), *t;
	unsigned long flags = spin_lock_irqsave(&p->lock);

	list_for_each_entry(t, &p->threads, node) {
		if (t != me) {
			t->pending |= 1ull << (SIGKILL - 1);
			wake_up_process(t->task);
		}
	}
	spin_unlock_irqrestore(&p->lock, flags);
	while (READ_ONCE(p->nr_threads) > 1) {
		if (READ_ONCE(p->group_exit))
			return -EINTR;
		msleep(1);
	}
	return 0;
}

/* Unsupported: dynamic programs -ENOEXEC on the local path. */
SYSCALL_DEFINE3(execve, const char *, upath, const u64 *, uargv,
		const u64 *, uenvp)
{
	struct process *p = current_process();
	struct exec_args *a = kmalloc(sizeof(*a));
	bool p2m = p->mm->ops == &p2m_mm_ops;
	struct proc_mm *old = p->mm;
	struct exec_image img;
	long err;

	if (!a)
		return -ENOMEM;
	err = strncpy_from_user(a->path, upath, sizeof(a->path));
	if (err >= 0) {
		strscpy(a->execfn, a->path, sizeof(a->execfn));
		err = exec_args_from_user(a, uargv, uenvp);
	}
	if (!err)
		err = exec_resolve_scripts(a, !p2m);
	if (!err && p2m)
		err = exec_p2m(p, a, &img);
	else if (!err)
		err = exec_local(p, a, &img);
	if (!err)
		exec_commit(p, old, &img);
	kfree(a);
	return err;
}
