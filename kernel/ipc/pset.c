/*
 * Port sets: creation, membership and destruction.  Membership changes
 * only through the space holding the members' receive rights (its lock
 * held), so a port's `pset` is stable for anyone holding that lock; the
 * set's and the port's locks make each change visible to receivers.
 */
#include "ipc/pset.h"

#include "ipc/port.h"
#include "kern/slab.h"

static struct slab_cache pset_cache;

void pset_init(void)
{
	slab_cache_init(&pset_cache, "ipc.pset", sizeof(struct port_set), 0);
}

struct port_set *pset_alloc(void)
{
	struct port_set *set = slab_zalloc(&pset_cache);

	if (set == NULL)
		return NULL;
	spin_init(&set->object.lock, "pset");
	atomic_init(&set->object.refs, 1);
	set->object.kind = IPC_OBJECT_PORT_SET;
	set->object.active = true;
	list_init(&set->members);
	waitq_init(&set->receivers);
	return set;
}

void pset_ref(struct port_set *set)
{
	unsigned old = atomic_fetch_add(&set->object.refs, 1);

	assert(old > 0);
}

void pset_release(struct port_set *set)
{
	unsigned old = atomic_fetch_sub(&set->object.refs, 1);

	assert(old > 0);
	if (old != 1)
		return;
	assert(!set->object.active);
	assert(list_empty(&set->members) && set->nmembers == 0);
	assert_unlocked(&set->object.lock);
	slab_free(&pset_cache, set);
}

/* Unlink PORT from SET.  Locks: both held. */
static void unlink_member(struct port_set *set, struct port *port)
{
	assert_locked(&set->object.lock);
	assert_locked(&port->object.lock);
	assert(port->pset == set && set->nmembers > 0);
	list_remove(&port->pset_link);
	port->pset = NULL;
	set->nmembers--;
}

bool pset_remove(struct port *port)
{
	struct port_set *set = port->pset;
	unsigned long sfl, pfl;

	if (set == NULL)
		return false;
	assert_unlocked(&set->object.lock);
	assert_unlocked(&port->object.lock);
	sfl = pset_lock(set);
	pfl = port_lock(port);
	unlink_member(set, port);
	port_unlock(port, pfl);
	pset_unlock(set, sfl);
	return true;
}

void pset_add(struct port_set *set, struct port *port)
{
	unsigned long sfl, pfl;
	bool has_messages;

	assert_unlocked(&set->object.lock);
	assert_unlocked(&port->object.lock);
	pset_remove(port);
	sfl = pset_lock(set);
	assert(set->object.active);
	pfl = port_lock(port);
	assert(port->object.active);
	port->pset = set;
	list_push_back(&set->members, &port->pset_link);
	set->nmembers++;
	has_messages = mqueue_count(&port->queue) > 0;
	/* Threads receiving on the port itself must now use the set. */
	mqueue_wake_receivers(&port->queue, MACH_RCV_PORT_CHANGED);
	port_unlock(port, pfl);
	if (has_messages)
		waitq_wake_all(&set->receivers, WAITQ_AWAKENED);
	pset_unlock(set, sfl);
}

void pset_destroy(struct port_set *set)
{
	unsigned long sfl;

	assert_unlocked(&set->object.lock);
	sfl = pset_lock(set);
	assert(set->object.active);
	while (!list_empty(&set->members)) {
		struct port *port =
		    list_first_entry(&set->members, struct port, pset_link);
		unsigned long pfl = port_lock(port);

		unlink_member(set, port);
		port_unlock(port, pfl);
	}
	set->object.active = false;
	set->space = NULL;
	set->name = MACH_PORT_NULL;
	waitq_wake_all(&set->receivers, MACH_RCV_PORT_DIED);
	pset_unlock(set, sfl);
}
