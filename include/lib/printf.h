/* include/lib/printf.h — formatted output into buffers (lib/vsnprintf.c).
 *
 * Conversions: %d %i %u %x %X %o %c %s %p %% with flags '-', '0', '+', ' ',
 * '#', width, precision (also '*'), and length modifiers hh h l ll z t j.
 * %pS prints a kernel text address as symbol+offset/size through the
 * symbolizer the kernel registers; without one it prints the hex address.
 */
#ifndef LIB_PRINTF_H
#define LIB_PRINTF_H

#include <tessera/types.h>

#ifdef __HOST_TEST__
#define vsnprintf tess_vsnprintf
#define snprintf tess_snprintf
#define printf_set_symbolizer tess_printf_set_symbolizer
#endif

typedef __builtin_va_list va_list;
#define va_start(ap, last) __builtin_va_start(ap, last)
#define va_end(ap) __builtin_va_end(ap)
#define va_arg(ap, t) __builtin_va_arg(ap, t)
#define va_copy(d, s) __builtin_va_copy(d, s)

/* Returns the length the full output would have (like C99); writes at most
 * size-1 characters plus the terminator. */
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int snprintf(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* fn writes "name+0xoff/0xsize" for addr into buf; returns length or 0 if
 * the address is unknown. */
typedef int (*printf_symbolizer_t)(char *buf, size_t size, unsigned long addr);
void printf_set_symbolizer(printf_symbolizer_t fn);

#endif
