/* arch/x86/kernel/apic.c — the local APIC: mode, IPIs, EOI and the tick.
 *
 * Register access goes through two small functions that either use the
 * x2APIC MSRs (0x800 + offset/16) or the xAPIC MMIO window.  The timer
 * is calibrated once on the boot CPU: count down from 0xffffffff for 10 ms
 * of TSC time; the same initial count is used on every CPU (all LAPIC
 * timers tick at the bus clock).  The tick handler calls timers_run() and
 * sched_tick().
 */
#include <asm/apic.h>
#include <asm/cpu.h>
#include <asm/irq.h>
#include <asm/layout.h>
#include <asm/paging.h>
#include <asm/x86.h>
#include <kernel/panic.h>
#include <kernel/printk.h>
#include <kernel/sched.h>
#include <kernel/smp.h>
#include <kernel/time.h>
#include <uapi/errno.h>

#define APIC_ID		0x20
#define APIC_TPR	0x80
#define APIC_EOI	0xb0
#define APIC_SVR	0xf0
#define APIC_ESR	0x280
#define APIC_ICR_LO	0x300
#define APIC_ICR_HI	0x310
#define APIC_LVT_TIMER	0x320
#define APIC_LVT_LINT0	0x350
#define APIC_LVT_LINT1	0x360
#define APIC_LVT_ERROR	0x370
#define APIC_TIMER_INIT	0x380
#define APIC_TIMER_CUR	0x390
#define APIC_TIMER_DIV	0x3e0
#define LVT_MASKED	(1u << 16)
#define LVT_PERIODIC	(1u << 17)
#define ICR_PENDING	(1u << 12)
#define APIC_BASE_X2	(1ull << 10)
#define APIC_BASE_EN	(1ull << 11)

static volatile u32 *mmio;
static bool x2;
static u32 timer_initial;

static u32 apic_read(u32 reg)
{
	if (x2)
		return (u32)rdmsr(0x800 + (reg >> 4));
	return mmio[reg / 4];
}

static void apic_write(u32 reg, u32 v)
{
	if (x2)
		wrmsr(0x800 + (reg >> 4), v);
	else
		mmio[reg / 4] = v;
}

bool apic_x2apic_mode(void)
{
	return x2;
}

u32 apic_id(void)
{
	u32 id = apic_read(APIC_ID);

	return x2 ? id : id >> 24;
}

void apic_eoi(void)
{
	if (x2)
		wrmsr(0x80b, 0);
	else
		mmio[APIC_EOI / 4] = 0;
}

int apic_wait_icr_idle(void)
{
	u64 end;

	if (x2)
		return 0;
	end = ktime_get_ns() + 100 * NSEC_PER_MSEC;
	while (apic_read(APIC_ICR_LO) & ICR_PENDING) {
		if (ktime_get_ns() > end)
			return -ETIMEDOUT;
		cpu_relax();
	}
	return 0;
}

void apic_send_ipi(u32 apicid, u32 dm, u8 vector)
{
	unsigned long f = local_irq_save();
	u32 lo = dm | vector | (dm == APIC_DM_INIT ? (1u << 14) : 0);

	if (x2) {
		wrmsr(0x830, ((u64)apicid << 32) | lo);
	} else {
		if (apic_wait_icr_idle())
			pr_warn_once("apic: ICR stuck busy\n");
		apic_write(APIC_ICR_HI, apicid << 24);
		apic_write(APIC_ICR_LO, lo);
	}
	local_irq_restore(f);
}

static void timer_tick(struct pt_regs *regs, void *data)
{
	timers_run();
	sched_tick();
}

static void apic_error(struct pt_regs *regs, void *data)
{
	apic_write(APIC_ESR, 0);
	pr_warn("apic: error interrupt on cpu%d, ESR %#x\n", smp_processor_id(),
		apic_read(APIC_ESR));
}

static void calibrate_timer(void)
{
	u32 left;

	apic_write(APIC_TIMER_DIV, 0x3);	/* divide by 16 */
	apic_write(APIC_LVT_TIMER, LVT_MASKED | VEC_TIMER);
	apic_write(APIC_TIMER_INIT, 0xffffffff);
	udelay(10000);
	left = apic_read(APIC_TIMER_CUR);
	apic_write(APIC_TIMER_INIT, 0);
	timer_initial = (u32)(((0xffffffffull - left) * 100) / CONFIG_HZ);
	if (!timer_initial)
		panic("apic: timer calibration failed (counter did not move)");
	printk("apic: %s mode, timer %u counts per tick (HZ=%d)\n",
	       x2 ? "x2APIC" : "xAPIC", timer_initial, CONFIG_HZ);
}

void apic_init(void)
{
	u64 base = rdmsr(MSR_APIC_BASE);

	/* Mask the legacy 8259 PICs after remapping them out of the way. */
	outb(0x20, 0x11); outb(0xa0, 0x11);
	outb(0x21, VEC_PIC_BASE); outb(0xa1, VEC_PIC_BASE + 8);
	outb(0x21, 4); outb(0xa1, 2);
	outb(0x21, 1); outb(0xa1, 1);
	outb(0x21, 0xff); outb(0xa1, 0xff);

	x2 = boot_cpu.x2apic;
	if (!x2) {
		mmio = ioremap(base & ~0xfffull, 4096);
		if (!mmio)
			panic("apic: cannot map the local APIC at %#llx", base);
	}
	irq_set_handler(VEC_TIMER, timer_tick, NULL);
	irq_set_handler(VEC_APIC_ERROR, apic_error, NULL);
}

void apic_cpu_init(void)
{
	u64 base = rdmsr(MSR_APIC_BASE) | APIC_BASE_EN;

	if (x2)
		base |= APIC_BASE_X2;
	wrmsr(MSR_APIC_BASE, base);
	apic_write(APIC_TPR, 0);
	apic_write(APIC_SVR, 0x100 | VEC_SPURIOUS);
	apic_write(APIC_LVT_LINT0, LVT_MASKED);
	apic_write(APIC_LVT_LINT1, APIC_DM_NMI);
	apic_write(APIC_LVT_ERROR, VEC_APIC_ERROR);
	apic_write(APIC_ESR, 0);
	if (!timer_initial)
		calibrate_timer();
	apic_write(APIC_TIMER_DIV, 0x3);
	apic_write(APIC_LVT_TIMER, LVT_PERIODIC | VEC_TIMER);
	apic_write(APIC_TIMER_INIT, timer_initial);
}
