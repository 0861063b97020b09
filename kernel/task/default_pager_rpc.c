/*
 * The default memory manager (vm_set_default_memory_manager): the
 * pager that anonymous memory goes to at its first pageout
 * (memory_object_create with a new object port, control and name).
 */
#include "server/mig_kernel.h"

#include <mach/memory_object.h>
#include <mach/notify.h>

#include "ipc/kmsg.h"
#include "ipc/mqueue.h"
#include "ipc/ool.h"
#include "ipc/port.h"
#include "ipc/right.h"
#include "ipc/space.h"
#include "kern/page_alloc.h"
#include "kern/slab.h"
#include "kern/string.h"
#include "machine/memlayout.h"
#include "memory_object_default_user.h"
#include "memory_object_user.h"
#include "server/kobjects.h"
#include "server/kserver.h"
#include "task/pageout.h"
#include "task/kpager.h"
#include "task/pager.h"
#include "task/task.h"
#include "vm/fault.h"
#include "vm/map.h"
#include "vm/object.h"
#include "vm/pager.h"

/* The default memory manager: a send right, or NULL, and the map of the
 * task that registered it (its memory is never paged out: it would wait
 * for itself).  Guarded by default_lock. */
static spinlock_t default_lock = SPINLOCK_INIT("pager.default");
static struct port *default_pager;
static struct vm_map *default_pager_map;

/* One more send right to P (the kernel holds one) if P is alive. */
static bool copy_send(struct port *p)
{
	unsigned long f = port_lock(p);
	bool alive = port_active(p);

	if (alive)
		port_copy_send_locked(p);
	port_unlock(p, f);
	return alive;
}

kern_return_t kserver_vm_set_default_memory_manager(host_t host_priv,
                                                    ipc_port_t *manager)
{
	struct port *old;
	unsigned long f;

	if (host_priv == NULL)
		return KERN_INVALID_HOST;
	kpager_init();
	f = spin_lock(&default_lock);
	old = default_pager;
	if (IP_VALID(*manager)) {
		/* The request's send right becomes ours; the old one goes
		 * back in the reply. */
		default_pager = *manager;
		default_pager_map = task_current()->map;
		*manager = old;
	} else {
		*manager = old != NULL && copy_send(old) ? old : IP_NULL;
	}
	spin_unlock(&default_lock, f);
	return KERN_SUCCESS;
}

bool pager_default_exists(void)
{
	return __atomic_load_n(&default_pager, __ATOMIC_ACQUIRE) != NULL;
}

bool pager_default_maps(const struct vm_map *map)
{
	return map != NULL && map == default_pager_map;
}

kern_return_t pager_attach_default(struct vm_object *obj)
{
	struct port *dp, *port, *moved;
	struct kpager *kp;
	unsigned long f;
	uint64_t size;

	kpager_init();
	f = spin_lock(&default_lock);
	dp = default_pager;
	if (dp != NULL && !copy_send(dp)) /* memory_object_create moves one */
		dp = NULL;
	spin_unlock(&default_lock, f);
	if (dp == NULL)
		return KERN_FAILURE;
	kp = kpager_new(obj);
	if (kp == NULL ||
	    port_alloc_kernel(KOBJECT_NONE, NULL, &port) != KERN_SUCCESS) {
		if (kp != NULL)
			kpager_free(kp);
		port_release_send(dp);
		return KERN_RESOURCE_SHORTAGE;
	}
	port_make_send(port); /* the object's */
	port_make_send(port); /* the one kpager_take_receive lets go of */
	moved = port;
	moved = kpager_take_receive(&moved);
	kp->port = port;
	kp->vp.internal = true;
	kp->vp.ready = true; /* the default pager sends no ready */
	kp->vp.copy_strategy = MEMORY_OBJECT_COPY_DELAY;
	f = spin_lock(&obj->lock);
	if (obj->pager != NULL) {
		/* Someone else was quicker: undo ours. */
		spin_unlock(&obj->lock, f);
		if (moved != NULL)
			port_destroy(moved);
		port_release_send(port);
		kpager_free(kp);
		port_release_send(dp);
		return KERN_SUCCESS;
	}
	obj->pager = &kp->vp;
	size = obj->size;
	spin_unlock(&obj->lock, f);
	kpager_watch_death(kp);
	(void)memory_object_create(dp, moved, size, kp->control, kp->name,
	                           PAGE_SIZE);
	return KERN_SUCCESS;
}
