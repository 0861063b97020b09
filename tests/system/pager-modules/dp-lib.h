/*
 * tests/system/pager-modules/dp-lib.h — what the pager modules ask the
 * default pager about its objects (default_pager.defs), shared by
 * dp-objects.c and anon-paging.c.  Header only: each module is one
 * program.
 */
#ifndef DP_LIB_H
#define DP_LIB_H

#include <mach.h>
#include <mach/default_pager.h>
#include <machr/runtime.h>
#include <machr/tap.h>
#include <string.h>

#define DP_LISTED 64

/* The pager's objects (the first DP_LISTED): ids, store bytes and our
 * names for them; SUM is the store bytes of all, COUNT how many there
 * are.  Owned by: the caller's stack. */
struct dp_listing {
	unsigned n, count;
	vm_offset_t id[DP_LISTED];
	vm_size_t size[DP_LISTED];
	mach_port_t port[DP_LISTED];
	vm_size_t sum;
};

/* default_pager_objects of PAGER into *L; the send rights that come
 * with it are given back (L->port keeps the names for comparison).
 * Returns default_pager_objects' code. */
static inline kern_return_t dp_list_objects(mach_port_t pager,
                                            struct dp_listing *l)
{
	default_pager_object_t objs[DP_LISTED], *o = objs;
	mach_port_t ports[DP_LISTED], *p = ports;
	mach_msg_type_number_t no = DP_LISTED, np = DP_LISTED;
	kern_return_t kr;

	memset(l, 0, sizeof(*l));
	kr = default_pager_objects(pager, &o, &no, &p, &np);
	if (kr != KERN_SUCCESS)
		return kr;
	for (unsigned i = 0; i < no; i++) {
		l->sum += o[i].dpo_size;
		if (i < DP_LISTED) {
			l->id[i] = o[i].dpo_object;
			l->size[i] = o[i].dpo_size;
			l->port[i] = i < np ? p[i] : MACH_PORT_NULL;
		}
	}
	l->count = no;
	l->n = no < DP_LISTED ? no : DP_LISTED;
	/* The ports come as send rights: give back those we did not hold
	 * before (the kernel's objects). */
	for (unsigned i = 0; i < np; i++)
		if (MACH_PORT_VALID(p[i]))
			(void)mach_port_deallocate(mach_task_self(), p[i]);
	if (o != objs)
		vm_deallocate(mach_task_self(), (vm_address_t)o,
		              no * sizeof(*o));
	if (p != ports)
		vm_deallocate(mach_task_self(), (vm_address_t)p,
		              np * sizeof(*p));
	return KERN_SUCCESS;
}

/*
 * dp_list_objects and the store's use (*USED) taken together, retried
 * until the use is the same before and after the listing: the kernel may
 * still be paging out for a while after memory was last touched (the
 * pageout daemon cleans until its high mark, and under a loaded TCG host
 * that takes seconds).  Returns 1, or 0 (with a diagnostic) when a call
 * failed or the use never held still within 20 s.
 */
static inline int dp_snapshot(mach_port_t pager, struct dp_listing *l,
                              vm_size_t *used)
{
	default_pager_info_t x, y;
	kern_return_t kr;

	for (int i = 0; i < 400; i++) {
		if ((kr = default_pager_info(pager, &x)) != KERN_SUCCESS ||
		    (kr = dp_list_objects(pager, l)) != KERN_SUCCESS ||
		    (kr = default_pager_info(pager, &y)) != KERN_SUCCESS) {
			tap_diag("snapshot: a call failed: %#x", kr);
			return 0;
		}
		if (x.dpi_free_space == y.dpi_free_space) {
			*used = y.dpi_total_space - y.dpi_free_space;
			return 1;
		}
		machr_sleep_ms(50);
	}
	tap_diag("snapshot: the store's use never held still");
	return 0;
}

#endif
