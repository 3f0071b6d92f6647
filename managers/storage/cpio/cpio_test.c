/* managers/storage/cpio/cpio_test.c — in-kernel selftest of the boot
 * archive reader: an archive built here (a file under directories named
 * only by its path, an explicit directory, a symlink, the trailer) is
 * opened, walked through the symlink, read and listed; a damaged header is
 * refused.  The host test (tests/host/test_cpio.c) covers GNU cpio output
 * and fuzzing. */
#include <storage/cpio.h>
#include <kernel/selftest.h>
#include <lib/printf.h>
#include <lib/string.h>
#include <mm/mm.h>
#include <uapi/errno.h>

/* Append one newc entry at *off; returns the new offset. */
static size_t cpio_st_put(char *b, size_t off, const char *name, u32 mode,
			  const char *data)
{
	u32 nsz = strlen(name) + 1, dsz = strlen(data);

	snprintf(b + off, 111, "070701%08X%08X%08X%08X%08X%08X%08X%08X%08X"
		 "%08X%08X%08X%08X", 1, mode, 0, 0, 1, 0, dsz, 0, 0, 0, 0, nsz,
		 0);
	memcpy(b + off + 110, name, nsz);
	off = ALIGN_UP(off + 110 + nsz, 4);
	memcpy(b + off, data, dsz);
	return ALIGN_UP(off + dsz, 4);
}

SELFTEST(storage_cpio_archive)
{
	char *b = kzalloc(2048), buf[16];
	struct cpio_archive *a;
	struct cpio_dirent ent;
	struct cpio_stat st;
	u64 cookie = 0;
	size_t len = 0;
	u32 ino, n = 0;

	ST_ASSERT(b);
	len = cpio_st_put(b, len, "./etc/conf/hello", 0100644, "hello");
	len = cpio_st_put(b, len, "bin", 040755, "");
	len = cpio_st_put(b, len, "conf", 0120777, "etc/conf");
	len = cpio_st_put(b, len, "TRAILER!!!", 0, "");
	ST_EQ(cpio_open(b, len, &a), 0);
	ST_EQ(cpio_walk(a, CPIO_ROOT, "/conf/hello", true, &ino), 0);
	ST_EQ(cpio_read(a, ino, 1, buf, sizeof(buf)), 4);
	ST_ASSERT(!memcmp(buf, "ello", 4));
	ST_EQ(cpio_walk(a, CPIO_ROOT, "etc", true, &ino), 0);
	ST_EQ(cpio_stat(a, ino, &st), 0);
	ST_EQ(st.mode, 040755);
	ST_EQ(cpio_walk(a, CPIO_ROOT, "conf/hello/x", true, &ino), -ENOTDIR);
	while (cpio_readdir(a, CPIO_ROOT, &cookie, &ent) == 1)
		n++;
	ST_EQ(n, 5);			/* . .. etc bin conf */
	cpio_close(a);
	b[1] = 'x';
	ST_EQ(cpio_open(b, len, &a), -EINVAL);
	kfree(b);
	return 0;
}
