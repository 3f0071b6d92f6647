/* arch/x86/kernel/tsc.c — the monotonic clock.
 *
 * ktime_get_ns() = (rdtsc - tsc_base) scaled by a fixed-point multiplier;
 * tsc_base is read on the first line of start_kernel, so the clock (and
 * every printk timestamp) counts from kernel entry.
 * The TSC frequency comes from CPUID leaf 0x15/0x16 when the CPU reports
 * it, else from counting TSC ticks across 10 ms of PIT channel 2 (gated
 * through port 0x61; works on every PC chipset and in QEMU).  Calibration
 * is repeated three times and the smallest value kept (least disturbed by
 * a preempted host).  The TSC is assumed invariant and synchronized across
 * CPUs (true on QEMU and on every CPU Tessera targets; see design.md).
 */
#include <asm/x86.h>
#include <kernel/panic.h>
#include <kernel/printk.h>
#include <kernel/time.h>
#include <asm/tsc.h>

#define PIT_HZ		1193182u
#define PIT_CH2		0x42
#define PIT_CMD		0x43
#define PIT_GATE	0x61

static u64 tsc_base;
static u64 khz;
static u64 mult;	/* ns = ticks * mult >> 32 */

static u64 pit_calibrate_once(void)
{
	const u32 ms = 10;
	u32 count = PIT_HZ * ms / 1000;
	u64 t0, t1;
	unsigned int spins = 0;

	/* Gate high, speaker off; channel 2 mode 0, lobyte/hibyte. */
	outb(PIT_GATE, (inb(PIT_GATE) & ~0x02) | 0x01);
	outb(PIT_CMD, 0xb0);
	outb(PIT_CH2, count & 0xff);
	outb(PIT_CH2, count >> 8);
	t0 = rdtsc();
	while (!(inb(PIT_GATE) & 0x20)) {
		if (++spins > 100000000u)
			return 0;
	}
	t1 = rdtsc();
	return (t1 - t0) / ms;
}

static u64 cpuid_khz(void)
{
	struct cpuid_regs r = cpuid(0, 0);

	if (r.eax >= 0x15) {
		struct cpuid_regs t = cpuid(0x15, 0);
		if (t.eax && t.ebx && t.ecx)
			return (u64)t.ecx * t.ebx / t.eax / 1000;
	}
	return 0;
}

void tsc_mark_entry(void)
{
	tsc_base = rdtsc();
}

void tsc_init(void)
{
	u64 best = 0;

	khz = cpuid_khz();
	if (!khz) {
		for (int i = 0; i < 3; i++) {
			u64 k = pit_calibrate_once();
			if (k && (!best || k < best))
				best = k;
		}
		khz = best;
	}
	if (!khz)
		panic("tsc: cannot calibrate the TSC (no PIT response)");
	mult = (1000000ull << 32) / khz;
	printk_clock_ready();
	printk("tsc: %llu.%03llu MHz\n", khz / 1000, khz % 1000);
}

u64 tsc_khz(void)
{
	return khz;
}

u64 ktime_get_ns(void)
{
	u64 d = rdtsc() - tsc_base;

	if (!mult)
		return 0;
	return (u64)(((unsigned __int128)d * mult) >> 32);
}

u64 boot_clock_ns(void)
{
	if (!mult)
		return 0;
	return (u64)(((unsigned __int128)rdtsc() * mult) >> 32);
}

void ndelay(unsigned long ns)
{
	u64 end;

	if (!mult) {
		/* Before calibration: a pause is at least ~1 ns anywhere. */
		for (unsigned long i = 0; i < ns; i++)
			cpu_relax();
		return;
	}
	end = ktime_get_ns() + ns;

	while (ktime_get_ns() < end)
		cpu_relax();
}

void udelay(unsigned long us)
{
	ndelay(us * 1000);
}
