/* arch/x86/kernel/machine.c — leaving the machine.
 *
 * QEMU's isa-debug-exit device (iobase 0xf4, iosize 4) exits the emulator
 * with status (value << 1) | 1; tests start QEMU with it.  On a machine
 * without it (bare metal, or QEMU without the device) the write is
 * harmless and we halt with interrupts off.  Shutdown hooks run first
 * (not on a panic: the machine is in an unknown state then).
 */
#include <asm/x86.h>
#include <kernel/machine.h>
#include <kernel/smp.h>
#include <uapi/errno.h>

#define DEBUG_EXIT_PORT 0xf4
#define MAX_HOOKS 16

static void (*hooks[MAX_HOOKS])(void);
static int nr_hooks;

static bool gs_ready;

bool cpu_local_ready(void)
{
	return gs_ready;
}

void machine_set_cpu_local_ready(void)
{
	gs_ready = true;
}

int machine_add_shutdown_hook(void (*fn)(void))
{
	int i = __atomic_fetch_add(&nr_hooks, 1, __ATOMIC_SEQ_CST);

	if (i >= MAX_HOOKS)
		return -ENOSPC;
	__atomic_store_n(&hooks[i], fn, __ATOMIC_RELEASE);
	return 0;
}

static void run_hooks(void)
{
	int n = MIN(__atomic_load_n(&nr_hooks, __ATOMIC_ACQUIRE), MAX_HOOKS);

	/* Not from interrupts or with interrupts off: hooks may sleep. */
	if (irqs_disabled() || !cpu_local_ready())
		return;
	while (n--)
		if (hooks[n])
			hooks[n]();
}

void machine_exit(enum machine_exit_code code)
{
	if (code != MACHINE_EXIT_PANIC)
		run_hooks();
	local_irq_disable();
	outl(DEBUG_EXIT_PORT, (u32)code);
	for (;;)
		halt();
}
