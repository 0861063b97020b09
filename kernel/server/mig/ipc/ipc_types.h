/* Stands in for GNU Mach's <ipc/ipc_types.h>, which gnumach-dev's
 * <mach/memory_object.h> includes under MACH_KERNEL: the port type only
 * (server/mig_kernel.h has the rest). */
#ifndef KSERVER_MIG_IPC_TYPES_H
#define KSERVER_MIG_IPC_TYPES_H
struct port;
typedef struct port *ipc_port_t;
#endif
