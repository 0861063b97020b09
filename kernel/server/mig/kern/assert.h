/* Stands in for GNU Mach's <kern/assert.h>, which gnumach-dev's
 * <mach/x86_64/vm_types.h> includes under MACH_KERNEL. */
#include "kern/panic.h"
