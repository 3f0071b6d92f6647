/* arch/x86/kernel/smp.c — cross-CPU calls (filled in with the APIC). */
#include <kernel/smp.h>

void smp_stop_others(void)
{
}
