/*
 * The machine console of the host build: kprintf output is kept in a
 * growable buffer that tests read with host_console_output(), and also
 * written to stderr while host_console_echo is set.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "machine/console.h"
#include "machine/host_test.h"

int host_console_echo;

/*
 * The console buffer: NUL terminated, len bytes used of cap.
 * Guarded by: console_mutex (host threads may pose as several CPUs).
 */
static pthread_mutex_t console_mutex = PTHREAD_MUTEX_INITIALIZER;
static char *console_buf;
static size_t console_len, console_cap;

void machine_console_write(const char *s, size_t n)
{
	pthread_mutex_lock(&console_mutex);
	if (console_len + n + 1 > console_cap) {
		size_t cap = console_cap ? console_cap : 4096;
		char *buf;

		while (console_len + n + 1 > cap)
			cap *= 2;
		buf = realloc(console_buf, cap);
		if (buf == NULL) {
			pthread_mutex_unlock(&console_mutex);
			fputs("host console: out of memory\n", stderr);
			abort();
		}
		console_buf = buf;
		console_cap = cap;
	}
	memcpy(console_buf + console_len, s, n);
	console_len += n;
	console_buf[console_len] = '\0';
	if (host_console_echo)
		fwrite(s, 1, n, stderr);
	pthread_mutex_unlock(&console_mutex);
}

/* Valid until the next console write or reset. */
const char *host_console_output(void)
{
	return console_buf != NULL ? console_buf : "";
}

void host_console_reset(void)
{
	pthread_mutex_lock(&console_mutex);
	console_len = 0;
	if (console_buf != NULL)
		console_buf[0] = '\0';
	pthread_mutex_unlock(&console_mutex);
}
