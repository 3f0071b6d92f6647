/* mm/poison_test.c — selftest of the CONFIG_DEBUG_SLAB poison checks
 * (mm/page_alloc.c, mm/slab.c); built only with CONFIG_DEBUG_SLAB.
 *
 * mm_poison: a deliberate write after free_pages() and after kfree() is
 * detected when the memory is handed out again.  The detector runs in
 * report-only mode (mm_debug_set_report_only) so the test sees a counter
 * go up instead of a panic.
 */
#include <asm/layout.h>
#include <kernel/sched.h>
#include <kernel/selftest.h>
#include "internal.h"

/* Get a page whose buddy we hold, so freeing it cannot merge and the
 * next order-0 allocation returns it (LIFO free list). */
static u8 *page_with_held_buddy(void **held, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++) {
		held[i] = alloc_page();
		if (!held[i])
			return NULL;
		for (unsigned int j = 0; j < i; j++)
			if (((unsigned long)held[i] ^ (unsigned long)held[j]) ==
			    PAGE_SIZE) {
				u8 *p = held[i];

				held[i] = NULL;
				return p;
			}
	}
	return NULL;
}

static int page_poison(struct selftest_ctx *t)
{
	void *held[64] = { 0 };
	unsigned long c0 = mm_debug_corruptions();
	u8 *p = page_with_held_buddy(held, ARRAY_SIZE(held)), *q = NULL;
	int tries;

	ST_ASSERT(p);
	/* Stay on this CPU: a freed order-0 page goes to its own list. */
	preempt_disable();
	free_page(p);
	ST_ASSERT(p[100] == PAGE_POISON);
	p[100] = 0x11;			/* the bug: write after free */
	for (tries = 0; tries < 8; tries++) {
		q = alloc_page();
		if (q == p)
			break;
		free_page(q);		/* someone raced us; try again */
	}
	preempt_enable();
	ST_ASSERT(q == p);
	ST_EQ(mm_debug_corruptions(), c0 + 1);
	free_page(p);
	for (unsigned int i = 0; i < ARRAY_SIZE(held); i++)
		if (held[i])
			free_page(held[i]);
	return 0;
}

static int slab_poison(struct selftest_ctx *t)
{
	unsigned long c0 = mm_debug_corruptions();
	void *got[256];
	unsigned int n = 0;
	u8 *p = kmalloc(64);

	ST_ASSERT(p);
	kfree(p);
	ST_ASSERT(p[40] == 0x6b);
	p[40] = 0;			/* the bug: write after kfree */
	/* The freed object is first on its page's free list; allocate from
	 * the class until it comes back. */
	while (n < ARRAY_SIZE(got)) {
		got[n] = kmalloc(64);
		if (got[n++] == p)
			break;
	}
	ST_ASSERT(got[n - 1] == p);
	ST_EQ(mm_debug_corruptions(), c0 + 1);
	while (n)
		kfree(got[--n]);
	return 0;
}

SELFTEST(mm_poison)
{
	bool old;
	int r;

	old = mm_debug_set_report_only(true);
	r = page_poison(t);
	if (!r)
		r = slab_poison(t);
	mm_debug_set_report_only(old);
	return r;
}
