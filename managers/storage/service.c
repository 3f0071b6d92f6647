/* managers/storage/service.c — the file service: start on role=storage,
 * choice of the root filesystem, handler registration, write-back and
 * shutdown, and the accounting of bad requests.
 *
 * Start (ROLE_INIT, after fit_init, in the boot thread, which must not
 * sleep): the handlers are registered at once and the "storage-init"
 * thread mounts; until it is done, handlers wait (storage_wait_ready).
 * What is mounted: with
 * storage.root=auto (default) every block device that carries the ext2
 * magic is mounted in turn until one mounts; a corrupt image is refused
 * by ext2_mount (logged, the node keeps running) and the next device is
 * tried.  If none mounts, or with storage.root=archive, the boot archive
 * (a cpio module, archive.c) is served read-only.  storage.root=disk
 * never falls back.  The handlers are registered either way, so a node
 * with nothing to serve answers every request with an errno.
 *
 * Requests (service_ops.c, service_dir.c) run in FIT's worker threads;
 * each holds its volume's mutex for the duration of its ext2 calls, so one
 * slow request delays only requests to the same volume, and a failing one
 * returns an errno and leaves the volume as the ext2 core left it.
 *
 * Write-back: the "storage-wb" thread syncs every volume with dirty
 * blocks every storage.writeback_ms (default 5000) milliseconds, writing
 * in slices and releasing the volume lock between them.  At
 * shutdown (a machine_exit() hook; not on panic) the thread is stopped and each
 * volume is unmounted (synced, marked clean); requests after that get
 * -EIO.  What an unclean stop can lose: Documentation/storage.md.
 */
#include <fit/fit.h>
#include <kernel/machine.h>
#include <kernel/node.h>
#include <kernel/param.h>
#include <kernel/printk.h>
#include <kernel/role.h>
#include <kernel/sched.h>
#include <kernel/time.h>
#include <kernel/wait.h>
#include <lib/string.h>
#include <uapi/errno.h>
#include "internal.h"

static char root_mode[16] = "auto";
param_string("storage.root", root_mode,
	     "auto|disk|archive: what the storage node serves as /");
static int writeback_ms = 5000;
param_int("storage.writeback_ms", writeback_ms,
	  "period of the storage write-back thread (ms)");

static u64 bad_counts[STORAGE_BAD_KINDS];
static bool bad_logged[STORAGE_BAD_KINDS];
static const char *const bad_names[STORAGE_BAD_KINDS] = {
	[STORAGE_BAD_LENGTH] = "length disagrees with the message",
	[STORAGE_BAD_HANDLE] = "bad or stale handle",
	[STORAGE_BAD_NAME] = "bad name",
	[STORAGE_BAD_PATH] = "bad path",
	[STORAGE_BAD_ARG] = "bad argument",
};

int storage_bad(enum storage_bad kind, u16 src, u16 opcode, int err)
{
	__atomic_add_fetch(&bad_counts[kind], 1, __ATOMIC_RELAXED);
	if (!__atomic_exchange_n(&bad_logged[kind], true, __ATOMIC_RELAXED))
		printk("storage: request %#x from node %u: %s (%d); further "
		       "ones are counted, not logged\n", opcode, src,
		       bad_names[kind], err);
	return err;
}

u64 storage_bad_count(enum storage_bad kind)
{
	return __atomic_load_n(&bad_counts[kind], __ATOMIC_RELAXED);
}

static bool mount_disks(void)
{
	for (int i = 0; i < blkdev_count(); i++) {
		struct block_device *bdev = blkdev_get(i);
		struct storage_vol *v;
		u32 last_time;
		int err;

		if (!storage_bdev_has_ext2(bdev, &last_time))
			continue;
		err = vol_add_ext2(bdev, last_time, &v);
		if (err) {
			printk("storage: %s: ext2 refused (%d); not served\n",
			       bdev->name, err);
			continue;
		}
		printk("storage: fs %u: ext2 on %s%s\n", v->id, bdev->name,
		       vol_read_only(v) ? ", read-only" : "");
		return true;
	}
	return false;
}

static bool mount_archive(void)
{
	struct storage_vol *v;
	const void *data;
	size_t len;
	int err;

	if (!storage_find_archive(&data, &len))
		return false;
	err = vol_add_archive(data, len, &v);
	if (err) {
		printk("storage: boot archive (%zu bytes) refused (%d)\n", len,
		       err);
		return false;
	}
	printk("storage: fs %u: boot archive, %zu bytes, read-only\n", v->id,
	       len);
	return true;
}

static void mount_root(void)
{
	bool disk = strcmp(root_mode, "archive") != 0;
	bool archive = strcmp(root_mode, "disk") != 0;

	if (disk && archive && strcmp(root_mode, "auto"))
		printk("storage: storage.root=%s unknown; using auto\n",
		       root_mode);
	if (disk && mount_disks())
		return;
	if (archive && mount_archive())
		return;
	printk("storage: nothing to serve (storage.root=%s, %d block "
	       "device(s), %u boot module(s)); requests get errors\n",
	       root_mode, blkdev_count(), storage_nr_modules());
}

#define READY_NS	(60 * NSEC_PER_SEC)
#define WB_SLICE	64		/* blocks per write-back slice */
#define WB_SLICES	64		/* slices before the final sync */

static DEFINE_COMPLETION(storage_ready);
static DEFINE_COMPLETION(wb_stop);
static struct task *wb_task;

/* Write @v's dirty blocks back in slices of WB_SLICE blocks, taking the
 * volume lock for each, so that requests get in between (a slice of
 * scattered blocks costs tens of milliseconds, a whole cache of them
 * about a second); at most WB_SLICES of them, then one ext2_sync under
 * the lock writes what is left, the superblock, and flushes. */
static int writeback_vol(struct storage_vol *v)
{
	bool wrote = false;
	int r = 1;

	for (u32 i = 0; i < WB_SLICES && r > 0; i++) {
		mutex_lock(&v->lock);
		r = 0;
		if (v->ext2 && ext2_needs_sync(v->ext2)) {
			r = ext2_writeback_some(v->ext2, WB_SLICE);
			wrote = true;
		}
		mutex_unlock(&v->lock);
		yield();
	}
	if (r < 0)
		return r;
	mutex_lock(&v->lock);
	if (v->ext2 && (wrote || ext2_needs_sync(v->ext2)))
		r = ext2_sync(v->ext2);
	mutex_unlock(&v->lock);
	return r;
}

static void writeback_all(void)
{
	for (u32 id = 1; vol_find(id); id++) {
		int err = writeback_vol(vol_find(id));

		if (err)
			pr_warn_once("storage: write-back of fs %u failed: %d\n",
				     id, err);
	}
}

static int writeback_thread(void *arg)
{
	u64 period = (u64)(writeback_ms > 100 ? writeback_ms : 100) *
		     NSEC_PER_MSEC;

	while (!wait_for_completion_timeout(&wb_stop, period))
		writeback_all();
	return 0;
}

static void storage_shutdown(void)
{
	if (storage_wait_ready())
		return;
	if (wb_task) {
		complete(&wb_stop);
		kthread_join(wb_task);
		wb_task = NULL;
	}
	for (u32 id = 1; vol_find(id); id++)
		vol_shutdown(vol_find(id));
}

static int register_table(const struct storage_handler *t, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++) {
		int e1 = fit_register_handler(P2S_OP(t[i].op), t[i].min_len,
					      t[i].fn);
		int e2 = fit_register_handler(M2S_OP(t[i].op), t[i].min_len,
					      t[i].fn);

		if (e1 || e2)
			return e1 ? e1 : e2;
	}
	return 0;
}

/* The mounting happens here, in a thread of its own: ROLE_INIT functions
 * run in the boot thread, which becomes the idle task and must not sleep,
 * and probing and mounting disks sleeps. */
static int storage_init_thread(void *arg)
{
	mount_root();
	wb_task = kthread_run(writeback_thread, NULL, "storage-wb");
	if (!wb_task)
		printk("storage: no write-back thread; data reaches the disk "
		       "on fsync and at shutdown only\n");
	complete_all(&storage_ready);
	printk("storage: file service ready on node %u\n", node_self());
	return 0;
}

int storage_wait_ready(void)
{
	if (wait_for_completion_timeout(&storage_ready, READY_NS))
		return 0;
	pr_warn_once("storage: still mounting after %llu s\n",
		     READY_NS / NSEC_PER_SEC);
	return -EAGAIN;
}

/* Boot thread: must not sleep.  Handlers are registered at once (they
 * wait in storage_wait_ready() until the volumes are mounted), so a
 * client never mistakes this node for one without the service. */
static int storage_start(void)
{
	struct task *t;
	int err;

	err = register_table(storage_file_handlers, storage_nr_file_handlers);
	if (!err)
		err = register_table(storage_dir_handlers,
				     storage_nr_dir_handlers);
	if (err)
		return err;
	err = machine_add_shutdown_hook(storage_shutdown);
	if (err)
		printk("storage: no shutdown hook (%d)\n", err);
	t = kthread_run(storage_init_thread, NULL, "storage-init");
	if (!t) {
		complete_all(&storage_ready);
		return -ENOMEM;
	}
	kthread_detach(t);
	return 0;
}
ROLE_INIT(storage, ROLE_STORAGE, storage_start);
