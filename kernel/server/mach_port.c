/*
 * mach_port.defs: each routine is ipc/port_interface.c's function of
 * the same Mach name, which already has GNU Mach's semantics; this file
 * only adapts the MIG types (ports as struct port pointers, arrays as
 * out-of-line regions).  mach_port_set_rpcinfo and mach_port_create_act
 * are generated (the .defs declare them) and answer MIG_BAD_ID, from
 * unimplemented.c.
 */
#include "ipc/ool.h"
#include "ipc/port_interface.h"
#include "ipc/space.h"
#include "mach_port_server.h"
#include "server/kobjects.h"

/*
 * An array of N 32-bit items (names, types) from port_interface.c's
 * ipc_buffer BUF as an out-of-line region for the reply, freeing BUF.
 * *OUT is NULL for an empty array (no memory: pointer 0 arrives).
 */
static kern_return_t array_out(void *buf, mach_msg_type_number_t n, void **out)
{
	struct ool *ool = NULL;
	mach_msg_return_t mr = MACH_MSG_SUCCESS;

	if (n != 0)
		mr = ool_from_kernel(buf, (uint64_t)n * sizeof(uint32_t), &ool);
	ipc_buffer_free(buf);
	*out = ool;
	return mr == MACH_MSG_SUCCESS ? KERN_SUCCESS : KERN_RESOURCE_SHORTAGE;
}

kern_return_t kserver_mach_port_names(ipc_space_t space,
                                      mach_port_name_array_t *names,
                                      mach_msg_type_number_t *names_cnt,
                                      mach_port_type_array_t *types,
                                      mach_msg_type_number_t *types_cnt)
{
	mach_port_name_t *n = NULL;
	mach_port_type_t *t = NULL;
	mach_msg_type_number_t count = 0;
	void *names_ool, *types_ool;
	kern_return_t kr;

	kr = mach_port_names(space, &n, &t, &count);
	if (kr != KERN_SUCCESS)
		return kr;
	kr = array_out(n, count, &names_ool);
	if (array_out(t, count, &types_ool) != KERN_SUCCESS)
		kr = KERN_RESOURCE_SHORTAGE;
	if (kr != KERN_SUCCESS) {
		ool_discard(names_ool);
		ool_discard(types_ool);
		return kr;
	}
	*names = names_ool;
	*types = types_ool;
	*names_cnt = *types_cnt = count;
	return KERN_SUCCESS;
}

kern_return_t kserver_mach_port_type(ipc_space_t space, mach_port_name_t name,
                                     mach_port_type_t *ptype)
{
	return mach_port_type(space, name, ptype);
}

kern_return_t kserver_mach_port_rename(ipc_space_t space,
                                       mach_port_name_t old_name,
                                       mach_port_name_t new_name)
{
	return mach_port_rename(space, old_name, new_name);
}

kern_return_t kserver_mach_port_allocate_name(ipc_space_t space,
                                              mach_port_right_t right,
                                              mach_port_name_t name)
{
	return mach_port_allocate_name(space, right, name);
}

kern_return_t kserver_mach_port_allocate(ipc_space_t space,
                                         mach_port_right_t right,
                                         mach_port_name_t *name)
{
	return mach_port_allocate(space, right, name);
}

kern_return_t kserver_mach_port_destroy(ipc_space_t space,
                                        mach_port_name_t name)
{
	return mach_port_destroy(space, name);
}

kern_return_t kserver_mach_port_deallocate(ipc_space_t space,
                                           mach_port_name_t name)
{
	return mach_port_deallocate(space, name);
}

kern_return_t kserver_mach_port_get_refs(ipc_space_t space,
                                         mach_port_name_t name,
                                         mach_port_right_t right,
                                         mach_port_urefs_t *refs)
{
	return mach_port_get_refs(space, name, right, refs);
}

kern_return_t kserver_mach_port_mod_refs(ipc_space_t space,
                                         mach_port_name_t name,
                                         mach_port_right_t right,
                                         mach_port_delta_t delta)
{
	return mach_port_mod_refs(space, name, right, delta);
}

kern_return_t kserver_mach_port_set_qlimit(ipc_space_t space,
                                           mach_port_name_t name,
                                           mach_port_msgcount_t qlimit)
{
	return mach_port_set_qlimit(space, name, qlimit);
}

kern_return_t kserver_mach_port_set_mscount(ipc_space_t space,
                                            mach_port_name_t name,
                                            mach_port_mscount_t mscount)
{
	return mach_port_set_mscount(space, name, mscount);
}

kern_return_t kserver_mach_port_get_set_status(ipc_space_t space,
                                               mach_port_name_t name,
                                               mach_port_name_array_t *members,
                                               mach_msg_type_number_t *count)
{
	mach_port_name_t *m = NULL;
	mach_msg_type_number_t n = 0;
	void *ool;
	kern_return_t kr;

	kr = mach_port_get_set_status(space, name, &m, &n);
	if (kr != KERN_SUCCESS)
		return kr;
	kr = array_out(m, n, &ool);
	if (kr != KERN_SUCCESS)
		return kr;
	*members = ool;
	*count = n;
	return KERN_SUCCESS;
}

kern_return_t kserver_mach_port_move_member(ipc_space_t space,
                                            mach_port_name_t member,
                                            mach_port_name_t after)
{
	return mach_port_move_member(space, member, after);
}

kern_return_t kserver_mach_port_request_notification(
    ipc_space_t space, mach_port_name_t name, mach_msg_id_t id,
    mach_port_mscount_t sync, ipc_port_t notify, ipc_port_t *previous)
{
	return mach_port_request_notification(space, name, id, sync,
	                                      (struct ipc_object *)notify,
	                                      (struct ipc_object **)previous);
}

kern_return_t kserver_mach_port_insert_right(ipc_space_t space,
                                             mach_port_name_t name,
                                             ipc_port_t poly,
                                             mach_msg_type_name_t poly_poly)
{
	return mach_port_insert_right(space, name, (struct ipc_object *)poly,
	                              poly_poly);
}

kern_return_t kserver_mach_port_extract_right(ipc_space_t space,
                                              mach_port_name_t name,
                                              mach_msg_type_name_t msgt_name,
                                              ipc_port_t *poly,
                                              mach_msg_type_name_t *poly_poly)
{
	return mach_port_extract_right(space, name, msgt_name,
	                               (struct ipc_object **)poly, poly_poly);
}

kern_return_t kserver_mach_port_get_receive_status(ipc_space_t space,
                                                   mach_port_name_t name,
                                                   mach_port_status_t *status)
{
	return mach_port_get_receive_status(space, name, status);
}

kern_return_t kserver_mach_port_set_seqno(ipc_space_t space,
                                          mach_port_name_t name,
                                          mach_port_seqno_t seqno)
{
	return mach_port_set_seqno(space, name, seqno);
}

kern_return_t kserver_mach_port_set_protected_payload(ipc_space_t space,
                                                      mach_port_name_t name,
                                                      rpc_uintptr_t payload)
{
	return mach_port_set_protected_payload(space, name, payload);
}

kern_return_t kserver_mach_port_clear_protected_payload(ipc_space_t space,
                                                        mach_port_name_t name)
{
	return mach_port_clear_protected_payload(space, name);
}
