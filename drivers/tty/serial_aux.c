/* drivers/tty/serial_aux.c — COM2 (0x2f8, ISA IRQ 3) as a raw byte stream.
 *
 * The user programs' console (managers/processor/fs_tty.c) when the
 * machine has a second UART: `tessera run` plugs one in and relays it to
 * the host's stdin and stdout, so program bytes never share a wire with
 * the kernel log on COM1.  Nothing is translated in either direction.
 *
 * Receive: the IRQ handler (or, if no I/O APIC serves the IRQ or
 * `serial.aux_poll` is given, a kernel thread every 10 ms) moves bytes
 * from the UART into a RX_SIZE ring and calls the notify hook.  When the
 * ring is full the receive interrupt is switched off and the UART's FIFO
 * fills up, which stops the sender (QEMU reads its chardev only while the
 * FIFO has room); serial_aux_consume() turns it back on at half empty.
 * Readers also pull the UART on every peek, so a lost interrupt delays
 * nothing.  The poller is a fallback for interactive use: at one 16-byte
 * FIFO per look it moves a few KB/s (3 KB/s measured under TCG).
 * Transmit is polled, 16 bytes (the FIFO) per THRE.
 * Bytes that arrive before serial_aux_init() are lost (turning the FIFO
 * on clears it): the host starts sending after the log line it prints.
 *
 * Lock order: aux.lock is a leaf taken irqsave (the IRQ handler takes
 * it); the notify hook runs after it is dropped.  Writers are serialised
 * by the caller, readers (peek + consume) too.
 * Covers: a 16550A at 0x2f8 as QEMU's second -serial provides it.
 */
#include <asm/apic.h>
#include <asm/irq.h>
#include <asm/smpboot.h>
#include <drivers/acpi.h>
#include <drivers/serial.h>
#include <kernel/param.h>
#include <kernel/printk.h>
#include <kernel/sched.h>
#include <kernel/spinlock.h>
#include <kernel/time.h>
#include <lib/string.h>
#include <uapi/errno.h>
#include "internal.h"

#define COM2		0x2f8
#define COM2_IRQ	3
#define RX_SIZE		16384
#define TX_SPINS	2000000	/* THRE wait before the writer backs off */
#define POLL_MS		10

static struct {
	bool present, polled;
	spinlock_t lock;
	u8 ring[RX_SIZE];
	u32 head, len;		/* read position, bytes held */
	bool throttled;		/* receive interrupt off: ring full */
	unsigned long throttles;	/* times; the first is logged */
	void (*notify)(void);
} aux = { .lock = SPINLOCK_INIT("serial_aux") };

static bool aux_poll;
param_bool("serial.aux_poll", aux_poll,
	   "poll COM2 every 10 ms instead of taking its interrupt");

bool serial_aux_present(void)
{
	return aux.present;
}

void serial_aux_set_notify(void (*fn)(void))
{
	WRITE_ONCE(aux.notify, fn);
}

/* Move bytes from the UART into the ring; aux.lock held.  True if any. */
static bool pull_locked(void)
{
	bool got = false;

	while (aux.len < RX_SIZE && (inb(COM2 + UART_LSR) & LSR_DR)) {
		aux.ring[(aux.head + aux.len) % RX_SIZE] = inb(COM2 + UART_RBR);
		aux.len++;
		got = true;
	}
	if (aux.len == RX_SIZE && !aux.polled && !aux.throttled) {
		outb(COM2 + UART_IER, 0);
		aux.throttled = true;
		if (!aux.throttles++)
			printk("serial: COM2 receive ring full, sender held back\n");
	}
	return got;
}

static void pull(void)
{
	unsigned long f = spin_lock_irqsave(&aux.lock);
	bool got = pull_locked();
	void (*fn)(void) = READ_ONCE(aux.notify);

	spin_unlock_irqrestore(&aux.lock, f);
	if (got && fn)
		fn();
}

static void aux_irq(struct pt_regs *regs, void *data)
{
	(void)inb(COM2 + UART_IIR);
	pull();
}

static int aux_poller(void *unused)
{
	for (;;) {
		pull();
		msleep(POLL_MS);
	}
	return 0;
}

size_t serial_aux_peek(void *buf, size_t n)
{
	unsigned long f;
	size_t k;

	if (!aux.present)
		return 0;
	pull();
	f = spin_lock_irqsave(&aux.lock);
	k = MIN(n, (size_t)aux.len);
	for (size_t i = 0; i < k; i++)
		((u8 *)buf)[i] = aux.ring[(aux.head + i) % RX_SIZE];
	spin_unlock_irqrestore(&aux.lock, f);
	return k;
}

void serial_aux_consume(size_t n)
{
	unsigned long f = spin_lock_irqsave(&aux.lock);

	n = MIN(n, (size_t)aux.len);
	aux.head = (aux.head + n) % RX_SIZE;
	aux.len -= n;
	if (aux.throttled && aux.len <= RX_SIZE / 2) {
		aux.throttled = false;
		outb(COM2 + UART_IER, IER_RDA);
	}
	spin_unlock_irqrestore(&aux.lock, f);
}

size_t serial_aux_rx_pending(void)
{
	if (!aux.present)
		return 0;
	pull();
	return READ_ONCE(aux.len);
}

size_t serial_aux_write(const void *buf, size_t n)
{
	const u8 *p = buf;
	size_t done = 0;

	if (!aux.present)
		return n;
	while (done < n) {
		unsigned long spins = 0;
		size_t k = MIN(n - done, (size_t)UART_TX_FIFO);

		while (!(inb(COM2 + UART_LSR) & LSR_THRE)) {
			if (++spins > TX_SPINS)
				return done;
			cpu_relax();
		}
		for (size_t i = 0; i < k; i++)
			outb(COM2 + UART_THR, p[done + i]);
		done += k;
	}
	return done;
}

int serial_aux_flush(unsigned int ms)
{
	u64 end = ktime_get_ns() + (u64)ms * NSEC_PER_MSEC;

	while (aux.present && !(inb(COM2 + UART_LSR) & LSR_TEMT)) {
		if (ktime_get_ns() > end)
			return -ETIMEDOUT;
		yield();
	}
	return 0;
}

/* Route ISA IRQ 3 (after the MADT's overrides) to a vector on this CPU. */
static int route_irq(void)
{
	u16 flags;
	u32 gsi = acpi_isa_irq_to_gsi(smp_madt(), COM2_IRQ, &flags);
	/* MPS INTI flags; "conforms" means ISA: edge, active high. */
	bool level = ((flags >> 2) & 3) == 3, low = (flags & 3) == 3;
	int vec = irq_alloc_vector(aux_irq, NULL);
	int err;

	if (vec < 0)
		return vec;
	err = ioapic_route(gsi, (u8)vec, apic_id(), level, low);
	if (err) {
		irq_free_vector(vec);
		return err;
	}
	printk("serial: COM2 at %#x, IRQ %u -> GSI %u (%s, %s) vector %#x\n",
	       COM2, COM2_IRQ, gsi, level ? "level" : "edge",
	       low ? "active low" : "active high", vec);
	return 0;
}

int serial_aux_init(void)
{
	struct task *t;
	int err;

	if (!uart_setup(COM2))
		return -ENODEV;
	aux.present = true;
	err = aux_poll ? -EINVAL : route_irq();
	if (!err) {
		outb(COM2 + UART_IER, IER_RDA);
		return 0;
	}
	aux.polled = true;
	t = kthread_run(aux_poller, NULL, "serial_aux");
	if (!t) {
		pr_err("serial: COM2 receive disabled: no poller thread\n");
		return -ENOMEM;
	}
	kthread_detach(t);
	printk("serial: COM2 at %#x, receive polled every %d ms%s\n", COM2,
	       POLL_MS, aux_poll ? " (serial.aux_poll)" : "");
	return 0;
}
