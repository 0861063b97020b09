/*
 * mach_debug.defs: what a program can learn about the kernel's own
 * allocations.  host_slab_info lists the slab caches (kern/slab.h) with
 * GNU Mach's cache_info_t layout, so a test can check that a task's
 * death gives every object back; mach_port_get_srights reads a port's
 * send-right count.  The other routines answer MIG_BAD_ID
 * (unimplemented.c).
 */
#include "server/mig_kernel.h"

#include <mach_debug/slab_info.h>

#include "ipc/kmsg.h"
#include "ipc/ool.h"
#include "ipc/port.h"
#include "ipc/right.h"
#include "ipc/right_entry.h"
#include "ipc/space.h"
#include "kern/slab.h"
#include "kern/string.h"
#include "mach_debug_server.h"
#include "server/kobjects.h"

#define SLAB_INFO_MAX 128 /* caches reported at most */

struct slab_listing {
	cache_info_t *info;
	unsigned n;
};

static void list_cache(struct slab_cache *c, void *arg)
{
	struct slab_listing *l = arg;
	struct slab_stats st;
	cache_info_t *ci;

	if (l->n >= SLAB_INFO_MAX)
		return;
	slab_cache_get_stats(c, &st);
	ci = &l->info[l->n++];
	memset(ci, 0, sizeof(*ci));
	ci->obj_size = c->obj_size;
	ci->align = c->align;
	ci->buf_size = c->obj_size;
	ci->slab_size = 4096UL << c->order;
	ci->bufs_per_slab = c->per_slab;
	ci->nr_objs = st.live;
	ci->nr_bufs = st.slabs * c->per_slab;
	ci->nr_slabs = st.slabs;
	strncpy(ci->name, c->name, CACHE_NAME_MAX_LEN - 1);
}

kern_return_t kserver_host_slab_info(host_t host, cache_info_array_t *info,
                                     mach_msg_type_number_t *count)
{
	struct slab_listing l;
	struct ool *ool = NULL;
	kern_return_t kr = KERN_SUCCESS;

	if (host == NULL)
		return KERN_INVALID_HOST;
	l.info = kmalloc(SLAB_INFO_MAX * sizeof(cache_info_t));
	if (l.info == NULL)
		return KERN_RESOURCE_SHORTAGE;
	l.n = 0;
	kmsg_spares_drain(); /* the counts are of messages in use */
	slab_cache_foreach(list_cache, &l);
	if (l.n > 0 && ool_from_kernel(l.info, l.n * sizeof(cache_info_t),
	                               &ool) != MACH_MSG_SUCCESS)
		kr = KERN_RESOURCE_SHORTAGE;
	kfree(l.info);
	if (kr != KERN_SUCCESS)
		return kr;
	*info = (cache_info_array_t)ool;
	*count = l.n;
	return KERN_SUCCESS;
}

kern_return_t kserver_mach_port_get_srights(ipc_space_t space,
                                            mach_port_name_t name,
                                            mach_port_rights_t *srights)
{
	struct port *port;
	unsigned long sfl, pfl;
	kern_return_t kr;

	if (space == NULL)
		return KERN_INVALID_TASK;
	kr = space_lock_active(space, &sfl);
	if (kr != KERN_SUCCESS)
		return kr;
	kr = right_lookup_receive(space, name, &port);
	if (kr == KERN_SUCCESS) {
		pfl = port_lock(port);
		*srights = port->srights;
		port_unlock(port, pfl);
	}
	space_unlock(space, sfl);
	return kr;
}
