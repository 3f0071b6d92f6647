/* kernel/role.c — run the ROLE_INIT entries of this node's roles.
 * See include/kernel/role.h. */
#include <kernel/node.h>
#include <kernel/printk.h>
#include <kernel/role.h>

extern const struct role_init __role_init_start[], __role_init_end[];

void roles_start(void)
{
	char buf[40];

	printk("node %u of %u: roles %s\n", node_self(), node_count(),
	       node_roles_str(node_roles(), buf, sizeof(buf)));
	for (const struct role_init *r = __role_init_start;
	     r < __role_init_end; r++) {
		int err;

		if (!(r->roles & node_roles()))
			continue;
		err = r->fn();
		if (err)
			pr_err("role: %s failed to start: %d\n", r->name, err);
	}
}
