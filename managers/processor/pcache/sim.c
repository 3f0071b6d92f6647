/* managers/processor/pcache/sim.c — simulated memory node and page table
 * behind struct pcache_ops, for the pcache tests (see sim.h).
 *
 * Memory node: pages in a hash map whose buckets are guarded by striped
 * locks (lock_of: one per page; two pages: lower address first), the
 * per-page VMA
 * rights of each space in sp->vma.  Its answers follow what the real
 * memory manager will do: fetch of an unmapped page or a write to a
 * read-only one is -EFAULT; a write-back to an unmapped page is -EFAULT
 * (the pcache drops it); a zero-fill notice creates a zero page only if
 * none exists; checksums are checked on every page received.
 *
 * Page table: one PTE word per page, changed with atomics by the PTE hooks
 * (called under a pcache set lock).  sim_access() is the MMU: it raises
 * its accessor's "active" word, reads the PTE and touches the line; the
 * tlb_flush hook waits until every accessor is outside such a window, so
 * once it returns nobody uses a cleared or narrowed PTE.  Both sides use
 * sequentially consistent atomics (a store then a load each: Dekker).
 *
 * Address-space operations run in the order the real ops will: the
 * memory node first for munmap/mprotect, the pcache first for fork
 * (pcache_fork writes dirty data back first); mremap cleans the range
 * first, then the node moves, then the lines (pcache_move_range).
 */
#include <kernel/panic.h>
#include <kernel/sched.h>
#include <kernel/time.h>
#include <lib/crc32c.h>
#include <lib/string.h>
#include <mm/mm.h>
#include <uapi/errno.h>
#include "internal.h"
#include "sim.h"

#define PTE_P	1ull
#define PTE_W	2ull
#define VMA_MAPPED 0x80u	/* sp->vma[]: mapped, with PCACHE_PROT_* */

struct sim_page {
	struct sim_page *next;
	u32 id;
	u64 page;
	void *data;
};

static void sim_relax(void)
{
#ifdef __HOST_TEST__
	sched_yield();
#else
	__asm__ volatile("pause" ::: "memory");
#endif
}

static struct sim_space *sim_of(struct pcache_space *s)
{
	return s->priv;
}

static unsigned int hash_of(u32 id, u64 page)
{
	u64 h = (page ^ ((u64)id << 40)) * 0x9e3779b97f4a7c15ull;

	return (unsigned int)(h >> 52) % SIM_HASH;
}

static spinlock_t *lock_of(struct sim_node *n, u32 id, u64 page)
{
	return &n->locks[hash_of(id, page) % SIM_LOCKS];
}

static void lock_pair(spinlock_t *a, spinlock_t *b)
{
	if (a == b) {
		spin_lock(a);
		return;
	}
	spin_lock(a < b ? a : b);
	spin_lock(a < b ? b : a);
}

static void unlock_pair(spinlock_t *a, spinlock_t *b)
{
	spin_unlock(a);
	if (a != b)
		spin_unlock(b);
}

/* The page's bucket lock held. */
static struct sim_page **node_find_locked(struct sim_node *n, u32 id, u64 page)
{
	struct sim_page **pp = &n->hash[hash_of(id, page)];

	while (*pp && ((*pp)->id != id || (*pp)->page != page))
		pp = &(*pp)->next;
	return pp;
}

/* Bucket lock held.  The page, created zeroed if absent; NULL: no memory. */
static struct sim_page *node_get_locked(struct sim_node *n, u32 id, u64 page)
{
	struct sim_page **pp = node_find_locked(n, id, page), *p = *pp;

	if (p)
		return p;
	p = kzalloc(sizeof(*p));
	if (!p)
		return NULL;
	p->data = alloc_page_zeroed();
	if (!p->data) {
		kfree(p);
		return NULL;
	}
	p->id = id;
	p->page = page;
	*pp = p;
	return p;
}

static void node_drop_locked(struct sim_node *n, u32 id, u64 page)
{
	struct sim_page **pp = node_find_locked(n, id, page), *p = *pp;

	if (!p)
		return;
	*pp = p->next;
	free_page(p->data);
	kfree(p);
}

/* The page index of @uva in @sp, or -1 outside the window. */
static s64 index_of(struct sim_space *sp, u64 uva)
{
	if (uva < sp->base || ((uva - sp->base) >> 12) >= sp->npages)
		return -1;
	return (s64)((uva - sp->base) >> 12);
}

/* VMA_MAPPED | rights, or 0 when unmapped. */
static u32 vma_of(struct sim_space *sp, u64 uva)
{
	s64 i = index_of(sp, uva);

	return i < 0 ? 0 : READ_ONCE(sp->vma[i]);
}

static u32 vma_prot(struct sim_space *sp, u64 uva)
{
	return vma_of(sp, uva) & (PCACHE_PROT_READ | PCACHE_PROT_WRITE);
}

/* Memory node: a page written back (flush or piggyback).  Lock held. */
static int store_locked(struct sim_node *n, const struct pcache_xfer *x)
{
	struct sim_space *sp = sim_of(x->space);
	struct sim_page *p;

	if (n->checksum && crc32c(x->page, PCACHE_LINE_SIZE) != x->csum) {
		__atomic_fetch_add(&n->csum_bad, 1, __ATOMIC_RELAXED);
		return -EIO;
	}
	if (!vma_of(sp, x->uva))
		return -EFAULT;
	p = node_get_locked(n, x->space->id, x->uva >> 12);
	if (!p)
		return -ENOMEM;
	memcpy(p->data, x->page, PCACHE_LINE_SIZE);
	__atomic_fetch_add(&n->flushes, 1, __ATOMIC_RELAXED);
	return 0;
}

static int sim_flush(const struct pcache_xfer *x)
{
	struct sim_node *n = sim_of(x->space)->node;
	spinlock_t *l = lock_of(n, x->space->id, x->uva >> 12);
	int ret;

	spin_lock(l);
	ret = store_locked(n, x);
	spin_unlock(l);
	return ret;
}

static int fetch_one_locked(struct sim_space *sp, u64 uva, void *page,
			    u32 *csum)
{
	struct sim_node *n = sp->node;
	struct sim_page *p = *node_find_locked(n, sp->ps.id, uva >> 12);

	if (p)
		memcpy(page, p->data, PCACHE_LINE_SIZE);
	else
		memset(page, 0, PCACHE_LINE_SIZE);
	if (csum)
		*csum = n->checksum ? crc32c(page, PCACHE_LINE_SIZE) : 0;
	if (n->corrupt) {	/* damage in transit (single-threaded tests) */
		n->corrupt--;
		((u8 *)page)[100] ^= 0x40;
	}
	__atomic_fetch_add(&n->fetches, 1, __ATOMIC_RELAXED);
	return 0;
}

static int sim_fetch(struct pcache_space *s, u64 uva, void **pages,
		     u32 *csums, unsigned int nr, bool write, u32 *prot,
		     const struct pcache_xfer *piggy, int *piggy_err)
{
	struct sim_space *sp = sim_of(s);
	struct sim_node *n = sp->node;
	int ret = 0;

	*prot = vma_prot(sp, uva);
	if (!(*prot & PCACHE_PROT_READ) ||
	    (write && !(*prot & PCACHE_PROT_WRITE)))
		ret = -EFAULT;
	if (piggy)
		*piggy_err = sim_flush(piggy);
	for (unsigned int i = 0; !ret && i < nr; i++) {
		u64 a = uva + i * PCACHE_LINE_SIZE;
		spinlock_t *l = lock_of(n, s->id, a >> 12);

		if (i && vma_of(sp, a) != vma_of(sp, uva))
			return (int)i;	/* the VMA ends (or changed) here */
		spin_lock(l);
		fetch_one_locked(sp, a, pages[i], csums ? &csums[i] : NULL);
		spin_unlock(l);
	}
	return ret ? ret : (int)nr;
}

static bool sim_first_touch(struct pcache_space *s, u64 uva, u32 *prot)
{
	struct sim_space *sp = sim_of(s);
	struct sim_node *n = sp->node;
	bool absent;

	*prot = vma_prot(sp, uva);
	if (!(*prot & PCACHE_PROT_READ) || !READ_ONCE(n->zerofill))
		return false;
	spin_lock(lock_of(n, s->id, uva >> 12));
	absent = !*node_find_locked(n, s->id, uva >> 12);
	spin_unlock(lock_of(n, s->id, uva >> 12));
	return absent;
}

static void sim_zerofill_notify(struct pcache_space *s, u64 uva)
{
	struct sim_node *n = sim_of(s)->node;

	spin_lock(lock_of(n, s->id, uva >> 12));
	if (vma_of(sim_of(s), uva))
		node_get_locked(n, s->id, uva >> 12);
	spin_unlock(lock_of(n, s->id, uva >> 12));
	__atomic_fetch_add(&n->notices, 1, __ATOMIC_RELAXED);
}

static int sim_check_write(struct pcache_space *s, u64 uva)
{
	return vma_prot(sim_of(s), uva) & PCACHE_PROT_WRITE ? 0 : -EFAULT;
}

static unsigned int sim_vma_pages_after(struct pcache_space *s, u64 uva,
					unsigned int max)
{
	struct sim_space *sp = sim_of(s);
	u32 vma = vma_of(sp, uva);
	unsigned int n = 0;

	while (n < max && vma_of(sp, uva + (n + 1) * PCACHE_LINE_SIZE) == vma)
		n++;
	return n;
}

static void *sim_install_pte(struct pcache_space *s, u64 uva, void *page,
			     bool writable)
{
	struct sim_space *sp = sim_of(s);
	s64 i = index_of(sp, uva);

	BUG_ON(i < 0);
	__atomic_store_n(&sp->pte[i],
			 (u64)(uintptr_t)page | PTE_P | (writable ? PTE_W : 0),
			 __ATOMIC_SEQ_CST);
	return &sp->pte[i];
}

static void sim_clear_pte(struct pcache_space *s, u64 uva, void *pte)
{
	BUG_ON(pte != &sim_of(s)->pte[index_of(sim_of(s), uva)]);
	__atomic_store_n((u64 *)pte, 0, __ATOMIC_SEQ_CST);
}

static void sim_protect_pte(struct pcache_space *s, u64 uva, void *pte)
{
	BUG_ON(pte != &sim_of(s)->pte[index_of(sim_of(s), uva)]);
	__atomic_fetch_and((u64 *)pte, ~PTE_W, __ATOMIC_SEQ_CST);
}

static void sim_tlb_flush(struct pcache_space *s, u64 start, u64 end)
{
	struct sim_node *n = sim_of(s)->node;
	u64 t0 = ktime_get_ns();

	__atomic_fetch_add(&n->tlb_flushes, 1, __ATOMIC_RELAXED);
	for (int i = 0; i < SIM_MAX_ACCESSORS; i++) {
		while (__atomic_load_n(&n->acc[i].active, __ATOMIC_SEQ_CST))
			sim_relax();
	}
	__atomic_fetch_add(&n->tlb_ns, ktime_get_ns() - t0, __ATOMIC_RELAXED);
}

const struct pcache_ops sim_ops = {
	.fetch = sim_fetch,
	.flush = sim_flush,
	.first_touch = sim_first_touch,
	.zerofill_notify = sim_zerofill_notify,
	.check_write = sim_check_write,
	.vma_pages_after = sim_vma_pages_after,
	.install_pte = sim_install_pte,
	.clear_pte = sim_clear_pte,
	.protect_pte = sim_protect_pte,
	.tlb_flush = sim_tlb_flush,
};

int sim_access(struct sim_space *sp, unsigned int who, u64 uva, bool write,
	       u64 *val)
{
	struct sim_accessor *a = &sp->node->acc[who];
	s64 i = index_of(sp, uva);

	if (i < 0 || who >= SIM_MAX_ACCESSORS)
		return -EFAULT;
	for (int tries = 0; tries < 10000; tries++) {
		u64 pte;
		int ret;

		preempt_disable();
		__atomic_store_n(&a->active, 1, __ATOMIC_SEQ_CST);
		pte = __atomic_load_n(&sp->pte[i], __ATOMIC_SEQ_CST);
		if ((pte & PTE_P) && (!write || (pte & PTE_W))) {
			u64 *w = (u64 *)(uintptr_t)((pte & ~0xfffull) +
						    (uva & 0xff8));

			if (write)
				WRITE_ONCE(*w, *val);
			else
				*val = READ_ONCE(*w);
			__atomic_store_n(&a->active, 0, __ATOMIC_SEQ_CST);
			preempt_enable();
			return 0;
		}
		__atomic_store_n(&a->active, 0, __ATOMIC_SEQ_CST);
		preempt_enable();
		ret = pcache_fault(&sp->ps, uva, write);
		if (ret)
			return ret;
	}
	return -EAGAIN;
}

struct sim_node *sim_node_create(bool checksum)
{
	struct sim_node *n = kzalloc(sizeof(*n));

	if (!n)
		return NULL;
	for (int i = 0; i < SIM_LOCKS; i++)
		spin_lock_init(&n->locks[i], "sim_node");
	n->checksum = checksum;
	n->zerofill = true;
	return n;
}

void sim_node_destroy(struct sim_node *n)
{
	for (int i = 0; i < SIM_HASH; i++) {
		while (n->hash[i])
			node_drop_locked(n, n->hash[i]->id, n->hash[i]->page);
	}
	kfree(n);
}

int sim_space_init(struct sim_space *sp, struct sim_node *n,
		   struct pcache *pc, u32 id, u64 base, u64 npages)
{
	sp->ps = (struct pcache_space){ .pc = pc, .id = id, .priv = sp };
	sp->node = n;
	sp->base = base;
	sp->npages = npages;
	sp->pte = kcalloc(npages, sizeof(*sp->pte));
	sp->vma = kcalloc(npages, 1);
	if (!sp->pte || !sp->vma) {
		kfree(sp->pte);
		kfree(sp->vma);
		return -ENOMEM;
	}
	return 0;
}

void sim_space_fini(struct sim_space *sp)
{
	sim_munmap(sp, sp->base, sp->npages);
	for (u64 i = 0; i < sp->npages; i++)
		BUG_ON(sp->pte[i]);
	kfree(sp->pte);
	kfree(sp->vma);
}

void sim_mmap(struct sim_space *sp, u64 uva, u64 npages, u32 prot)
{
	for (u64 i = 0; i < npages; i++)
		WRITE_ONCE(sp->vma[index_of(sp, uva) + i],
			   (u8)(prot | VMA_MAPPED));
}

int sim_munmap(struct sim_space *sp, u64 uva, u64 npages)
{
	struct sim_node *n = sp->node;

	for (u64 i = 0; i < npages; i++) {
		spinlock_t *l = lock_of(n, sp->ps.id, (uva >> 12) + i);

		spin_lock(l);
		WRITE_ONCE(sp->vma[index_of(sp, uva) + i], 0);
		node_drop_locked(n, sp->ps.id, (uva >> 12) + i);
		spin_unlock(l);
	}
	return pcache_unmap_range(&sp->ps, uva, uva + npages * 4096, true);
}

int sim_mprotect(struct sim_space *sp, u64 uva, u64 npages, u32 prot)
{
	sim_mmap(sp, uva, npages, prot);
	pcache_protect_range(&sp->ps, uva, uva + npages * 4096, prot);
	return 0;
}

/* Memory node side of mremap: the VMA and the pages move. */
static void node_move(struct sim_space *sp, u64 old, u64 new, u64 npages)
{
	struct sim_node *n = sp->node;

	for (u64 i = 0; i < npages; i++) {
		u64 op = (old >> 12) + i, np = (new >> 12) + i;
		spinlock_t *lo = lock_of(n, sp->ps.id, op);
		spinlock_t *ln = lock_of(n, sp->ps.id, np);
		struct sim_page **pp, *p;

		lock_pair(lo, ln);
		pp = node_find_locked(n, sp->ps.id, op);
		p = *pp;

		node_drop_locked(n, sp->ps.id, np);
		WRITE_ONCE(sp->vma[index_of(sp, new) + i],
			   sp->vma[index_of(sp, old) + i]);
		WRITE_ONCE(sp->vma[index_of(sp, old) + i], 0);
		if (p) {
			*pp = p->next;
			p->page = np;
			pp = node_find_locked(n, sp->ps.id, np);
			p->next = NULL;
			*pp = p;
		}
		unlock_pair(lo, ln);
	}
}

int sim_mremap(struct sim_space *sp, u64 old, u64 new, u64 npages)
{
	int ret;

	if (index_of(sp, old) < 0 || index_of(sp, new) < 0 ||
	    index_of(sp, old + (npages - 1) * 4096) < 0 ||
	    index_of(sp, new + (npages - 1) * 4096) < 0)
		return -EINVAL;
	ret = pcache_move_prepare(&sp->ps, old, npages * 4096);
	if (ret)
		return ret;
	node_move(sp, old, new, npages);
	return pcache_move_range(&sp->ps, old, new, npages * 4096);
}

int sim_fork(struct sim_space *parent, struct sim_space *child)
{
	struct sim_node *n = parent->node;
	int ret = pcache_fork(&parent->ps, &child->ps);

	if (ret)
		return ret;
	for (u64 i = 0; i < parent->npages && !ret; i++) {
		u64 page = (parent->base >> 12) + i;
		spinlock_t *lp = lock_of(n, parent->ps.id, page);
		spinlock_t *lc = lock_of(n, child->ps.id, page);
		struct sim_page *p, *c;

		lock_pair(lp, lc);
		child->vma[i] = parent->vma[i];
		p = *node_find_locked(n, parent->ps.id, page);
		c = p ? node_get_locked(n, child->ps.id, page) : NULL;
		if (p && !c)
			ret = -ENOMEM;
		else if (p)
			memcpy(c->data, p->data, PCACHE_LINE_SIZE);
		unlock_pair(lp, lc);
	}
	return ret;
}

/* Walk every line of the space: its rmap against the PTEs. */
static unsigned int check_lines(struct sim_space *sp, u64 *mapped)
{
	struct pcache *pc = sp->ps.pc;
	unsigned int bad = 0;

	for (unsigned int i = 0; i < pc->nr_lines; i++) {
		struct pcache_line *l = &pc->lines[i];
		unsigned int n = 0;

		if (l->space != &sp->ps)
			continue;
		for (struct pcache_rmap *r = l->rmap; r; r = r->next, n++) {
			s64 k = index_of(sp, r->uva);
			u64 pte = k < 0 ? 0 : sp->pte[k];

			bad += r->uva != line_uva(l) || !(pte & PTE_P) ||
			       (pte & ~0xfffull) != (u64)(uintptr_t)l->data ||
			       !!(pte & PTE_W) != r->writable;
			bad += r->writable && !(l->flags & LINE_DIRTY);
			if (k >= 0)
				mapped[k / 64] |= 1ull << (k % 64);
		}
		bad += n != l->mapcount || (n && !(l->flags & LINE_VALID));
	}
	return bad;
}

unsigned int sim_check_rmap(struct sim_space *sp)
{
	u64 *mapped = kcalloc(sp->npages / 64 + 1, sizeof(u64));
	unsigned int bad;

	if (!mapped)
		return 1;
	bad = check_lines(sp, mapped);
	for (u64 k = 0; k < sp->npages; k++)
		bad += !!(sp->pte[k] & PTE_P) !=
		       !!(mapped[k / 64] & (1ull << (k % 64)));
	kfree(mapped);
	return bad;
}
