/* arch/x86/include/asm/fpu.h — per-thread FPU/SSE/AVX state
 * (arch/x86/kernel/fpu.c).
 *
 * Kernel code never touches the FPU (-mgeneral-regs-only), so only user
 * threads own an XSAVE area.  The scheduler saves the outgoing thread's
 * state and restores the incoming one's on every switch between threads
 * that own one (eager switching, LESSONS 9): no lazy trap, no window in
 * which a thread's registers can leak or be lost.  The area size and the
 * saved components are those of XCR0, set once at boot (x87, SSE, AVX
 * where present).
 */
#ifndef ASM_FPU_H
#define ASM_FPU_H

#include <tessera/types.h>

struct fpu {
	u8 *area;		/* 64-byte aligned, fpu_area_size() bytes */
};

size_t fpu_area_size(void);
/* Allocate an area holding the initial state (FCW 0x37f, MXCSR 0x1f80,
 * everything else zero).  Returns 0 or -ENOMEM. */
int fpu_alloc(struct fpu *f);
void fpu_free(struct fpu *f);
/* Back to the initial state, in @f and in the registers (exec; the
 * current thread's own area only). */
void fpu_reset(struct fpu *f);
/* Copy @src's state into @dst (fork, clone). */
void fpu_copy(struct fpu *dst, const struct fpu *src);
void fpu_save(struct fpu *f);
void fpu_restore(const struct fpu *f);
/* The legacy region's MXCSR and x87 control word (signal frames). */
u32 *fpu_mxcsr(struct fpu *f);

#endif
