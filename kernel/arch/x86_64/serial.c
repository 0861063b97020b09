/*
 * The 16550 UART driver for the console: polled output and input on
 * COM1 (or the port console=comN names), 115200 baud, 8N1.  Until
 * serial_init() runs, output goes to COM1 with the firmware's settings,
 * so even the earliest messages are seen.
 */
#include "kern/compiler.h"
#include "machine/console.h"
#include "machine/io.h"
#include "serial.h"

static uint16_t com_base = 0x3f8;
static const uint16_t com_ports[4] = {0x3f8, 0x2f8, 0x3e8, 0x2e8};

#define UART_DATA 0
#define UART_IER  1
#define UART_FCR  2
#define UART_LCR  3
#define UART_MCR  4
#define UART_LSR  5
#define LSR_DR    0x01 /* a received byte is waiting */
#define LSR_THRE  0x20

void serial_init(int unit)
{
	if (unit >= 0 && unit < 4)
		com_base = com_ports[unit];
	outb(com_base + UART_IER, 0x00); /* no interrupts */
	outb(com_base + UART_LCR, 0x80); /* divisor latch */
	outb(com_base + UART_DATA, 1);   /* 115200 baud */
	outb(com_base + UART_IER, 0);
	outb(com_base + UART_LCR, 0x03); /* 8N1 */
	outb(com_base + UART_FCR, 0xc7); /* FIFOs on, cleared */
	outb(com_base + UART_MCR, 0x03); /* DTR, RTS */
}

static void serial_putc(char c)
{
	/* Bounded wait: a missing UART must not hang the kernel. */
	for (int i = 0; i < 100000; i++)
		if (inb(com_base + UART_LSR) & LSR_THRE)
			break;
	outb(com_base + UART_DATA, (uint8_t)c);
}

void machine_console_write(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\n')
			serial_putc('\r');
		serial_putc(s[i]);
	}
}

void machine_console_write_raw(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		serial_putc(s[i]);
}

/* Input is polled: the UART's receive interrupt is not routed (no I/O
 * APIC driver yet), so readers look again on a timer. */
size_t machine_console_read(char *buf, size_t n)
{
	size_t got = 0;

	while (got < n && (inb(com_base + UART_LSR) & LSR_DR))
		buf[got++] = (char)inb(com_base + UART_DATA);
	return got;
}
