/* managers/processor/fs_proc.c — the pseudo files programs and libcs read
 * under /proc and /sys: /proc/self/{status,maps,stat,exe,cwd,fd/N},
 * /proc/<pid>/... of the caller, /proc/cpuinfo, /proc/meminfo,
 * /proc/stat, /proc/uptime, /proc/loadavg, /sys/devices/system/cpu/
 * {online,possible,present}.  Each is generated at open (fs_dev.c serves
 * the snapshot).  /proc/self/maps lists a P2M space's VMAs as the memory
 * node reports them (P2M_MAPS): no file names (the memory node knows
 * only handles), "[stack]" for the grows-down stack; it is empty for the
 * local loader's spaces, which keep no VMAs.  Other processes' /proc entries are
 * not provided (-ENOENT).
 */
#include <asm/cpu.h>
#include <kernel/smp.h>
#include <kernel/time.h>
#include <lib/printf.h>
#include <lib/string.h>
#include <memory/mm_space.h>
#include <mm/mm.h>
#include <processor/files.h>
#include <protocol/p2m.h>
#include <uapi/mman.h>
#include <uapi/errno.h>
#include "internal.h"

struct tbuf {
	char *p;
	size_t len, cap;
	bool oom;
};

static __printf(2, 3) void tprintf(struct tbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->oom)
		return;
	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
		va_end(ap);
		if (b->len + n < b->cap)
			break;
		char *np = kmalloc(b->cap * 2);

		if (!np) {
			b->oom = true;
			return;
		}
		memcpy(np, b->p, b->len);
		kfree(b->p);
		b->p = np;
		b->cap *= 2;
	}
	b->len += n;
}

static void gen_cpu_range(struct tbuf *b, bool online)
{
	int n = online ? nr_cpus_online() : nr_cpus_possible();

	if (n > 1)
		tprintf(b, "0-%d\n", n - 1);
	else
		tprintf(b, "0\n");
}

static void gen_cpuinfo(struct tbuf *b)
{
	for (int c = 0; c < nr_cpus_possible(); c++) {
		if (!cpu_is_online(c))
			continue;
		tprintf(b, "processor\t: %d\nvendor_id\t: %s\ncpu family\t: 6\n"
			"model name\t: %s\ncpu MHz\t\t: %llu.%03llu\n"
			"physical id\t: 0\ncore id\t\t: %d\ncpu cores\t: %d\n"
			"flags\t\t: fpu tsc sse sse2 syscall nx lm%s%s\n\n",
			c, boot_cpu.vendor, boot_cpu.brand, tsc_khz() / 1000,
			tsc_khz() % 1000, c, nr_cpus_online(),
			boot_cpu.xsave ? " xsave" : "", boot_cpu.avx ? " avx" : "");
	}
}

static void gen_meminfo(struct tbuf *b)
{
	u64 total = nr_total_pages() * 4, free = nr_free_pages() * 4;

	tprintf(b, "MemTotal:       %8llu kB\nMemFree:        %8llu kB\n"
		"MemAvailable:   %8llu kB\nBuffers:               0 kB\n"
		"Cached:                0 kB\nSwapTotal:             0 kB\n"
		"SwapFree:              0 kB\n", total, free, free);
}

static void gen_stat(struct tbuf *b)
{
	u64 up = ktime_get_ns() / (NSEC_PER_SEC / 100);

	tprintf(b, "cpu  0 0 0 %llu 0 0 0 0 0 0\n", up * nr_cpus_online());
	for (int c = 0; c < nr_cpus_possible(); c++)
		if (cpu_is_online(c))
			tprintf(b, "cpu%d 0 0 0 %llu 0 0 0 0 0 0\n", c, up);
	tprintf(b, "btime %llu\nprocesses 0\nprocs_running 1\nprocs_blocked 0\n",
		(abi_realtime_ns() - ktime_get_ns()) / NSEC_PER_SEC);
}

static void gen_status(struct tbuf *b, struct process *p)
{
	const char *slash = strrchr(p->exe, '/');
	struct process *parent = READ_ONCE(p->parent);

	tprintf(b, "Name:\t%.15s\nUmask:\t%04o\nState:\tR (running)\n"
		"Tgid:\t%d\nPid:\t%d\nPPid:\t%d\nUid:\t0\t0\t0\t0\n"
		"Gid:\t0\t0\t0\t0\nThreads:\t%d\nSigBlk:\t%016llx\n"
		"Cpus_allowed_list:\t0-%d\n",
		slash ? slash + 1 : p->exe, p->umask, p->tgid,
		current_thread()->tid, parent ? parent->tgid : 0, p->nr_threads,
		current_thread()->blocked, nr_cpus_online() - 1);
}

/* "/proc/self/x" or "/proc/<own pid>/x" -> "x"; NULL otherwise. */
static const char *self_path(const char *path)
{
	const char *rest = path + 6;	/* after "/proc/" */
	int pid = 0;

	if (strstarts(rest, "self/"))
		return rest + 5;
	if (strstarts(rest, "thread-self/"))
		return rest + 12;
	while (*rest >= '0' && *rest <= '9')
		pid = pid * 10 + (*rest++ - '0');
	if (*rest == '/' && pid == current_process()->tgid)
		return rest + 1;
	return NULL;
}

/* One line of /proc/self/maps in Linux's layout (name at column 73). */
static void maps_line(void *arg, const struct p2m_vma *v)
{
	struct tbuf *b = arg;
	size_t start = b->len;

	tprintf(b, "%08llx-%08llx %c%c%c%c %08llx 00:00 0",
		(unsigned long long)v->start, (unsigned long long)v->end,
		v->prot & PROT_READ ? 'r' : '-', v->prot & PROT_WRITE ? 'w' : '-',
		v->prot & PROT_EXEC ? 'x' : '-',
		v->flags & MM_VMA_SHARED ? 's' : 'p',
		(unsigned long long)(v->flags & MM_VMA_FILE ? v->off : 0));
	if (v->flags & MM_VMA_GROWSDOWN)
		tprintf(b, "%*s[stack]", (int)MAX(1, 73 - (int)(b->len - start)),
			"");
	tprintf(b, "\n");
}

static void gen_maps(struct tbuf *b, struct process *p)
{
	if (p->mm && p->mm->ops == &p2m_mm_ops)
		p2m_mm_walk_vmas(p->mm, maps_line, b);
}

static bool generate(const char *path, struct tbuf *b)
{
	const char *self = strstarts(path, "/proc/") ? self_path(path) : NULL;

	if (!strcmp(path, "/sys/devices/system/cpu/online") ||
	    !strcmp(path, "/sys/devices/system/cpu/present"))
		gen_cpu_range(b, true);
	else if (!strcmp(path, "/sys/devices/system/cpu/possible"))
		gen_cpu_range(b, false);
	else if (!strcmp(path, "/proc/cpuinfo"))
		gen_cpuinfo(b);
	else if (!strcmp(path, "/proc/meminfo"))
		gen_meminfo(b);
	else if (!strcmp(path, "/proc/stat"))
		gen_stat(b);
	else if (!strcmp(path, "/proc/uptime"))
		tprintf(b, "%llu.%02llu 0.00\n", ktime_get_ns() / NSEC_PER_SEC,
			ktime_get_ns() % NSEC_PER_SEC / (NSEC_PER_SEC / 100));
	else if (!strcmp(path, "/proc/loadavg"))
		tprintf(b, "0.00 0.00 0.00 1/1 %d\n", current_process()->tgid);
	else if (self && !strcmp(self, "status"))
		gen_status(b, current_process());
	else if (self && !strcmp(self, "maps"))
		gen_maps(b, current_process());
	else
		return false;
	return true;
}

int procfs_open(const char *path, u32 flags, struct file **out)
{
	struct tbuf b = { .cap = 1024 };
	const char *self = strstarts(path, "/proc/") ? self_path(path) : NULL;

	if (self && strstarts(self, "fd/")) {
		int fd = 0;

		for (const char *s = self + 3; *s >= '0' && *s <= '9'; s++)
			fd = fd * 10 + (*s - '0');
		*out = fget(fd);
		return *out ? 0 : -ENOENT;
	}
	b.p = kmalloc(b.cap);
	if (!b.p)
		return -ENOMEM;
	b.p[0] = '\0';
	if (!generate(path, &b)) {
		kfree(b.p);
		return -ENOENT;
	}
	if (b.oom) {
		kfree(b.p);
		return -ENOMEM;
	}
	return pseudo_open(b.p, b.len, (u64)strlen(path) * 131 + path[6], flags, out);
}

/* Symlinks: /proc/self/exe, /proc/self/cwd, /proc/self/fd/N. */
int procfs_readlink(const char *path, char *buf, size_t len)
{
	struct process *p = current_process();
	const char *self = strstarts(path, "/proc/") ? self_path(path) : NULL;
	struct file *f;
	int fd = 0;

	if (!self)
		return -ENOENT;
	if (!strcmp(self, "exe"))
		return strscpy(buf, p->exe, len) < 0 ? -ENAMETOOLONG : 0;
	if (!strcmp(self, "cwd"))
		return strscpy(buf, p->cwd, len) < 0 ? -ENAMETOOLONG : 0;
	if (!strstarts(self, "fd/"))
		return -EINVAL;
	for (const char *s = self + 3; *s >= '0' && *s <= '9'; s++)
		fd = fd * 10 + (*s - '0');
	f = fget(fd);
	if (!f)
		return -ENOENT;
	snprintf(buf, len, "anon_inode:[%llx]", (u64)f->priv);
	file_put(f);
	return 0;
}
