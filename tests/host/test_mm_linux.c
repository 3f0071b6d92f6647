/* tests/host/test_mm_linux.c — the memory manager against the real Linux
 * kernel of the build host.
 *
 * The same calls run on the host (raw syscalls inside a 256-page window
 * at a fixed, normally free address) and on a model space (the same
 * window at 0x10000000).  After every call the return values must agree
 * (address offsets or errno) and so must the layouts of the window, read
 * from /proc/self/maps on the host and normalised: adjacent pieces with
 * equal permissions are joined, since Linux sometimes keeps mergeable
 * anonymous VMAs apart (anon_vma differences) where Tessera merges.
 * A fixed scenario first, then thousands of random mmap(MAP_FIXED),
 * munmap, mprotect (only over mapped ranges: Linux half-applies across
 * holes, see mprotect.c), mmap with a hint (taken when free, else the
 * mapping lands outside the window on both sides) and mremap (in place or
 * MREMAP_FIXED inside the window) calls, then a table of bad arguments.
 * Mappings placed outside the window are unmapped again at once.  If the host window is
 * taken, the test says so and passes (nothing to compare against).
 */
#include "mm_test_common.h"

#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <errno.h>

#define WPAGES	256
#define HOSTB	0x500000000000ull
#define MODELB	0x10000000ull

static struct mm_space *mm;

static long h_ret(long r)
{
	return r == -1 ? -errno : r;
}

/* Normalised layout of [base, base + WPAGES pages): "s-e perms;" */
static void norm_add(char *buf, size_t *o, long *ls, long *le, char *lp,
		     long s, long e, const char *perms)
{
	if (*le == s && !strcmp(lp, perms)) {
		*le = e;
		return;
	}
	if (*le > *ls)
		*o += sprintf(buf + *o, "%ld-%ld %s;", *ls, *le, lp);
	*ls = s;
	*le = e;
	strcpy(lp, perms);
}

static void host_layout(char *buf)
{
	FILE *f = fopen("/proc/self/maps", "r");
	char line[512], perms[8], lp[8] = "";
	unsigned long long s, e;
	long ls = 0, le = 0;
	size_t o = 0;

	buf[0] = 0;
	while (f && fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%llx-%llx %7s", &s, &e, perms) != 3)
			continue;
		if (e <= HOSTB || s >= HOSTB + P(WPAGES))
			continue;
		norm_add(buf, &o, &ls, &le, lp, (long)((s - HOSTB) / PGSZ),
			 (long)((e - HOSTB) / PGSZ), perms);
	}
	norm_add(buf, &o, &ls, &le, lp, -1, -1, "");
	if (f)
		fclose(f);
}

static void model_layout(char *buf)
{
	struct mm_vma_info v[512];
	unsigned int n = mm_space_vmas(mm, v, 512), i;
	char lp[8] = "", perms[8];
	long ls = 0, le = 0;
	size_t o = 0;

	buf[0] = 0;
	for (i = 0; i < n && i < 512; i++) {
		if (v[i].end <= MODELB || v[i].start >= MODELB + P(WPAGES))
			continue;
		snprintf(perms, sizeof(perms), "%c%c%c%c",
			 v[i].prot & PROT_READ ? 'r' : '-',
			 v[i].prot & PROT_WRITE ? 'w' : '-',
			 v[i].prot & PROT_EXEC ? 'x' : '-',
			 v[i].flags & MM_VMA_SHARED ? 's' : 'p');
		norm_add(buf, &o, &ls, &le, lp,
			 (long)((v[i].start - MODELB) / PGSZ),
			 (long)((v[i].end - MODELB) / PGSZ), perms);
	}
	norm_add(buf, &o, &ls, &le, lp, -1, -1, "");
}

/* Results: addresses in the window become page offsets (plus 1000000),
 * addresses elsewhere -999, errors stay. */
static long rel(long r, u64 base)
{
	if (r < 0 && r > -4096)
		return r;
	if ((u64)r < base || (u64)r >= base + P(WPAGES))
		return -999;
	return (long)(((u64)r - base) / PGSZ) + 1000000;
}

enum { OP_MMAP, OP_MUNMAP, OP_MPROTECT, OP_MREMAP };

static const char *opname[] = { "mmap", "munmap", "mprotect", "mremap" };

/* Run one call on both sides with page-offset arguments; compare. */
static void both(int op, long a, long len, long c, long d, long e)
{
	static char hl[16384], ml[16384], prev[16384];
	long hr = 0, mr = 0;
	u64 out = 0;

	switch (op) {
	case OP_MMAP:	/* a: page, e: byte offset, len, c: prot, d: flags */
		hr = h_ret(syscall(SYS_mmap, HOSTB + P(a) + e, len, c, d, -1,
				   0));
		mr = mm_mmap(mm, MODELB + P(a) + e, len, c, d, 0, 0, &out,
			     NULL);
		mr = mr ? mr : (long)out;
		break;
	case OP_MUNMAP:
		hr = h_ret(syscall(SYS_munmap, HOSTB + P(a), len));
		mr = mm_munmap(mm, MODELB + P(a), len, NULL);
		break;
	case OP_MPROTECT:
		hr = h_ret(syscall(SYS_mprotect, HOSTB + P(a), len, c));
		mr = mm_mprotect(mm, MODELB + P(a), len, c, NULL);
		break;
	case OP_MREMAP:		/* len old, c new len, d flags, e new page */
		hr = h_ret(syscall(SYS_mremap, HOSTB + P(a), len, c, d,
				   HOSTB + P(e)));
		mr = mm_mremap(mm, MODELB + P(a), len, c, d, MODELB + P(e),
			       &out, NULL);
		mr = mr ? mr : (long)out;
		break;
	}
	if (op == OP_MMAP || op == OP_MREMAP) {
		long hraw = hr, mraw = mr;

		hr = rel(hr, HOSTB);
		mr = rel(mr, MODELB);
		if (hr == -999)		/* placed elsewhere: drop it */
			syscall(SYS_munmap, hraw, op == OP_MMAP ? len : c);
		if (mr == -999)
			mm_munmap(mm, mraw, op == OP_MMAP ? len : c, NULL);
	}
	if (hr != mr && !harness_why[0])
		printf("before %s\n", prev);
	CHECK(hr == mr, "%s(%ld, %#lx, %#lx, %#lx, %ld): host %ld, model %ld",
	      opname[op], a, len, c, d, e, hr, mr);
	host_layout(hl);
	model_layout(ml);
	if (strcmp(hl, ml) && !harness_why[0])
		printf("after %s(%ld, %#lx, %#lx, %#lx, %ld):\n  host  %s\n"
		       "  model %s\n  before %s\n", opname[op], a, len, c, d,
		       e, hl, ml, prev);
	strcpy(prev, ml);
	CHECK(!strcmp(hl, ml), "layouts differ after %s(%ld, %#lx, %#lx, "
	      "%#lx, %ld)", opname[op], a, len, c, d, e);
}

#define FX	(MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED)
#define MV	(MREMAP_MAYMOVE | MREMAP_FIXED)

static void test_scenario(void)
{
	both(OP_MMAP, 0, P(16), RW, FX, 0);
	both(OP_MPROTECT, 4, P(2), PROT_READ, 0, 0);
	both(OP_MUNMAP, 10, P(1), 0, 0, 0);
	both(OP_MMAP, 5, P(3), PROT_READ | PROT_EXEC, FX, 0);
	both(OP_MREMAP, 12, P(4), P(6), MV, 40);
	both(OP_MREMAP, 0, P(4), P(5), 0, 0);		/* blocked: ENOMEM */
	both(OP_MREMAP, 40, P(6), P(8), 0, 0);		/* grows in place */
	both(OP_MREMAP, 40, P(8), P(2), 0, 0);		/* shrinks */
	both(OP_MPROTECT, 20, P(2), PROT_READ, 0, 0);	/* hole: ENOMEM */
	both(OP_MMAP, 60, P(4), RW, MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED, 0);
	both(OP_MREMAP, 60, P(4), P(2), MV, 0);
	both(OP_MREMAP, 0, P(2), P(2), MV, 1);		/* overlap: EINVAL */
	both(OP_MREMAP, 100, P(2), P(2), MV, 120);	/* unmapped: EFAULT */
	both(OP_MREMAP, 0, P(3), P(3), MV, 5);		/* spans 2 VMAs? */
	both(OP_MMAP, 70, P(2), RW, MAP_PRIVATE | MAP_ANONYMOUS |
	     MAP_FIXED_NOREPLACE, 0);
	both(OP_MMAP, 71, P(2), RW, MAP_PRIVATE | MAP_ANONYMOUS |
	     MAP_FIXED_NOREPLACE, 0);
	both(OP_MUNMAP, 0, P(WPAGES), 0, 0, 0);
}

static void test_random(void)
{
	unsigned int i;

	for (i = 0; i < 8000 && !harness_why[0]; i++) {
		long a = rnd() % 120, n = 1 + rnd() % 24, prot = rnd() % 8;
		unsigned int op = rnd() % 10;

		if (op < 3) {
			both(OP_MMAP, a, P(n), prot, rnd() % 4 ? FX :
			     (MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED), 0);
		} else if (op < 5) {
			both(OP_MUNMAP, a, P(n), 0, 0, 0);
		} else if (op < 7) {
			if (vma_range_mapped(mm, MODELB + P(a),
					     MODELB + P(a + n)))
				both(OP_MPROTECT, a, P(n), prot, 0, 0);
		} else if (op == 7) {	/* a hint, maybe unaligned */
			u64 e = rnd() % 2 ? 0 : rnd() % PGSZ;

			if (a + n < WPAGES)
				both(OP_MMAP, a, P(n), prot, MAP_PRIVATE |
				     MAP_ANONYMOUS, e);
		} else if (op < 9) {
			long nn = 1 + rnd() % 24, to = 130 + rnd() % 100;

			both(OP_MREMAP, a, P(n), P(nn), MV, to);
		} else {
			both(OP_MREMAP, a, P(n), P(1 + rnd() % 24), 0, 0);
		}
	}
	both(OP_MUNMAP, 0, P(WPAGES), 0, 0, 0);
}

static void test_errors(void)
{
	both(OP_MMAP, 0, P(4), RW, FX, 0);
	both(OP_MMAP, 10, 0, RW, FX, 0);
	both(OP_MMAP, 10, P(1), RW, MAP_ANONYMOUS | MAP_FIXED, 0);
	both(OP_MMAP, 10, P(1), RW, MAP_SHARED_VALIDATE | MAP_ANONYMOUS |
	     MAP_FIXED | 0x800000, 0);
	both(OP_MMAP, 10, P(1), RW, MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED |
	     MAP_GROWSDOWN, 0);
	both(OP_MMAP, 10, P(1), RW, FX | MAP_GROWSDOWN | MAP_NORESERVE |
	     MAP_POPULATE | MAP_STACK, 0);
	both(OP_MUNMAP, 0, 0, 0, 0, 0);
	both(OP_MUNMAP, 50, ~0ul - 100, 0, 0, 0);
	both(OP_MPROTECT, 0, P(1), 0x10, 0, 0);
	both(OP_MPROTECT, 0, 0, 0x10, 0, 0);
	both(OP_MPROTECT, 0, P(1), PROT_READ | PROT_GROWSDOWN, 0, 0);
	both(OP_MPROTECT, 0, P(1), PROT_GROWSUP | PROT_GROWSDOWN, 0, 0);
	both(OP_MREMAP, 0, P(1), P(2), 8, 0);
	both(OP_MREMAP, 0, P(1), P(2), MREMAP_FIXED, 20);
	both(OP_MREMAP, 0, P(1), P(2), MREMAP_MAYMOVE | MREMAP_DONTUNMAP, 0);
	both(OP_MREMAP, 0, P(1), 0, 0, 0);
	both(OP_MREMAP, 0, P(2), P(5), 0, 0);
	both(OP_MREMAP, 2, P(4), P(5), MREMAP_MAYMOVE | MREMAP_FIXED, 30);
	both(OP_MREMAP, 0, P(2), P(2), MREMAP_MAYMOVE | MREMAP_FIXED, 1);
	both(OP_MUNMAP, 0, P(WPAGES), 0, 0, 0);
}

int main(void)
{
	void *h = mmap((void *)HOSTB, P(WPAGES), PROT_NONE, MAP_PRIVATE |
		       MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);

	if (h != (void *)HOSTB) {
		printf("ok skipped: host window %#llx taken\n", HOSTB);
		return 0;
	}
	munmap(h, P(WPAGES));
	mm = new_space();
	RUN(test_scenario);
	RUN(test_errors);
	RUN(test_random);
	mm_space_destroy(mm);
	return harness_exit();
}
