/* managers/memory/loader/stack.c — the initial user stack image.
 *
 * Lays out what a Linux x86-64 process finds at its entry, from the top
 * of the stack down:
 *
 *   stack_top - 8      8-byte NULL end marker
 *                      execfn string (AT_EXECFN)
 *                      envp strings, envp[0]'s lowest
 *                      argv strings, argv[0]'s lowest
 *                      platform string (AT_PLATFORM)
 *                      16 random bytes (AT_RANDOM)
 *                      padding so that rsp is 16-byte aligned
 *                      auxv {key, value} pairs ... {AT_NULL, 0}
 *                      NULL, envp[envc - 1] ... envp[0]
 *                      NULL, argv[argc - 1] ... argv[0]
 *   rsp                argc
 *
 * The auxiliary vector comes in Linux's order; AT_SYSINFO_EHDR and
 * AT_MINSIGSTKSZ only when given.  Strings longer than MAX_ARG_STRLEN (32
 * pages) or an image larger than the buffer give -E2BIG, as execve does.
 *
 * Pure function: no locks, no allocation.  Caller: the P2M_EXECVE handler
 * (then elf_exec_map copies the image into the new space); host tests.
 */
#include <lib/string.h>
#include <memory/loader.h>
#include <mm/mm.h>
#include <uapi/auxvec.h>
#include <uapi/errno.h>

#define MAX_ARG_STRLEN	(32 * MM_PAGE_SIZE)
#define AUXV_MAX	22

struct sbuild {
	u8 *buf;
	u64 size;
	u64 top;		/* user address of the end of buf */
	u64 pos;		/* lowest user address used so far */
	int err;
};

static u8 *sb_ptr(struct sbuild *sb, u64 va)
{
	return sb->buf + (va - (sb->top - sb->size));
}

/* Reserve @len bytes below pos, aligned down to @align; returns the
 * address (0 and sb->err set when it does not fit). */
static u64 sb_alloc(struct sbuild *sb, u64 len, u64 align)
{
	u64 room = sb->pos - (sb->top - sb->size);
	u64 need = len + ((sb->pos - len) & (align - 1));

	if (sb->err || len > room || need > room) {
		sb->err = -E2BIG;
		return 0;
	}
	sb->pos -= need;
	return sb->pos;
}

static u64 sb_string(struct sbuild *sb, const char *s)
{
	u64 len = strnlen(s, MAX_ARG_STRLEN + 1) + 1, va;

	if (len > MAX_ARG_STRLEN) {
		sb->err = -E2BIG;
		return 0;
	}
	va = sb_alloc(sb, len, 1);
	if (va)
		memcpy(sb_ptr(sb, va), s, len);
	return va;
}

static void sb_put(struct sbuild *sb, u64 va, u64 val)
{
	memcpy(sb_ptr(sb, va), &val, sizeof(val));
}

static unsigned int count(const char *const *v)
{
	unsigned int n = 0;

	while (v[n])
		n++;
	return n;
}

/* Push the strings of @v so that v[0] ends up lowest; addresses to @va. */
static void push_strings(struct sbuild *sb, const char *const *v,
			 unsigned int n, u64 *va)
{
	while (n--)
		va[n] = sb_string(sb, v[n]);
}

struct auxv {
	unsigned int n;
	u64 kv[AUXV_MAX * 2];
};

static void aux(struct auxv *a, u64 key, u64 val)
{
	a->kv[a->n * 2] = key;
	a->kv[a->n * 2 + 1] = val;
	a->n++;
}

static void fill_auxv(struct auxv *a, const struct stack_params *p,
		      u64 random_va, u64 execfn_va, u64 platform_va)
{
	a->n = 0;
	if (p->sysinfo_ehdr)
		aux(a, AT_SYSINFO_EHDR, p->sysinfo_ehdr);
	if (p->minsigstksz)
		aux(a, AT_MINSIGSTKSZ, p->minsigstksz);
	aux(a, AT_HWCAP, p->hwcap);
	aux(a, AT_PAGESZ, MM_PAGE_SIZE);
	aux(a, AT_CLKTCK, p->clktck);
	aux(a, AT_PHDR, p->phdr);
	aux(a, AT_PHENT, p->phent);
	aux(a, AT_PHNUM, p->phnum);
	aux(a, AT_BASE, p->base);
	aux(a, AT_FLAGS, p->flags);
	aux(a, AT_ENTRY, p->entry);
	aux(a, AT_UID, p->uid);
	aux(a, AT_EUID, p->euid);
	aux(a, AT_GID, p->gid);
	aux(a, AT_EGID, p->egid);
	aux(a, AT_SECURE, p->secure);
	aux(a, AT_RANDOM, random_va);
	aux(a, AT_HWCAP2, p->hwcap2);
	aux(a, AT_EXECFN, execfn_va);
	aux(a, AT_PLATFORM, platform_va);
	aux(a, AT_NULL, 0);
}

/* Write argc, argv[], envp[] and auxv at the final rsp. */
static void write_tables(struct sbuild *sb, u64 sp, const u64 *argv_va,
			 unsigned int argc, const u64 *envp_va,
			 unsigned int envc, const struct auxv *a)
{
	unsigned int i;
	u64 va = sp;

	sb_put(sb, va, argc);
	va += 8;
	for (i = 0; i < argc; i++, va += 8)
		sb_put(sb, va, argv_va[i]);
	sb_put(sb, va, 0);
	va += 8;
	for (i = 0; i < envc; i++, va += 8)
		sb_put(sb, va, envp_va[i]);
	sb_put(sb, va, 0);
	va += 8;
	for (i = 0; i < a->n * 2; i++, va += 8)
		sb_put(sb, va, a->kv[i]);
}

static int stack_layout(const struct stack_params *p, struct sbuild *sb,
			u64 *str_va, unsigned int argc, unsigned int envc,
			u64 *sp)
{
	u64 execfn_va, platform_va, random_va, table, end_marker;
	struct auxv a;

	end_marker = sb_alloc(sb, 8, 1);
	if (sb->err)
		return sb->err;
	sb_put(sb, end_marker, 0);
	execfn_va = sb_string(sb, p->execfn);
	push_strings(sb, p->envp, envc, str_va + argc);
	push_strings(sb, p->argv, argc, str_va);
	platform_va = sb_string(sb, p->platform);
	random_va = sb_alloc(sb, 16, 16);
	if (sb->err)
		return sb->err;
	memcpy(sb_ptr(sb, random_va), p->random, 16);
	fill_auxv(&a, p, random_va, execfn_va, platform_va);
	table = 8 * (1 + argc + 1 + envc + 1) + 16 * a.n;
	*sp = sb_alloc(sb, table, 16);
	if (sb->err)
		return sb->err;
	write_tables(sb, *sp, str_va, argc, str_va + argc, envc, &a);
	return 0;
}

int stack_build(const struct stack_params *p, u64 stack_top, u8 *buf,
		u64 size, u64 *sp)
{
	struct sbuild sb = { buf, size, stack_top, stack_top, 0 };
	unsigned int argc, envc;
	u64 *str_va;
	int err;

	if (!p->argv || !p->envp || !p->execfn || !p->platform ||
	    (stack_top & 15) || size > stack_top)
		return -EINVAL;
	argc = count(p->argv);
	envc = count(p->envp);
	if ((u64)argc + envc > size / 16)
		return -E2BIG;
	str_va = kcalloc(argc + envc + 1, sizeof(*str_va));
	if (!str_va)
		return -ENOMEM;
	err = stack_layout(p, &sb, str_va, argc, envc, sp);
	kfree(str_va);
	return err;
}
