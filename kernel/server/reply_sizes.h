/*
 * kernel/server/reply_sizes.h — the largest reply of every kernel RPC,
 * by message id, one table per interface, generated from MIG's server
 * output by tools/mig-reply-sizes (mk/server.mk).  kserver_handle
 * allocates each reply at its routine's size.
 */
#ifndef SERVER_REPLY_SIZES_H
#define SERVER_REPLY_SIZES_H

#include <stdint.h>

/*
 * One interface's reply sizes: SIZE[id - BASE] for BASE <= id <
 * BASE + COUNT, 0 where the interface has no routine.
 * Owned by: the generated files (constant).
 */
struct kserver_reply_sizes {
	int32_t base;
	uint32_t count;
	const uint32_t *size;
};

extern const struct kserver_reply_sizes mach_reply_sizes,
    mach_port_reply_sizes, mach_host_reply_sizes, gnumach_reply_sizes,
    mach4_reply_sizes, mach_debug_reply_sizes, device_reply_sizes,
    memory_object_reply_sizes;

#endif
