/* managers/memory/service_proc.c — P2M process requests on the memory
 * node: FORK, EXECVE, EXIT and MAPS.
 *
 * EXECVE builds a complete new space before it touches the process: it
 * parses the strings, validates the ELF (loader/elf.c) read from the
 * file source, plans a PT_INTERP interpreter at a free mmap address,
 * builds the stack image (argv, envp, auxv; loader/stack.c), maps it all
 * (loader/exec.c: segments, zeroed partial pages and .bss, break, stack)
 * and only then swaps it in for the old space (or creates the process).
 * A failed exec frees the new space: the old one is intact.
 *
 * FORK reserves the child's key first, so a taken key fails before the
 * parent's pages become copy-on-write; the child is published only when
 * its space is complete.  EXIT takes the process out of the table; its
 * space goes with the last reference.  MAPS lists VMAs from an address.
 *
 * Locking: p->lock around core calls (svc_internal.h); exec's build runs
 * without any process lock (the new space is private until the swap).
 */
#include <asm/x86.h>
#include <kernel/printk.h>
#include <lib/string.h>
#include <memory/loader.h>
#include <mm/mm.h>
#include <uapi/errno.h>
#include <uapi/elf.h>
#include <uapi/mman.h>
#include "internal.h"
#include "svc_internal.h"

struct exec_args {
	const char *path;
	const char **argv;		/* argc + 1, NULL-terminated */
	const char **envp;		/* envc + 1 */
};

/* The strings after the request: path, argc, envc, all NUL-terminated,
 * using every byte.  -EINVAL otherwise. */
static int parse_strings(const struct p2m_execve_req *r, struct exec_args *a)
{
	const char *s = (const char *)(r + 1), *end = s + r->strings_len;
	u32 n = r->argc + r->envc, i;

	a->argv = kcalloc(n + 2, sizeof(char *));
	if (!a->argv)
		return -ENOMEM;
	a->envp = a->argv + r->argc + 1;
	for (i = 0; i <= n; i++) {
		const char *z = memchr(s, 0, (size_t)(end - s));

		if (!z)
			return -EINVAL;
		if (i == 0)
			a->path = s;
		else if (i <= r->argc)
			a->argv[i - 1] = s;
		else
			a->envp[i - 1 - r->argc] = s;
		s = z + 1;
	}
	return s == end && a->path[0] ? 0 : -EINVAL;
}

static int file_read(void *ctx, u64 off, void *buf, u64 len)
{
	return svc_file_read((u64)(uintptr_t)ctx, off, buf, len);
}

/* Plan @path's ELF at @base; on success *@handle names the file with a
 * reference the caller drops (svc_file_put). */
static int plan_file(const char *path, u64 base, struct elf_plan *plan,
		     u64 *handle)
{
	struct elf_file f = { .read = file_read };
	int err = svc_file_lookup(path, handle, &f.size);

	if (err)
		return err;
	f.ctx = (void *)(uintptr_t)*handle;
	err = elf_plan_build(&f, base, plan);
	if (err)
		svc_file_put(*handle);
	return err;
}

/* PT_INTERP: plan the interpreter where mmap would put a mapping of its
 * size (a first plan at ELF_DYN_BASE gives the size), map its segments,
 * and return its plan in @ip. */
static int load_interp(struct mm_space *mm, const struct elf_plan *plan,
		       struct elf_plan *ip)
{
	u64 handle, base;
	int err = plan_file(plan->interp, ELF_DYN_BASE, ip, &handle);

	if (err)
		return err == -ENOENT ? -ENOENT : -ENOEXEC;
	svc_file_put(handle);
	if (ip->has_interp || ip->type != ET_DYN)
		return -ENOEXEC;
	err = mm_mmap(mm, 0, ip->hi - ip->lo, PROT_NONE,
		      MAP_PRIVATE | MAP_ANONYMOUS, 0, 0, &base, NULL);
	if (!err)
		err = mm_munmap(mm, base, ip->hi - ip->lo, NULL);
	if (!err)
		err = plan_file(plan->interp, base, ip, &handle);
	if (err)
		return err;
	err = elf_map_segments(mm, ip, handle);
	svc_file_put(handle);
	return err;
}

static void random_bytes(u8 *out, unsigned int n)
{
	static u64 state;
	u64 x = __atomic_add_fetch(&state, rdtsc() | 1, __ATOMIC_RELAXED);

	for (unsigned int i = 0; i < n; i++) {
		x += 0x9e3779b97f4a7c15ull;
		u64 z = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;

		z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
		out[i] = (u8)(z ^ (z >> 31));
	}
}

/* The stack image and the executable's segments (exec_build). */
static int exec_map(struct mm_space *mm, const struct elf_plan *plan,
		    const struct elf_plan *ip, const struct exec_args *a,
		    const struct p2m_execve_req *r, u64 handle,
		    struct p2m_execve_rep *rep)
{
	u64 size = ALIGN_UP(r->strings_len + 8ull * (r->argc + r->envc) +
			    1024, MM_PAGE_SIZE), sp;
	struct stack_params sp_p = {
		.argv = a->argv, .envp = a->envp, .execfn = a->path,
		.platform = "x86_64",
		.uid = r->uid, .euid = r->euid, .gid = r->gid, .egid = r->egid,
		.secure = r->secure, .hwcap = r->hwcap, .hwcap2 = r->hwcap2,
		.clktck = 100,
	};
	u8 *img;
	int err;

	sp_p.phent = plan->phent;
	sp_p.phnum = plan->phnum;
	sp_p.entry = plan->entry;
	sp_p.phdr = plan->phdr;
	sp_p.base = plan->has_interp ? ip->bias : 0;
	random_bytes(sp_p.random, sizeof(sp_p.random));
	img = kmalloc(size);
	if (!img)
		return -ENOMEM;
	err = stack_build(&sp_p, mm_stack_top(mm), img, size, &sp);
	if (!err)
		err = elf_exec_map(mm, plan, handle, img + size, sp);
	kfree(img);
	if (err)
		return err;
	rep->entry = plan->has_interp ? ip->entry : plan->entry;
	rep->sp = sp;
	rep->brk = plan->brk;
	rep->exec_stack = plan->exec_stack;
	return 0;
}

/* Plan the executable (and its interpreter), then map everything into
 * the empty @mm. */
static int exec_build(struct mm_space *mm, const struct p2m_execve_req *r,
		      const struct exec_args *a, struct elf_plan *plan,
		      struct elf_plan *ip, struct p2m_execve_rep *rep)
{
	u64 handle;
	int err = plan_file(a->path, ELF_DYN_BASE, plan, &handle);

	if (err)
		return err;
	if (plan->has_interp)
		err = load_interp(mm, plan, ip);
	if (!err)
		err = exec_map(mm, plan, ip, a, r, handle, rep);
	svc_file_put(handle);
	return err;
}

/* Swap @mm in for the process's space, or create the process. */
static int exec_install(u32 node, u32 tgid, struct mm_space *mm)
{
	struct mm_space *old;
	struct p2m_proc *p;

	for (int tries = 0; tries < 3; tries++) {
		if (!svc_proc_find_lock(node, tgid, &p)) {
			old = p->mm;
			p->mm = mm;
			svc_proc_unlock(p);
			mm_space_destroy(old);
			return 0;
		}
		if (svc_proc_add(node, tgid, mm, NULL) != -EEXIST)
			return 0;
	}
	return -EAGAIN;
}

static int execve_handler(struct fit_msg_ctx *ctx, const void *req, u32 len)
{
	const struct p2m_execve_req *r = req;
	struct p2m_execve_rep rep = { 0, 0, 0, 0 };
	struct exec_args a = { NULL, NULL, NULL };
	struct elf_plan *plans = NULL;
	struct mm_space *mm = NULL;
	int err;

	if (len != sizeof(*r) + (u64)r->strings_len)
		return svc_bad_len(ctx, len);
	if (r->argc + (u64)r->envc > P2M_EXEC_MAX_STRINGS)
		return -E2BIG;
	err = parse_strings(r, &a);
	if (!err) {
		plans = kzalloc(2 * sizeof(*plans));
		mm = svc_space_create(fit_ctx_src(ctx), r->tgid);
		err = plans && mm ? 0 : -ENOMEM;
	}
	if (!err)
		err = exec_build(mm, r, &a, &plans[0], &plans[1], &rep);
	if (!err)
		err = exec_install(fit_ctx_src(ctx), r->tgid, mm);
	if (err && mm)
		mm_space_destroy(mm);
	kfree(plans);
	kfree(a.argv);
	return err ? err : svc_reply(ctx, &rep, sizeof(rep));
}

static int fork_handler(struct fit_msg_ctx *ctx, const void *req, u32 len)
{
	const struct p2m_fork_req *r = req;
	struct mm_changes ch = { .nr = 0 };
	struct p2m_proc *parent, *child;
	struct mm_space *mm = NULL;
	u32 node = fit_ctx_src(ctx);
	int err;

	if (len != sizeof(*r))
		return svc_bad_len(ctx, len);
	err = svc_proc_lock(ctx, r->tgid, &parent);
	if (err)
		return err;
	err = svc_proc_add(node, r->child_tgid, NULL, &child);
	if (err) {
		svc_proc_unlock(parent);
		return err;
	}
	err = mm_space_fork(parent->mm, node, r->child_tgid, &mm, &ch);
	svc_proc_unlock(parent);
	if (err) {
		svc_proc_cancel(child);
		return err;
	}
	svc_proc_publish(child, mm);
	return svc_reply_vm(ctx, 0, &ch);
}

static int exit_handler(struct fit_msg_ctx *ctx, const void *req, u32 len)
{
	const struct p2m_exit_req *r = req;
	struct p2m_proc *p;
	int err;

	if (len != sizeof(*r))
		return svc_bad_len(ctx, len);
	err = svc_proc_lock(ctx, r->tgid, &p);
	if (err)
		return err;
	svc_proc_remove(p);
	svc_proc_unlock(p);		/* the last reference frees the space */
	return svc_reply(ctx, NULL, 0);
}

/* Fill @rep with the VMAs ending above @from; returns the count. */
static u32 list_vmas(struct mm_space *mm, u64 from, struct p2m_maps_rep *rep)
{
	struct p2m_vma *out = (struct p2m_vma *)(rep + 1);
	struct vma *v;
	u32 n = 0;

	mutex_lock(&mm->lock);
	for (v = vma_find(mm, from); v && n < P2M_MAPS_MAX; v = vma_next(v))
		out[n++] = (struct p2m_vma){ v->start, v->end, v->prot,
					     v->flags, v->file, v->off };
	rep->more = v != NULL;
	mutex_unlock(&mm->lock);
	return rep->nr = n;
}

static int maps_handler(struct fit_msg_ctx *ctx, const void *req, u32 len)
{
	const struct p2m_maps_req *r = req;
	struct p2m_maps_rep *rep;
	struct p2m_proc *p;
	int err;
	u32 n;

	if (len != sizeof(*r))
		return svc_bad_len(ctx, len);
	rep = kzalloc(sizeof(*rep) + P2M_MAPS_MAX * sizeof(struct p2m_vma));
	if (!rep)
		return -ENOMEM;
	err = svc_proc_lock(ctx, r->tgid, &p);
	if (!err) {
		n = list_vmas(p->mm, r->from, rep);
		svc_proc_unlock(p);
		err = svc_reply(ctx, rep,
				sizeof(*rep) + n * sizeof(struct p2m_vma));
	}
	kfree(rep);
	return err;
}

int svc_proc_init(void)
{
	static const struct fit_handler_desc tab[] = {
		{ P2M_EXECVE, sizeof(struct p2m_execve_req), execve_handler },
		{ P2M_FORK, sizeof(struct p2m_fork_req), fork_handler },
		{ P2M_EXIT, sizeof(struct p2m_exit_req), exit_handler },
		{ P2M_MAPS, sizeof(struct p2m_maps_req), maps_handler },
	};

	return svc_register_handlers(tab, ARRAY_SIZE(tab));
}
