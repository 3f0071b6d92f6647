/* include/drivers/pci.h — PCI configuration space, BARs, MSI-X and the
 * driver registry (drivers/pci/).
 *
 * Devices are enumerated once at boot (pci_init) through the legacy
 * 0xcf8/0xcfc configuration mechanism, following bridges.  Drivers
 * register with PCI_DRIVER() (a linker section, no central list) and are
 * probed for every device whose vendor/device (or class) they match.
 * Config accesses are serialized by one irqsave lock.
 */
#ifndef DRIVERS_PCI_H
#define DRIVERS_PCI_H

#include <tessera/compiler.h>

#define PCI_MAX_BARS 6

struct pci_bar {
	u64 addr;		/* physical (MMIO) or port number (I/O) */
	u64 size;
	bool io, is64, prefetch;
};

struct pci_dev {
	u8 bus, dev, fn;
	u16 vendor, device;
	u8 class, subclass, prog_if, revision;
	u16 subsys_vendor, subsys_id;
	u8 irq_line, irq_pin;
	struct pci_bar bar[PCI_MAX_BARS];
	void *driver_data;
	/* MSI-X */
	u8 msix_cap;		/* 0: none */
	u16 msix_count;
	volatile u32 *msix_table;
};

struct pci_driver {
	const char *name;
	u16 vendor, device;	/* 0xffff: any */
	int (*probe)(struct pci_dev *pdev);
};

#define PCI_ANY 0xffff
#define PCI_DRIVER(id)                                                     \
	static const struct pci_driver __pci_drv_##id __used              \
		__section(".pci_drivers") __aligned(8)

u32 pci_read32(const struct pci_dev *d, u16 off);
u16 pci_read16(const struct pci_dev *d, u16 off);
u8 pci_read8(const struct pci_dev *d, u16 off);
void pci_write32(const struct pci_dev *d, u16 off, u32 v);
void pci_write16(const struct pci_dev *d, u16 off, u16 v);
void pci_write8(const struct pci_dev *d, u16 off, u8 v);

/* Enable memory decoding and bus mastering. */
void pci_enable(struct pci_dev *d);
/* Map BAR @i (MMIO) uncached; returns its virtual address or NULL. */
void *pci_map_bar(struct pci_dev *d, int i);
/* Offset of capability @id at or after @start (0 = first), or 0. */
u8 pci_find_cap(const struct pci_dev *d, u8 id, u8 start);

/* MSI-X: enable with all entries masked; route entry @entry to @vector
 * on @cpu and unmask it.  Return 0 or -errno. */
int pci_msix_enable(struct pci_dev *d);
int pci_msix_route(struct pci_dev *d, u16 entry, u8 vector, int cpu);

int pci_init(void);
int pci_nr_devices(void);
struct pci_dev *pci_get(int index);

#endif
