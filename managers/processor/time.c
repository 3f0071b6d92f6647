/* managers/processor/time.c — clocks and sleeping: clock_gettime,
 * clock_getres, gettimeofday, time, nanosleep, clock_nanosleep, times,
 * and the interruptible sleep the rest of the ABI layer uses.
 *
 * CLOCK_MONOTONIC (and _RAW, _COARSE, BOOTTIME: no suspend here) is
 * ktime_get_ns().  CLOCK_REALTIME is the CMOS real-time clock read once at
 * the processor role's start plus the monotonic time since; the RTC read
 * is a few port accesses done here until the kernel has a wall clock of
 * its own (a departure from "managers never touch hardware", issue 6).
 * PROCESS_CPUTIME sums the runtime of the process's live threads plus the
 * exited ones; THREAD_CPUTIME is the task's runtime.  Sleeps round up to
 * the scheduler tick and are interrupted by signals (-EINTR, remaining
 * time written back for relative nanosleep).
 */
#include <asm/uaccess.h>
#include <asm/x86.h>
#include <kernel/sched.h>
#include <kernel/time.h>
#include <processor/abi.h>
#include <uapi/errno.h>
#include <uapi/time.h>
#include "internal.h"

static u64 realtime_base;	/* epoch ns at ktime 0 */

static u8 cmos(u8 reg)
{
	outb(0x70, reg);
	return inb(0x71);
}

static unsigned int bcd(u8 v, bool binary)
{
	return binary ? v : (v & 15) + (v >> 4) * 10;
}

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian). */
static u64 days_from_civil(unsigned int y, unsigned int m, unsigned int d)
{
	unsigned int era, yoe, doy, doe;

	y -= m <= 2;
	era = y / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return (u64)era * 146097 + doe - 719468;
}

void abi_time_init(void)
{
	unsigned int s, mi, h, d, mo, y;
	bool bin;
	u8 regb;

	while (cmos(0x0a) & 0x80)	/* update in progress */
		;
	regb = cmos(0x0b);
	bin = regb & 4;
	s = bcd(cmos(0x00), bin);
	mi = bcd(cmos(0x02), bin);
	h = bcd(cmos(0x04) & 0x7f, bin);
	if (!(regb & 2) && (cmos(0x04) & 0x80))	/* 12-hour clock, PM */
		h = (h % 12) + 12;
	d = bcd(cmos(0x07), bin);
	mo = bcd(cmos(0x08), bin);
	y = 2000 + bcd(cmos(0x09), bin);
	realtime_base = ((days_from_civil(y, mo, d) * 86400 + h * 3600 +
			  mi * 60 + s) * NSEC_PER_SEC) - ktime_get_ns();
}

u64 abi_realtime_ns(void)
{
	return realtime_base + ktime_get_ns();
}

long abi_sleep_interruptible(u64 ns)
{
	u64 left;

	set_current_state(TASK_INTERRUPTIBLE);
	if (signal_pending(current_thread())) {
		set_current_state(TASK_RUNNING);
		return -ERESTARTSYS;
	}
	if (ns) {
		left = schedule_timeout(ns);
	} else {
		schedule();
		left = 1;
	}
	set_current_state(TASK_RUNNING);
	return left;
}

static u64 process_cputime(struct process *p)
{
	struct thread *t;
	unsigned long flags = spin_lock_irqsave(&p->lock);
	u64 ns = p->utime_ns;

	list_for_each_entry(t, &p->threads, node)
		ns += task_runtime_ns(t->task);
	spin_unlock_irqrestore(&p->lock, flags);
	return ns;
}

static long clock_ns(int clk, u64 *ns)
{
	switch (clk) {
	case CLOCK_REALTIME:
	case CLOCK_REALTIME_COARSE:
		*ns = abi_realtime_ns();
		return 0;
	case CLOCK_MONOTONIC:
	case CLOCK_MONOTONIC_RAW:
	case CLOCK_MONOTONIC_COARSE:
	case CLOCK_BOOTTIME:
		*ns = ktime_get_ns();
		return 0;
	case CLOCK_PROCESS_CPUTIME_ID:
		*ns = process_cputime(current_process());
		return 0;
	case CLOCK_THREAD_CPUTIME_ID:
		*ns = task_runtime_ns(current_task());
		return 0;
	default:
		return -EINVAL;
	}
}

static int put_timespec(struct timespec *u, u64 ns)
{
	struct timespec ts = { ns / NSEC_PER_SEC, ns % NSEC_PER_SEC };

	return copy_to_user(u, &ts, sizeof(ts));
}

static int get_timespec(const struct timespec *u, u64 *ns)
{
	struct timespec ts;

	if (copy_from_user(&ts, u, sizeof(ts)))
		return -EFAULT;
	if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= (s64)NSEC_PER_SEC)
		return -EINVAL;
	*ns = ts.tv_sec * NSEC_PER_SEC + ts.tv_nsec;
	return 0;
}

/* Dynamic clock ids (negative, CPU-clock of another pid) -EINVAL. */
SYSCALL_DEFINE2(clock_gettime, int, clk, struct timespec *, uts)
{
	u64 ns;
	long err = clock_ns(clk, &ns);

	if (err)
		return err;
	return put_timespec(uts, ns) ? -EFAULT : 0;
}

SYSCALL_DEFINE2(clock_getres, int, clk, struct timespec *, uts)
{
	u64 ns;
	long err = clock_ns(clk, &ns);

	if (err)
		return err;
	if (!uts)
		return 0;
	return put_timespec(uts, 1) ? -EFAULT : 0;
}

/* The timezone argument is filled with zeros (UTC). */
SYSCALL_DEFINE2(gettimeofday, struct timeval *, utv, struct timezone *, utz)
{
	u64 ns = abi_realtime_ns();
	struct timeval tv = { ns / NSEC_PER_SEC, ns % NSEC_PER_SEC / 1000 };
	struct timezone tz = { 0, 0 };

	if (utv && copy_to_user(utv, &tv, sizeof(tv)))
		return -EFAULT;
	if (utz && copy_to_user(utz, &tz, sizeof(tz)))
		return -EFAULT;
	return 0;
}

SYSCALL_DEFINE1(time, s64 *, ut)
{
	s64 t = abi_realtime_ns() / NSEC_PER_SEC;

	if (ut && put_user_u64(t, ut))
		return -EFAULT;
	return t;
}

/* Sleep until ktime @deadline; on a signal write what is left to @urem. */
static long sleep_until(u64 deadline, struct timespec *urem)
{
	for (;;) {
		u64 now = ktime_get_ns();
		long r;

		if (now >= deadline)
			return 0;
		r = abi_sleep_interruptible(deadline - now);
		if (r == -ERESTARTSYS) {
			now = ktime_get_ns();
			if (urem && put_timespec(urem, deadline > now ? deadline - now : 0))
				return -EFAULT;
			return -EINTR;
		}
	}
}

SYSCALL_DEFINE2(nanosleep, const struct timespec *, ureq, struct timespec *, urem)
{
	u64 ns;
	long err = get_timespec(ureq, &ns);

	return err ? err : sleep_until(ktime_get_ns() + ns, urem);
}

/* CPU-time clocks -EINVAL here (Linux supports sleeping on them). */
SYSCALL_DEFINE4(clock_nanosleep, int, clk, int, flags,
		const struct timespec *, ureq, struct timespec *, urem)
{
	u64 ns, now;
	long err;

	if (clk == CLOCK_PROCESS_CPUTIME_ID || clk == CLOCK_THREAD_CPUTIME_ID)
		return -EINVAL;
	err = clock_ns(clk, &now);
	if (!err)
		err = get_timespec(ureq, &ns);
	if (err)
		return err;
	if (!(flags & TIMER_ABSTIME))
		return sleep_until(ktime_get_ns() + ns, urem);
	return sleep_until(ns > now ? ktime_get_ns() + (ns - now) : 0, NULL);
}

SYSCALL_DEFINE1(times, struct tms *, ubuf)
{
	struct process *p = current_process();
	u64 ticks = process_cputime(p) / (NSEC_PER_SEC / 100);
	struct tms t = { ticks, 0, p->children_ns / (NSEC_PER_SEC / 100), 0 };

	if (ubuf && copy_to_user(ubuf, &t, sizeof(t)))
		return -EFAULT;
	return ktime_get_ns() / (NSEC_PER_SEC / 100);
}
