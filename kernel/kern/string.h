/*
 * The kernel's memory and string routines: lib/string.c, shared with the
 * user runtime (lib/string.h lists them).
 */
#ifndef KERN_STRING_H
#define KERN_STRING_H

#include "lib/string.h"

#endif
