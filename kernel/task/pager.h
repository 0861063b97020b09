/*
 * Memory objects served by user pagers (task/pager_rpc.c): how vm_map
 * finds the VM object of a memory-object port.
 */
#ifndef TASK_PAGER_H
#define TASK_PAGER_H

#include <mach/kern_return.h>
#include <stdbool.h>

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

/*
 * pager_copy_call: a copy of [OFFSET, OFFSET + SIZE) of OBJ under
 * MEMORY_OBJECT_COPY_CALL: a new memory object port whose receive right
 * goes to OBJ's pager in memory_object_copy, and the new object for it
 * (initialised like any other) in *OUT, referenced.
 * Locks: none held.
 * Returns KERN_SUCCESS, KERN_RESOURCE_SHORTAGE, or KERN_MEMORY_ERROR
 *   (OBJ's pager is gone).
 */
kern_return_t pager_copy_call(struct vm_object *obj, uint64_t offset,
                              uint64_t size, struct vm_object **out);

/*
 * pager_name_port: a send right to OBJ's name port (what vm_region
 * reports as the region's object name), or IP_NULL when OBJ has no pager.
 * Locks: none held.
 */
struct port *pager_name_port(struct vm_object *obj);

/*
 * The default memory manager (vm_set_default_memory_manager).
 * pager_default_exists: whether one is registered.
 * pager_default_maps: whether MAP is the registering task's (never paged
 *   out: the pager would wait for itself).
 * pager_attach_default: give the anonymous object OBJ (referenced) to
 *   the default pager: memory_object_create with a new object port, the
 *   object's control and name ports.  Returns KERN_SUCCESS (also when OBJ
 *   got a pager meanwhile), KERN_FAILURE (no default pager) or
 *   KERN_RESOURCE_SHORTAGE.
 * Locks: none held.
 */
struct vm_map;
bool pager_default_exists(void);
bool pager_default_maps(const struct vm_map *map);
kern_return_t pager_attach_default(struct vm_object *obj);

/*
 * object_name_port: a send right to OBJ's name port, for vm_region: its
 * pager's (pager_name_port) or, for an object without a pager, one made
 * on first use and destroyed with OBJ (task/object_name_rpc.c).  NULL
 * when no port can be made.
 * Locks: none held; the caller holds a reference on OBJ.
 */
struct port *object_name_port(struct vm_object *obj);

#endif
