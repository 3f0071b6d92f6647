/* include/kernel/machine.h — leaving the machine and early CPU facts
 * (arch/x86/kernel/machine.c). */
#ifndef KERNEL_MACHINE_H
#define KERNEL_MACHINE_H

#include <tessera/compiler.h>

/* isa-debug-exit (iobase 0xf4) turns value v into QEMU exit status
 * (v << 1) | 1.  We write: 0 for success (status 1), 1 for test failure
 * (status 3), 2 for panic (status 5), 3 to be booted again (status 7:
 * the cluster launcher restarts the node with restarted=N appended to its
 * command line; tests of a peer that reboots).  Without the device, halt
 * forever. */
enum machine_exit_code {
	MACHINE_EXIT_OK = 0,
	MACHINE_EXIT_FAIL = 1,
	MACHINE_EXIT_PANIC = 2,
	MACHINE_EXIT_RESTART = 3,
};
__noreturn void machine_exit(enum machine_exit_code code);
/* Run @fn before the machine stops through machine_exit() (not on panic):
 * write-back of caches, flushing of logs.  Hooks run in reverse order of
 * registration, in the calling thread, and may sleep.  At most 16. */
int machine_add_shutdown_hook(void (*fn)(void));
/* True once %gs holds this CPU's struct cpu_local. */
bool cpu_local_ready(void);
void machine_set_cpu_local_ready(void);

#endif
