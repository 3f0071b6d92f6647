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

/* First-touch zero-fill (zerofill.c).  Fresh ranges: private anonymous
 * mappings the memory node has no page of, one "given out" bit per page. */
void p2m_fresh_add(u32 tgid, u64 start, u64 len, u32 prot);
/* Forget the ranges of @tgid overlapping [start, end) (whole ranges). */
void p2m_fresh_drop(u32 tgid, u64 start, u64 end);
/* ... and every range named by @ch's records (MOVE: both). */
void p2m_fresh_drop_changes(u32 tgid, const struct p2m_changes *ch);
/* Pages [uva, uva + nr pages) were asked for: never zero-fill them here. */
void p2m_fresh_given(u32 tgid, u64 uva, unsigned int nr);
/* first_touch: true if @uva's page is fresh and was not given out (it is
 * now, and its notice is queued); *@prot gets the range's PROT_*. */
bool p2m_fresh_take(u32 tgid, u64 uva, u32 *prot);
/* Wait until the notice of @uva's page (if queued) reached the memory
 * node: before any write-back of the page. */
void p2m_zf_wait_page(u32 tgid, u64 uva);
/* Wait for every queued notice of @tgid: before each memory call. */
void p2m_zf_fence(u32 tgid);

#endif
