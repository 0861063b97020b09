/* Stands in for GNU Mach's <ipc/ipc_space.h>, which MIG's kernel-server output
 * and gnumach-dev's MACH_KERNEL headers include: see server/mig_kernel.h. */
#include "server/mig_kernel.h"
