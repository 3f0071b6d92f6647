/* managers/processor/process.c — processes: pids, the process tree,
 * creation, exit and reaping (exit, exit_group, wait4, waitid, getpid,
 * getppid, gettid and the id calls).
 *
 * Pids and tids come from one counter (a thread group's leader has tid ==
 * tgid).  Lookup walks the lists under proc_tree_lock; pid reuse after
 * the 2^22 wrap is not handled (the counter would have to skip live ids).
 *
 * Exit: the last thread of a process releases the address space and the
 * fd table, then, under proc_tree_lock, hands its children to nobody
 * (orphans are reaped by themselves when they exit), becomes a zombie and
 * wakes its parent (SIGCHLD).  A parentless process started by the kernel
 * (init=, selftests) completes reaped_by_kernel and is freed by
 * process_wait().  After that point the exiting thread never touches the
 * process again: the reaper frees it.
 *
 * Process groups and sessions are not modelled: wait4(0) and wait4(-pgid)
 * wait for any child; getpgrp/getsid answer the tgid.
 */
#include <asm/thread.h>
#include <asm/uaccess.h>
#include <kernel/printk.h>
#include <kernel/sched.h>
#include <lib/string.h>
#include <mm/mm.h>
#include <processor/abi.h>
#include <uapi/errno.h>
#include <uapi/sched.h>
#include "internal.h"

DEFINE_SPINLOCK(proc_tree_lock);
static LIST_HEAD(all_procs);		/* of process.pid_node */
static int next_pid = 1;

/* Threads are found by tid through their process's thread list. */
struct thread *thread_find(int tid)
{
	struct process *p;
	struct thread *t;

	list_for_each_entry(p, &all_procs, pid_node)
		list_for_each_entry(t, &p->threads, node)
			if (t->tid == tid)
				return t;
	return NULL;
}

struct process *process_find(int tgid)
{
	struct process *p;

	list_for_each_entry(p, &all_procs, pid_node)
		if (p->tgid == tgid && !p->zombie)
			return p;
	return NULL;
}

int process_for_each_other(struct process *me,
			   int (*fn)(struct process *p, void *arg), void *arg)
{
	struct process *p;
	int n = 0;

	list_for_each_entry(p, &all_procs, pid_node)
		if (p != me && !p->zombie)
			n += fn(p, arg);
	return n;
}

int alloc_pid(void)
{
	return __atomic_fetch_add(&next_pid, 1, __ATOMIC_RELAXED);
}

struct thread *current_thread(void)
{
	struct task *t = current_task();

	return t ? task_abi(t) : NULL;
}

struct process *current_process(void)
{
	struct thread *t = current_thread();

	return t ? t->proc : NULL;
}

struct proc_mm *proc_mm_create(const struct mm_ops *ops)
{
	struct proc_mm *mm = kzalloc(sizeof(*mm));

	if (!mm)
		return NULL;
	if (upt_create(&mm->upt)) {
		kfree(mm);
		return NULL;
	}
	mm->ops = ops;
	mm->refs = 1;
	return mm;
}

/* Drop a process's hold on @mm; the last one frees the pages and tables.
 * The caller no longer runs on @mm's tables. */
void proc_mm_put(struct proc_mm *mm)
{
	if (__atomic_sub_fetch(&mm->refs, 1, __ATOMIC_ACQ_REL))
		return;
	if (mm->ops && mm->ops->release)
		mm->ops->release(mm);
	upt_destroy(&mm->upt);
	kfree(mm);
}

struct process *process_create(struct process *parent,
			       const struct mm_ops *ops)
{
	struct process *p = kzalloc(sizeof(*p));

	if (!p)
		return NULL;
	p->mm = ops ? proc_mm_create(ops) : NULL;
	p->files = parent ? NULL : files_new_console();
	if ((ops && !p->mm) || (!parent && !p->files)) {
		if (p->mm)
			proc_mm_put(p->mm);
		if (p->files)
			files_put(p->files);
		kfree(p);
		return NULL;
	}
	spin_lock_init(&p->lock, "process");
	INIT_LIST_HEAD(&p->threads);
	INIT_LIST_HEAD(&p->children);
	init_waitqueue_head(&p->child_wait);
	init_completion(&p->reaped_by_kernel);
	strscpy(p->cwd, "/", sizeof(p->cwd));
	p->umask = 022;
	p->exit_signal = SIGCHLD;
	rlimits_default(p->rlim);
	p->tgid = alloc_pid();
	p->parent = parent;
	spin_lock(&proc_tree_lock);
	list_add_tail(&p->pid_node, &all_procs);
	if (parent)
		list_add_tail(&p->sibling, &parent->children);
	else
		INIT_LIST_HEAD(&p->sibling);
	spin_unlock(&proc_tree_lock);
	return p;
}

int process_start(struct process *p, const struct exec_image *img)
{
	struct pt_regs regs;
	struct thread *t = thread_new(p);

	if (!t)
		return -ENOMEM;
	memset(&regs, 0, sizeof(regs));
	regs.rip = img->entry;
	regs.rsp = img->sp;
	return thread_start(t, &regs, 0);
}

void process_abandon(struct process *p)
{
	if (p->files)
		files_put(p->files);
	if (p->mm)
		proc_mm_put(p->mm);
	spin_lock(&proc_tree_lock);
	list_del(&p->sibling);
	spin_unlock(&proc_tree_lock);
	process_free(p);
}

void process_free(struct process *p)
{
	spin_lock(&proc_tree_lock);
	list_del(&p->pid_node);
	spin_unlock(&proc_tree_lock);
	kfree(p);
}

int process_wait(struct process *p)
{
	int status;

	wait_for_completion(&p->reaped_by_kernel);
	status = p->exit_status;
	process_free(p);
	return status;
}

static bool parent_reaps_nothing(struct process *parent)
{
	const struct sigaction *a = &parent->actions[SIGCHLD - 1];

	return a->sa_handler == SIG_IGN || (a->sa_flags & SA_NOCLDWAIT);
}

/* The last thread is gone: release, orphan the children, tell the parent.
 * Returns true if the process must be freed by the caller (nobody will
 * reap it). */
static bool process_finish(struct process *p, int status)
{
	struct process *c, *n, *parent;
	bool self_reap = false;
	LIST_HEAD(dead);

	if (p->vfork_done)
		complete(p->vfork_done);
	p->vfork_done = NULL;
	files_put(p->files);
	p->files = NULL;
	if (p->mm)
		proc_mm_put(p->mm);
	p->mm = NULL;
	spin_lock(&proc_tree_lock);
	list_for_each_entry_safe(c, n, &p->children, sibling) {
		list_del(&c->sibling);
		c->parent = NULL;
		if (c->zombie)
			list_add(&c->sibling, &dead);
		else
			c->orphan = true;
	}
	p->exit_status = status;
	parent = p->parent;
	if (parent && parent_reaps_nothing(parent)) {
		/* SIGCHLD ignored or SA_NOCLDWAIT: no zombie (Linux). */
		list_del(&p->sibling);
		p->parent = NULL;
		self_reap = true;
		wake_up_all(&parent->child_wait);
	} else if (parent) {
		/* Under the tree lock: neither we nor the parent can be freed
		 * before the parent has heard. */
		struct sigpend i = { .code = (status & 0x7f) ? CLD_KILLED : CLD_EXITED,
				     .pid = p->tgid, .status = status };

		p->zombie = true;
		if (p->exit_signal)
			signal_send_process(parent, p->exit_signal, &i);
		wake_up_all(&parent->child_wait);
	} else {
		p->zombie = true;
		self_reap = p->orphan;
	}
	spin_unlock(&proc_tree_lock);
	list_for_each_entry_safe(c, n, &dead, sibling)
		process_free(c);
	if (!parent && !self_reap)
		complete(&p->reaped_by_kernel);
	return self_reap;
}

__noreturn void thread_exit(int status)
{
	struct thread *t = current_thread();
	struct process *p = t->proc;
	struct thread_arch *arch = task_arch(t->task);
	bool last;

	/* Robust futexes first, then the tid word: a joiner that wakes on
	 * the tid must find the robust locks already released (as Linux). */
	futex_exit_robust(t);
	if (t->clear_child_tid) {
		put_user_u32(0, (void *)t->clear_child_tid);
		futex_wake_addr(p->mm, t->clear_child_tid, 1);
	}
	spin_lock(&proc_tree_lock);
	spin_lock(&p->lock);
	list_del(&t->node);
	p->utime_ns += task_runtime_ns(t->task);
	last = --p->nr_threads == 0;
	if (p->group_exit)
		status = p->exit_status;
	spin_unlock(&p->lock);
	spin_unlock(&proc_tree_lock);
	/* Off the process's tables before they can be freed. */
	arch->upt = NULL;
	upt_switch(NULL);
	if (last && process_finish(p, status))
		process_free(p);
	task_set_abi(t->task, NULL);
	kfree(t);
	kthread_exit(0);
}

__noreturn void process_exit_group(int status)
{
	struct thread *t = current_thread(), *o;
	struct process *p = t->proc;

	spin_lock(&p->lock);
	if (!p->group_exit) {
		p->group_exit = true;
		p->exit_status = status;
	}
	list_for_each_entry(o, &p->threads, node) {
		if (o != t) {
			o->pending |= 1ull << (SIGKILL - 1);
			wake_up_process(o->task);
		}
	}
	spin_unlock(&p->lock);
	thread_exit(status);
}

SYSCALL_DEFINE1(exit, int, code)
{
	thread_exit(WSTATUS_EXITED(code));
}

SYSCALL_DEFINE1(exit_group, int, code)
{
	process_exit_group(WSTATUS_EXITED(code));
}

/* A zombie child matching @pid, or NULL; *any says whether one matched at
 * all.  Caller holds proc_tree_lock. */
static struct process *find_zombie(struct process *me, int pid, bool *any)
{
	struct process *c;

	*any = false;
	list_for_each_entry(c, &me->children, sibling) {
		if (pid > 0 && c->tgid != pid)
			continue;
		*any = true;
		if (c->zombie)
			return c;
	}
	return NULL;
}

static bool child_ready(struct process *me, int pid)
{
	bool any, ready;

	spin_lock(&proc_tree_lock);
	ready = find_zombie(me, pid, &any) || !any;
	spin_unlock(&proc_tree_lock);
	return ready;
}

/* Wait for a child; returns its pid (status in *status), 0 (WNOHANG),
 * -ECHILD or -ERESTARTSYS.  Unsupported: WSTOPPED/WCONTINUED report
 * nothing (no job control), as a Linux without stopped children. */
static long wait_child(int pid, int options, int *status, bool reap)
{
	struct process *me = current_process(), *c;
	bool any;
	long ret;

	for (;;) {
		spin_lock(&proc_tree_lock);
		c = find_zombie(me, pid, &any);
		if (c && reap)
			list_del(&c->sibling);
		spin_unlock(&proc_tree_lock);
		if (c) {
			*status = c->exit_status;
			ret = c->tgid;
			me->children_ns += c->utime_ns;
			if (reap)
				process_free(c);
			return ret;
		}
		if (!any)
			return -ECHILD;
		if (options & WNOHANG)
			return 0;
		ret = wait_event_interruptible(me->child_wait,
					       child_ready(me, pid));
		if (ret)
			return ret;
	}
}

/* Unsupported: __WNOTHREAD/__WALL/__WCLONE accepted and ignored; other
 * unknown option bits give -EINVAL as Linux. */
SYSCALL_DEFINE4(wait4, int, pid, int *, ustatus, int, options, void *, ru)
{
	int status = 0;
	long ret;

	if (options & ~(WNOHANG | WUNTRACED | WCONTINUED | __WNOTHREAD |
			__WALL | __WCLONE))
		return -EINVAL;
	ret = wait_child(pid < -1 || pid == 0 ? -1 : pid, options, &status, true);
	if (ret > 0 && ustatus && put_user_u32(status, ustatus))
		return -EFAULT;
	if (ret > 0 && ru && clear_user(ru, sizeof(struct rusage)))
		return -EFAULT;
	return ret;
}

/* P_PGID waits for any child (no process groups); P_PIDFD -EINVAL. */
SYSCALL_DEFINE5(waitid, int, which, int, id, siginfo_t *, uinfo, int, options,
		void *, ru)
{
	siginfo_t si;
	int status = 0;
	long ret;

	if (which > P_PGID || which < 0 || !(options & (WEXITED | WSTOPPED | WCONTINUED)))
		return -EINVAL;
	ret = wait_child(which == P_PID ? id : -1, options, &status,
			 !(options & WNOWAIT));
	if (ret < 0)
		return ret;
	memset(&si, 0, sizeof(si));
	if (ret > 0) {
		si.si_signo = SIGCHLD;
		si.si_code = (status & 0x7f) ? CLD_KILLED : CLD_EXITED;
		si.f.chld.pid = ret;
		si.f.chld.status = (status & 0x7f) ? (status & 0x7f) : (status >> 8) & 0xff;
	}
	if (uinfo && copy_to_user(uinfo, &si, sizeof(si)))
		return -EFAULT;
	return 0;
}

SYSCALL_DEFINE0(getpid)
{
	return current_process()->tgid;
}

SYSCALL_DEFINE0(gettid)
{
	return current_thread()->tid;
}

SYSCALL_DEFINE0(getppid)
{
	struct process *parent = READ_ONCE(current_process()->parent);

	return parent ? parent->tgid : 0;
}

SYSCALL_DEFINE0(getpgrp)
{
	return current_process()->tgid;
}

SYSCALL_DEFINE1(getpgid, int, pid)
{
	return pid ? pid : current_process()->tgid;
}

SYSCALL_DEFINE1(getsid, int, pid)
{
	return pid ? pid : current_process()->tgid;
}

/* No sessions: setsid answers the caller's pid as a new session leader;
 * setpgid accepts and ignores. */
SYSCALL_DEFINE0(setsid)
{
	return current_process()->tgid;
}

SYSCALL_DEFINE2(setpgid, int, pid, int, pgid)
{
	return 0;
}
