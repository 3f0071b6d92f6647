/* include/kernel/machine.h — leaving the machine and early CPU facts
 * (arch/x86/kernel/machine.c). */
#ifndef KERNEL_MACHINE_H
#define KERNEL_MACHINE_H

#include <tessera/compiler.h>

/* isa-debug-exit (iobase 0xf4) turns value v into QEMU exit status
 * (v << 1) | 1.  We write: 0 for success (status 1), 1 for test failure
 * (status 3), 2 for panic (status 5).  Without the device, halt forever. */
enum machine_exit_code {
	MACHINE_EXIT_OK = 0,
	MACHINE_EXIT_FAIL = 1,
	MACHINE_EXIT_PANIC = 2,
};
__noreturn void machine_exit(enum machine_exit_code code);
/* Shutdown hooks (kernel/role.c): run, newest first and once each, by
 * machine_shutdown() before machine_exit().  A hook may sleep and must
 * not fail the shutdown.  Returns 0 or -ENOSPC. */
int machine_add_shutdown_hook(const char *name, void (*fn)(void));
/* Run the hooks now (task context); later calls run only new ones. */
void machine_run_shutdown_hooks(void);
/* Leave cleanly: run the shutdown hooks, then machine_exit(@code). */
__noreturn void machine_shutdown(enum machine_exit_code code);
/* True once %gs holds this CPU's struct cpu_local. */
bool cpu_local_ready(void);
void machine_set_cpu_local_ready(void);

#endif
