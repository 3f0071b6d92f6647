/* managers/processor/abi_test.c — selftests of the Linux ABI layer: each
 * runs an embedded user program (usr/tests) as a parentless process and
 * checks its exit status (0: every check inside passed; the program
 * prints which one failed otherwise), plus table checks.
 */
#include <kernel/selftest.h>
#include <lib/string.h>
#include <processor/abi.h>
#include <uapi/errno.h>
#include <uapi/unistd.h>
#include "internal.h"

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
