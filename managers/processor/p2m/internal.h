/* managers/processor/p2m/internal.h — shared by the P2M client files
 * (client.c: node choice, calls, pages, processes; client_vm.c: memory
 * system calls).  No locks: every call is independent; counters are
 * atomic.
 */
#ifndef MANAGERS_PROCESSOR_P2M_INTERNAL_H
#define MANAGERS_PROCESSOR_P2M_INTERNAL_H

#include <processor/p2m.h>

extern struct p2m_client_stats p2m_cstats;
static inline void p2m_ccount(u64 *c)
{
	__atomic_fetch_add(c, 1, __ATOMIC_RELAXED);
}

/* fit_call to the memory node with counting; returns the reply length or
 * a negative errno.  @slow: exec/fork/exit (longer timeout). */
int p2m_call(u16 op, const void *req, u32 len, void *rep, u32 max,
	     bool slow);
/* A struct p2m_vm_rep reply of @len bytes: *@addr (may be NULL) and the
 * change records into @ch (may be NULL only if there are none). */
int p2m_vm_reply(u16 op, const void *rep, int len, u64 *addr,
		 struct p2m_changes *ch);

#endif
