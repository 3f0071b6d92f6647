/* arch/x86/kernel/uaccess.c — checked user copies on top of usercopy.S.
 * See asm/uaccess.h for the contract. */
#include <asm/uaccess.h>
#include <uapi/errno.h>

size_t __uaccess_copy(void *dst, const void *src, size_t n);
size_t __uaccess_clear(void *dst, size_t n);
long __uaccess_strncpy(char *dst, const char *src, size_t max);

bool uaccess_smap;

int copy_from_user(void *dst, const void *usrc, size_t n)
{
	if (!user_range_ok((u64)usrc, n))
		return -EFAULT;
	return __uaccess_copy(dst, usrc, n) ? -EFAULT : 0;
}

int copy_to_user(void *udst, const void *src, size_t n)
{
	if (!user_range_ok((u64)udst, n))
		return -EFAULT;
	return __uaccess_copy(udst, src, n) ? -EFAULT : 0;
}

int clear_user(void *udst, size_t n)
{
	if (!user_range_ok((u64)udst, n))
		return -EFAULT;
	return __uaccess_clear(udst, n) ? -EFAULT : 0;
}

long strncpy_from_user(char *dst, const char *usrc, size_t max)
{
	long n;

	if (!max)
		return -ENAMETOOLONG;
	/* The string may end before a bad page: check only the start, and
	 * let the fixup catch the rest. */
	if ((u64)usrc >= USER_TOP)
		return -EFAULT;
	if (max > USER_TOP - (u64)usrc)
		max = USER_TOP - (u64)usrc;
	n = __uaccess_strncpy(dst, usrc, max);
	if (n < 0)
		return -EFAULT;
	if (n == (long)max && dst[max - 1])
		return -ENAMETOOLONG;
	return n - 1;
}

int get_user_u64(u64 *out, const void *uaddr)
{
	return copy_from_user(out, uaddr, sizeof(*out));
}

int put_user_u64(u64 v, void *uaddr)
{
	return copy_to_user(uaddr, &v, sizeof(v));
}

int get_user_u32(u32 *out, const void *uaddr)
{
	return copy_from_user(out, uaddr, sizeof(*out));
}

int put_user_u32(u32 v, void *uaddr)
{
	return copy_to_user(uaddr, &v, sizeof(v));
}
