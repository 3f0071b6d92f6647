/* drivers/acpi/madt.c — find the MADT and list CPUs and I/O APICs.
 *
 * RSDP: from the boot loader (PVH and multiboot2 both can pass it), else
 * the first KiB of the EBDA and 0xe0000-0xfffff on 16-byte boundaries.
 * Revision >= 2 RSDPs lead to the XSDT (64-bit entries), else the RSDT.
 * All table memory is read through the direct map; lengths are bounded
 * (1 MiB) and checksums checked before a byte of a table is trusted.
 * CPUs whose MADT entry is neither enabled nor online-capable are skipped.
 */
#include <asm/layout.h>
#include <drivers/acpi.h>
#include <kernel/printk.h>
#include <lib/string.h>
#include <uapi/errno.h>

#define MAX_TABLE_LEN (1u << 20)

struct sdt_header {
	char sig[4];
	u32 len;
	u8 rev, csum;
	char oem[6], oem_table[8];
	u32 oem_rev, creator, creator_rev;
} __packed;
_Static_assert(sizeof(struct sdt_header) == 36, "sdt header");

struct rsdp {
	char sig[8];
	u8 csum;
	char oem[6];
	u8 rev;
	u32 rsdt;
	u32 len;
	u64 xsdt;
	u8 xcsum, reserved[3];
} __packed;

static bool sum_ok(const void *p, u32 len)
{
	u8 s = 0;

	for (u32 i = 0; i < len; i++)
		s += ((const u8 *)p)[i];
	return s == 0;
}

static const struct rsdp *rsdp_at(u64 pa)
{
	const struct rsdp *r = phys_to_virt(pa);

	if (memcmp(r->sig, "RSD PTR ", 8) || !sum_ok(r, 20))
		return NULL;
	if (r->rev >= 2 && (r->len < sizeof(*r) || r->len > 4096 ||
			    !sum_ok(r, r->len)))
		return NULL;
	return r;
}

static const struct rsdp *find_rsdp(u64 hint)
{
	u64 ebda = (u64)(*(const u16 *)phys_to_virt(0x40e)) << 4;

	if (hint && rsdp_at(hint))
		return rsdp_at(hint);
	if (ebda >= 0x80000 && ebda < 0xa0000)
		for (u64 a = ebda; a < ebda + 1024; a += 16)
			if (rsdp_at(a))
				return rsdp_at(a);
	for (u64 a = 0xe0000; a < 0x100000; a += 16)
		if (rsdp_at(a))
			return rsdp_at(a);
	return NULL;
}

static const struct sdt_header *table_at(u64 pa)
{
	const struct sdt_header *h;

	if (!pa || pa >= (4ull << 30))
		return NULL;
	h = phys_to_virt(pa);
	if (h->len < sizeof(*h) || h->len > MAX_TABLE_LEN || !sum_ok(h, h->len))
		return NULL;
	return h;
}

static const struct sdt_header *find_table(const struct rsdp *r,
					   const char sig[4])
{
	bool x = r->rev >= 2 && r->xsdt;
	const struct sdt_header *root = table_at(x ? r->xsdt : r->rsdt);
	u32 esize = x ? 8 : 4, n;

	if (!root)
		return NULL;
	n = (root->len - sizeof(*root)) / esize;
	for (u32 i = 0; i < n; i++) {
		const u8 *e = (const u8 *)(root + 1) + i * esize;
		u64 pa = x ? *(const u64 *)e : *(const u32 *)e;
		const struct sdt_header *t = table_at(pa);

		if (t && !memcmp(t->sig, sig, 4))
			return t;
	}
	return NULL;
}

static void add_cpu(struct acpi_madt_info *m, u32 apic_id, u32 flags)
{
	if (!(flags & 3))
		return;			/* neither enabled nor online-capable */
	for (u32 i = 0; i < m->nr_cpus; i++)
		if (m->apic_ids[i] == apic_id)
			return;		/* listed twice (xAPIC + x2APIC) */
	if (m->nr_cpus >= CONFIG_NR_CPUS) {
		m->skipped_cpus++;
		return;
	}
	m->apic_ids[m->nr_cpus++] = apic_id;
}

static void decode_entry(const u8 *e, struct acpi_madt_info *m)
{
	switch (e[0]) {
	case 0:		/* processor local APIC */
		if (e[1] >= 8)
			add_cpu(m, e[3], *(const u32 *)(e + 4));
		break;
	case 1:		/* I/O APIC */
		if (e[1] >= 12 && m->nr_ioapics < ACPI_MAX_IOAPICS)
			m->ioapics[m->nr_ioapics++] = (struct acpi_ioapic){
				e[2], *(const u32 *)(e + 4), *(const u32 *)(e + 8) };
		break;
	case 2:		/* interrupt source override */
		if (e[1] >= 10 && m->nr_overrides < ACPI_MAX_OVERRIDES)
			m->overrides[m->nr_overrides++] = (struct acpi_override){
				e[3], *(const u32 *)(e + 4), *(const u16 *)(e + 8) };
		break;
	case 9:		/* processor local x2APIC */
		if (e[1] >= 16)
			add_cpu(m, *(const u32 *)(e + 4), *(const u32 *)(e + 8));
		break;
	default:
		break;
	}
}

int acpi_madt_decode(const void *table, u32 len, struct acpi_madt_info *m)
{
	const u8 *p = (const u8 *)table + sizeof(struct sdt_header) + 8;
	const u8 *end = (const u8 *)table + len;

	memset(m, 0, sizeof(*m));
	if (len < sizeof(struct sdt_header) + 8)
		return -EINVAL;
	while (p + 2 <= end) {
		if (p[1] < 2 || p + p[1] > end)
			return -EINVAL;	/* entry length would loop or overrun */
		decode_entry(p, m);
		p += p[1];
	}
	return m->nr_cpus ? 0 : -EINVAL;
}

int acpi_madt_parse(u64 hint, struct acpi_madt_info *m)
{
	const struct rsdp *r = find_rsdp(hint);
	const struct sdt_header *madt;
	int err;

	memset(m, 0, sizeof(*m));
	if (!r) {
		pr_warn("acpi: no RSDP found\n");
		return -ENOENT;
	}
	madt = find_table(r, "APIC");
	if (!madt) {
		pr_warn("acpi: no valid MADT\n");
		return -ENOENT;
	}
	err = acpi_madt_decode(madt, madt->len, m);
	if (err)
		pr_warn("acpi: malformed MADT ignored\n");
	else if (m->skipped_cpus)
		pr_warn("acpi: %u CPUs beyond CONFIG_NR_CPUS=%d not used\n",
			m->skipped_cpus, CONFIG_NR_CPUS);
	return err;
}

u32 acpi_isa_irq_to_gsi(const struct acpi_madt_info *m, u8 irq, u16 *flags)
{
	for (u32 i = 0; i < m->nr_overrides; i++)
		if (m->overrides[i].irq == irq) {
			*flags = m->overrides[i].flags;
			return m->overrides[i].gsi;
		}
	*flags = 0;
	return irq;
}
