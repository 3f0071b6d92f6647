/* include/drivers/serial.h — the 16550 UARTs (drivers/tty/): COM1 is the
 * kernel's printk console (serial.c); COM2, when the machine has one, is
 * a raw byte stream for the user programs' console (serial_aux.c). */
#ifndef DRIVERS_SERIAL_H
#define DRIVERS_SERIAL_H

#include <tessera/types.h>

/* Program COM1 and register it as a console.  Call first at boot. */
void serial_init(void);

/* Probe COM2; if it answers, route its IRQ (or start the 10 ms poller).
 * Boot CPU, once, after ioapic_init and sched_init; may sleep.  Returns 0,
 * -ENODEV (no COM2: nothing changes) or -ENOMEM. */
int serial_aux_init(void);
bool serial_aux_present(void);
/* @fn runs whenever received bytes arrive (possibly in an interrupt
 * handler: it must not sleep). */
void serial_aux_set_notify(void (*fn)(void));
/* Copy up to @n received bytes to @buf without removing them; never
 * waits.  Returns the count (0: nothing pending). */
size_t serial_aux_peek(void *buf, size_t n);
/* Drop the first @n received bytes (after a peek).  One reader at a time. */
void serial_aux_consume(size_t n);
/* Received bytes waiting. */
size_t serial_aux_rx_pending(void);
/* Send @buf unchanged, polled.  Returns bytes sent: short if the other
 * side stopped taking bytes for a while (retry later).  One writer at a
 * time; without COM2 the bytes are dropped and @n returned. */
size_t serial_aux_write(const void *buf, size_t n);
/* Wait up to @ms until every sent byte left the UART: 0 or -ETIMEDOUT.
 * May sleep. */
int serial_aux_flush(unsigned int ms);

#endif
