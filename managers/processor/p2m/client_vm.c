/* managers/processor/p2m/client_vm.c — the P2M client's memory system
 * calls: MMAP, MMAP_FILE, MUNMAP, MREMAP, MPROTECT, BRK, MSYNC and FORK.
 *
 * Each builds its request, calls the memory node (p2m_call) and parses a
 * struct p2m_vm_rep reply: its length must be exactly the header plus
 * nr_changes records (at most P2M_CHANGES_MAX), else -EPROTO.  Change
 * records go to the caller unchanged, in order.
 *
 * First-touch zero-fill (zerofill.c): a successful MMAP of private
 * anonymous memory without MAP_POPULATE records a fresh range.  Before a
 * call, the ranges it may change stop being fresh (munmap, mremap: both
 * ranges, mprotect, MAP_FIXED: the range replaced, fork: all of the
 * parent's) and the process's queued zero-fill notices are waited for;
 * after it, the ranges its change records name stop being fresh too.  Callers: the Linux ABI
 * layer's mm system calls (and selftests); may sleep; no locks.
 */
#include <kernel/printk.h>
#include <lib/string.h>
#include <uapi/errno.h>
#include <uapi/mman.h>
#include "internal.h"

struct vm_reply {
	struct p2m_vm_rep h;
	struct p2m_change c[P2M_CHANGES_MAX];
} __packed;

int p2m_vm_reply(u16 op, const void *rep, int len, u64 *addr,
		 struct p2m_changes *ch)
{
	const struct vm_reply *r = rep;

	if (len < 0)
		return len;
	if ((u32)len < sizeof(r->h) || r->h.nr_changes > P2M_CHANGES_MAX ||
	    (u32)len != sizeof(r->h) + r->h.nr_changes * sizeof(r->c[0]) ||
	    (r->h.nr_changes && !ch)) {
		p2m_ccount(&p2m_cstats.bad_replies);
		pr_warn_once("p2m: malformed reply to opcode %#x (%d bytes)\n",
			     op, len);
		return -EPROTO;
	}
	if (addr)
		*addr = r->h.addr;
	if (ch) {
		ch->nr = r->h.nr_changes;
		memcpy(ch->c, r->c, ch->nr * sizeof(ch->c[0]));
	}
	return 0;
}

/* Every call: the process's zero-fill notices reach the memory node
 * first (the caller dropped the fresh ranges the call may change); the
 * ranges the reply's records name stop being fresh. */
static int vm_call(u32 tgid, u16 op, const void *req, u32 len, u64 *addr,
		   struct p2m_changes *ch, bool slow)
{
	struct vm_reply rep;
	int n, err;

	p2m_zf_fence(tgid);
	n = p2m_call(op, req, len, &rep, sizeof(rep), slow);
	err = p2m_vm_reply(op, &rep, n, addr, ch);
	if (!err)
		p2m_fresh_drop_changes(tgid, ch);
	return err;
}

/* A private anonymous mapping without MAP_POPULATE has no page yet. */
static bool fresh_mapping(u32 flags)
{
	return (flags & (MAP_SHARED | MAP_PRIVATE)) == MAP_PRIVATE &&
	       (flags & MAP_ANONYMOUS) && !(flags & MAP_POPULATE);
}

int p2m_mmap(u32 tgid, u64 addr, u64 len, u32 prot, u32 flags, u64 file,
	     u64 off, u64 *addr_out, struct p2m_changes *ch)
{
	struct p2m_mmap_req r = { .tgid = tgid, .prot = prot, .flags = flags,
				  .addr = addr, .len = len, .file = file,
				  .off = off };
	u64 at = 0;
	int err;

	if (flags & MAP_FIXED)		/* replaces what the range held */
		p2m_fresh_drop(tgid, addr, addr + len);
	err = vm_call(tgid, P2M_MMAP, &r, sizeof(r), &at, ch, false);
	if (!err && fresh_mapping(flags))
		p2m_fresh_add(tgid, at, len, prot);
	if (!err && addr_out)
		*addr_out = at;
	return err;
}

int p2m_mmap_file(u32 tgid, u64 addr, u64 len, u32 prot, u32 flags,
		  u32 snode, u32 file_flags, const struct storage_handle *h,
		  u64 off, u64 *addr_out, struct p2m_changes *ch)
{
	struct p2m_mmap_file_req r = {
		.m = { .tgid = tgid, .prot = prot, .flags = flags,
		       .addr = addr, .len = len, .off = off },
		.storage_node = snode, .file_flags = file_flags,
	};

	memcpy((u8 *)&r + offsetof(struct p2m_mmap_file_req, h), h,
	       sizeof(*h));
	if (flags & MAP_FIXED)		/* replaces what the range held */
		p2m_fresh_drop(tgid, addr, addr + len);
	return vm_call(tgid, P2M_MMAP_FILE, &r, sizeof(r), addr_out, ch,
		       false);
}

int p2m_munmap(u32 tgid, u64 addr, u64 len, struct p2m_changes *ch)
{
	struct p2m_range_req r = { .tgid = tgid, .addr = addr, .len = len };

	p2m_fresh_drop(tgid, addr, addr + len);
	return vm_call(tgid, P2M_MUNMAP, &r, sizeof(r), NULL, ch, false);
}

int p2m_mremap(u32 tgid, u64 addr, u64 old_len, u64 new_len, u32 flags,
	       u64 new_addr, u64 *addr_out, struct p2m_changes *ch)
{
	struct p2m_mremap_req r = { .tgid = tgid, .flags = flags,
				    .addr = addr, .old_len = old_len,
				    .new_len = new_len,
				    .new_addr = new_addr };
	u64 at = 0;
	int err;

	p2m_fresh_drop(tgid, addr, addr + old_len);
	if (flags & MREMAP_FIXED)
		p2m_fresh_drop(tgid, new_addr, new_addr + new_len);
	err = vm_call(tgid, P2M_MREMAP, &r, sizeof(r), &at, ch, false);
	if (!err)
		p2m_fresh_drop(tgid, at, at + new_len);
	if (!err && addr_out)
		*addr_out = at;
	return err;
}

int p2m_mprotect(u32 tgid, u64 addr, u64 len, u32 prot,
		 struct p2m_changes *ch)
{
	struct p2m_range_req r = { .tgid = tgid, .arg = prot, .addr = addr,
				   .len = len };

	p2m_fresh_drop(tgid, addr, addr + len);
	return vm_call(tgid, P2M_MPROTECT, &r, sizeof(r), NULL, ch, false);
}

int p2m_brk(u32 tgid, u64 brk, u64 *brk_out, struct p2m_changes *ch)
{
	struct p2m_brk_req r = { .tgid = tgid, .brk = brk };

	return vm_call(tgid, P2M_BRK, &r, sizeof(r), brk_out, ch, false);
}

int p2m_msync(u32 tgid, u64 addr, u64 len, u32 flags)
{
	struct p2m_range_req r = { .tgid = tgid, .arg = flags, .addr = addr,
				   .len = len };

	return vm_call(tgid, P2M_MSYNC, &r, sizeof(r), NULL, NULL, false);
}

int p2m_fork(u32 tgid, u32 child_tgid, struct p2m_changes *ch)
{
	struct p2m_fork_req r = { .tgid = tgid, .child_tgid = child_tgid };

	p2m_fresh_drop(tgid, 0, ~0ull);		/* COW pages are not fresh */
	p2m_fresh_drop(child_tgid, 0, ~0ull);
	return vm_call(tgid, P2M_FORK, &r, sizeof(r), NULL, ch, true);
}
