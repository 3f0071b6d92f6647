/* managers/processor/exec_test.c — selftests of the local ELF loader
 * (process_exec.c) on bad input: an embedded program cut short at many
 * points (inside the headers, inside the last segment's file bytes) and
 * copies with one corrupted field each must give -ENOEXEC — never a
 * fault, never a leaked page — while the intact program loads.  Cuts
 * after the segments' file bytes (section headers, symbols) still load,
 * as on Linux.  Programs are loaded into a throw-away process that never
 * runs.
 */
#include <kernel/selftest.h>
#include <lib/string.h>
#include <mm/mm.h>
#include <uapi/elf.h>
#include <uapi/errno.h>
#include "internal.h"

static int load(const u8 *data, u64 size)
{
	const char *argv[] = { "bad", NULL }, *envp[] = { NULL };
	struct exec_source src = { .data = data, .size = size };
	struct exec_image img;
	struct process *p = process_create(NULL, &localmm_ops);
	int err;

	if (!p)
		return -ENOMEM;
	err = process_load_elf(p, &src, argv, envp, "bad", &img);
	process_abandon(p);
	return err;
}

/* End of the last PT_LOAD's file bytes. */
static u64 segments_end(const u8 *elf)
{
	const struct elf64_ehdr *eh = (const void *)elf;
	const struct elf64_phdr *ph = (const void *)(elf + eh->e_phoff);
	u64 end = 0;

	for (int i = 0; i < eh->e_phnum; i++)
		if (ph[i].p_type == PT_LOAD)
			end = MAX(end, ph[i].p_offset + ph[i].p_filesz);
	return end;
}

SELFTEST(abi_exec_truncated)
{
	const struct embedded_prog *prog = embedded_find("hello");
	unsigned long pages = localmm_pages();
	u64 size, end;

	ST_ASSERT(prog);
	size = prog->end - prog->start;
	end = segments_end(prog->start);
	ST_ASSERT(end > 4096 && end <= size);
	ST_EQ(load(prog->start, size), 0);
	ST_EQ(load(prog->start, end), 0);
	for (u64 cut = 0; cut < end; cut += cut < 256 ? 13 : 1531)
		ST_EQ(load(prog->start, cut), -ENOEXEC);
	ST_EQ(load(prog->start, end - 1), -ENOEXEC);
	ST_EQ(load((const u8 *)"#!/bin/sh\nexit 0\n", 17), -ENOEXEC);
	ST_EQ(load((const u8 *)"just some text\n", 15), -ENOEXEC);
	ST_EQ(localmm_pages(), pages);
	return 0;
}

/* Corrupt a copy of hello with @fn, expect -ENOEXEC, restore. */
#define CORRUPT(copy, orig, size, stmt)                                  \
	do {                                                             \
		struct elf64_ehdr *eh = (void *)(copy);                  \
		struct elf64_phdr *ph = (void *)((copy) + eh->e_phoff);  \
		int load_i = 0;                                          \
		while (ph[load_i].p_type != PT_LOAD)                     \
			load_i++;                                        \
		stmt;                                                    \
		ST_EQ(load(copy, size), -ENOEXEC);                       \
		memcpy(copy, orig, size);                                \
	} while (0)

SELFTEST(abi_exec_corrupted)
{
	const struct embedded_prog *prog = embedded_find("hello");
	unsigned long pages = localmm_pages();
	u64 size;
	u8 *c;

	ST_ASSERT(prog);
	size = prog->end - prog->start;
	c = kmalloc(size);
	ST_ASSERT(c);
	memcpy(c, prog->start, size);
	ST_EQ(load(c, size), 0);
	CORRUPT(c, prog->start, size, eh->e_ident[0] = 0x7e);
	CORRUPT(c, prog->start, size, eh->e_ident[EI_CLASS] = 1);
	CORRUPT(c, prog->start, size, eh->e_ident[EI_DATA] = 2);
	CORRUPT(c, prog->start, size, eh->e_machine = 3);
	CORRUPT(c, prog->start, size, eh->e_type = 1);
	CORRUPT(c, prog->start, size, eh->e_phentsize = 32);
	CORRUPT(c, prog->start, size, eh->e_phnum = 0);
	CORRUPT(c, prog->start, size, eh->e_phnum = 0xffff);
	CORRUPT(c, prog->start, size, eh->e_phoff = size - 8);
	CORRUPT(c, prog->start, size, eh->e_phoff = ~0ull - 8);
	CORRUPT(c, prog->start, size, ph[load_i].p_filesz = size + 1);
	CORRUPT(c, prog->start, size, ph[load_i].p_offset = ~0ull - 4096);
	CORRUPT(c, prog->start, size,
		ph[load_i].p_filesz = ph[load_i].p_memsz + 1);
	CORRUPT(c, prog->start, size,
		ph[load_i].p_vaddr = 0xffff800000000000ull);
	CORRUPT(c, prog->start, size, ph[load_i].p_vaddr = ~0ull - 4096);
	CORRUPT(c, prog->start, size, ph[load_i].p_vaddr = 0);
	CORRUPT(c, prog->start, size, ph[load_i].p_type = PT_INTERP);
	CORRUPT(c, prog->start, size,
		for (int i = 0; i < eh->e_phnum; i++) ph[i].p_type = PT_NOTE);
	kfree(c);
	ST_EQ(localmm_pages(), pages);
	return 0;
}
