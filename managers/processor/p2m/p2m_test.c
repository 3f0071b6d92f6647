/* managers/processor/p2m/p2m_test.c — P2M selftests: exec, fork and bad
 * input (`selftest=p2m_*` on role=all through FIT loopback; `tessera
 * selftest --topology p,m 'p2m_*'` across two QEMUs).  Harness:
 * p2m_test_common.c.
 *
 *  p2m_exec   EXECVE of the hello program: entry, stack pointer, the
 *             stack's argc/argv/envp/auxv read back through PCACHE_MISS,
 *             every segment byte against the ELF file, .bss zero, the
 *             break, MAPS; a second exec replaces the space, a failed one
 *             leaves it intact; EXIT.
 *  p2m_exec_storage  the same program from the storage node's boot
 *             archive (skips when no storage node has /p2m_hello).
 *  p2m_fork   FORK: the WRPROTECT record, copy-on-write seen through the
 *             misses of both processes, a late flush of a pre-fork line
 *             refused, -EEXIST / -ESRCH.
 *  p2m_mute   with fit.test_mute=M where M is the memory node: a miss
 *             returns -ETIMEDOUT within p2m.timeout_ms, counted, never a
 *             hang; the muted node sees the request arrive (skips
 *             without fit.test_mute).
 *  p2m_bad    unknown tgids (-ESRCH on every opcode), truncated and
 *             inconsistent messages, bad ELFs (-ENOEXEC, -ENOENT), bad
 *             ranges, a page with a wrong checksum; the node still works.
 */
#include <fit/fit.h>
#include <kernel/node.h>
#include <kernel/param.h>
#include <kernel/sched.h>
#include <kernel/time.h>
#include <lib/crc32c.h>
#include <lib/string.h>
#include <memory/mm_space.h>
#include <mm/mm.h>
#include <uapi/auxvec.h>
#include <uapi/elf.h>
#include <uapi/errno.h>
#include <uapi/mman.h>
#include "p2m_test.h"

#define TGID_EXEC	1001
#define TGID_STORAGE	1002
#define TGID_PARENT	1101
#define TGID_CHILD	1102
#define TGID_BAD	1201
#define TGID_NONE	0xdead

static const struct elf64_ehdr *hello_ehdr(void)
{
	return (const struct elf64_ehdr *)usr_p2m_hello_start;
}

static const struct elf64_phdr *hello_phdr(unsigned int i)
{
	return (const struct elf64_phdr *)(usr_p2m_hello_start +
					   hello_ehdr()->e_phoff) + i;
}

/* Every PT_LOAD: file bytes as in the file, the rest up to p_memsz 0. */
static int check_segments_of(struct selftest_ctx *t, u32 tgid, u8 *buf,
			     u64 *hi)
{
	for (unsigned int i = 0; i < hello_ehdr()->e_phnum; i++) {
		const struct elf64_phdr *ph = hello_phdr(i);
		u64 j;

		if (ph->p_type != PT_LOAD)
			continue;
		ST_ASSERT(ph->p_memsz <= 16 * P2M_PAGE_SIZE);
		ST_EQ(p2m_read_user(tgid, ph->p_vaddr, buf, ph->p_memsz), 0);
		ST_ASSERT(!memcmp(buf, usr_p2m_hello_start + ph->p_offset,
				  ph->p_filesz));
		for (j = ph->p_filesz; j < ph->p_memsz; j++)
			if (buf[j])
				ST_FAIL("segment %u: byte %llu of .bss is %#x", i,
					j, buf[j]);
		*hi = MAX(*hi, ph->p_vaddr + ph->p_memsz);
	}
	return 0;
}

static int check_segments(struct selftest_ctx *t, u8 *buf, u64 *hi)
{
	return check_segments_of(t, TGID_EXEC, buf, hi);
}

static u64 auxv_get(const u64 *auxv, u64 type)
{
	for (; auxv[0] != AT_NULL; auxv += 2)
		if (auxv[0] == type)
			return auxv[1];
	return ~0ull;
}

static int check_string(struct selftest_ctx *t, u64 va, const char *want)
{
	char s[64];

	ST_EQ(p2m_read_user(TGID_EXEC, va, s, strlen(want) + 1), 0);
	if (strcmp(s, want))
		ST_FAIL("string at %#llx is '%s', expected '%s'", va, s, want);
	return 0;
}

/* argc, argv, envp and auxv at sp. */
static int check_stack(struct selftest_ctx *t, const struct p2m_exec_out *o,
		       u64 *stk)
{
	const u64 *auxv;

	ST_EQ(o->sp % 16, 0);
	ST_ASSERT(o->sp < MM_TASK_SIZE && MM_TASK_SIZE - o->sp >= 200);
	ST_EQ(p2m_read_user(TGID_EXEC, o->sp, stk,
			    MIN(512, MM_TASK_SIZE - o->sp)), 0);
	ST_EQ(stk[0], 2);
	if (check_string(t, stk[1], P2M_TEST_HELLO) ||
	    check_string(t, stk[2], "arg1"))
		return -1;
	ST_EQ(stk[3], 0);
	if (check_string(t, stk[4], "A=1") ||
	    check_string(t, stk[5], "TESSERA=p2m"))
		return -1;
	ST_EQ(stk[6], 0);
	auxv = &stk[7];
	ST_EQ(auxv_get(auxv, AT_PAGESZ), 4096);
	ST_EQ(auxv_get(auxv, AT_ENTRY), hello_ehdr()->e_entry);
	ST_EQ(auxv_get(auxv, AT_PHNUM), hello_ehdr()->e_phnum);
	ST_EQ(auxv_get(auxv, AT_PHENT), sizeof(struct elf64_phdr));
	ST_EQ(auxv_get(auxv, AT_PHDR), hello_phdr(0)->p_vaddr +
					       hello_ehdr()->e_phoff);
	ST_EQ(auxv_get(auxv, AT_BASE), 0);
	ST_ASSERT(auxv_get(auxv, AT_RANDOM) > o->sp);
	return check_string(t, auxv_get(auxv, AT_EXECFN), P2M_TEST_HELLO);
}

static int check_maps(struct selftest_ctx *t, u64 brk, unsigned int *nr)
{
	struct p2m_vma v[16];
	bool more = true;
	int n = p2m_maps(TGID_EXEC, 0, v, 16, &more);

	ST_ASSERT(n >= 4);
	ST_ASSERT(!more);
	ST_EQ(v[0].start, hello_phdr(0)->p_vaddr);
	ST_ASSERT(v[n - 2].end <= brk);
	ST_ASSERT(v[n - 1].flags & MM_VMA_GROWSDOWN);
	ST_EQ(v[n - 1].prot, PROT_READ | PROT_WRITE);
	*nr = (unsigned int)n;
	return 0;
}

static int exec_body(struct selftest_ctx *t, int node)
{
	static const char *const argv[] = { "x", NULL };
	struct p2m_exec_out o;
	u8 *buf = kmalloc(16 * P2M_PAGE_SIZE);
	u64 hi = 0, e, s, b;
	unsigned int nr, nr2;

	ST_ASSERT(buf);
	ST_EQ(p2m_test_exec(TGID_EXEC, &o), 0);
	ST_EQ(o.entry, hello_ehdr()->e_entry);
	if (check_stack(t, &o, (u64 *)buf) || check_segments(t, buf, &hi) ||
	    check_maps(t, o.brk, &nr))
		goto out;
	ST_EQ(o.brk, ALIGN_UP(hi, P2M_PAGE_SIZE));
	/* A failed exec leaves the space; a good one replaces it. */
	ST_EQ(p2m_execve(TGID_EXEC, "/p2m/none", argv, NULL, &e, &s, &b),
	      -ENOENT);
	ST_EQ(p2m_execve(TGID_EXEC, P2M_TEST_ABSURD, argv, NULL, &e, &s, &b),
	      -ENOEXEC);
	if (check_maps(t, o.brk, &nr2))
		goto out;
	ST_EQ(nr2, nr);
	ST_EQ(p2m_write_user(TGID_EXEC, o.brk - 8, "dirty!!", 8), 0);
	ST_EQ(p2m_test_exec(TGID_EXEC, &o), 0);
	if (check_segments(t, buf, &hi))
		goto out;
	ST_EQ(p2m_exit(TGID_EXEC), 0);
	ST_EQ(p2m_exit(TGID_EXEC), -ESRCH);
out:
	kfree(buf);
	return t->failed ? -1 : 0;
}

SELFTEST(p2m_exec)
{
	return p2m_test_run(t, exec_body);
}

/* The same program read from the storage node: `tessera selftest
 * --topology p,m,s --archive build/usr 'p2m_*'` (or role=all with
 * --archive) puts usr/'s binaries in the boot archive it serves. */
static int storage_body(struct selftest_ctx *t, int node)
{
	static const char *const argv[] = { "/p2m_hello", NULL };
	u8 *buf = kmalloc(16 * P2M_PAGE_SIZE);
	struct p2m_exec_out o;
	u64 hi = 0;
	int err;

	ST_ASSERT(buf);
	err = p2m_execve_as(TGID_STORAGE, "/p2m_hello", argv, NULL, NULL, &o);
	if (err == -ENOENT) {
		kfree(buf);
		ST_SKIP("no /p2m_hello on a storage node (--archive build/usr)");
	}
	ST_EQ(err, 0);
	ST_EQ(o.entry, hello_ehdr()->e_entry);
	err = check_segments_of(t, TGID_STORAGE, buf, &hi);
	kfree(buf);
	ST_EQ(p2m_exit(TGID_STORAGE), 0);
	if (err)
		return err;
	ST_EQ(o.brk, ALIGN_UP(hi, P2M_PAGE_SIZE));
	return 0;
}

SELFTEST(p2m_exec_storage)
{
	return p2m_test_run(t, storage_body);
}

/* ---- fork ---------------------------------------------------------- */

static int fill(u32 tgid, u64 va, u8 v)
{
	static u8 page[P2M_PAGE_SIZE];

	memset(page, v, sizeof(page));
	return p2m_write_user(tgid, va, page, sizeof(page));
}

static int expect(struct selftest_ctx *t, u32 tgid, u64 va, u8 v)
{
	static u8 page[P2M_PAGE_SIZE];

	ST_EQ(p2m_read_user(tgid, va, page, sizeof(page)), 0);
	for (unsigned int i = 0; i < sizeof(page); i++)
		if (page[i] != v)
			ST_FAIL("tgid %u %#llx+%u: %#x, expected %#x", tgid, va,
				i, page[i], v);
	return 0;
}

static int fork_body(struct selftest_ctx *t, int node)
{
	struct p2m_changes ch;
	struct p2m_exec_out o;
	struct p2m_fill f;
	u8 *line = kmalloc(P2M_PAGE_SIZE);
	u64 a;

	ST_ASSERT(line);
	ST_EQ(p2m_test_exec(TGID_PARENT, &o), 0);
	ST_EQ(p2m_mmap(TGID_PARENT, 0, 4 * P2M_PAGE_SIZE,
		       PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, 0,
		       0, &a, &ch), 0);
	ST_EQ(fill(TGID_PARENT, a, 0xa1), 0);
	/* A line the processor holds writable across the fork. */
	ST_EQ(p2m_miss(TGID_PARENT, a + P2M_PAGE_SIZE, P2M_MISS_WRITE, NULL,
		       line, &f), 0);
	ST_EQ(f.writable & 1, 1);
	ST_EQ(p2m_fork(TGID_PARENT, TGID_CHILD, &ch), 0);
	ST_EQ(ch.nr, 1);
	ST_EQ(ch.c[0].kind, P2M_CHANGE_WRPROTECT);
	ST_EQ(p2m_flush(TGID_PARENT, a + P2M_PAGE_SIZE, line), -EFAULT);
	if (expect(t, TGID_CHILD, a, 0xa1))
		goto out;
	ST_EQ(p2m_miss(TGID_CHILD, a, 0, NULL, line, &f), 0);
	ST_EQ(f.writable & 1, 0);		/* COW: read-only */
	ST_EQ(fill(TGID_CHILD, a, 0xc1), 0);
	if (expect(t, TGID_PARENT, a, 0xa1))
		goto out;
	ST_EQ(fill(TGID_PARENT, a, 0xa2), 0);
	if (expect(t, TGID_CHILD, a, 0xc1) || expect(t, TGID_PARENT, a, 0xa2))
		goto out;
	ST_EQ(p2m_fork(TGID_PARENT, TGID_CHILD, &ch), -EEXIST);
	ST_EQ(p2m_fork(TGID_NONE, TGID_NONE + 1, &ch), -ESRCH);
	ST_EQ(p2m_exit(TGID_PARENT), 0);
	if (expect(t, TGID_CHILD, a, 0xc1))
		goto out;
	ST_EQ(p2m_exit(TGID_CHILD), 0);
out:
	kfree(line);
	if (t->failed) {
		p2m_exit(TGID_PARENT);
		p2m_exit(TGID_CHILD);
	}
	return t->failed ? -1 : 0;
}

SELFTEST(p2m_fork)
{
	return p2m_test_run(t, fork_body);
}

/* ---- bad input ----------------------------------------------------- */

static int unknown_tgid(struct selftest_ctx *t)
{
	struct p2m_changes ch;
	static u8 page[P2M_PAGE_SIZE];
	struct p2m_fill f;
	struct p2m_vma v;
	bool w, more;
	u64 a;
	u32 p;

	ST_EQ(p2m_miss(TGID_NONE, 0x400000, 0, NULL, page, &f), -ESRCH);
	ST_EQ(p2m_flush(TGID_NONE, 0x400000, page), -ESRCH);
	ST_EQ(p2m_zerofill(TGID_NONE, 0x400000, 0, &w, &p), -ESRCH);
	ST_EQ(p2m_mmap(TGID_NONE, 0, 4096, PROT_READ,
		       MAP_PRIVATE | MAP_ANONYMOUS, 0, 0, &a, &ch), -ESRCH);
	ST_EQ(p2m_munmap(TGID_NONE, 0x400000, 4096, &ch), -ESRCH);
	ST_EQ(p2m_mremap(TGID_NONE, 0x400000, 4096, 8192, 1, 0, &a, &ch),
	      -ESRCH);
	ST_EQ(p2m_mprotect(TGID_NONE, 0x400000, 4096, 0, &ch), -ESRCH);
	ST_EQ(p2m_brk(TGID_NONE, 0, &a, &ch), -ESRCH);
	ST_EQ(p2m_msync(TGID_NONE, 0x400000, 4096, 0), -ESRCH);
	ST_EQ(p2m_exit(TGID_NONE), -ESRCH);
	ST_EQ(p2m_maps(TGID_NONE, 0, &v, 1, &more), -ESRCH);
	return 0;
}

static int raw(int node, u16 op, const void *req, u32 len)
{
	static u8 rep[sizeof(struct p2m_miss_rep) + 2 * P2M_PAGE_SIZE];

	return fit_call((u16)node, op, req, len, rep, sizeof(rep), 0);
}

/* Requests whose lengths or contents do not add up. */
static int malformed(struct selftest_ctx *t, int node)
{
	static u8 buf[sizeof(struct p2m_execve_req) + 64 + P2M_PAGE_SIZE];
	struct p2m_miss_req *m = (void *)buf;
	struct p2m_flush_req *fl = (void *)buf;
	struct p2m_execve_req *ex = (void *)buf;

	memset(buf, 0, sizeof(buf));
	*m = (struct p2m_miss_req){ .tgid = TGID_BAD, .uva = 0x400000,
				    .nr = 1 };
	ST_EQ(raw(node, P2M_PCACHE_MISS, m, sizeof(*m) - 1), -EBADMSG);
	m->flags = P2M_MISS_PIGGY;		/* but no page follows */
	ST_EQ(raw(node, P2M_PCACHE_MISS, m, sizeof(*m)), -EBADMSG);
	m->flags = 0;
	ST_EQ(raw(node, P2M_PCACHE_MISS, m, sizeof(*m) + 8), -EBADMSG);
	m->nr = 0;
	ST_EQ(raw(node, P2M_PCACHE_MISS, m, sizeof(*m)), -EINVAL);
	m->nr = P2M_MISS_MAX_PAGES + 1;
	ST_EQ(raw(node, P2M_PCACHE_MISS, m, sizeof(*m)), -EINVAL);
	*fl = (struct p2m_flush_req){ .tgid = TGID_BAD, .uva = 0x400000 };
	ST_EQ(raw(node, P2M_PCACHE_FLUSH, fl, sizeof(*fl)), -EBADMSG);
	ST_EQ(raw(node, P2M_MUNMAP, fl, sizeof(struct p2m_range_req) + 1),
	      -EBADMSG);
	*ex = (struct p2m_execve_req){ .tgid = TGID_BAD, .argc = 5,
				       .strings_len = 11 };
	memcpy(ex + 1, "/p2m/zzzzz", 11);
	ST_EQ(raw(node, P2M_EXECVE, ex, sizeof(*ex) + 10), -EBADMSG);
	ST_EQ(raw(node, P2M_EXECVE, ex, sizeof(*ex) + 11), -EINVAL);
	ex->argc = 0;
	ST_EQ(raw(node, P2M_EXECVE, ex, sizeof(*ex) + 11), -ENOENT);
	return 0;
}

static int bad_elfs(struct selftest_ctx *t)
{
	static const char *const bad[] = { P2M_TEST_TRUNC, P2M_TEST_OVERLAP,
					   P2M_TEST_ABSURD, P2M_TEST_NOTELF };
	static const char *const argv[] = { "bad", NULL };
	u64 e, s, b;

	for (unsigned int i = 0; i < ARRAY_SIZE(bad); i++)
		if (p2m_execve(TGID_NONE, bad[i], argv, NULL, &e, &s, &b) !=
		    -ENOEXEC)
			ST_FAIL("exec %s did not give -ENOEXEC", bad[i]);
	ST_EQ(p2m_execve(TGID_NONE, "/p2m/missing", argv, NULL, &e, &s, &b),
	      -ENOENT);
	ST_EQ(p2m_exit(TGID_NONE), -ESRCH);	/* no failed exec left one */
	return 0;
}

static int bad_ranges(struct selftest_ctx *t, u64 brk)
{
	static u8 page[P2M_PAGE_SIZE];
	struct p2m_changes ch;
	struct p2m_fill f;
	u64 a;

	ST_EQ(p2m_munmap(TGID_BAD, brk + 1, 4096, &ch), -EINVAL);
	ST_EQ(p2m_munmap(TGID_BAD, brk, 0, &ch), -EINVAL);
	ST_EQ(p2m_munmap(TGID_BAD, brk, ~0ull - 4095, &ch), -EINVAL);
	ST_EQ(p2m_mprotect(TGID_BAD, brk + 1, 4096, PROT_READ, &ch), -EINVAL);
	ST_EQ(p2m_mprotect(TGID_BAD, brk, 4096, PROT_READ, &ch), -ENOMEM);
	ST_EQ(p2m_mmap(TGID_BAD, 0, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS,
		       0, 0, &a, &ch), -EINVAL);
	ST_EQ(p2m_mmap(TGID_BAD, ~0ull - 8191, 4096, PROT_READ,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, 0, 0, &a, &ch),
	      -ENOMEM);
	ST_EQ(p2m_mremap(TGID_BAD, brk + 1, 4096, 8192, MREMAP_MAYMOVE, 0, &a,
			 &ch), -EINVAL);
	ST_EQ(p2m_mremap(TGID_BAD, brk, 4096, 8192, MREMAP_MAYMOVE, 0, &a,
			 &ch), -EFAULT);
	ST_EQ(p2m_msync(TGID_BAD, brk + 1, 4096, MS_SYNC), -EINVAL);
	ST_EQ(p2m_msync(TGID_BAD, brk, 4096, MS_SYNC | MS_ASYNC), -EINVAL);
	ST_EQ(p2m_msync(TGID_BAD, brk, 4096, MS_SYNC), -ENOMEM);
	ST_EQ(p2m_miss(TGID_BAD, brk, 0, NULL, page, &f), -EFAULT);
	ST_EQ(p2m_miss(TGID_BAD, 1ull << 60, 0, NULL, page, &f), -EFAULT);
	ST_EQ(p2m_flush(TGID_BAD, brk, page), -EFAULT);
	ST_EQ(p2m_miss(TGID_BAD, 0x401000, P2M_MISS_WRITE, NULL, page, &f),
	      -EACCES);
	return 0;
}

/* A flush whose checksum does not match its page. */
static int bad_csum(struct selftest_ctx *t, int node, u64 va)
{
	static u8 buf[P2M_FLUSH_LEN];
	struct p2m_flush_req *r = (void *)buf;
	struct p2m_test_stats a, b;
	struct p2m_fill f;

	ST_EQ(p2m_miss(TGID_BAD, va, P2M_MISS_WRITE, NULL, buf, &f), 0);
	ST_EQ(f.writable & 1, 1);
	memset(buf, 0x5a, sizeof(buf));
	*r = (struct p2m_flush_req){ .tgid = TGID_BAD, .uva = va,
				     .flags = P2M_F_CSUM };
	r->csum = crc32c(r + 1, P2M_PAGE_SIZE) ^ 1;
	ST_EQ(p2m_test_stats(node, &a), 0);
	ST_EQ(raw(node, P2M_PCACHE_FLUSH, buf, sizeof(buf)), -EBADMSG);
	ST_EQ(p2m_test_stats(node, &b), 0);
	ST_EQ(b.csum_errors, a.csum_errors + 1);
	r->csum ^= 1;
	ST_EQ(raw(node, P2M_PCACHE_FLUSH, buf, sizeof(buf)), 0);
	return 0;
}

static int bad_body(struct selftest_ctx *t, int node)
{
	struct p2m_test_stats a, b;
	struct p2m_exec_out o;
	u64 data;

	ST_EQ(p2m_test_stats(node, &a), 0);
	if (unknown_tgid(t) || malformed(t, node) || bad_elfs(t))
		return -1;
	ST_EQ(p2m_test_stats(node, &b), 0);
	ST_ASSERT(b.esrch > a.esrch);
	ST_ASSERT(b.bad_len > a.bad_len);
	/* The node still serves a good process. */
	ST_EQ(p2m_test_exec(TGID_BAD, &o), 0);
	data = hello_phdr(2)->p_vaddr;
	if (bad_ranges(t, o.brk) || bad_csum(t, node, data) ||
	    expect(t, TGID_BAD, data, 0x5a)) {
		p2m_exit(TGID_BAD);
		return -1;
	}
	ST_EQ(p2m_exit(TGID_BAD), 0);
	return 0;
}

SELFTEST(p2m_bad)
{
	return p2m_test_run(t, bad_body);
}

/* ---- a memory node that does not answer ----------------------------- */

/* fit.test_mute=N from the command line, or -1. */
static int muted_node(void)
{
	static const char key[] = "fit.test_mute=";
	const char *p = param_cmdline();
	u64 n;
	char num[8];
	size_t i;

	while (*p && strncmp(p, key, sizeof(key) - 1))
		p++;
	if (!*p)
		return -1;
	p += sizeof(key) - 1;
	for (i = 0; i < sizeof(num) - 1 && p[i] >= '0' && p[i] <= '9'; i++)
		num[i] = p[i];
	num[i] = 0;
	return i && !param_parse_size(num, &n) ? (int)n : -1;
}

/* The muted memory node: the processor's miss must reach it (and be
 * ignored) within 60 s. */
static int mute_serve(struct selftest_ctx *t, int mute)
{
	struct fit_stats s;

	if (mute != (int)node_self())
		ST_SKIP("needs fit.test_mute=<this memory node>");
	for (int i = 0; i < 600; i++) {
		fit_get_stats(&s);
		if (s.test_muted)
			return 0;
		msleep(100);
	}
	ST_FAIL("no request arrived to be ignored");
}

SELFTEST(p2m_mute)
{
	struct p2m_client_stats a, b;
	static u8 page[P2M_PAGE_SIZE];
	int mute = muted_node(), node;
	u64 t0, ms;

	if (!node_has_role(ROLE_PROCESSOR))
		return mute_serve(t, mute);
	if (node_count() > 1 && !fit_wait_ready(60 * NSEC_PER_SEC))
		ST_FAIL("discovery did not finish");
	node = p2m_mem_node();
	if (mute < 0 || node != mute)
		ST_SKIP("needs fit.test_mute=<the memory node>");
	p2m_client_get_stats(&a);
	t0 = ktime_get_ns();
	ST_EQ(p2m_miss(TGID_NONE, 0x400000, 0, NULL, page, NULL), -ETIMEDOUT);
	ms = (ktime_get_ns() - t0) / NSEC_PER_MSEC;
	p2m_client_get_stats(&b);
	ST_EQ(b.timeouts, a.timeouts + 1);
	if (ms < p2m_timeout_ns() / NSEC_PER_MSEC / 2 ||
	    ms > 3 * p2m_timeout_ns() / NSEC_PER_MSEC)
		ST_FAIL("timed out after %llu ms", ms);
	return 0;
}
