/* arch/x86/kernel/uaccess.c — checked user copies on top of usercopy.S,
 * and single-instruction word accessors (one mov under stac/clac with an
 * exception-table fixup: an aligned word is read or written whole, never
 * torn by a concurrent writer — futex words, words other threads store).
 * See asm/uaccess.h for the contract. */
#include <asm/extable.h>
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

static inline void smap_open(void)
{
	if (uaccess_smap)
		__asm__ volatile("stac" ::: "memory");
}

static inline void smap_close(void)
{
	if (uaccess_smap)
		__asm__ volatile("clac" ::: "memory");
}

/* The fixup (a fault on the access) sets err to -EFAULT and resumes after
 * the instruction. */
#define USER_WORD_LOAD(insn, val, uaddr, err)				\
	__asm__ volatile("1: " insn " (%2), %0\n"			\
			 "2:\n" _ASM_EXTABLE(1b, 3f)			\
			 ".pushsection .text.fixup, \"ax\"\n"		\
			 "3: movl %3, %1\n"				\
			 "   jmp 2b\n"					\
			 ".popsection\n"					\
			 : "+r"(val), "+r"(err)				\
			 : "r"(uaddr), "i"(-EFAULT)			\
			 : "memory")
#define USER_WORD_STORE(insn, val, uaddr, err)				\
	__asm__ volatile("1: " insn " %1, (%2)\n"			\
			 "2:\n" _ASM_EXTABLE(1b, 3f)			\
			 ".pushsection .text.fixup, \"ax\"\n"		\
			 "3: movl %3, %0\n"				\
			 "   jmp 2b\n"					\
			 ".popsection\n"					\
			 : "+r"(err)					\
			 : "r"(val), "r"(uaddr), "i"(-EFAULT)		\
			 : "memory")

int get_user_u64(u64 *out, const void *uaddr)
{
	u64 v = 0;
	int err = 0;

	if (!user_range_ok((u64)uaddr, sizeof(v)))
		return -EFAULT;
	smap_open();
	USER_WORD_LOAD("movq", v, uaddr, err);
	smap_close();
	*out = v;
	return err;
}

int put_user_u64(u64 v, void *uaddr)
{
	int err = 0;

	if (!user_range_ok((u64)uaddr, sizeof(v)))
		return -EFAULT;
	smap_open();
	USER_WORD_STORE("movq", v, uaddr, err);
	smap_close();
	return err;
}

int get_user_u32(u32 *out, const void *uaddr)
{
	u32 v = 0;
	int err = 0;

	if (!user_range_ok((u64)uaddr, sizeof(v)))
		return -EFAULT;
	smap_open();
	USER_WORD_LOAD("movl", v, uaddr, err);
	smap_close();
	*out = v;
	return err;
}

int put_user_u32(u32 v, void *uaddr)
{
	int err = 0;

	if (!user_range_ok((u64)uaddr, sizeof(v)))
		return -EFAULT;
	smap_open();
	USER_WORD_STORE("movl", v, uaddr, err);
	smap_close();
	return err;
}
