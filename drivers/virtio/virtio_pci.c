/* drivers/virtio/virtio_pci.c — the virtio 1.x PCI transport.
 *
 * Finds the vendor capabilities (common, notify, ISR, device config),
 * resets the device and walks the status handshake ACKNOWLEDGE -> DRIVER
 * -> FEATURES_OK -> DRIVER_OK.  Transitional devices (0x1000-0x103f) are
 * driven through their modern interface; a device without one is skipped.
 * MSI-X is enabled at probe: entry 0 is the configuration vector (unused),
 * entry 1 + i belongs to queue i (set up in virtqueue.c).
 */
#include <asm/x86.h>
#include <drivers/virtio.h>
#include <kernel/printk.h>
#include <kernel/time.h>
#include <mm/mm.h>
#include <uapi/errno.h>
#include "internal.h"

extern const struct virtio_driver __virtio_drivers_start[], __virtio_drivers_end[];

#define CAP_COMMON	1
#define CAP_NOTIFY	2
#define CAP_ISR		3
#define CAP_DEVICE	4

#define S_ACK		1
#define S_DRIVER	2
#define S_DRIVER_OK	4
#define S_FEATURES_OK	8
#define S_FAILED	128

static volatile u8 *cap_ptr(struct pci_dev *p, u8 cap, u32 *extra)
{
	u8 bar = pci_read8(p, cap + 4);
	u32 off = pci_read32(p, cap + 8);
	u8 *base;

	if (bar >= PCI_MAX_BARS || p->bar[bar].io || !p->bar[bar].size)
		return NULL;
	base = pci_map_bar(p, bar);
	if (extra)
		*extra = pci_read32(p, cap + 16);
	return base ? base + off : NULL;
}

static int find_caps(struct virtio_dev *v)
{
	for (u8 cap = pci_find_cap(v->pci, 0x09, 0); cap;
	     cap = pci_find_cap(v->pci, 0x09, cap)) {
		switch (pci_read8(v->pci, cap + 3)) {
		case CAP_COMMON:
			if (!v->common)
				v->common = cap_ptr(v->pci, cap, NULL);
			break;
		case CAP_NOTIFY:
			if (!v->notify)
				v->notify = cap_ptr(v->pci, cap, &v->notify_mult);
			break;
		case CAP_ISR:
			if (!v->isr)
				v->isr = cap_ptr(v->pci, cap, NULL);
			break;
		case CAP_DEVICE:
			if (!v->device_cfg)
				v->device_cfg = cap_ptr(v->pci, cap, NULL);
			break;
		}
	}
	return v->common && v->notify && v->isr ? 0 : -ENODEV;
}

static void set_status(struct virtio_dev *v, u8 bits)
{
	vp_write8(v, VP_STATUS, vp_read8(v, VP_STATUS) | bits);
}

static int reset(struct virtio_dev *v)
{
	u64 end = ktime_get_ns() + NSEC_PER_SEC;

	vp_write8(v, VP_STATUS, 0);
	while (vp_read8(v, VP_STATUS)) {
		if (ktime_get_ns() > end)
			return -ETIMEDOUT;
		cpu_relax();
	}
	set_status(v, S_ACK | S_DRIVER);
	return 0;
}

int virtio_negotiate(struct virtio_dev *v, u64 wanted)
{
	u64 dev;

	vp_write32(v, VP_DFSELECT, 0);
	dev = vp_read32(v, VP_DF);
	vp_write32(v, VP_DFSELECT, 1);
	dev |= (u64)vp_read32(v, VP_DF) << 32;
	if (!(dev & (1ull << VIRTIO_F_VERSION_1)))
		return -ENODEV;
	v->features = dev & (wanted | (1ull << VIRTIO_F_VERSION_1));
	vp_write32(v, VP_GFSELECT, 0);
	vp_write32(v, VP_GF, (u32)v->features);
	vp_write32(v, VP_GFSELECT, 1);
	vp_write32(v, VP_GF, (u32)(v->features >> 32));
	set_status(v, S_FEATURES_OK);
	if (!(vp_read8(v, VP_STATUS) & S_FEATURES_OK))
		return -ENODEV;
	return 0;
}

void virtio_driver_ok(struct virtio_dev *v)
{
	set_status(v, S_DRIVER_OK);
}

void virtio_fail(struct virtio_dev *v)
{
	set_status(v, S_FAILED);
}

u8 virtio_cfg_read8(struct virtio_dev *v, u32 off)
{
	return v->device_cfg[off];
}

u16 virtio_cfg_read16(struct virtio_dev *v, u32 off)
{
	return *(volatile u16 *)(v->device_cfg + off);
}

u32 virtio_cfg_read32(struct virtio_dev *v, u32 off)
{
	return *(volatile u32 *)(v->device_cfg + off);
}

u64 virtio_cfg_read64(struct virtio_dev *v, u32 off)
{
	u32 lo, hi, gen;

	do {
		gen = vp_read8(v, VP_CFG_GEN);
		lo = virtio_cfg_read32(v, off);
		hi = virtio_cfg_read32(v, off + 4);
	} while (gen != vp_read8(v, VP_CFG_GEN));
	return ((u64)hi << 32) | lo;
}

static u32 virtio_type(const struct pci_dev *p)
{
	if (p->device >= 0x1040 && p->device <= 0x107f)
		return p->device - 0x1040;
	return p->subsys_id;	/* transitional: type in subsystem id */
}

static int virtio_pci_probe(struct pci_dev *p)
{
	struct virtio_dev *v;
	int err;

	if (p->device < 0x1000 || p->device > 0x107f)
		return -ENODEV;
	v = kzalloc(sizeof(*v));
	if (!v)
		return -ENOMEM;
	v->pci = p;
	v->type = virtio_type(p);
	pci_enable(p);
	err = find_caps(v);
	if (!err)
		err = reset(v);
	if (!err && pci_msix_enable(p))
		pr_warn("virtio: %02x:%02x.%u has no MSI-X; queues are polled\n",
			p->bus, p->dev, p->fn);
	for (const struct virtio_driver *d = __virtio_drivers_start;
	     !err && d < __virtio_drivers_end; d++) {
		if (d->type != v->type)
			continue;
		err = d->probe(v);
		if (err)
			virtio_fail(v);
		else
			p->driver_data = v;
		return err;
	}
	kfree(v);
	return err ? err : -ENODEV;
}

PCI_DRIVER(virtio) = {
	.name = "virtio-pci",
	.vendor = 0x1af4,
	.device = PCI_ANY,
	.probe = virtio_pci_probe,
};
