/*
 * The kernel objects kernel/server serves that belong to no other
 * subsystem: the host, the processor set and processors, devices.  They
 * are made once by kserver_init and live as long as the kernel, so they
 * are not reference counted.  Tasks and threads are kernel/task's.
 */
#ifndef SERVER_KOBJECTS_H
#define SERVER_KOBJECTS_H

#include "server/mig_kernel.h"

/*
 * The host.  host_t points at it for both the name port and the
 * privileged port: the MIG intran of host_priv_t (convert_port_to_host_
 * priv) only lets the privileged port through.
 * Owned by: the kernel, for ever.  Guarded by: nothing (fixed at init).
 */
struct khost {
	struct port *name_port; /* KOBJECT_HOST (mach_host_self) */
	struct port *priv_port; /* KOBJECT_HOST_PRIV (the bootstrap task) */
	uint64_t boot_ns;       /* clock_now_ns() at kserver_init */
};

/*
 * The one processor set (GNU Mach's default set), and the processors.
 * Owned by: the kernel, for ever.  Guarded by: nothing (the ports are
 *   fixed at init; policies and max_priority are single words written by
 *   the processor-set RPCs, kernel/task/sched_rpc.c).
 */
struct processor_set {
	struct port *self;      /* KOBJECT_PSET (needs host_priv to get) */
	struct port *name_port; /* KOBJECT_PSET_NAME */
	int policies;           /* POLICY_* bits enabled (timesharing always) */
	int max_priority;       /* processor_set_max_priority's value */
};

struct processor {
	struct port *self; /* KOBJECT_PROCESSOR */
	unsigned slot;     /* CPU number */
};

extern struct khost kserver_host;
extern struct processor_set kserver_pset;
extern struct processor kserver_processors[]; /* one per possible CPU */

/* Make the host, processor and processor-set ports (host.c), the device
 * master port and the devices (device.c), or destroy them (tests).
 * Returns KERN_SUCCESS or the port_alloc_kobject error.
 * Locks: none held. */
kern_return_t kserver_host_init(void);
void kserver_host_fini(void);
kern_return_t kserver_device_init(void);
void kserver_device_fini(void);

/* kserver_alloc_port: a kernel-object port for OBJ of TYPE into *PORT,
 * with one send right the kernel keeps (others copy it); kserver_free_port
 * releases that right, destroys *PORT (if any) and clears it.
 * Locks: none held. */
kern_return_t kserver_alloc_port(enum kobject_type type, void *obj,
                                 struct port **port);
void kserver_free_port(struct port **port);

/* kserver_kobject: the kernel object PORT stands for if it is an active
 * port of kind TYPE, else NULL.  Locks: none held (takes the port's). */
void *kserver_kobject(ipc_port_t port, enum kobject_type type);

/* kserver_send_right: a naked send right to PORT (MAKE_SEND), or
 * IP_NULL when PORT is NULL.  Locks: none held. */
ipc_port_t kserver_send_right(struct port *port);

#endif
