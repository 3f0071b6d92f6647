/* managers/processor/process_mm.c — the memory syscalls of a process
 * (brk, mmap, munmap, mprotect, mremap, madvise, msync), checked here the way
 * Linux checks them and forwarded to the address space's mm_ops: the
 * memory node's P2M client in production, localmm.c for the in-kernel
 * loader path.  An mm without the operation answers -ENOSYS.
 */
#include <asm/layout.h>
#include <asm/uaccess.h>
#include <kernel/printk.h>
#include <processor/abi.h>
#include <processor/files.h>
#include <uapi/fcntl.h>
#include <uapi/errno.h>
#include <uapi/mman.h>
#include "internal.h"

static struct proc_mm *mm_cur(void)
{
	return current_process()->mm;
}

SYSCALL_DEFINE1(brk, u64, addr)
{
	struct proc_mm *mm = mm_cur();

	return mm->ops->brk ? mm->ops->brk(mm, addr) : -ENOSYS;
}

/* The file of a non-anonymous mmap, checked as Linux: -EBADF (no such
 * fd), -EACCES (not open for reading; a shared writable map of a file
 * not open for writing), -ENODEV (no mmap: pipes, ttys, directories,
 * pseudo files).  1 for /dev/zero: the caller maps anonymous memory
 * instead (private or shared, as Linux does; the offset does not
 * matter: every page reads zero). */
static int mmap_file(int fd, u32 prot, u32 flags, struct mm_file_map *fm)
{
	struct file *f = fget(fd);
	u32 type = flags & MAP_TYPE;
	int err = 0;

	if (!f)
		return -EBADF;
	if ((type == MAP_SHARED || type == MAP_SHARED_VALIDATE) &&
	    (prot & PROT_WRITE) && (f->flags & O_ACCMODE) == O_RDONLY)
		err = -EACCES;
	else if ((f->flags & O_ACCMODE) == O_WRONLY)
		err = -EACCES;
	else if (devfs_is_zero(f))
		err = 1;
	else
		err = fs_storage_map_info(f, fm);
	file_put(f);
	return err;
}

/* Checks as Linux: unaligned offset -EINVAL, then a bad fd -EBADF, zero
 * or huge length -EINVAL/-ENOMEM, unaligned fixed address -EINVAL, no
 * MAP_SHARED/MAP_PRIVATE -EINVAL, then the file's mode and kind. */
SYSCALL_DEFINE6(mmap, u64, addr, u64, len, u32, prot, u32, flags, int, fd,
		u64, off)
{
	struct proc_mm *mm = mm_cur();
	u32 type = flags & MAP_TYPE;
	struct mm_file_map fm;
	struct file *f;
	int err;

	if (off & (PAGE_SIZE - 1))
		return -EINVAL;
	if (!(flags & MAP_ANONYMOUS)) {
		f = fget(fd);
		if (!f)
			return -EBADF;
		file_put(f);
	}
	if (!len)
		return -EINVAL;
	if (type != MAP_SHARED && type != MAP_PRIVATE &&
	    type != MAP_SHARED_VALIDATE)
		return -EINVAL;
	if (ALIGN_UP(len, PAGE_SIZE) < len || len >= USER_TOP)
		return -ENOMEM;
	if ((flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) &&
	    ((addr & (PAGE_SIZE - 1)) || !user_range_ok(addr, len)))
		return -EINVAL;
	if (!(flags & MAP_ANONYMOUS)) {
		err = mmap_file(fd, prot, flags, &fm);
		if (err < 0)
			return err;
		if (err) {		/* /dev/zero */
			flags |= MAP_ANONYMOUS;
			off = 0;
		}
	}
	if (!mm->ops->mmap)
		return -ENOSYS;
	return mm->ops->mmap(mm, addr, len, prot, flags,
			     (flags & MAP_ANONYMOUS) ? NULL : &fm, off);
}

SYSCALL_DEFINE2(munmap, u64, addr, u64, len)
{
	struct proc_mm *mm = mm_cur();

	if ((addr & (PAGE_SIZE - 1)) || !len || !user_range_ok(addr, len))
		return -EINVAL;
	return mm->ops->munmap ? mm->ops->munmap(mm, addr, len) : -ENOSYS;
}

SYSCALL_DEFINE3(mprotect, u64, addr, u64, len, u32, prot)
{
	struct proc_mm *mm = mm_cur();

	if ((addr & (PAGE_SIZE - 1)) || !user_range_ok(addr, len))
		return -EINVAL;
	if (prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC | PROT_SEM |
		     PROT_GROWSDOWN | PROT_GROWSUP))
		return -EINVAL;
	if (!len)
		return 0;
	return mm->ops->mprotect ? mm->ops->mprotect(mm, addr, len, prot) :
				   -ENOSYS;
}

/* Checks as Linux: unaligned address, unknown flags, FIXED without
 * MAYMOVE, DONTUNMAP (not provided), zero new length, or an overlap of
 * the old and new ranges under FIXED give -EINVAL; an old length of 0
 * (duplicating a shared mapping) is refused with -EINVAL too. */
SYSCALL_DEFINE5(mremap, u64, addr, u64, old_len, u64, new_len, u32, flags,
		u64, new_addr)
{
	struct proc_mm *mm = mm_cur();

	if ((addr & (PAGE_SIZE - 1)) ||
	    (flags & ~(MREMAP_MAYMOVE | MREMAP_FIXED | MREMAP_DONTUNMAP)))
		return -EINVAL;
	if ((flags & MREMAP_FIXED) && !(flags & MREMAP_MAYMOVE))
		return -EINVAL;
	if (flags & MREMAP_DONTUNMAP) {
		pr_warn_once("mremap: MREMAP_DONTUNMAP not provided (-EINVAL)\n");
		return -EINVAL;
	}
	old_len = ALIGN_UP(old_len, PAGE_SIZE);
	new_len = ALIGN_UP(new_len, PAGE_SIZE);
	if (!new_len || !old_len || !user_range_ok(addr, old_len))
		return -EINVAL;
	if (flags & MREMAP_FIXED) {
		if ((new_addr & (PAGE_SIZE - 1)) ||
		    !user_range_ok(new_addr, new_len))
			return -EINVAL;
		if (new_addr < addr + old_len && addr < new_addr + new_len)
			return -EINVAL;
	}
	if (new_len >= USER_TOP)
		return -ENOMEM;
	if (!mm->ops->mremap)
		return -ENOSYS;
	return mm->ops->mremap(mm, addr, old_len, new_len, flags, new_addr);
}

/* Advice is a hint: accepted and ignored (MADV_DONTNEED's zeroing is the
 * memory node's to do once it is wired). */
SYSCALL_DEFINE3(madvise, u64, addr, u64, len, int, advice)
{
	if (addr & (PAGE_SIZE - 1))
		return -EINVAL;
	return 0;
}

/* Checks as Linux (-EINVAL: unaligned, unknown flags, MS_ASYNC with
 * MS_SYNC); the space writes shared file mappings back and reports
 * -ENOMEM for unmapped parts.  MS_ASYNC writes back too. */
SYSCALL_DEFINE3(msync, u64, addr, u64, len, int, flags)
{
	struct proc_mm *mm = mm_cur();

	if (addr & (PAGE_SIZE - 1))
		return -EINVAL;
	if (flags & ~(MS_ASYNC | MS_INVALIDATE | MS_SYNC))
		return -EINVAL;
	if ((flags & MS_ASYNC) && (flags & MS_SYNC))
		return -EINVAL;
	return mm->ops->msync ? mm->ops->msync(mm, addr, len, flags) : 0;
}
