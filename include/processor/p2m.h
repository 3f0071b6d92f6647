/* include/processor/p2m.h — the processor node's P2M client
 * (managers/processor/p2m/): one function per P2M request, sent with
 * fit_call to the memory node that homes this node's processes.
 *
 * The memory node is mem_node=N from the command line, else this node if
 * it has the memory role, else the lowest-numbered node that announced
 * the memory role.  Every function may sleep and returns 0 (or a count)
 * or a negative Linux errno: the memory node's own errors (-ESRCH for a
 * process it does not hold, -EFAULT, -EINVAL, -ENOMEM, -ENOEXEC, ...),
 * -ETIMEDOUT when the memory node does not answer in time (never a
 * hang), -EHOSTUNREACH when there is no memory node, -EPROTO for a reply
 * that does not parse, -EIO for a page whose checksum does not match.
 *
 * Calls that take rights away return change records (struct
 * p2m_changes) that the caller applies to its pcache lines, rmaps, PTEs
 * and TLBs, in order, before it answers the user (LESSONS 3, 4).
 */
#ifndef PROCESSOR_P2M_H
#define PROCESSOR_P2M_H

#include <protocol/p2m.h>

struct p2m_changes {
	unsigned int nr;
	struct p2m_change c[P2M_CHANGES_MAX];
};

/* A dirty line to write back in the same round trip as a miss. */
struct p2m_dirty {
	u64 uva;			/* page aligned */
	const void *page;		/* 4096 bytes */
	const u32 *csum;		/* its CRC32C taken earlier (the pcache
					 * at eviction), or NULL: computed
					 * here when p2m.csum=1 */
};

/* What a miss brought besides the pages. */
struct p2m_fill {
	unsigned int nr;		/* pages filled (>= 1 on success) */
	u32 writable;			/* bit i: page i may be mapped writable */
	u32 prot;			/* PROT_* of the faulting VMA */
	int piggy_err;			/* result of the piggybacked flush; the
					 * call's error if it never arrived */
};

/* The memory node for this node's processes, or -EHOSTUNREACH. */
int p2m_mem_node(void);

/* PCACHE_MISS for one page: fault at @uva (P2M_MISS_WRITE in @flags for a
 * write), the page into @page_out (4096 bytes).  @flush, if not NULL, is
 * written back first; its result goes to @info->piggy_err (@info may be
 * NULL when @flush is).  Returns 0 or the fault's errno. */
int p2m_miss(u32 tgid, u64 uva, u32 flags, const struct p2m_dirty *flush,
	     void *page_out, struct p2m_fill *info);
/* Same with fault-around: up to @nr (<= P2M_MISS_MAX_PAGES) pages from
 * @uva's page into @pages[i]; returns the number filled (>= 1).
 * @csums (may be NULL) gets each page's CRC32C: the one that crossed the
 * network (checked here) or, if the memory node sent none, computed. */
int p2m_miss_many(u32 tgid, u64 uva, u32 flags,
		  const struct p2m_dirty *flush, void **pages,
		  unsigned int nr, struct p2m_fill *info, u32 *csums);
/* PCACHE_FLUSH: write a dirty line back.  -EFAULT: the memory node does
 * not take it (no longer mapped writable); the data is dropped. */
int p2m_flush(u32 tgid, u64 uva, const void *page);
/* Same with the page's CRC32C taken earlier (@csum may be NULL). */
int p2m_flush_sum(u32 tgid, u64 uva, const void *page, const u32 *csum);
/* PCACHE_UPGRADE: may this node now write the read-only line at @uva?
 * 0 (the memory node broke COW), -EACCES, -EFAULT, or a transport error;
 * *@prot gets the VMA's PROT_*. */
int p2m_upgrade(u32 tgid, u64 uva, u32 *prot);

/* The pcache's memory-node hooks (fetch, flush, check_write,
 * first_touch, zerofill_notify, vma_pages_after) over P2M, written into
 * @ops; the page-table hooks stay the caller's (pcache_glue.c). */
struct pcache_ops;
void p2m_pcache_ops(struct pcache_ops *ops);
/* PCACHE_ZEROFILL: this node zero-filled @uva's page itself. */
int p2m_zerofill(u32 tgid, u64 uva, u32 flags, bool *writable, u32 *prot);

/* PCACHE_ZEROFILL_MANY: notices for @nr (1..P2M_ZEROFILL_MAX) pages
 * zero-filled here.  0, or the first error that is not "no longer
 * mapped". */
int p2m_zerofill_many(u32 tgid, const u64 *uva, unsigned int nr);

/* First-touch zero-fill (zerofill.c): notices sent, in how many batches,
 * failed batches, waits of write-backs or memory calls for a notice, and
 * first touches that missed because the notice queue was full. */
struct p2m_zf_stats {
	u64 notices, batches, errors, waits, queue_full;
};
void p2m_zf_get_stats(struct p2m_zf_stats *out);

/* Memory system calls; @ch may be NULL only when the call cannot take
 * rights away (never for munmap, mremap, mprotect, mmap MAP_FIXED, brk,
 * fork: pass a struct and apply it). */
int p2m_mmap(u32 tgid, u64 addr, u64 len, u32 prot, u32 flags, u64 file,
	     u64 off, u64 *addr_out, struct p2m_changes *ch);
/* MMAP_FILE: map @h, a regular file of storage node @snode (@file_flags:
 * P2M_MMAP_FILE_*). */
int p2m_mmap_file(u32 tgid, u64 addr, u64 len, u32 prot, u32 flags,
		  u32 snode, u32 file_flags, const struct storage_handle *h,
		  u64 off, u64 *addr_out, struct p2m_changes *ch);
int p2m_munmap(u32 tgid, u64 addr, u64 len, struct p2m_changes *ch);
int p2m_mremap(u32 tgid, u64 addr, u64 old_len, u64 new_len, u32 flags,
	       u64 new_addr, u64 *addr_out, struct p2m_changes *ch);
int p2m_mprotect(u32 tgid, u64 addr, u64 len, u32 prot,
		 struct p2m_changes *ch);
/* brk(2): *@brk_out gets the break after the call (the old one when it
 * could not move, as Linux). */
int p2m_brk(u32 tgid, u64 brk, u64 *brk_out, struct p2m_changes *ch);
int p2m_msync(u32 tgid, u64 addr, u64 len, u32 flags);

/* FORK: the caller flushed @tgid's dirty lines first; applies @ch
 * (WRPROTECT) to the parent's lines before either process runs. */
int p2m_fork(u32 tgid, u32 child_tgid, struct p2m_changes *ch);

struct p2m_cred {
	u32 uid, euid, gid, egid;
	bool secure;
};

struct p2m_exec_out {
	u64 entry, sp, brk;
	bool exec_stack;
};

/* EXECVE: load @path into a new space for @tgid (created, or replacing
 * the old one on success; a failure leaves the old one intact).  @cred
 * NULL means root.  AT_HWCAP comes from this CPU. */
int p2m_execve_as(u32 tgid, const char *path, const char *const *argv,
		  const char *const *envp, const struct p2m_cred *cred,
		  struct p2m_exec_out *out);
int p2m_execve(u32 tgid, const char *path, const char *const *argv,
	       const char *const *envp, u64 *entry, u64 *sp, u64 *brk);
int p2m_exit(u32 tgid);
/* MAPS: up to @max VMAs ending above @from into @out; returns the count
 * and sets *@more when VMAs after the last one remain. */
int p2m_maps(u32 tgid, u64 from, struct p2m_vma *out, unsigned int max,
	     bool *more);

/* Client-side counters (checksum errors on received pages, timeouts). */
struct p2m_client_stats {
	u64 calls, errors, timeouts, csum_errors, bad_replies;
};
void p2m_client_get_stats(struct p2m_client_stats *out);
/* The timeout of page and memory calls (p2m.timeout_ms). */
u64 p2m_timeout_ns(void);

#endif
