/* include/kernel/panic.h — fatal errors and warnings (kernel/panic.c).
 *
 * panic() is for broken local invariants and unbootable machines only —
 * never for bad input or a missing peer (those return errors).  It prints
 * the message, the registers (if a trap frame is known) and a symbolized
 * backtrace, stops the other CPUs and ends QEMU through isa-debug-exit.
 */
#ifndef KERNEL_PANIC_H
#define KERNEL_PANIC_H

#include <tessera/compiler.h>

struct pt_regs;

__printf(1, 2) __noreturn void panic(const char *fmt, ...);
__noreturn void panic_regs(struct pt_regs *regs, const char *fmt, ...);
/* Print a backtrace starting from frame pointer @rbp (0 = current). */
void dump_stack(void);
void dump_stack_from(unsigned long rip, unsigned long rbp);
void dump_regs(const struct pt_regs *regs);
void warn_slowpath(const char *file, int line, const char *cond);
bool in_panic(void);

/* Post-mortem on an NMI nobody requested (kernel/postmortem.c): every
 * CPU's context, the tasks with their backtraces, then each registered
 * hook's dump.  Hooks run in NMI context: no sleeping, no locks the
 * interrupted code may hold (read counters, print). */
struct postmortem_hook {
	const char *name;
	void (*dump)(void);
	struct postmortem_hook *next;
};
void postmortem_register(struct postmortem_hook *h);	/* at init */
void postmortem_nmi(struct pt_regs *regs);

#define BUG_ON(c)                                                           \
	do {                                                                \
		if (unlikely(c))                                            \
			panic("BUG at %s:%d: %s", __FILE__, __LINE__, #c);  \
	} while (0)
#define BUG() panic("BUG at %s:%d", __FILE__, __LINE__)
#define WARN_ON(c)                                                          \
	({                                                                  \
		bool __w = !!(c);                                           \
		if (unlikely(__w))                                          \
			warn_slowpath(__FILE__, __LINE__, #c);              \
		__w;                                                        \
	})
#define WARN_ON_ONCE(c)                                                     \
	({                                                                  \
		static bool __warned;                                       \
		bool __w = !!(c);                                           \
		if (unlikely(__w) && !__warned) {                           \
			__warned = true;                                    \
			warn_slowpath(__FILE__, __LINE__, #c);              \
		}                                                           \
		__w;                                                        \
	})

#endif
