/* managers/memory/pagecache.c — the memory node's page cache: one page
 * per (file, page index), shared by every space that maps it.
 *
 * A file is named by the space's file ops and context plus the file
 * handle they understand (for the P2M service: a slot naming a storage
 * node's (fs, ino, gen) inode, or a registered in-memory file), so the
 * key is (ops, ctx, file, index).  An entry embeds the struct mm_page its
 * mappers' PTEs point at; the page is filled once by read_page and then
 * shared: private mappings map it copy-on-write (filemap.c), shared ones
 * write into it and filemap.c writes it back to the file.
 *
 * Lifetime: the cache holds one reference of its own on every entry it
 * hashes.  When the last mapping's reference goes (pagecache_put, for
 * mm_page_put, sees the count at 2) the entry is unhashed and freed, so
 * the cache holds
 * exactly the pages some space maps, and the leak counters
 * (mm_pages_in_use) come back to zero when the processes exit.  Keeping
 * idle pages for the next mapper is a later step (Documentation/
 * memory.md, Not yet here).
 *
 * Locking: pc_lock (a mutex) covers the hash table, and every put of a
 * cached page runs under it.  A reference is only gained under it (a
 * lookup) or from another mapping of the page (fork's copy, under that
 * mapping's space lock), so a put that sees the count at 2 under the lock
 * holds the last mapping: nobody can reach the page after it.
 * read_page runs without pc_lock (it may wait for the storage node); two
 * spaces missing the same page may both read it, and the second to
 * insert uses the first one's page.  Order: mm->lock -> pc_lock -> allocator.
 * Callers: filemap.c (faults), pgtable.c (mm_page_put).
 */
#include <lib/list.h>
#include <lib/string.h>
#include <mm/mm.h>
#include "internal.h"

#define PC_BUCKETS	256

struct pc_entry {
	struct mm_page page;		/* first: PTEs point here */
	struct list_head link;		/* bucket, pc_lock */
	const struct mm_file_ops *fops;
	void *fctx;
	u64 file;
	u64 index;
};

static struct list_head pc_buckets[PC_BUCKETS];
static DEFINE_MUTEX(pc_lock);
static struct mm_pagecache_stats pc_stats;	/* pages: pc_lock; others atomic */

static void pc_count(u64 *c)
{
	__atomic_fetch_add(c, 1, __ATOMIC_RELAXED);
}

static struct list_head *pc_bucket(const struct pc_entry *k)
{
	u64 h = (k->file * 0x9e3779b97f4a7c15ull) ^ (k->index * 31u) ^
		(u64)(uintptr_t)k->fctx;

	if (!pc_buckets[0].next)
		for (unsigned int i = 0; i < PC_BUCKETS; i++)
			INIT_LIST_HEAD(&pc_buckets[i]);
	return &pc_buckets[(h ^ (h >> 29)) % PC_BUCKETS];
}

/* The entry for @k's key with a reference for the caller, or NULL.
 * pc_lock held. */
static struct mm_page *pc_lookup(const struct pc_entry *k)
{
	struct pc_entry *e;

	list_for_each_entry(e, pc_bucket(k), link)
		if (e->file == k->file && e->index == k->index &&
		    e->fops == k->fops && e->fctx == k->fctx) {
			mm_page_get(&e->page);
			return &e->page;
		}
	return NULL;
}

/* Free an entry that was never hashed: as a plain page, whose last put
 * frees the struct too (the page is the entry's first member). */
static void pc_discard(struct pc_entry *e)
{
	e->page.flags = 0;
	mm_page_put(&e->page);
}

/* A new entry for @k, filled from the file; NULL with *@err set. */
static struct pc_entry *pc_fill(const struct pc_entry *k, int *err)
{
	struct pc_entry *e = kzalloc(sizeof(*e));

	*err = -ENOMEM;
	if (!e)
		return NULL;
	*e = *k;
	*err = mm_page_init(&e->page, MM_PAGE_CACHED);
	if (!*err)
		*err = k->fops->read_page(k->fctx, k->file,
					  k->index * MM_PAGE_SIZE, e->page.data);
	if (!*err)
		return e;
	if (e->page.data)
		pc_discard(e);
	else
		kfree(e);
	if (*err != -ENXIO)
		pc_count(&pc_stats.errors);
	return NULL;
}

int pagecache_get(const struct mm_file_ops *fops, void *fctx, u64 file,
		  u64 index, struct mm_page **out)
{
	struct pc_entry key = { .fops = fops, .fctx = fctx, .file = file,
				.index = index }, *e;
	struct mm_page *p;
	int err;

	mutex_lock(&pc_lock);
	p = pc_lookup(&key);
	mutex_unlock(&pc_lock);
	if (p) {
		pc_count(&pc_stats.hits);
		*out = p;
		return 0;
	}
	e = pc_fill(&key, &err);
	if (!e)
		return err;
	pc_count(&pc_stats.fills);
	mutex_lock(&pc_lock);
	p = pc_lookup(&key);
	if (!p) {
		list_add(&e->link, pc_bucket(&key));
		pc_stats.pages++;
		mm_page_get(&e->page);	/* the cache's own reference */
		p = &e->page;
		e = NULL;
	}
	mutex_unlock(&pc_lock);
	if (e)				/* another space filled it first */
		pc_discard(e);
	*out = p;
	return 0;
}

void pagecache_put(struct mm_page *p)
{
	struct pc_entry *e = container_of(p, struct pc_entry, page);
	bool drop;

	mutex_lock(&pc_lock);
	drop = mm_page_refs(p) == 2;	/* this mapping's and the cache's */
	if (drop) {
		list_del(&e->link);
		pc_stats.pages--;
		__atomic_store_n(&p->refs, 0, __ATOMIC_RELAXED);
	} else {
		__atomic_sub_fetch(&p->refs, 1, __ATOMIC_ACQ_REL);
	}
	mutex_unlock(&pc_lock);
	if (!drop)
		return;
	mm_page_release(p);
	kfree(e);
}

void pagecache_count_writeback(int err)
{
	pc_count(err ? &pc_stats.errors : &pc_stats.writebacks);
}

void mm_pagecache_get_stats(struct mm_pagecache_stats *out)
{
	mutex_lock(&pc_lock);
	out->pages = pc_stats.pages;
	mutex_unlock(&pc_lock);
	out->fills = __atomic_load_n(&pc_stats.fills, __ATOMIC_RELAXED);
	out->hits = __atomic_load_n(&pc_stats.hits, __ATOMIC_RELAXED);
	out->writebacks = __atomic_load_n(&pc_stats.writebacks, __ATOMIC_RELAXED);
	out->errors = __atomic_load_n(&pc_stats.errors, __ATOMIC_RELAXED);
}
