/* arch/x86/mm/upt.c — user page tables of a processor node.
 *
 * Four-level x86-64 tables, 4 KiB leaves only.  Intermediate tables are
 * created on demand with PTE_P|PTE_W|PTE_U (the leaf decides the real
 * rights) and freed only when the whole table is destroyed.  The kernel
 * half (PML4 entries 256..511) is copied at creation; paging_init fixes
 * those entries for the life of the system, so copies never go stale.
 * See asm/upt.h for the locking contract and the CPU mask.
 *
 * Each CPU remembers the table it has loaded (loaded_upt, NULL for the
 * kernel's), changed only by that CPU with interrupts off in
 * upt_activate(): set the new table's bit, write CR3, clear the old
 * table's bit.  Callers: the context switch (arch_thread_switch), exec and
 * exit (upt_switch), the user and P2M selftests.
 */
#include <asm/layout.h>
#include <asm/paging.h>
#include <asm/uaccess.h>
#include <asm/upt.h>
#include <asm/x86.h>
#include <kernel/panic.h>
#include <kernel/smp.h>
#include <lib/string.h>
#include <mm/mm.h>
#include <uapi/errno.h>

#define TABLE_FLAGS (PTE_P | PTE_W | PTE_U)

static DEFINE_PER_CPU(struct upt *, loaded_upt);

static unsigned int idx(u64 va, unsigned int level)
{
	return (va >> (12 + 9 * (level - 1))) & 511;
}

int upt_create(struct upt *u)
{
	const u64 *kpml4 = phys_to_virt(kernel_pml4_phys());

	u->pml4 = alloc_page_zeroed();
	if (!u->pml4)
		return -ENOMEM;
	memcpy(u->pml4 + 256, kpml4 + 256, 256 * sizeof(u64));
	u->pml4_phys = virt_to_phys(u->pml4);
	u->nr_tables = 0;
	memset(&u->cpus, 0, sizeof(u->cpus));
	return 0;
}

static void free_level(u64 *table, unsigned int level)
{
	for (int i = 0; i < 512; i++) {
		if (!(table[i] & PTE_P))
			continue;
		u64 *next = phys_to_virt(table[i] & PTE_ADDR_MASK);
		if (level > 2)
			free_level(next, level - 1);
		free_page(next);
	}
}

void upt_destroy(struct upt *u)
{
	if (!u->pml4)
		return;
	BUG_ON(cpumask_weight(&u->cpus) != 0);	/* still loaded somewhere */
	for (int i = 0; i < 256; i++) {
		if (!(u->pml4[i] & PTE_P))
			continue;
		u64 *pdpt = phys_to_virt(u->pml4[i] & PTE_ADDR_MASK);
		free_level(pdpt, 3);
		free_page(pdpt);
	}
	free_page(u->pml4);
	u->pml4 = NULL;
}

/* Walk to the leaf table for @va, creating tables if @create. */
static u64 *walk(struct upt *u, u64 va, bool create)
{
	u64 *table = u->pml4;

	for (unsigned int level = 4; level > 1; level--) {
		u64 *e = &table[idx(va, level)];

		if (!(*e & PTE_P)) {
			u64 *next;

			if (!create)
				return NULL;
			next = alloc_page_zeroed();
			if (!next)
				return NULL;
			u->nr_tables++;
			*e = virt_to_phys(next) | TABLE_FLAGS;
		}
		table = phys_to_virt(*e & PTE_ADDR_MASK);
	}
	return &table[idx(va, 1)];
}

static bool user_page(u64 va)
{
	return IS_ALIGNED(va, PAGE_SIZE) && va < USER_TOP;
}

int upt_map(struct upt *u, u64 va, phys_addr_t pa, u64 flags)
{
	u64 *pte;

	if (!user_page(va) || !IS_ALIGNED(pa, PAGE_SIZE))
		return -EINVAL;
	pte = walk(u, va, true);
	if (!pte)
		return -ENOMEM;
	if (*pte & PTE_P)
		return -EEXIST;
	*pte = pa | (flags & (PTE_W | PTE_NX | PTE_A | PTE_D)) | PTE_P | PTE_U;
	return 0;
}

u64 upt_unmap(struct upt *u, u64 va)
{
	u64 *pte = user_page(va) ? walk(u, va, false) : NULL;
	u64 old = 0;

	if (pte) {
		old = *pte;
		*pte = 0;
	}
	return old;
}

u64 *upt_lookup(struct upt *u, u64 va)
{
	return user_page(va & ~(u64)(PAGE_SIZE - 1))
		       ? walk(u, va & ~(u64)(PAGE_SIZE - 1), false) : NULL;
}

void upt_activate(struct upt *next)
{
	struct upt **slot = this_cpu_ptr(&loaded_upt);
	struct upt *prev = *slot;
	int cpu = smp_processor_id();
	phys_addr_t want = next ? next->pml4_phys : kernel_pml4_phys();

	if (prev == next && (read_cr3() & PTE_ADDR_MASK) == want)
		return;
	if (next && next != prev)
		cpumask_set_atomic(&next->cpus, cpu);	/* before CR3 */
	write_cr3(want);
	*slot = next;
	if (prev && prev != next)
		cpumask_clear_atomic(&prev->cpus, cpu);	/* after CR3 */
}

void upt_switch(struct upt *u)
{
	unsigned long f = local_irq_save();

	upt_activate(u);
	local_irq_restore(f);
}

struct upt *upt_current(void)
{
	unsigned long f = local_irq_save();
	struct upt *u = *this_cpu_ptr(&loaded_upt);

	local_irq_restore(f);
	return u;
}

void upt_flush_range(struct upt *u, u64 start, u64 end)
{
	struct cpumask cpus;

	/* The PTE stores before the mask read (pairs with the locked bit
	 * set before the CR3 write in upt_activate). */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	cpumask_snapshot(&cpus, &u->cpus);
	tlb_flush_cpus(&cpus, start, end);
}
