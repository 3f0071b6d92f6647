/* mm/slab.c — kmalloc/kzalloc/kcalloc/kfree/ksize.
 *
 * Sizes up to 2048 bytes come from size classes (8, 16, 32, 64, 96, 128,
 * 192, 256, 512, 1024, 2048; the 8-byte class is folded into 16 with
 * CONFIG_DEBUG_SLAB, which needs two words of every free object).  A
 * class owns slab pages: order-0 pages from alloc_pages marked PG_SLAB
 * whose struct page holds the class index, the count of objects in use
 * and the list of free objects, linked through their first word.  Larger
 * sizes are whole blocks from alloc_pages, marked PG_LARGE on the head
 * page (whose order the buddy allocator already records).
 *
 * Invariants per class: a page with free objects is on the class's
 * partial list, a full page is on no list; at most MAX_EMPTY completely
 * free pages stay cached (on the partial list, at its tail), the rest go
 * back to the page allocator at once; kmalloc_shrink() returns the cached
 * ones too, so "no leak" tests can compare nr_free_pages() exactly.
 *
 * Locking: one spinlock per class, irqsave (kmalloc works in interrupts),
 * nested outside the page allocator's lock; pages are allocated and freed
 * with the class lock dropped.
 *
 * CONFIG_DEBUG_SLAB: a free object holds {next, FREE_TAG ^ free site,
 * 0x6b...}.  kfree() of an object that is already on its page's free list
 * panics naming both the first free site and the current caller;
 * kmalloc() checks the poison and reports a use after free with the
 * address and the freeing site (mm_debug_corruption); new objects are
 * handed out full of 0x6b, so uninitialised use is loud.  In every build
 * kfree() of a pointer that kmalloc did not return panics, and a
 * free-list pointer outside its page is reported.
 */
#include <asm/layout.h>
#include <kernel/panic.h>
#include <kernel/printk.h>
#include <kernel/spinlock.h>
#include <lib/string.h>
#include "internal.h"

#define SLAB_POISON	0x6b
#define SLAB_POISON_64	0x6b6b6b6b6b6b6b6bull
#define FREE_TAG	0x5ab0f4eefee1dead
#define MAX_EMPTY	1
#define KMALLOC_MAX_SMALL 2048
#define MIN_SIZE	(MM_DEBUG ? 16u : 8u)

struct kmalloc_class {
	spinlock_t lock;
	unsigned int size;		/* object size and stride */
	unsigned int objs;		/* objects per slab page */
	struct list_head partial;	/* pages with a free object */
	unsigned long nr_pages;		/* slab pages owned */
	unsigned int nr_empty;		/* of them, with no object in use */
};

static const u16 class_sizes[] = { 8, 16, 32, 64, 96, 128, 192, 256, 512,
				   1024, 2048 };
#define NR_CLASSES ARRAY_SIZE(class_sizes)
BUILD_BUG_ON(NR_CLASSES > 255);

static struct kmalloc_class classes[NR_CLASSES];
static bool kmalloc_ready;

static int size_class(size_t size)
{
	for (unsigned int i = 0; i < NR_CLASSES; i++)
		if (class_sizes[i] >= size && class_sizes[i] >= MIN_SIZE)
			return (int)i;
	return -1;
}

void kmalloc_init(void)
{
	for (unsigned int i = 0; i < NR_CLASSES; i++) {
		struct kmalloc_class *c = &classes[i];

		spin_lock_init(&c->lock, "kmalloc_class");
		c->size = class_sizes[i];
		c->objs = PAGE_SIZE / c->size;
		INIT_LIST_HEAD(&c->partial);
		c->nr_pages = 0;
		c->nr_empty = 0;
	}
	kmalloc_ready = true;
}

/* --- debug helpers ----------------------------------------------------- */

static void poison_free_object(void *obj, unsigned int size, void *site)
{
	u64 *w = obj;

	mm_fill64(obj, SLAB_POISON_64, size);
	w[1] = FREE_TAG ^ (u64)(unsigned long)site;
}

static void *free_site(const void *obj)
{
	return (void *)(unsigned long)(((const u64 *)obj)[1] ^ FREE_TAG);
}

static bool site_plausible(const void *site)
{
	return !site || mm_kernel_text(site);
}

/* The recorded free site of @obj if it survived, else NULL. */
static void *free_site_or_null(const void *obj)
{
	void *site = free_site(obj);

	return site_plausible(site) ? site : NULL;
}

/* Check a just-allocated object's poison (past the two metadata words;
 * sizes are multiples of 8), then poison those words too. */
static void check_object(void *obj, unsigned int size)
{
	const u64 *w = obj;
	const u8 *b = obj;

	for (unsigned int i = 16; i < size; i++) {
		if (i % 8 == 0 && i + 8 <= size && w[i / 8] == SLAB_POISON_64) {
			i += 7;
			continue;
		}
		if (b[i] == SLAB_POISON)
			continue;
		mm_debug_corruption("slab: use after free: byte at %p (offset "
				    "%u of a %u-byte object) is %#x, expected "
				    "%#x; object freed at %pS", &b[i], i, size,
				    b[i], SLAB_POISON, free_site_or_null(obj));
		break;
	}
	memset(obj, SLAB_POISON, 16);
}

/* --- slab pages --------------------------------------------------------- */

static struct page *new_slab(unsigned int ci)
{
	struct kmalloc_class *c = &classes[ci];
	u8 *base = alloc_pages(0);
	struct page *pg;

	if (!base)
		return NULL;
	pg = virt_to_page(base);
	pg->flags |= PG_SLAB;
	pg->slab_class = (u8)ci;
	pg->inuse = 0;
	pg->freelist = NULL;
	for (unsigned int i = c->objs; i-- > 0;) {
		void *obj = base + i * c->size;

		if (MM_DEBUG)
			poison_free_object(obj, c->size, NULL);
		*(void **)obj = pg->freelist;
		pg->freelist = obj;
	}
	return pg;
}

static void free_slab(struct page *pg)
{
	pg->flags &= ~PG_SLAB;
	free_pages(page_to_virt(pg), 0);
}

/* Is @next a valid free-list successor inside the page of @pg? */
static bool next_ok(const struct kmalloc_class *c, const struct page *pg,
		    const void *next)
{
	unsigned long base = (unsigned long)page_to_virt(pg);
	unsigned long off = (unsigned long)next - base;

	return !next || (off < c->objs * c->size && off % c->size == 0);
}

/* Take one object off the first partial page.  Class lock held. */
static void *__slab_pop(struct kmalloc_class *c)
{
	struct page *pg = list_first_entry(&c->partial, struct page, lru);
	void *obj = pg->freelist, *next = *(void **)obj;

	if (!next_ok(c, pg, next)) {
		mm_debug_corruption("slab: free list of the %u-byte page %p "
				    "corrupted: object %p links to %p",
				    c->size, page_to_virt(pg), obj, next);
		next = NULL;	/* leak the rest of the page's list */
	}
	pg->freelist = next;
	if (pg->inuse++ == 0)
		c->nr_empty--;
	if (!next)
		list_del(&pg->lru);
	return obj;
}

static void *slab_alloc(unsigned int ci)
{
	struct kmalloc_class *c = &classes[ci];
	unsigned long flags;
	void *obj;

	flags = spin_lock_irqsave(&c->lock);
	while (list_empty(&c->partial)) {
		struct page *pg;

		spin_unlock_irqrestore(&c->lock, flags);
		pg = new_slab(ci);
		if (!pg)
			return NULL;
		flags = spin_lock_irqsave(&c->lock);
		list_add_tail(&pg->lru, &c->partial);
		c->nr_pages++;
		c->nr_empty++;
	}
	obj = __slab_pop(c);
	spin_unlock_irqrestore(&c->lock, flags);
	if (MM_DEBUG)
		check_object(obj, c->size);
	return obj;
}

static bool on_freelist(const struct page *pg, const void *obj)
{
	for (const void *p = pg->freelist; p; p = *(void *const *)p)
		if (p == obj)
			return true;
	return false;
}

static __noreturn void double_free(const void *obj, void *caller)
{
	void *first = free_site(obj);

	if (!first)
		panic("kfree(%p): object was never allocated (called from %pS)",
		      obj, caller);
	panic("kfree(%p): double free: first freed at %pS, again from %pS",
	      obj, first, caller);
}

/* Put @obj back on @pg.  Returns a page to give back, or NULL. */
static struct page *__slab_push(struct kmalloc_class *c, struct page *pg,
				void *obj)
{
	bool was_full = !pg->freelist;

	*(void **)obj = pg->freelist;
	pg->freelist = obj;
	if (was_full)
		list_add(&pg->lru, &c->partial);
	if (--pg->inuse)
		return NULL;
	if (c->nr_empty < MAX_EMPTY) {
		c->nr_empty++;
		list_move_tail(&pg->lru, &c->partial);
		return NULL;
	}
	list_del(&pg->lru);
	c->nr_pages--;
	return pg;
}

static void slab_free(struct page *pg, void *obj, void *caller)
{
	struct kmalloc_class *c = &classes[pg->slab_class];
	unsigned long off = (unsigned long)obj & (PAGE_SIZE - 1), flags;
	struct page *empty;

	if (off % c->size || off >= c->objs * c->size)
		panic("kfree(%p): not the start of a %u-byte object (called "
		      "from %pS)", obj, c->size, caller);
	flags = spin_lock_irqsave(&c->lock);
	if (MM_DEBUG) {
		if (site_plausible(free_site(obj)) && on_freelist(pg, obj)) {
			spin_unlock_irqrestore(&c->lock, flags);
			double_free(obj, caller);
		}
		poison_free_object(obj, c->size, caller);
	}
	empty = __slab_push(c, pg, obj);
	spin_unlock_irqrestore(&c->lock, flags);
	if (empty)
		free_slab(empty);
}

/* --- the API ------------------------------------------------------------ */

static void *large_alloc(size_t size)
{
	unsigned int order = 0;
	void *p;

	while (order < MAX_ORDER && ((size_t)PAGE_SIZE << order) < size)
		order++;
	if (order == MAX_ORDER)
		return NULL;
	p = alloc_pages(order);
	if (p)
		virt_to_page(p)->flags |= PG_LARGE;
	return p;
}

void *kmalloc(size_t size)
{
	int ci;

	if (!kmalloc_ready)
		return NULL;
	if (size > KMALLOC_MAX_SMALL)
		return large_alloc(size);
	ci = size_class(size);
	return slab_alloc((unsigned int)ci);
}

void *kzalloc(size_t size)
{
	void *p = kmalloc(size);

	if (p)
		memset(p, 0, size);
	return p;
}

void *kcalloc(size_t n, size_t size)
{
	size_t bytes;

	if (__builtin_mul_overflow(n, size, &bytes))
		return NULL;
	return kzalloc(bytes);
}

/* The struct page of a kmalloc'ed pointer; panics if it is not one. */
static struct page *kmalloc_page(const void *p, void *caller, const char *fn)
{
	struct page *pg = virt_to_page(p);

	if (pg && (pg->flags & PG_SLAB))
		return pg;
	if (pg && (pg->flags & (PG_LARGE | PG_HEAD)) == (PG_LARGE | PG_HEAD) &&
	    IS_ALIGNED((unsigned long)p, PAGE_SIZE))
		return pg;
	panic("%s(%p): pointer was not returned by kmalloc (called from %pS)",
	      fn, p, caller);
}

void kfree(const void *p)
{
	void *caller = __builtin_return_address(0);
	struct page *pg;

	if (!p)
		return;
	pg = kmalloc_page(p, caller, "kfree");
	if (pg->flags & PG_SLAB) {
		slab_free(pg, (void *)p, caller);
	} else {
		pg->flags &= ~PG_LARGE;
		free_pages_caller(p, pg->order, caller);
	}
}

size_t ksize(const void *p)
{
	struct page *pg;

	if (!p)
		return 0;
	pg = kmalloc_page(p, __builtin_return_address(0), "ksize");
	if (pg->flags & PG_SLAB)
		return classes[pg->slab_class].size;
	return (size_t)PAGE_SIZE << pg->order;
}

void kmalloc_shrink(void)
{
	for (unsigned int i = 0; i < NR_CLASSES; i++) {
		struct kmalloc_class *c = &classes[i];
		struct page *pg, *n;
		unsigned long flags;
		LIST_HEAD(empty);

		flags = spin_lock_irqsave(&c->lock);
		list_for_each_entry_safe(pg, n, &c->partial, lru) {
			if (pg->inuse)
				continue;
			list_move_tail(&pg->lru, &empty);
			c->nr_pages--;
			c->nr_empty--;
		}
		spin_unlock_irqrestore(&c->lock, flags);
		list_for_each_entry_safe(pg, n, &empty, lru)
			free_slab(pg);
	}
}

unsigned long kmalloc_slab_pages(void)
{
	unsigned long n = 0;

	for (unsigned int i = 0; i < NR_CLASSES; i++)
		n += READ_ONCE(classes[i].nr_pages);
	return n;
}
