/* drivers/pci/pci.c — PCI enumeration, config space, BARs, MSI-X.
 *
 * Enumeration walks bus 0 and every bus behind a PCI-to-PCI bridge
 * (header type 1, secondary bus number), reads each function's identity
 * and sizes its BARs (write all-ones, read back, restore; decoding is
 * switched off meanwhile so a half-written BAR never decodes).  The
 * device table is filled once at boot and read-only after, so lookups
 * take no lock.  Then every registered driver is probed against every
 * device it matches; a probe error is logged and the device left alone.
 * Covers: conventional PCI and PCIe devices in the first 256 bytes of
 * config space (0xcf8 mechanism); no hot-plug, no ECAM extended space.
 */
#include <asm/apic.h>
#include <asm/paging.h>
#include <asm/smpboot.h>
#include <asm/x86.h>
#include <drivers/pci.h>
#include <kernel/printk.h>
#include <kernel/spinlock.h>
#include <uapi/errno.h>

#define MAX_DEVS 64
#define CFG_ADDR 0xcf8
#define CFG_DATA 0xcfc

extern const struct pci_driver __pci_drivers_start[], __pci_drivers_end[];

static struct pci_dev devs[MAX_DEVS];
static int nr_devs;
static DEFINE_SPINLOCK(cfg_lock);

static void cfg_select(u8 bus, u8 dev, u8 fn, u16 off)
{
	outl(CFG_ADDR, 0x80000000u | (bus << 16) | (dev << 11) | (fn << 8) |
			       (off & 0xfc));
}

static u32 raw_read32(u8 bus, u8 dev, u8 fn, u16 off)
{
	unsigned long f = spin_lock_irqsave(&cfg_lock);
	u32 v;

	cfg_select(bus, dev, fn, off);
	v = inl(CFG_DATA);
	spin_unlock_irqrestore(&cfg_lock, f);
	return v;
}

static void raw_write32(u8 bus, u8 dev, u8 fn, u16 off, u32 v)
{
	unsigned long f = spin_lock_irqsave(&cfg_lock);

	cfg_select(bus, dev, fn, off);
	outl(CFG_DATA, v);
	spin_unlock_irqrestore(&cfg_lock, f);
}

u32 pci_read32(const struct pci_dev *d, u16 off)
{
	return raw_read32(d->bus, d->dev, d->fn, off);
}

u16 pci_read16(const struct pci_dev *d, u16 off)
{
	return pci_read32(d, off & ~3) >> ((off & 2) * 8);
}

u8 pci_read8(const struct pci_dev *d, u16 off)
{
	return pci_read32(d, off & ~3) >> ((off & 3) * 8);
}

void pci_write32(const struct pci_dev *d, u16 off, u32 v)
{
	raw_write32(d->bus, d->dev, d->fn, off, v);
}

static void write_part(const struct pci_dev *d, u16 off, u32 v, u32 mask)
{
	unsigned int shift = (off & 3) * 8;
	u32 old = pci_read32(d, off & ~3);

	pci_write32(d, off & ~3, (old & ~(mask << shift)) | ((v & mask) << shift));
}

void pci_write16(const struct pci_dev *d, u16 off, u16 v)
{
	write_part(d, off, v, 0xffff);
}

void pci_write8(const struct pci_dev *d, u16 off, u8 v)
{
	write_part(d, off, v, 0xff);
}

void pci_enable(struct pci_dev *d)
{
	pci_write16(d, 0x04, pci_read16(d, 0x04) | 0x6); /* MEM | MASTER */
}

u8 pci_find_cap(const struct pci_dev *d, u8 id, u8 start)
{
	u8 off = start ? pci_read8(d, start + 1) : pci_read8(d, 0x34);
	int guard = 48;

	if (!start && !(pci_read16(d, 0x06) & 0x10))
		return 0;	/* no capability list */
	while (off >= 0x40 && guard--) {
		if (pci_read8(d, off) == id)
			return off;
		off = pci_read8(d, off + 1);
	}
	return 0;
}

static int size_bar(struct pci_dev *d, int i)
{
	u16 off = 0x10 + 4 * i;
	u32 lo = pci_read32(d, off), szlo, hi = 0, szhi = 0xffffffff;
	struct pci_bar *b = &d->bar[i];

	pci_write32(d, off, 0xffffffff);
	szlo = pci_read32(d, off);
	pci_write32(d, off, lo);
	if (!szlo)
		return 1;
	b->io = lo & 1;
	if (b->io) {
		b->addr = lo & ~3u;
		b->size = (~(szlo & ~3u) + 1) & 0xffff;
		return 1;
	}
	b->prefetch = lo & 8;
	b->is64 = ((lo >> 1) & 3) == 2;
	if (b->is64 && i < 5) {
		hi = pci_read32(d, off + 4);
		pci_write32(d, off + 4, 0xffffffff);
		szhi = pci_read32(d, off + 4);
		pci_write32(d, off + 4, hi);
	}
	b->addr = ((u64)hi << 32) | (lo & ~0xfu);
	b->size = ~(((u64)szhi << 32) | (szlo & ~0xfu)) + 1;
	if (!b->is64)
		b->size &= 0xffffffff;
	return b->is64 ? 2 : 1;
}

static void read_bars(struct pci_dev *d)
{
	u16 cmd = pci_read16(d, 0x04);

	pci_write16(d, 0x04, cmd & ~0x3);	/* decoding off while sizing */
	for (int i = 0; i < PCI_MAX_BARS;)
		i += size_bar(d, i);
	pci_write16(d, 0x04, cmd);
}

void *pci_map_bar(struct pci_dev *d, int i)
{
	if (i < 0 || i >= PCI_MAX_BARS || d->bar[i].io || !d->bar[i].size)
		return NULL;
	return ioremap(d->bar[i].addr, d->bar[i].size);
}

static void add_function(u8 bus, u8 dev, u8 fn, u32 id);

static void scan_bus(u8 bus, int depth)
{
	for (u8 dev = 0; dev < 32; dev++) {
		for (u8 fn = 0; fn < 8; fn++) {
			u32 id = raw_read32(bus, dev, fn, 0);

			if ((id & 0xffff) == 0xffff) {
				if (fn == 0)
					break;
				continue;
			}
			add_function(bus, dev, fn, id);
			u8 hdr = raw_read32(bus, dev, fn, 0x0c) >> 16;
			if ((hdr & 0x7f) == 1 && depth < 8) {
				u8 sec = raw_read32(bus, dev, fn, 0x18) >> 8;
				if (sec > bus)
					scan_bus(sec, depth + 1);
			}
			if (fn == 0 && !(hdr & 0x80))
				break;	/* single-function device */
		}
	}
}

static void add_function(u8 bus, u8 dev, u8 fn, u32 id)
{
	struct pci_dev *d;
	u32 cls;

	if (nr_devs >= MAX_DEVS) {
		pr_warn_once("pci: more than %d functions, ignoring the rest\n",
			     MAX_DEVS);
		return;
	}
	d = &devs[nr_devs++];
	d->bus = bus;
	d->dev = dev;
	d->fn = fn;
	d->vendor = id & 0xffff;
	d->device = id >> 16;
	cls = pci_read32(d, 0x08);
	d->class = cls >> 24;
	d->subclass = cls >> 16;
	d->prog_if = cls >> 8;
	d->revision = cls;
	if (((pci_read32(d, 0x0c) >> 16) & 0x7f) == 0) {
		read_bars(d);
		d->subsys_vendor = pci_read16(d, 0x2c);
		d->subsys_id = pci_read16(d, 0x2e);
	}
	d->irq_line = pci_read8(d, 0x3c);
	d->irq_pin = pci_read8(d, 0x3d);
}

int pci_msix_enable(struct pci_dev *d)
{
	u8 cap = pci_find_cap(d, 0x11, 0);
	u32 table;
	u8 bir;
	u8 *base;

	if (!cap)
		return -ENODEV;
	d->msix_cap = cap;
	d->msix_count = (pci_read16(d, cap + 2) & 0x7ff) + 1;
	table = pci_read32(d, cap + 4);
	bir = table & 7;
	if (bir >= PCI_MAX_BARS || !d->bar[bir].size)
		return -ENODEV;
	base = pci_map_bar(d, bir);
	if (!base)
		return -ENOMEM;
	d->msix_table = (volatile u32 *)(base + (table & ~7u));
	for (u16 i = 0; i < d->msix_count; i++)
		d->msix_table[i * 4 + 3] = 1;	/* masked */
	/* Enable, function mask off; legacy INTx off. */
	pci_write16(d, 0x04, pci_read16(d, 0x04) | (1 << 10));
	pci_write16(d, cap + 2, (pci_read16(d, cap + 2) | 0x8000) & ~0x4000);
	return 0;
}

int pci_msix_route(struct pci_dev *d, u16 entry, u8 vector, int cpu)
{
	volatile u32 *e;

	if (!d->msix_table || entry >= d->msix_count)
		return -EINVAL;
	e = d->msix_table + entry * 4;
	e[3] = 1;
	e[0] = 0xfee00000u | (cpu_to_apicid(cpu) << 12);
	e[1] = 0;
	e[2] = vector;
	e[3] = 0;
	return 0;
}

int pci_nr_devices(void)
{
	return nr_devs;
}

struct pci_dev *pci_get(int index)
{
	return index >= 0 && index < nr_devs ? &devs[index] : NULL;
}

static bool matches(const struct pci_driver *drv, const struct pci_dev *d)
{
	return (drv->vendor == PCI_ANY || drv->vendor == d->vendor) &&
	       (drv->device == PCI_ANY || drv->device == d->device);
}

int pci_init(void)
{
	scan_bus(0, 0);
	for (int i = 0; i < nr_devs; i++) {
		struct pci_dev *d = &devs[i];

		printk("pci: %02x:%02x.%u %04x:%04x class %02x%02x\n", d->bus,
		       d->dev, d->fn, d->vendor, d->device, d->class, d->subclass);
		for (const struct pci_driver *drv = __pci_drivers_start;
		     drv < __pci_drivers_end; drv++) {
			int err;

			if (!matches(drv, d))
				continue;
			err = drv->probe(d);
			if (err && err != -ENODEV)
				pr_warn("pci: %s probe of %02x:%02x.%u failed: %d\n",
					drv->name, d->bus, d->dev, d->fn, err);
			else
				break;
		}
	}
	return nr_devs;
}
