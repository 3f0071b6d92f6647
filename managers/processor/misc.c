/* managers/processor/misc.c — small system calls: uname, sysinfo,
 * getrlimit/setrlimit/prlimit64, getrusage, sched_yield,
 * sched_getaffinity/sched_setaffinity, the uid/gid family, getrandom,
 * prctl(PR_SET_NAME/PR_GET_NAME), sched_getscheduler, getpriority.
 *
 * Everyone is root (uid 0, gid 0, no supplementary groups).  Affinity:
 * threads may run on every online CPU; sched_setaffinity accepts any mask
 * that names an online CPU and does not pin (the balancer places
 * threads).  Random bytes come from RDRAND where the CPU has it, mixed
 * with the TSC through a splitmix64 generator otherwise — good enough for
 * hash seeds and stack canaries, not for keys.
 */
#include <asm/uaccess.h>
#include <asm/x86.h>
#include <kernel/sched.h>
#include <kernel/smp.h>
#include <kernel/time.h>
#include <lib/string.h>
#include <mm/mm.h>
#include <processor/abi.h>
#include <uapi/errno.h>
#include <uapi/sched.h>
#include <uapi/utsname.h>
#include "internal.h"

void rlimits_default(struct rlimit *r)
{
	for (int i = 0; i < RLIM_NLIMITS; i++)
		r[i].rlim_cur = r[i].rlim_max = RLIM_INFINITY;
	r[RLIMIT_STACK].rlim_cur = 8 << 20;
	r[RLIMIT_NOFILE].rlim_cur = 1024;
	r[RLIMIT_NOFILE].rlim_max = 4096;
	r[RLIMIT_CORE].rlim_cur = 0;
	r[RLIMIT_MEMLOCK].rlim_cur = r[RLIMIT_MEMLOCK].rlim_max = 8 << 20;
	r[RLIMIT_SIGPENDING].rlim_cur = r[RLIMIT_SIGPENDING].rlim_max = 1 << 14;
	r[RLIMIT_MSGQUEUE].rlim_cur = r[RLIMIT_MSGQUEUE].rlim_max = 819200;
	r[RLIMIT_NICE].rlim_cur = r[RLIMIT_NICE].rlim_max = 0;
	r[RLIMIT_RTPRIO].rlim_cur = r[RLIMIT_RTPRIO].rlim_max = 0;
}

static u64 rand_state;

static bool rdrand64(u64 *v)
{
	u8 ok;

	if (!(cpuid(1, 0).ecx & (1u << 30)))
		return false;
	__asm__ volatile("rdrand %0; setc %1" : "=r"(*v), "=qm"(ok));
	return ok;
}

void abi_random_bytes(void *buf, size_t n)
{
	u8 *p = buf;

	while (n) {
		u64 v, z;
		size_t k = n < 8 ? n : 8;

		if (!rdrand64(&v)) {
			z = __atomic_add_fetch(&rand_state, 0x9e3779b97f4a7c15ull ^
					       rdtsc(), __ATOMIC_RELAXED);
			z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
			z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
			v = z ^ (z >> 31);
		}
		memcpy(p, &v, k);
		p += k;
		n -= k;
	}
}

SYSCALL_DEFINE1(uname, struct utsname *, ubuf)
{
	static const struct utsname u = {
		.sysname = "Linux",	/* what programs test for */
		.nodename = "tessera",
		.release = "6.1.0-tessera",
		.version = "#1 SMP Tessera splitkernel",
		.machine = "x86_64",
		.domainname = "(none)",
	};

	return copy_to_user(ubuf, &u, sizeof(u)) ? -EFAULT : 0;
}

SYSCALL_DEFINE1(sysinfo, struct sysinfo *, ubuf)
{
	struct sysinfo si;

	memset(&si, 0, sizeof(si));
	si.uptime = ktime_get_ns() / NSEC_PER_SEC;
	si.totalram = nr_total_pages();
	si.freeram = nr_free_pages();
	si.procs = 1;
	si.mem_unit = 4096;
	return copy_to_user(ubuf, &si, sizeof(si)) ? -EFAULT : 0;
}

/* Only the caller's own process (pid 0 or its tgid); others -ESRCH. */
SYSCALL_DEFINE4(prlimit64, int, pid, unsigned int, res,
		const struct rlimit *, unew, struct rlimit *, uold)
{
	struct process *p = current_process();
	struct rlimit old, new;

	if (pid && pid != p->tgid)
		return -ESRCH;
	if (res >= RLIM_NLIMITS)
		return -EINVAL;
	if (unew) {
		if (copy_from_user(&new, unew, sizeof(new)))
			return -EFAULT;
		if (new.rlim_cur > new.rlim_max)
			return -EINVAL;
	}
	old = p->rlim[res];
	if (unew)
		p->rlim[res] = new;
	if (uold && copy_to_user(uold, &old, sizeof(old)))
		return -EFAULT;
	return 0;
}

SYSCALL_DEFINE2(getrlimit, unsigned int, res, struct rlimit *, uold)
{
	if (res >= RLIM_NLIMITS)
		return -EINVAL;
	return copy_to_user(uold, &current_process()->rlim[res],
			    sizeof(struct rlimit)) ? -EFAULT : 0;
}

SYSCALL_DEFINE2(setrlimit, unsigned int, res, const struct rlimit *, unew)
{
	struct rlimit r;

	if (res >= RLIM_NLIMITS)
		return -EINVAL;
	if (copy_from_user(&r, unew, sizeof(r)))
		return -EFAULT;
	if (r.rlim_cur > r.rlim_max)
		return -EINVAL;
	current_process()->rlim[res] = r;
	return 0;
}

/* User and system time are not separated: all of it is user time. */
SYSCALL_DEFINE2(getrusage, int, who, struct rusage *, uru)
{
	struct process *p = current_process();
	struct rusage ru;
	u64 ns;

	if (who == RUSAGE_SELF)
		ns = p->utime_ns;	/* exited threads; live ones below */
	else if (who == RUSAGE_CHILDREN)
		ns = p->children_ns;
	else if (who == RUSAGE_THREAD)
		ns = task_runtime_ns(current_task());
	else
		return -EINVAL;
	if (who == RUSAGE_SELF) {
		struct thread *t;
		unsigned long flags = spin_lock_irqsave(&p->lock);

		list_for_each_entry(t, &p->threads, node)
			ns += task_runtime_ns(t->task);
		spin_unlock_irqrestore(&p->lock, flags);
	}
	memset(&ru, 0, sizeof(ru));
	ru.ru_utime.tv_sec = ns / NSEC_PER_SEC;
	ru.ru_utime.tv_usec = ns % NSEC_PER_SEC / 1000;
	return copy_to_user(uru, &ru, sizeof(ru)) ? -EFAULT : 0;
}

SYSCALL_DEFINE0(sched_yield)
{
	yield();
	return 0;
}

/* Returns the mask size in bytes as Linux (a multiple of 8). */
SYSCALL_DEFINE3(sched_getaffinity, int, pid, unsigned int, len, u8 *, umask)
{
	u8 mask[CONFIG_NR_CPUS / 8 + 8];
	unsigned int need = ALIGN_UP(DIV_ROUND_UP(nr_cpus_possible(), 8), 8);

	if (len < need || (len & 7))
		return -EINVAL;
	memset(mask, 0, sizeof(mask));
	for (int c = 0; c < nr_cpus_possible(); c++)
		if (cpu_is_online(c))
			mask[c / 8] |= 1 << (c % 8);
	return copy_to_user(umask, mask, need) ? -EFAULT : (long)need;
}

SYSCALL_DEFINE3(sched_setaffinity, int, pid, unsigned int, len, const u8 *, umask)
{
	u8 mask[CONFIG_NR_CPUS / 8 + 8];
	unsigned int n = MIN(len, (unsigned int)sizeof(mask));

	memset(mask, 0, sizeof(mask));
	if (copy_from_user(mask, umask, n))
		return -EFAULT;
	for (int c = 0; c < nr_cpus_possible() && c / 8 < (int)n; c++)
		if (cpu_is_online(c) && (mask[c / 8] & (1 << (c % 8))))
			return 0;
	return -EINVAL;
}

SYSCALL_DEFINE1(sched_getscheduler, int, pid)
{
	return 0;	/* SCHED_OTHER */
}

SYSCALL_DEFINE2(getpriority, int, which, int, who)
{
	return 20;	/* nice 0, in the kernel's 40 - nice encoding */
}

SYSCALL_DEFINE0(getuid) { return 0; }
SYSCALL_DEFINE0(geteuid) { return 0; }
SYSCALL_DEFINE0(getgid) { return 0; }
SYSCALL_DEFINE0(getegid) { return 0; }

SYSCALL_DEFINE2(getgroups, int, size, u32 *, list)
{
	return size < 0 ? -EINVAL : 0;
}

/* Unsupported flags (other than GRND_NONBLOCK/RANDOM/INSECURE) -EINVAL;
 * at most 32 MiB per call, as Linux's cap. */
SYSCALL_DEFINE3(getrandom, u8 *, ubuf, u64, len, unsigned int, flags)
{
	u8 chunk[256];
	u64 done = 0;

	if (flags & ~(GRND_NONBLOCK | GRND_RANDOM | GRND_INSECURE))
		return -EINVAL;
	if ((flags & GRND_RANDOM) && (flags & GRND_INSECURE))
		return -EINVAL;
	len = MIN(len, (u64)32 << 20);
	while (done < len) {
		u64 k = MIN(len - done, (u64)sizeof(chunk));

		abi_random_bytes(chunk, k);
		if (copy_to_user(ubuf + done, chunk, k))
			return done ? (long)done : -EFAULT;
		done += k;
	}
	return done;
}

#define PR_SET_NAME 15
#define PR_GET_NAME 16

/* Only PR_SET_NAME/PR_GET_NAME (the name is not kept: GET answers the
 * executable's base name); other options -EINVAL. */
SYSCALL_DEFINE5(prctl, int, option, u64, a2, u64, a3, u64, a4, u64, a5)
{
	char name[16];
	const char *exe = current_process()->exe, *slash = strrchr(exe, '/');

	if (option == PR_SET_NAME)
		return strncpy_from_user(name, (const char *)a2, sizeof(name)) ==
		       -EFAULT ? -EFAULT : 0;
	if (option == PR_GET_NAME) {
		memset(name, 0, sizeof(name));
		strscpy(name, slash ? slash + 1 : exe, sizeof(name));
		return copy_to_user((void *)a2, name, sizeof(name)) ? -EFAULT : 0;
	}
	return -EINVAL;
}
