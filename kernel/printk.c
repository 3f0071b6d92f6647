/* kernel/printk.c — the kernel log.
 *
 * Each call formats one message into a per-call stack buffer, prefixes
 * every line with "[seconds.micros] cpuN ", and writes it to every console
 * under printk_lock with interrupts off, so lines never interleave.  The
 * last LOG_SIZE bytes are kept in a ring for post-mortem dumps.  Once a
 * panic started, the lock is skipped (the CPU holding it may be dead).
 *
 * Programs' console output (console_write_user) takes the same lock, so a
 * log line never lands inside a program's write, and a log line that
 * follows an unfinished program line starts on a line of its own.
 *
 * Lock order: printk_lock is a leaf; it is a raw ticket lock (not the
 * debug spinlock) so the lock debugger can print while reporting.
 */
#include <asm/x86.h>
#include <kernel/printk.h>
#include <kernel/smp.h>
#include <kernel/time.h>
#include <lib/string.h>

#define LOG_SIZE 16384

static struct console *consoles;
static volatile int printk_lock;
static volatile int panicking;
static char log_ring[LOG_SIZE];
static size_t log_head;
static bool clock_ready;
/* The console's cursor is at the start of a line (printk and user output
 * share it); under printk_lock. */
static bool at_line_start = true;
static bool user_mid_line;
static bool percpu_ready;

void console_register(struct console *c)
{
	c->next = consoles;
	consoles = c;
}

void console_write_raw(const char *s, size_t n)
{
	for (struct console *c = consoles; c; c = c->next)
		c->write(s, n);
}

void printk_enter_panic(void)
{
	panicking = 1;
}

void printk_clock_ready(void)
{
	clock_ready = true;
}
void printk_percpu_ready(void)
{
	percpu_ready = true;
}

static void log_store(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		log_ring[(log_head + i) % LOG_SIZE] = s[i];
	log_head += n;
}

static void emit(const char *s, size_t n)
{
	log_store(s, n);
	console_write_raw(s, n);
}

static void lock(void)
{
	unsigned long spins = 0;

	if (panicking)
		return;
	while (__atomic_exchange_n(&printk_lock, 1, __ATOMIC_ACQUIRE)) {
		cpu_relax();
		/* A CPU that died holding the lock must not silence us. */
		if (++spins > 100000000ul)
			break;
	}
}

static void unlock(void)
{
	__atomic_store_n(&printk_lock, 0, __ATOMIC_RELEASE);
}

static int prefix(char *buf, size_t size)
{
	u64 ns = clock_ready ? ktime_get_ns() : 0;
	int cpu = percpu_ready ? smp_processor_id() : 0;

	return snprintf(buf, size, "[%5llu.%06llu] cpu%d ", ns / NSEC_PER_SEC,
			(ns % NSEC_PER_SEC) / NSEC_PER_USEC, cpu);
}

void vprintk(const char *fmt, va_list ap)
{
	char msg[512], pre[40];
	unsigned long flags;
	int len, plen;
	const char *p, *nl;

	len = vsnprintf(msg, sizeof(msg), fmt, ap);
	if (len >= (int)sizeof(msg))
		len = sizeof(msg) - 1;
	plen = prefix(pre, sizeof(pre));
	flags = local_irq_save();
	lock();
	if (!at_line_start && user_mid_line) {
		/* A program's unfinished line: the log line starts afresh. */
		console_write_raw("\n", 1);
		at_line_start = true;
	}
	user_mid_line = false;
	for (p = msg; p < msg + len; p = nl) {
		nl = memchr(p, '\n', msg + len - p);
		nl = nl ? nl + 1 : msg + len;
		if (at_line_start)
			emit(pre, plen);
		emit(p, nl - p);
		at_line_start = nl[-1] == '\n';
	}
	if (len && !at_line_start && fmt[0] && msg[len - 1] != '\n') {
		/* Every printk is a line: terminate it. */
		emit("\n", 1);
		at_line_start = true;
	}
	unlock();
	local_irq_restore(flags);
}

void console_write_user(const char *s, size_t n)
{
	unsigned long flags;

	if (!n)
		return;
	flags = local_irq_save();
	lock();
	console_write_raw(s, n);
	at_line_start = s[n - 1] == '\n';
	user_mid_line = !at_line_start;
	unlock();
	local_irq_restore(flags);
}

void printk(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintk(fmt, ap);
	va_end(ap);
}
