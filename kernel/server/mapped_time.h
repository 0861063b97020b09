/*
 * The "time" device's memory (kernel/server/mapped_time.c): a page that
 * holds a mapped_time_value_t (mach/time_value.h) the clock tick keeps
 * current, offered to device_map as a kernel memory object (a port of
 * kind KOBJECT_MEMORY_OBJECT whose kobject is its VM object), which
 * vm_map maps like any memory object.
 */
#ifndef SERVER_MAPPED_TIME_H
#define SERVER_MAPPED_TIME_H

#include <mach/kern_return.h>
#include <stdint.h>

struct port;

/*
 * mapped_time_object: a naked send right to the memory object of the
 * time device at OFFSET (bytes) in *OUT: offset 0 is always the same
 * object, whose page is the clock; any other offset is always one other
 * object, which has no page (what is mapped of it reads zeros, apart in
 * each mapping).  Both are made on first use and live for ever; the
 * clock starts ticking then.
 * Locks: none held.
 * Returns KERN_SUCCESS or KERN_RESOURCE_SHORTAGE.
 */
kern_return_t mapped_time_object(uint64_t offset, struct port **out);

#endif
