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
 * followed by upt_flush_range() before the operation returns (LESSONS 3).
 *
 * The CPU mask (@cpus): the CPUs that have the table loaded in CR3, or are
 * about to.  A CPU sets its bit before it writes CR3 with the table, and
 * clears it after it wrote CR3 with another one (arch/x86/mm/upt.c,
 * upt_activate): without PCIDs a CR3 write drops every non-global entry,
 * and user PTEs are never global, so a CPU outside the mask holds no entry
 * of the table.  upt_flush_range() is called after the PTE change and reads
 * the mask after a full barrier; a CPU that sets its bit after that read
 * loads CR3 after the PTE change (its bit set is a locked instruction) and
 * walks the new entry.  A table is destroyed only when no CPU has it
 * loaded (its mask is empty).
 */
#ifndef ASM_UPT_H
#define ASM_UPT_H

#include <kernel/cpumask.h>
#include <tessera/types.h>

struct upt {
	u64 *pml4;		/* direct-map address */
	phys_addr_t pml4_phys;
	unsigned long nr_tables;	/* page-table pages below the PML4 */
	struct cpumask cpus;	/* CPUs that may hold its TLB entries */
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
/* Load @u on this CPU (NULL: the kernel's own tables), keeping the CPU
 * masks true.  upt_switch may be called with interrupts on (it turns them
 * off); upt_activate is the context switch's, interrupts off. */
void upt_switch(struct upt *u);
void upt_activate(struct upt *u);
/* Shoot down [start, end) of @u on the CPUs of its mask, after the PTE
 * change; returns when none of them can use an old entry. */
void upt_flush_range(struct upt *u, u64 start, u64 end);
/* The table loaded on this CPU (NULL: the kernel's). */
struct upt *upt_current(void);

#endif
