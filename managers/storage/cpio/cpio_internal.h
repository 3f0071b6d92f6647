/* managers/storage/cpio/cpio_internal.h — shared by cpio.c (parsing,
 * reading) and tree.c (the tree, lookup and path walks). */
#ifndef STORAGE_CPIO_INTERNAL_H
#define STORAGE_CPIO_INTERNAL_H

#include <storage/cpio.h>

/* One parsed, checked header. */
struct cpio_hdr {
	u32 ino, mode, uid, gid, nlink, mtime, rdev_major, rdev_minor;
	u64 size;
	const char *name;		/* NUL-terminated, inside the archive */
	u32 namesize;
	const u8 *data;
	size_t next;			/* offset of the next header */
};

struct cpio_node {
	const char *name;		/* inside the archive, not terminated */
	u32 name_len;
	u32 mode, uid, gid, nlink, mtime, rdev_major, rdev_minor, arch_ino;
	u64 size;
	const u8 *data;
	u32 parent, first_child, last_child, next_sibling, subdirs;
	bool has_hdr;			/* false: implied by a longer path */
};

struct cpio_archive {
	struct cpio_node *nodes;	/* [0] unused, [CPIO_ROOT] is "/" */
	u32 nr, cap;
};

int cpio_tree_init(struct cpio_archive *a);
int cpio_tree_add(struct cpio_archive *a, const struct cpio_hdr *h);
struct cpio_node *cpio_node(struct cpio_archive *a, u32 ino);
bool cpio_is_dir(const struct cpio_node *n);

#endif
