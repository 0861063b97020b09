/*
 * The common head of the two kinds of IPC object a name can denote:
 * ports (ipc/port.h) and port sets (ipc/pset.h).  A space entry points at
 * an ipc_object and its `kind` says which one it is.
 */
#ifndef IPC_OBJECT_H
#define IPC_OBJECT_H

#include <stdatomic.h>
#include <stdbool.h>

#include "kern/spinlock.h"

enum ipc_object_kind {
	IPC_OBJECT_PORT = 1,
	IPC_OBJECT_PORT_SET = 2,
};

/*
 * Head of a port or port set.
 * Owned by: its references (object_ref/object_release in port.c, pset.c).
 * Guarded by: `lock` for the object's state; `refs` is atomic.
 */
struct ipc_object {
	spinlock_t lock;
	atomic_uint refs;
	enum ipc_object_kind kind;
	bool active; /* false once destroyed (dead port, destroyed set) */
};

/*
 * object_ref / object_release: take or drop a reference on a port or a
 * port set; the last reference frees the object (which is dead by then).
 * Locks: object_release with none of the object's locks held.
 */
void object_ref(struct ipc_object *object);
void object_release(struct ipc_object *object);

#endif
