/* arch/x86/kernel/uaccess_test.c — bad user pointers give -EFAULT, never a
 * kernel fault: kernel addresses, non-canonical and wrapping ranges are
 * refused by the range check, absent user pages by the fixup. */
#include <asm/uaccess.h>
#include <kernel/selftest.h>
#include <uapi/errno.h>

SELFTEST(uaccess_efault)
{
	static char kbuf[64] = "kernel";
	char buf[64];

	ST_EQ(copy_from_user(buf, kbuf, 8), -EFAULT);
	ST_EQ(copy_to_user(kbuf, buf, 8), -EFAULT);
	ST_EQ(copy_from_user(buf, (void *)(USER_TOP - 4), 8), -EFAULT);
	ST_EQ(copy_from_user(buf, (void *)~0ull, 2), -EFAULT);
	/* Nothing is mapped in the user half of a kernel thread. */
	ST_EQ(copy_from_user(buf, (void *)0x400000, 8), -EFAULT);
	ST_EQ(copy_to_user((void *)0x400000, buf, 8), -EFAULT);
	ST_EQ(clear_user((void *)0x7ffffffff000ull, 16), -EFAULT);
	ST_EQ(strncpy_from_user(buf, (void *)0x400000, sizeof(buf)), -EFAULT);
	ST_EQ(strncpy_from_user(buf, kbuf, sizeof(buf)), -EFAULT);
	ST_EQ(strncpy_from_user(buf, (void *)0x400000, 0), -ENAMETOOLONG);
	ST_EQ(copy_from_user(buf, (void *)0x400000, 0), 0);
	return 0;
}
