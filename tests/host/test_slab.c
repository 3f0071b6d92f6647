/* tests/host/test_slab.c — kmalloc (mm/slab.c) with CONFIG_DEBUG_SLAB on
 * the host.
 *
 * The page allocator underneath is the real buddy bookkeeping (mm/buddy.c)
 * on a malloc'ed arena; this file supplies the few kernel services slab.c
 * uses (alloc_pages/free_pages, virt_to_page, spinlocks as no-ops — the
 * test is single-threaded — printk, and a panic() that longjmps back into
 * the test so that fatal checks can be tested too).  Covered: size classes
 * and ksize, large allocations, kzalloc/kcalloc, slab page recycling and
 * kmalloc_shrink (every page back), use-after-free detection with the
 * freeing site, double free, kfree of foreign and interior pointers, and
 * a random workload with a shadow check that no two live objects overlap.
 */
#define CONFIG_DEBUG_SLAB 1
#include "harness.h"

#include <setjmp.h>
#include <string.h>

#include "../../lib/string.c"
#include "../../lib/vsnprintf.c"
#include "../../mm/buddy.c"
#include "../../mm/slab.c"

#define NR_PAGES	4096

static struct buddy_zone zone;
static struct page pages[NR_PAGES];
static unsigned char *arena;

/* --- the kernel services slab.c needs -------------------------------- */

static jmp_buf panic_jmp;
static bool panic_armed;
static char panic_msg[512];
static unsigned long corruptions;
static char corruption_msg[512];

void panic(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	tess_vsnprintf(panic_msg, sizeof(panic_msg), fmt, ap);
	va_end(ap);
	if (!panic_armed) {
		printf("unexpected panic: %s\n", panic_msg);
		abort();
	}
	panic_armed = false;
	longjmp(panic_jmp, 1);
}

/* Run @stmt expecting a panic; true if it panicked. */
#define EXPECT_PANIC(stmt)                                                  \
	({                                                                  \
		bool __p = false;                                           \
		panic_msg[0] = 0;                                           \
		panic_armed = true;                                         \
		if (setjmp(panic_jmp))                                      \
			__p = true;                                         \
		else                                                        \
			stmt;                                               \
		panic_armed = false;                                        \
		__p;                                                        \
	})

void printk(const char *fmt, ...)
{
	(void)fmt;
}

void spin_lock_init(spinlock_t *l, const char *name)
{
	(void)l;
	(void)name;
}

unsigned long spin_lock_irqsave(spinlock_t *l)
{
	(void)l;
	return 0;
}

void spin_unlock_irqrestore(spinlock_t *l, unsigned long flags)
{
	(void)l;
	(void)flags;
}

bool mm_kernel_text(const void *addr)
{
	return addr != NULL;
}

void mm_debug_corruption(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	tess_vsnprintf(corruption_msg, sizeof(corruption_msg), fmt, ap);
	va_end(ap);
	corruptions++;
}

static u64 virt_pfn(const void *p)
{
	return zone.base_pfn +
	       (((unsigned long)p - zone.virt_base) >> MM_PAGE_SHIFT);
}

struct page *virt_to_page(const void *addr)
{
	unsigned long a = (unsigned long)addr;

	if (a < zone.virt_base ||
	    a >= zone.virt_base + zone.nr_pages * MM_PAGE_SIZE)
		return NULL;
	return zone_page(&zone, virt_pfn(addr));
}

void *page_to_virt(const struct page *pg)
{
	return zone_pfn_virt(&zone, zone.base_pfn + (u64)(pg - zone.pages));
}

void *alloc_pages(unsigned int order)
{
	u64 pfn = buddy_zone_alloc(&zone, order);

	return pfn == BUDDY_NO_PFN ? NULL : zone_pfn_virt(&zone, pfn);
}

void free_pages_caller(const void *addr, unsigned int order, void *caller)
{
	enum buddy_err e = buddy_zone_check_free(&zone, virt_pfn(addr), order);

	(void)caller;
	if (e)
		panic("free_pages(%p, %u): %s", addr, order, buddy_err_str(e));
	buddy_zone_free(&zone, virt_pfn(addr), order);
}

void free_pages(void *addr, unsigned int order)
{
	free_pages_caller(addr, order, NULL);
}

/* --- tests ------------------------------------------------------------ */

static void setup(void)
{
	buddy_zone_init(&zone, 0x100, NR_PAGES, pages, (unsigned long)arena);
	buddy_zone_free_range(&zone, 0x100, NR_PAGES);
	kmalloc_init();
	corruptions = 0;
}

static void test_classes(void)
{
	static const size_t sizes[] = { 0, 1, 8, 9, 16, 17, 64, 65, 96, 97,
					128, 129, 192, 193, 256, 2048, 2049,
					4096, 4097, 100000 };
	static const size_t want[] = { 16, 16, 16, 16, 16, 32, 64, 96, 96, 128,
				       128, 192, 192, 256, 256, 2048, 4096,
				       4096, 8192, 131072 };

	setup();
	for (unsigned int i = 0; i < ARRAY_SIZE(sizes); i++) {
		unsigned char *p = kmalloc(sizes[i]);

		CHECK(p != NULL, "kmalloc(%zu)", sizes[i]);
		if (!p)
			continue;
		CHECK_EQ(ksize(p), want[i]);
		memset(p, 0xee, sizes[i]);
		kfree(p);
	}
	CHECK(kmalloc((size_t)4096 << MAX_ORDER) == NULL, "huge");
	kmalloc_shrink();
	CHECK_EQ(zone.free_pages, NR_PAGES);
	CHECK_EQ(kmalloc_slab_pages(), 0);
}

static void test_zero(void)
{
	unsigned char *p;

	setup();
	p = kmalloc(100);
	CHECK(p[0] == 0x6b && p[99] == 0x6b, "fresh object is poisoned");
	kfree(p);
	p = kzalloc(100);
	for (int i = 0; i < 100; i++)
		CHECK(p[i] == 0, "kzalloc byte %d", i);
	kfree(p);
	p = kcalloc(3, 1000);
	CHECK(p && ksize(p) >= 3000, "kcalloc");
	for (int i = 0; p && i < 3000; i++)
		CHECK(p[i] == 0, "kcalloc byte %d", i);
	kfree(p);
	CHECK(kcalloc(SIZE_MAX / 2, 3) == NULL, "kcalloc overflow");
	kfree(NULL);
	CHECK_EQ(ksize(NULL), 0);
	kmalloc_shrink();
	CHECK_EQ(zone.free_pages, NR_PAGES);
}

static void test_use_after_free(void)
{
	unsigned char *p, *q;

	setup();
	p = kmalloc(64);
	kfree(p);
	p[50] = 1;
	q = kmalloc(64);
	CHECK(q == p, "LIFO reuse");
	CHECK_EQ(corruptions, 1);
	CHECK(strstr(corruption_msg, "use after free") &&
	      strstr(corruption_msg, "offset 50"), "%s", corruption_msg);
	kfree(q);
	/* A clean reuse reports nothing. */
	q = kmalloc(64);
	CHECK_EQ(corruptions, 1);
	kfree(q);
}

static void test_bad_frees(void)
{
	static char not_heap[64];
	unsigned char *p, *big;

	setup();
	p = kmalloc(32);
	kfree(p);
	CHECK(EXPECT_PANIC(kfree(p)), "double free not caught");
	CHECK(strstr(panic_msg, "double free"), "%s", panic_msg);
	p = kmalloc(32);
	CHECK(EXPECT_PANIC(kfree(p + 8)), "interior pointer not caught");
	CHECK(strstr(panic_msg, "not the start"), "%s", panic_msg);
	CHECK(EXPECT_PANIC(kfree(not_heap)), "foreign pointer not caught");
	CHECK(strstr(panic_msg, "not returned by kmalloc"), "%s", panic_msg);
	big = alloc_pages(0);
	CHECK(EXPECT_PANIC(kfree(big)), "alloc_pages memory not caught");
	free_pages(big, 0);
	big = kmalloc(10000);
	CHECK(EXPECT_PANIC(free_pages(big, 2)), "free_pages of kmalloc");
	CHECK(strstr(panic_msg, "use kfree"), "%s", panic_msg);
	CHECK(EXPECT_PANIC(kfree(big + 4096)), "large interior not caught");
	kfree(big);
	CHECK(EXPECT_PANIC(kfree(big)), "large double free not caught");
	/* A never-allocated object of a live slab page. */
	CHECK(EXPECT_PANIC(kfree(p + 32)), "free object not caught");
	CHECK(strstr(panic_msg, "never allocated"), "%s", panic_msg);
	kfree(p);
}

/* Random kmalloc/kfree against a shadow map of owners. */
static void test_random(void)
{
	enum { SLOTS = 300 };
	static unsigned short owner[NR_PAGES * 4096 / 8];
	unsigned char *obj[SLOTS] = { 0 };
	size_t size[SLOTS];

	setup();
	memset(owner, 0, sizeof(owner));
	for (int i = 0; i < 100000; i++) {
		unsigned int s = (unsigned int)(rnd() % SLOTS);

		if (obj[s]) {
			size_t off = (size_t)(obj[s] - arena) / 8;

			for (size_t w = 0; w < DIV_ROUND_UP(size[s], 8); w++)
				owner[off + w] = 0;
			kfree(obj[s]);
			obj[s] = NULL;
			continue;
		}
		size[s] = 1 + rnd() % (rnd() % 8 ? 300 : 6000);
		obj[s] = kmalloc(size[s]);
		CHECK(obj[s] != NULL, "kmalloc(%zu) failed", size[s]);
		if (!obj[s])
			break;
		for (size_t w = 0; w < DIV_ROUND_UP(size[s], 8); w++) {
			size_t off = (size_t)(obj[s] - arena) / 8 + w;

			CHECK(!owner[off], "overlap at %zu", off * 8);
			owner[off] = (unsigned short)(s + 1);
		}
	}
	for (unsigned int s = 0; s < SLOTS; s++)
		kfree(obj[s]);
	CHECK_EQ(corruptions, 0);
	kmalloc_shrink();
	CHECK_EQ(kmalloc_slab_pages(), 0);
	CHECK_EQ(zone.free_pages, NR_PAGES);
}

int main(void)
{
	arena = aligned_alloc(4096, (size_t)NR_PAGES * 4096);
	if (!arena)
		return 2;
	RUN(test_classes);
	RUN(test_zero);
	RUN(test_use_after_free);
	RUN(test_bad_frees);
	RUN(test_random);
	free(arena);
	return harness_exit();
}
