/*
 * Name ports for VM objects without a pager (anonymous memory, the time
 * device's objects, copies): what vm_region reports as a region's object
 * name, as GNU Mach gives one for every region with an object.  A name
 * port (KOBJECT_MEMORY_OBJECT_NAME) is made the first time it is asked
 * for and destroyed with its object; it only tells regions apart and
 * serves no call.  Objects with a pager use their pager's name port
 * (task/pager_rpc.c).  Named _rpc.c to be compiled with the kernel
 * server's types (mk/server.mk).
 */
#include "ipc/port.h"
#include "kern/spinlock.h"
#include "server/kobjects.h"
#include "task/pager.h"
#include "vm/object.h"

/* vm_object_name_destroy: OBJ is going (nobody can reach it any more). */
static void name_destroy(struct vm_object *obj)
{
	kserver_free_port(&obj->name);
}

struct port *object_name_port(struct vm_object *obj)
{
	struct port *made = NULL, *name;
	unsigned long fl;

	if (obj->pager != NULL)
		return pager_name_port(obj);
	/* Allocated outside the object's lock; the loser of a race frees
	 * its port. */
	fl = spin_lock(&obj->lock);
	name = obj->name;
	spin_unlock(&obj->lock, fl);
	if (name == NULL) {
		vm_object_name_destroy = name_destroy;
		/* No kobject: a name serves no call, and it may move to the
		 * object OBJ merges into (vm_object_collapse). */
		if (kserver_alloc_port(KOBJECT_MEMORY_OBJECT_NAME, NULL,
		                       &made) != KERN_SUCCESS)
			return NULL;
		fl = spin_lock(&obj->lock);
		if (obj->name == NULL) {
			obj->name = made;
			made = NULL;
		}
		name = obj->name;
		spin_unlock(&obj->lock, fl);
		kserver_free_port(&made);
	}
	/* OBJ is referenced by the caller: NAME lives while we use it. */
	return kserver_send_right(name);
}
