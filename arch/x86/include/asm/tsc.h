/* arch/x86/include/asm/tsc.h — TSC calibration (arch/x86/kernel/tsc.c). */
#ifndef ASM_TSC_H
#define ASM_TSC_H
/* First thing at boot: the clock's zero. */
void tsc_mark_entry(void);
void tsc_init(void);
#endif
