/* include/protocol/p2m.h — P2M, the processor-to-memory protocol: page
 * faults, write-backs and memory system calls of a processor node,
 * served by the memory node that is the process's home.
 *
 * Opcodes live in the P2M range of include/protocol/msg.h (0x0100-0x01ff).
 * Every request and reply below is the FIT payload after struct msg_hdr:
 * packed, fixed-width little-endian fields, explicit padding and a
 * _Static_assert on every size.  The sizes in the comments are the
 * minimum request lengths the memory node registers with FIT; variable
 * parts (a page, strings, change records, VMA records) follow the fixed
 * part and are length-checked by the handler.
 *
 * A process is named by (the requesting node, tgid): the node comes from
 * the FIT header, so one processor can never reach another's processes.
 * A request for a process the memory node does not hold fails with
 * -ESRCH.  Errors travel as FIT error replies (negative Linux errnos);
 * an error means the memory node changed nothing, except where noted.
 *
 * Pages are 4 KiB.  With the page-checksum debug option on the sender
 * (p2m.csum=1), a page carries its CRC32C and the P2M_F_CSUM flag; the
 * receiver checks every page whose flag is set (-EBADMSG on mismatch) and
 * ignores the csum field otherwise (LESSONS 10).
 *
 * Replies that take rights away from the processor carry change records
 * (struct p2m_change, the wire form of the memory core's struct
 * mm_change): the processor applies them in order to its pcache lines,
 * rmaps, PTEs and TLBs before it answers the user.
 * Documentation/p2m.md has the table of opcodes, sizes and errors.
 */
#ifndef PROTOCOL_P2M_H
#define PROTOCOL_P2M_H

#include <protocol/msg.h>
#include <protocol/storage.h>

enum p2m_opcode {
	P2M_PCACHE_MISS = MSG_PROTO_P2M + 0x01,
	P2M_PCACHE_FLUSH = MSG_PROTO_P2M + 0x02,
	P2M_PCACHE_ZEROFILL = MSG_PROTO_P2M + 0x03,
	P2M_PCACHE_UPGRADE = MSG_PROTO_P2M + 0x04,
	P2M_PCACHE_ZEROFILL_MANY = MSG_PROTO_P2M + 0x05,
	P2M_MMAP = MSG_PROTO_P2M + 0x10,
	P2M_MUNMAP = MSG_PROTO_P2M + 0x11,
	P2M_MREMAP = MSG_PROTO_P2M + 0x12,
	P2M_MPROTECT = MSG_PROTO_P2M + 0x13,
	P2M_BRK = MSG_PROTO_P2M + 0x14,
	P2M_MSYNC = MSG_PROTO_P2M + 0x15,
	P2M_MMAP_FILE = MSG_PROTO_P2M + 0x16,
	P2M_FORK = MSG_PROTO_P2M + 0x20,
	P2M_EXECVE = MSG_PROTO_P2M + 0x21,
	P2M_EXIT = MSG_PROTO_P2M + 0x22,
	P2M_MAPS = MSG_PROTO_P2M + 0x23,
	/* 0x01f0-0x01ff: selftests only (managers/memory/p2m_test.c) */
	P2M_OP_TEST_FIRST = MSG_PROTO_P2M + 0xf0,
	P2M_OP_TEST_LAST = MSG_PROTO_P2M + 0xff,
};

#define P2M_PAGE_SIZE		4096u
/* Most pages one PCACHE_MISS reply carries (the fault plus fault-around),
 * bounded by FIT's 64 KiB payload. */
#define P2M_MISS_MAX_PAGES	15u
/* Change records in one reply (the core's MM_CHANGES_MAX). */
#define P2M_CHANGES_MAX		16u

/* Flags shared by page-carrying messages. */
#define P2M_F_CSUM		0x80000000u	/* csum fields are valid */
/* PROT_READ/PROT_WRITE (include/uapi/mman.h) equal the pcache's
 * PCACHE_PROT_READ/WRITE: prot fields go to the pcache unchanged. */

/* The checksum debug option (p2m.csum=, managers/p2m_param.c). */
bool p2m_csum_enabled(void);

/* ---- change records ---------------------------------------------- */

enum p2m_change_kind {		/* = enum mm_change_kind */
	P2M_CHANGE_UNMAP = 1,	/* drop lines and PTEs in [start, end) */
	P2M_CHANGE_PROTECT = 2,	/* narrow rights in [start, end) to prot */
	P2M_CHANGE_MOVE = 3,	/* lines of [start, end) move to `to` */
	P2M_CHANGE_WRPROTECT = 4, /* fork: writable lines become read-only */
};

struct p2m_change {
	u32 kind;		/* enum p2m_change_kind */
	u32 prot;		/* PROTECT: the new PROT_* */
	u64 start;		/* page aligned */
	u64 end;		/* page aligned, exclusive */
	u64 to;			/* MOVE: new address of start */
} __packed;
_Static_assert(sizeof(struct p2m_change) == 32, "p2m_change wire size");

/* Reply of MMAP, MUNMAP, MREMAP, MPROTECT, BRK and FORK: the result
 * address (MMAP, MREMAP: the mapping; BRK: the break after the call —
 * the old one if it could not move; others 0), then nr_changes records. */
struct p2m_vm_rep {
	u64 addr;
	u32 nr_changes;		/* <= P2M_CHANGES_MAX */
	u32 reserved;
	/* struct p2m_change changes[nr_changes]; */
} __packed;
_Static_assert(sizeof(struct p2m_vm_rep) == 16, "p2m_vm_rep wire size");

/* ---- page traffic -------------------------------------------------- */

/* PCACHE_MISS: fault on @uva (any address in the page); fetch up to @nr
 * pages from there (the fault, then fault-around pages that lie in the
 * same VMA).  With P2M_MISS_PIGGY a dirty line follows the request (4096
 * bytes) and is written back first, exactly as a PCACHE_FLUSH; its result
 * comes back in piggy_err whatever happens to the fault. */
#define P2M_MISS_WRITE		0x1u	/* write fault */
#define P2M_MISS_PIGGY		0x2u	/* a dirty page to flush follows */
#define P2M_MISS_PIGGY_CSUM	0x4u	/* piggy_csum is valid */

struct p2m_miss_req {
	u32 tgid;
	u32 flags;		/* P2M_MISS_*, P2M_F_CSUM (want checksums) */
	u64 uva;
	u32 nr;			/* 1..P2M_MISS_MAX_PAGES */
	u32 piggy_csum;		/* CRC32C of the piggybacked page */
	u64 piggy_uva;		/* page-aligned address of that page */
	/* u8 piggy_page[4096] if P2M_MISS_PIGGY */
} __packed;
_Static_assert(sizeof(struct p2m_miss_req) == 32, "p2m_miss_req wire size");

/* The fault's own result is in @err (0, -EFAULT no VMA, -EACCES the VMA
 * forbids the access, -ENOMEM, -ENXIO a file page wholly past the end of
 * its file (the processor raises SIGBUS), or the file read's errno):
 * then nr == 0.
 * Otherwise @nr pages follow, page i is uva + i * 4096; bit i of
 * @writable says whether page i may be mapped writable (COW pages and
 * read-only VMAs are not). @prot is the faulting VMA's PROT_*. */
struct p2m_miss_rep {
	s32 err;
	s32 piggy_err;		/* 0, or as PCACHE_FLUSH; 0 without piggy */
	u32 flags;		/* P2M_F_CSUM: csum[] valid */
	u32 nr;
	u32 writable;		/* bitmask over the pages */
	u32 prot;		/* PROT_* of the faulting VMA */
	u32 csum[P2M_MISS_MAX_PAGES];
	u32 reserved;
	/* u8 pages[nr][4096]; */
} __packed;
_Static_assert(sizeof(struct p2m_miss_rep) == 88, "p2m_miss_rep wire size");

/* PCACHE_FLUSH: write one dirty line back.  Empty reply.  -EFAULT: the
 * page is not (or no longer) one the processor was given writable (it
 * was unmapped, or became COW at fork): the data is dropped. */
struct p2m_flush_req {
	u32 tgid;
	u32 flags;		/* P2M_F_CSUM */
	u64 uva;		/* page aligned */
	u32 csum;
	u32 reserved;
	/* u8 page[4096]; */
} __packed;
_Static_assert(sizeof(struct p2m_flush_req) == 24, "p2m_flush_req wire size");
#define P2M_FLUSH_LEN	(sizeof(struct p2m_flush_req) + P2M_PAGE_SIZE)

/* PCACHE_ZEROFILL: the processor zero-filled the first touch of an
 * anonymous page itself; the memory node records a zero page there (no
 * data crosses).  Reply: struct p2m_zerofill_rep.  Errors as a miss. */
struct p2m_zerofill_req {
	u32 tgid;
	u32 flags;		/* P2M_MISS_WRITE */
	u64 uva;
} __packed;
_Static_assert(sizeof(struct p2m_zerofill_req) == 16,
	       "p2m_zerofill_req wire size");

struct p2m_zerofill_rep {
	u32 writable;		/* 1: may be mapped writable */
	u32 prot;		/* PROT_* of the VMA */
} __packed;
_Static_assert(sizeof(struct p2m_zerofill_rep) == 8,
	       "p2m_zerofill_rep wire size");

/* PCACHE_ZEROFILL_MANY: the notices of up to P2M_ZEROFILL_MAX pages the
 * processor zero-filled itself (its first-touch path, sent in batches by
 * its notifier; Documentation/pcache.md).  For each page the memory node
 * makes a zero page present if it has none, as a read fault would (given
 * writable when the VMA allows writing); a page that has data already is
 * left alone, and a page no longer mapped is skipped.  The request is
 * the fixed part followed by nr page-aligned addresses (u64).  Reply:
 * struct p2m_zerofill_many_rep.  Errors: ESRCH, EBADMSG (length), EINVAL
 * (nr 0 or too large). */
#define P2M_ZEROFILL_MAX	64u

struct p2m_zerofill_many_req {
	u32 tgid;
	u32 nr;			/* 1..P2M_ZEROFILL_MAX addresses follow */
	/* u64 uva[nr]; */
} __packed;
_Static_assert(sizeof(struct p2m_zerofill_many_req) == 8,
	       "p2m_zerofill_many_req wire size");

struct p2m_zerofill_many_rep {
	u32 done;		/* pages present afterwards */
	s32 err;		/* first error other than "not mapped" */
} __packed;
_Static_assert(sizeof(struct p2m_zerofill_many_rep) == 8,
	       "p2m_zerofill_many_rep wire size");

/* PCACHE_UPGRADE (request and reply as ZEROFILL; flags ignored): a write
 * to a line the processor holds read-only.  The memory node breaks
 * copy-on-write and marks the page given writable; no data crosses (the
 * processor's clean line equals the page).  -EACCES if the VMA forbids
 * writing, -EFAULT without a VMA. */

/* ---- memory system calls (reply: struct p2m_vm_rep) ------------------ */

/* mmap(2) after the processor resolved the fd to a file handle. */
struct p2m_mmap_req {
	u32 tgid;
	u32 prot;		/* PROT_* */
	u32 flags;		/* MAP_* */
	u32 reserved;
	u64 addr;
	u64 len;
	u64 file;		/* ignored with MAP_ANONYMOUS */
	u64 off;
} __packed;
_Static_assert(sizeof(struct p2m_mmap_req) == 48, "p2m_mmap_req wire size");

/* MMAP_FILE: mmap(2) of a regular file the processor opened on the
 * storage service.  The MMAP fields (m.file ignored; MAP_ANONYMOUS must
 * be clear), then the file: the storage node and its inode handle, which
 * the memory node turns into a file handle of its own for the VMA and
 * its page cache (Documentation/p2m.md, file source).  The processor
 * checked the fd's open mode (-EACCES) and that it is mappable (-ENODEV);
 * P2M_MMAP_FILE_RDONLY says the file is not open for writing, so a
 * shared mapping may never become writable (mprotect: -EACCES).
 * Reply: struct p2m_vm_rep.  Errors as MMAP, and -ENODEV (the memory
 * node's storage client reaches another storage node), -ENFILE (its
 * table of storage files is full), -EINVAL (MAP_ANONYMOUS). */
#define P2M_MMAP_FILE_RDONLY	0x1u	/* not open for writing */

struct p2m_mmap_file_req {
	struct p2m_mmap_req m;
	u32 storage_node;
	u32 file_flags;		/* P2M_MMAP_FILE_* */
	struct storage_handle h;
} __packed;
_Static_assert(sizeof(struct p2m_mmap_file_req) == 72,
	       "p2m_mmap_file_req wire size");

/* munmap(2), mprotect(2), msync(2): [addr, addr + len). */
struct p2m_range_req {
	u32 tgid;
	u32 arg;		/* MPROTECT: PROT_*; MSYNC: MS_*; else 0 */
	u64 addr;
	u64 len;
} __packed;
_Static_assert(sizeof(struct p2m_range_req) == 24, "p2m_range_req wire size");

struct p2m_mremap_req {
	u32 tgid;
	u32 flags;		/* MREMAP_* */
	u64 addr;
	u64 old_len;
	u64 new_len;
	u64 new_addr;		/* MREMAP_FIXED */
} __packed;
_Static_assert(sizeof(struct p2m_mremap_req) == 40,
	       "p2m_mremap_req wire size");

struct p2m_brk_req {
	u32 tgid;
	u32 reserved;
	u64 brk;		/* 0: query */
} __packed;
_Static_assert(sizeof(struct p2m_brk_req) == 16, "p2m_brk_req wire size");

/* ---- processes ---------------------------------------------------- */

/* FORK: a copy-on-write copy of @tgid's space for @child_tgid (on the
 * same processor).  The processor flushed the parent's dirty lines first;
 * the reply carries the parent's WRPROTECT record.  -EEXIST if the child
 * exists. */
struct p2m_fork_req {
	u32 tgid;
	u32 child_tgid;
} __packed;
_Static_assert(sizeof(struct p2m_fork_req) == 8, "p2m_fork_req wire size");

/* EXIT: free the process's space and forget it.  Empty reply.  (EXECVE
 * frees the old space itself once the new one is complete.) */
struct p2m_exit_req {
	u32 tgid;
	u32 reserved;
} __packed;
_Static_assert(sizeof(struct p2m_exit_req) == 8, "p2m_exit_req wire size");

/* EXECVE: load @path into a new space for @tgid (created if the memory
 * node holds no such process; replaced on success otherwise — a failed
 * exec leaves the old space intact).  After the fixed part: the path,
 * then argc argument strings, then envc environment strings, each
 * NUL-terminated, strings_len bytes in all.  The processor supplies what
 * only it knows for the auxiliary vector (credentials, CPU features).
 * Errors: -ENOENT (no such file), -ENOEXEC (not a valid static ELF64
 * x86-64 program), -E2BIG (argument strings), -ENOMEM, -EINVAL (the
 * strings do not parse). */
#define P2M_EXEC_MAX_STRINGS	4096u	/* argc + envc */

struct p2m_execve_req {
	u32 tgid;
	u32 argc;
	u32 envc;
	u32 strings_len;	/* bytes after this header */
	u32 uid, euid, gid, egid;
	u64 hwcap, hwcap2;	/* AT_HWCAP, AT_HWCAP2 */
	u32 secure;		/* AT_SECURE */
	u32 reserved;
	/* char strings[strings_len]: path\0 argv...\0 envp...\0 */
} __packed;
_Static_assert(sizeof(struct p2m_execve_req) == 56,
	       "p2m_execve_req wire size");

struct p2m_execve_rep {
	u64 entry;		/* initial rip */
	u64 sp;			/* initial rsp (points at argc) */
	u64 brk;		/* initial break */
	u64 exec_stack;		/* 1: PT_GNU_STACK asked for PF_X */
} __packed;
_Static_assert(sizeof(struct p2m_execve_rep) == 32,
	       "p2m_execve_rep wire size");

/* MAPS: the VMAs with end > @from, in address order, at most
 * P2M_MAPS_MAX per reply; the processor asks again from the last end
 * while `more` is set (/proc/self/maps). */
#define P2M_MAPS_MAX		256u

struct p2m_maps_req {
	u32 tgid;
	u32 reserved;
	u64 from;
} __packed;
_Static_assert(sizeof(struct p2m_maps_req) == 16, "p2m_maps_req wire size");

struct p2m_vma {
	u64 start, end;
	u32 prot;		/* PROT_* */
	u32 flags;		/* MM_VMA_* (include/memory/mm_space.h) */
	u64 file;		/* file handle, or shared-memory object id */
	u64 off;
} __packed;
_Static_assert(sizeof(struct p2m_vma) == 40, "p2m_vma wire size");

struct p2m_maps_rep {
	u32 nr;			/* records that follow */
	u32 more;		/* 1: VMAs after the last one remain */
	/* struct p2m_vma vmas[nr]; */
} __packed;
_Static_assert(sizeof(struct p2m_maps_rep) == 8, "p2m_maps_rep wire size");

#endif
