/*
 * servers/pager/rendezvous.h — how a program finds the default pager
 * without vm_set_default_memory_manager (a kernel that lacks it, or a
 * pager that could not register): the pager names its receive right
 * PAGER_PORT_NAME in its own space, so a task holding the pager's task
 * port (processor_set_tasks with the host privileged port) can take a
 * send right with mach_port_extract_right.  Shared by servers/pager and
 * the tests in tests/system/pager-modules.
 */
#ifndef PAGER_RENDEZVOUS_H
#define PAGER_RENDEZVOUS_H

#define PAGER_PORT_NAME 0x7a9e0u

#endif
