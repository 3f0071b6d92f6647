/* tests/host/mm_test_common.h — what every memory-manager host test
 * needs: the harness, the kernel-service shims, the memory manager's
 * sources (#included, as host tests do) and helpers to build a space and
 * to print its layout as "start-end rwxsp[g][f]" lines relative to a base,
 * so expected layouts read like /proc/self/maps.
 */
#ifndef TESTS_HOST_MM_TEST_COMMON_H
#define TESTS_HOST_MM_TEST_COMMON_H

#include "harness.h"
#include "mm_host_shim.h"
#include "../../lib/string.c"
#include "../../lib/rbtree.c"
#include "../../managers/memory/vma.c"
#include "../../managers/memory/pgtable.c"
#include "../../managers/memory/space.c"
#include "../../managers/memory/mmap.c"
#include "../../managers/memory/mremap.c"
#include "../../managers/memory/mprotect.c"
#include "../../managers/memory/brk.c"
#include "../../managers/memory/fault.c"
#include "../../managers/memory/filemap.c"
#include "../../managers/memory/pagecache.c"

#define PGSZ	4096ull
#define P(n)	((u64)(n) * PGSZ)

static struct mm_space *new_space(void)
{
	struct mm_space_params p = { .node = 1, .tgid = 100 };

	return mm_space_create(&p);
}

/* Layout of @mm as text, one "start-end perms" per VMA, addresses as page
 * offsets from @base (negative shown as such), e.g. "0-4 rw-p;4-6 r--p;". */
static const char *layout(struct mm_space *mm, u64 base)
{
	static char buf[8192];
	struct mm_vma_info v[128];
	unsigned int n = mm_space_vmas(mm, v, 128), i;
	size_t o = 0;

	buf[0] = 0;
	for (i = 0; i < n && i < 128 && o < sizeof(buf) - 64; i++) {
		o += snprintf(buf + o, sizeof(buf) - o, "%lld-%lld %c%c%c%c%s%s;",
			      (long long)(v[i].start - base) / (long long)PGSZ,
			      (long long)(v[i].end - base) / (long long)PGSZ,
			      v[i].prot & PROT_READ ? 'r' : '-',
			      v[i].prot & PROT_WRITE ? 'w' : '-',
			      v[i].prot & PROT_EXEC ? 'x' : '-',
			      v[i].flags & MM_VMA_SHARED ? 's' : 'p',
			      v[i].flags & MM_VMA_GROWSDOWN ? "g" : "",
			      v[i].flags & MM_VMA_FILE ? "f" : "");
	}
	return buf;
}

#define CHECK_LAYOUT(mm, base, want)                                       \
	do {                                                               \
		const char *__l = layout(mm, base);                        \
		CHECK(!strcmp(__l, want), "layout %s, want %s", __l, want); \
	} while (0)

/* Tree and layout invariants: ordered, disjoint, aligned, in range, no two
 * mergeable neighbours, count right. */
static bool space_ok(struct mm_space *mm)
{
	struct vma *v, *prev = NULL;
	unsigned int n = 0;

	for (v = vma_first(mm); v; prev = v, v = vma_next(v), n++) {
		if (v->start >= v->end || (v->start | v->end) & (PGSZ - 1))
			return false;
		if (v->start < MM_MIN_ADDR || v->end > MM_TASK_SIZE)
			return false;
		if (prev && (prev->end > v->start || vma_mergeable(prev, v)))
			return false;
		if (vma_find(mm, v->start) != v || vma_find(mm, v->end - 1) != v)
			return false;
	}
	return n == mm->nr_vmas;
}

static u64 do_mmap(struct mm_space *mm, u64 addr, u64 len, u32 prot,
		   u32 flags)
{
	u64 out = 0;
	int err = mm_mmap(mm, addr, len, prot, flags, 0, 0, &out, NULL);

	return err ? (u64)(s64)err : out;
}

#define RW	(PROT_READ | PROT_WRITE)
#define ANON	(MAP_PRIVATE | MAP_ANONYMOUS)
#define FIXED	(MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED)

#endif
