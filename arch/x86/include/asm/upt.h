/* arch/x86/include/asm/upt.h — user page tables of a processor node
 * (arch/x86/mm/upt.c).
 *
 * A processor node keeps no VMAs: a user page table holds only what the
 * pcache installed.  The upper half of every user PML4 is a copy of the
 * kernel's (whose upper entries are all fixed at boot), the lower half
 * belongs to the process.  Leaf entries map 4 KiB pages only.
 *
 * Locking: the caller serializes changes to one table (the pcache holds
 * the address space's lock); lookups of a table nobody changes need
 * none.  Changes do not flush TLBs: narrowing rights or unmapping must be
 * followed by tlb_flush_range() before the operation returns (LESSONS 3).
 */
#ifndef ASM_UPT_H
#define ASM_UPT_H

#include <tessera/types.h>

struct upt {
	u64 *pml4;		/* direct-map address */
	phys_addr_t pml4_phys;
	unsigned long nr_tables;	/* page-table pages below the PML4 */
};

int upt_create(struct upt *u);
/* Free every table page (not the pages they map). */
void upt_destroy(struct upt *u);
/* Map @va -> @pa with @flags (PTE_P|PTE_U are implied); returns 0,
 * -ENOMEM, -EINVAL (not a user page address) or -EEXIST. */
int upt_map(struct upt *u, u64 va, phys_addr_t pa, u64 flags);
/* Remove the mapping; returns the old entry (0 if none). */
u64 upt_unmap(struct upt *u, u64 va);
/* The leaf entry for @va, or NULL if no table covers it. */
u64 *upt_lookup(struct upt *u, u64 va);
/* Load @u on this CPU (NULL: the kernel's own tables). */
void upt_switch(struct upt *u);

#endif
