/* managers/memory/service_vm.c — P2M memory system calls on the memory
 * node: MMAP, MMAP_FILE, MUNMAP, MREMAP, MPROTECT, BRK and MSYNC.
 *
 * Each handler checks the exact request length, locks the process
 * (svc_proc_lock: -ESRCH for unknown ones), makes one core call, and
 * answers struct p2m_vm_rep with the change records the processor must
 * apply before it returns to the user.  Argument checking (alignment,
 * overflow, ranges) is the core's, with Linux's errnos; an error means
 * nothing changed.
 *
 * MMAP_FILE maps a storage file: the storage handle becomes this node's
 * file handle (svc_file_storage), then it is an MMAP.  MSYNC: the
 * processor writes its dirty lines back (PCACHE_FLUSH) before it asks;
 * mm_msync (filemap.c) checks the arguments as Linux does and writes the
 * dirty pages of shared file mappings in the range back to their files.
 */
#include <lib/string.h>
#include <uapi/errno.h>
#include <uapi/mman.h>
#include "internal.h"
#include "svc_internal.h"

#define CHECK_LEN(len, r)                                                   \
	do {                                                                \
		if ((len) != sizeof(*(r)))                                  \
			return svc_bad_len(ctx, len);                       \
	} while (0)

/* Lock @tgid's process, run @body with `mm`, `addr` and `ch` in scope,
 * reply with addr and ch, or with the error. */
#define VM_CALL(ctx, tgid, body)                                            \
	do {                                                                \
		struct mm_changes ch = { .nr = 0 };                         \
		struct p2m_proc *p;                                         \
		u64 addr = 0;                                               \
		int err = svc_proc_lock(ctx, tgid, &p);                     \
                                                                            \
		if (err)                                                    \
			return err;                                         \
		{                                                           \
			struct mm_space *mm = p->mm;                        \
			body;                                               \
		}                                                           \
		svc_proc_unlock(p);                                         \
		return err ? err : svc_reply_vm(ctx, addr, &ch);            \
	} while (0)

static int mmap_handler(struct fit_msg_ctx *ctx, const void *req, u32 len)
{
	const struct p2m_mmap_req *r = req;

	CHECK_LEN(len, r);
	VM_CALL(ctx, r->tgid, err = mm_mmap(mm, r->addr, r->len, r->prot,
					    r->flags, r->file, r->off, &addr,
					    &ch));
}

static int mmap_file_call(struct fit_msg_ctx *ctx,
			  const struct p2m_mmap_file_req *r, u64 file)
{
	VM_CALL(ctx, r->m.tgid, err = mm_mmap_file(mm, r->m.addr, r->m.len,
						   r->m.prot, r->m.flags, file,
						   r->m.off, !(r->file_flags &
						   P2M_MMAP_FILE_RDONLY),
						   &addr, &ch));
}

/* The storage file becomes a file handle of this node first, with a
 * reference held across the mmap (the new VMA takes its own). */
static int mmap_file_handler(struct fit_msg_ctx *ctx, const void *req,
			     u32 len)
{
	const struct p2m_mmap_file_req *r = req;
	struct storage_handle h;
	u64 file;
	int err;

	CHECK_LEN(len, r);
	if ((r->m.flags & MAP_ANONYMOUS) ||
	    (r->file_flags & ~P2M_MMAP_FILE_RDONLY))
		return -EINVAL;
	memcpy(&h, (const u8 *)r + offsetof(struct p2m_mmap_file_req, h),
	       sizeof(h));
	err = svc_file_storage(r->storage_node, &h, &file);
	if (err)
		return err;
	err = mmap_file_call(ctx, r, file);
	svc_file_put(file);
	return err;
}

static int munmap_handler(struct fit_msg_ctx *ctx, const void *req, u32 len)
{
	const struct p2m_range_req *r = req;

	CHECK_LEN(len, r);
	VM_CALL(ctx, r->tgid, err = mm_munmap(mm, r->addr, r->len, &ch));
}

static int mremap_handler(struct fit_msg_ctx *ctx, const void *req, u32 len)
{
	const struct p2m_mremap_req *r = req;

	CHECK_LEN(len, r);
	VM_CALL(ctx, r->tgid, err = mm_mremap(mm, r->addr, r->old_len,
					      r->new_len, r->flags,
					      r->new_addr, &addr, &ch));
}

static int mprotect_handler(struct fit_msg_ctx *ctx, const void *req,
			    u32 len)
{
	const struct p2m_range_req *r = req;

	CHECK_LEN(len, r);
	VM_CALL(ctx, r->tgid, err = mm_mprotect(mm, r->addr, r->len, r->arg,
						&ch));
}

static int brk_handler(struct fit_msg_ctx *ctx, const void *req, u32 len)
{
	const struct p2m_brk_req *r = req;

	CHECK_LEN(len, r);
	VM_CALL(ctx, r->tgid, addr = mm_brk(mm, r->brk, &ch));
}

static int msync_handler(struct fit_msg_ctx *ctx, const void *req, u32 len)
{
	const struct p2m_range_req *r = req;

	CHECK_LEN(len, r);
	VM_CALL(ctx, r->tgid, err = mm_msync(mm, r->addr, r->len, r->arg));
}

int svc_vm_init(void)
{
	static const struct fit_handler_desc tab[] = {
		{ P2M_MMAP, sizeof(struct p2m_mmap_req), mmap_handler },
		{ P2M_MUNMAP, sizeof(struct p2m_range_req), munmap_handler },
		{ P2M_MREMAP, sizeof(struct p2m_mremap_req), mremap_handler },
		{ P2M_MPROTECT, sizeof(struct p2m_range_req),
		  mprotect_handler },
		{ P2M_BRK, sizeof(struct p2m_brk_req), brk_handler },
		{ P2M_MSYNC, sizeof(struct p2m_range_req), msync_handler },
		{ P2M_MMAP_FILE, sizeof(struct p2m_mmap_file_req),
		  mmap_file_handler },
	};

	return svc_register_handlers(tab, ARRAY_SIZE(tab));
}
