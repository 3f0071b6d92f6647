/* arch/x86/kernel/ioapic.c — I/O APICs from the MADT.
 *
 * At boot every redirection entry of every I/O APIC is masked.  Drivers
 * route a GSI to a vector and CPU with ioapic_route().  Registers are
 * reached through the IOREGSEL/IOWIN pair; ioapic_lock (irqsave) keeps
 * the select-then-access pair atomic.
 */
#include <asm/apic.h>
#include <asm/paging.h>
#include <drivers/acpi.h>
#include <kernel/printk.h>
#include <kernel/spinlock.h>
#include <uapi/errno.h>

struct ioapic {
	volatile u32 *regs;
	u32 gsi_base, nr_pins;
};

static struct ioapic ioapics[ACPI_MAX_IOAPICS];
static unsigned int nr_ioapics;
static DEFINE_SPINLOCK(ioapic_lock);

#include <asm/smpboot.h>

static u32 io_read(struct ioapic *a, u32 reg)
{
	a->regs[0] = reg;
	return a->regs[4];
}

static void io_write(struct ioapic *a, u32 reg, u32 v)
{
	a->regs[0] = reg;
	a->regs[4] = v;
}

static struct ioapic *find(u32 gsi)
{
	for (unsigned int i = 0; i < nr_ioapics; i++)
		if (gsi >= ioapics[i].gsi_base &&
		    gsi < ioapics[i].gsi_base + ioapics[i].nr_pins)
			return &ioapics[i];
	return NULL;
}

void ioapic_init(void)
{
	const struct acpi_madt_info *m = smp_madt();

	for (u32 i = 0; i < m->nr_ioapics && nr_ioapics < ACPI_MAX_IOAPICS; i++) {
		struct ioapic *a = &ioapics[nr_ioapics];

		a->regs = ioremap(m->ioapics[i].addr, 4096);
		if (!a->regs)
			continue;
		a->gsi_base = m->ioapics[i].gsi_base;
		a->nr_pins = ((io_read(a, 1) >> 16) & 0xff) + 1;
		for (u32 p = 0; p < a->nr_pins; p++) {
			io_write(a, 0x10 + 2 * p, 1u << 16);
			io_write(a, 0x11 + 2 * p, 0);
		}
		printk("ioapic: id %u at %#x, GSI %u-%u, all masked\n",
		       m->ioapics[i].id, m->ioapics[i].addr, a->gsi_base,
		       a->gsi_base + a->nr_pins - 1);
		nr_ioapics++;
	}
}

int ioapic_route(u32 gsi, u8 vector, u32 apicid, bool level, bool active_low)
{
	struct ioapic *a = find(gsi);
	unsigned long f;
	u32 pin, lo = vector;

	if (!a)
		return -ENODEV;
	pin = gsi - a->gsi_base;
	if (level)
		lo |= 1u << 15;
	if (active_low)
		lo |= 1u << 13;
	f = spin_lock_irqsave(&ioapic_lock);
	io_write(a, 0x11 + 2 * pin, apicid << 24);
	io_write(a, 0x10 + 2 * pin, lo);
	spin_unlock_irqrestore(&ioapic_lock, f);
	return 0;
}

int ioapic_mask(u32 gsi, bool mask)
{
	struct ioapic *a = find(gsi);
	unsigned long f;
	u32 reg;

	if (!a)
		return -ENODEV;
	reg = 0x10 + 2 * (gsi - a->gsi_base);
	f = spin_lock_irqsave(&ioapic_lock);
	io_write(a, reg, (io_read(a, reg) & ~(1u << 16)) | (mask ? 1u << 16 : 0));
	spin_unlock_irqrestore(&ioapic_lock, f);
	return 0;
}
