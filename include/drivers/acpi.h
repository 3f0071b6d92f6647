/* include/drivers/acpi.h — the ACPI tables Tessera reads (drivers/acpi/).
 *
 * Just enough to boot SMP: the RSDP, RSDT/XSDT and the MADT (CPUs, I/O
 * APICs, interrupt source overrides).  Every table's checksum and length
 * are verified; a table that fails is ignored with a warning, and without
 * a usable MADT the machine runs on the boot CPU alone.
 */
#ifndef DRIVERS_ACPI_H
#define DRIVERS_ACPI_H

#include <tessera/types.h>

#define ACPI_MAX_IOAPICS 8
#define ACPI_MAX_OVERRIDES 16

struct acpi_ioapic {
	u32 id, addr, gsi_base;
};

struct acpi_override {
	u8 irq;
	u32 gsi;
	u16 flags;	/* MPS INTI flags: polarity bits 0-1, trigger 2-3 */
};

struct acpi_madt_info {
	u32 nr_cpus;
	u32 apic_ids[CONFIG_NR_CPUS];	/* [0] is not necessarily the BSP */
	u32 nr_ioapics;
	struct acpi_ioapic ioapics[ACPI_MAX_IOAPICS];
	u32 nr_overrides;
	struct acpi_override overrides[ACPI_MAX_OVERRIDES];
	u32 skipped_cpus;	/* enabled CPUs beyond CONFIG_NR_CPUS */
};

/* Find and parse the MADT.  @rsdp is the loader's RSDP address or 0 (then
 * the BIOS areas are searched).  Returns 0 or -ENOENT / -EINVAL. */
int acpi_madt_parse(u64 rsdp, struct acpi_madt_info *out);
/* Validate and parse an in-memory MADT (exposed for tests). */
int acpi_madt_decode(const void *table, u32 len, struct acpi_madt_info *out);
/* The GSI for legacy ISA @irq (after overrides) and its flags. */
u32 acpi_isa_irq_to_gsi(const struct acpi_madt_info *m, u8 irq, u16 *flags);

#endif
