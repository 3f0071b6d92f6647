/* kernel/selftest.c — the in-kernel selftest runner.
 *
 * Tests register with SELFTEST() into the .selftest linker section.  With
 * `selftest=GLOB` on the command line, start_kernel starts a kernel thread
 * that runs every matching test in link order, one at a time, each in its
 * own kernel thread (so a test that exits early or sleeps cannot disturb
 * the runner), prints one verdict line per test, a summary line
 * "selftest: N passed, N failed", and exits QEMU through isa-debug-exit
 * (status OK only if every test passed and at least one ran).  A test that
 * panics ends the run with the panic status instead.
 */
#include <kernel/machine.h>
#include <kernel/param.h>
#include <kernel/printk.h>
#include <kernel/sched.h>
#include <kernel/selftest.h>
#include <kernel/time.h>
#include <lib/string.h>

extern const struct selftest __selftest_start[], __selftest_end[];

static char glob[128];
param_string("selftest", glob,
	     "run the selftests matching this glob (or these, comma-separated)");

const char *selftest_glob(void)
{
	return glob[0] ? glob : NULL;
}

int selftest_fail(struct selftest_ctx *t, const char *file, int line,
		  const char *fmt, ...)
{
	va_list ap;
	int n;

	n = snprintf(t->reason, sizeof(t->reason), "%s:%d: ", file, line);
	va_start(ap, fmt);
	if (n < (int)sizeof(t->reason))
		vsnprintf(t->reason + n, sizeof(t->reason) - n, fmt, ap);
	va_end(ap);
	t->failed = true;
	return -1;
}

int selftest_skip(struct selftest_ctx *t, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(t->reason, sizeof(t->reason), fmt, ap);
	va_end(ap);
	t->skipped = true;
	return 0;
}

struct run {
	const struct selftest *test;
	struct selftest_ctx ctx;
};

static int run_one(void *arg)
{
	struct run *r = arg;

	if (r->test->fn(&r->ctx) && !r->ctx.failed)
		selftest_fail(&r->ctx, "?", 0, "returned an error");
	return 0;
}

/* Does @name match one of the comma-separated globs of @patterns? */
static bool selftest_matches(const char *patterns, const char *name)
{
	char one[sizeof(glob)];

	while (*patterns) {
		const char *comma = strchr(patterns, ',');
		size_t n = comma ? (size_t)(comma - patterns) : strlen(patterns);

		if (n < sizeof(one)) {
			memcpy(one, patterns, n);
			one[n] = 0;
			if (glob_match(one, name))
				return true;
		}
		if (!comma)
			break;
		patterns = comma + 1;
	}
	return false;
}

int selftest_run(const char *pattern)
{
	static struct run r;
	int passed = 0, failed = 0, skipped = 0;
	bool first = true;

	for (const struct selftest *t = __selftest_start; t < __selftest_end; t++) {
		struct task *task;
		u64 t0;

		if (!selftest_matches(pattern, t->name))
			continue;
		if (first) {
			u64 ns = ktime_get_ns(), rs = boot_clock_ns();
			/* Under TCG the TSC starts at zero at machine reset,
			 * so the second figure is QEMU start to here. */
			printk("boot: first selftest at %llu.%06llu s since kernel "
			       "entry, %llu.%06llu s of TSC since reset\n",
			       ns / NSEC_PER_SEC, (ns % NSEC_PER_SEC) / 1000,
			       rs / NSEC_PER_SEC, (rs % NSEC_PER_SEC) / 1000);
			first = false;
		}
		memset(&r, 0, sizeof(r));
		r.test = t;
		t0 = ktime_get_ns();
		task = kthread_run(run_one, &r, t->name);
		if (!task) {
			selftest_fail(&r.ctx, __FILE__, __LINE__,
				      "cannot create the test thread");
		} else {
			kthread_join(task);
		}
		if (r.ctx.failed) {
			failed++;
			printk("TEST FAIL %s: %s\n", t->name, r.ctx.reason);
		} else if (r.ctx.skipped) {
			skipped++;
			printk("TEST skip %s: %s\n", t->name, r.ctx.reason);
		} else {
			passed++;
			printk("TEST ok %s (%llu ms)\n", t->name,
			       (ktime_get_ns() - t0) / NSEC_PER_MSEC);
		}
	}
	printk("selftest: %d passed, %d failed, %d skipped\n", passed, failed,
	       skipped);
	return (!failed && passed) ? 0 : failed ? failed : 1;
}

static int runner(void *arg)
{
	int bad = selftest_run(glob);

	machine_exit(bad ? MACHINE_EXIT_FAIL : MACHINE_EXIT_OK);
}

void selftest_start(void)
{
	if (!glob[0])
		return;
	if (!kthread_run(runner, NULL, "selftest"))
		printk("selftest: cannot start the runner\n");
}
