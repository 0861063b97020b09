/* <sys/types.h> — the few POSIX types some gnumach-dev headers expect. */
#ifndef MACHR_SYS_TYPES_H
#define MACHR_SYS_TYPES_H

#include <stddef.h>
#include <stdint.h>

typedef long ssize_t;
typedef long off_t;
typedef int pid_t;

#endif
