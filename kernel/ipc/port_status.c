/*
 * The routines of mach_port.defs (port_interface.h) that act on a port
 * through its receive right — queue limit, make-send count, sequence
 * number, protected payload, status — and on port sets.  The rest of
 * the interface is in port_interface.c.
 */
#include "ipc/port.h"
#include "ipc/port_interface.h"
#include "ipc/pset.h"
#include "ipc/right_entry.h"
#include "ipc/space.h"

enum port_attr {
	ATTR_QLIMIT,
	ATTR_MSCOUNT,
	ATTR_SEQNO,
	ATTR_PAYLOAD,
	ATTR_NO_PAYLOAD,
};

/* Set attribute ATTR of the port whose receive right NAME denotes. */
static kern_return_t set_attr(struct space *space, mach_port_name_t name,
                              enum port_attr attr, uint64_t value)
{
	struct port *port;
	kern_return_t kr;
	unsigned long sfl, pfl;

	kr = space_lock_active(space, &sfl);
	if (kr != KERN_SUCCESS)
		return kr;
	kr = right_lookup_receive(space, name, &port);
	if (kr == KERN_SUCCESS) {
		pfl = port_lock(port);
		switch (attr) {
		case ATTR_QLIMIT:
			mqueue_set_qlimit(&port->queue,
			                  (mach_port_msgcount_t)value);
			break;
		case ATTR_MSCOUNT:
			port->mscount = (mach_port_mscount_t)value;
			break;
		case ATTR_SEQNO:
			port->queue.seqno = (mach_port_seqno_t)value;
			break;
		case ATTR_PAYLOAD:
			port->payload = value;
			port->has_payload = true;
			break;
		case ATTR_NO_PAYLOAD:
			port->payload = 0;
			port->has_payload = false;
			break;
		}
		port_unlock(port, pfl);
	}
	space_unlock(space, sfl);
	return kr;
}

kern_return_t mach_port_set_qlimit(struct space *space, mach_port_name_t name,
                                   mach_port_msgcount_t qlimit)
{
	if (space == NULL)
		return KERN_INVALID_TASK;
	if (qlimit > MACH_PORT_QLIMIT_MAX)
		return KERN_INVALID_VALUE;
	return set_attr(space, name, ATTR_QLIMIT, qlimit);
}

kern_return_t mach_port_set_mscount(struct space *space, mach_port_name_t name,
                                    mach_port_mscount_t mscount)
{
	return set_attr(space, name, ATTR_MSCOUNT, mscount);
}

kern_return_t mach_port_set_seqno(struct space *space, mach_port_name_t name,
                                  mach_port_seqno_t seqno)
{
	return set_attr(space, name, ATTR_SEQNO, seqno);
}

kern_return_t mach_port_set_protected_payload(struct space *space,
                                              mach_port_name_t name,
                                              uint64_t payload)
{
	return set_attr(space, name, ATTR_PAYLOAD, payload);
}

kern_return_t mach_port_clear_protected_payload(struct space *space,
                                                mach_port_name_t name)
{
	return set_attr(space, name, ATTR_NO_PAYLOAD, 0);
}

kern_return_t mach_port_get_receive_status(struct space *space,
                                           mach_port_name_t name,
                                           mach_port_status_t *status)
{
	struct port *port;
	kern_return_t kr;
	unsigned long sfl, pfl;

	kr = space_lock_active(space, &sfl);
	if (kr != KERN_SUCCESS)
		return kr;
	kr = right_lookup_receive(space, name, &port);
	if (kr == KERN_SUCCESS) {
		pfl = port_lock(port);
		/* The set's name changes only under the space lock. */
		status->mps_pset =
		    port->pset != NULL ? port->pset->name : MACH_PORT_NULL;
		status->mps_seqno = port->queue.seqno;
		status->mps_mscount = port->mscount;
		status->mps_qlimit = port->queue.qlimit;
		status->mps_msgcount = mqueue_count(&port->queue);
		status->mps_sorights = port->sorights;
		status->mps_srights = port->srights > 0;
		status->mps_pdrequest = port->pdrequest != NULL;
		status->mps_nsrequest = port->nsrequest != NULL;
		port_unlock(port, pfl);
	}
	space_unlock(space, sfl);
	return kr;
}

/* --- port sets --- */

kern_return_t mach_port_get_set_status(struct space *space,
                                       mach_port_name_t name,
                                       mach_port_name_t **members,
                                       mach_msg_type_number_t *count)
{
	struct space_entry *entry;
	struct port_set *set;
	mach_port_name_t *buf = NULL;
	struct list *pos;
	kern_return_t kr;
	unsigned long sfl, fl;
	uint32_t n = 0;

	*members = NULL;
	*count = 0;
	kr = space_lock_active(space, &sfl);
	if (kr != KERN_SUCCESS)
		return kr;
	entry = space_lookup(space, name);
	if (entry == NULL) {
		kr = KERN_INVALID_NAME;
	} else if ((entry->type & MACH_PORT_TYPE_PORT_SET) == 0) {
		kr = KERN_INVALID_RIGHT;
	} else {
		set = pset_from_object(entry->object);
		fl = pset_lock(set);
		if (set->nmembers > 0) {
			buf = ipc_buffer_alloc(set->nmembers * sizeof(*buf));
			if (buf == NULL)
				kr = KERN_RESOURCE_SHORTAGE;
		}
		/* Members' receive rights are in this (locked) space, so
		 * their names are stable. */
		if (buf != NULL)
			list_for_each(pos, &set->members)
			{
				buf[n++] =
				    container_of(pos, struct port, pset_link)
				        ->receiver_name;
			}
		pset_unlock(set, fl);
	}
	space_unlock(space, sfl);
	*members = buf;
	*count = n;
	return kr;
}

kern_return_t mach_port_move_member(struct space *space,
                                    mach_port_name_t member,
                                    mach_port_name_t after)
{
	struct space_entry *entry;
	struct port *port;
	kern_return_t kr;
	unsigned long fl;

	kr = space_lock_active(space, &fl);
	if (kr != KERN_SUCCESS)
		return kr;
	kr = right_lookup_receive(space, member, &port);
	if (kr == KERN_SUCCESS && after != MACH_PORT_NULL) {
		entry = space_lookup(space, after);
		if (entry == NULL)
			kr = KERN_INVALID_NAME;
		else if ((entry->type & MACH_PORT_TYPE_PORT_SET) == 0)
			kr = KERN_INVALID_RIGHT;
		else
			pset_add(pset_from_object(entry->object), port);
	} else if (kr == KERN_SUCCESS && !pset_remove(port)) {
		kr = KERN_NOT_IN_SET;
	}
	space_unlock(space, fl);
	return kr;
}
