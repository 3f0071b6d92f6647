/* include/drivers/serial.h — the 16550 serial console (drivers/tty/serial.c). */
#ifndef DRIVERS_SERIAL_H
#define DRIVERS_SERIAL_H

/* Program COM1 and register it as a console.  Call first at boot. */
void serial_init(void);

#endif
