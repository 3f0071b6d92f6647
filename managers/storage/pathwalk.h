/* managers/storage/pathwalk.h — the path walk shared by the ext2 and the
 * boot-archive backends (pathwalk.c).  Internal to managers/storage. */
#ifndef STORAGE_PATHWALK_H
#define STORAGE_PATHWALK_H

#include <tessera/types.h>

#define PATH_WALK_NAME_MAX	255	/* bytes in one component */
#define PATH_WALK_PATH_MAX	4096	/* bytes in a path, NUL included */
#define PATH_WALK_SYMLOOP_MAX	40	/* symlink expansions per walk */

enum path_walk_kind { PATH_WALK_DIR, PATH_WALK_LNK, PATH_WALK_OTHER };

struct path_walk_ops {
	/* Look @name (one component, "." and ".." included) up in
	 * directory @dir: 0 with *ino and *kind, or a negative errno. */
	int (*lookup)(void *fs, u32 dir, const char *name, u32 *ino,
		      enum path_walk_kind *kind);
	/* Up to @len bytes of symlink @ino's target: its length, or a
	 * negative errno. */
	ssize_t (*readlink)(void *fs, u32 ino, char *buf, size_t len);
};

int path_walk(const struct path_walk_ops *ops, void *fs, u32 root, u32 cwd,
	      const char *path, bool follow, u32 *ino);

#endif
