/*
 * <string.h> for Mach_R programs: lib/string.c, shared with the kernel
 * (lib/string.h lists the routines).
 */
#ifndef MACHR_STRING_H
#define MACHR_STRING_H

#include "lib/string.h"

#endif
