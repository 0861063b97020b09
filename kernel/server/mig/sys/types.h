/* Stands in for <sys/types.h>, which gnumach-dev's <mach_debug/slab_info.h>
 * includes (through gnumach.defs' imports) and the freestanding kernel
 * does not have: slab_info.h needs only the Mach types, already there. */
#include <stddef.h>
#include <stdint.h>
