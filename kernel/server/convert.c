/*
 * The conversions MIG's stubs apply to port arguments (the intran,
 * outtran and destructor lines of gnumach-dev's mach_types.defs and
 * device_types.defs): from a port in a request to the kernel object it
 * stands for, and from an object to a send right for a reply.
 */
#include "ipc/kmsg_kernel.h"
#include "ipc/space.h"
#include "server/kobjects.h"
#include "vm/object.h"
#include "task/task.h"
/* Threads need the machine's thread context, which only the kernel's
 * architecture has: the host build (unit tests) serves no thread. */
#if __has_include("machine/thread.h")
#include "task/thread.h"
#define KSERVER_THREADS 1
#endif

/*
 * Tasks and threads are kernel/task's, which only the kernel links (not
 * the host build, whose unit tests bring their own).  Weak until every
 * build has them: without kernel/task no task or thread port exists to
 * be converted anyway.
 */
#pragma weak task_from_port
#pragma weak task_release
#ifdef KSERVER_THREADS
#pragma weak thread_from_port
#pragma weak thread_release
#endif

/* A copy of the send right *SSELF (a task's or thread's kernel port, read
 * under LOCK), or IP_NULL. */
static ipc_port_t copy_self(spinlock_t *lock, struct port *const *sself)
{
	unsigned long f = spin_lock(lock);
	struct port *p = *sself;
	ipc_port_t right = IP_NULL;

	if (p != NULL)
		right = port_from_object(copyin_kernel_object(
		    port_object(p), MACH_MSG_TYPE_COPY_SEND));
	spin_unlock(lock, f);
	return right;
}

/* ---- tasks, their maps and spaces ---- */

task_t convert_port_to_task(ipc_port_t port)
{
	if (!IP_VALID(port) || task_from_port == NULL)
		return NULL;
	return task_from_port(port);
}

ipc_port_t convert_task_to_port(task_t task)
{
	ipc_port_t right;

	if (task == NULL)
		return IP_NULL;
	right = copy_self(&task->lock, &task->itk_sself);
	task_release(task);
	return right;
}

void task_deallocate(task_t task)
{
	if (task != NULL)
		task_release(task);
}

vm_map_t convert_port_to_map(ipc_port_t port)
{
	return convert_port_to_task(port);
}

void vm_map_deallocate(vm_map_t map)
{
	task_deallocate(map);
}

ipc_space_t convert_port_to_space(ipc_port_t port)
{
	task_t task = convert_port_to_task(port);
	struct space *space;

	if (task == NULL)
		return NULL;
	space = task->space;
	space_ref(space);
	task_release(task);
	return space;
}

void space_deallocate(ipc_space_t space)
{
	if (space != NULL)
		space_release(space);
}

/* ---- threads ---- */

#ifdef KSERVER_THREADS

thread_t convert_port_to_thread(ipc_port_t port)
{
	if (!IP_VALID(port) || thread_from_port == NULL)
		return NULL;
	return thread_from_port(port);
}

ipc_port_t convert_thread_to_port(thread_t thread)
{
	ipc_port_t right;

	if (thread == NULL)
		return IP_NULL;
	right = copy_self(&thread->lock, &thread->ith_sself);
	thread_release(thread);
	return right;
}

void thread_deallocate(thread_t thread)
{
	if (thread != NULL)
		thread_release(thread);
}

#else

thread_t convert_port_to_thread(ipc_port_t port)
{
	(void)port;
	return NULL;
}

ipc_port_t convert_thread_to_port(thread_t thread)
{
	(void)thread;
	return IP_NULL;
}

void thread_deallocate(thread_t thread)
{
	(void)thread;
}

#endif

/* ---- the host, processors, processor sets ---- */

host_t convert_port_to_host(ipc_port_t port)
{
	host_t host = kserver_kobject(port, KOBJECT_HOST);

	/* The privileged port serves the unprivileged calls too. */
	return host != NULL ? host : kserver_kobject(port, KOBJECT_HOST_PRIV);
}

host_t convert_port_to_host_priv(ipc_port_t port)
{
	return kserver_kobject(port, KOBJECT_HOST_PRIV);
}

ipc_port_t convert_host_to_port(host_t host)
{
	return host != NULL ? kserver_send_right(host->name_port) : IP_NULL;
}

processor_t convert_port_to_processor(ipc_port_t port)
{
	return kserver_kobject(port, KOBJECT_PROCESSOR);
}

ipc_port_t convert_processor_to_port(processor_t processor)
{
	return processor != NULL ? kserver_send_right(processor->self)
	                         : IP_NULL;
}

processor_set_t convert_port_to_pset(ipc_port_t port)
{
	return kserver_kobject(port, KOBJECT_PSET);
}

processor_set_t convert_port_to_pset_name(ipc_port_t port)
{
	processor_set_t pset = kserver_kobject(port, KOBJECT_PSET_NAME);

	/* As on GNU Mach, the control port names its set too. */
	return pset != NULL ? pset : kserver_kobject(port, KOBJECT_PSET);
}

ipc_port_t convert_pset_to_port(processor_set_t pset)
{
	return pset != NULL ? kserver_send_right(pset->self) : IP_NULL;
}

ipc_port_t convert_pset_name_to_port(processor_set_t pset)
{
	return pset != NULL ? kserver_send_right(pset->name_port) : IP_NULL;
}

void pset_deallocate(processor_set_t pset)
{
	(void)pset; /* the one set lives for ever */
}

/* ---- memory objects: their control and name ports ---- */

/* The object behind PORT of TYPE, referenced, or NULL.  The kobject is
 * read under the port's lock: the pager code clears it (under the same
 * lock) before the object can go. */
static vm_object_t object_of(ipc_port_t port, enum kobject_type type)
{
	struct vm_object *obj = NULL;
	unsigned long f;

	if (!IP_VALID(port))
		return NULL;
	f = port_lock(port);
	if (port_active(port) && port->kotype == type && port->kobject) {
		obj = port->kobject;
		vm_object_reference(obj);
	}
	port_unlock(port, f);
	return obj;
}

vm_object_t vm_object_lookup(ipc_port_t port)
{
	return object_of(port, KOBJECT_MEMORY_OBJECT_CONTROL);
}

vm_object_t vm_object_lookup_name(ipc_port_t port)
{
	return object_of(port, KOBJECT_MEMORY_OBJECT_NAME);
}

void vm_object_deallocate(vm_object_t object)
{
	if (object != NULL)
		vm_object_release(object);
}

void ipc_port_release_send(ipc_port_t port)
{
	if (IP_VALID(port))
		port_release_send(port);
}
