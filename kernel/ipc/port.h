/*
 * Ports: the kernel end of a communication channel.  A port has one
 * receive right (held by a space, by a message in transit, or by the
 * kernel space for kernel-object ports), counts of the send and
 * send-once rights that exist for it, its message queue (ipc/mqueue.h,
 * the message layer's), the notifications requested on it, and, for
 * kernel-object ports, the kernel object it stands for.  port.c creates,
 * counts and destroys ports; right.c moves their rights between spaces.
 */
#ifndef IPC_PORT_H
#define IPC_PORT_H

#include <mach/kern_return.h>
#include <mach/port.h>

#include "ipc/mqueue.h"
#include "ipc/object.h"
#include "kern/list.h"

struct space;
struct port_set;

/*
 * What a kernel-object port stands for.  Later issues serve RPCs on
 * ports of these types (the receive right is in the kernel space).
 */
enum kobject_type {
	KOBJECT_NONE = 0,
	KOBJECT_TASK,
	KOBJECT_THREAD,
	KOBJECT_HOST,
	KOBJECT_HOST_PRIV,
	KOBJECT_PROCESSOR,
	KOBJECT_PSET,
	KOBJECT_PSET_NAME,
	KOBJECT_DEVICE,
	KOBJECT_MASTER_DEVICE,
	KOBJECT_MEMORY_OBJECT,
	KOBJECT_MEMORY_OBJECT_CONTROL,
	KOBJECT_MEMORY_OBJECT_NAME,
	KOBJECT_CLOCK,
	KOBJECT_TEST, /* unit tests */
	KOBJECT_TYPE_COUNT
};

/*
 * A dead-name request: when the port dies, a dead-name notification
 * carrying NAME goes to NOTIFY.  Registered by mach_port_request_
 * notification for the name a space has for the port; the space entry
 * points at it (space_entry.request) while the port is active.
 * Owned by: the port (port->dnrequests); freed when the request is
 *   cancelled or fired.
 * Guarded by: the port's lock.
 */
struct dnrequest {
	struct list link;          /* on port->dnrequests */
	mach_port_name_t name;     /* the name in the requesting space */
	struct ipc_object *notify; /* a send-once right in transit, or DEAD */
};

/*
 * A port.
 * Owned by: its references (object.refs): one per space entry naming
 *   it, one per right in transit, one per right the kernel holds, plus
 *   temporary ones.  A live port always has its receive right's
 *   reference, so the last reference goes only after the port died.
 * Guarded by: object.lock for every field but `object.refs` (atomic)
 *   and `queue`'s wait queues (their own locks, after the port's).
 *   `pset` and `pset_link` change only with the set's lock held too,
 *   and only by the holder of the receive right (space lock held).
 * Lock order: space->lock, then pset->lock, then port->lock, then the
 *   queue's wait-queue locks (docs/IPC.md).
 */
struct port {
	struct ipc_object object;       /* kind IPC_OBJECT_PORT; first */
	struct space *receiver;         /* space holding the receive right, or
	                                   NULL while it is in transit or dead */
	mach_port_name_t receiver_name; /* its name there */
	struct port_set *pset;          /* the set it belongs to, or NULL */
	struct list pset_link;          /* on pset->members */
	struct mqueue queue;            /* messages, qlimit, seqno, waiters */
	mach_port_mscount_t mscount;    /* make-send count */
	uint32_t srights;               /* send rights that exist */
	uint32_t sorights;              /* send-once rights that exist */
	struct ipc_object *nsrequest;   /* no-senders notify right or NULL */
	struct ipc_object *pdrequest;   /* port-destroyed notify right */
	struct list dnrequests;         /* struct dnrequest */
	uint64_t payload;               /* protected payload */
	bool has_payload;               /* payload set */
	enum kobject_type kotype;       /* KOBJECT_NONE for ordinary ports */
	void *kobject;                  /* the kernel object, if any */
};

static inline struct port *port_from_object(struct ipc_object *o)
{
	return (struct port *)o;
}

static inline struct ipc_object *port_object(struct port *p)
{
	return &p->object;
}

static inline unsigned long port_lock(struct port *p)
{
	return spin_lock(&p->object.lock);
}

static inline void port_unlock(struct port *p, unsigned long flags)
{
	spin_unlock(&p->object.lock, flags);
}

/* Whether the port is alive.  Locks: the port's lock (or a snapshot). */
static inline bool port_active(const struct port *p)
{
	return p->object.active;
}

/* port_init: set up the port cache.  Called by ipc_rights_init(). */
void port_init(void);

/*
 * port_alloc: a new, active port with no rights yet counted, no
 * receiver, an empty queue (MACH_PORT_QLIMIT_DEFAULT), mscount and
 * seqno 0, and one reference for the caller (which becomes the receive
 * right's reference).
 * Locks: any.
 * Returns: the port, or NULL when the port cache is exhausted.
 */
struct port *port_alloc(void);

/* dnrequest_alloc / dnrequest_free: memory for a dead-name request
 * (zeroed).  Returns NULL on exhaustion.  Locks: any. */
struct dnrequest *dnrequest_alloc(void);
void dnrequest_free(struct dnrequest *req);

/* port_free: the last reference is gone: every right and request went
 * with the port's death, so only the memory is left (port_release's). */
void port_free(struct port *port);

/* port_ref / port_release: take or drop a reference; the last one frees
 * the (dead) port.  Locks: port_release with no IPC lock of the port.
 * (Inline: every message takes and drops some.) */
static inline void port_ref(struct port *port)
{
	unsigned old = atomic_fetch_add(&port->object.refs, 1);

	assert(old > 0);
}

static inline void port_release(struct port *port)
{
	unsigned old = atomic_fetch_sub(&port->object.refs, 1);

	assert(old > 0);
	if (old == 1)
		port_free(port);
}

/* port_unref_nonlast: drop a reference that is known not to be the
 * last (another holder, such as a space entry, keeps the port).
 * Locks: any, the port's lock may be held. */
static inline void port_unref_nonlast(struct port *port)
{
	unsigned old = atomic_fetch_sub(&port->object.refs, 1);

	assert(old > 1);
}

/*
 * port_make_send_locked / port_copy_send_locked / port_make_sonce_locked:
 * count one more send right (MAKE_SEND also bumps mscount) or send-once
 * right and take the reference it holds.
 * Locks: the port's lock held; the port is active.
 */
static inline void port_make_send_locked(struct port *port)
{
	assert_locked(&port->object.lock);
	assert(port->object.active);
	port->mscount++;
	port->srights++;
	port_ref(port);
}

static inline void port_copy_send_locked(struct port *port)
{
	assert_locked(&port->object.lock);
	assert(port->object.active);
	assert(port->srights > 0);
	port->srights++;
	port_ref(port);
}

static inline void port_make_sonce_locked(struct port *port)
{
	assert_locked(&port->object.lock);
	assert(port->object.active);
	port->sorights++;
	port_ref(port);
}

/*
 * port_make_send: a naked send right held by the kernel (MAKE_SEND:
 * mscount and srights go up, one reference).  PORT must be active.
 * Locks: none held.
 */
void port_make_send(struct port *port);

/*
 * port_release_send: destroy one send right to PORT (counted in
 * srights, holding one reference): when it was the last and a
 * no-senders notification was requested, send it.
 * Locks: no IPC lock held (sends a notification).
 */
void port_release_send(struct port *port);

/*
 * port_release_sonce: destroy one send-once right to PORT without
 * sending anything (the right was used, or cannot be notified).
 * Locks: no IPC lock of PORT held.
 */
void port_release_sonce(struct port *port);

/*
 * port_clear_receiver_locked: the receive right leaves its space (moved
 * in a message, or destroyed): no receiver, and, as Mach specifies, the
 * make-send count and the sequence number start again from 0.  Threads
 * receiving on the port are woken with MACH_RCV_PORT_DIED.
 * Locks: the port's lock held; the port in no set.
 */
void port_clear_receiver_locked(struct port *port);

/*
 * port_destroy: destroy the receive right of PORT, which the caller
 * took from its holder (receiver already cleared or about to be; the
 * port is no member of a set).  If a port-destroyed notification was
 * requested, the receive right goes to the notify port in it instead.
 * Otherwise the port dies: messages queued on it are destroyed, waiting
 * threads woken, dead-name notifications sent, the no-senders request
 * released (as an unused send-once right).  Consumes the caller's
 * reference (the receive right's).
 * Locks: no IPC lock held.
 */
void port_destroy(struct port *port);

/*
 * port_set_kobject: make PORT stand for the kernel object OBJ of TYPE.
 * Locks: none held.
 */
void port_set_kobject(struct port *port, enum kobject_type type, void *obj);

/*
 * port_alloc_kobject: a new port for the kernel object OBJ of TYPE whose
 * receive right is held by the kernel space.  *PORT gets the port (the
 * reference is the kernel space's: hold send rights with
 * port_make_send).
 * Locks: none held.
 * Returns: KERN_SUCCESS, KERN_RESOURCE_SHORTAGE (no memory) or
 *   KERN_NO_SPACE (the kernel space is full).
 */
kern_return_t port_alloc_kobject(enum kobject_type type, void *obj,
                                 struct port **port);

/*
 * port_alloc_kernel: port_alloc_kobject, TYPE KOBJECT_NONE allowed: an
 * ordinary port whose receive right the kernel holds, where messages
 * queue (the reply port of an exception raised by a thread).  Destroy
 * it with port_destroy_kobject.  Returns as port_alloc_kobject.
 */
kern_return_t port_alloc_kernel(enum kobject_type type, void *obj,
                                struct port **port);

/*
 * port_destroy_kobject: destroy a kernel-object port made by
 * port_alloc_kobject (its receive right in the kernel space).  Send
 * rights to it become dead.  Locks: none held.
 */
void port_destroy_kobject(struct port *port);

/* Whether PORT stands for a kernel object.  Locks: port's lock. */
static inline bool port_is_kobject(const struct port *p)
{
	return p->kotype != KOBJECT_NONE;
}

#endif
