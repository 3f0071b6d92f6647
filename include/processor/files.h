/* include/processor/files.h — the processor's file-state layer
 * (managers/processor/files.c, fs_*.c, pipe.c, poll.c).
 *
 * A struct file is an open file description: ops, status flags (O_APPEND,
 * O_NONBLOCK, access mode), the offset, and the backing object's private
 * data.  fds map to files through a per-process struct files (shared by
 * CLONE_FILES); close-on-exec is per fd.  Backends: the console tty,
 * pipes, /dev/{null,zero,urandom}, pseudo files under /proc and /sys, and
 * regular files through the storage service's client once it is wired
 * (struct abi_fs, registered with files_set_rootfs).
 *
 * ops->read/write work on kernel buffers (the syscall layer bounces
 * through a kmalloc buffer), may sleep, and return bytes or -errno; a
 * blocking backend returns -ERESTARTSYS when a signal arrives.  State
 * changes that may make a file ready wake poll_wq (poll.c), which every
 * poll/select sleeper waits on.
 */
#ifndef PROCESSOR_FILES_H
#define PROCESSOR_FILES_H

#include <kernel/mutex.h>
#include <kernel/wait.h>
#include <uapi/stat.h>

struct file;

struct file_ops {
	long (*read)(struct file *f, void *buf, size_t n, u64 *pos);
	long (*write)(struct file *f, const void *buf, size_t n, u64 *pos);
	/* Current POLL* readiness (no waiting). */
	unsigned int (*poll)(struct file *f);
	long (*ioctl)(struct file *f, unsigned int cmd, u64 arg);
	int (*stat)(struct file *f, struct stat *st);
	/* Fill @buf with linux_dirent64 records from *pos; bytes or -errno. */
	long (*getdents)(struct file *f, void *buf, size_t n, u64 *pos);
	/* Size for SEEK_END; -ESPIPE: not seekable. */
	long (*size)(struct file *f);
	/* A directory's absolute path (for *at() and fchdir), else NULL. */
	const char *(*path)(struct file *f);
	int (*truncate)(struct file *f, u64 len);
	int (*fsync)(struct file *f);
	void (*release)(struct file *f);
	/* No file position (ttys, pipes): reads and writes do not take
	 * pos_lock, so a read sleeping for input holds up no writer. */
	bool stream;
};

struct file {
	const struct file_ops *ops;
	int refs;
	u32 flags;		/* O_ACCMODE | O_APPEND | O_NONBLOCK ... */
	struct mutex pos_lock;
	u64 pos;
	void *priv;
};

/* A new file with one reference, or NULL. */
struct file *file_alloc(const struct file_ops *ops, u32 flags, void *priv);
void file_get(struct file *f);
void file_put(struct file *f);
/* The file at @fd with a reference taken, or NULL. */
struct file *fget(int fd);
/* Install @f at the lowest free fd >= @min (the table takes the
 * caller's reference); returns the fd or -EMFILE. */
int fd_install(struct file *f, int min, bool cloexec);
/* Close @fd: 0 or -EBADF. */
int fd_close(int fd);

/* The console tty (fs_tty.c): a new reference to the shared file. */
struct file *tty_file(void);
/* /dev and /proc, /sys (fs_dev.c, fs_proc.c): open @path or -ENOENT. */
int devfs_open(const char *path, u32 flags, struct file **out);
int procfs_open(const char *path, u32 flags, struct file **out);
int procfs_readlink(const char *path, char *buf, size_t len);

/* Regular files: the storage service's client plugs in here. */
struct abi_fs {
	int (*open)(const char *path, u32 flags, u32 mode, struct file **out);
	int (*stat)(const char *path, bool follow, struct stat *st);
	int (*mkdir)(const char *path, u32 mode);
	int (*unlink)(const char *path, bool dir);
	int (*rename)(const char *from, const char *to);
	int (*readlink)(const char *path, char *buf, size_t len);
	int (*truncate)(const char *path, u64 len);
	/* Write everything back (sync, and before the node stops). */
	int (*sync)(void);
};
/* mmap(2) of @f: fill @fm with its storage file if it is a regular file
 * of the storage service; -ENODEV for anything else (pipes, ttys,
 * directories, pseudo files), as Linux says for files without mmap. */
struct mm_file_map;
int fs_storage_map_info(struct file *f, struct mm_file_map *fm);
/* sync(2) of the root file system, if any: 0 or -errno. */
int files_sync(void);
void files_set_rootfs(const struct abi_fs *fs);

/* Readiness changed somewhere: wake poll/select sleepers. */
extern struct wait_queue_head poll_wq;
void poll_wake(void);

#endif
