/* managers/processor/p2m/p2m_test_common.c — the P2M selftests' harness
 * (see p2m_test.h): running a body on role=all or across `p,m`, the
 * memory node's test handlers and test files, user-memory helpers.
 *
 * Storage nodes only register DONE: on topologies with one they serve
 * (the memory node reads files there) until node 0 says a test is done.
 * Memory nodes (ROLE_INIT, selftest builds only) register the test
 * programs: the hello program embedded from usr/, and broken copies of it
 * (truncated, overlapping segments, an absurd p_memsz, not an ELF) for
 * the bad-input tests; and three test opcodes: DONE (node 0 finished a
 * test), STATS (leak checks) and PAGE (4 KiB reply: the raw baseline of
 * the miss benchmark).
 */
#include <fit/fit.h>
#include <kernel/node.h>
#include <kernel/param.h>
#include <kernel/printk.h>
#include <kernel/role.h>
#include <kernel/time.h>
#include <kernel/wait.h>
#include <lib/string.h>
#include <memory/mm_space.h>
#include <memory/service.h>
#include <mm/mm.h>
#include <uapi/elf.h>
#include <uapi/errno.h>
#include "p2m_test.h"

#define READY_NS	(60 * NSEC_PER_SEC)

/* How long a serving node waits for node 0 to finish one test (the full
 * 10-million-access p2m_upt_walk needs more than the default). */
static unsigned long serve_s = 600;
param_ulong("p2m.serve_s", serve_s,
	    "P2M selftests: seconds a serving node waits for each test");

static DEFINE_COMPLETION(test_done);

/* ---- memory node side --------------------------------------------- */

static int done_handler(struct fit_msg_ctx *ctx, const void *req, u32 len)
{
	int r = fit_reply(ctx, NULL, 0);

	complete(&test_done);
	return r;
}

static int stats_handler(struct fit_msg_ctx *ctx, const void *req, u32 len)
{
	struct p2m_service_stats s;
	struct p2m_test_stats o;

	p2m_service_get_stats(&s);
	o = (struct p2m_test_stats){ mm_pages_in_use(), s.procs, s.esrch,
				     s.bad_len, s.csum_errors };
	return fit_reply(ctx, &o, sizeof(o));
}

static int page_handler(struct fit_msg_ctx *ctx, const void *req, u32 len)
{
	static u8 page[P2M_PAGE_SIZE];

	return fit_reply(ctx, page, sizeof(page));
}

/* A copy of the hello program with one change made by @edit. */
static int register_broken(const char *path,
			   void (*edit)(struct elf64_phdr *ph))
{
	u64 size = usr_p2m_hello_end - usr_p2m_hello_start;
	u8 *copy = kmalloc(size);
	struct elf64_ehdr *eh = (struct elf64_ehdr *)copy;

	if (!copy)
		return -ENOMEM;
	memcpy(copy, usr_p2m_hello_start, size);
	edit((struct elf64_phdr *)(copy + eh->e_phoff));
	return p2m_file_register(path, copy, size);	/* kept forever */
}

/* The third PT_LOAD (.data/.bss) starts inside the second (.text). */
static void edit_overlap(struct elf64_phdr *ph)
{
	ph[2].p_vaddr = ph[1].p_vaddr;
	ph[2].p_offset = ph[1].p_offset;
}

static void edit_absurd(struct elf64_phdr *ph)
{
	ph[2].p_memsz = 1ull << 62;
}

static int test_files_init(void)
{
	static const char notelf[] = "#!/bin/sh\necho this is no ELF\n";
	u64 size = usr_p2m_hello_end - usr_p2m_hello_start;
	int err;

	if (!node_has_role(ROLE_MEMORY))	/* storage: DONE only */
		return fit_register_handler(P2M_TEST_OP_DONE, 0, done_handler);
	err = p2m_file_register(P2M_TEST_HELLO, usr_p2m_hello_start, size);

	if (!err)
		err = p2m_file_register(P2M_TEST_TRUNC, usr_p2m_hello_start,
					100);
	if (!err)
		err = register_broken(P2M_TEST_OVERLAP, edit_overlap);
	if (!err)
		err = register_broken(P2M_TEST_ABSURD, edit_absurd);
	if (!err)
		err = p2m_file_register(P2M_TEST_NOTELF, notelf,
					sizeof(notelf) - 1);
	if (!err)
		err = fit_register_handler(P2M_TEST_OP_DONE, 0, done_handler);
	if (!err)
		err = fit_register_handler(P2M_TEST_OP_STATS, 0,
					   stats_handler);
	if (!err)
		err = fit_register_handler(P2M_TEST_OP_PAGE, 0, page_handler);
	return err;
}
ROLE_INIT(p2m_test_files, ROLE_MEMORY | ROLE_STORAGE, test_files_init);

/* ---- processor side ----------------------------------------------- */

int p2m_test_stats(int node, struct p2m_test_stats *s)
{
	int r = fit_call((u16)node, P2M_TEST_OP_STATS, NULL, 0, s, sizeof(*s),
			 0);

	return r < 0 ? r : r == sizeof(*s) ? 0 : -EPROTO;
}

/* The memory node: found, and its test handlers answer. */
static int find_memory_node(void)
{
	u64 deadline = ktime_get_ns() + READY_NS;
	struct p2m_test_stats s;
	int node, r = -EHOSTUNREACH;

	if (node_count() > 1 && !fit_wait_ready(READY_NS))
		return -EHOSTUNREACH;
	node = p2m_mem_node();
	if (node < 0)
		return node;
	while (ktime_get_ns() < deadline) {
		r = p2m_test_stats(node, &s);
		if (r != -EOPNOTSUPP && r != -ETIMEDOUT && r != -EHOSTUNREACH)
			break;
		msleep(100);
	}
	return r ? r : node;
}

static int send_done(int node)
{
	int r = -EOPNOTSUPP;

	for (int i = 0; i < 100 && (r == -EOPNOTSUPP || r == -ETIMEDOUT); i++)
		r = fit_call((u16)node, P2M_TEST_OP_DONE, NULL, 0, NULL, 0,
			     2 * NSEC_PER_SEC);
	return r;
}

/* Every other node serves until told: the memory node and, on
 * topologies with one, the storage node the memory node reads from. */
static int send_done_all(void)
{
	int failed = 0;

	for (unsigned int n = 0; n < node_count(); n++)
		if (n != node_self() &&
		    (fit_node_roles((u16)n) & (ROLE_MEMORY | ROLE_STORAGE)) &&
		    send_done((int)n) && !failed)
			failed = (int)n + 1;
	return failed;
}

static int drive(struct selftest_ctx *t,
		 int (*body)(struct selftest_ctx *t, int node))
{
	struct p2m_test_stats a, b;
	int node = find_memory_node(), err, done;

	if (node < 0) {
		send_done_all();
		ST_SKIP("no memory node answers (%d)", node);
	}
	err = p2m_test_stats(node, &a);
	if (!err)
		err = body(t, node);
	if (!err && !t->failed)
		err = p2m_test_stats(node, &b);
	done = send_done_all();
	if (t->failed)
		return -1;
	if (err)
		ST_FAIL("error %d", err);
	if (done)
		ST_FAIL("node %d did not take DONE", done - 1);
	if (b.pages_in_use != a.pages_in_use || b.procs != a.procs)
		ST_FAIL("leak on the memory node: pages %llu -> %llu, "
			"processes %llu -> %llu", a.pages_in_use,
			b.pages_in_use, a.procs, b.procs);
	return 0;
}

int p2m_test_run(struct selftest_ctx *t,
		 int (*body)(struct selftest_ctx *t, int node))
{
	if (node_has_role(ROLE_PROCESSOR))
		return drive(t, body);
	if (!(node_roles() & (ROLE_MEMORY | ROLE_STORAGE)))
		ST_SKIP("no processor, memory or storage role");
	if (!wait_for_completion_timeout(&test_done, serve_s * NSEC_PER_SEC))
		ST_FAIL("the processor node never said it was done");
	return 0;
}

/* ---- user memory ---------------------------------------------------- */

int p2m_read_user(u32 tgid, u64 va, void *buf, u64 len)
{
	u8 *page = kmalloc(P2M_PAGE_SIZE), *out = buf;
	int err = page ? 0 : -ENOMEM;

	while (len && !err) {
		u64 off = va % P2M_PAGE_SIZE, n = MIN(len, P2M_PAGE_SIZE - off);

		err = p2m_miss(tgid, va, 0, NULL, page, NULL);
		if (!err)
			memcpy(out, page + off, n);
		va += n;
		out += n;
		len -= n;
	}
	kfree(page);
	return err;
}

int p2m_write_user(u32 tgid, u64 va, const void *buf, u64 len)
{
	u8 *page = kmalloc(P2M_PAGE_SIZE);
	const u8 *in = buf;
	int err = page ? 0 : -ENOMEM;

	while (len && !err) {
		u64 off = va % P2M_PAGE_SIZE, n = MIN(len, P2M_PAGE_SIZE - off);
		struct p2m_fill f;

		err = p2m_miss(tgid, va, P2M_MISS_WRITE, NULL, page, &f);
		if (!err && !(f.writable & 1))
			err = -EACCES;
		if (!err) {
			memcpy(page + off, in, n);
			err = p2m_flush(tgid, va - off, page);
		}
		va += n;
		in += n;
		len -= n;
	}
	kfree(page);
	return err;
}

int p2m_test_exec(u32 tgid, struct p2m_exec_out *out)
{
	static const char *const argv[] = { P2M_TEST_HELLO, "arg1", NULL };
	static const char *const envp[] = { "A=1", "TESSERA=p2m", NULL };

	return p2m_execve_as(tgid, P2M_TEST_HELLO, argv, envp, NULL, out);
}
