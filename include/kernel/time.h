/* include/kernel/time.h — clocks, delays and timers (kernel/time/).
 *
 * ktime_get_ns(): monotonic nanoseconds since boot from the TSC, calibrated
 * against the PIT at boot (arch/x86/kernel/tsc.c).  Timers run their
 * callback in interrupt context on the CPU that armed them, at the first
 * tick at or after @expires; callbacks must not sleep.
 */
#ifndef KERNEL_TIME_H
#define KERNEL_TIME_H

#include <tessera/compiler.h>
#include <lib/list.h>

#define NSEC_PER_USEC	1000ull
#define NSEC_PER_MSEC	1000000ull
#define NSEC_PER_SEC	1000000000ull

u64 ktime_get_ns(void);
/* Nanoseconds since the machine was reset (the raw TSC starts at zero at
 * reset on QEMU and on bare metal); for boot-time figures. */
u64 boot_clock_ns(void);
u64 tsc_khz(void);
void udelay(unsigned long us);
void ndelay(unsigned long ns);

struct timer {
	struct list_head node;
	u64 expires;			/* ktime_get_ns() deadline */
	void (*fn)(struct timer *t);
	int cpu;			/* -1 when not armed */
};

void timer_init(struct timer *t, void (*fn)(struct timer *t));
/* Arm (or re-arm) @t to fire @delay_ns from now on this CPU. */
void timer_arm(struct timer *t, u64 delay_ns);
/* Disarm; returns true if it was pending.  Waits for a running callback
 * on another CPU to finish, so the caller may free @t afterwards. */
bool timer_cancel(struct timer *t);
/* Called from the tick on every CPU, interrupts off. */
void timers_run(void);
void timers_init_cpu(int cpu);

#endif
