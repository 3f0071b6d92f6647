/* managers/processor/process_p2m.c — address spaces on the memory node:
 * struct mm_ops over the P2M client (include/processor/p2m.h) with the
 * pcache (include/processor/pcache.h) caching the pages, opt-in with
 * `abi.p2m=1` until it has run under every test (the default is still the
 * local loader, localmm.c).
 *
 * A proc_mm's space_id is the tgid the memory node knows the space by;
 * its priv is a struct pcache_space tagged with that id.  The pcache's
 * page-table hooks write the process's upt (its lines carry the PTE
 * location as rmap); the user page-fault hook sends faults on a P2M space
 * to pcache_fault().  Every call that changes the space applies the
 * memory node's list of changes (unmap, protect) to the pcache before
 * returning, so no stale line or PTE survives the call (LESSONS 3, 4).
 * fork writes the parent's dirty lines back and write-protects them
 * (pcache_fork) before the memory node copies.  File mappings go to the
 * memory node as MMAP_FILE (the storage file's handle); once a process
 * has mapped a file MAP_SHARED, munmap, MAP_FIXED and exit write its
 * dirty lines back rather than drop them, so shared writes reach the
 * file, and msync writes back and drops the range's lines.  A fault past
 * the end of a mapped file (-ENXIO) becomes SIGBUS.  Executable rights are not
 * tracked per line: installed pages are executable.
 *
 * Locking (struct p2m_space): vm_lock, a mutex, is held across each
 * address-space change from its P2M request to the end of its pcache
 * side, so no other thread's mmap can be handed a range that the memory
 * node has already freed but whose old lines this CPU has yet to drop
 * (it would drop the new mapping's dirty lines: the 16-thread malloc
 * programs lost glibc's thread descriptors that way).  Faults do not take
 * it.  upt_lock, a spinlock taken under a pcache set lock, serialises
 * the creation of page-table pages (the pcache fills different sets in
 * parallel).  Order: vm_lock -> pcache set lock -> upt_lock.
 */
#include <asm/irq.h>
#include <asm/layout.h>
#include <asm/paging.h>
#include <asm/upt.h>
#include <kernel/mutex.h>
#include <kernel/param.h>
#include <kernel/printk.h>
#include <kernel/smp.h>
#include <kernel/spinlock.h>
#include <lib/string.h>
#include <mm/mm.h>
#include <processor/p2m.h>
#include <processor/pcache.h>
#include <uapi/errno.h>
#include <uapi/mman.h>
#include "internal.h"

bool abi_use_p2m;
param_bool("abi.p2m", abi_use_p2m,
	   "run programs on the memory node through P2M and the pcache");

/* A process's pcache space and the lock that serialises changes to the
 * shape of its upt: the pcache installs PTEs under a set lock only, so
 * two CPUs faulting in one 2 MiB (or 1 GiB) region would otherwise both
 * create the missing table and one would overwrite the other, leaving
 * the first one's PTEs (and the rmaps pointing at them) in an orphaned
 * table: a later eviction or munmap then clears the orphan while the
 * live table keeps mapping a line that gets reused for another page. */
struct p2m_space {
	struct pcache_space s;
	spinlock_t upt_lock;
	struct mutex vm_lock;	/* one address-space change at a time */
	bool shared_files;	/* has mapped a file MAP_SHARED (vm_lock):
				 * munmap, MAP_FIXED and exit write dirty
				 * lines back instead of dropping them */
};

static struct mutex *vm_lock_of(struct proc_mm *mm)
{
	return &container_of((struct pcache_space *)mm->priv,
			     struct p2m_space, s)->vm_lock;
}

static struct p2m_space *pspace_of(struct proc_mm *mm)
{
	return container_of((struct pcache_space *)mm->priv, struct p2m_space,
			    s);
}

static struct pcache_space *space_of(struct proc_mm *mm)
{
	return mm->priv;
}

static void *pte_install(struct pcache_space *s, u64 uva, void *page,
			 bool writable)
{
	struct p2m_space *ps = container_of(s, struct p2m_space, s);
	struct proc_mm *mm = s->priv;
	u64 flags = writable ? PTE_W : 0;
	u64 *pte;

	spin_lock(&ps->upt_lock);
	pte = upt_lookup(&mm->upt, uva);
	if (pte && *pte)
		WRITE_ONCE(*pte, virt_to_phys(page) | flags | PTE_P | PTE_U);
	else if (upt_map(&mm->upt, uva, virt_to_phys(page), flags))
		pte = NULL;
	else
		pte = upt_lookup(&mm->upt, uva);
	spin_unlock(&ps->upt_lock);
	return pte;
}

static void pte_clear(struct pcache_space *s, u64 uva, void *pte)
{
	WRITE_ONCE(*(u64 *)pte, 0);
}

static void pte_protect(struct pcache_space *s, u64 uva, void *pte)
{
	WRITE_ONCE(*(u64 *)pte, *(u64 *)pte & ~PTE_W);
}

/* Only the CPUs that have this process's table loaded (its CPU mask). */
static void pte_tlb_flush(struct pcache_space *s, u64 start, u64 end)
{
	struct proc_mm *mm = s->priv;

	upt_flush_range(&mm->upt, start, end);
}

/* A fault on a P2M space goes to the pcache; on a local space it may be
 * past the end of a mapped file; others are not ours.  -ENXIO (past the
 * end of a mapped file) makes the signal SIGBUS. */
static int abi_user_pf(u64 addr, u64 error_code, struct pt_regs *regs)
{
	struct process *p = current_process();
	int err = -EFAULT;

	if (!p || !p->mm)
		return -EFAULT;
	if (p->mm->ops == &p2m_mm_ops && p->mm->priv)
		err = pcache_fault(space_of(p->mm), ALIGN_DOWN(addr, PAGE_SIZE),
				   error_code & 2);
	else if (p->mm->ops == &localmm_ops)
		err = localmm_fault(p->mm, addr);
	current_thread()->pf_sigbus = err == -ENXIO;
	return err;
}

int abi_p2m_init(void)
{
	static struct pcache_ops ops;
	int err;

	trap_set_user_pf_handler(abi_user_pf);
	if (!abi_use_p2m)
		return 0;
	p2m_pcache_ops(&ops);
	ops.install_pte = pte_install;
	ops.clear_pte = pte_clear;
	ops.protect_pte = pte_protect;
	ops.tlb_flush = pte_tlb_flush;
	err = pcache_init(0, 0, &ops);
	if (err)
		return err;
	if (p2m_mem_node() >= 0)
		pr_info("abi: programs run on memory node %d (P2M + pcache)\n",
			p2m_mem_node());
	else
		pr_info("abi: programs will run on the first memory node "
			"discovered (P2M + pcache)\n");
	return 0;
}

int p2m_space_attach(struct proc_mm *mm, u32 tgid)
{
	struct p2m_space *ps = kzalloc(sizeof(*ps));
	struct pcache_space *s = ps ? &ps->s : NULL;

	if (!ps)
		return -ENOMEM;
	spin_lock_init(&ps->upt_lock, "p2m_upt");
	mutex_init(&ps->vm_lock, "p2m_vm");
	s->pc = pcache_get();
	s->id = tgid;
	s->home_node = p2m_mem_node();
	s->priv = mm;
	mm->space_id = tgid;
	mm->mem_node = s->home_node;
	mm->priv = s;
	return 0;
}

/* Apply one of the memory node's changes to the pcache (MOVE: see
 * apply_mremap). */
static void apply_one(struct proc_mm *mm, const struct p2m_change *c)
{
	if (c->kind == P2M_CHANGE_UNMAP)
		pcache_unmap_range(space_of(mm), c->start, c->end, true);
	else if (c->kind == P2M_CHANGE_PROTECT)
		pcache_protect_range(space_of(mm), c->start, c->end, c->prot);
}

static void apply(struct proc_mm *mm, const struct p2m_changes *ch)
{
	for (unsigned int i = 0; i < ch->nr && i < P2M_CHANGES_MAX; i++)
		apply_one(mm, &ch->c[i]);
}

static int pm_fork(struct proc_mm *parent, struct proc_mm *child)
{
	struct p2m_changes *ch = kzalloc(sizeof(*ch));
	int err = ch ? p2m_space_attach(child, child->space_id) : -ENOMEM;

	if (err) {
		kfree(ch);
		return err;
	}
	mutex_lock(vm_lock_of(parent));
	pspace_of(child)->shared_files = pspace_of(parent)->shared_files;
	err = pcache_fork(space_of(parent), space_of(child));
	if (!err)
		err = p2m_fork(parent->space_id, child->space_id, ch);
	if (!err)
		apply(parent, ch);
	mutex_unlock(vm_lock_of(parent));
	kfree(ch);
	return err;
}

static void pm_release(struct proc_mm *mm)
{
	struct pcache_space *s = space_of(mm);

	if (!s)
		return;
	/* A detached space's id names the new image: its lines were
	 * written back before the exec (p2m_mm_exec_prepare). */
	pcache_unmap_range(s, 0, ~0ull,
			   !pspace_of(mm)->shared_files || mm->detached);
	if (!mm->detached)
		p2m_exit(mm->space_id);
	kfree(container_of(s, struct p2m_space, s));
	mm->priv = NULL;
}

static long pm_brk(struct proc_mm *mm, u64 addr)
{
	struct p2m_changes *ch = kzalloc(sizeof(*ch));
	u64 out = 0;
	int err = -ENOMEM;

	if (ch) {
		mutex_lock(vm_lock_of(mm));
		err = p2m_brk(mm->space_id, addr, &out, ch);
		if (!err)
			apply(mm, ch);
		mutex_unlock(vm_lock_of(mm));
	}
	kfree(ch);
	return err ? err : (long)out;
}

/* Before a call that unmaps [addr, end): with shared file mappings in
 * the space, the range's dirty lines go back first (they may be a
 * shared mapping's writes, which the memory node then writes to the
 * file); otherwise they are dropped with the range.  vm_lock held. */
static void unmap_prepare(struct proc_mm *mm, u64 addr, u64 end)
{
	if (pspace_of(mm)->shared_files)
		pcache_unmap_range(space_of(mm), addr, end, false);
}

static long pm_mmap(struct proc_mm *mm, u64 addr, u64 len, u32 prot,
		    u32 flags, const struct mm_file_map *fm, u64 off)
{
	struct p2m_changes *ch = kzalloc(sizeof(*ch));
	u64 out = 0;
	int err = -ENOMEM;

	if (ch) {
		mutex_lock(vm_lock_of(mm));
		if (flags & MAP_FIXED)
			unmap_prepare(mm, addr, addr + ALIGN_UP(len, PAGE_SIZE));
		if (fm)
			err = p2m_mmap_file(mm->space_id, addr, len, prot,
					    flags, fm->storage_node,
					    fm->maywrite ? 0 :
					    P2M_MMAP_FILE_RDONLY, &fm->h, off,
					    &out, ch);
		else
			err = p2m_mmap(mm->space_id, addr, len, prot, flags, 0,
				       off, &out, ch);
		if (!err)
			apply(mm, ch);
		if (!err && fm && (flags & MAP_TYPE) != MAP_PRIVATE)
			pspace_of(mm)->shared_files = true;
		mutex_unlock(vm_lock_of(mm));
	}
	kfree(ch);
	return err ? err : (long)out;
}

static long pm_munmap(struct proc_mm *mm, u64 addr, u64 len)
{
	struct p2m_changes *ch = kzalloc(sizeof(*ch));
	u64 end = addr + ALIGN_UP(len, PAGE_SIZE);
	int err = -ENOMEM;

	if (ch) {
		mutex_lock(vm_lock_of(mm));
		unmap_prepare(mm, addr, end);
		err = p2m_munmap(mm->space_id, addr, len, ch);
		if (!err) {
			apply(mm, ch);
			pcache_unmap_range(space_of(mm), addr, end, true);
		}
		mutex_unlock(vm_lock_of(mm));
	}
	kfree(ch);
	return err;
}

/* The range's dirty lines go back (and its lines are dropped, so later
 * reads see what other sharers wrote back), then the memory node writes
 * the shared file pages to their files. */
static long pm_msync(struct proc_mm *mm, u64 addr, u64 len, u32 flags)
{
	u64 end = addr + ALIGN_UP(len, PAGE_SIZE);
	int err;

	if (end < addr)
		return -ENOMEM;
	mutex_lock(vm_lock_of(mm));
	err = pcache_unmap_range(space_of(mm), addr, end, false);
	if (!err)
		err = p2m_msync(mm->space_id, addr, len, flags);
	mutex_unlock(vm_lock_of(mm));
	return err;
}

static long pm_mprotect(struct proc_mm *mm, u64 addr, u64 len, u32 prot)
{
	struct p2m_changes *ch = kzalloc(sizeof(*ch));
	int err = -ENOMEM;

	if (ch) {
		mutex_lock(vm_lock_of(mm));
		err = p2m_mprotect(mm->space_id, addr, len, prot, ch);
		if (!err)
			apply(mm, ch);
		mutex_unlock(vm_lock_of(mm));
	}
	kfree(ch);
	return err;
}

/* Apply an mremap's changes: a MOVE record moves the lines with their
 * PTEs (pcache_move_range, after the node moved the pages), or, when the
 * old range was emptied beforehand (@move_lines false), drops what a
 * racing fault refetched there. */
static void apply_mremap(struct proc_mm *mm, const struct p2m_changes *ch,
			 bool move_lines)
{
	for (unsigned int i = 0; i < ch->nr && i < P2M_CHANGES_MAX; i++) {
		const struct p2m_change *c = &ch->c[i];
		int err = -EINVAL;

		if (c->kind != P2M_CHANGE_MOVE) {
			apply_one(mm, c);
			continue;
		}
		if (move_lines)
			err = pcache_move_range(space_of(mm), c->start, c->to,
						c->end - c->start);
		if (err) {
			pcache_unmap_range(space_of(mm), c->start, c->end, true);
			pcache_unmap_range(space_of(mm), c->to,
					   c->to + (c->end - c->start), true);
		}
	}
}

/* mremap keeps the range's lines (LESSONS 4): before the memory node
 * moves the pages, the kept part is frozen (faults there wait, as under
 * Linux's mmap_lock) and its dirty lines are written back in place (the
 * node moves current data, and nothing can dirty the range or write it
 * back to an address the node has just unmapped); after it, the MOVE
 * record moves the lines, their rmaps and PTEs to the new address and
 * thaws the range.  With
 * MREMAP_DONTUNMAP the old range stays mapped, empty, so a racing fault
 * could refill it with a fresh page that must not move: that case writes
 * back and drops the lines first, as munmap does.  With shared file
 * mappings, the ranges the call unmaps (a shrink's tail, what
 * MREMAP_FIXED replaces) have their dirty lines written back first. */
static long pm_mremap(struct proc_mm *mm, u64 addr, u64 old_len,
		      u64 new_len, u32 flags, u64 new_addr)
{
	struct p2m_changes *ch = kzalloc(sizeof(*ch));
	u64 old_end = addr + ALIGN_UP(old_len, PAGE_SIZE), out = 0;
	u64 keep_end = addr + ALIGN_UP(MIN(old_len, new_len), PAGE_SIZE);
	bool move_lines = !(flags & MREMAP_DONTUNMAP);
	int err = 0;

	if (old_end < addr || keep_end < addr)
		err = -EINVAL;
	else if (!ch)
		err = -ENOMEM;
	if (err) {
		kfree(ch);
		return err;
	}
	mutex_lock(vm_lock_of(mm));
	if (pspace_of(mm)->shared_files) {
		unmap_prepare(mm, keep_end, old_end);
		if ((flags & MREMAP_FIXED) && new_addr + new_len >= new_addr)
			unmap_prepare(mm, ALIGN_DOWN(new_addr, PAGE_SIZE),
				      ALIGN_UP(new_addr + new_len, PAGE_SIZE));
	}
	if (flags & MREMAP_MAYMOVE)
		err = move_lines ? pcache_move_prepare(space_of(mm), addr,
						       keep_end - addr)
				 : pcache_unmap_range(space_of(mm), addr,
						      keep_end, false);
	if (!err)
		err = p2m_mremap(mm->space_id, addr, old_len, new_len, flags,
				 new_addr, &out, ch);
	if (!err)
		apply_mremap(mm, ch, move_lines);
	pcache_move_cancel(space_of(mm));	/* no move: thaw */
	mutex_unlock(vm_lock_of(mm));
	kfree(ch);
	return err ? err : (long)out;
}

const struct mm_ops p2m_mm_ops = {
	.name = "p2m",
	.fork = pm_fork,
	.release = pm_release,
	.brk = pm_brk,
	.mmap = pm_mmap,
	.munmap = pm_munmap,
	.mprotect = pm_mprotect,
	.mremap = pm_mremap,
	.msync = pm_msync,
};

int p2m_mm_walk_vmas(struct proc_mm *mm,
		     void (*fn)(void *arg, const struct p2m_vma *v),
		     void *arg)
{
	struct p2m_vma *v;
	bool more = true;
	u64 from = 0;
	int n = 0;

	if (mm->ops != &p2m_mm_ops)
		return -EINVAL;
	v = kmalloc(P2M_MAPS_MAX * sizeof(*v));
	if (!v)
		return -ENOMEM;
	while (more) {
		n = p2m_maps(mm->space_id, from, v, P2M_MAPS_MAX, &more);
		if (n <= 0)
			break;
		for (int i = 0; i < n; i++)
			fn(arg, &v[i]);
		from = v[n - 1].end;
	}
	kfree(v);
	return n < 0 ? n : 0;
}

void p2m_mm_exec_prepare(struct proc_mm *mm)
{
	if (mm->ops != &p2m_mm_ops || !mm->priv)
		return;
	mutex_lock(vm_lock_of(mm));
	unmap_prepare(mm, 0, ~0ull);
	mutex_unlock(vm_lock_of(mm));
}

/* Load @path on the memory node as @p's new image (@p->mm is a fresh
 * P2M space with the process's tgid). */
int p2m_exec_image(struct process *p, const char *path,
		   const char *const *argv, const char *const *envp,
		   struct exec_image *img)
{
	u64 brk;
	int err = p2m_space_attach(p->mm, p->tgid);

	if (!err)
		err = p2m_execve(p->tgid, path, argv, envp, &img->entry,
				 &img->sp, &brk);
	if (!err)
		strscpy(p->exe, path, sizeof(p->exe));
	return err;
}
