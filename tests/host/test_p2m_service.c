/* tests/host/test_p2m_service.c — the memory node's P2M service
 * (managers/memory/service*.c) on the host, under ASan and UBSan, behind a
 * fake FIT that does what the real dispatcher does: it rejects requests
 * shorter than the registered minimum with -EBADMSG, copies every request
 * into a buffer of exactly its length (so a handler that reads past it is
 * caught), insists on exactly one reply or an error return, and turns a
 * handler's error into the caller's errno.
 *
 *  lifecycle   exec of a gcc-built static program, misses against the
 *              file bytes, mmap, fork, COW, exit; exact leak checks.
 *  isolation   a process is reachable only from the node that made it;
 *              -ESRCH for everything else.
 *  file_map    MMAP_FILE of a fake storage node's file: the page cache
 *              shared by private and shared mappings, COW, the tail of
 *              the last page zero, -ENXIO past it, write-back at MSYNC,
 *              MUNMAP and EXIT (a fork child's too), leak checks.
 *  file_slots  1,000 distinct storage files mapped and unmapped in turn
 *              through 256 reference-counted slots while one stays
 *              mapped: slots reused, the kept file's pages its own, none
 *              referenced after exit.
 *  fuzz        200,000 random requests (every opcode; exact, short, long
 *              and random lengths; random and plausible fields; tgids of
 *              live processes; EXECVE strings good and bad): only known
 *              errnos, one reply each, sane reply lengths, no sanitizer
 *              report; then every process exits and the page and object
 *              counts return to zero.  Seeded: a failure names its round.
 */
#include <kernel/printk.h>	/* before <stdarg.h>: lib/printf.h defines va_* */
#include "mm_test_common.h"
#include "../../lib/crc32c.c"
#include "../../lib/vsnprintf.c"
#include "../../managers/memory/loader/elf.c"
#include "../../managers/memory/loader/stack.c"
#include "../../managers/memory/loader/exec.c"
#include "../../managers/p2m_param.c"
#include "../../managers/memory/service.c"
#include "../../managers/memory/service_page.c"
#include "../../managers/memory/service_vm.c"
#include "../../managers/memory/service_sfile.c"
#include "../../managers/memory/service_proc.c"
#include "elf_test_util.h"

/* ---- fake FIT and kernel services ------------------------------------ */

struct fit_msg_ctx {
	u16 src, op;
	int replies;
	u32 rlen;
};

static fit_handler_t handlers[256];
static u32 min_len[256];
static u8 reply_buf[FIT_MAX_PAYLOAD];
static long printks;

void printk(const char *fmt, ...)
{
	printks++;
}

unsigned int node_self(void)
{
	return 0;
}

unsigned int node_count(void)
{
	return 1;
}

/* No storage node in these tests: files come from the registered table. */
unsigned int fit_node_roles(u16 node)
{
	return 0;
}

/* One node: discovery is complete from the start. */
bool fit_wait_ready(u64 timeout_ns)
{
	return true;
}

int storage_lookup(const struct storage_handle *dir, const char *path,
		   bool follow, struct storage_handle *out,
		   struct storage_stat *st)
{
	CHECK(0, "storage_lookup(%s) without a storage node", path);
	return -ENOENT;
}

/* A fake storage node (node SF_NODE) holding one file, inode SF_INO, for
 * MMAP_FILE: reads, stat and writes on sfile[], never growing it; and
 * SF_EXTRA read-only files after it, each SF_SIZE bytes of one byte
 * (extra_byte), for the slot-reuse test. */
#define SF_NODE		3
#define SF_INO		5
#define SF_SIZE		10000u
#define SF_EXTRA	1000u
static u8 sfile[SF_SIZE];

static u8 extra_byte(u32 ino)
{
	return (u8)(ino * 7 + 1);
}

int storage_node(void)
{
	return SF_NODE;
}

static bool sf_ok(const struct storage_handle *h)
{
	return h->fs == 1 && h->ino == SF_INO && h->gen == 1;
}

static bool sf_extra(const struct storage_handle *h)
{
	return h->fs == 1 && h->gen == 1 && h->ino > SF_INO &&
	       h->ino <= SF_INO + SF_EXTRA;
}

ssize_t storage_read(const struct storage_handle *h, u64 off, void *buf,
		     size_t len)
{
	if (!sf_ok(h) && !sf_extra(h))
		return -ESTALE;
	if (off >= SF_SIZE)
		return 0;
	len = MIN(len, SF_SIZE - off);
	if (sf_extra(h))
		memset(buf, extra_byte(h->ino), len);
	else
		memcpy(buf, sfile + off, len);
	return (ssize_t)len;
}

int storage_stat(const struct storage_handle *h, struct storage_stat *st)
{
	if (!sf_ok(h) && !sf_extra(h))
		return -ESTALE;
	memset(st, 0, sizeof(*st));
	st->size = SF_SIZE;
	return 0;
}

ssize_t storage_write(const struct storage_handle *h, u64 off,
		      const void *buf, size_t len)
{
	CHECK(sf_ok(h) && off + len <= SF_SIZE, "write of %zu at %llu", len,
	      (unsigned long long)off);
	if (!sf_ok(h) || off + len > SF_SIZE)
		return -EIO;
	memcpy(sfile + off, buf, len);
	return (ssize_t)len;
}

int fit_register_handler(u16 op, u32 min, fit_handler_t fn)
{
	if (MSG_PROTO_OF(op) != MSG_PROTO_P2M || handlers[op & 0xff])
		return -EEXIST;
	handlers[op & 0xff] = fn;
	min_len[op & 0xff] = min;
	return 0;
}

int fit_register_handlers(const struct fit_handler_desc *tab, size_t n)
{
	int err = 0;

	for (size_t i = 0; i < n && !err; i++)
		err = fit_register_handler(tab[i].opcode, tab[i].min_len,
					   tab[i].fn);
	return err;
}

int fit_reply(struct fit_msg_ctx *ctx, const void *rep, u32 len)
{
	ctx->replies++;
	CHECK(len <= FIT_MAX_PAYLOAD, "reply of %u bytes", len);
	if (len <= FIT_MAX_PAYLOAD)
		memcpy(reply_buf, rep, len);
	ctx->rlen = len;
	return 0;
}

/* The service's thread pool (service_pool.c) is a kernel-thread queue in
 * front of the handlers; here the handlers run inline, which is what a
 * pool thread does once it took the request. */
int svc_register_handlers(const struct fit_handler_desc *tab, size_t n)
{
	return fit_register_handlers(tab, n);
}

int svc_reply(struct fit_msg_ctx *ctx, const void *rep, u32 len)
{
	fit_reply(ctx, rep, len);
	return 0;
}

/* No service threads here: every reply buffer is allocated and freed. */
void *svc_thread_buf(void)
{
	return NULL;
}

u16 fit_ctx_src(const struct fit_msg_ctx *ctx)
{
	return ctx->src;
}

u16 fit_ctx_opcode(const struct fit_msg_ctx *ctx)
{
	return ctx->op;
}

/* A request from @node as FIT would deliver it; returns the reply length
 * or the errno the caller's fit_call would return. */
static int call(u16 node, u16 op, const void *req, u32 len)
{
	struct fit_msg_ctx ctx = { node, op, 0, 0 };
	fit_handler_t fn = handlers[op & 0xff];
	void *copy;
	int r;

	if (!fn)
		return -EOPNOTSUPP;
	if (len < min_len[op & 0xff])
		return -EBADMSG;
	copy = malloc(len ? len : 1);
	memcpy(copy, req, len);
	r = fn(&ctx, copy, len);
	free(copy);
	CHECK(ctx.replies <= 1, "opcode %#x: %d replies", op, ctx.replies);
	if (ctx.replies)
		return (int)ctx.rlen;
	CHECK(r < 0, "opcode %#x: no reply and no error (%d)", op, r);
	return r < 0 ? r : -EPROTO;
}

/* ---- helpers -------------------------------------------------------- */

static struct elf_blob prog = { .name = "static" };

static int exec(u16 node, u32 tgid, const char *path)
{
	static u8 buf[sizeof(struct p2m_execve_req) + 256];
	struct p2m_execve_req *r = (void *)buf;
	size_t l = strlen(path) + 1;

	*r = (struct p2m_execve_req){ .tgid = tgid, .argc = 1,
				      .strings_len = (u32)(2 * l) };
	memcpy(r + 1, path, l);
	memcpy((char *)(r + 1) + l, path, l);
	return call(node, P2M_EXECVE, r, sizeof(*r) + 2 * l);
}

static int miss(u16 node, u32 tgid, u64 uva, u32 flags)
{
	struct p2m_miss_req r = { .tgid = tgid, .uva = uva, .nr = 1,
				  .flags = flags };

	return call(node, P2M_PCACHE_MISS, &r, sizeof(r));
}

static int simple(u16 node, u16 op, u32 tgid)
{
	struct p2m_exit_req r = { .tgid = tgid };

	return call(node, op, &r, sizeof(r));
}

static void service_start(void)
{
	CHECK_EQ(p2m_service_init(), 0);
	CHECK(elf_build(&prog, "-static"), "cannot build the test program");
	CHECK_EQ(p2m_file_register("/prog", prog.data, prog.size), 0);
	CHECK_EQ(p2m_file_register("/prog", prog.data, prog.size), -EEXIST);
	CHECK_EQ(p2m_file_register("/half", prog.data, prog.size / 2), 0);
}

/* ---- tests ---------------------------------------------------------- */

static void test_lifecycle(void)
{
	const struct elf64_ehdr *eh = (const void *)prog.data;
	const struct elf64_phdr *ph = (const void *)(prog.data + eh->e_phoff);
	struct p2m_fork_req fk = { .tgid = 7, .child_tgid = 8 };
	struct p2m_miss_rep *rep = (void *)reply_buf;
	struct p2m_execve_rep *er = (void *)reply_buf;
	long objs = shim_objs;

	CHECK_EQ(exec(1, 7, "/prog"), sizeof(*er));
	CHECK_EQ(er->entry, eh->e_entry);
	for (unsigned int i = 0; i < eh->e_phnum; i++) {
		u64 va = ALIGN_DOWN(ph[i].p_vaddr, PGSZ);
		u64 off = ALIGN_DOWN(ph[i].p_offset, PGSZ);

		if (ph[i].p_type != PT_LOAD || !ph[i].p_filesz)
			continue;
		CHECK_EQ(miss(1, 7, va, 0), sizeof(*rep) + PGSZ);
		CHECK_EQ(rep->err, 0);
		CHECK(!memcmp(rep + 1, prog.data + off,
			      MIN(PGSZ, ph[i].p_offset + ph[i].p_filesz - off)),
		      "segment %u's first page", i);
	}
	CHECK_EQ(call(1, P2M_FORK, &fk, sizeof(fk)),
		 sizeof(struct p2m_vm_rep) + sizeof(struct p2m_change));
	CHECK_EQ(call(1, P2M_FORK, &fk, sizeof(fk)), -EEXIST);
	CHECK_EQ(exec(1, 7, "/half"), -ENOEXEC);
	CHECK_EQ(exec(1, 7, "/prog"), sizeof(*er));	/* replaces */
	CHECK_EQ(simple(1, P2M_EXIT, 7), 0);
	CHECK_EQ(simple(1, P2M_EXIT, 8), 0);
	CHECK_EQ(simple(1, P2M_EXIT, 8), -ESRCH);
	CHECK_EQ(mm_pages_in_use(), 0);
	CHECK_EQ(shim_objs, objs);
	CHECK_EQ(svc_stats.procs, 0);
}

static void test_isolation(void)
{
	CHECK_EQ(exec(1, 9, "/prog"), sizeof(struct p2m_execve_rep));
	CHECK_EQ(miss(2, 9, 0x400000, 0), -ESRCH);
	CHECK_EQ(simple(2, P2M_EXIT, 9), -ESRCH);
	CHECK_EQ(simple(1, P2M_EXIT, 9), 0);
	CHECK_EQ(mm_pages_in_use(), 0);
}

/* A dynamic PIE: the interpreter is planned in the mmap area and the
 * process starts at its entry, with AT_BASE = its bias. */
static void test_dynamic(void)
{
	static struct elf_blob dyn = { .name = "dynamic" }, ld;
	struct p2m_execve_rep *er = (void *)reply_buf;
	struct p2m_maps_req mr = { .tgid = 11 };
	struct p2m_maps_rep *m = (void *)reply_buf;
	struct p2m_vma *v = (void *)(m + 1);
	struct elf_file f = { mem_read, NULL, 0 };
	struct mem_file mf;
	static struct elf_plan plan;
	bool in_interp = false;
	u64 entry;

	if (!elf_build(&dyn, "-pie -fpie")) {
		printf("  (no dynamic PIE on this host: skipped)\n");
		return;
	}
	mf = (struct mem_file){ dyn.data, dyn.size, 0 };
	f.ctx = &mf;
	f.size = dyn.size;
	CHECK_EQ(elf_plan_build(&f, ELF_DYN_BASE, &plan), 0);
	CHECK(plan.has_interp, "no PT_INTERP");
	snprintf(ld.path, sizeof(ld.path), "%s", plan.interp);
	CHECK(elf_load_blob(&ld), "cannot read %s", plan.interp);
	CHECK_EQ(p2m_file_register("/dyn", dyn.data, dyn.size), 0);
	CHECK_EQ(p2m_file_register(plan.interp, ld.data, ld.size), 0);
	CHECK_EQ(exec(1, 11, "/dyn"), sizeof(*er));
	if (harness_why[0])
		return;
	entry = er->entry;
	CHECK(entry != plan.entry, "started at the program, not ld.so");
	CHECK(call(1, P2M_MAPS, &mr, sizeof(mr)) > 0, "maps");
	for (u32 i = 0; i < m->nr && !harness_why[0]; i++)
		if (entry >= v[i].start && entry < v[i].end &&
		    (v[i].flags & MM_VMA_FILE) && (v[i].prot & PROT_EXEC) &&
		    v[i].start >= plan.hi)
			in_interp = true;
	CHECK(in_interp, "entry %#llx not in an executable interpreter "
	      "mapping", (unsigned long long)entry);
	CHECK_EQ(simple(1, P2M_EXIT, 11), 0);
	CHECK_EQ(mm_pages_in_use(), 0);
	free(dyn.data);
	free(ld.data);
}

/* MMAP_FILE: private and shared mappings of the fake storage file share
 * the page cache's pages; private writes stay private; shared ones reach
 * the file at MSYNC, MUNMAP and EXIT (also from a fork child); the page
 * past the end of the file is -ENXIO and the last one's tail zero. */
static int mmap_file(u32 tgid, u64 addr, u32 flags, u32 snode, u32 ino)
{
	struct p2m_mmap_file_req r = {
		.m = { .tgid = tgid, .prot = PROT_READ | PROT_WRITE,
		       .flags = flags | MAP_FIXED, .addr = addr,
		       .len = 4 * PGSZ },
		.storage_node = snode, .h = { 1, ino, 1, 0 },
	};

	return call(1, P2M_MMAP_FILE, &r, sizeof(r));
}

static int flush(u32 tgid, u64 uva, int byte)
{
	static u8 buf[sizeof(struct p2m_flush_req) + P2M_PAGE_SIZE];
	struct p2m_flush_req *r = (void *)buf;

	*r = (struct p2m_flush_req){ .tgid = tgid, .uva = uva };
	memset(r + 1, byte, P2M_PAGE_SIZE);
	return call(1, P2M_PCACHE_FLUSH, buf, sizeof(buf));
}

static int range(u16 op, u32 tgid, u64 addr, u64 len, u32 arg)
{
	struct p2m_range_req r = { tgid, arg, addr, len };

	return call(1, op, &r, sizeof(r));
}

static bool file_is(u64 off, u64 len, int byte)
{
	for (u64 i = off; i < off + len; i++)
		if (sfile[i] != byte)
			return false;
	return true;
}

/* A file not open for writing: a shared map of it is never writable. */
static void file_map_rdonly(u64 at)
{
	struct p2m_mmap_file_req r = {
		.m = { .tgid = 20, .prot = PROT_READ | PROT_WRITE,
		       .flags = MAP_SHARED | MAP_FIXED, .addr = at,
		       .len = PGSZ },
		.storage_node = SF_NODE, .file_flags = P2M_MMAP_FILE_RDONLY,
		.h = { 1, SF_INO, 1, 0 },
	};

	CHECK_EQ(call(1, P2M_MMAP_FILE, &r, sizeof(r)), -EACCES);
	r.m.prot = PROT_READ;
	CHECK_EQ(call(1, P2M_MMAP_FILE, &r, sizeof(r)), 16);
	CHECK_EQ(range(P2M_MPROTECT, 20, at, PGSZ, PROT_READ | PROT_WRITE),
		 -EACCES);
	r.m.flags = MAP_PRIVATE | MAP_FIXED;	/* replaces it */
	CHECK_EQ(call(1, P2M_MMAP_FILE, &r, sizeof(r)),
		 sizeof(struct p2m_vm_rep) + sizeof(struct p2m_change));
	CHECK_EQ(range(P2M_MPROTECT, 20, at, PGSZ, PROT_READ | PROT_WRITE),
		 16);
	r.file_flags = 2;
	CHECK_EQ(call(1, P2M_MMAP_FILE, &r, sizeof(r)), -EINVAL);
}

static void test_file_map(void)
{
	const u64 a = 0x10000000, b = 0x20000000;
	struct p2m_fork_req fk = { .tgid = 20, .child_tgid = 21 };
	struct p2m_miss_rep *rep = (void *)reply_buf;
	const u8 *page = (const u8 *)(rep + 1);
	struct mm_pagecache_stats pc;
	long objs = shim_objs;

	for (u32 i = 0; i < SF_SIZE; i++)
		sfile[i] = (u8)(i / PGSZ + 1);
	CHECK_EQ(exec(1, 20, "/prog"), sizeof(struct p2m_execve_rep));
	CHECK_EQ(mmap_file(20, a, MAP_PRIVATE, SF_NODE, SF_INO), 16);
	CHECK_EQ(mmap_file(20, b, MAP_SHARED, SF_NODE, SF_INO), 16);
	CHECK_EQ(mmap_file(20, b, MAP_SHARED, SF_NODE + 1, SF_INO), -ENODEV);
	CHECK_EQ(mmap_file(20, b, MAP_SHARED | MAP_ANONYMOUS, SF_NODE,
			   SF_INO), -EINVAL);
	CHECK_EQ(miss(1, 20, a, 0), sizeof(*rep) + PGSZ);
	CHECK(page[0] == 1 && page[PGSZ - 1] == 1, "private page 0");
	CHECK_EQ(miss(1, 20, a + 2 * PGSZ, 0), sizeof(*rep) + PGSZ);
	CHECK(page[SF_SIZE - 2 * PGSZ - 1] == 3 && page[SF_SIZE - 2 * PGSZ] == 0
	      && page[PGSZ - 1] == 0, "last page: data, then zeroes");
	CHECK_EQ(miss(1, 20, a + 3 * PGSZ, 0), sizeof(*rep));
	CHECK_EQ(rep->err, -ENXIO);
	/* A private write: COW, never reaches the file. */
	CHECK_EQ(miss(1, 20, a, P2M_MISS_WRITE), sizeof(*rep) + PGSZ);
	CHECK_EQ(rep->writable & 1, 1);
	CHECK_EQ(flush(20, a, 'p'), 0);
	CHECK_EQ(range(P2M_MSYNC, 20, a, 4 * PGSZ, MS_SYNC), 16);
	CHECK(file_is(0, PGSZ, 1), "a private write reached the file");
	/* A shared write: in the cached page at once, in the file at msync. */
	CHECK_EQ(miss(1, 20, b + 2 * PGSZ, P2M_MISS_WRITE),
		 sizeof(*rep) + PGSZ);
	CHECK_EQ(flush(20, b + 2 * PGSZ, 's'), 0);
	CHECK(file_is(2 * PGSZ, 16, 3), "written back before msync");
	CHECK_EQ(miss(1, 20, a + 2 * PGSZ, 0), sizeof(*rep) + PGSZ);
	CHECK_EQ(page[0], 's');		/* the private mapping shares it */
	CHECK_EQ(range(P2M_MSYNC, 20, b, 4 * PGSZ, MS_SYNC | MS_ASYNC),
		 -EINVAL);
	CHECK_EQ(range(P2M_MSYNC, 20, b, 4 * PGSZ, MS_SYNC), 16);
	CHECK(file_is(2 * PGSZ, SF_SIZE - 2 * PGSZ, 's'), "msync");
	CHECK_EQ(range(P2M_MSYNC, 20, b, 64 * PGSZ, MS_SYNC), -ENOMEM);
	file_map_rdonly(b + 16 * PGSZ);
	/* A fork child's shared write reaches the file at its exit. */
	CHECK_EQ(call(1, P2M_FORK, &fk, sizeof(fk)),
		 sizeof(struct p2m_vm_rep) + sizeof(struct p2m_change));
	CHECK_EQ(miss(1, 21, b + PGSZ, P2M_MISS_WRITE), sizeof(*rep) + PGSZ);
	CHECK_EQ(flush(21, b + PGSZ, 'c'), 0);
	CHECK_EQ(simple(1, P2M_EXIT, 21), 0);
	CHECK(file_is(PGSZ, PGSZ, 'c'), "the child's write at exit");
	/* And the parent's at munmap. */
	CHECK_EQ(miss(1, 20, b, P2M_MISS_WRITE), sizeof(*rep) + PGSZ);
	CHECK_EQ(flush(20, b, 'm'), 0);
	CHECK_EQ(range(P2M_MUNMAP, 20, b, 4 * PGSZ, 0),
		 sizeof(struct p2m_vm_rep) + sizeof(struct p2m_change));
	CHECK(file_is(0, PGSZ, 'm'), "munmap wrote back");
	mm_pagecache_get_stats(&pc);
	CHECK(pc.hits > 0 && pc.pages > 0, "cache: %llu hits, %llu pages",
	      (unsigned long long)pc.hits, (unsigned long long)pc.pages);
	CHECK_EQ(simple(1, P2M_EXIT, 20), 0);
	mm_pagecache_get_stats(&pc);
	CHECK_EQ(pc.pages, 0);
	CHECK_EQ(mm_pages_in_use(), 0);
	CHECK_EQ(shim_objs, objs);
}

/* ---- fuzz ----------------------------------------------------------- */

#define ROUNDS	200000
#define TGIDS	6

static const u16 ops[] = {
	P2M_PCACHE_MISS, P2M_PCACHE_FLUSH, P2M_PCACHE_ZEROFILL,
	P2M_PCACHE_UPGRADE, P2M_PCACHE_ZEROFILL_MANY, P2M_MMAP,
	P2M_MUNMAP, P2M_MREMAP, P2M_MPROTECT, P2M_BRK, P2M_MSYNC, P2M_FORK,
	P2M_EXECVE, P2M_EXIT, P2M_MAPS, P2M_MMAP_FILE,
};

static u64 xs(u64 *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* Storage-file slots are reference-counted: many more distinct files than
 * slots are mapped and unmapped one after another (and exec'd: the
 * lookup's reference), while one file stays mapped all along; its slot is
 * never given away (its pages stay its own), every other one is reused,
 * and at exit no slot is referenced. */
static void test_file_slots(void)
{
	const u64 keep = 0x10000000, a = 0x20000000;
	struct p2m_miss_rep *rep = (void *)reply_buf;
	const u8 *page = (const u8 *)(rep + 1);

	for (u32 i = 0; i < SF_SIZE; i++)
		sfile[i] = 0x5a;
	CHECK_EQ(exec(1, 30, "/prog"), sizeof(struct p2m_execve_rep));
	CHECK_EQ(mmap_file(30, keep, MAP_PRIVATE, SF_NODE, SF_INO), 16);
	CHECK_EQ(svc_sfiles_in_use(), 1);
	for (u32 n = 1; n <= SF_EXTRA && !harness_why[0]; n++) {
		CHECK_EQ(mmap_file(30, a, MAP_PRIVATE, SF_NODE, SF_INO + n), 16);
		CHECK_EQ(miss(1, 30, a + PGSZ, 0), sizeof(*rep) + PGSZ);
		CHECK(page[0] == extra_byte(SF_INO + n) &&
		      page[PGSZ - 1] == extra_byte(SF_INO + n), "file %u", n);
		CHECK_EQ(svc_sfiles_in_use(), 2);
		CHECK_EQ(range(P2M_MUNMAP, 30, a, 4 * PGSZ, 0),
			 sizeof(struct p2m_vm_rep) + sizeof(struct p2m_change));
		if (n % 100 == 0) {
			CHECK_EQ(miss(1, 30, keep + 2 * PGSZ, 0),
				 sizeof(*rep) + PGSZ);
			CHECK(page[0] == 0x5a, "the kept file after %u", n);
		}
	}
	CHECK_EQ(svc_sfiles_in_use(), 1);
	CHECK_EQ(simple(1, P2M_EXIT, 30), 0);
	CHECK_EQ(svc_sfiles_in_use(), 0);
}

/* A value for a u64 field: addresses near the program, the mmap area,
 * the edges, small lengths, or noise. */
static u64 value(u64 *s)
{
	static const u64 edge[] = { 0, 1, 4095, 4096, 0x10000, MM_TASK_SIZE,
				    MM_TASK_SIZE - 4096, ~0ull, ~0ull - 4095,
				    1ull << 47 };

	switch (xs(s) % 6) {
	case 0:
		return 0x400000 + (xs(s) % 64) * 4096;
	case 1:
		return 0x7ffff0000000ull + (xs(s) % 0x10000) * 4096;
	case 2:
		return edge[xs(s) % ARRAY_SIZE(edge)];
	case 3:
		return (xs(s) % 32) * 4096 + (xs(s) % 8 ? 0 : xs(s) % 4096);
	default:
		return xs(s);
	}
}

static u32 request(u64 *s, u16 op, u8 *buf)
{
	u32 fixed = min_len[op & 0xff], len = fixed;

	for (u32 i = 0; i < 64; i += 8) {
		u64 v = value(s);

		memcpy(buf + i, &v, 8);
	}
	/* tgid and the u32 after it (flags/prot/argc...) */
	((u32 *)buf)[0] = 1 + xs(s) % TGIDS;
	((u32 *)buf)[1] = xs(s) % 4 ? (u32)(xs(s) % 0x40) : (u32)xs(s);
	if (op == P2M_FORK)	/* children among the fuzzed tgids */
		((u32 *)buf)[1] = 1 + xs(s) % (2 * TGIDS);
	if (op == P2M_PCACHE_MISS)
		((struct p2m_miss_req *)buf)->nr = xs(s) % 4 ? 1 + xs(s) % 3
							      : (u32)xs(s);
	if (op == P2M_PCACHE_FLUSH || (op == P2M_PCACHE_MISS &&
				       (buf[4] & P2M_MISS_PIGGY)))
		len += P2M_PAGE_SIZE;
	if (op == P2M_EXECVE) {
		struct p2m_execve_req *e = (void *)buf;
		u32 n = (u32)(xs(s) % 40);

		for (u32 i = 0; i < n; i++)
			buf[fixed + i] = xs(s) % 3 ? 'a' + xs(s) % 3 : 0;
		if (xs(s) % 2)
			memcpy(buf + fixed, "/prog\0a\0b", n = 9);
		e->argc = (u32)(xs(s) % 3);
		e->envc = (u32)(xs(s) % 2);
		e->strings_len = xs(s) % 8 ? n : (u32)xs(s);
		len += n;
	}
	if (xs(s) % 16 == 0)
		len = (u32)(xs(s) % (fixed + P2M_PAGE_SIZE + 64));
	return len;
}

static bool errno_ok(int r)
{
	static const int ok[] = { ESRCH, EBADMSG, EINVAL, EFAULT, EACCES,
				  ENOMEM, EEXIST, EPERM, EOVERFLOW, EOPNOTSUPP,
				  ENOENT, ENOEXEC, E2BIG, EBADF, ENODEV,
				  ENFILE };

	for (size_t i = 0; i < ARRAY_SIZE(ok); i++)
		if (r == -ok[i])
			return true;
	return false;
}

static void test_fuzz(void)
{
	static u8 buf[sizeof(struct p2m_execve_req) + 2 * P2M_PAGE_SIZE];
	static long hist[256];
	long objs = shim_objs, replies = 0;
	u64 seed = 0x9e3779b97f4a7c15ull;

	for (long round = 0; round < ROUNDS && !harness_why[0]; round++) {
		u16 op = ops[xs(&seed) % ARRAY_SIZE(ops)];
		u32 len;
		int r;

		len = request(&seed, op, buf);
		r = call(1, op, buf, len);
		replies += r >= 0;
		hist[r >= 0 ? 0 : -r < 256 ? -r : 255]++;
		if (r == -ESRCH && len >= 4)	/* bring the process back */
			exec(1, ((u32 *)buf)[0], "/prog");
		CHECK(r >= 0 || errno_ok(r), "round %ld: opcode %#x len %u: %d",
		      round, op, len, r);
		CHECK(r < 0 || op != P2M_PCACHE_MISS ||
		      (r - sizeof(struct p2m_miss_rep)) % P2M_PAGE_SIZE == 0,
		      "round %ld: miss reply of %d bytes", round, r);
	}
	for (u32 t = 0; t <= 2 * TGIDS; t++)
		simple(1, P2M_EXIT, t);
	for (int e = 0; e < 256; e++)
		if (hist[e])
			printf("  %s%d: %ld\n", e ? "-" : "ok ", e, hist[e]);
	CHECK(replies > ROUNDS / 5, "only %ld requests succeeded", replies);
	CHECK_EQ(svc_stats.procs, 0);
	CHECK_EQ(mm_pages_in_use(), 0);
	CHECK_EQ(shim_objs, objs);
}

int main(void)
{
	service_start();
	RUN(test_lifecycle);
	RUN(test_isolation);
	RUN(test_dynamic);
	RUN(test_file_map);
	RUN(test_file_slots);
	RUN(test_fuzz);
	elf_cleanup();
	return harness_exit();
}
