/* managers/memory/service.c — the memory node's P2M service: start-up,
 * the process table and the file source.
 *
 * Start: ROLE_INIT on memory nodes registers every P2M handler with FIT
 * (service_page.c, service_vm.c, service_proc.c).  FIT checks each
 * request's fixed part (the minimum length); handlers check variable
 * parts themselves.
 *
 * Process table: see svc_internal.h.  Keys are (processor node, tgid);
 * the node is the FIT source of the request, so a processor reaches only
 * its own processes.  A request for an unknown process gets -ESRCH, and
 * the first one per processor node is logged.
 *
 * File source: executables and file mappings come first from a table of
 * in-memory files registered with p2m_file_register() (selftests
 * register a host-built test program; handle = index + 1), then from the
 * storage node through the storage client (include/storage/client.h),
 * if some node announced the storage role: a path found there gets a slot
 * in the table of storage files (service_sfile.c: reference-counted, a
 * slot is reused when nothing names it), and file pages are read with
 * storage_read.  MMAP_FILE adds the storage files processors map
 * (svc_file_storage).  A lookup's handle comes with a reference its
 * caller drops (svc_file_put); every file VMA holds one through the
 * space's file ops.  In-memory entries are never removed.  The page cache
 * (pagecache.c) reads pages through svc_read_page and filemap.c writes
 * shared mappings back through svc_write_page.
 *
 * Locks: table_lock (a spinlock: nothing sleeps under it) for the hash
 * table and references; p->lock (svc_internal.h), a reader/writer lock
 * written here;
 * files_lock (mutex) for registering entries in either file table
 * (readers see only published entries: the counts are written after the
 * entry, with release/acquire).
 */
#include <kernel/node.h>
#include <kernel/panic.h>
#include <kernel/printk.h>
#include <kernel/role.h>
#include <kernel/time.h>
#include <kernel/wait.h>
#include <lib/string.h>
#include <mm/mm.h>
#include <storage/client.h>
#include <uapi/errno.h>
#include "svc_internal.h"

#define PROC_BUCKETS	64
#define STORAGE_DISCOVERY_NS	(10ull * NSEC_PER_SEC)

struct p2m_service_stats svc_stats;
static struct list_head buckets[PROC_BUCKETS];
static DEFINE_SPINLOCK(table_lock);
static u64 esrch_logged;		/* bit per processor node */
static bool running;

bool svc_csum_on(void)
{
	return p2m_csum_enabled();
}

/* ---- process table ------------------------------------------------ */

static struct list_head *proc_bucket(u32 node, u32 tgid)
{
	return &buckets[(tgid * 31u + node) % PROC_BUCKETS];
}

static struct p2m_proc *proc_find(u32 node, u32 tgid)
{
	struct p2m_proc *p;

	list_for_each_entry(p, proc_bucket(node, tgid), link)
		if (p->node == node && p->tgid == tgid)
			return p;
	return NULL;
}

static void proc_put(struct p2m_proc *p)
{
	bool last;

	spin_lock(&table_lock);
	last = --p->refs == 0;
	spin_unlock(&table_lock);
	if (!last)
		return;
	if (p->mm)
		mm_space_destroy(p->mm);
	kfree(p);
}

/* ---- the per-process lock: shared for page traffic, exclusive for the
 * rest.  A waiting writer holds new readers back (VMA changes are rare
 * and must not starve behind a stream of faults).  Readers that find
 * no writer never sleep, so page requests of one process never queue
 * behind each other. */

static void rw_init(struct svc_rwlock *l)
{
	spin_lock_init(&l->lock, "p2m_proc");
	init_waitqueue_head(&l->wait);
	l->readers = 0;
	l->writers_waiting = 0;
}

static bool rw_try_read(struct svc_rwlock *l)
{
	bool ok;

	spin_lock(&l->lock);
	ok = l->readers >= 0 && !l->writers_waiting;
	if (ok)
		l->readers++;
	spin_unlock(&l->lock);
	return ok;
}

static void rw_read_lock(struct svc_rwlock *l)
{
	while (!rw_try_read(l))
		wait_event(l->wait, READ_ONCE(l->readers) >= 0 &&
				    !READ_ONCE(l->writers_waiting));
}

static bool rw_try_write(struct svc_rwlock *l, bool queued)
{
	bool ok;

	spin_lock(&l->lock);
	ok = l->readers == 0;
	if (ok)
		l->readers = -1;
	if (ok && queued)
		l->writers_waiting--;
	else if (!ok && !queued)
		l->writers_waiting++;
	spin_unlock(&l->lock);
	return ok;
}

static void rw_write_lock(struct svc_rwlock *l)
{
	if (rw_try_write(l, false))
		return;
	do {
		wait_event(l->wait, READ_ONCE(l->readers) == 0);
	} while (!rw_try_write(l, true));
}

static void rw_unlock(struct svc_rwlock *l)
{
	bool wake;

	spin_lock(&l->lock);
	BUG_ON(l->readers == 0);
	l->readers = l->readers < 0 ? 0 : l->readers - 1;
	wake = l->readers == 0;
	spin_unlock(&l->lock);
	if (wake)
		wake_up_all(&l->wait);
}

static int find_lock(u32 node, u32 tgid, struct p2m_proc **out, bool shared)
{
	struct p2m_proc *p;

	spin_lock(&table_lock);
	p = proc_find(node, tgid);
	if (p)
		p->refs++;
	spin_unlock(&table_lock);
	if (!p)
		return -ESRCH;
	if (shared)
		rw_read_lock(&p->lock);
	else
		rw_write_lock(&p->lock);
	if (p->ready && !p->gone) {
		*out = p;
		return 0;
	}
	rw_unlock(&p->lock);
	proc_put(p);
	return -ESRCH;
}

int svc_proc_find_lock(u32 node, u32 tgid, struct p2m_proc **out)
{
	return find_lock(node, tgid, out, false);
}

int svc_bad_len(struct fit_msg_ctx *ctx, u32 len)
{
	svc_count(&svc_stats.bad_len);
	pr_warn_once("p2m: node %u sent opcode %#x with %u bytes, which do "
		     "not match its contents: -EBADMSG (logged once)\n",
		     fit_ctx_src(ctx), fit_ctx_opcode(ctx), len);
	return -EBADMSG;
}

static int lock_ctx(struct fit_msg_ctx *ctx, u32 tgid, struct p2m_proc **out,
		    bool shared)
{
	u32 node = fit_ctx_src(ctx);
	u64 bit = node < 64 ? 1ull << node : 0;

	if (!find_lock(node, tgid, out, shared))
		return 0;
	svc_count(&svc_stats.esrch);
	if (bit && !(__atomic_fetch_or(&esrch_logged, bit, __ATOMIC_RELAXED) &
		     bit))
		printk("p2m: node %u asked (opcode %#x) for tgid %u, which "
		       "this memory node does not hold: -ESRCH (logged once "
		       "per node)\n", node, fit_ctx_opcode(ctx), tgid);
	return -ESRCH;
}

int svc_proc_lock(struct fit_msg_ctx *ctx, u32 tgid, struct p2m_proc **out)
{
	return lock_ctx(ctx, tgid, out, false);
}

int svc_proc_lock_shared(struct fit_msg_ctx *ctx, u32 tgid,
			 struct p2m_proc **out)
{
	return lock_ctx(ctx, tgid, out, true);
}

int svc_proc_relock(struct p2m_proc *p)
{
	rw_unlock(&p->lock);
	rw_write_lock(&p->lock);
	return p->gone ? -ESRCH : 0;
}

void svc_proc_unlock(struct p2m_proc *p)
{
	rw_unlock(&p->lock);
	proc_put(p);
}

int svc_proc_add(u32 node, u32 tgid, struct mm_space *mm,
		 struct p2m_proc **reserved)
{
	struct p2m_proc *p = kzalloc(sizeof(*p));
	int err = 0;

	if (!p)
		return -ENOMEM;
	p->node = node;
	p->tgid = tgid;
	p->refs = mm ? 1 : 2;		/* the table's (+ the reserver's) */
	p->mm = mm;
	p->ready = mm != NULL;
	rw_init(&p->lock);
	spin_lock(&table_lock);
	if (proc_find(node, tgid))
		err = -EEXIST;
	else
		list_add(&p->link, proc_bucket(node, tgid));
	if (!err)
		svc_stats.procs++;
	spin_unlock(&table_lock);
	if (err)
		kfree(p);
	else if (!mm)
		*reserved = p;
	return err;
}

void svc_proc_publish(struct p2m_proc *p, struct mm_space *mm)
{
	rw_write_lock(&p->lock);
	p->mm = mm;
	p->ready = true;
	rw_unlock(&p->lock);
	proc_put(p);
}

void svc_proc_cancel(struct p2m_proc *p)
{
	rw_write_lock(&p->lock);
	svc_proc_remove(p);
	rw_unlock(&p->lock);
	proc_put(p);
}

void svc_proc_remove(struct p2m_proc *p)
{
	spin_lock(&table_lock);
	list_del(&p->link);
	p->gone = true;
	svc_stats.procs--;
	p->refs--;			/* the table's; the caller holds one */
	spin_unlock(&table_lock);
}

/* ---- file source ---------------------------------------------------- */

struct svc_file {
	char path[P2M_FILE_PATH_MAX];
	const void *data;
	u64 size;
};

static struct svc_file files[P2M_FILES_MAX];
static unsigned int nr_files;
static DEFINE_MUTEX(files_lock);

static int mem_file_find(const char *path, u64 *handle, u64 *size)
{
	unsigned int n = __atomic_load_n(&nr_files, __ATOMIC_ACQUIRE);

	for (unsigned int i = 0; i < n; i++)
		if (!strcmp(files[i].path, path)) {
			*handle = i + 1;
			*size = files[i].size;
			return 0;
		}
	return -ENOENT;
}

int p2m_file_register(const char *path, const void *data, u64 size)
{
	size_t len = path ? strlen(path) : 0;
	u64 h, sz;
	int err = 0;

	if (!len || (!data && size))
		return -EINVAL;
	if (len >= P2M_FILE_PATH_MAX)
		return -ENAMETOOLONG;
	mutex_lock(&files_lock);
	if (!mem_file_find(path, &h, &sz))
		err = -EEXIST;
	else if (nr_files == P2M_FILES_MAX)
		err = -ENOSPC;
	if (!err) {
		memcpy(files[nr_files].path, path, len + 1);
		files[nr_files].data = data;
		files[nr_files].size = size;
		__atomic_store_n(&nr_files, nr_files + 1, __ATOMIC_RELEASE);
	}
	mutex_unlock(&files_lock);
	return err;
}

static bool storage_known(void)
{
	for (unsigned int n = 0; n < node_count(); n++)
		if (fit_node_roles((u16)n) & ROLE_STORAGE)
			return true;
	return false;
}

/* A storage node, if some node has the role: an exec that arrives while
 * discovery is still running (a processor that found every node before
 * we did) waits for it instead of answering -ENOENT. */
static bool storage_present(void)
{
	return storage_known() ||
	       (fit_wait_ready(STORAGE_DISCOVERY_NS) && storage_known());
}

static int storage_file(const char *path, u64 *handle, u64 *size)
{
	struct storage_handle h;
	struct storage_stat st;
	int err;

	if (!storage_present())
		return -ENOENT;
	err = storage_lookup(NULL, path, true, &h, &st);
	if (err == -ESTALE || err == -ENODEV)	/* nothing mounted there */
		return -ENOENT;
	if (err)
		return err;
	if ((st.mode & STORAGE_S_IFMT) != STORAGE_S_IFREG)
		return -EACCES;
	*size = st.size;
	return svc_sfile_get(&h, handle);
}

int svc_file_lookup(const char *path, u64 *handle, u64 *size)
{
	int err = mem_file_find(path, handle, size);

	return err ? storage_file(path, handle, size) : 0;
}

static int storage_file_read(u64 handle, u64 off, void *buf, u64 len)
{
	struct storage_handle h;
	ssize_t got;

	if (svc_sfile_inode(handle, &h))
		return -EBADF;
	got = storage_read(&h, off, buf, len);
	if (got < 0)
		return (int)got;
	memset((u8 *)buf + got, 0, len - (u64)got);
	return 0;
}

int svc_file_read(u64 handle, u64 off, void *buf, u64 len)
{
	unsigned int n = __atomic_load_n(&nr_files, __ATOMIC_ACQUIRE);
	const struct svc_file *f;
	u64 have;

	if (handle >= P2M_FILE_STORAGE)
		return storage_file_read(handle, off, buf, len);
	if (!handle || handle > n)
		return -EBADF;
	f = &files[handle - 1];
	have = off < f->size ? MIN(len, f->size - off) : 0;
	if (have)
		memcpy(buf, (const u8 *)f->data + off, have);
	memset((u8 *)buf + have, 0, len - have);
	return 0;
}

int svc_file_storage(u32 snode, const struct storage_handle *h,
		     u64 *handle)
{
	int here = storage_node();

	if (here < 0 || (u32)here != snode) {
		pr_warn_once("p2m: a file on storage node %u cannot be mapped "
			     "here (this node's storage client reaches %d): "
			     "-ENODEV (logged once)\n", snode, here);
		return -ENODEV;
	}
	return svc_sfile_get(h, handle);
}

void svc_file_put(u64 handle)
{
	if (handle >= P2M_FILE_STORAGE)
		svc_sfile_put(handle);
}

/* A page of a file for the page cache: -ENXIO when it lies wholly past
 * the end of the file (the fault raises SIGBUS there). */
static int svc_read_page(void *ctx, u64 file, u64 off, void *page)
{
	struct storage_handle h;
	ssize_t got;
	u64 size;

	if (file < P2M_FILE_STORAGE) {
		int err = svc_file_read(file, off, page, MM_PAGE_SIZE);

		size = file && file <= __atomic_load_n(&nr_files,
						       __ATOMIC_ACQUIRE) ?
			       files[file - 1].size : 0;
		return err ? err : off >= size ? -ENXIO : 0;
	}
	if (svc_sfile_inode(file, &h))
		return -EBADF;
	got = storage_read(&h, off, page, MM_PAGE_SIZE);
	if (got < 0)
		return (int)got;
	if (!got)
		return -ENXIO;
	memset((u8 *)page + got, 0, MM_PAGE_SIZE - (u64)got);
	return 0;
}

/* A dirty page of a shared mapping back to its storage file: only the
 * bytes before the file's current end (a mapping never grows its file).
 * In-memory files are read-only: -EROFS. */
static int write_page(u64 file, u64 off, const void *page)
{
	struct storage_handle h;
	struct storage_stat st;
	u64 len;
	ssize_t put;
	int err;

	if (file < P2M_FILE_STORAGE)
		return -EROFS;
	if (svc_sfile_inode(file, &h))
		return -EBADF;
	err = storage_stat(&h, &st);
	if (err)
		return err;
	if (off >= st.size)
		return 0;		/* truncated since: nothing to keep */
	len = MIN((u64)MM_PAGE_SIZE, st.size - off);
	put = storage_write(&h, off, page, len);
	if (put < 0)
		return (int)put;
	return (u64)put == len ? 0 : -ENOSPC;
}

static int svc_write_page(void *ctx, u64 file, u64 off, const void *page)
{
	int err = write_page(file, off, page);

	if (err)
		pr_warn_once("p2m: write-back of file %#llx at %#llx failed: "
			     "%d (logged once)\n", (unsigned long long)file,
			     (unsigned long long)off, err);
	return err;
}

/* A file VMA's reference on its storage file (in-memory files need none:
 * they live for ever). */
static void svc_hold(void *ctx, u64 file)
{
	if (file >= P2M_FILE_STORAGE)
		svc_sfile_hold(file);
}

static void svc_put(void *ctx, u64 file)
{
	svc_file_put(file);
}

static const struct mm_file_ops svc_fops = {
	svc_read_page, svc_write_page, svc_hold, svc_put,
};

struct mm_space *svc_space_create(u32 node, u32 tgid)
{
	struct mm_space_params sp = { .node = node, .tgid = tgid,
				      .fops = &svc_fops };

	return mm_space_create(&sp);
}

/* ---- replies, start-up, statistics ---------------------------------- */

int svc_reply_vm(struct fit_msg_ctx *ctx, u64 addr,
		 const struct mm_changes *ch)
{
	struct {
		struct p2m_vm_rep h;
		struct p2m_change c[P2M_CHANGES_MAX];
	} __packed rep;
	unsigned int nr = ch ? ch->nr : 0;

	BUILD_BUG_ON(MM_CHANGES_MAX != P2M_CHANGES_MAX);
	memset(&rep, 0, sizeof(rep));
	rep.h.addr = addr;
	rep.h.nr_changes = nr;
	for (unsigned int i = 0; i < nr; i++) {
		rep.c[i].kind = ch->c[i].kind;
		rep.c[i].prot = ch->c[i].prot;
		rep.c[i].start = ch->c[i].start;
		rep.c[i].end = ch->c[i].end;
		rep.c[i].to = ch->c[i].to;
	}
	return svc_reply(ctx, &rep, sizeof(rep.h) + nr * sizeof(rep.c[0]));
}

void p2m_service_get_stats(struct p2m_service_stats *out)
{
	memcpy(out, &svc_stats, sizeof(*out));
}

bool p2m_service_running(void)
{
	return __atomic_load_n(&running, __ATOMIC_ACQUIRE);
}

static int p2m_service_init(void)
{
	int err;

	for (unsigned int i = 0; i < PROC_BUCKETS; i++)
		INIT_LIST_HEAD(&buckets[i]);
	err = svc_page_init();
	if (!err)
		err = svc_vm_init();
	if (!err)
		err = svc_proc_init();
	if (err)
		return err;
	__atomic_store_n(&running, true, __ATOMIC_RELEASE);
	printk("p2m: memory service up on node %u (page checksums %s)\n",
	       node_self(), svc_csum_on() ? "on" : "off");
	return 0;
}
ROLE_INIT(p2m_service, ROLE_MEMORY, p2m_service_init);
