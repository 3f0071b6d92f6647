/* managers/processor/thread.c — user threads: creation, the first entry
 * to user mode, clone/fork/vfork, and the per-thread calls
 * (set_tid_address, arch_prctl, set_robust_list, rseq).
 *
 * A user thread is a detached kernel task whose thread_arch holds an
 * XSAVE area, its process's upt and its kernel stack top, set before it
 * first runs (the scheduler's arch_thread_switch then loads CR3, the FPU
 * state, the TLS bases and the kernel stack for it).  Its entry copies the
 * saved user frame to the top of its kernel stack and leaves through
 * arch_return_to_user.
 *
 * clone and clone3 (its argument block read into the same path):
 * CLONE_THREAD needs CLONE_SIGHAND which needs CLONE_VM (EINVAL
 * otherwise, as Linux); CLONE_CLEAR_SIGHAND (clone3 only) resets the
 * child's handlers to SIG_DFL, keeping SIG_IGN, as exec does.  Namespaces (CLONE_NEW*), CLONE_PIDFD and
 * CLONE_PTRACE give -EINVAL (Linux: EPERM/EINVAL depending on privilege;
 * we have no namespaces).  A new process shares or copies the address
 * space (CLONE_VM or mm_ops->fork), the fd table (CLONE_FILES or a copy)
 * and copies signal actions, cwd, umask and rlimits.
 */
#include <asm/fpu.h>
#include <asm/layout.h>
#include <asm/syscall.h>
#include <asm/thread.h>
#include <asm/uaccess.h>
#include <asm/x86.h>
#include <kernel/sched.h>
#include <lib/printf.h>
#include <lib/string.h>
#include <mm/mm.h>
#include <processor/abi.h>
#include <uapi/errno.h>
#include <uapi/futex.h>
#include <uapi/sched.h>
#include "internal.h"

static int thread_entry(void *arg)
{
	struct thread *t = current_thread();

	if (!t)			/* creation failed after the task existed */
		return 0;
	/* CLONE_CHILD_SETTID writes in the child's own address space. */
	if (t->set_child_tid)
		put_user_u32(t->tid, (void *)t->set_child_tid);
	signal_deliver(&t->start_regs);
	arch_return_to_user(&t->start_regs);
}

/* Run a task created for a thread that will never be: it exits at once. */
static void task_discard(struct task *task)
{
	kthread_detach(task);
	wake_up_process(task);
}

struct thread *thread_new(struct process *p)
{
	struct thread *t = kzalloc(sizeof(*t));
	struct thread_arch *arch;
	char name[16];

	if (!t)
		return NULL;
	t->proc = p;
	t->tid = list_empty(&p->threads) ? p->tgid : alloc_pid();
	snprintf(name, sizeof(name), "u%d", t->tid);
	t->task = kthread_create(thread_entry, NULL, name);
	if (!t->task) {
		kfree(t);
		return NULL;
	}
	arch = task_arch(t->task);
	if (fpu_alloc(&arch->fpu)) {
		task_discard(t->task);
		kfree(t);
		return NULL;
	}
	arch->upt = &p->mm->upt;
	arch->kstack_top = task_kstack_top(t->task);
	task_set_abi(t->task, t);
	return t;
}

/* Link @t into its process and let it run at @regs; returns its tid.
 * Nothing of @t may be read once it runs: it can exit and free itself
 * before we are scheduled again (the tid was read after the wake-up, and
 * fork or vfork then returned slab poison as the child's pid). */
int thread_start(struct thread *t, const struct pt_regs *regs, u64 fs_base)
{
	struct thread_arch *arch = task_arch(t->task);
	struct process *p = t->proc;
	int tid = t->tid;

	t->start_regs = *regs;
	t->start_regs.cs = USER_CS;
	t->start_regs.ss = USER_DS;
	t->start_regs.rflags = (regs->rflags & 0xcd5) | 0x202;
	t->start_regs.vector = SYSCALL_VECTOR;
	arch->fs_base = fs_base;
	spin_lock(&proc_tree_lock);
	spin_lock(&p->lock);
	list_add_tail(&t->node, &p->threads);
	p->nr_threads++;
	spin_unlock(&p->lock);
	spin_unlock(&proc_tree_lock);
	kthread_detach(t->task);
	wake_up_process(t->task);
	return tid;
}

/* Start @t as a copy of the calling thread returning 0 from the syscall
 * (on @newsp if non-zero, TLS @tls with CLONE_SETTLS). */
static long clone_start(struct thread *t, u64 flags, u64 newsp, u64 ptid,
			u64 ctid, u64 tls)
{
	struct thread *cur = current_thread();
	struct thread_arch *me = task_arch(current_task());
	struct thread_arch *arch = task_arch(t->task);
	struct pt_regs regs = *abi_user_regs();

	regs.rax = 0;
	if (newsp)
		regs.rsp = newsp;
	fpu_save(&me->fpu);
	fpu_copy(&arch->fpu, &me->fpu);
	arch->gs_base = rdmsr(MSR_KERNEL_GS_BASE);
	t->blocked = cur->blocked;
	if (flags & CLONE_CHILD_CLEARTID)
		t->clear_child_tid = ctid;
	if (flags & CLONE_CHILD_SETTID)
		t->set_child_tid = ctid;
	if ((flags & CLONE_PARENT_SETTID) && put_user_u32(t->tid, (void *)ptid))
		return -EFAULT;
	return thread_start(t, &regs,
			    (flags & CLONE_SETTLS) ? tls : rdmsr(MSR_FS_BASE));
}

static long clone_thread(u64 flags, u64 newsp, u64 ptid, u64 ctid, u64 tls)
{
	struct process *p = current_process();
	struct thread *t;

	if (READ_ONCE(p->group_exit))
		return -EAGAIN;
	t = thread_new(p);
	if (!t)
		return -ENOMEM;
	return clone_start(t, flags, newsp, ptid, ctid, tls);
}

/* Give @c the address space and fd table of a fork or CLONE_VM child. */
static int clone_resources(struct process *c, struct process *p, u64 flags)
{
	int err;

	if (flags & CLONE_VM) {
		__atomic_add_fetch(&p->mm->refs, 1, __ATOMIC_ACQ_REL);
		c->mm = p->mm;
	} else {
		if (!p->mm->ops->fork)
			return -ENOSYS;
		c->mm->space_id = c->tgid;
		err = p->mm->ops->fork(p->mm, c->mm);
		if (err)
			return err;
	}
	if (flags & CLONE_FILES) {
		files_get(p->files);
		c->files = p->files;
	} else {
		c->files = files_dup(p->files);
		if (!c->files)
			return -ENOMEM;
	}
	signal_fork(c, p);
	if (flags & CLONE_CLEAR_SIGHAND)
		signal_clear_handlers(c);
	memcpy(c->cwd, p->cwd, sizeof(c->cwd));
	memcpy(c->exe, p->exe, sizeof(c->exe));
	memcpy(c->rlim, p->rlim, sizeof(c->rlim));
	c->umask = p->umask;
	c->exit_signal = flags & CSIGNAL;
	return 0;
}

long clone_process(u64 flags, u64 newsp, u64 ptid, u64 ctid, u64 tls)
{
	struct process *p = current_process(), *c;
	DEFINE_COMPLETION(vfork_done);
	struct thread *t;
	long ret;

	c = process_create(p, (flags & CLONE_VM) ? NULL : p->mm->ops);
	if (!c)
		return -ENOMEM;
	ret = clone_resources(c, p, flags);
	t = ret ? NULL : thread_new(c);
	if (!t) {
		process_abandon(c);
		return ret ? ret : -ENOMEM;
	}
	if (flags & CLONE_VFORK)
		c->vfork_done = &vfork_done;
	ret = clone_start(t, flags, newsp, ptid, ctid, tls);
	if (ret > 0 && (flags & CLONE_VFORK))
		wait_for_completion(&vfork_done);
	return ret;
}

#define CLONE_UNSUPPORTED (CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUTS |  \
			   CLONE_NEWIPC | CLONE_NEWUSER | CLONE_NEWPID |    \
			   CLONE_NEWNET | CLONE_PIDFD | CLONE_PTRACE |      \
			   CLONE_UNTRACED | CLONE_IO | CLONE_INTO_CGROUP)

/* Unsupported: namespaces, CLONE_PIDFD, CLONE_PTRACE -> -EINVAL;
 * CLONE_PARENT is treated as a plain child.  CLONE_FS/SYSVSEM/DETACHED
 * accepted (cwd is copied, not shared).  Shared by clone and clone3. */
static long clone_checked(u64 flags, u64 newsp, u64 ptid, u64 ctid, u64 tls)
{
	if (flags & CLONE_UNSUPPORTED)
		return -EINVAL;
	if ((flags & CLONE_SIGHAND) && !(flags & CLONE_VM))
		return -EINVAL;
	if ((flags & CLONE_CLEAR_SIGHAND) && (flags & CLONE_SIGHAND))
		return -EINVAL;
	if (flags & CLONE_THREAD) {
		if (!(flags & CLONE_SIGHAND))
			return -EINVAL;
		return clone_thread(flags, newsp, ptid, ctid, tls);
	}
	return clone_process(flags, newsp, ptid, ctid, tls);
}

/* clone() takes the flags' lower 32 bits only, as Linux: the clone3-only
 * flags above them are ignored, not acted on. */
SYSCALL_DEFINE5(clone, u64, flags, u64, newsp, u64, ptid, u64, ctid, u64, tls)
{
	return clone_checked(flags & 0xffffffffu, newsp, ptid, ctid, tls);
}

/* Read clone3's argument block: @size at least VER0 and at most a page;
 * bytes past the fields we know must be zero (-E2BIG otherwise). */
static long clone3_args(struct clone_args *a, const void *uargs, u64 size)
{
	u64 known = sizeof(*a);

	if (size < CLONE_ARGS_SIZE_VER0)
		return -EINVAL;
	if (size > PAGE_SIZE)
		return -E2BIG;
	memset(a, 0, sizeof(*a));
	if (copy_from_user(a, uargs, size < known ? size : known))
		return -EFAULT;
	for (u64 off = known; off < size; off++) {
		u8 c;

		if (copy_from_user(&c, (const u8 *)uargs + off, 1))
			return -EFAULT;
		if (c)
			return -E2BIG;
	}
	return 0;
}

/* clone3: the flags clone takes plus CLONE_CLEAR_SIGHAND, the exit signal
 * in its own field (CSIGNAL bits in flags -> -EINVAL), the new stack as
 * base and size (both or neither).  set_tid (choosing the child's pid)
 * gives -EPERM, as Linux for a caller without CAP_CHECKPOINT_RESTORE;
 * CLONE_INTO_CGROUP -EINVAL (no cgroups). */
SYSCALL_DEFINE2(clone3, const struct clone_args *, uargs, u64, size)
{
	struct clone_args a;
	long ret = clone3_args(&a, uargs, size);

	if (ret)
		return ret;
	if ((a.flags & CSIGNAL) || (a.exit_signal & ~(u64)CSIGNAL) ||
	    a.exit_signal > _NSIG)
		return -EINVAL;
	if ((a.flags & (CLONE_THREAD | CLONE_PARENT)) && a.exit_signal)
		return -EINVAL;
	if (!a.stack != !a.stack_size)
		return -EINVAL;
	if (a.set_tid_size > 32 || !a.set_tid != !a.set_tid_size)
		return -EINVAL;
	if (a.set_tid_size)
		return -EPERM;
	return clone_checked(a.flags | a.exit_signal,
			     a.stack ? a.stack + a.stack_size : 0, a.parent_tid,
			     a.child_tid, a.tls);
}

SYSCALL_DEFINE0(fork)
{
	return clone_process(SIGCHLD, 0, 0, 0, 0);
}

SYSCALL_DEFINE0(vfork)
{
	return clone_process(CLONE_VM | CLONE_VFORK | SIGCHLD, 0, 0, 0, 0);
}

SYSCALL_DEFINE1(set_tid_address, u64, tidptr)
{
	struct thread *t = current_thread();

	t->clear_child_tid = tidptr;
	return t->tid;
}

/* Unsupported: ARCH_SET_CPUID -ENODEV (no CPUID faulting), other codes
 * -EINVAL; a non-canonical base gives -EPERM as Linux. */
SYSCALL_DEFINE2(arch_prctl, int, code, u64, addr)
{
	struct thread_arch *arch = task_arch(current_task());

	switch (code) {
	case ARCH_SET_FS:
	case ARCH_SET_GS:
		if (addr >= USER_TOP)
			return -EPERM;
		if (code == ARCH_SET_FS) {
			arch->fs_base = addr;
			wrmsr(MSR_FS_BASE, addr);
		} else {
			arch->gs_base = addr;
			wrmsr(MSR_KERNEL_GS_BASE, addr);
		}
		return 0;
	case ARCH_GET_FS:
		return put_user_u64(rdmsr(MSR_FS_BASE), (void *)addr);
	case ARCH_GET_GS:
		return put_user_u64(rdmsr(MSR_KERNEL_GS_BASE), (void *)addr);
	case ARCH_GET_CPUID:
		return 1;
	case ARCH_SET_CPUID:
		return -ENODEV;
	default:
		return -EINVAL;
	}
}

SYSCALL_DEFINE2(set_robust_list, u64, head, u64, len)
{
	struct thread *t = current_thread();

	if (len != sizeof(struct robust_list_head))
		return -EINVAL;
	t->robust_list = head;
	t->robust_len = len;
	return 0;
}

/* Only the caller's own list (pid 0 or its tid); others -EPERM. */
SYSCALL_DEFINE3(get_robust_list, int, pid, u64 *, head, u64 *, len)
{
	struct thread *t = current_thread();

	if (pid && pid != t->tid)
		return -EPERM;
	if (put_user_u64(t->robust_list, head) ||
	    put_user_u64(sizeof(struct robust_list_head), len))
		return -EFAULT;
	return 0;
}

/* Restartable sequences are not supported: -ENOSYS, as a Linux built
 * without CONFIG_RSEQ answers; glibc and musl carry on without. */
SYSCALL_DEFINE4(rseq, u64, rseq, u32, len, int, flags, u32, sig)
{
	return -ENOSYS;
}
