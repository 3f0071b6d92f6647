/* arch/x86/kernel.lds.S — link layout of tessera.elf (preprocessed by cpp).
 *
 * .boot runs at its physical address (identity); everything else runs at
 * KERNEL_VMA + physical.  Segments: boot (RWX, discarded after boot in
 * spirit), text (RX), rodata (R), data+bss (RW), kallsyms (R, last so that
 * regenerating the symbol table never moves another symbol).
 */
#include <asm/layout.h>

OUTPUT_FORMAT("elf64-x86-64")
OUTPUT_ARCH(i386:x86-64)
ENTRY(mb2_start32)

PHDRS {
	boot PT_LOAD FLAGS(7);
	text PT_LOAD FLAGS(5);
	rodata PT_LOAD FLAGS(4);
	data PT_LOAD FLAGS(6);
	ksyms PT_LOAD FLAGS(4);
	note PT_NOTE FLAGS(4);
}

SECTIONS {
	. = KERNEL_PHYS;
	.boot : {
		KEEP(*(.boot.header))
		*(.boot.text)
		*(.boot.data)
	} :boot
	.note.Xen : { KEEP(*(.note.Xen)) } :boot :note
	.boot.bss (NOLOAD) : { *(.boot.bss) } :boot

	. = ALIGN(4096);
	. += KERNEL_VMA;
	__kernel_start = .;
	__text_start = .;
	.text : AT(ADDR(.text) - KERNEL_VMA) {
		*(.text.hot .text.hot.*)
		*(.text .text.*)
	} :text
	. = ALIGN(16);
	__ex_table : AT(ADDR(__ex_table) - KERNEL_VMA) {
		__ex_table_start = .;
		KEEP(*(__ex_table))
		__ex_table_end = .;
	} :text
	__text_end = .;

	. = ALIGN(4096);
	__rodata_start = .;
	.rodata : AT(ADDR(.rodata) - KERNEL_VMA) {
		*(.rodata .rodata.*)
		. = ALIGN(8);
		__param_start = .;
		KEEP(*(.kparam))
		__param_end = .;
		. = ALIGN(8);
		__initcall_start = .;
		KEEP(*(SORT(.initcall.*)))
		__initcall_end = .;
		. = ALIGN(8);
		__pci_drivers_start = .;
		KEEP(*(.pci_drivers))
		__pci_drivers_end = .;
		. = ALIGN(8);
		__virtio_drivers_start = .;
		KEEP(*(.virtio_drivers))
		__virtio_drivers_end = .;
		. = ALIGN(8);
		__role_init_start = .;
		KEEP(*(.role_init))
		__role_init_end = .;
		. = ALIGN(8);
		__selftest_start = .;
		KEEP(*(SORT(.selftest.*)))
		__selftest_end = .;
	} :rodata
	__rodata_end = .;

	. = ALIGN(4096);
	__data_start = .;
	.data : AT(ADDR(.data) - KERNEL_VMA) {
		*(.data .data.*)
	} :data
	. = ALIGN(4096);
	.percpu : AT(ADDR(.percpu) - KERNEL_VMA) {
		__percpu_start = .;
		*(.percpu .percpu.*)
		__percpu_end = .;
	} :data
	. = ALIGN(64);
	.bss : AT(ADDR(.bss) - KERNEL_VMA) {
		__bss_start = .;
		*(.bss .bss.*)
		*(COMMON)
		. = ALIGN(16);
		__bss_end = .;
	} :data
	__data_end = .;

	. = ALIGN(4096);
	.kallsyms : AT(ADDR(.kallsyms) - KERNEL_VMA) {
		KEEP(*(.kallsyms))
	} :ksyms
	. = ALIGN(4096);
	__kernel_end = .;

	/DISCARD/ : { *(.comment) *(.note.GNU-stack) *(.note.gnu.*) *(.eh_frame) }
}
