/* managers/storage/cpio/tree.c — the boot archive's directory tree:
 * building it from checked headers, lookup, and path walks.
 *
 * Nodes live in one array indexed by inode number; it grows by doubling
 * while the archive is opened, so code here refers to nodes by index
 * across any call that may add one.  Every directory's children form a
 * list in archive order.  A name component is at most 255 bytes; ".." in
 * an archive name is refused (-EINVAL), "." and empty components are
 * skipped.  A path component of a directory that names a non-directory
 * is -EINVAL at open.
 *
 * cpio_walk() is the storage manager's shared walker (../pathwalk.c, the
 * same as ext2_walk()) over cpio_lookup() and cpio_readlink().  Immutable
 * after open; no locks.
 */
#include <lib/string.h>
#include <mm/mm.h>
#include <uapi/errno.h>
#include "cpio_internal.h"
#include "../pathwalk.h"

#define CPIO_NAME_MAX	PATH_WALK_NAME_MAX
#define CPIO_S_IFDIR	0x4000
#define CPIO_S_IFLNK	0xa000

_Static_assert(CPIO_PATH_MAX == PATH_WALK_PATH_MAX &&
	       CPIO_SYMLOOP_MAX == PATH_WALK_SYMLOOP_MAX, "cpio and walk limits");

bool cpio_is_dir(const struct cpio_node *n)
{
	return (n->mode & 0xf000) == CPIO_S_IFDIR;
}

struct cpio_node *cpio_node(struct cpio_archive *a, u32 ino)
{
	return ino >= CPIO_ROOT && ino < a->nr ? &a->nodes[ino] : NULL;
}

static int cpio_new_node(struct cpio_archive *a, u32 *out)
{
	if (a->nr == a->cap) {
		u32 cap = a->cap ? 2 * a->cap : 64;
		struct cpio_node *n = kcalloc(cap, sizeof(*n));

		if (!n)
			return -ENOMEM;
		memcpy(n, a->nodes, a->nr * sizeof(*n));
		kfree(a->nodes);
		a->nodes = n;
		a->cap = cap;
	}
	memset(&a->nodes[a->nr], 0, sizeof(a->nodes[0]));
	*out = a->nr++;
	return 0;
}

int cpio_tree_init(struct cpio_archive *a)
{
	u32 zero, root;
	int err = cpio_new_node(a, &zero);

	if (!err)
		err = cpio_new_node(a, &root);
	if (err)
		return err;
	a->nodes[root].mode = CPIO_S_IFDIR | 0755;
	a->nodes[root].parent = root;
	a->nodes[root].name = "";
	return 0;
}

static u32 cpio_find(struct cpio_archive *a, u32 dir, const char *name,
		     u32 len)
{
	for (u32 i = a->nodes[dir].first_child; i; i = a->nodes[i].next_sibling)
		if (a->nodes[i].name_len == len &&
		    !memcmp(a->nodes[i].name, name, len))
			return i;
	return 0;
}

/* A new child of @dir named @name (an implied directory for now). */
static int cpio_add_child(struct cpio_archive *a, u32 dir, const char *name,
			  u32 len, u32 *out)
{
	u32 i;
	int err = cpio_new_node(a, &i);

	if (err)
		return err;
	a->nodes[i].name = name;
	a->nodes[i].name_len = len;
	a->nodes[i].mode = CPIO_S_IFDIR | 0755;
	a->nodes[i].parent = dir;
	if (a->nodes[dir].last_child)
		a->nodes[a->nodes[dir].last_child].next_sibling = i;
	else
		a->nodes[dir].first_child = i;
	a->nodes[dir].last_child = i;
	a->nodes[dir].subdirs++;
	*out = i;
	return 0;
}

/* Give node @i the header's metadata and data. */
static int cpio_set_node(struct cpio_archive *a, u32 i,
			 const struct cpio_hdr *h)
{
	struct cpio_node *n = &a->nodes[i];
	bool was_dir = cpio_is_dir(n), is_dir = (h->mode & 0xf000) == CPIO_S_IFDIR;

	if (was_dir && !is_dir && n->first_child)
		return -EINVAL;
	if (i == CPIO_ROOT && !is_dir)
		return -EINVAL;
	if (i != CPIO_ROOT && was_dir != is_dir) {
		if (is_dir)
			a->nodes[n->parent].subdirs++;
		else
			a->nodes[n->parent].subdirs--;
	}
	n->mode = h->mode;
	n->uid = h->uid;
	n->gid = h->gid;
	n->nlink = h->nlink;
	n->mtime = h->mtime;
	n->rdev_major = h->rdev_major;
	n->rdev_minor = h->rdev_minor;
	n->arch_ino = h->ino;
	n->size = h->size;
	n->data = h->data;
	n->has_hdr = true;
	return 0;
}

int cpio_tree_add(struct cpio_archive *a, const struct cpio_hdr *h)
{
	const char *p = h->name;
	u32 cur = CPIO_ROOT;
	int err;

	while (*p) {
		const char *e = strchr(p, '/') ? strchr(p, '/') : p + strlen(p);
		u32 len = e - p, next;

		if (len > CPIO_NAME_MAX || (len == 2 && !memcmp(p, "..", 2)))
			return -EINVAL;
		if (len && !(len == 1 && *p == '.')) {
			if (!cpio_is_dir(&a->nodes[cur]))
				return -EINVAL;
			next = cpio_find(a, cur, p, len);
			if (!next && (err = cpio_add_child(a, cur, p, len, &next)))
				return err;
			cur = next;
		}
		p = *e ? e + 1 : e;
	}
	return cpio_set_node(a, cur, h);
}

int cpio_lookup(struct cpio_archive *a, u32 dir, const char *name, u32 *ino)
{
	struct cpio_node *d = cpio_node(a, dir);
	size_t len = strnlen(name, CPIO_NAME_MAX + 1);

	if (!d)
		return -ENOENT;
	if (!cpio_is_dir(d))
		return -ENOTDIR;
	if (len > CPIO_NAME_MAX)
		return -ENAMETOOLONG;
	if (!len)
		return -ENOENT;
	if (!strcmp(name, ".") || !strcmp(name, "..")) {
		*ino = name[1] ? d->parent : dir;
		return 0;
	}
	*ino = cpio_find(a, dir, name, len);
	return *ino ? 0 : -ENOENT;
}

static int cpio_pw_lookup(void *p, u32 dir, const char *name, u32 *ino,
			  enum path_walk_kind *kind)
{
	struct cpio_archive *a = p;
	int err = cpio_lookup(a, dir, name, ino);

	if (!err)
		*kind = cpio_is_dir(&a->nodes[*ino]) ? PATH_WALK_DIR :
			(a->nodes[*ino].mode & 0xf000) == CPIO_S_IFLNK ?
			PATH_WALK_LNK : PATH_WALK_OTHER;
	return err;
}

static ssize_t cpio_pw_readlink(void *p, u32 ino, char *buf, size_t len)
{
	return cpio_readlink(p, ino, buf, len);
}

static const struct path_walk_ops cpio_pw_ops = {
	.lookup = cpio_pw_lookup,
	.readlink = cpio_pw_readlink,
};

int cpio_walk(struct cpio_archive *a, u32 cwd, const char *path, bool follow,
	      u32 *ino)
{
	if (!cpio_node(a, path[0] == '/' ? CPIO_ROOT : cwd))
		return -ENOENT;
	return path_walk(&cpio_pw_ops, a, CPIO_ROOT, cwd, path, follow, ino);
}
