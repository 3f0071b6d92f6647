/* managers/storage/internal.h — what the storage manager's files share.
 *
 *   bdev.c          ext2's block interface on a struct block_device
 *   archive.c       finding the boot archive among the boot modules
 *   vol.c           volumes: one mounted filesystem (ext2 or the archive)
 *                   each, its mutex, handle checks, backend dispatch
 *   service.c       role start, mounting, write-back thread, shutdown,
 *                   the handler table and bad-input accounting
 *   service_ops.c   the handlers of the file-service messages (files)
 *   service_dir.c   the handlers that change or list directories
 *   client.c        the client library (include/storage/client.h)
 *
 * Lock order: a volume's `lock` (mutex) is the only lock the service
 * takes around the ext2 core, which has none; nothing is nested inside it
 * except the block layer's own locks.  The volume table is written only
 * while the service starts (before any handler is registered) and read
 * lock-free afterwards; a volume is never freed, only marked dead (its
 * ext2_fs is unmounted under its lock at shutdown).
 */
#ifndef STORAGE_INTERNAL_H
#define STORAGE_INTERNAL_H

#include <drivers/blkdev.h>
#include <fit/fit.h>
#include <kernel/mutex.h>
#include <protocol/storage.h>
#include <storage/cpio.h>
#include <storage/ext2.h>
#include <uapi/errno.h>

#define STORAGE_MAX_VOLS	4

struct storage_vol {
	u32 id;				/* handle fs id, 1.. */
	u32 type;			/* STORAGE_FS_* */
	struct mutex lock;		/* serializes every backend call */
	struct ext2_fs *ext2;		/* NULL once unmounted */
	struct cpio_archive *cpio;
	struct block_device *bdev;	/* ext2: the device */
	struct ext2_bdev eb;
	u32 root_ino;
	u32 time_base;			/* ext2 clock: base + uptime */
	bool dead;			/* unmounted at shutdown */
};

/* Common directory entry of both backends. */
struct storage_ent {
	u32 ino;
	u8 type;
	u8 name_len;
	char name[256];
};

/* bdev.c */
void storage_bdev_init(struct ext2_bdev *eb, struct block_device *bdev);
/* True if the device holds an ext2 superblock (magic only); then
 * *last_time is its last mount or write time (seconds since 1970). */
bool storage_bdev_has_ext2(struct block_device *bdev, u32 *last_time);

/* archive.c: the boot module to serve, or false. */
bool storage_find_archive(const void **data, size_t *len);
u32 storage_nr_modules(void);

/* vol.c — all vol_* calls but vol_find/vol_add need v->lock held. */
struct storage_vol *vol_find(u32 id);
struct storage_vol *vol_root(void);
int vol_add_ext2(struct block_device *bdev, u32 last_time,
		 struct storage_vol **out);
int vol_add_archive(const void *data, size_t len, struct storage_vol **out);
/* Lock the volume of @h (fs 0: the root volume) and check the handle.
 * On success the volume is returned locked and *st holds the stat. */
int vol_lock_handle(const struct storage_handle *h, bool root_ok,
		    struct storage_vol **out, struct storage_stat *st);
/* Check a second handle @h on the locked volume @v. */
int vol_check_locked(struct storage_vol *v, const struct storage_handle *h,
		     struct storage_stat *st);
void vol_unlock(struct storage_vol *v);
int vol_stat(struct storage_vol *v, u32 ino, struct storage_stat *st,
	     u32 *gen);
int vol_handle(struct storage_vol *v, u32 ino, struct storage_handle *h,
	       struct storage_stat *st);
int vol_walk(struct storage_vol *v, u32 cwd, const char *path, bool follow,
	     u32 *ino);
int vol_lookup(struct storage_vol *v, u32 dir, const char *name, u32 *ino);
ssize_t vol_read(struct storage_vol *v, u32 ino, u64 off, void *buf,
		 size_t len);
ssize_t vol_write(struct storage_vol *v, u32 ino, u64 off, const void *buf,
		  size_t len);
int vol_truncate(struct storage_vol *v, u32 ino, u64 size);
int vol_readdir(struct storage_vol *v, u32 dir, u64 *cookie,
		struct storage_ent *ent);
ssize_t vol_readlink(struct storage_vol *v, u32 ino, char *buf, size_t len);
int vol_sync(struct storage_vol *v);
int vol_statfs(struct storage_vol *v, struct storage_statfs_rep *rep);
bool vol_read_only(struct storage_vol *v);
/* Only for ext2 volumes (callers check vol_read_only first). */
struct ext2_fs *vol_ext2(struct storage_vol *v);
/* Unmount (shutdown); later calls get -EIO. */
void vol_shutdown(struct storage_vol *v);

/* service.c: bad input.  Counts @kind, logs its first occurrence. */
enum storage_bad {
	STORAGE_BAD_LENGTH,		/* message length disagrees */
	STORAGE_BAD_HANDLE,		/* unknown fs, bad ino, stale */
	STORAGE_BAD_NAME,		/* name empty, too long, '/', NUL */
	STORAGE_BAD_PATH,		/* path empty, too long, NUL */
	STORAGE_BAD_ARG,		/* flags, sizes, reserved fields */
	STORAGE_BAD_KINDS
};
int storage_bad(enum storage_bad kind, u16 src, u16 opcode, int err);
/* Wait until the volumes are mounted: 0, or -EAGAIN after 60 s.  Every
 * handler passes through it (vol_lock_handle, op_statfs). */
int storage_wait_ready(void);
u64 storage_bad_count(enum storage_bad kind);
/* In a handler: count and log bad input from @ctx's sender; returns @err. */
static inline int storage_reject(struct fit_msg_ctx *ctx,
				 enum storage_bad kind, int err)
{
	return storage_bad(kind, fit_ctx_src(ctx), fit_ctx_opcode(ctx), err);
}

/* In a handler, first of all: a message must be exactly its struct plus
 * the variable bytes it states (@want); anything else is -EBADMSG,
 * counted.  @want is computed in u64, so stated lengths cannot wrap. */
static inline int storage_check_len(struct fit_msg_ctx *ctx, u32 len,
				    u64 want)
{
	return len == want ? 0 :
	       storage_reject(ctx, STORAGE_BAD_LENGTH, -EBADMSG);
}

/* service_ops.c / service_dir.c: handler tables. */
struct storage_handler {
	u8 op;
	u32 min_len;
	int (*fn)(struct fit_msg_ctx *ctx, const void *req, u32 len);
};
extern const struct storage_handler storage_file_handlers[];
extern const unsigned int storage_nr_file_handlers;
extern const struct storage_handler storage_dir_handlers[];
extern const unsigned int storage_nr_dir_handlers;
/* Check a name of @len bytes at @p: 0, -EINVAL/-ENAMETOOLONG (counted).
 * On success copies it NUL-terminated into @out (256 bytes). */
int storage_name(struct fit_msg_ctx *ctx, const void *p, u32 len, char *out);

/* Selftests (storage_test.c): who does what in a test run.  Node 0 (or
 * the only node) drives; the storage node, if another one, serves until
 * node 0 sends STORAGE_OP_TEST_DONE for test @id; others skip. */
enum svc_test_role { SVC_DRIVE, SVC_SERVE, SVC_SKIP };
enum svc_test_role svc_test_role(void);
/* Serving node: wait for node 0's DONE for test @id (< 32). */
int svc_test_serve(u32 id);
/* Driving node: tell the storage node that test @id is over. */
int svc_test_done(u32 id);
/* Print and clear the timing (timing.c) here and on the storage node,
 * as "storage-time: @tag ..." lines. */
void svc_test_timing(const char *tag);

/* In a SELFTEST: serve (and return) or skip unless this node drives. */
#define SVC_ROLE(id)							\
	do {								\
		enum svc_test_role __r = svc_test_role();		\
		if (__r == SVC_SKIP)					\
			ST_SKIP("neither node 0 nor a storage node");	\
		if (__r == SVC_SERVE) {					\
			ST_EQ(svc_test_serve(id), 0);			\
			return 0;					\
		}							\
	} while (0)

#endif
