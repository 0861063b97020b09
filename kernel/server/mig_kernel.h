/*
 * What MIG's kernel-server output (mig -DKERNEL_SERVER, build/.../
 * server-mig/) needs from the kernel: the kernel types behind the
 * interface types of gnumach-dev's mach_types.defs, and the intran /
 * outtran / destructor functions named there (server/convert.c).  The
 * generated files include GNU Mach's kernel headers by name
 * (<kern/task.h>, <ipc/ipc_port.h> ...); kernel/server/mig/ has one stub
 * of each, and they all land here.
 *
 * Only the files of kernel/server (and the generated stubs) are compiled
 * with -DKERNEL -DMACH_KERNEL -DKERNEL_SERVER (mk/server.mk): under
 * KERNEL, gnumach-dev's mach_port_t is an 8-byte vm_offset_t, exactly the
 * port slot of the kernel message form (ipc/kmsg.h), which holds an
 * object pointer.  The rest of the kernel never sees these definitions.
 */
#ifndef SERVER_MIG_KERNEL_H
#define SERVER_MIG_KERNEL_H

#if !defined(KERNEL) || !defined(MACH_KERNEL) || !defined(KERNEL_SERVER)
#error "kernel/server is compiled with -DKERNEL -DMACH_KERNEL -DKERNEL_SERVER"
#endif

#include <mach/mach_types.h>
#include <mach/message.h>
#include <mach/mig_errors.h>

#include "ipc/port.h"
#include "kern/string.h" /* strlen, for c_string replies */
#include "server/mig/device/device_types_kernel.h"
#include "server/mig/ipc/ipc_types.h"

struct space;
struct task;
struct thread;
struct khost;
struct vm_object;

/* Ports as the generated code sees them: struct port pointers in the
 * 8-byte slots (IP_DEAD is ipc/right.h's IPC_OBJECT_DEAD). */
#define IP_NULL     ((ipc_port_t)0)
#define IP_DEAD     ((ipc_port_t)-1)
#define IP_VALID(p) ((p) != IP_NULL && (p) != IP_DEAD)

typedef struct space *ipc_space_t;
/*
 * A vm_map_t is the task: struct vm_map has no reference count of its
 * own, so the task's reference (taken by convert_port_to_map) is what
 * keeps task->map alive during the call.  VM routines use task->map.
 */
typedef struct task *vm_map_t;
typedef struct khost *host_t; /* the host; host_priv_t converts to it too */
typedef struct vm_object *vm_object_t; /* no kernel memory objects yet */

/* The interface types that mach_types.h defines only outside
 * MACH_KERNEL.  Port arrays hold ports (MIG translates no elements). */
typedef ipc_port_t *task_array_t;
typedef ipc_port_t *thread_array_t;
typedef ipc_port_t *processor_array_t;
typedef ipc_port_t *processor_set_array_t;
typedef ipc_port_t *processor_set_name_array_t;
typedef processor_set_t processor_set_name_t;
typedef vm_offset_t *emulation_vector_t;

/* <mach/x86_64/vm_types.h> maps the vm_*_from/to_user conversions to
 * this one on a 64-bit kernel with 64-bit users. */
#define null_conversion(x) (x)

/*
 * The intran / outtran / destructor functions (server/convert.c).
 * convert_port_to_X: the object PORT stands for, with a reference where
 *   the object is counted, or NULL when PORT is null, dead, or of
 *   another kind.  convert_X_to_port: a naked send right for the
 *   object (consuming the caller's reference on it), or IP_NULL.
 * Locks: none held, for every one.
 */
task_t convert_port_to_task(ipc_port_t port);
ipc_port_t convert_task_to_port(task_t task);
void task_deallocate(task_t task);
thread_t convert_port_to_thread(ipc_port_t port);
ipc_port_t convert_thread_to_port(thread_t thread);
void thread_deallocate(thread_t thread);
vm_map_t convert_port_to_map(ipc_port_t port);
void vm_map_deallocate(vm_map_t map);
ipc_space_t convert_port_to_space(ipc_port_t port);
void space_deallocate(ipc_space_t space);
host_t convert_port_to_host(ipc_port_t port);
host_t convert_port_to_host_priv(ipc_port_t port);
ipc_port_t convert_host_to_port(host_t host);
processor_t convert_port_to_processor(ipc_port_t port);
ipc_port_t convert_processor_to_port(processor_t processor);
processor_set_t convert_port_to_pset(ipc_port_t port);
processor_set_t convert_port_to_pset_name(ipc_port_t port);
ipc_port_t convert_pset_to_port(processor_set_t pset);
ipc_port_t convert_pset_name_to_port(processor_set_t pset);
void pset_deallocate(processor_set_t pset);
device_t dev_port_lookup(ipc_port_t port);
ipc_port_t convert_device_to_port(device_t device);
void device_deallocate(device_t device);
vm_object_t vm_object_lookup(ipc_port_t port);
vm_object_t vm_object_lookup_name(ipc_port_t port);
void vm_object_deallocate(vm_object_t object);

/* The generated code releases the send rights of translated body ports
 * on success (port_release_send). */
void ipc_port_release_send(ipc_port_t port);

/*
 * MIG asks whether a receive right in a reply would make a cycle; the
 * kernel send path (ipc_send_kernel, ipc/transit.c) finds that itself,
 * so the answer here is always no.
 */
static inline boolean_t ipc_port_check_circularity(ipc_port_t port,
                                                   ipc_port_t dest)
{
	(void)port;
	(void)dest;
	return FALSE;
}

#endif
