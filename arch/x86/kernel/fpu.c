/* arch/x86/kernel/fpu.c — XSAVE areas of user threads.
 *
 * Layout (Intel SDM vol. 1, 13.4): 512-byte legacy region (FCW at 0,
 * MXCSR at 24), 64-byte XSAVE header (XSTATE_BV at 512), then the
 * extended components at offsets CPUID 0xd reports.  A fresh area marks
 * x87 and SSE present in XSTATE_BV with their initial control values, so
 * XRSTOR loads exactly Linux's initial state; AVX starts in its init
 * state (bit clear).  XSAVE (not XSAVEOPT/XSAVES) keeps the standard
 * format, which signal frames expose to user space.
 * Areas come from kmalloc, rounded up for 64-byte alignment.
 */
#include <asm/cpu.h>
#include <asm/fpu.h>
#include <lib/string.h>
#include <mm/mm.h>
#include <uapi/errno.h>

size_t fpu_area_size(void)
{
	return ALIGN_UP(boot_cpu.xsave_size ? boot_cpu.xsave_size : 1024, 64);
}

u32 *fpu_mxcsr(struct fpu *f)
{
	return (u32 *)(f->area + 24);
}

static void fpu_init_state(struct fpu *f)
{
	memset(f->area, 0, fpu_area_size());
	*(u16 *)f->area = 0x37f;		/* FCW */
	*fpu_mxcsr(f) = 0x1f80;
	*(u64 *)(f->area + 512) = 0x3;		/* XSTATE_BV: x87, SSE */
}

int fpu_alloc(struct fpu *f)
{
	size_t n = fpu_area_size();
	u8 *raw = kmalloc(n + 64);

	if (!raw)
		return -ENOMEM;
	/* kmalloc objects of this size class are 64-byte aligned; keep the
	 * raw pointer recoverable all the same: store it before the area. */
	f->area = (u8 *)ALIGN_UP((unsigned long)raw + 8, 64);
	((u8 **)f->area)[-1] = raw;
	fpu_init_state(f);
	return 0;
}

void fpu_reset(struct fpu *f)
{
	fpu_init_state(f);
	fpu_restore(f);
}

void fpu_free(struct fpu *f)
{
	if (f->area)
		kfree(((u8 **)f->area)[-1]);
	f->area = NULL;
}

void fpu_copy(struct fpu *dst, const struct fpu *src)
{
	memcpy(dst->area, src->area, fpu_area_size());
}

void fpu_save(struct fpu *f)
{
	u32 lo = (u32)boot_cpu.xcr0, hi = (u32)(boot_cpu.xcr0 >> 32);

	__asm__ volatile("xsave64 (%0)" : : "r"(f->area), "a"(lo), "d"(hi)
			 : "memory");
}

void fpu_restore(const struct fpu *f)
{
	u32 lo = (u32)boot_cpu.xcr0, hi = (u32)(boot_cpu.xcr0 >> 32);

	__asm__ volatile("xrstor64 (%0)" : : "r"(f->area), "a"(lo), "d"(hi)
			 : "memory");
}
