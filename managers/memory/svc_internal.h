/* managers/memory/svc_internal.h — shared by the P2M service files
 * (service.c: start-up, process table, files; service_page.c: page
 * traffic; service_vm.c: memory system calls; service_proc.c: fork,
 * execve, exit, maps).
 *
 * Process table: struct p2m_proc per (processor node, tgid), in a hash
 * table under table_lock (a spinlock, held only for the table and the
 * reference counts).  A handler takes a reference and p->lock, a
 * reader/writer lock (service.c): page traffic (MISS, FLUSH, ZEROFILL,
 * UPGRADE) holds it shared, so faults of one process run at once, and
 * uses the core's _shared calls (include/memory/mm_space.h), which
 * serialise only their page-table changes on the space's pt_lock; every
 * request that may change VMAs or the space itself (memory calls, FORK,
 * EXECVE, EXIT, MAPS) holds it exclusive.  p->gone is checked under it:
 * EXIT and a replacing EXECVE happen under it held exclusive, so a
 * request never sees a space being destroyed.  The last reference frees
 * the space.
 * Lock order: p->lock, then mm->lock (inside the core), then pt_lock,
 * then the allocator.  table_lock nests inside p->lock (remove), never
 * the reverse.
 */
#ifndef MANAGERS_MEMORY_SVC_INTERNAL_H
#define MANAGERS_MEMORY_SVC_INTERNAL_H

#include <fit/fit.h>
#include <kernel/mutex.h>
#include <kernel/spinlock.h>
#include <kernel/wait.h>
#include <lib/list.h>
#include <memory/mm_space.h>
#include <memory/service.h>
#include <protocol/p2m.h>

/* Reader/writer lock that sleeps (service.c): readers > 0 shared holders,
 * -1 one writer, 0 free; a waiting writer keeps new readers out. */
struct svc_rwlock {
	spinlock_t lock;
	int readers;
	unsigned int writers_waiting;
	struct wait_queue_head wait;
};

struct p2m_proc {
	struct list_head link;		/* hash bucket (table_lock) */
	u32 node, tgid;
	u32 refs;			/* table_lock */
	bool ready;			/* p->lock: has a space (a reserved
					 * fork child is not ready yet) */
	bool gone;			/* p->lock: exited, out of the table */
	struct svc_rwlock lock;		/* shared: page traffic; exclusive:
					 * everything else */
	struct mm_space *mm;		/* p->lock */
};

extern struct p2m_service_stats svc_stats;
static inline void svc_count(u64 *c)
{
	__atomic_fetch_add(c, 1, __ATOMIC_RELAXED);
}

/* A request whose variable part does not add up: counted, logged once,
 * -EBADMSG. */
int svc_bad_len(struct fit_msg_ctx *ctx, u32 len);

/* Find (requester, tgid) and lock it exclusive: 0 with p->lock held and
 * a reference, or -ESRCH (logged once per processor node). */
int svc_proc_lock(struct fit_msg_ctx *ctx, u32 tgid, struct p2m_proc **out);
/* The same, shared (page traffic: no VMA change under it). */
int svc_proc_lock_shared(struct fit_msg_ctx *ctx, u32 tgid,
			 struct p2m_proc **out);
/* Shared to exclusive (not atomically: anything may happen in between).
 * 0, or -ESRCH if the process went meanwhile; p->lock is held exclusive
 * in both cases. */
int svc_proc_relock(struct p2m_proc *p);
/* Unlock (either mode) and drop the reference. */
void svc_proc_unlock(struct p2m_proc *p);
/* Same without logging: for EXECVE, which may create the process. */
int svc_proc_find_lock(u32 node, u32 tgid, struct p2m_proc **out);
/* A new process holding @mm; -EEXIST if the key is taken (then @mm is
 * still the caller's), -ENOMEM.  With @mm NULL the key is only reserved
 * (lookups say -ESRCH) and *@reserved gets the process with a reference:
 * the caller ends with svc_proc_publish() or svc_proc_cancel(). */
int svc_proc_add(u32 node, u32 tgid, struct mm_space *mm,
		 struct p2m_proc **reserved);
void svc_proc_publish(struct p2m_proc *p, struct mm_space *mm);
void svc_proc_cancel(struct p2m_proc *p);
/* With p->lock held: take @p out of the table; its space is freed at the
 * last reference. */
void svc_proc_remove(struct p2m_proc *p);
/* A space with the service's file source. */
struct mm_space *svc_space_create(u32 node, u32 tgid);

/* Reply struct p2m_vm_rep with @addr and the change records of @ch. */
int svc_reply_vm(struct fit_msg_ctx *ctx, u64 addr,
		 const struct mm_changes *ch);
/* Checksums on outgoing pages (p2m.csum=). */
bool svc_csum_on(void);

/* File source (service.c). */
int svc_file_lookup(const char *path, u64 *handle, u64 *size);
int svc_file_read(u64 handle, u64 off, void *buf, u64 len);
/* The handle of storage node @snode's file @h (found or added), with a
 * reference for the caller (svc_file_put): 0, -ENODEV (not the storage
 * node this node's client reaches), -ENFILE.  svc_file_lookup's handles
 * carry such a reference too. */
int svc_file_storage(u32 snode, const struct storage_handle *h,
		     u64 *handle);
void svc_file_put(u64 handle);

/* The storage-file slots (service_sfile.c): get (found or added, with a
 * reference; -ENFILE when every slot is referenced), hold and put a
 * reference, the inode of a current handle (-EBADF if stale), and the
 * number of slots referenced (leak checks). */
int svc_sfile_get(const struct storage_handle *h, u64 *handle);
void svc_sfile_hold(u64 handle);
void svc_sfile_put(u64 handle);
int svc_sfile_inode(u64 handle, struct storage_handle *out);
unsigned int svc_sfiles_in_use(void);

/* Register P2M handlers to run on the service's own threads
 * (service_pool.c); a handler returns a negative errno only if it has not
 * answered. */
int svc_register_handlers(const struct fit_handler_desc *tab, size_t n);
/* The calling service thread's buffer of SVC_THREAD_BUF bytes (a
 * one-page miss reply), or NULL (not a service thread, no memory). */
#define SVC_THREAD_BUF	(sizeof(struct p2m_miss_rep) + P2M_PAGE_SIZE)
void *svc_thread_buf(void);
/* fit_reply() for those handlers: always 0 (a lost reply is logged once;
 * the caller times out). */
int svc_reply(struct fit_msg_ctx *ctx, const void *rep, u32 len);

/* Handler registration per file. */
int svc_page_init(void);
int svc_vm_init(void);
int svc_proc_init(void);

#endif
