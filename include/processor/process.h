/* include/processor/process.h — processes and threads of a processor node
 * (managers/processor/process.c, thread.c, signal.c, futex.c).
 *
 * A process owns its thread group, fd table, signal actions, cwd, umask,
 * rlimits and its user address space (struct proc_mm: the user page
 * table plus the memory node's identity of the space).  A thread is a
 * kernel task that entered user mode: its thread_arch carries an XSAVE
 * area (fpu_alloc), the process's upt and kstack_top = task_kstack_top;
 * task_abi(task) points back at the struct thread.
 *
 * Address-space work (fork copy, exec, mmap/brk/munmap/mprotect, release
 * at exit) goes through struct mm_ops: the memory node's P2M client once
 * it is wired (include/processor/p2m.h), and until then the local
 * implementation (localmm.c) that maps pages straight into the upt, used
 * by the in-kernel ELF loader selftests.
 *
 * Lock order: proc_tree_lock (pids, parent/child links) → process->lock
 * (threads, signal state, exit state) → files->lock.  None is held across
 * a sleep or a user copy.
 */
#ifndef PROCESSOR_PROCESS_H
#define PROCESSOR_PROCESS_H

#include <asm/ptrace.h>
#include <asm/upt.h>
#include <kernel/spinlock.h>
#include <kernel/wait.h>
#include <lib/list.h>
#include <uapi/resource.h>
#include <protocol/storage.h>
#include <uapi/signal.h>

#define ABI_PATH_MAX	256

/* A file for mmap(2), after sys_mmap resolved and checked the fd: a
 * regular file of the storage service (storage node, inode handle), and
 * whether it was opened for writing (a shared mapping may be written). */
struct mm_file_map {
	struct storage_handle h;
	u32 storage_node;
	bool maywrite;
};

struct files;
struct task;
struct proc_mm;

struct mm_ops {
	const char *name;
	/* Fill @child (its upt already created) with a copy of @parent. */
	int (*fork)(struct proc_mm *parent, struct proc_mm *child);
	/* Free everything the space holds (not the upt tables). */
	void (*release)(struct proc_mm *mm);
	long (*brk)(struct proc_mm *mm, u64 addr);
	/* @fm: the file (NULL with MAP_ANONYMOUS); sys_mmap checked the
	 * arguments and the fd as Linux does. */
	long (*mmap)(struct proc_mm *mm, u64 addr, u64 len, u32 prot,
		     u32 flags, const struct mm_file_map *fm, u64 off);
	long (*munmap)(struct proc_mm *mm, u64 addr, u64 len);
	long (*mprotect)(struct proc_mm *mm, u64 addr, u64 len, u32 prot);
	/* Arguments checked by sys_mremap (aligned, lengths non-zero and
	 * page-rounded, flags valid); returns the new address or -errno. */
	long (*mremap)(struct proc_mm *mm, u64 addr, u64 old_len, u64 new_len,
		       u32 flags, u64 new_addr);
	/* Write the shared file mappings' dirty pages in [addr, addr + len)
	 * back to their files (@flags checked by sys_msync). */
	long (*msync)(struct proc_mm *mm, u64 addr, u64 len, u32 flags);
};

struct proc_mm {
	struct upt upt;
	const struct mm_ops *ops;
	u32 mem_node;			/* memory node that owns the space */
	u64 space_id;			/* its identity there */
	int refs;			/* processes sharing it (vfork, CLONE_VM) */
	bool detached;			/* its id now names a newer space (exec) */
	void *priv;			/* the ops' own state */
};

struct sigpend {			/* one pending instance per signal */
	s32 code;
	s32 pid;
	u64 addr;
	s32 status;
};

struct thread {
	struct task *task;
	struct process *proc;
	int tid;
	struct list_head node;		/* in proc->threads */
	sigset_t blocked;
	sigset_t pending;		/* thread-directed */
	struct sigpend info[_NSIG];
	stack_t altstack;
	u64 clear_child_tid;		/* set_tid_address, CLONE_CHILD_CLEARTID */
	u64 set_child_tid;		/* CLONE_CHILD_SETTID, done at first entry */
	u64 robust_list, robust_len;
	sigset_t saved_mask;		/* rt_sigsuspend */
	bool restore_mask;
	bool exiting;
	struct pt_regs start_regs;	/* first entry to user mode */
	u64 trap_no, trap_err, trap_cr2;	/* last user exception */
	bool pf_sigbus;			/* the user #PF in flight is a SIGBUS
					 * (a file page past end of file) */
};

struct process {
	int tgid;
	struct process *parent;
	struct list_head children;	/* of process.sibling */
	struct list_head sibling;
	struct list_head pid_node;	/* in the pid table */
	spinlock_t lock;
	struct list_head threads;
	int nr_threads;
	struct proc_mm *mm;
	struct files *files;
	struct sigaction actions[_NSIG];
	sigset_t pending;		/* process-directed */
	struct sigpend info[_NSIG];
	char cwd[ABI_PATH_MAX];
	char exe[ABI_PATH_MAX];
	u32 umask;
	struct rlimit rlim[RLIM_NLIMITS];
	bool group_exit;		/* exit_group or fatal signal under way */
	bool zombie;			/* every thread gone; parent may reap */
	bool orphan;
	int exit_signal;		/* sent to the parent at exit (clone) */			/* parent gone: reaps itself at exit */
	struct completion *vfork_done;	/* parent of a vfork waits on it */
	int exit_status;		/* wait status word */
	struct wait_queue_head child_wait;	/* children changed state */
	struct completion reaped_by_kernel;	/* parentless: exit seen */
	u64 utime_ns, children_ns;
};

/* Entry of a new process's first thread. */
struct exec_image {
	u64 entry, sp;
};

/* The current thread or process (NULL outside user threads). */
struct thread *current_thread(void);
struct process *current_process(void);

/* Process life (process.c).  process_create() builds a process with no
 * thread, an empty address space with @ops, fds 0-2 on the console, and
 * @parent (NULL: a kernel-launched process reaped with process_wait). */
struct process *process_create(struct process *parent,
			       const struct mm_ops *ops);
/* Start its first thread at @img. */
int process_start(struct process *p, const struct exec_image *img);
/* Wait for a parentless process to exit; returns its wait status and
 * frees it.  May sleep. */
int process_wait(struct process *p);
/* Undo process_create for a child that never ran a thread. */
void process_abandon(struct process *p);
struct process *process_find(int tgid);	/* caller holds proc_tree_lock */
struct thread *thread_find(int tid);	/* caller holds proc_tree_lock */
extern spinlock_t proc_tree_lock;
/* Thread exit; the last thread ends the process with @status.  Never
 * returns. */
__noreturn void thread_exit(int status);
__noreturn void process_exit_group(int status);
void proc_mm_put(struct proc_mm *mm);
/* A new empty address space (its upt created) using @ops. */
struct proc_mm *proc_mm_create(const struct mm_ops *ops);
struct file;

/* A program to exec: an embedded one (@data), or an open regular file
 * read piecewise as the loader needs it (no size limit). */
struct exec_source {
	const u8 *data;			/* embedded bytes, or NULL */
	struct file *file;		/* else the file, open for reading */
	u64 size;
	char path[ABI_PATH_MAX];	/* what /proc/self/exe shows */
};
/* Open @path: embedded programs win; a file must be regular and
 * executable (-EACCES). */
int exec_source_get(const char *path, struct exec_source *src);
/* Exactly @len bytes at @off; -ENOEXEC if the file is shorter. */
int exec_source_read(struct exec_source *src, u64 off, void *buf, u64 len);
void exec_source_put(struct exec_source *src);
/* Load the static ELF @src into @p's (empty) address space and build its
 * stack (AT_EXECFN @execfn); fills @img.  -ENOEXEC for anything
 * malformed. */
int process_load_elf(struct process *p, struct exec_source *src,
		     const char *const *argv, const char *const *envp,
		     const char *execfn, struct exec_image *img);

/* Programs embedded in the kernel image (usr/, embedded.S). */
struct embedded_prog {
	const char *name;
	const u8 *start, *end;
};
/* By path ("/bin/hello") or base name; NULL if not embedded. */
const struct embedded_prog *embedded_find(const char *path);
/* Start the embedded program @argv[0] as a parentless process (reap it
 * with process_wait); NULL with *err set on failure (init.c). */
struct process *abi_spawn(const char *const *argv, const char *const *envp,
			  int *err);
int alloc_pid(void);

/* Threads (thread.c). */
struct thread *thread_new(struct process *p);
int thread_start(struct thread *t, const struct pt_regs *regs, u64 fs_base);

/* Signals (signal.c). */
/* Queue @sig for @p (any thread not blocking it) or for one thread. */
int signal_send_process(struct process *p, int sig, const struct sigpend *i);
int signal_send_thread(struct thread *t, int sig, const struct sigpend *i);
/* A signal is pending and not blocked (interruptible waits check it). */
bool signal_pending(struct thread *t);
bool fatal_signal_pending(struct thread *t);
/* Exit-to-user hook: deliver pending signals. */
void signal_deliver(struct pt_regs *regs);
/* User exceptions → signals. */
bool signal_user_trap(struct pt_regs *regs);
void signal_fork(struct process *child, const struct process *parent);
void signal_clear_handlers(struct process *p);
/* Wait status of a process killed by @sig. */
int signal_default_fatal(int sig);

/* Futex (futex.c). */
int futex_wake_addr(struct proc_mm *mm, u64 uaddr, int nr);
void futex_exit_robust(struct thread *t);

/* The local address space (localmm.c): pages mapped directly into the upt,
 * for the in-kernel loader path before the memory node is wired. */
extern const struct mm_ops localmm_ops;

/* Spaces on the memory node (process_p2m.c), with abi.p2m=1. */
extern const struct mm_ops p2m_mm_ops;
extern bool abi_use_p2m;
int abi_p2m_init(void);
int p2m_space_attach(struct proc_mm *mm, u32 tgid);
struct p2m_vma;
/* Call @fn for every VMA of P2M space @mm in address order (P2M_MAPS);
 * 0, -EINVAL for a space that is not P2M, or the call's errno. */
int p2m_mm_walk_vmas(struct proc_mm *mm,
		     void (*fn)(void *arg, const struct p2m_vma *v),
		     void *arg);
/* Before an exec replaces @mm's space on the memory node: a space that
 * mapped files MAP_SHARED writes its dirty lines back, so they reach
 * the files when the memory node frees the old space. */
void p2m_mm_exec_prepare(struct proc_mm *mm);
int p2m_exec_image(struct process *p, const char *path,
		   const char *const *argv, const char *const *envp,
		   struct exec_image *img);
/* Map @len bytes of zeroed memory at @va (page aligned) with PTE @flags;
 * copy @src (@srclen bytes; none if @src is NULL) to @va + @off. */
int localmm_map(struct proc_mm *mm, u64 va, u64 len, u64 flags,
		const void *src, u64 srclen, u64 off);
unsigned long localmm_pages(void);
/* The kernel address of the page mapped at @va (the loader fills segments
 * through it before the space runs), or NULL. */
void *localmm_page(struct proc_mm *mm, u64 va);
/* A user fault at @addr that no PTE serves: -ENXIO inside a file mapping
 * (a page past the end of the file: SIGBUS), else -EFAULT.  May sleep. */
int localmm_fault(struct proc_mm *mm, u64 addr);
/* The program break starts at @start (page aligned up). */
int localmm_set_brk(struct proc_mm *mm, u64 start);	/* pages held, all processes */

#endif
