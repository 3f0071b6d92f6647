/* managers/memory/service_sfile.c — the memory node's table of storage
 * files: the slots that name a storage node's inode (fs, ino, gen) for
 * exec and file mappings, with a reference count each, so a slot is
 * reused once nothing names it any more.
 *
 * A handle is P2M_FILE_STORAGE + (generation << 16 | slot).  The
 * generation grows each time a slot is given to another inode, so a stale
 * handle (and a page-cache key built from it) can never reach the new
 * file: it is refused with -EBADF.
 *
 * References: svc_sfile_get() (lookups for exec and MMAP_FILE) returns
 * the handle with one reference for its caller, who drops it with
 * svc_sfile_put() when done; every file VMA holds one more (taken and
 * dropped through the space's file ops, vma.c).  Only a slot at zero
 * references is reused, and only when its inode is not the one asked for
 * (a file mapped again gets its old handle back).
 *
 * Lock: sfiles_lock (a spinlock; nothing under it sleeps) covers the
 * table.  Readers copy the inode out under it (svc_sfile_inode) and call
 * the storage node without it; the caller's reference keeps the slot.
 * Callers: service.c (file source, the space's file ops).
 */
#include <kernel/printk.h>
#include <kernel/spinlock.h>
#include <protocol/storage.h>
#include <uapi/errno.h>
#include "svc_internal.h"

#define GEN_SHIFT	16
#define SLOT_MASK	((1ull << GEN_SHIFT) - 1)

_Static_assert(P2M_SFILES_MAX <= SLOT_MASK + 1, "slot fits its field");

struct sfile {
	struct storage_handle h;
	u32 refs;
	u32 gen;		/* of the inode now in the slot */
	bool used;		/* h is valid (refs may be zero) */
};

static struct sfile sfiles[P2M_SFILES_MAX];
static DEFINE_SPINLOCK(sfiles_lock);

static u64 handle_of(unsigned int i)
{
	return P2M_FILE_STORAGE + ((u64)sfiles[i].gen << GEN_SHIFT | i);
}

/* The slot of @handle if it is current, else NULL.  sfiles_lock held. */
static struct sfile *slot_locked(u64 handle)
{
	u64 rel = handle - P2M_FILE_STORAGE;
	u64 i = rel & SLOT_MASK;

	if (handle < P2M_FILE_STORAGE || i >= P2M_SFILES_MAX ||
	    !sfiles[i].used || sfiles[i].gen != (rel >> GEN_SHIFT))
		return NULL;
	return &sfiles[i];
}

static bool same_inode(const struct storage_handle *a,
		       const struct storage_handle *b)
{
	return a->fs == b->fs && a->ino == b->ino && a->gen == b->gen;
}

int svc_sfile_get(const struct storage_handle *h, u64 *handle)
{
	int free = -1, idle = -1;
	unsigned int i;

	spin_lock(&sfiles_lock);
	for (i = 0; i < P2M_SFILES_MAX; i++) {
		struct sfile *s = &sfiles[i];

		if (s->used && same_inode(&s->h, h))
			break;
		if (!s->used && free < 0)
			free = (int)i;
		else if (s->used && !s->refs && idle < 0)
			idle = (int)i;
	}
	if (i == P2M_SFILES_MAX) {
		if (free < 0 && idle < 0) {
			spin_unlock(&sfiles_lock);
			pr_warn_once("p2m: all %u storage-file slots are in "
				     "use: -ENFILE (logged once)\n",
				     P2M_SFILES_MAX);
			return -ENFILE;
		}
		i = (unsigned int)(free >= 0 ? free : idle);
		if (sfiles[i].used)
			sfiles[i].gen++;	/* old handles go stale */
		sfiles[i].h = *h;
		sfiles[i].used = true;
	}
	sfiles[i].refs++;
	*handle = handle_of(i);
	spin_unlock(&sfiles_lock);
	return 0;
}

static void adjust(u64 handle, int by)
{
	struct sfile *s;
	bool ok;

	spin_lock(&sfiles_lock);
	s = slot_locked(handle);
	ok = s && (by > 0 || s->refs);
	if (ok)
		s->refs += by;
	spin_unlock(&sfiles_lock);
	if (!ok)
		pr_warn_once("p2m: reference %d on storage-file handle %#llx "
			     "(stale, or no reference left) ignored (logged "
			     "once)\n", by,
			     (unsigned long long)handle);
}

void svc_sfile_hold(u64 handle)
{
	adjust(handle, 1);
}

void svc_sfile_put(u64 handle)
{
	adjust(handle, -1);
}

int svc_sfile_inode(u64 handle, struct storage_handle *out)
{
	struct sfile *s;

	spin_lock(&sfiles_lock);
	s = slot_locked(handle);
	if (s)
		*out = s->h;
	spin_unlock(&sfiles_lock);
	return s ? 0 : -EBADF;
}

unsigned int svc_sfiles_in_use(void)
{
	unsigned int n = 0;

	spin_lock(&sfiles_lock);
	for (unsigned int i = 0; i < P2M_SFILES_MAX; i++)
		n += sfiles[i].used && sfiles[i].refs;
	spin_unlock(&sfiles_lock);
	return n;
}
