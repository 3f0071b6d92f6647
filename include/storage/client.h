/* include/storage/client.h — the file service's client library
 * (managers/storage/client.c): what the memory node's loader and the
 * processor's file layer call to reach the storage node over FIT.
 *
 * The storage node is storage_node=ID if given; otherwise this node if it
 * has the storage role; otherwise the lowest-numbered node that answers
 * the service's STATFS (nodes without the storage role answer
 * -EOPNOTSUPP), probed for up to 60 s while the cluster boots, then
 * remembered.  Objects are named by struct storage_handle
 * (include/protocol/storage.h) after storage_lookup(); NULL for a
 * directory handle (the dir/odir/ndir arguments) means the root.  Every call may sleep, is safe from any number
 * of threads, and returns 0 (or a byte count) or a negative Linux errno —
 * the service's, or FIT's (-ETIMEDOUT, -EHOSTUNREACH).  Reads and writes
 * longer than STORAGE_IO_MAX are split into several messages; a 4 KiB
 * page is one message each way.
 */
#ifndef STORAGE_CLIENT_H
#define STORAGE_CLIENT_H

#include <protocol/storage.h>

struct storage_dirent_info {
	u32 ino;
	u8 type;			/* DT_* */
	u8 name_len;
	char name[256];			/* NUL-terminated */
};

/* The storage node's id, or a negative errno if none answers. */
int storage_node(void);

int storage_lookup(const struct storage_handle *dir, const char *path,
		   bool follow, struct storage_handle *out,
		   struct storage_stat *st);
int storage_open(const struct storage_handle *h, u32 flags,
		 struct storage_stat *st);
/* Read up to @len bytes at @off; short only at end of file. */
ssize_t storage_read(const struct storage_handle *h, u64 off, void *buf,
		     size_t len);
/* Write @len bytes at @off; short only when the disk filled up. */
ssize_t storage_write(const struct storage_handle *h, u64 off,
		      const void *buf, size_t len);
int storage_stat(const struct storage_handle *h, struct storage_stat *st);
/* Fill up to @max entries from *@cookie (0 to start) on; returns how
 * many (0 at the end) and advances *@cookie. */
int storage_readdir(const struct storage_handle *dir, u64 *cookie,
		    struct storage_dirent_info *ents, u32 max);
/* @flags: STORAGE_CREATE_EXCL.  An existing file is returned unless
 * EXCL (O_CREAT semantics). */
int storage_create(const struct storage_handle *dir, const char *name,
		   u32 mode, u32 uid, u32 gid, u32 flags,
		   struct storage_handle *out, struct storage_stat *st);
int storage_mkdir(const struct storage_handle *dir, const char *name,
		  u32 mode, u32 uid, u32 gid, struct storage_handle *out,
		  struct storage_stat *st);
int storage_symlink(const struct storage_handle *dir, const char *name,
		    const char *target, u32 uid, u32 gid,
		    struct storage_handle *out, struct storage_stat *st);
int storage_link(const struct storage_handle *h,
		 const struct storage_handle *dir, const char *name);
int storage_unlink(const struct storage_handle *dir, const char *name);
int storage_rmdir(const struct storage_handle *dir, const char *name);
int storage_rename(const struct storage_handle *odir, const char *oname,
		   const struct storage_handle *ndir, const char *nname);
int storage_truncate(const struct storage_handle *h, u64 size);
ssize_t storage_readlink(const struct storage_handle *h, char *buf,
			 size_t len);
/* Everything written before the call is on the disk when it returns. */
int storage_fsync(const struct storage_handle *h);
/* @fs 0: the root filesystem. */
int storage_statfs(u32 fs, struct storage_statfs_rep *rep);
/* Idempotent calls sent again after a timeout, since boot (client.c). */
u64 storage_client_retries(void);
/* Timing of this node's calls and, on the storage node, of its handlers
 * and device requests (managers/storage/timing.c): print as
 * "storage-time: @tag ..." lines, or clear. */
void storage_timing_dump(const char *tag);
void storage_timing_reset(void);

#endif
