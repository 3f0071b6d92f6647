/* managers/storage/cpio/cpio.c — the boot archive: a read-only cpio
 * "newc" archive held in memory.
 *
 * Format: a sequence of entries, each a 110-byte ASCII header ("070701" or
 * "070702" then 13 eight-digit hex fields: ino, mode, uid, gid, nlink,
 * mtime, filesize, devmajor, devminor, rdevmajor, rdevminor, namesize,
 * check), the NUL-terminated name padded to a multiple of 4 bytes (counted
 * from the header's start), then the data padded the same way.  The entry
 * named "TRAILER!!!" ends the archive; zero padding after it (or instead of
 * it, at the very end) is accepted.
 *
 * cpio_open() checks every header before anything is built: magic, hex
 * digits, name terminated and inside the buffer, data inside the buffer,
 * no ".." component.  Any violation fails the whole open with -EINVAL, so
 * the rest of the code works on a well-formed tree.  Names are normalised
 * ("./a//b/" is "a/b"; "." is the root).  Directories named only as
 * prefixes of other names are created (mode 040755); a later entry for
 * the same path replaces the earlier one's metadata and data, as the
 * kernel's initramfs unpacking does.  Hard links (several entries with one
 * ino, data carried by one of them) share that data.
 *
 * The tree is an array of nodes indexed by inode number; children form a
 * singly linked list in archive order (lookup is linear per directory,
 * which suits a boot archive).  Readdir cookies: 0 is ".", 1 is "..",
 * 2 + k is the k-th child.  Immutable after open: no locks needed.
 */
#include <storage/cpio.h>
#include <lib/string.h>
#include <mm/mm.h>
#include <uapi/errno.h>
#include "cpio_internal.h"

#define CPIO_HDR	110

static int cpio_hex(const char *s, u32 *out)
{
	u32 v = 0;

	for (int i = 0; i < 8; i++) {
		char c = s[i];

		if (c >= '0' && c <= '9')
			v = v << 4 | (u32)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v = v << 4 | (u32)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v = v << 4 | (u32)(c - 'A' + 10);
		else
			return -EINVAL;
	}
	*out = v;
	return 0;
}

/* Parse the header at @off into @h; -EINVAL if anything is off. */
static int cpio_parse_hdr(const u8 *p, size_t len, size_t off,
			  struct cpio_hdr *h)
{
	u32 f[13];
	size_t name_end, data_end;

	if (len - off < CPIO_HDR ||
	    (memcmp(p + off, "070701", 6) && memcmp(p + off, "070702", 6)))
		return -EINVAL;
	for (int i = 0; i < 13; i++)
		if (cpio_hex((const char *)p + off + 6 + 8 * i, &f[i]) < 0)
			return -EINVAL;
	h->ino = f[0];
	h->mode = f[1];
	h->uid = f[2];
	h->gid = f[3];
	h->nlink = f[4];
	h->mtime = f[5];
	h->size = f[6];
	h->rdev_major = f[9];
	h->rdev_minor = f[10];
	if (f[11] < 1 || f[11] > CPIO_PATH_MAX || f[11] > len - off - CPIO_HDR)
		return -EINVAL;
	h->name = (const char *)p + off + CPIO_HDR;
	h->namesize = f[11];
	if (h->name[h->namesize - 1] || strnlen(h->name, h->namesize) !=
					  h->namesize - 1)
		return -EINVAL;
	name_end = ALIGN_UP(off + CPIO_HDR + h->namesize, 4);
	if (name_end > len || h->size > len - name_end)
		return -EINVAL;
	h->data = p + name_end;
	data_end = name_end + h->size;
	h->next = ALIGN_UP(data_end, 4);
	if (h->next > len)
		h->next = len;
	return 0;
}

static bool cpio_all_zero(const u8 *p, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (p[i])
			return false;
	return true;
}

/* Hard links: nodes with one archive ino and no data borrow the data of
 * the node that carries it. */
static void cpio_share_links(struct cpio_archive *a)
{
	for (u32 i = 1; i < a->nr; i++) {
		struct cpio_node *n = &a->nodes[i];

		if (!n->has_hdr || n->nlink < 2 || n->size ||
		    (n->mode & 0xf000) != 0x8000)
			continue;
		for (u32 j = 1; j < a->nr; j++) {
			struct cpio_node *m = &a->nodes[j];

			if (m->has_hdr && m->size && m->arch_ino == n->arch_ino &&
			    (m->mode & 0xf000) == 0x8000) {
				n->data = m->data;
				n->size = m->size;
				break;
			}
		}
	}
}

int cpio_open(const void *data, size_t len, struct cpio_archive **out)
{
	const u8 *p = data;
	struct cpio_archive *a;
	struct cpio_hdr h;
	size_t off = 0;
	int err = 0;

	a = kzalloc(sizeof(*a));
	if (!a)
		return -ENOMEM;
	err = cpio_tree_init(a);
	while (!err && off < len) {
		if (cpio_all_zero(p + off, len - off))
			break;
		err = cpio_parse_hdr(p, len, off, &h);
		if (err)
			break;
		if (!strcmp(h.name, "TRAILER!!!"))
			break;
		err = cpio_tree_add(a, &h);
		off = h.next;
	}
	if (err) {
		cpio_close(a);
		return err;
	}
	cpio_share_links(a);
	*out = a;
	return 0;
}

void cpio_close(struct cpio_archive *a)
{
	if (!a)
		return;
	kfree(a->nodes);
	kfree(a);
}

int cpio_stat(struct cpio_archive *a, u32 ino, struct cpio_stat *st)
{
	struct cpio_node *n = cpio_node(a, ino);

	if (!n)
		return -ENOENT;
	memset(st, 0, sizeof(*st));
	st->ino = ino;
	st->mode = n->mode;
	st->nlink = cpio_is_dir(n) ? 2 + n->subdirs : (n->nlink ? n->nlink : 1);
	st->uid = n->uid;
	st->gid = n->gid;
	st->size = cpio_is_dir(n) ? 0 : n->size;
	st->mtime = n->mtime;
	st->rdev_major = n->rdev_major;
	st->rdev_minor = n->rdev_minor;
	return 0;
}

ssize_t cpio_read(struct cpio_archive *a, u32 ino, u64 off, void *buf,
		  size_t len)
{
	struct cpio_node *n = cpio_node(a, ino);

	if (!n)
		return -ENOENT;
	if (cpio_is_dir(n))
		return -EISDIR;
	if ((n->mode & 0xf000) != 0x8000)
		return -EINVAL;
	if (off >= n->size)
		return 0;
	len = MIN((u64)len, n->size - off);
	memcpy(buf, n->data + off, len);
	return len;
}

ssize_t cpio_readlink(struct cpio_archive *a, u32 ino, char *buf, size_t len)
{
	struct cpio_node *n = cpio_node(a, ino);

	if (!n)
		return -ENOENT;
	if ((n->mode & 0xf000) != 0xa000)
		return -EINVAL;
	len = MIN((u64)len, n->size);
	memcpy(buf, n->data, len);
	return len;
}

static u8 cpio_dtype(u32 mode)
{
	return (mode >> 12) & 0xf;	/* DT_* are the S_IF* bits >> 12 */
}

int cpio_readdir(struct cpio_archive *a, u32 dir, u64 *cookie,
		 struct cpio_dirent *ent)
{
	struct cpio_node *d = cpio_node(a, dir), *c;
	u64 k;
	u32 i;

	if (!d)
		return -ENOENT;
	if (!cpio_is_dir(d))
		return -ENOTDIR;
	if (*cookie < 2) {
		ent->ino = *cookie == 0 ? dir : d->parent;
		ent->type = 4;
		strscpy(ent->name, *cookie == 0 ? "." : "..", sizeof(ent->name));
		(*cookie)++;
		return 1;
	}
	for (i = d->first_child, k = 2; i && k < *cookie; k++)
		i = a->nodes[i].next_sibling;
	if (!i)
		return 0;
	c = &a->nodes[i];
	ent->ino = i;
	ent->type = cpio_dtype(c->mode);
	memcpy(ent->name, c->name, c->name_len);
	ent->name[c->name_len] = 0;
	(*cookie)++;
	return 1;
}
