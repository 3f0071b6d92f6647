/* drivers/virtio/internal.h — register offsets of the virtio 1.x common
 * configuration structure and accessors, shared by virtio_pci.c and
 * virtqueue.c only. */
#ifndef DRIVERS_VIRTIO_INTERNAL_H
#define DRIVERS_VIRTIO_INTERNAL_H

#include <drivers/virtio.h>

#define VP_DFSELECT	0x00
#define VP_DF		0x04
#define VP_GFSELECT	0x08
#define VP_GF		0x0c
#define VP_MSIX_CONFIG	0x10
#define VP_NUM_QUEUES	0x12
#define VP_STATUS	0x14
#define VP_CFG_GEN	0x15
#define VP_Q_SELECT	0x16
#define VP_Q_SIZE	0x18
#define VP_Q_MSIX	0x1a
#define VP_Q_ENABLE	0x1c
#define VP_Q_NOTIFY_OFF	0x1e
#define VP_Q_DESC	0x20
#define VP_Q_DRIVER	0x28
#define VP_Q_DEVICE	0x30

static inline u8 vp_read8(struct virtio_dev *v, u32 o)
{
	return *(volatile u8 *)(v->common + o);
}
static inline void vp_write8(struct virtio_dev *v, u32 o, u8 x)
{
	*(volatile u8 *)(v->common + o) = x;
}
static inline u16 vp_read16(struct virtio_dev *v, u32 o)
{
	return *(volatile u16 *)(v->common + o);
}
static inline void vp_write16(struct virtio_dev *v, u32 o, u16 x)
{
	*(volatile u16 *)(v->common + o) = x;
}
static inline u32 vp_read32(struct virtio_dev *v, u32 o)
{
	return *(volatile u32 *)(v->common + o);
}
static inline void vp_write32(struct virtio_dev *v, u32 o, u32 x)
{
	*(volatile u32 *)(v->common + o) = x;
}
static inline void vp_write64(struct virtio_dev *v, u32 o, u64 x)
{
	vp_write32(v, o, (u32)x);
	vp_write32(v, o + 4, (u32)(x >> 32));
}

#endif
