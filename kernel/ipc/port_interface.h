/*
 * The port interface: every routine of gnumach-dev's mach_port.defs as
 * a kernel function on a space, with GNU Mach's semantics and return
 * codes.  The RPC layer (a later issue) decodes a request, calls one of
 * these, and encodes the reply; until then tests call them directly.
 *
 * Common to every routine:
 *   KERN_INVALID_TASK  SPACE is NULL or terminated.
 *   KERN_INVALID_NAME  a name that denotes nothing (free, stale
 *                      generation, MACH_PORT_NULL, MACH_PORT_DEAD).
 * Rights passed in (insert_right's POLY, request_notification's NOTIFY)
 * are rights in transit (ipc/right.h): consumed on success only; on
 * failure the caller still holds them (the RPC layer destroys the
 * request message, which releases them).  Rights passed out are rights
 * in transit the caller now holds.
 * Array out-parameters are allocated with ipc_buffer_alloc (space.h);
 * the caller frees them with ipc_buffer_free.  An empty array is NULL.
 * Locks: none held on entry or return, for every routine.
 *
 * Skipped: mach_port_set_rpcinfo and mach_port_create_act (compiled only
 * with MIGRATING_THREADS, which GNU Mach does not build), and the old
 * old_mach_port_get_receive_status (a `skip` in the .defs).
 */
#ifndef IPC_PORT_INTERFACE_H
#define IPC_PORT_INTERFACE_H

#include <mach/kern_return.h>
#include <mach/message.h>
#include <mach/port.h>

#include "ipc/object.h"

struct space;

/*
 * mach_port_names: every name in SPACE with its type (as
 * mach_port_type reports it), in index order.  *NAMES and *TYPES hold
 * *COUNT elements each.
 * Returns: KERN_SUCCESS, KERN_INVALID_TASK, KERN_RESOURCE_SHORTAGE.
 */
kern_return_t mach_port_names(struct space *space, mach_port_name_t **names,
                              mach_port_type_t **types,
                              mach_msg_type_number_t *count);

/*
 * mach_port_type: the rights NAME denotes (MACH_PORT_TYPE_*), with
 * MACH_PORT_TYPE_DNREQUEST when a dead-name request is registered.  A
 * right to a dead port reports MACH_PORT_TYPE_DEAD_NAME.
 * Returns: KERN_SUCCESS, KERN_INVALID_TASK, KERN_INVALID_NAME.
 */
kern_return_t mach_port_type(struct space *space, mach_port_name_t name,
                             mach_port_type_t *type);

/*
 * mach_port_rename: NEW_NAME denotes what OLD_NAME denoted; OLD_NAME
 * is free.
 * Returns: KERN_SUCCESS, KERN_INVALID_TASK, KERN_INVALID_VALUE
 *   (NEW_NAME is MACH_PORT_NULL or MACH_PORT_DEAD, or a name the table
 *   cannot hold), KERN_NAME_EXISTS (NEW_NAME in use; checked before
 *   OLD_NAME, as GNU Mach does), KERN_INVALID_NAME, KERN_NO_SPACE.
 */
kern_return_t mach_port_rename(struct space *space, mach_port_name_t old_name,
                               mach_port_name_t new_name);

/*
 * mach_port_allocate_name: a new receive right, empty port set or dead
 * name (RIGHT) named NAME, with one user reference.
 * Returns: KERN_SUCCESS, KERN_INVALID_TASK, KERN_INVALID_VALUE (RIGHT
 *   is none of those three; NAME is MACH_PORT_NULL, MACH_PORT_DEAD, or
 *   a name the table cannot hold), KERN_NAME_EXISTS, KERN_NO_SPACE,
 *   KERN_RESOURCE_SHORTAGE.
 */
kern_return_t mach_port_allocate_name(struct space *space,
                                      mach_port_right_t right,
                                      mach_port_name_t name);

/*
 * mach_port_allocate: as mach_port_allocate_name, the space choosing
 * the name (*NAME).
 * Returns: KERN_SUCCESS, KERN_INVALID_TASK, KERN_INVALID_VALUE,
 *   KERN_NO_SPACE, KERN_RESOURCE_SHORTAGE.
 */
kern_return_t mach_port_allocate(struct space *space, mach_port_right_t right,
                                 mach_port_name_t *name);

/*
 * mach_port_destroy: destroy every right NAME denotes and free it.
 * Returns: KERN_SUCCESS, KERN_INVALID_TASK, KERN_INVALID_NAME.
 */
kern_return_t mach_port_destroy(struct space *space, mach_port_name_t name);

/*
 * mach_port_deallocate: release one user reference of the send,
 * send-once or dead-name right NAME denotes.
 * Returns: KERN_SUCCESS, KERN_INVALID_TASK, KERN_INVALID_NAME,
 *   KERN_INVALID_RIGHT (a receive right without send rights, a set).
 */
kern_return_t mach_port_deallocate(struct space *space, mach_port_name_t name);

/*
 * mach_port_get_refs: the user references NAME holds for RIGHT (0 when
 * it holds no such right; receive, send-once and set rights count 1).
 * Returns: KERN_SUCCESS, KERN_INVALID_TASK, KERN_INVALID_VALUE (RIGHT
 *   out of range), KERN_INVALID_NAME.
 */
kern_return_t mach_port_get_refs(struct space *space, mach_port_name_t name,
                                 mach_port_right_t right,
                                 mach_port_urefs_t *refs);

/*
 * mach_port_mod_refs: add DELTA to NAME's user references for RIGHT;
 * at zero the right goes (and the name, unless another right keeps it).
 * Returns: KERN_SUCCESS, KERN_INVALID_TASK, KERN_INVALID_VALUE (RIGHT
 *   out of range, underflow, or a delta other than 0/-1 for receive,
 *   send-once and set rights), KERN_INVALID_NAME, KERN_INVALID_RIGHT
 *   (NAME holds no such right), KERN_UREFS_OVERFLOW (the count would
 *   reach MACH_PORT_UREFS_MAX: the largest count is 0xfffe).
 */
kern_return_t mach_port_mod_refs(struct space *space, mach_port_name_t name,
                                 mach_port_right_t right,
                                 mach_port_delta_t delta);

/*
 * mach_port_set_qlimit / set_mscount / set_seqno / set_protected_payload
 * / clear_protected_payload: change an attribute of the port whose
 * receive right NAME denotes.
 * Returns: KERN_SUCCESS, KERN_INVALID_TASK, KERN_INVALID_NAME,
 *   KERN_INVALID_RIGHT (no receive right), and for set_qlimit
 *   KERN_INVALID_VALUE (QLIMIT > MACH_PORT_QLIMIT_MAX; checked first).
 */
kern_return_t mach_port_set_qlimit(struct space *space, mach_port_name_t name,
                                   mach_port_msgcount_t qlimit);
kern_return_t mach_port_set_mscount(struct space *space, mach_port_name_t name,
                                    mach_port_mscount_t mscount);
kern_return_t mach_port_set_seqno(struct space *space, mach_port_name_t name,
                                  mach_port_seqno_t seqno);
kern_return_t mach_port_set_protected_payload(struct space *space,
                                              mach_port_name_t name,
                                              uint64_t payload);
kern_return_t mach_port_clear_protected_payload(struct space *space,
                                                mach_port_name_t name);

/*
 * mach_port_get_receive_status: the state of the port whose receive
 * right NAME denotes (mach/port.h's mach_port_status_t).
 * Returns: KERN_SUCCESS, KERN_INVALID_TASK, KERN_INVALID_NAME,
 *   KERN_INVALID_RIGHT.
 */
kern_return_t mach_port_get_receive_status(struct space *space,
                                           mach_port_name_t name,
                                           mach_port_status_t *status);

/*
 * mach_port_get_set_status: the names of the members of the set NAME.
 * Returns: KERN_SUCCESS, KERN_INVALID_TASK, KERN_INVALID_NAME,
 *   KERN_INVALID_RIGHT (not a set), KERN_RESOURCE_SHORTAGE.
 */
kern_return_t mach_port_get_set_status(struct space *space,
                                       mach_port_name_t name,
                                       mach_port_name_t **members,
                                       mach_msg_type_number_t *count);

/*
 * mach_port_move_member: put the port whose receive right MEMBER
 * denotes into the set AFTER (leaving any set it was in), or take it
 * out of its set when AFTER is MACH_PORT_NULL.
 * Returns: KERN_SUCCESS, KERN_INVALID_TASK, KERN_INVALID_NAME,
 *   KERN_INVALID_RIGHT (MEMBER no receive right, AFTER no set),
 *   KERN_NOT_IN_SET (AFTER null and the port in no set).
 */
kern_return_t mach_port_move_member(struct space *space,
                                    mach_port_name_t member,
                                    mach_port_name_t after);

/*
 * mach_port_request_notification: register NOTIFY (a send-once right
 * in transit, or IPC_OBJECT_NULL to cancel) for notification ID on
 * NAME; *PREVIOUS gets the send-once right it replaces (or NULL).
 *   MACH_NOTIFY_PORT_DESTROYED: NAME a receive right; SYNC must be 0.
 *   MACH_NOTIFY_NO_SENDERS: NAME a receive right; sent at once when the
 *     port has no send rights and its mscount >= SYNC.
 *   MACH_NOTIFY_DEAD_NAME: NAME a send, send-once or receive right, or
 *     with SYNC != 0 a dead name (notified at once, +1 user reference).
 * Returns: KERN_SUCCESS, KERN_INVALID_TASK, KERN_INVALID_CAPABILITY
 *   (NOTIFY is dead), KERN_INVALID_VALUE (unknown ID, SYNC for
 *   port-destroyed), KERN_INVALID_NAME, KERN_INVALID_RIGHT,
 *   KERN_INVALID_ARGUMENT (a dead name without SYNC),
 *   KERN_UREFS_OVERFLOW, KERN_RESOURCE_SHORTAGE.
 */
kern_return_t mach_port_request_notification(struct space *space,
                                             mach_port_name_t name,
                                             mach_msg_id_t id,
                                             mach_port_mscount_t sync,
                                             struct ipc_object *notify,
                                             struct ipc_object **previous);

/*
 * mach_port_insert_right: give SPACE the right in transit (POLY, of
 * transit type POLY_TYPE, a MACH_MSG_TYPE_PORT_*) under NAME.  A send
 * or receive right joins the space's existing name for the port, which
 * must be NAME.
 * Returns: KERN_SUCCESS, KERN_INVALID_TASK, KERN_INVALID_VALUE (NAME
 *   not valid, POLY_TYPE not a port right), KERN_INVALID_CAPABILITY
 *   (POLY null, dead, or a dead port's right), KERN_NAME_EXISTS,
 *   KERN_RIGHT_EXISTS, KERN_UREFS_OVERFLOW, KERN_NO_SPACE.
 */
kern_return_t mach_port_insert_right(struct space *space, mach_port_name_t name,
                                     struct ipc_object *poly,
                                     mach_msg_type_name_t poly_type);

/*
 * mach_port_extract_right: take the right DISPOSITION (a
 * MACH_MSG_TYPE_MOVE_*, COPY_SEND or MAKE_*) out of NAME, as a message
 * would: *POLY and *POLY_TYPE get the right in transit (IPC_OBJECT_DEAD
 * for a send or send-once disposition on a dead name).
 * Returns: KERN_SUCCESS, KERN_INVALID_TASK, KERN_INVALID_VALUE
 *   (DISPOSITION), KERN_INVALID_NAME, KERN_INVALID_RIGHT.
 */
kern_return_t mach_port_extract_right(struct space *space,
                                      mach_port_name_t name,
                                      mach_msg_type_name_t disposition,
                                      struct ipc_object **poly,
                                      mach_msg_type_name_t *poly_type);

#endif
