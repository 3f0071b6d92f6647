/* include/storage/cpio.h — read-only cpio "newc" archives in memory: the
 * boot-archive backend of the storage manager.  Design:
 * managers/storage/cpio/cpio.c.
 *
 * cpio_open() parses and checks the whole archive once and builds a tree
 * (directories named only by the paths of their contents exist too).  The
 * archive memory must stay valid and unchanged until cpio_close(); file
 * data is served from it in place.  After open the archive is immutable,
 * so concurrent readers need no lock.  Objects are named by inode number
 * (CPIO_ROOT is "/").  Errors are negative Linux errnos: -EINVAL for a
 * malformed archive, -ENOENT, -ENOTDIR, -EISDIR, -ELOOP, -ENAMETOOLONG.
 */
#ifndef STORAGE_CPIO_H
#define STORAGE_CPIO_H

#include <tessera/compiler.h>

#define CPIO_ROOT	1
#define CPIO_SYMLOOP_MAX 40
#define CPIO_PATH_MAX	4096

struct cpio_archive;

struct cpio_stat {
	u32 ino;
	u32 mode;			/* S_IF* | permission bits */
	u32 nlink;
	u32 uid, gid;
	u64 size;
	u32 mtime;
	u32 rdev_major, rdev_minor;
};

struct cpio_dirent {
	u32 ino;
	u8 type;			/* Linux d_type values (DT_*) */
	char name[256];
};

int cpio_open(const void *data, size_t len, struct cpio_archive **out);
void cpio_close(struct cpio_archive *a);
int cpio_lookup(struct cpio_archive *a, u32 dir, const char *name, u32 *ino);
int cpio_walk(struct cpio_archive *a, u32 cwd, const char *path, bool follow,
	      u32 *ino);
int cpio_stat(struct cpio_archive *a, u32 ino, struct cpio_stat *st);
ssize_t cpio_read(struct cpio_archive *a, u32 ino, u64 off, void *buf,
		  size_t len);
ssize_t cpio_readlink(struct cpio_archive *a, u32 ino, char *buf, size_t len);
/* *cookie starts at 0; returns 1 with @ent filled, 0 at the end. */
int cpio_readdir(struct cpio_archive *a, u32 dir, u64 *cookie,
		 struct cpio_dirent *ent);

#endif
