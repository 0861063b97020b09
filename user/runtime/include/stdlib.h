/* <stdlib.h> — process exit and number parsing (user/runtime/start.c,
 * string.c). */
#ifndef MACHR_STDLIB_H
#define MACHR_STDLIB_H

#include <stddef.h>

#define EXIT_SUCCESS 0
#define EXIT_FAILURE 1

/* Flush output, then task_terminate(mach_task_self()). */
_Noreturn void exit(int status);
_Noreturn void abort(void);
unsigned long strtoul(const char *s, char **end, int base);
long strtol(const char *s, char **end, int base);
int atoi(const char *s);

#endif
