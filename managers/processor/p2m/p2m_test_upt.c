/* managers/processor/p2m/p2m_test_upt.c — a P2M process seen through a
 * real user page table, for the selftests that drive the pcache's fault
 * path from kernel threads (p2m_uwalk_test.c, p2m_bench_test.c).
 *
 * struct p2m_uspace (p2m_test.h): a process created on the memory node
 * (EXECVE of the hello program, then an anonymous MMAP of npages), a
 * private pcache whose memory-node hooks are pcache_glue.c's (P2M over
 * FIT: RDMA on `p,m`, loopback on role=all) and whose page-table hooks
 * write a struct upt of its own (arch/x86/mm/upt.c), with
 * upt_flush_range() (IPIs to the CPUs that have the table loaded) as the
 * shootdown, as
 * process_p2m.c does for user programs.  A kernel thread enters the
 * space (p2m_uspace_enter): its thread_arch carries the upt, so CR3 holds
 * it whenever the thread runs and its loads and stores of the mapping go
 * through the MMU and the user PTEs.  An absent or read-only page raises
 * #PF; the hook installed with trap_set_user_pf_handler() sends faults of
 * threads inside the space to pcache_fault() and chains every other
 * fault to the handler it replaced.  An optional local region at
 * P2M_USPACE_LOCAL is the benchmarks' baseline: its faults map a zeroed
 * local page straight away, a plain local page fault with no pcache.
 *
 * User words are read and written with one 8-byte mov between stac and
 * clac (where the CPU has SMAP) with an exception-table fixup, as the
 * kernel's user copies do: a fault the pcache cannot resolve gives
 * -EFAULT, never an oops; one mov keeps a word atomic for the walkers
 * that read each other's words (the byte copies of copy_from_user would
 * tear).
 *
 * Locking: every page-table page is built at creation (the PTE hooks run
 * under a set lock and must not fail); upt_lock still serialises the
 * hooks' changes to the table, since faults in different sets run at
 * once.  Lock order: set lock -> upt_lock.  One space at a time (the hook finds it in
 * `active`); creation and destruction run on the test's own thread.
 */
#include <asm/irq.h>
#include <asm/layout.h>
#include <asm/paging.h>
#include <asm/thread.h>
#include <asm/uaccess.h>
#include <kernel/panic.h>
#include <kernel/printk.h>
#include <kernel/sched.h>
#include <kernel/smp.h>
#include <kernel/time.h>
#include <lib/string.h>
#include <mm/mm.h>
#include <uapi/errno.h>
#include <uapi/mman.h>
#include "p2m_test.h"

static struct p2m_uspace *active;
static user_pf_fn chained;

static void *hook_install(struct pcache_space *s, u64 uva, void *page,
			  bool writable)
{
	struct p2m_uspace *u = s->priv;
	u64 flags = writable ? PTE_W : 0, *pte;

	spin_lock(&u->upt_lock);
	pte = upt_lookup(&u->upt, uva);
	if (pte && *pte)
		WRITE_ONCE(*pte, virt_to_phys(page) | flags | PTE_P | PTE_U);
	else if (!upt_map(&u->upt, uva, virt_to_phys(page), flags))
		pte = upt_lookup(&u->upt, uva);
	else
		pte = NULL;
	spin_unlock(&u->upt_lock);
	BUG_ON(!pte);	/* build_tables() made every table */
	return pte;
}

static void hook_clear(struct pcache_space *s, u64 uva, void *pte)
{
	__atomic_store_n((u64 *)pte, 0, __ATOMIC_SEQ_CST);
}

static void hook_protect(struct pcache_space *s, u64 uva, void *pte)
{
	__atomic_fetch_and((u64 *)pte, ~PTE_W, __ATOMIC_SEQ_CST);
}

static void hook_tlb_flush(struct pcache_space *s, u64 start, u64 end)
{
	struct p2m_uspace *u = s->priv;

	u64 t0 = ktime_get_ns();

	upt_flush_range(&u->upt, start, end);
	__atomic_fetch_add(&u->tlb_flushes, 1, __ATOMIC_RELAXED);
	__atomic_fetch_add(&u->tlb_ns, ktime_get_ns() - t0, __ATOMIC_RELAXED);
}

/* The baseline fault: a zeroed local page mapped at once (no pcache). */
static int local_fault(struct p2m_uspace *u, u64 addr)
{
	void *page = alloc_page_zeroed();
	int err;

	if (!page)
		return -ENOMEM;
	spin_lock(&u->upt_lock);
	err = upt_map(&u->upt, ALIGN_DOWN(addr, PAGE_SIZE), virt_to_phys(page),
		      PTE_W);
	spin_unlock(&u->upt_lock);
	if (err)
		free_page(page);
	return err == -EEXIST ? 0 : err;
}

static bool in_local(struct p2m_uspace *u, u64 addr)
{
	return addr >= P2M_USPACE_LOCAL &&
	       addr < P2M_USPACE_LOCAL + u->lpages * PAGE_SIZE;
}

static int uspace_pf(u64 addr, u64 error_code, struct pt_regs *regs)
{
	struct p2m_uspace *u = __atomic_load_n(&active, __ATOMIC_ACQUIRE);
	struct task *t = current_task();
	u64 t0;
	int err;

	if (!u || !t || task_arch(t)->upt != &u->upt)
		return chained ? chained(addr, error_code, regs) : -EFAULT;
	if (in_local(u, addr))
		return local_fault(u, addr);
	if (addr < u->base || addr >= u->base + u->npages * PAGE_SIZE)
		return -EFAULT;
	t0 = ktime_get_ns();
	err = pcache_fault(&u->ps, ALIGN_DOWN(addr, PAGE_SIZE),
			   error_code & 2);
	__atomic_fetch_add(&u->faults, 1, __ATOMIC_RELAXED);
	__atomic_fetch_add(&u->fault_ns, ktime_get_ns() - t0,
			   __ATOMIC_RELAXED);
	return err;
}

static int make_process(struct p2m_uspace *u)
{
	struct p2m_changes *ch = kzalloc(sizeof(*ch));
	struct p2m_exec_out o;
	int err = ch ? p2m_test_exec(u->tgid, &o) : -ENOMEM;

	if (!err) {
		u->exec_done = true;
		err = p2m_mmap(u->tgid, 0, u->npages * PAGE_SIZE,
			       PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, 0, 0, &u->base, ch);
	}
	kfree(ch);
	return err;
}

/* Every page-table page the mapping needs, built now, so that the PTE
 * hooks (under a set lock) never allocate and cannot fail. */
static int build_tables(struct p2m_uspace *u, u64 start, u64 pages)
{
	u64 end = start + pages * PAGE_SIZE, pa = virt_to_phys(u->upt.pml4);

	for (u64 va = start; va < end; va = ALIGN_DOWN(va, 1ull << 21) +
					   (1ull << 21)) {
		int err = upt_map(&u->upt, va, pa, 0);

		if (err)
			return err;
		upt_unmap(&u->upt, va);
	}
	return 0;
}

int p2m_uspace_create(struct p2m_uspace *u, u32 tgid, int node, u64 npages,
		      const struct pcache_config *cfg)
{
	int err;

	memset(u, 0, sizeof(*u));
	if (READ_ONCE(active))
		return -EBUSY;
	u->tgid = tgid;
	u->npages = npages;
	spin_lock_init(&u->upt_lock, "p2m_test_upt");
	err = make_process(u);
	if (!err)
		err = upt_create(&u->upt);
	if (!err)
		err = build_tables(u, u->base, u->npages);
	if (err)
		return err;
	p2m_pcache_ops(&u->ops);
	u->ops.install_pte = hook_install;
	u->ops.clear_pte = hook_clear;
	u->ops.protect_pte = hook_protect;
	u->ops.tlb_flush = hook_tlb_flush;
	u->pc = pcache_create(cfg, &u->ops, &err);
	if (!u->pc)
		return err;
	u->ps = (struct pcache_space){ .pc = u->pc, .id = tgid,
					 .home_node = (u32)node, .priv = u };
	__atomic_store_n(&active, u, __ATOMIC_RELEASE);
	chained = trap_set_user_pf_handler(uspace_pf);
	u->hooked = true;
	return 0;
}

int p2m_uspace_destroy(struct p2m_uspace *u)
{
	int err = 0;

	if (u->hooked) {
		trap_set_user_pf_handler(chained);
		__atomic_store_n(&active, NULL, __ATOMIC_RELEASE);
	}
	if (u->pc) {
		pcache_unmap_range(&u->ps, 0, ~0ull, true);
		pcache_destroy(u->pc);
	}
	p2m_uspace_local_drop(u);
	upt_destroy(&u->upt);
	if (u->exec_done)
		err = p2m_exit(u->tgid);
	memset(u, 0, sizeof(*u));
	return err;
}

int p2m_uspace_local(struct p2m_uspace *u, u64 pages)
{
	int err = build_tables(u, P2M_USPACE_LOCAL, pages);

	if (!err)
		WRITE_ONCE(u->lpages, pages);
	return err;
}

/* No thread is inside the space (callers' rule), so no CPU has its
 * table loaded: leaving wrote CR3, which dropped its (non-global) TLB
 * entries, and no shootdown is needed before the pages are freed. */
void p2m_uspace_local_drop(struct p2m_uspace *u)
{
	for (u64 i = 0; i < u->lpages; i++) {
		u64 old;

		spin_lock(&u->upt_lock);
		old = upt_unmap(&u->upt, P2M_USPACE_LOCAL + i * PAGE_SIZE);
		spin_unlock(&u->upt_lock);
		if (old & PTE_P)
			free_page(phys_to_virt(old & PTE_ADDR_MASK));
	}
}

void p2m_uspace_enter(struct p2m_uspace *u)
{
	preempt_disable();
	task_arch(current_task())->upt = &u->upt;
	upt_switch(&u->upt);
	preempt_enable();
}

void p2m_uspace_leave(void)
{
	preempt_disable();
	task_arch(current_task())->upt = NULL;
	upt_switch(NULL);
	preempt_enable();
}

/* Aligned words only: one mov each (get/put_user_u64), so a reader
 * never sees another walker's store torn. */
int p2m_uget(u64 uva, u64 *out)
{
	return (uva & 7) ? -EFAULT : get_user_u64(out, (const void *)uva);
}

int p2m_uput(u64 uva, u64 v)
{
	return (uva & 7) ? -EFAULT : put_user_u64(v, (void *)uva);
}

int p2m_test_cpu(unsigned int i)
{
	int cpu, n = 0, want = (int)(i % (unsigned int)nr_cpus_online());

	for_each_online_cpu(cpu) {
		if (n++ == want)
			return cpu;
	}
	return 0;
}
