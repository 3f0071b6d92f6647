/* include/kernel/node.h — who this node is in the cluster (kernel/node.c).
 *
 * From the command line: node=ID (default 0), nodes=N (default 1) and
 * role=processor|memory|storage|all or a comma list (default all; short
 * forms p, m, s).  Set once during param_parse() at boot, read-only after.
 */
#ifndef KERNEL_NODE_H
#define KERNEL_NODE_H

#include <tessera/compiler.h>

#define ROLE_PROCESSOR	0x1u
#define ROLE_MEMORY	0x2u
#define ROLE_STORAGE	0x4u
#define ROLE_ALL	(ROLE_PROCESSOR | ROLE_MEMORY | ROLE_STORAGE)

unsigned int node_self(void);
unsigned int node_count(void);
unsigned int node_roles(void);
bool node_has_role(unsigned int role);
/* Write "processor,memory" etc. for @roles into @buf; returns @buf. */
const char *node_roles_str(unsigned int roles, char *buf, size_t len);
/* Parse a role list; returns 0 and the mask in *@roles, or -EINVAL. */
int node_parse_roles(const char *s, unsigned int *roles);

#endif
