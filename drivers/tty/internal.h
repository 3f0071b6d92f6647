/* drivers/tty/internal.h — 16550 registers and port set-up shared by the
 * COM1 console (serial.c) and the COM2 byte stream (serial_aux.c). */
#ifndef DRIVERS_TTY_INTERNAL_H
#define DRIVERS_TTY_INTERNAL_H

#include <asm/x86.h>

#define UART_RBR	0	/* receive buffer (read) */
#define UART_THR	0	/* transmit holding (write) */
#define UART_IER	1
#define UART_IIR	2	/* interrupt identification (read) */
#define UART_FCR	2	/* FIFO control (write) */
#define UART_LCR	3
#define UART_MCR	4
#define UART_LSR	5

#define IER_RDA		0x01	/* interrupt on received data */
#define MCR_DTR_RTS_OUT2 0x0b	/* OUT2 gates the IRQ line on a PC */
#define LSR_DR		0x01	/* receive data ready */
#define LSR_THRE	0x20	/* transmit FIFO empty */
#define LSR_TEMT	0x40	/* FIFO and shift register empty */
#define UART_TX_FIFO	16	/* bytes a 16550A takes once THRE is set */

/* Program @base for 115200 8N1 with FIFOs on and interrupts off; returns
 * false if nothing answers there (a floating bus reads 0xff). */
static inline bool uart_setup(u16 base)
{
	outb(base + UART_IER, 0x00);
	outb(base + UART_LCR, 0x80);		/* DLAB */
	outb(base + 0, 0x01);			/* divisor 1: 115200 */
	outb(base + 1, 0x00);
	outb(base + UART_LCR, 0x03);		/* 8N1 */
	outb(base + UART_FCR, 0xc7);		/* FIFO on, cleared */
	outb(base + UART_MCR, MCR_DTR_RTS_OUT2);
	return inb(base + UART_LSR) != 0xff;
}

#endif
