/* managers/storage/client.c — the file service's client library
 * (include/storage/client.h).
 *
 * Each call builds one request (fixed struct, then names/path/data),
 * sends it with fit_call() to the storage node and decodes the reply;
 * reads and writes over STORAGE_IO_MAX become a loop of messages.  The
 * opcode range is P2S on a node with the processor role and M2S
 * otherwise (the wire format is the same; the range tells the server who
 * is calling).  Timeouts: DATA_TIMEOUT for ordinary calls, SYNC_TIMEOUT
 * for fsync (it writes back every dirty block of the volume).
 *
 * Retries: a call that times out (-ETIMEDOUT: the request or its reply
 * was lost, e.g. when FIT resets an RDMA connection with the call in
 * flight) is sent again, up to CALL_RETRIES times, if its operation is
 * idempotent: the same request a second time leaves the same state and
 * gives the same answer (READ, WRITE at an offset, TRUNCATE to a size,
 * LOOKUP, STAT, OPEN, READDIR, READLINK, FSYNC, STATFS).  Operations
 * that change the namespace are not repeated: a second CREATE, MKDIR,
 * UNLINK, RMDIR, RENAME, SYMLINK or LINK could fail where the first one
 * succeeded, so their caller gets -ETIMEDOUT.  Every retry is counted
 * (storage_client_retries()) and the first is logged.
 *
 * Finding the storage node: storage_node=ID, else this node if it has the
 * storage role, else the lowest node that announced the storage role
 * (fit_node_roles) and answers STATFS with anything but "no such opcode"
 * (the service registers its handlers only on storage nodes; asking the
 * others would only make them log a rejected opcode), probed until
 * PROBE_NS after the first call.  The answer
 * is cached (probe_lock serializes the probing; the cache is read
 * lock-free after).  Callers: any manager thread; may sleep.
 */
#include <fit/fit.h>
#include <kernel/mutex.h>
#include <kernel/node.h>
#include <kernel/param.h>
#include <kernel/printk.h>
#include <kernel/sched.h>
#include <kernel/time.h>
#include <lib/string.h>
#include <mm/mm.h>
#include <storage/client.h>
#include <uapi/errno.h>
#include "timing.h"

#define DATA_TIMEOUT	(20 * NSEC_PER_SEC)
#define SYNC_TIMEOUT	(300 * NSEC_PER_SEC)
#define PROBE_NS	(60 * NSEC_PER_SEC)

static int storage_node_param = -1;
param_int("storage_node", storage_node_param,
	  "node id of the storage node (default: found by probing)");

static int cached_node = -1;
static DEFINE_MUTEX(probe_lock);

static u16 opcode(u8 op)
{
	return node_has_role(ROLE_PROCESSOR) ? P2S_OP(op) : M2S_OP(op);
}

static int probe_one(u16 node)
{
	struct storage_statfs_req req = { 0 };
	struct storage_statfs_rep rep;
	int r = fit_call(node, opcode(STORAGE_OP_STATFS), &req, sizeof(req),
			 &rep, sizeof(rep), 2 * NSEC_PER_SEC);

	return r >= 0 || (r != -EOPNOTSUPP && r != -EHOSTUNREACH &&
			  r != -ETIMEDOUT);
}

static int probe(void)
{
	u64 deadline = ktime_get_ns() + PROBE_NS;

	if (storage_node_param >= 0)
		return storage_node_param;
	if (node_has_role(ROLE_STORAGE))
		return (int)node_self();
	fit_wait_ready(PROBE_NS);
	do {
		for (unsigned int i = 0; i < node_count(); i++)
			if (i != node_self() &&
			    (fit_node_roles((u16)i) & ROLE_STORAGE) &&
			    probe_one((u16)i))
				return (int)i;
		msleep(200);
	} while (ktime_get_ns() < deadline);
	printk("storage: no node answers the file service\n");
	return -EHOSTUNREACH;
}

int storage_node(void)
{
	int n = __atomic_load_n(&cached_node, __ATOMIC_ACQUIRE);

	if (n >= 0)
		return n;
	mutex_lock(&probe_lock);
	n = cached_node;
	if (n < 0) {
		n = probe();
		if (n >= 0)
			__atomic_store_n(&cached_node, n, __ATOMIC_RELEASE);
	}
	mutex_unlock(&probe_lock);
	return n;
}

#define CALL_RETRIES	3

static u64 nr_retries;

u64 storage_client_retries(void)
{
	return __atomic_load_n(&nr_retries, __ATOMIC_RELAXED);
}

static bool idempotent(u8 op)
{
	switch (op) {
	case STORAGE_OP_READ: case STORAGE_OP_WRITE: case STORAGE_OP_TRUNCATE:
	case STORAGE_OP_LOOKUP: case STORAGE_OP_STAT: case STORAGE_OP_OPEN:
	case STORAGE_OP_READDIR: case STORAGE_OP_READLINK:
	case STORAGE_OP_FSYNC: case STORAGE_OP_STATFS:
		return true;
	default:
		return false;
	}
}

static int call(u8 op, const void *req, u32 len, void *rep, u32 max,
		u64 timeout)
{
	int node = storage_node(), r;

	if (node < 0)
		return node;
	for (u32 tries = 0;; tries++) {
		u64 t0 = ktime_get_ns();

		r = fit_call((u16)node, opcode(op), req, len, rep, max, timeout);
		storage_time_client(op, ktime_get_ns() - t0);
		if (r != -ETIMEDOUT || tries == CALL_RETRIES || !idempotent(op))
			return r;
		__atomic_fetch_add(&nr_retries, 1, __ATOMIC_RELAXED);
		pr_warn_once("storage: op %u to node %d timed out; sent again "
			     "(idempotent operations only)\n", op, node);
	}
}

/* Send @fixed (@flen bytes) followed by @a (@alen) and @b (@blen). */
static int call_var(u8 op, const void *fixed, u32 flen, const void *a,
		    size_t alen, const void *b, size_t blen, void *rep,
		    u32 max)
{
	u8 *msg;
	int r;

	if (flen + alen + blen > FIT_MAX_PAYLOAD)
		return -ENAMETOOLONG;
	msg = kmalloc(flen + alen + blen);
	if (!msg)
		return -ENOMEM;
	memcpy(msg, fixed, flen);
	if (alen)
		memcpy(msg + flen, a, alen);
	if (blen)
		memcpy(msg + flen + alen, b, blen);
	r = call(op, msg, flen + (u32)(alen + blen), rep, max, DATA_TIMEOUT);
	kfree(msg);
	return r;
}

static struct storage_handle root_or(const struct storage_handle *h)
{
	return h ? *h : (struct storage_handle){ 0 };
}

/* @h, or for NULL the root directory's handle (asked once, then
 * remembered: the root of a served volume never changes). */
static int dir_or_root(const struct storage_handle *h,
		       struct storage_handle *out)
{
	static struct storage_handle root;
	static bool have_root;
	struct storage_statfs_rep fs;
	int err;

	if (h) {
		*out = *h;
		return 0;
	}
	if (__atomic_load_n(&have_root, __ATOMIC_ACQUIRE)) {
		*out = root;
		return 0;
	}
	err = storage_statfs(0, &fs);
	if (err)
		return err;
	root = fs.root;
	__atomic_store_n(&have_root, true, __ATOMIC_RELEASE);
	*out = root;
	return 0;
}

static int entry_reply(int r, struct storage_entry_rep *rep,
		       struct storage_handle *out, struct storage_stat *st)
{
	if (r < 0)
		return r;
	if (r != sizeof(*rep))
		return -EPROTO;
	if (out)
		*out = rep->h;
	if (st)
		*st = rep->st;
	return 0;
}

int storage_lookup(const struct storage_handle *dir, const char *path,
		   bool follow, struct storage_handle *out,
		   struct storage_stat *st)
{
	size_t n = strnlen(path, STORAGE_PATH_MAX);
	struct storage_lookup_req req = {
		.dir = root_or(dir), .path_len = (u32)n,
		.flags = follow ? STORAGE_LOOKUP_FOLLOW : 0 };
	struct storage_entry_rep rep;

	if (n >= STORAGE_PATH_MAX)
		return -ENAMETOOLONG;
	return entry_reply(call_var(STORAGE_OP_LOOKUP, &req, sizeof(req),
				    path, n, NULL, 0, &rep, sizeof(rep)),
			   &rep, out, st);
}

static int stat_reply(int r, const struct storage_stat *got,
		      struct storage_stat *st)
{
	if (r < 0)
		return r;
	if (r != sizeof(*got))
		return -EPROTO;
	if (st)
		*st = *got;
	return 0;
}

int storage_open(const struct storage_handle *h, u32 flags,
		 struct storage_stat *st)
{
	struct storage_open_req req = { .h = *h, .flags = flags };
	struct storage_stat got;

	return stat_reply(call(STORAGE_OP_OPEN, &req, sizeof(req), &got,
			       sizeof(got), DATA_TIMEOUT), &got, st);
}

int storage_stat(const struct storage_handle *h, struct storage_stat *st)
{
	struct storage_stat_req req = { .h = *h };
	struct storage_stat got;

	return stat_reply(call(STORAGE_OP_STAT, &req, sizeof(req), &got,
			       sizeof(got), DATA_TIMEOUT), &got, st);
}

int storage_truncate(const struct storage_handle *h, u64 size)
{
	struct storage_truncate_req req = { .h = *h, .size = size };
	struct storage_stat got;

	return stat_reply(call(STORAGE_OP_TRUNCATE, &req, sizeof(req), &got,
			       sizeof(got), DATA_TIMEOUT), &got, NULL);
}

static ssize_t read_one(const struct storage_handle *h, u64 off, u8 *buf,
			u32 len, struct storage_read_rep *rep)
{
	struct storage_read_req req = { .h = *h, .offset = off, .len = len };
	int r = call(STORAGE_OP_READ, &req, sizeof(req), rep,
		     sizeof(*rep) + len, DATA_TIMEOUT);

	if (r < 0)
		return r;
	if (r < (int)sizeof(*rep) || rep->len != r - sizeof(*rep) ||
	    rep->len > len)
		return -EPROTO;
	memcpy(buf, rep + 1, rep->len);
	return rep->len;
}

ssize_t storage_read(const struct storage_handle *h, u64 off, void *buf,
		     size_t len)
{
	struct storage_read_rep *rep;
	size_t done = 0;
	ssize_t n = 0;

	rep = kmalloc(sizeof(*rep) + MIN(len, (size_t)STORAGE_IO_MAX));
	if (!rep)
		return -ENOMEM;
	while (done < len) {
		u32 chunk = (u32)MIN(len - done, (size_t)STORAGE_IO_MAX);

		n = read_one(h, off + done, (u8 *)buf + done, chunk, rep);
		if (n <= 0)
			break;
		done += n;
		if ((u32)n < chunk)
			break;
	}
	kfree(rep);
	return done || n >= 0 ? (ssize_t)done : n;
}

ssize_t storage_write(const struct storage_handle *h, u64 off,
		      const void *buf, size_t len)
{
	struct storage_write_rep rep;
	size_t done = 0;
	int r = 0;

	while (done < len) {
		u32 chunk = (u32)MIN(len - done, (size_t)STORAGE_IO_MAX);
		struct storage_write_req req = { .h = *h, .offset = off + done,
						 .len = chunk };

		r = call_var(STORAGE_OP_WRITE, &req, sizeof(req),
			     (const u8 *)buf + done, chunk, NULL, 0, &rep,
			     sizeof(rep));
		if (r >= 0 && (r != sizeof(rep) || rep.len > chunk))
			r = -EPROTO;
		if (r < 0)
			break;
		done += rep.len;
		if (rep.len < chunk)
			break;
	}
	return done || r >= 0 ? (ssize_t)done : r;
}

static int decode_dirents(const u8 *p, u32 bytes, u32 count,
			  struct storage_dirent_info *ents, u32 max)
{
	u32 off = 0, i;

	for (i = 0; i < count && i < max; i++) {
		const struct storage_dirent *d = (const void *)(p + off);

		if (off + sizeof(*d) > bytes || d->rec_len < sizeof(*d) ||
		    off + d->rec_len > bytes ||
		    sizeof(*d) + d->name_len > d->rec_len)
			return -EPROTO;
		ents[i].ino = d->ino;
		ents[i].type = d->type;
		ents[i].name_len = d->name_len;
		memcpy(ents[i].name, d + 1, d->name_len);
		ents[i].name[d->name_len] = 0;
		off += d->rec_len;
	}
	return (int)i;
}

int storage_readdir(const struct storage_handle *dir, u64 *cookie,
		    struct storage_dirent_info *ents, u32 max)
{
	u32 bytes = MIN(max, 64u) * (sizeof(struct storage_dirent) + 256);
	struct storage_readdir_req req = { .cookie = *cookie,
					   .max_bytes = bytes,
					   .max_entries = max };
	struct storage_readdir_rep *rep;
	int r;

	if (!max)
		return -EINVAL;
	r = dir_or_root(dir, &req.dir);
	if (r)
		return r;
	rep = kmalloc(sizeof(*rep) + bytes);
	if (!rep)
		return -ENOMEM;
	r = call(STORAGE_OP_READDIR, &req, sizeof(req), rep,
		 sizeof(*rep) + bytes, DATA_TIMEOUT);
	if (r >= (int)sizeof(*rep)) {
		int n = decode_dirents((const u8 *)(rep + 1),
				       (u32)r - sizeof(*rep), rep->count, ents,
				       max);
		if (n >= 0 && (u32)n < rep->count)
			n = -EPROTO;	/* the server sent more than max */
		if (n >= 0)
			*cookie = rep->cookie;
		r = n;
	} else if (r >= 0) {
		r = -EPROTO;
	}
	kfree(rep);
	return r;
}

int storage_create(const struct storage_handle *dir, const char *name,
		   u32 mode, u32 uid, u32 gid, u32 flags,
		   struct storage_handle *out, struct storage_stat *st)
{
	size_t n = strnlen(name, STORAGE_NAME_MAX + 1);
	struct storage_create_req req = { .mode = mode,
		.uid = uid, .gid = gid, .name_len = (u16)n,
		.flags = (u16)flags };
	struct storage_entry_rep rep;
	int err = dir_or_root(dir, &req.dir);

	if (err)
		return err;
	return entry_reply(call_var(STORAGE_OP_CREATE, &req, sizeof(req),
				    name, n, NULL, 0, &rep, sizeof(rep)),
			   &rep, out, st);
}

int storage_mkdir(const struct storage_handle *dir, const char *name,
		  u32 mode, u32 uid, u32 gid, struct storage_handle *out,
		  struct storage_stat *st)
{
	size_t n = strnlen(name, STORAGE_NAME_MAX + 1);
	struct storage_mkdir_req req = { .mode = mode,
		.uid = uid, .gid = gid, .name_len = (u16)n };
	struct storage_entry_rep rep;
	int err = dir_or_root(dir, &req.dir);

	if (err)
		return err;
	return entry_reply(call_var(STORAGE_OP_MKDIR, &req, sizeof(req),
				    name, n, NULL, 0, &rep, sizeof(rep)),
			   &rep, out, st);
}

int storage_symlink(const struct storage_handle *dir, const char *name,
		    const char *target, u32 uid, u32 gid,
		    struct storage_handle *out, struct storage_stat *st)
{
	size_t n = strnlen(name, STORAGE_NAME_MAX + 1);
	size_t t = strnlen(target, STORAGE_PATH_MAX);
	struct storage_symlink_req req = { .uid = uid,
		.gid = gid, .name_len = (u16)n, .target_len = (u16)t };
	struct storage_entry_rep rep;
	int err = dir_or_root(dir, &req.dir);

	if (err)
		return err;
	return entry_reply(call_var(STORAGE_OP_SYMLINK, &req, sizeof(req),
				    name, n, target, t, &rep, sizeof(rep)),
			   &rep, out, st);
}

int storage_link(const struct storage_handle *h,
		 const struct storage_handle *dir, const char *name)
{
	size_t n = strnlen(name, STORAGE_NAME_MAX + 1);
	struct storage_link_req req = { .h = *h, .name_len = (u16)n };
	struct storage_stat st;
	int r = dir_or_root(dir, &req.dir);

	if (r)
		return r;
	r = call_var(STORAGE_OP_LINK, &req, sizeof(req), name, n, NULL,
			 0, &st, sizeof(st));

	return stat_reply(r, &st, NULL);
}

static int remove_name(u8 op, const struct storage_handle *dir,
		       const char *name)
{
	size_t n = strnlen(name, STORAGE_NAME_MAX + 1);
	struct storage_unlink_req req = { .name_len = (u16)n };
	int r = dir_or_root(dir, &req.dir);

	if (r)
		return r;
	r = call_var(op, &req, sizeof(req), name, n, NULL, 0, NULL, 0);

	return r < 0 ? r : 0;
}

int storage_unlink(const struct storage_handle *dir, const char *name)
{
	return remove_name(STORAGE_OP_UNLINK, dir, name);
}

int storage_rmdir(const struct storage_handle *dir, const char *name)
{
	return remove_name(STORAGE_OP_RMDIR, dir, name);
}

int storage_rename(const struct storage_handle *odir, const char *oname,
		   const struct storage_handle *ndir, const char *nname)
{
	size_t on = strnlen(oname, STORAGE_NAME_MAX + 1);
	size_t nn = strnlen(nname, STORAGE_NAME_MAX + 1);
	struct storage_rename_req req = { .oname_len = (u16)on,
					  .nname_len = (u16)nn };
	int r = dir_or_root(odir, &req.odir);

	if (!r)
		r = dir_or_root(ndir, &req.ndir);
	if (r)
		return r;
	r = call_var(STORAGE_OP_RENAME, &req, sizeof(req), oname, on,
			 nname, nn, NULL, 0);

	return r < 0 ? r : 0;
}

ssize_t storage_readlink(const struct storage_handle *h, char *buf,
			 size_t len)
{
	struct storage_readlink_req req = { .h = *h };
	struct storage_readlink_rep *rep;
	int r;

	rep = kmalloc(sizeof(*rep) + STORAGE_PATH_MAX);
	if (!rep)
		return -ENOMEM;
	r = call(STORAGE_OP_READLINK, &req, sizeof(req), rep,
		 sizeof(*rep) + STORAGE_PATH_MAX, DATA_TIMEOUT);
	if (r >= (int)sizeof(*rep) && rep->len == r - sizeof(*rep)) {
		r = (int)MIN((size_t)rep->len, len);
		memcpy(buf, rep + 1, r);
	} else if (r >= 0) {
		r = -EPROTO;
	}
	kfree(rep);
	return r;
}

int storage_fsync(const struct storage_handle *h)
{
	struct storage_fsync_req req = { .h = *h };
	int r = call(STORAGE_OP_FSYNC, &req, sizeof(req), NULL, 0,
		     SYNC_TIMEOUT);

	return r < 0 ? r : 0;
}

int storage_statfs(u32 fs, struct storage_statfs_rep *rep)
{
	struct storage_statfs_req req = { .fs = fs };
	int r = call(STORAGE_OP_STATFS, &req, sizeof(req), rep, sizeof(*rep),
		     DATA_TIMEOUT);

	if (r >= 0 && r != sizeof(*rep))
		r = -EPROTO;
	return r < 0 ? r : 0;
}
