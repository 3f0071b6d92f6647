/* arch/x86/kernel/machine.c — leaving the machine.
 *
 * QEMU's isa-debug-exit device (iobase 0xf4, iosize 4) exits the emulator
 * with status (value << 1) | 1; tests start QEMU with it.  On a machine
 * without it (bare metal, or QEMU without the device) the write is
 * harmless and we halt with interrupts off.
 */
#include <asm/x86.h>
#include <kernel/machine.h>
#include <kernel/smp.h>

#define DEBUG_EXIT_PORT 0xf4

static bool gs_ready;

bool cpu_local_ready(void)
{
	return gs_ready;
}

void machine_set_cpu_local_ready(void)
{
	gs_ready = true;
}

void machine_exit(enum machine_exit_code code)
{
	local_irq_disable();
	outl(DEBUG_EXIT_PORT, (u32)code);
	for (;;)
		halt();
}
