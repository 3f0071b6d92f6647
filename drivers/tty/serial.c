/* drivers/tty/serial.c — 16550 UART console on COM1 (0x3f8).
 *
 * Polled transmit only, 115200 8N1; registered as a printk console first
 * thing at boot.  "\n" goes out as "\r\n" (a terminal's view).  The second
 * port, COM2, is the user programs' byte stream (serial_aux.c); both use
 * the register helpers of internal.h.
 * Covers: the 8250/16550 compatible UART every PC and QEMU provide.
 */
#include <drivers/serial.h>
#include <kernel/printk.h>
#include "internal.h"

#define COM1	0x3f8

static bool present;

static void serial_putc(char c)
{
	unsigned int spins = 0;

	while (!(inb(COM1 + UART_LSR) & LSR_THRE) && ++spins < 100000)
		cpu_relax();
	outb(COM1 + UART_THR, (u8)c);
}

static void serial_write(const char *s, size_t n)
{
	if (!present)
		return;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\n')
			serial_putc('\r');
		serial_putc(s[i]);
	}
}

static struct console serial_console = {
	.name = "ttyS0",
	.write = serial_write,
};

void serial_init(void)
{
	present = uart_setup(COM1);
	console_register(&serial_console);
}
