/*
 * The machine console of the host build: kprintf output is kept in a
 * growable buffer that tests read with host_console_output(), and also
 * written to stderr while host_console_echo is set.  Input is what tests
 * queue with host_console_input().
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

void machine_console_write_raw(const char *s, size_t n)
{
	machine_console_write(s, n);
}

/*
 * Console input, fed by tests (host_console_input): a byte queue.
 * Guarded by: console_mutex.
 */
static char input_buf[4096];
static size_t input_head, input_len;

void host_console_input(const char *s, size_t n)
{
	pthread_mutex_lock(&console_mutex);
	for (size_t i = 0; i < n && input_len < sizeof(input_buf); i++)
		input_buf[(input_head + input_len++) % sizeof(input_buf)] =
		    s[i];
	pthread_mutex_unlock(&console_mutex);
}

size_t machine_console_read(char *buf, size_t n)
{
	size_t got = 0;

	pthread_mutex_lock(&console_mutex);
	while (got < n && input_len > 0) {
		buf[got++] = input_buf[input_head];
		input_head = (input_head + 1) % sizeof(input_buf);
		input_len--;
	}
	pthread_mutex_unlock(&console_mutex);
	return got;
}

/* Valid until the next console write or reset. */
const char *host_console_output(void)
{
	return console_buf != NULL ? console_buf : "";
}

void host_console_reset(void)
{
	pthread_mutex_lock(&console_mutex);
	input_head = input_len = 0;
	console_len = 0;
	if (console_buf != NULL)
		console_buf[0] = '\0';
	pthread_mutex_unlock(&console_mutex);
}
