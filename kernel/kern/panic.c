/*
 * panic(): the kernel's last word.  It prints the message, asks the
 * machine layer for the registers and a backtrace, and stops every CPU.
 * A panic inside panic (a fault in the dump code, say) prints its
 * message and stops at once, so it cannot loop.
 */
#include <stdarg.h>

#include "kern/panic.h"
#include "kern/printf.h"
#include "machine/cpu.h"

volatile int panic_count;
volatile int panic_depth;
char panic_message[256];

void panic(const char *fmt, ...)
{
	va_list ap;

	intr_disable();
	panic_count++;
	if (++panic_depth > 2)
		machine_halt_all();
	va_start(ap, fmt);
	kvsnprintf(panic_message, sizeof(panic_message), fmt, ap);
	va_end(ap);
	kprintf("\npanic: %s\n", panic_message);
	if (panic_depth == 1)
		machine_panic_dump();
	machine_halt_all();
}
