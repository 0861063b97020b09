/*
 * The machine console: where kprintf() output goes (COM1 on x86_64).
 */
#ifndef MACHINE_CONSOLE_H
#define MACHINE_CONSOLE_H

#include <stddef.h>

void machine_console_write(const char *s, size_t n);

#endif
