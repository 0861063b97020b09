/*
 * tests/system/pager-modules/protocol.c — the default pager's side of
 * the memory object protocol, with this program playing the kernel
 * (tests/system/pager.sh boots it after the pager).
 *
 * It sends the pager what a kernel sends (memory_object_init,
 * data_request, data_return, terminate, memory_object_create) with
 * control ports of its own, and checks each answer the pager sends to
 * them (memory_object_ready, data_unavailable, data_supply, data_error).
 * Then bad requests — an unknown object, offsets past the end, a
 * message of no interface, a malformed one — must be ignored (no answer)
 * and leave the pager serving.  A store filled to the last block must
 * lose the next page and say so when it is asked for.  Finally the pager
 * must have freed every block.  The pager logs the bad requests and the
 * full store; pager.sh expects that here, and gives this program a store
 * of 1 MiB.
 */
#include <mach/default_pager.h>
#include <mach/memory_object.h>
#include <machr/runtime.h>
#include <machr/tap.h>
#include <stdio.h>
#include <string.h>

#include "memory_object_default_user.h"
#include "memory_object_user.h"
#define PAGER_RENDEZVOUS_CLIENT
#include "servers/pager/rendezvous.h"

#define T    machr_task
#define PAGE 4096ul

/* The ids of what the pager sends to a control port (mach.defs). */
#define ID_DATA_UNAVAILABLE 2039
#define ID_DATA_ERROR       2090
#define ID_DATA_SUPPLY      2093
#define ID_READY            2094

static mach_port_t pager;

/* One answer received on a control port: its id and up to 6 items (out
 * of line data stays mapped until drop_ool).  Owned by: the caller. */
struct answer {
	mach_msg_id_t id;
	unsigned items;
	uint64_t value[6];  /* inline scalars, or the OOL address */
	uint64_t number[6]; /* element count */
	int ool[6];
};

/* Receive the next message on PORT (up to MS ms) and decode its items;
 * 0 if none came. */
static int answer(mach_port_t port, unsigned ms, struct answer *a)
{
	union {
		mach_msg_header_t h;
		char buf[512];
	} m;
	char *p, *end;

	memset(a, 0, sizeof(*a));
	if (mach_msg(&m.h, MACH_RCV_MSG | MACH_RCV_TIMEOUT, 0, sizeof(m), port,
	             ms, MACH_PORT_NULL) != MACH_MSG_SUCCESS)
		return 0;
	a->id = m.h.msgh_id;
	p = (char *)(&m.h + 1);
	end = (char *)&m.h + m.h.msgh_size;
	while (p + sizeof(mach_msg_type_t) <= end && a->items < 6) {
		mach_msg_type_t *t = (mach_msg_type_t *)p;
		uint64_t bytes =
		    ((uint64_t)t->msgt_number * t->msgt_size + 7) / 8;
		char *data = p + sizeof(*t);
		unsigned k = a->items++;

		a->number[k] = t->msgt_number;
		a->ool[k] = !t->msgt_inline;
		if (!t->msgt_inline)
			a->value[k] = *(uint64_t *)data;
		else if (bytes == 8)
			a->value[k] = *(uint64_t *)data;
		else if (bytes == 4)
			a->value[k] = *(uint32_t *)data;
		p += (sizeof(*t) + (t->msgt_inline ? bytes : 8) + 7) & ~7ul;
	}
	/* A reply port (data_supply's reply_to) is ours to drop. */
	if (MACH_PORT_VALID(m.h.msgh_remote_port))
		(void)mach_port_deallocate(T, m.h.msgh_remote_port);
	return 1;
}

static void drop_ool(struct answer *a)
{
	for (unsigned k = 0; k < a->items; k++)
		if (a->ool[k] && a->value[k] != 0)
			(void)vm_deallocate(T, a->value[k], a->number[k]);
}

/* Told apart per object where two objects hold the same page. */
static uint64_t salt;

static uint64_t pattern(uint64_t page, unsigned word)
{
	return (salt << 56) ^ (page << 40) ^ (word * 0x9e3779b97f4a7c15ull) ^ 3;
}

/* Hand page PAGE of OBJECT to the pager, as the pageout of a kernel. */
static kern_return_t give_page(mach_port_t object, mach_port_t control,
                               uint64_t page)
{
	static uint64_t data[PAGE / 8] __attribute__((aligned(PAGE)));

	for (unsigned i = 0; i < PAGE / 8; i++)
		data[i] = pattern(page, i);
	return memory_object_data_return(object, control, page * PAGE,
	                                 (vm_offset_t)data, PAGE, TRUE, FALSE);
}

/* An answer is data_supply of page PAGE holding its pattern. */
static int supplied(struct answer *a, uint64_t page)
{
	int ok = a->id == ID_DATA_SUPPLY && a->items >= 2 &&
	         a->value[0] == page * PAGE && a->ool[1] &&
	         a->number[1] == PAGE;

	for (unsigned i = 0; ok && i < PAGE / 8; i++)
		ok = ((uint64_t *)a->value[1])[i] == pattern(page, i);
	drop_ool(a);
	return ok;
}

/* The store bytes the pager lists, in all. */
static vm_size_t used(void)
{
	default_pager_info_t info;

	if (default_pager_info(pager, &info) != KERN_SUCCESS)
		return (vm_size_t)-1;
	return info.dpi_total_space - info.dpi_free_space;
}

/* How many objects the pager lists, or -1. */
static int objects(void)
{
	default_pager_object_t objs[64], *o = objs;
	mach_port_t ports[64], *p = ports;
	mach_msg_type_number_t no = 64, np = 64;

	if (default_pager_objects(pager, &o, &no, &p, &np) != KERN_SUCCESS)
		return -1;
	for (unsigned i = 0; i < np; i++)
		if (MACH_PORT_VALID(p[i]))
			(void)mach_port_deallocate(T, p[i]);
	if (o != objs)
		vm_deallocate(T, (vm_address_t)o, no * sizeof(*o));
	if (p != ports)
		vm_deallocate(T, (vm_address_t)p, np * sizeof(*p));
	return (int)no;
}

int main(int argc, char **argv)
{
	mach_port_t host_priv, device_master, obj = MACH_PORT_NULL, kobj,
	                                      control, name, kcontrol, kname;
	struct answer a, b;
	const char *how;
	int nobjects;
	vm_size_t base;
	kern_return_t kr;
	int i, ok;

	if (machr_boot_ports(argc, argv, &host_priv, &device_master) != 0 ||
	    machr_console_open(device_master) != KERN_SUCCESS)
		mach_print("protocol: no console\n");
	tap_plan(18);

	pager = pager_find(host_priv, &how);
	base = MACH_PORT_VALID(pager) ? used() : (vm_size_t)-1;
	nobjects = MACH_PORT_VALID(pager) ? objects() : -1;
	if (!tap_ok(base != (vm_size_t)-1, "found the pager (%s)", how)) {
		tap_finish(host_priv);
		return 1;
	}

	/* An object a task made, initialized by us as its kernel. */
	control = machr_new_receive();
	name = machr_new_receive();
	kr = default_pager_object_create(pager, &obj, 4 * PAGE);
	if (kr == KERN_SUCCESS)
		kr = memory_object_init(obj, control, name, PAGE);
	ok = kr == KERN_SUCCESS && answer(control, 5000, &a);
	tap_ok(ok && a.id == ID_READY && a.items == 2 && a.value[0] == FALSE &&
	           a.value[1] == MEMORY_OBJECT_COPY_DELAY,
	       "memory_object_init is answered by memory_object_ready (not "
	       "cached, copy delay)");

	kr = memory_object_data_request(obj, control, 0, PAGE, VM_PROT_READ);
	ok = kr == KERN_SUCCESS && answer(control, 5000, &a);
	tap_ok(ok && a.id == ID_DATA_UNAVAILABLE && a.value[0] == 0 &&
	           a.value[1] == PAGE,
	       "a page never written: memory_object_data_unavailable");

	kr = give_page(obj, control, 2);
	if (kr == KERN_SUCCESS)
		kr = memory_object_data_request(obj, control, 2 * PAGE, PAGE,
		                                VM_PROT_READ | VM_PROT_WRITE);
	ok = kr == KERN_SUCCESS && answer(control, 5000, &a);
	tap_ok(ok && supplied(&a, 2),
	       "a page returned (data_return) comes back with data_supply");

	kr =
	    memory_object_data_request(obj, control, 0, 3 * PAGE, VM_PROT_READ);
	ok = kr == KERN_SUCCESS && answer(control, 5000, &a) &&
	     answer(control, 5000, &b);
	tap_ok(ok && a.id == ID_DATA_UNAVAILABLE && a.value[0] == 0 &&
	           a.value[1] == 2 * PAGE && supplied(&b, 2),
	       "a request of three pages: two unavailable, then the third");

	kr = memory_object_data_request(obj, control, 3 * PAGE, 2 * PAGE,
	                                VM_PROT_READ);
	ok = kr == KERN_SUCCESS && answer(control, 5000, &a) &&
	     answer(control, 5000, &b);
	tap_ok(ok && a.id == ID_DATA_UNAVAILABLE && a.value[0] == 3 * PAGE &&
	           b.id == ID_DATA_ERROR && b.value[0] == 4 * PAGE &&
	           b.value[1] == PAGE,
	       "a request running past the object's end: data_error for "
	       "that part");

	tap_ok(used() == base + PAGE,
	       "the pager holds one page for the object");
	{
		default_pager_page_t pages[8], *pp = pages;
		mach_msg_type_number_t np = 8;

		kr = default_pager_object_pages(pager, obj, &pp, &np);
		tap_ok(kr == KERN_SUCCESS && np == 1 &&
		           pp[0].dpp_offset == 2 * PAGE,
		       "default_pager_object_pages lists that page (at %#lx)",
		       np > 0 ? (unsigned long)pp[0].dpp_offset : 0ul);
		if (kr == KERN_SUCCESS && pp != pages)
			vm_deallocate(T, (vm_address_t)pp, np * sizeof(*pp));
	}

	/* Bad requests: no answer, and the pager keeps serving. */
	kr = memory_object_data_request(pager, control, 0, PAGE, VM_PROT_READ);
	kr |= give_page(obj, control, 9);
	kr |= memory_object_data_return(obj, control, 0x123, 0, 0, TRUE, FALSE);
	kr |= memory_object_data_request(obj, control, 0, 0, VM_PROT_READ);
	{
		mach_msg_header_t h;
		machr_msg_header(&h, obj, MACH_MSG_TYPE_COPY_SEND,
		                 MACH_PORT_NULL, 0, sizeof(h));
		h.msgh_id = 4242;
		kr |= mach_msg(&h, MACH_SEND_MSG, sizeof(h), 0, MACH_PORT_NULL,
		               0, MACH_PORT_NULL);
		/* data_request's id with no body at all. */
		h.msgh_id = 2202;
		kr |= mach_msg(&h, MACH_SEND_MSG, sizeof(h), 0, MACH_PORT_NULL,
		               0, MACH_PORT_NULL);
	}
	ok = !answer(control, 300, &a);
	tap_ok(kr == KERN_SUCCESS && ok && used() == base + PAGE,
	       "bad requests get no answer and change nothing");
	if (!ok)
		tap_diag("got message id %d", a.id);

	/* Terminate: the control and name go to the pager, and a send
	 * right to the object, as the kernel moves its own (keep one).  A
	 * task still holds the object: a new init finds its page again. */
	kr = mach_port_mod_refs(T, obj, MACH_PORT_RIGHT_SEND, 1);
	if (kr == KERN_SUCCESS)
		kr = memory_object_terminate(obj, control, name);
	control = machr_new_receive();
	name = machr_new_receive();
	if (kr == KERN_SUCCESS)
		kr = memory_object_init(obj, control, name, PAGE);
	ok =
	    kr == KERN_SUCCESS && answer(control, 5000, &a) && a.id == ID_READY;
	if (ok)
		kr = memory_object_data_request(obj, control, 2 * PAGE, PAGE,
		                                VM_PROT_READ);
	ok = ok && kr == KERN_SUCCESS && answer(control, 5000, &a) &&
	     supplied(&a, 2);
	tap_ok(ok && used() == base + PAGE,
	       "after memory_object_terminate a new init finds the page "
	       "again");

	/* Terminated again and our last send right gone: no-senders ends
	 * the object and frees its page. */
	kr = mach_port_mod_refs(T, obj, MACH_PORT_RIGHT_SEND, 1);
	if (kr == KERN_SUCCESS)
		kr = memory_object_terminate(obj, control, name);
	if (kr == KERN_SUCCESS)
		kr = mach_port_deallocate(T, obj);
	for (i = 0; i < 100 && used() != base; i++)
		machr_sleep_ms(20);
	tap_ok(kr == KERN_SUCCESS && used() == base,
	       "its last send right gone, the object's page is freed");

	/* A temporary object as the kernel makes one: memory_object_create
	 * moves our send right to the default port and the object's
	 * receive right. */
	kobj = machr_new_receive();
	kcontrol = machr_new_receive();
	kname = machr_new_receive();
	kr = mach_port_insert_right(T, kobj, kobj, MACH_MSG_TYPE_MAKE_SEND);
	if (kr == KERN_SUCCESS)
		kr = mach_port_mod_refs(T, pager, MACH_PORT_RIGHT_SEND, 1);
	if (kr == KERN_SUCCESS)
		kr = memory_object_create(pager, kobj, 8 * PAGE, kcontrol,
		                          kname, PAGE);
	if (kr == KERN_SUCCESS)
		kr = give_page(kobj, kcontrol, 5);
	if (kr == KERN_SUCCESS)
		kr = memory_object_data_request(kobj, kcontrol, 5 * PAGE, PAGE,
		                                VM_PROT_READ);
	ok = kr == KERN_SUCCESS && answer(kcontrol, 5000, &a);
	tap_ok(ok && supplied(&a, 5),
	       "memory_object_create: no ready needed; a page returned comes "
	       "back");
	ok = !answer(kcontrol, 300, &a) && used() == base + PAGE;
	tap_ok(ok, "nothing else was sent to its control port; one page held");

	kr = mach_port_mod_refs(T, kobj, MACH_PORT_RIGHT_SEND, 1);
	if (kr == KERN_SUCCESS)
		kr = memory_object_terminate(kobj, kcontrol, kname);
	for (i = 0; i < 100 && used() != base; i++)
		machr_sleep_ms(20);
	{
		mach_port_type_t type = 0;
		(void)mach_port_type(T, kobj, &type);
		ok = kr == KERN_SUCCESS && used() == base &&
		     (type & MACH_PORT_TYPE_DEAD_NAME);
	}
	tap_ok(ok, "after terminate the pager frees it and destroys its port");
	(void)mach_port_deallocate(T, kobj);

	/* A full store (pager.sh gives this program a small one): the page
	 * that finds no block is lost, and asking for it is an error, not
	 * stale data or zeros. */
	{
		default_pager_info_t info = {0};
		uint64_t n, p;
		mach_port_t full = MACH_PORT_NULL;

		kr = default_pager_info(pager, &info);
		n = info.dpi_free_space / PAGE;
		control = machr_new_receive();
		name = machr_new_receive();
		if (kr == KERN_SUCCESS && n > 1024)
			kr = KERN_NO_SPACE; /* too large to fill here */
		if (kr == KERN_SUCCESS)
			kr = default_pager_object_create(pager, &full,
			                                 (n + 2) * PAGE);
		if (kr == KERN_SUCCESS)
			kr = memory_object_init(full, control, name, PAGE);
		ok = kr == KERN_SUCCESS && answer(control, 5000, &a) &&
		     a.id == ID_READY;
		for (p = 0; ok && p <= n; p++)
			ok = give_page(full, control, p) == KERN_SUCCESS;
		ok = ok && used() == info.dpi_total_space;
		if (ok)
			kr = memory_object_data_request(full, control, n * PAGE,
			                                PAGE, VM_PROT_READ);
		ok = ok && kr == KERN_SUCCESS && answer(control, 5000, &a);
		if (ok)
			kr = memory_object_data_request(full, control, 0, PAGE,
			                                VM_PROT_READ);
		ok = ok && kr == KERN_SUCCESS && answer(control, 5000, &b);
		tap_ok(ok && a.id == ID_DATA_ERROR && a.value[0] == n * PAGE &&
		           a.value[2] == KERN_NO_SPACE && supplied(&b, 0),
		       "a store filled by %lu pages loses the next: data_error "
		       "for it, the others intact",
		       (unsigned long)n);
		if (MACH_PORT_VALID(full)) {
			kr = mach_port_mod_refs(T, full, MACH_PORT_RIGHT_SEND,
			                        1);
			if (kr == KERN_SUCCESS)
				kr = memory_object_terminate(full, control,
				                             name);
			if (kr == KERN_SUCCESS)
				kr = mach_port_deallocate(T, full);
			for (i = 0; i < 100 && used() != base; i++)
				machr_sleep_ms(20);
		}
		tap_ok(kr == KERN_SUCCESS && used() == base,
		       "terminated and released, the full object gives the "
		       "store back");
	}

	/* Two objects, the same page: each keeps its own. */
	{
		mach_port_t x = MACH_PORT_NULL, y = MACH_PORT_NULL;
		mach_port_t xc = machr_new_receive(), yc = machr_new_receive();
		mach_port_t xn = machr_new_receive(), yn = machr_new_receive();

		kr = default_pager_object_create(pager, &x, 4 * PAGE);
		if (kr == KERN_SUCCESS)
			kr = default_pager_object_create(pager, &y, 4 * PAGE);
		if (kr == KERN_SUCCESS)
			kr = memory_object_init(x, xc, xn, PAGE);
		if (kr == KERN_SUCCESS)
			kr = memory_object_init(y, yc, yn, PAGE);
		ok = kr == KERN_SUCCESS && answer(xc, 5000, &a) &&
		     a.id == ID_READY && answer(yc, 5000, &b) &&
		     b.id == ID_READY;
		salt = 1;
		ok = ok && give_page(x, xc, 1) == KERN_SUCCESS;
		salt = 2;
		ok = ok && give_page(y, yc, 1) == KERN_SUCCESS &&
		     memory_object_data_request(y, yc, PAGE, PAGE,
		                                VM_PROT_READ) == KERN_SUCCESS &&
		     answer(yc, 5000, &b) && supplied(&b, 1);
		salt = 1;
		ok = ok &&
		     memory_object_data_request(x, xc, PAGE, PAGE,
		                                VM_PROT_READ) == KERN_SUCCESS &&
		     answer(xc, 5000, &a) && supplied(&a, 1);
		salt = 0;
		tap_ok(ok && used() == base + 2 * PAGE,
		       "two objects' page 1 stay apart");
		if (MACH_PORT_VALID(x) &&
		    mach_port_mod_refs(T, x, MACH_PORT_RIGHT_SEND, 1) ==
		        KERN_SUCCESS)
			(void)memory_object_terminate(x, xc, xn);
		if (MACH_PORT_VALID(y) &&
		    mach_port_mod_refs(T, y, MACH_PORT_RIGHT_SEND, 1) ==
		        KERN_SUCCESS)
			(void)memory_object_terminate(y, yc, yn);
		(void)mach_port_deallocate(T, x);
		(void)mach_port_deallocate(T, y);
	}

	/* The terminations above may be served after a call on the
	 * default port (a port set has no order across its ports). */
	for (i = 0; i < 100 && (used() != base || objects() != nobjects); i++)
		machr_sleep_ms(20);
	tap_ok(used() == base && nobjects >= 0 && objects() == nobjects,
	       "the pager still serves, and holds the blocks and %d objects "
	       "it held at the start",
	       nobjects);
	tap_finish(host_priv);
	return 0;
}
