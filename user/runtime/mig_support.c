/*
 * user/runtime/mig_support.c — the runtime side of MIG stubs: one reply
 * port per thread, created on first use and reused for every RPC; string
 * copy and memory for out-of-line data.
 */
#include <mach.h>
#include <string.h>
#include <machr/runtime.h>
#include "tcb.h"

mach_port_t mig_get_reply_port(void)
{
	struct machr_tcb *t = __machr_tcb();

	if (t->reply_port == MACH_PORT_NULL)
		t->reply_port = mach_reply_port();
	return t->reply_port;
}

/*
 * The stub gives up on PORT after a failed or mismatched RPC: a reply may
 * still arrive on it later, so it is destroyed and the next RPC gets a
 * fresh one.  The cache is cleared first because destroying it is itself
 * an RPC (which then creates the new port).
 */
void mig_dealloc_reply_port(mach_port_t port)
{
	struct machr_tcb *t = __machr_tcb();

	if (port == MACH_PORT_NULL || port != t->reply_port)
		return;
	t->reply_port = MACH_PORT_NULL;
	(void)mach_port_mod_refs(machr_task, port, MACH_PORT_RIGHT_RECEIVE, -1);
}

void mig_put_reply_port(mach_port_t port)
{
	(void)port; /* stays cached in the thread's control block */
}

int mig_strncpy(char *dest, const char *src, int len)
{
	int i;

	if (len <= 0)
		return 0;
	for (i = 0; i < len - 1 && src[i]; i++)
		dest[i] = src[i];
	dest[i] = '\0';
	return i;
}

void mig_allocate(vm_address_t *addr, vm_size_t size)
{
	*addr = 0;
	if (vm_allocate(machr_task, addr, size, TRUE) != KERN_SUCCESS)
		*addr = 0;
}

void mig_deallocate(vm_address_t addr, vm_size_t size)
{
	(void)vm_deallocate(machr_task, addr, size);
}
