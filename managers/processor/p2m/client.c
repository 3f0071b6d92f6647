/* managers/processor/p2m/client.c — the processor node's P2M client:
 * choosing the memory node, the call wrapper, page traffic (MISS, FLUSH,
 * ZEROFILL, UPGRADE) and processes (EXECVE, EXIT, MAPS).  Memory system calls:
 * client_vm.c.
 *
 * The memory node: mem_node=N, else this node if it has the memory role,
 * else the lowest node that announced the memory role (FIT discovery).
 * Every call goes through fit_call with p2m.timeout_ms (exec, fork and
 * exit: p2m.slow_timeout_ms, as they may read files or copy many page
 * tables), so a dead memory node gives -ETIMEDOUT, counted, never a hang.
 * Why not FIT's own timeout (1 s, meant for a bare round trip): a P2M
 * request is served after the requests of its process before it (an exec
 * or a fork of it holds its lock on the memory node for their whole slow
 * budget) and may itself read a file page from the storage service; and
 * on an oversubscribed TCG host a vCPU stalls for over a second (measured:
 * misses needing 1.1-1.7 s end to end while the memory node handled them
 * in under 0.4 s, a shell pipeline of ten processes on one CPU).  So the
 * default equals the slow calls' default, 10 s: as long as anything a
 * request can queue behind.
 *
 * A miss sends its request from the stack unless it carries a page, and
 * receives a one-page reply into a buffer kept for the next miss (a
 * kmalloc over a page is poisoned and checked whole by the allocator's
 * debug option).  Its CRC32Cs are computed only when asked for.
 *
 * Pages: a miss reply's length must be exactly the header plus nr pages
 * (nr <= the pages asked for), else -EPROTO.  Pages sent carry a CRC32C
 * when p2m.csum=1; pages received with one are checked (-EIO, counted).
 *
 * First-touch zero-fill (zerofill.c): a miss marks its pages given out
 * (never zero-filled here afterwards); exec and exit drop the process's
 * fresh ranges and wait for its zero-fill notices first.
 *
 * Locking: none but rbuf_lock around the cached reply buffers (calls are
 * independent; counters atomic).  Callers: the
 * pcache's fetch/flush/zero-fill hooks and the Linux ABI layer.
 */
#include <asm/x86.h>
#include <fit/fit.h>
#include <kernel/node.h>
#include <kernel/param.h>
#include <kernel/printk.h>
#include <kernel/time.h>
#include <lib/crc32c.h>
#include <lib/string.h>
#include <mm/mm.h>
#include <uapi/errno.h>
#include "internal.h"

struct p2m_client_stats p2m_cstats;

static int mem_node_param = -1;
param_int("mem_node", mem_node_param,
	  "memory node that homes this node's processes (default: the "
	  "first node with the memory role)");
static unsigned long timeout_ms = 10000;
param_ulong("p2m.timeout_ms", timeout_ms,
	    "timeout of P2M page and memory calls (ms)");
static unsigned long slow_timeout_ms = 10000;
param_ulong("p2m.slow_timeout_ms", slow_timeout_ms,
	    "timeout of P2M execve, fork and exit calls");

int p2m_mem_node(void)
{
	if (mem_node_param >= 0)
		return mem_node_param < (int)node_count() ? mem_node_param
							  : -EHOSTUNREACH;
	if (node_has_role(ROLE_MEMORY))
		return (int)node_self();
	for (unsigned int n = 0; n < node_count(); n++)
		if (fit_node_roles((u16)n) & ROLE_MEMORY)
			return (int)n;
	return -EHOSTUNREACH;
}

int p2m_call(u16 op, const void *req, u32 len, void *rep, u32 max,
	     bool slow)
{
	int node = p2m_mem_node(), r;

	p2m_ccount(&p2m_cstats.calls);
	if (node < 0) {
		p2m_ccount(&p2m_cstats.errors);
		return node;
	}
	r = fit_call((u16)node, op, req, len, rep, max,
		     slow ? MAX(slow_timeout_ms, timeout_ms) * NSEC_PER_MSEC
			  : p2m_timeout_ns());
	if (r == -ETIMEDOUT)
		p2m_ccount(&p2m_cstats.timeouts);
	if (r < 0)
		p2m_ccount(&p2m_cstats.errors);
	return r;
}

u64 p2m_timeout_ns(void)
{
	return (u64)(timeout_ms ? timeout_ms : 1) * NSEC_PER_MSEC;
}

void p2m_client_get_stats(struct p2m_client_stats *out)
{
	memcpy(out, &p2m_cstats, sizeof(*out));
}

static int bad_reply(u16 op, int len)
{
	p2m_ccount(&p2m_cstats.bad_replies);
	pr_warn_once("p2m: malformed reply to opcode %#x (%d bytes)\n", op,
		     len);
	return -EPROTO;
}

/* ---- pages ------------------------------------------------------- */

static u32 miss_request(struct p2m_miss_req *r, u32 tgid, u64 uva,
			u32 flags, const struct p2m_dirty *flush,
			unsigned int nr)
{
	*r = (struct p2m_miss_req){ .tgid = tgid, .uva = uva, .nr = nr,
				    .flags = flags & P2M_MISS_WRITE };
	if (!flush)
		return sizeof(*r);
	r->flags |= P2M_MISS_PIGGY;
	r->piggy_uva = flush->uva;
	memcpy(r + 1, flush->page, P2M_PAGE_SIZE);
	if (flush->csum) {
		r->flags |= P2M_MISS_PIGGY_CSUM;
		r->piggy_csum = *flush->csum;
	} else if (p2m_csum_enabled()) {
		r->flags |= P2M_MISS_PIGGY_CSUM;
		r->piggy_csum = crc32c(flush->page, P2M_PAGE_SIZE);
	}
	return sizeof(*r) + P2M_PAGE_SIZE;
}

/* Check and copy out the pages of a miss reply. */
static int miss_pages(const struct p2m_miss_rep *rep, int len,
		      unsigned int nr, void **pages, struct p2m_fill *info,
		      u32 *csums)
{
	const u8 *data = (const u8 *)(rep + 1);
	unsigned int i;

	if (len < (int)sizeof(*rep) || rep->nr > nr ||
	    (!rep->err && !rep->nr) ||
	    (u32)len != sizeof(*rep) + rep->nr * P2M_PAGE_SIZE)
		return bad_reply(P2M_PCACHE_MISS, len);
	if (info)
		*info = (struct p2m_fill){ rep->nr, rep->writable, rep->prot,
					   rep->piggy_err };
	if (rep->err)
		return rep->err;
	for (i = 0; i < rep->nr; i++) {
		const u8 *pg = data + i * P2M_PAGE_SIZE;

		if ((rep->flags & P2M_F_CSUM) &&
		    crc32c(pg, P2M_PAGE_SIZE) != rep->csum[i]) {
			p2m_ccount(&p2m_cstats.csum_errors);
			pr_warn("p2m: checksum mismatch on page %u of a miss\n",
				i);
			return -EIO;
		}
		memcpy(pages[i], pg, P2M_PAGE_SIZE);
		if (csums)
			csums[i] = rep->flags & P2M_F_CSUM
				   ? rep->csum[i] : crc32c(pg, P2M_PAGE_SIZE);
	}
	return (int)rep->nr;
}

/* Reply buffers of one-page misses, kept for the next miss: a buffer over
 * a page is a buddy block, which the page allocator's debug option
 * poisons on every free and checks on every allocation. */
#define RBUF_SIZE	(sizeof(struct p2m_miss_rep) + P2M_PAGE_SIZE)
DEFINE_BUF_CACHE(rbufs, RBUF_SIZE, 8);

static void *rbuf_get(u32 size)
{
	return size == RBUF_SIZE ? buf_cache_get(&rbufs) : kmalloc(size);
}

static void rbuf_put(void *p, u32 size)
{
	if (size == RBUF_SIZE)
		buf_cache_put(&rbufs, p);
	else
		kfree(p);
}

int p2m_miss_many(u32 tgid, u64 uva, u32 flags,
		  const struct p2m_dirty *flush, void **pages,
		  unsigned int nr, struct p2m_fill *info, u32 *csums)
{
	u32 rmax = sizeof(struct p2m_miss_rep) + nr * P2M_PAGE_SIZE;
	struct p2m_miss_req *req, plain;
	struct p2m_miss_rep *rep;
	int len = -ENOMEM, ret;
	u32 qlen;

	if (!nr || nr > P2M_MISS_MAX_PAGES || (flush && !info))
		return -EINVAL;
	/* The request carries a page only with a piggybacked flush. */
	req = flush ? kmalloc(sizeof(*req) + P2M_PAGE_SIZE) : &plain;
	rep = rbuf_get(rmax);
	ret = req && rep ? 0 : -ENOMEM;
	if (!ret) {
		p2m_fresh_given(tgid, uva, 1);
		qlen = miss_request(req, tgid, uva, flags, flush, nr);
		len = p2m_call(P2M_PCACHE_MISS, req, qlen, rep, rmax, false);
		ret = len < 0 ? len : miss_pages(rep, len, nr, pages, info,
						 csums);
		if (ret > 1)	/* fault-around pages the node made present */
			p2m_fresh_given(tgid, uva + P2M_PAGE_SIZE,
					(unsigned int)ret - 1);
	}
	if (info && len < 0)		/* the flush's fate is unknown */
		info->piggy_err = flush ? len : 0;
	if (req != &plain)
		kfree(req);
	rbuf_put(rep, rmax);
	return ret;
}

int p2m_miss(u32 tgid, u64 uva, u32 flags, const struct p2m_dirty *flush,
	     void *page_out, struct p2m_fill *info)
{
	int r = p2m_miss_many(tgid, uva, flags, flush, &page_out, 1, info,
			      NULL);

	return r < 0 ? r : 0;
}

int p2m_flush(u32 tgid, u64 uva, const void *page)
{
	return p2m_flush_sum(tgid, uva, page, NULL);
}

int p2m_flush_sum(u32 tgid, u64 uva, const void *page, const u32 *csum)
{
	struct p2m_flush_req *r = kmalloc(P2M_FLUSH_LEN);
	int ret;

	if (!r)
		return -ENOMEM;
	*r = (struct p2m_flush_req){ .tgid = tgid, .uva = uva };
	memcpy(r + 1, page, P2M_PAGE_SIZE);
	if (csum || p2m_csum_enabled()) {
		r->flags = P2M_F_CSUM;
		r->csum = csum ? *csum : crc32c(page, P2M_PAGE_SIZE);
	}
	ret = p2m_call(P2M_PCACHE_FLUSH, r, P2M_FLUSH_LEN, NULL, 0, false);
	kfree(r);
	return ret < 0 ? ret : 0;
}

static int nodata_call(u16 op, u32 tgid, u64 uva, u32 flags,
		       bool *writable, u32 *prot)
{
	struct p2m_zerofill_req r = { .tgid = tgid, .uva = uva,
				      .flags = flags & P2M_MISS_WRITE };
	struct p2m_zerofill_rep rep;
	int len = p2m_call(op, &r, sizeof(r), &rep, sizeof(rep), false);

	if (len < 0)
		return len;
	if (len != sizeof(rep))
		return bad_reply(op, len);
	*writable = rep.writable;
	*prot = rep.prot;
	return 0;
}

int p2m_zerofill(u32 tgid, u64 uva, u32 flags, bool *writable, u32 *prot)
{
	p2m_fresh_given(tgid, uva, 1);
	return nodata_call(P2M_PCACHE_ZEROFILL, tgid, uva, flags, writable,
			   prot);
}

int p2m_zerofill_many(u32 tgid, const u64 *uva, unsigned int nr)
{
	struct {
		struct p2m_zerofill_many_req h;
		u64 uva[P2M_ZEROFILL_MAX];
	} __packed r;
	struct p2m_zerofill_many_rep rep;
	int len;

	if (!nr || nr > P2M_ZEROFILL_MAX)
		return -EINVAL;
	r.h = (struct p2m_zerofill_many_req){ .tgid = tgid, .nr = nr };
	memcpy(r.uva, uva, nr * sizeof(u64));
	len = p2m_call(P2M_PCACHE_ZEROFILL_MANY, &r,
		       (u32)(sizeof(r.h) + nr * sizeof(u64)), &rep,
		       sizeof(rep), false);
	if (len < 0)
		return len;
	if (len != sizeof(rep))
		return bad_reply(P2M_PCACHE_ZEROFILL_MANY, len);
	return rep.err;
}

int p2m_upgrade(u32 tgid, u64 uva, u32 *prot)
{
	bool w = false;
	int err = nodata_call(P2M_PCACHE_UPGRADE, tgid, uva, P2M_MISS_WRITE,
			      &w, prot);

	return err ? err : w ? 0 : -EACCES;
}

/* ---- processes --------------------------------------------------- */

/* Append the NULL-terminated @v's strings at @p (bounded by @end);
 * returns the count, or -E2BIG. */
static int put_strings(char **p, char *end, const char *const *v)
{
	int n = 0;

	for (; v && v[n]; n++) {
		size_t l = strlen(v[n]) + 1;

		if ((size_t)(end - *p) < l || n >= (int)P2M_EXEC_MAX_STRINGS)
			return -E2BIG;
		memcpy(*p, v[n], l);
		*p += l;
	}
	return n;
}

static void exec_header(struct p2m_execve_req *r, u32 tgid,
			const struct p2m_cred *cred)
{
	*r = (struct p2m_execve_req){ .tgid = tgid };
	if (cred) {
		r->uid = cred->uid;
		r->euid = cred->euid;
		r->gid = cred->gid;
		r->egid = cred->egid;
		r->secure = cred->secure;
	}
	r->hwcap = cpuid(1, 0).edx;	/* Linux's x86 AT_HWCAP */
}

int p2m_execve_as(u32 tgid, const char *path, const char *const *argv,
		  const char *const *envp, const struct p2m_cred *cred,
		  struct p2m_exec_out *out)
{
	struct p2m_execve_req *r = kmalloc(FIT_MAX_PAYLOAD);
	char *p = (char *)(r + 1), *end = (char *)r + FIT_MAX_PAYLOAD;
	struct p2m_execve_rep rep;
	int argc, envc, len;

	if (!r)
		return -ENOMEM;
	exec_header(r, tgid, cred);
	len = put_strings(&p, end, (const char *const[]){ path, NULL });
	argc = len < 0 ? len : put_strings(&p, end, argv);
	envc = argc < 0 ? argc : put_strings(&p, end, envp);
	if (envc < 0) {
		kfree(r);
		return envc;
	}
	r->argc = (u32)argc;
	r->envc = (u32)envc;
	r->strings_len = (u32)(p - (char *)(r + 1));
	p2m_fresh_drop(tgid, 0, ~0ull);
	p2m_zf_fence(tgid);
	len = p2m_call(P2M_EXECVE, r, (u32)(p - (char *)r), &rep, sizeof(rep),
		       true);
	kfree(r);
	if (len < 0)
		return len;
	if (len != sizeof(rep))
		return bad_reply(P2M_EXECVE, len);
	*out = (struct p2m_exec_out){ rep.entry, rep.sp, rep.brk,
				      rep.exec_stack != 0 };
	return 0;
}

int p2m_execve(u32 tgid, const char *path, const char *const *argv,
	       const char *const *envp, u64 *entry, u64 *sp, u64 *brk)
{
	struct p2m_exec_out o;
	int err = p2m_execve_as(tgid, path, argv, envp, NULL, &o);

	if (!err) {
		*entry = o.entry;
		*sp = o.sp;
		*brk = o.brk;
	}
	return err;
}

int p2m_exit(u32 tgid)
{
	struct p2m_exit_req r = { .tgid = tgid };
	int len;

	p2m_fresh_drop(tgid, 0, ~0ull);
	p2m_zf_fence(tgid);
	len = p2m_call(P2M_EXIT, &r, sizeof(r), NULL, 0, true);

	return len < 0 ? len : 0;
}

int p2m_maps(u32 tgid, u64 from, struct p2m_vma *out, unsigned int max,
	     bool *more)
{
	struct p2m_maps_req r = { .tgid = tgid, .from = from };
	u32 rmax = sizeof(struct p2m_maps_rep) +
		   P2M_MAPS_MAX * sizeof(struct p2m_vma);
	struct p2m_maps_rep *rep = kmalloc(rmax);
	int len, n;

	if (!rep)
		return -ENOMEM;
	len = p2m_call(P2M_MAPS, &r, sizeof(r), rep, rmax, false);
	n = len;
	if (len >= 0 && ((u32)len < sizeof(*rep) || rep->nr > P2M_MAPS_MAX ||
			 (u32)len != sizeof(*rep) +
				     rep->nr * sizeof(struct p2m_vma)))
		n = bad_reply(P2M_MAPS, len);
	else if (len >= 0) {
		n = (int)MIN(rep->nr, max);
		memcpy(out, rep + 1, n * sizeof(struct p2m_vma));
		*more = rep->more || rep->nr > max;
	}
	kfree(rep);
	return n;
}
