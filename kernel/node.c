/* kernel/node.c — this node's identity: node id, cluster size, roles.
 *
 * Parameters node=, nodes= and role= are parsed once by param_parse() at
 * boot (single-threaded, before any other CPU runs) and never change
 * afterwards, so readers need no lock.  Consistency (node < nodes, nodes
 * within FIT's limit) is checked by FIT when it starts (net/fit/core.c),
 * which reports a bad command line and keeps the node to itself.
 */
#include <kernel/node.h>
#include <kernel/param.h>
#include <lib/printf.h>
#include <lib/string.h>
#include <uapi/errno.h>

static int node_id;
static int nr_nodes = 1;
static unsigned int roles = ROLE_ALL;

param_int("node", node_id, "this node's id (0..nodes-1)");
param_int("nodes", nr_nodes, "number of nodes in the cluster");

static const struct {
	const char *name, *short_name;
	unsigned int mask;
} role_names[] = {
	{ "processor", "p", ROLE_PROCESSOR },
	{ "memory", "m", ROLE_MEMORY },
	{ "storage", "s", ROLE_STORAGE },
	{ "all", "all", ROLE_ALL },
};

static int role_one(const char *s, size_t n, unsigned int *mask)
{
	for (size_t i = 0; i < ARRAY_SIZE(role_names); i++) {
		const char *a = role_names[i].name, *b = role_names[i].short_name;

		if ((strlen(a) == n && !strncmp(s, a, n)) ||
		    (strlen(b) == n && !strncmp(s, b, n))) {
			*mask |= role_names[i].mask;
			return 0;
		}
	}
	return -EINVAL;
}

int node_parse_roles(const char *s, unsigned int *out)
{
	unsigned int mask = 0;

	if (!s || !*s)
		return -EINVAL;
	while (*s) {
		const char *comma = strchr(s, ',');
		size_t n = comma ? (size_t)(comma - s) : strlen(s);

		if (!n || role_one(s, n, &mask))
			return -EINVAL;
		s += n + (comma ? 1 : 0);
		if (comma && !*s)
			return -EINVAL;
	}
	*out = mask;
	return 0;
}

static int role_param(const char *val)
{
	return node_parse_roles(val, &roles);
}
param_func("role", role_param, "processor|memory|storage|all or a comma list");

unsigned int node_self(void)
{
	return node_id < 0 ? 0 : (unsigned int)node_id;
}

unsigned int node_count(void)
{
	return nr_nodes < 1 ? 1 : (unsigned int)nr_nodes;
}

unsigned int node_roles(void)
{
	return roles;
}

bool node_has_role(unsigned int role)
{
	return (roles & role) == role;
}

const char *node_roles_str(unsigned int r, char *buf, size_t len)
{
	size_t used = 0;

	if (len)
		buf[0] = 0;
	for (size_t i = 0; i < 3; i++)
		if (r & role_names[i].mask)
			used += snprintf(buf + MIN(used, len), len - MIN(used, len),
					 "%s%s", used ? "," : "",
					 role_names[i].name);
	if (!used)
		snprintf(buf, len, "none");
	return buf;
}
