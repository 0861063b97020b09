/*
 * Receive rights in transit (ipc/transit.h): a hash from a port whose
 * receive right travels to the destination port of the message carrying
 * it, holding a reference on that destination.  The chains it forms are
 * acyclic by construction (transit_enter refuses to close a cycle), so
 * walking one ends.
 */
#include "ipc/transit.h"

#include "ipc/port.h"
#include "kern/panic.h"
#include "kern/slab.h"
#include "kern/spinlock.h"

#define TRANSIT_BUCKETS 256

/*
 * One port in transit.
 * Owned by: the table.
 * Guarded by: transit_lock.
 */
struct transit {
	struct transit *next; /* in its bucket */
	struct port *port;    /* the port whose receive right travels */
	struct port *dest;    /* where the message carrying it goes (ref) */
};

static spinlock_t transit_lock = SPINLOCK_INIT("ipc.transit");
static struct transit *buckets[TRANSIT_BUCKETS];

static unsigned bucket_of(const struct port *port)
{
	uintptr_t a = (uintptr_t)port;

	return (unsigned)((a >> 6) ^ (a >> 14)) % TRANSIT_BUCKETS;
}

/* Locks: transit_lock held. */
static struct transit **find(const struct port *port)
{
	struct transit **pp = &buckets[bucket_of(port)];

	while (*pp != NULL && (*pp)->port != port)
		pp = &(*pp)->next;
	return pp;
}

enum transit_result transit_enter(struct port *port, struct port *dest)
{
	struct transit *t, *e;
	struct port *x;
	unsigned long f;

	if (port == dest)
		return TRANSIT_CIRCULAR;
	t = kmalloc(sizeof(*t));
	if (t == NULL)
		return TRANSIT_NO_MEMORY;
	port_ref(dest);
	f = spin_lock(&transit_lock);
	/* Follow DEST's chain: does it lead back to PORT? */
	for (x = dest; x != NULL; x = e->dest) {
		if (x == port) {
			spin_unlock(&transit_lock, f);
			port_release(dest);
			kfree(t);
			return TRANSIT_CIRCULAR;
		}
		e = *find(x);
		if (e == NULL)
			break;
	}
	assert(*find(port) == NULL);
	t->port = port;
	t->dest = dest;
	t->next = buckets[bucket_of(port)];
	buckets[bucket_of(port)] = t;
	spin_unlock(&transit_lock, f);
	return TRANSIT_OK;
}

void transit_leave(struct port *port)
{
	struct transit **pp, *t;
	unsigned long f;

	f = spin_lock(&transit_lock);
	pp = find(port);
	t = *pp;
	if (t != NULL)
		*pp = t->next;
	spin_unlock(&transit_lock, f);
	if (t != NULL) {
		port_release(t->dest);
		kfree(t);
	}
}
