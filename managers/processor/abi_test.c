/* managers/processor/abi_test.c — selftests of the Linux ABI layer: each
 * runs an embedded user program (usr/tests) as a parentless process and
 * checks its exit status (0: every check inside passed; the program
 * prints which one failed otherwise), plus table checks.
 */
#include <kernel/node.h>
#include <kernel/printk.h>
#include <kernel/sched.h>
#include <kernel/selftest.h>
#include <lib/printf.h>
#include <lib/string.h>
#include <memory/service.h>
#include <processor/abi.h>
#include <processor/p2m.h>
#include <processor/pcache.h>
#include <uapi/errno.h>
#include <uapi/unistd.h>
#include "internal.h"
#include "p2m/p2m_test.h"

static int run_prog(const char *name, const char *arg)
{
	const char *argv[] = { name, arg, NULL };
	const char *envp[] = { "TEST=1", NULL };
	struct process *p;
	int err;

	abi_install();		/* another selftest may have taken the hooks */
	p = abi_spawn(argv, envp, &err);
	return p ? process_wait(p) : err;
}

SELFTEST(abi_syscall_table)
{
	const struct syscall_desc *d = syscall_desc(__NR_write);

	ST_ASSERT(d && d->fn && !strcmp(d->name, "write"));
	ST_ASSERT(!strcmp(syscall_desc(__NR_futex_waitv)->name, "futex_waitv"));
	ST_ASSERT(syscall_desc(100000) == NULL);
	ST_EQ(run_prog("hello", "0"), 0);
	ST_EQ(run_prog("hello", "3"), 3 << 8);
	return 0;
}

SELFTEST(abi_basic)
{
	unsigned long before = syscall_enosys_count();

	ST_EQ(run_prog("t_basic", NULL), 0);
	ST_ASSERT(syscall_enosys_count() >= before + 2);
	return 0;
}

SELFTEST(abi_files_pipes_poll)
{
	ST_EQ(run_prog("t_files", NULL), 0);
	return 0;
}

SELFTEST(abi_signals)
{
	ST_EQ(run_prog("t_signal", NULL), 0);
	return 0;
}

SELFTEST(abi_fork_wait)
{
	unsigned long pages = localmm_pages();

	ST_EQ(run_prog("t_fork", NULL), 0);
	ST_EQ(localmm_pages(), pages);		/* nothing leaked */
	return 0;
}

/* mmap/munmap/mprotect/mremap/brk, then 16 threads mixing malloc,
 * realloc through mremap, mmap/munmap and futex locking: no page leaked.
 * (abi-compare runs the musl build too.) */
SELFTEST(abi_mm)
{
	unsigned long pages = localmm_pages();

	ST_EQ(run_prog("t_mm", NULL), 0);
	ST_EQ(run_prog("g_stress", NULL), 0);
	ST_EQ(localmm_pages(), pages);
	return 0;
}

SELFTEST(abi_threads_futex)
{
	ST_EQ(run_prog("t_thread", NULL), 0);
	ST_EQ(run_prog("t_futex", NULL), 0);
	return 0;
}

SELFTEST(abi_signal_restart_traps)
{
	ST_EQ(run_prog("t_sigrestart", NULL), 0);
	return 0;
}

SELFTEST(abi_exec)
{
	unsigned long pages = localmm_pages();

	ST_EQ(run_prog("t_exec", NULL), 0);
	ST_EQ(localmm_pages(), pages);
	return 0;
}

/* Static glibc and musl: startup (TLS, rseq, prlimit, /proc), malloc,
 * stdio, and 16 pthreads with SSE work (LESSONS 9, 11). */
SELFTEST(abi_libc)
{
	ST_EQ(run_prog("g_hello", NULL), 0);
	ST_EQ(run_prog("g_threads", NULL), 0);
	if (!embedded_find("m_hello"))
		ST_SKIP("no musl build (musl-tools not installed)");
	ST_EQ(run_prog("m_hello", NULL), 0);
	ST_EQ(run_prog("m_threads", NULL), 0);
	return 0;
}

/* Random arguments to every syscall number that does not end or block
 * the caller (the risky ones in children that may die): the kernel must
 * survive and return from each.  250 rounds are ~100,000 calls; the
 * million-call run is
 * `scripts/tessera run -- /bin/x_fuzz 2445 SEED` (Documentation/abi.md). */
SELFTEST(abi_syscall_fuzz)
{
	ST_EQ(run_prog("x_fuzz", "250"), 0);
	return 0;
}

/* A process that exhausts memory gets -ENOMEM from mmap and a refusal
 * from brk; another process runs meanwhile, and everything comes back. */
SELFTEST(abi_out_of_memory)
{
	unsigned long pages = localmm_pages();

	ST_EQ(run_prog("x_oom", NULL), 0);
	ST_EQ(localmm_pages(), pages);
	ST_EQ(run_prog("hello", "0"), 0);
	return 0;
}

/* What a process holds, wherever its memory lives: local pages
 * (localmm.c), or with abi.p2m=1 pcache lines and victim entries here and
 * pages and processes on the memory node (its test STATS opcode). */
struct leak_counts {
	unsigned long local;
	unsigned int lines, victims;
	u64 mem_pages, procs;
};

static int leak_sample(struct leak_counts *c, int node)
{
	struct pcache *pc = abi_use_p2m ? pcache_get() : NULL;
	struct p2m_test_stats ts;
	int err;

	memset(c, 0, sizeof(*c));
	c->local = localmm_pages();
	if (!abi_use_p2m)
		return 0;
	if (pc) {
		c->lines = pcache_nr_valid(pc);
		c->victims = pcache_nr_victims(pc);
	}
	err = p2m_test_stats(node, &ts);
	c->mem_pages = ts.pages_in_use;
	c->procs = ts.procs;
	return err;
}

/* Where the memory node finds embedded program @name.  On this node it
 * execs from its own files: it is given the program as /bin/@name (kept
 * for ever).  On another node (@remote) it reads /abi/@name from the
 * storage node: `tessera selftest --archive build/usr` puts it there. */
static int prog_path(const char *name, bool remote, const char **path)
{
	static char buf[64];
	const struct embedded_prog *e = embedded_find(name);
	int err;

	if (!e)
		return -ENOENT;
	snprintf(buf, sizeof(buf), remote ? "/abi/%s" : "/bin/%s", name);
	*path = buf;
	if (!abi_use_p2m || remote)
		return 0;
	err = p2m_file_register(buf, e->start, (u64)(e->end - e->start));
	return err == -EEXIST ? 0 : err;
}

/* Run @body here, or, when programs run on another node's memory, on the
 * processor node of a cluster while the memory and storage nodes serve
 * (p2m_test_run); @node is the memory node, -1 for local memory. */
static int run_where(struct selftest_ctx *t,
		     int (*body)(struct selftest_ctx *t, int node))
{
	if (abi_use_p2m && (!node_has_role(ROLE_PROCESSOR) ||
			    p2m_mem_node() != (int)node_self()))
		return p2m_test_run(t, body);
	return body(t, abi_use_p2m ? (int)node_self() : -1);
}

/* Exit status of embedded program @name run with its memory on @node. */
static int run_embedded(struct selftest_ctx *t, const char *name, int node)
{
	const char *path;
	int err = prog_path(name, node >= 0 && node != (int)node_self(),
			    &path);

	ST_EQ(err, 0);
	err = run_prog(path, NULL);
	if (err == -ENOENT)
		ST_SKIP("%s not found: run with --archive build/usr", path);
	return err;
}

/* Killed processes (SIGKILL from another process while their threads
 * write memory; SIGSEGV on NULL), each with private, shared and break
 * memory, a forked child and threads: afterwards every counter is back
 * where it was.  Deferred work (the flush thread, the memory node's
 * EXIT) gets up to 5 s to settle; a count still off then is a leak.
 * With abi.p2m=1 on `p,m,s --archive build/usr` the memory is on
 * another node, over RDMA. */
static int kill_body(struct selftest_ctx *t, int node)
{
	struct pcache_stats s0 = { 0 }, s1 = { 0 };
	struct leak_counts a, b;

	if (abi_use_p2m)
		pcache_get_stats(pcache_get(), &s0);
	ST_EQ(leak_sample(&a, node), 0);
	ST_EQ(run_embedded(t, "x_kill", node), 0);
	if (t->skipped)
		return 0;
	if (abi_use_p2m) {
		pcache_get_stats(pcache_get(), &s1);
		printk("abi_kill_noleak: %llu misses, %llu zero-fills, %llu "
		       "dirty evictions during the run\n",
		       s1.misses - s0.misses, s1.zerofills - s0.zerofills,
		       s1.evict_dirty - s0.evict_dirty);
		ST_ASSERT(s1.zerofills + s1.misses >
			  s0.zerofills + s0.misses + 2048);
	}
	for (int i = 0; i < 100; i++) {
		ST_EQ(leak_sample(&b, node), 0);
		if (!memcmp(&a, &b, sizeof(a)))
			break;
		msleep(50);
	}
	ST_EQ(b.local, a.local);
	ST_EQ(b.lines, a.lines);
	ST_EQ(b.victims, a.victims);
	ST_EQ(b.mem_pages, a.mem_pages);
	ST_EQ(b.procs, a.procs);
	return 0;
}

SELFTEST(abi_kill_noleak)
{
	return run_where(t, kill_body);
}

/* mremap keeps a moved range's pcache lines (usr/tests/x_mremap: 12
 * moves of a 1 MiB buffer in use while two threads fault nearby, then a
 * grow that moves).  Over P2M the moved pages must come from the lines
 * (and victim entries) that moved with them: dropping them would cost
 * about 256 misses a move, 3,000 in all.  Any memory: contents right. */
static int mremap_body(struct selftest_ctx *t, int node)
{
	struct pcache_stats s0 = { 0 }, s1 = { 0 };

	if (abi_use_p2m)
		pcache_get_stats(pcache_get(), &s0);
	ST_EQ(run_embedded(t, "x_mremap", node), 0);
	if (!abi_use_p2m || t->skipped)
		return 0;
	pcache_get_stats(pcache_get(), &s1);
	printk("abi_mremap_lines: %llu misses, %llu victim hits, %llu "
	       "flushes during 13 moves of 256 pages\n",
	       s1.misses - s0.misses, s1.victim_hits - s0.victim_hits,
	       s1.flushes - s0.flushes);
	ST_ASSERT(s1.misses - s0.misses < 12 * 256 / 2);
	return 0;
}

SELFTEST(abi_mremap_lines)
{
	return run_where(t, mremap_body);
}
