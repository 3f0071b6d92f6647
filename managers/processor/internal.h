/* managers/processor/internal.h — helpers shared by the files of the
 * processor's ABI layer (not a public interface). */
#ifndef PROCESSOR_INTERNAL_H
#define PROCESSOR_INTERNAL_H

#include <processor/process.h>

/* Wait status words (as wait(2) decodes them). */
#define WSTATUS_EXITED(code)	(((code) & 0xff) << 8)
#define WSTATUS_SIGNALED(sig, core) ((sig) | ((core) ? 0x80 : 0))

/* Sleep interruptibly on @wq until @cond: 0, or -ERESTARTSYS when a
 * signal is pending. */
#define wait_event_interruptible(wq, cond)                                \
	({                                                                \
		DEFINE_WAIT(__e);                                         \
		int __ret = 0;                                            \
		for (;;) {                                                \
			prepare_to_wait(&(wq), &__e, TASK_INTERRUPTIBLE); \
			if (cond)                                         \
				break;                                    \
			if (signal_pending(current_thread())) {           \
				__ret = -ERESTARTSYS;                     \
				break;                                    \
			}                                                 \
			schedule();                                       \
		}                                                         \
		finish_wait(&(wq), &__e);                                 \
		__ret;                                                    \
	})

/* Sleep up to @ns (0: forever) or until woken or a signal is pending:
 * returns the ns left (0 when the time ran out), or -ERESTARTSYS. */
long abi_sleep_interruptible(u64 ns);

/* Files (files.c). */
struct files *files_new_console(void);
struct files *files_dup(struct files *f);
void files_get(struct files *f);
void files_put(struct files *f);
void files_close_on_exec(struct files *f);
struct file;
struct stat;
int file_stat(struct file *f, struct stat *st);
/* The console tty as a new open (fs_tty.c). */
int tty_open(u32 flags, struct file **out);
/* Wait (up to 1 s) until the program console sent every byte written so
 * far (fs_tty.c); init.c calls it before reporting init's exit. */
void tty_flush(void);
/* A read-only in-memory file over @text (kmalloc'd; the file owns it
 * from here, also on failure) (fs_dev.c). */
int pseudo_open(char *text, size_t len, u64 ino, u32 flags, struct file **out);
/* True if @f is an open /dev/zero: mmap makes it anonymous memory. */
bool devfs_is_zero(const struct file *f);

/* Pids and the process tree (process.c). */
void process_link_thread(struct thread *t);
void process_unlink_thread(struct thread *t);
void process_free(struct process *p);
/* Call @fn for every live process but @me, summing its results; caller
 * holds proc_tree_lock (@fn may take process locks). */
int process_for_each_other(struct process *me,
			   int (*fn)(struct process *p, void *arg), void *arg);

/* Signals (signal.c, signal_frame.c). */
bool signal_on_altstack(struct thread *t, u64 sp);

/* Threads (thread.c): fork a process (not CLONE_THREAD). */
long clone_process(u64 flags, u64 newsp, u64 ptid, u64 ctid, u64 tls);

/* Open a kernel-space path (relative ones against the caller's cwd, or
 * "/" outside a process) (fs_path.c). */
int abi_kern_open(const char *kpath, u32 flags, struct file **out);
/* @kpath made absolute as abi_kern_open sees it (against the caller's
 * cwd, "." and ".." folded) into @out (ABI_PATH_MAX bytes): 0 or
 * -ENAMETOOLONG (fs_path.c). */
int abi_kern_abspath(const char *kpath, char *out);

/* An exec request (exec_script.c): the program to load, its argv and
 * envp, and the strings they point into (a kernel copy of the caller's,
 * plus what "#!" lines add). */
#define EXEC_MAX_ARGS	256
#define EXEC_STRINGS	(64 * 1024)
struct exec_args {
	char path[ABI_PATH_MAX];	/* the program to load */
	char execfn[ABI_PATH_MAX];	/* what the caller asked for */
	const char *argv[EXEC_MAX_ARGS];
	const char *envp[EXEC_MAX_ARGS];
	size_t used;			/* bytes of strings[] in use */
	char strings[EXEC_STRINGS];
};
/* Copy the user vectors @uargv and @uenvp into @a: 0, -EFAULT, -E2BIG. */
int exec_args_from_user(struct exec_args *a, const u64 *uargv,
			const u64 *uenvp);
/* While a->path is a "#!" script, make its interpreter the program with
 * Linux's argv (interpreter, its one optional argument, the script's
 * path, argv[1..]); at most EXEC_MAX_SCRIPTS levels, then -ELOOP.  An
 * unparsable "#!" line is -ENOEXEC.  A path the processor cannot open
 * (-ENOENT) is left for the loader to report (or find: embedded
 * programs, when @embedded_first, are never scripts). */
#define EXEC_MAX_SCRIPTS	5
int exec_resolve_scripts(struct exec_args *a, bool embedded_first);

/* Regular files over the storage client (fs_storage.c). */
void fs_storage_init(void);

/* Futex buckets (futex.c), set up by the role init. */
void futex_init(void);

/* CLOCK_REALTIME in ns since the epoch (time.c). */
u64 abi_realtime_ns(void);
void abi_time_init(void);

/* Resource defaults (misc.c). */
void rlimits_default(struct rlimit *r);

/* Random bytes for getrandom, AT_RANDOM and /dev/urandom (misc.c). */
void abi_random_bytes(void *buf, size_t n);

#endif
