/* mm/slab_test.c — selftest of kmalloc and friends (mm/slab.c).
 *
 * mm_slab_basic: every size class and the page-backed sizes give usable,
 * distinct, non-overlapping memory with ksize() >= the request; kzalloc
 * and kcalloc zero (with CONFIG_DEBUG_SLAB plain kmalloc memory is 0x6b,
 * so this is a real check); kcalloc refuses a size overflow; kfree(NULL)
 * is harmless; and after kmalloc_shrink() the free page count is exactly
 * what it was.
 */
#include <asm/layout.h>
#include <kernel/selftest.h>
#include <lib/string.h>
#include "internal.h"

static const size_t sizes[] = { 0, 1, 7, 8, 9, 16, 31, 64, 65, 96, 100,
				 128, 150, 192, 255, 256, 511, 512, 1000,
				 1024, 2047, 2048, 2049, 4096, 4097, 10000,
				 65536, 1u << 20 };

static bool all_bytes(const u8 *p, size_t n, u8 v)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != v)
			return false;
	return true;
}

static int sizes_test(struct selftest_ctx *t)
{
	for (unsigned int i = 0; i < ARRAY_SIZE(sizes); i++) {
		size_t n = sizes[i];
		u8 *p = kmalloc(n), *z = kzalloc(n);

		ST_ASSERT(p && z);
		ST_ASSERT(ksize(p) >= n && ksize(z) >= n);
		ST_ASSERT(all_bytes(z, n, 0));
		memset(p, 0xc3, n);
		memset(z, 0x3c, n);
		ST_ASSERT(all_bytes(p, n, 0xc3));
		if (n > 2048)
			ST_ASSERT(IS_ALIGNED((unsigned long)p, 4096));
		else
			ST_ASSERT(IS_ALIGNED((unsigned long)p, 8));
		kfree(p);
		kfree(z);
	}
	return 0;
}

/* Many objects of one class at once: distinct and intact. */
static int many_test(struct selftest_ctx *t, size_t size)
{
	enum { N = 600 };
	static u8 *obj[N];

	for (unsigned int i = 0; i < N; i++) {
		obj[i] = kmalloc(size);
		ST_ASSERT(obj[i]);
		memset(obj[i], (u8)i, size);
	}
	for (unsigned int i = 0; i < N; i++) {
		ST_ASSERT(all_bytes(obj[i], size, (u8)i));
		kfree(obj[i]);
	}
	return 0;
}

SELFTEST(mm_slab_basic)
{
	unsigned long before;
	u32 *c;

	kmalloc_shrink();
	before = nr_free_pages();
	if (sizes_test(t))
		return -1;
	for (size_t s = 8; s <= 4096; s *= 2)
		if (many_test(t, s - 1) || many_test(t, s))
			return -1;
	c = kcalloc(100, sizeof(*c));
	ST_ASSERT(c && all_bytes((u8 *)c, 400, 0));
	kfree(c);
	ST_ASSERT(kcalloc((size_t)1 << 40, (size_t)1 << 40) == NULL);
	ST_ASSERT(kcalloc(~(size_t)0 / 2, 3) == NULL);
	ST_ASSERT(kmalloc((size_t)PAGE_SIZE << MAX_ORDER) == NULL);
	kfree(NULL);
	ST_EQ(ksize(NULL), 0);
	kmalloc_shrink();
	ST_EQ(nr_free_pages(), before);
	return 0;
}
