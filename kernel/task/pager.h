/*
 * Memory objects served by user pagers (task/pager_rpc.c): how vm_map
 * finds the VM object of a memory-object port.
 */
#ifndef TASK_PAGER_H
#define TASK_PAGER_H

#include <mach/kern_return.h>

struct port;
struct vm_object;

/*
 * pager_object_for_port: the VM object of the memory object PORT (an
 * ordinary port, not a kernel object's), made on first use (which sends
 * memory_object_init to it), with a reference for the caller in *OUT.
 * The object takes a send right of its own; the caller's stays.
 * Locks: none held.
 * Returns KERN_SUCCESS or KERN_RESOURCE_SHORTAGE.
 */
kern_return_t pager_object_for_port(struct port *port, struct vm_object **out);

#endif
