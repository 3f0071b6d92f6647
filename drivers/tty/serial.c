/* drivers/tty/serial.c — 16550 UART console on COM1 (0x3f8).
 *
 * Polled transmit only, 115200 8N1; registered as a printk console first
 * thing at boot.  Receive is added when a user console needs it.
 * Covers: the 8250/16550 compatible UART every PC and QEMU provide.
 */
#include <asm/x86.h>
#include <drivers/serial.h>
#include <kernel/printk.h>

#define COM1	0x3f8
#define THR	0	/* transmit holding */
#define IER	1
#define FCR	2
#define LCR	3
#define MCR	4
#define LSR	5
#define LSR_THRE 0x20

static bool present;

static void serial_putc(char c)
{
	unsigned int spins = 0;

	while (!(inb(COM1 + LSR) & LSR_THRE) && ++spins < 100000)
		cpu_relax();
	outb(COM1 + THR, (u8)c);
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
	outb(COM1 + IER, 0x00);
	outb(COM1 + LCR, 0x80);		/* DLAB */
	outb(COM1 + 0, 0x01);		/* divisor 1: 115200 */
	outb(COM1 + 1, 0x00);
	outb(COM1 + LCR, 0x03);		/* 8N1 */
	outb(COM1 + FCR, 0xc7);		/* FIFO on, cleared */
	outb(COM1 + MCR, 0x0b);
	/* A floating bus reads 0xff: no UART there. */
	present = inb(COM1 + LSR) != 0xff;
	console_register(&serial_console);
}
