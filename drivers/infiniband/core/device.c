/* drivers/infiniband/core/device.c — the registry of RDMA devices.
 *
 * Providers (sw/rxe today) create their ib_device and register it here;
 * users (FIT) find a device by index or name.  Devices are registered at
 * boot and normally live forever; unregistering is allowed (tests) once
 * the provider has no objects left on it.
 *
 * Object lifetime: PDs, MRs, CQs and QPs belong to their provider, which
 * refuses to destroy an object still in use (a PD with MRs or QPs, a CQ
 * with QPs: -EBUSY) and a device with objects left.  The core keeps only
 * the list, so no verb pays for a lookup here.
 *
 * Lock: dev_lock (a plain spinlock: only threads register and look up)
 * protects the list; lookups return a pointer the caller keeps using,
 * which is safe because a device is unregistered only by its owner.
 */
#include <kernel/printk.h>
#include <kernel/spinlock.h>
#include <lib/list.h>
#include <lib/string.h>
#include <rdma/ib_verbs.h>
#include <uapi/errno.h>

static DEFINE_SPINLOCK(dev_lock);
static LIST_HEAD(devices);

int ib_register_device(struct ib_device *dev)
{
	struct ib_device *d;

	if (!dev->ops || !dev->name[0])
		return -EINVAL;
	spin_lock(&dev_lock);
	list_for_each_entry(d, &devices, list) {
		if (d == dev || !strcmp(d->name, dev->name)) {
			spin_unlock(&dev_lock);
			return -EEXIST;
		}
	}
	list_add_tail(&dev->list, &devices);
	spin_unlock(&dev_lock);
	printk("ib: %s registered: mac %02x:%02x:%02x:%02x:%02x:%02x ipv4 "
	       "%u.%u.%u.%u\n", dev->name, dev->mac[0], dev->mac[1],
	       dev->mac[2], dev->mac[3], dev->mac[4], dev->mac[5],
	       dev->ipv4 >> 24, (dev->ipv4 >> 16) & 0xff,
	       (dev->ipv4 >> 8) & 0xff, dev->ipv4 & 0xff);
	return 0;
}

void ib_unregister_device(struct ib_device *dev)
{
	spin_lock(&dev_lock);
	list_del(&dev->list);
	INIT_LIST_HEAD(&dev->list);
	spin_unlock(&dev_lock);
}

struct ib_device *ib_device_get(int index)
{
	struct ib_device *d, *found = NULL;

	spin_lock(&dev_lock);
	list_for_each_entry(d, &devices, list) {
		if (index-- == 0) {
			found = d;
			break;
		}
	}
	spin_unlock(&dev_lock);
	return found;
}

struct ib_device *ib_device_find(const char *name)
{
	struct ib_device *d, *found = NULL;

	spin_lock(&dev_lock);
	list_for_each_entry(d, &devices, list) {
		if (!strcmp(d->name, name)) {
			found = d;
			break;
		}
	}
	spin_unlock(&dev_lock);
	return found;
}
