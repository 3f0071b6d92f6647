/* kernel/kallsyms.c — address → symbol lookup over the table that
 * scripts/gen-kallsyms builds at link time (section .kallsyms, sorted by
 * address).  Binary search; no allocation; safe in any context, including
 * the panic path. */
#include <kernel/kallsyms.h>
#include <lib/printf.h>
#include <lib/string.h>

struct ksym {
	u64 addr;
	u32 name_off;
	u32 size;
};

extern const u64 kallsyms_table[];
extern const char kallsyms_names[];

static const struct ksym *syms(void)
{
	return (const struct ksym *)&kallsyms_table[1];
}

const char *kallsyms_lookup(unsigned long addr, unsigned long *off,
			    unsigned long *size)
{
	u64 n = kallsyms_table[0];
	const struct ksym *s = syms();
	u64 lo = 0, hi = n;

	while (lo < hi) {
		u64 mid = (lo + hi) / 2;

		if (s[mid].addr <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo)
		return NULL;
	s += lo - 1;
	if (addr - s->addr >= s->size)
		return NULL;
	if (off)
		*off = addr - s->addr;
	if (size)
		*size = s->size;
	return kallsyms_names + s->name_off;
}

unsigned long kallsyms_lookup_name(const char *name)
{
	u64 n = kallsyms_table[0];

	for (u64 i = 0; i < n; i++)
		if (!strcmp(kallsyms_names + syms()[i].name_off, name))
			return syms()[i].addr;
	return 0;
}

int kallsyms_snprint(char *buf, size_t size, unsigned long addr)
{
	unsigned long off, sz;
	const char *name = kallsyms_lookup(addr, &off, &sz);

	if (!name)
		return 0;
	return snprintf(buf, size, "%s+0x%lx/0x%lx", name, off, sz);
}
