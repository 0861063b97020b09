/*
 * The machine layer of the host build, CPU side: the per-thread
 * "interrupt flag" and CPU number behind machine/cpu.h, and stopping.
 * With it (and console.c, clock.c) the core runs as an ordinary process
 * for the unit tests, and a test can catch a panic (machine/host_test.h).
 */
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kern/panic.h"
#include "machine/cpu.h"
#include "machine/host_test.h"

_Thread_local unsigned long host_intr_flag = RFLAGS_IF;
_Thread_local unsigned host_cpu_id;

jmp_buf *host_panic_catcher;
char host_panic_message[256];

/* Kept by kern/panic.c to stop a panic inside panic from looping. */
extern volatile int panic_depth;

void host_set_cpu_id(unsigned id)
{
	host_cpu_id = id;
}

void machine_panic_dump(void)
{
	/* No registers worth showing: the test's own backtrace says more. */
}

/*
 * Stop "every CPU".  A test that armed host_panic_catcher gets control
 * back with the message; otherwise the process dies loudly, so a panic
 * no test expected fails the run.
 */
void machine_halt_all(void)
{
	jmp_buf *catcher = host_panic_catcher;

	if (catcher != NULL) {
		memcpy(host_panic_message, panic_message,
		       sizeof(host_panic_message));
		host_panic_message[sizeof(host_panic_message) - 1] = '\0';
		/* The caught panic is over: the next one is a first panic
		 * again, with its message formatted. */
		panic_depth = 0;
		longjmp(*catcher, 1);
	}
	fprintf(stderr, "machine_halt_all: panic: %s\n", panic_message);
	abort();
}

void machine_poweroff(int status)
{
	exit(status);
}

/* The host has no unmapped kernel address to touch: report it as a
 * panic, which is what the machine's unhandled fault ends in. */
void machine_debug_fault(void)
{
	panic("machine_debug_fault on the host");
}
