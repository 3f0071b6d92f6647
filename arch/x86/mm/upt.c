/* arch/x86/mm/upt.c — user page tables of a processor node.
 *
 * Four-level x86-64 tables, 4 KiB leaves only.  Intermediate tables are
 * created on demand with PTE_P|PTE_W|PTE_U (the leaf decides the real
 * rights) and freed only when the whole table is destroyed.  The kernel
 * half (PML4 entries 256..511) is copied at creation; paging_init fixes
 * those entries for the life of the system, so copies never go stale.
 * See asm/upt.h for the locking contract.
 */
#include <asm/layout.h>
#include <asm/paging.h>
#include <asm/uaccess.h>
#include <asm/upt.h>
#include <asm/x86.h>
#include <lib/string.h>
#include <mm/mm.h>
#include <uapi/errno.h>

#define TABLE_FLAGS (PTE_P | PTE_W | PTE_U)

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

void upt_switch(struct upt *u)
{
	write_cr3(u ? u->pml4_phys : kernel_pml4_phys());
}
