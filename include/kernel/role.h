/* include/kernel/role.h — starting the managers of this node's roles
 * (kernel/role.c).
 *
 * A manager declares ROLE_INIT(name, ROLE_..., fn) next to its code; the
 * entry lands in the .role_init linker section (no central list).  After
 * FIT is up, start_kernel runs, in link order, every entry whose roles
 * intersect this node's (include/kernel/node.h).  An init that fails is
 * logged and the node goes on without that manager.  Arch, kernel and mm
 * code never test roles themselves (STYLE 7).
 *
 * Shutdown hooks (machine_add_shutdown_hook in include/kernel/machine.h)
 * let a manager write back state before the machine stops.
 */
#ifndef KERNEL_ROLE_H
#define KERNEL_ROLE_H

#include <tessera/compiler.h>

struct role_init {
	unsigned int roles;
	int (*fn)(void);
	const char *name;
};

#define ROLE_INIT(id, role_mask, init_fn)                                 \
	static const struct role_init __role_init_##id __used             \
		__section(".role_init") __aligned(8) = { role_mask, init_fn, #id }

/* Boot: run the inits of this node's roles; may sleep. */
void roles_start(void);

#endif
