/*
 * The machine console: where kprintf() output goes (COM1 on x86_64).
 */
#ifndef MACHINE_CONSOLE_H
#define MACHINE_CONSOLE_H

#include <stddef.h>

void machine_console_write(const char *s, size_t n);

/* machine_console_write_raw: write N bytes as they are (no "\r" before
 * "\n"): the console device's device_write (kernel/server/device.c),
 * which passes bytes through unchanged as GNU Mach does. */
void machine_console_write_raw(const char *s, size_t n);

/* machine_console_read: up to N bytes of console input that have
 * arrived, without waiting.  Returns how many (0: none yet). */
size_t machine_console_read(char *buf, size_t n);

#endif
