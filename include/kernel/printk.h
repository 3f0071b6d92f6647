/* include/kernel/printk.h — the kernel log (kernel/printk.c).
 *
 * Every line goes to the console drivers with a "[seconds.micros] cpuN "
 * prefix and into an in-memory ring.  Safe from any context, interrupts
 * included; lines from different CPUs never interleave mid-line.
 */
#ifndef KERNEL_PRINTK_H
#define KERNEL_PRINTK_H

#include <lib/printf.h>

__printf(1, 2) void printk(const char *fmt, ...);
void vprintk(const char *fmt, va_list ap);

/* Console sinks (the 16550 driver registers one).  write() may be called
 * with interrupts off and must not sleep. */
struct console {
	const char *name;
	void (*write)(const char *s, size_t n);
	struct console *next;
};
void console_register(struct console *c);
/* Write raw bytes to every console, bypassing the lock (panic path). */
void console_write_raw(const char *s, size_t n);
/* A program's console output: no prefix, never interleaved with a log
 * line.  Any context; does not sleep. */
void console_write_user(const char *s, size_t n);
/* After a panic on another CPU, printk stops taking its lock. */
void printk_enter_panic(void);
/* Boot: timestamps once the TSC is calibrated, CPU numbers once %gs is
 * set (before that they print as 0). */
void printk_clock_ready(void);
void printk_percpu_ready(void);

#ifndef pr_fmt
#define pr_fmt(fmt) fmt
#endif
#define pr_err(fmt, ...)  printk("error: " pr_fmt(fmt), ##__VA_ARGS__)
#define pr_warn(fmt, ...) printk("warning: " pr_fmt(fmt), ##__VA_ARGS__)
#define pr_info(fmt, ...) printk(pr_fmt(fmt), ##__VA_ARGS__)
#define pr_debug(fmt, ...) do { if (0) printk(pr_fmt(fmt), ##__VA_ARGS__); } while (0)
/* Log once per call site (unimplemented paths, bad input floods). */
#define pr_warn_once(fmt, ...)                                              \
	do {                                                                \
		static bool __done;                                         \
		if (!__atomic_exchange_n(&__done, true, __ATOMIC_RELAXED))  \
			pr_warn(fmt, ##__VA_ARGS__);                        \
	} while (0)

#endif
