/*
 * servers/pager/rendezvous.h — how a program finds the default pager
 * without vm_set_default_memory_manager (a kernel that lacks it, or a
 * pager that could not register): the pager names its receive right
 * PAGER_PORT_NAME in its own space, so a task holding the pager's task
 * port (processor_set_tasks with the host privileged port) can take a
 * send right with mach_port_extract_right.  Shared by servers/pager and
 * the tests in tests/system/pager-modules, which define
 * PAGER_RENDEZVOUS_CLIENT for pager_find().
 */
#ifndef PAGER_RENDEZVOUS_H
#define PAGER_RENDEZVOUS_H

#define PAGER_PORT_NAME 0x7a9e0u

#ifdef PAGER_RENDEZVOUS_CLIENT
#include <mach.h>
#include <mach/mach_host.h>
#include <machr/runtime.h>

/*
 * The pager's port: vm_set_default_memory_manager with a null port
 * returns it; if the kernel lacks that call (or the pager could not
 * register), take it from the pager's task by its well-known name
 * (above).  Polls up to 10 s: the pager starts with us.  *HOW
 * says which way worked.
 */
static inline mach_port_t pager_find(mach_port_t host_priv, const char **how)
{
	for (int i = 0; i < 200; i++) {
		mach_port_t found = MACH_PORT_NULL, pset_name, pset, *psets;
		mach_msg_type_number_t n = 0, ntasks = 0;
		mach_msg_type_name_t type;
		task_array_t tasks;

		if (vm_set_default_memory_manager(host_priv, &found) ==
		        KERN_SUCCESS &&
		    MACH_PORT_VALID(found)) {
			*how = "vm_set_default_memory_manager";
			return found;
		}
		if (host_processor_sets(host_priv, &psets, &n) ==
		        KERN_SUCCESS &&
		    n > 0) {
			pset_name = psets[0];
			if (host_processor_set_priv(host_priv, pset_name,
			                            &pset) == KERN_SUCCESS &&
			    processor_set_tasks(pset, &tasks, &ntasks) ==
			        KERN_SUCCESS) {
				for (unsigned k = 0; k < ntasks; k++) {
					if (!MACH_PORT_VALID(found) &&
					    mach_port_extract_right(
					        tasks[k], PAGER_PORT_NAME,
					        MACH_MSG_TYPE_MAKE_SEND, &found,
					        &type) != KERN_SUCCESS)
						found = MACH_PORT_NULL;
					(void)mach_port_deallocate(
					    mach_task_self(), tasks[k]);
				}
				vm_deallocate(mach_task_self(),
				              (vm_address_t)tasks,
				              ntasks * sizeof(*tasks));
				(void)mach_port_deallocate(mach_task_self(),
				                           pset);
			}
			for (unsigned k = 0; k < n; k++)
				(void)mach_port_deallocate(mach_task_self(),
				                           psets[k]);
			vm_deallocate(mach_task_self(), (vm_address_t)psets,
			              n * sizeof(*psets));
		}
		if (MACH_PORT_VALID(found)) {
			*how = "its task's port name";
			return found;
		}
		machr_sleep_ms(50);
	}
	*how = "not found";
	return MACH_PORT_NULL;
}
#endif

#endif
