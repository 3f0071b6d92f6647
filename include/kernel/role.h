/* include/kernel/role.h — starting the managers a node's roles ask for,
 * and the hooks that run before the machine is switched off
 * (kernel/role.c).
 *
 * A manager registers its start function with ROLE_INIT(name, roles, fn):
 * an entry in the "role_inits" linker section (the linker provides
 * __start_role_inits/__stop_role_inits for it), so kernel code never
 * names a manager and never #ifdefs on a role.  start_kernel calls
 * role_init_all() once, after fit_init() and before the selftests: every
 * entry whose @roles mask meets node_roles() runs, in link order, in one
 * kernel thread ("roles").  A start function may sleep; it returns 0 or a negative
 * errno, which is reported ("role: NAME failed: E") and does not stop the
 * boot — the node keeps running without that manager.
 */
#ifndef KERNEL_ROLE_H
#define KERNEL_ROLE_H

#include <tessera/compiler.h>

struct role_init {
	const char *name;
	unsigned int roles;		/* ROLE_* mask (kernel/node.h) */
	int (*fn)(void);
};

#define ROLE_INIT(id, mask, func)                                           \
	static const struct role_init __role_init_##id __used               \
		__section("role_inits") __aligned(8) = { #id, mask, func }

/* Boot, once, after fit_init(): start the thread that runs the start
 * function of every manager whose role this node has.  Does not sleep. */
void role_init_all(void);
/* Wait until every start function has returned (true) or @timeout_ns
 * passed (false).  May sleep. */
bool role_wait_started(u64 timeout_ns);

#endif
