/* arch/x86/include/asm/uaccess.h — copying to and from user memory
 * (arch/x86/kernel/usercopy.S, uaccess.c).
 *
 * Every user pointer the kernel touches goes through these.  They check
 * that the whole range lies in the user half (below USER_TOP, no wrap),
 * open SMAP for the duration of the copy (stac/clac where the CPU has
 * SMAP), and recover from a fault through the exception table: a bad user
 * pointer gives -EFAULT, never a kernel fault.  A fault on a user page
 * that is merely absent first goes to the user-fault hook (the pcache
 * fills it), so copies see the same memory the program sees.
 * May sleep (the fault path may wait for the network).
 */
#ifndef ASM_UACCESS_H
#define ASM_UACCESS_H

#include <tessera/types.h>

#define USER_TOP 0x0000800000000000ull	/* first non-canonical address */

static inline bool user_range_ok(u64 addr, u64 len)
{
	return addr <= USER_TOP && len <= USER_TOP - addr;
}

/* 0 or -EFAULT. */
int copy_from_user(void *dst, const void *usrc, size_t n);
int copy_to_user(void *udst, const void *src, size_t n);
int clear_user(void *udst, size_t n);
/* Copy a NUL-terminated string of at most @max bytes including the NUL:
 * returns its length, -EFAULT, or -ENAMETOOLONG if no NUL within @max. */
long strncpy_from_user(char *dst, const char *usrc, size_t max);
int get_user_u64(u64 *out, const void *uaddr);
int put_user_u64(u64 v, void *uaddr);
int get_user_u32(u32 *out, const void *uaddr);
int put_user_u32(u32 v, void *uaddr);

/* Set by cpu.c when SMAP is enabled. */
extern bool uaccess_smap;

#endif
