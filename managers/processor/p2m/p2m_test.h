/* managers/processor/p2m/p2m_test.h — shared by the P2M selftests
 * (p2m_test_common.c: the harness, test files, user-memory helpers;
 * p2m_test_upt.c: a process behind a real user page table;
 * p2m_test.c, p2m_test_vm.c, p2m_uwalk_test.c, p2m_bench_test.c: the
 * tests).
 *
 * A test body plays a processor: it talks to the memory node through the
 * client (include/processor/p2m.h) exactly as the pcache and the Linux
 * ABI layer will.  p2m_test_run() wraps every body: on role=all the
 * memory node is this node (FIT loopback); on `--topology p,m` node 0
 * drives and the memory node serves until node 0 says the test is done.
 * Around each body it reads the memory node's page count and process
 * count and fails the test if either did not come back (leak check).
 */
#ifndef MANAGERS_PROCESSOR_P2M_TEST_H
#define MANAGERS_PROCESSOR_P2M_TEST_H

#include <asm/upt.h>
#include <kernel/selftest.h>
#include <kernel/spinlock.h>
#include <processor/p2m.h>
#include <processor/pcache.h>

/* Test-only opcodes (memory node side registered by the harness). */
#define P2M_TEST_OP_DONE	(P2M_OP_TEST_FIRST + 0)	/* node 0 is done */
#define P2M_TEST_OP_STATS	(P2M_OP_TEST_FIRST + 1)	/* -> test_stats */
#define P2M_TEST_OP_PAGE	(P2M_OP_TEST_FIRST + 2)	/* -> 4096 bytes */

struct p2m_test_stats {
	u64 pages_in_use;		/* mm_pages_in_use() */
	u64 procs, esrch, bad_len, csum_errors;
} __packed;

/* Files the harness registers on memory nodes. */
#define P2M_TEST_HELLO		"/p2m/hello"
#define P2M_TEST_TRUNC		"/p2m/bad-truncated"
#define P2M_TEST_OVERLAP	"/p2m/bad-overlap"
#define P2M_TEST_ABSURD		"/p2m/bad-absurd"
#define P2M_TEST_NOTELF		"/p2m/bad-notelf"

extern const u8 usr_p2m_hello_start[], usr_p2m_hello_end[];

int p2m_test_run(struct selftest_ctx *t,
		 int (*body)(struct selftest_ctx *t, int node));
int p2m_test_stats(int node, struct p2m_test_stats *s);

/* User memory through MISS/FLUSH (whole pages; the range may cross
 * pages).  Return 0 or the first error. */
int p2m_read_user(u32 tgid, u64 va, void *buf, u64 len);
int p2m_write_user(u32 tgid, u64 va, const void *buf, u64 len);
/* Page contents for (page, version): words anyone can check
 * (p2m_test_vm.c). */
void p2m_test_pattern(u64 *w, u64 page, u32 version);
/* Exec the hello program into @tgid with a fixed argv/envp. */
int p2m_test_exec(u32 tgid, struct p2m_exec_out *out);

/* A P2M process behind a real user page table and a private pcache
 * (p2m_test_upt.c).  Kernel threads that p2m_uspace_enter() it reach
 * [base, base + npages pages) with p2m_uget/p2m_uput: the MMU, the user
 * PTEs and the user page-fault hook into pcache_fault(). */
struct p2m_uspace {
	struct pcache *pc;
	struct pcache_space ps;		/* ps.priv == this */
	struct pcache_ops ops;
	struct upt upt;
	spinlock_t upt_lock;
	u32 tgid;
	u64 base, npages;
	u64 lpages;			/* local region, see p2m_uspace_local */
	u64 faults, tlb_flushes;	/* atomics */
	u64 fault_ns, tlb_ns;		/* time in pcache_fault, tlb_flush */
	bool exec_done, hooked;
};
/* Exec + anonymous mmap of @npages on the memory node @node, the pcache
 * from @cfg, the fault hook.  On failure call p2m_uspace_destroy. */
int p2m_uspace_create(struct p2m_uspace *u, u32 tgid, int node, u64 npages,
		      const struct pcache_config *cfg);
/* Unhook, drop every line (dirty data discarded), free, EXIT. */
int p2m_uspace_destroy(struct p2m_uspace *u);
/* Baseline region of @pages at P2M_USPACE_LOCAL: a fault maps a zeroed
 * local page (no pcache, no network).  _drop unmaps and frees them; call
 * it (and _destroy) only when no thread is inside the space. */
#define P2M_USPACE_LOCAL	0x600000000000ull
int p2m_uspace_local(struct p2m_uspace *u, u64 pages);
void p2m_uspace_local_drop(struct p2m_uspace *u);
void p2m_uspace_enter(struct p2m_uspace *u);
void p2m_uspace_leave(void);
/* One aligned 8-byte user load or store: 0 or -EFAULT. */
int p2m_uget(u64 uva, u64 *out);
int p2m_uput(u64 uva, u64 v);
/* The @i-th online CPU, modulo their number. */
int p2m_test_cpu(unsigned int i);

#endif
