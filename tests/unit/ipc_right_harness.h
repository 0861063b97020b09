/*
 * Shared fixture of the right-layer unit tests (test_ipc_space.c,
 * test_ipc_right.c, test_ipc_port_interface.c, test_ipc_notify.c): a
 * fresh page allocator and IPC for each test, three spaces, helpers to
 * make rights and to receive notifications, and the checks every test
 * ends with: the invariant checker on every space while the test's
 * rights still exist, then, once every space (the kernel space too) is
 * gone, every IPC slab counter and buffer page back to where it was
 * before IPC started.
 */
#ifndef IPC_RIGHT_HARNESS_H
#define IPC_RIGHT_HARNESS_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <mach/notify.h>

#include "ipc/invariants.h"
#include "ipc/kmsg.h"
#include "ipc/msg.h"
#include "ipc/port.h"
#include "ipc/port_interface.h"
#include "ipc/pset.h"
#include "ipc/right.h"
#include "ipc/right_entry.h"
#include "ipc/space.h"
#include "kern/memmap.h"
#include "kern/page_alloc.h"
#include "kern/slab.h"
#include "machine/copyio.h"
#include "machine/host_test.h"

#define H_MiB       (1024UL * 1024)
#define H_MEM_SIZE  (64 * H_MiB)
#define H_MEM_ALIGN (4 * H_MiB)

static char *h_mem;
static struct memmap h_map;
static struct ipc_baseline h_base;
static struct space *s1, *s2, *s3; /* three tasks' spaces */

static inline int ipc_setup(void **state)
{
	(void)state;
	h_mem = aligned_alloc(H_MEM_ALIGN, H_MEM_SIZE);
	if (h_mem == NULL)
		return -1;
	page_alloc_reset_for_tests();
	slab_reset_for_tests();
	memmap_init(&h_map);
	memmap_add(&h_map, virt_to_phys(h_mem), H_MEM_SIZE, MEMMAP_USABLE);
	memmap_finish(&h_map);
	page_alloc_init(&h_map);
	host_copyio_reset();
	ipc_baseline_take(&h_base);
	ipc_rights_init();
	if (space_create(&s1) != KERN_SUCCESS ||
	    space_create(&s2) != KERN_SUCCESS ||
	    space_create(&s3) != KERN_SUCCESS)
		return -1;
	return 0;
}

static inline bool h_release(struct space **s)
{
	if (*s == NULL)
		return true;
	space_terminate(*s);
	space_release(*s);
	*s = NULL;
	return true;
}

/* Reports rather than asserts, so that it always frees everything. */
static inline int ipc_teardown(void **state)
{
	struct ipc_check res = {0};
	bool ok = true;

	(void)state;
	if (ipc_check_invariants() != 0)
		ok = false;
	h_release(&s1);
	h_release(&s2);
	h_release(&s3);
	if (ipc_check_invariants() != 0)
		ok = false;
	if (space_kernel->count != 0) {
		print_error("the kernel space still holds %u names\n",
		            space_kernel->count);
		ok = false;
	}
	h_release(&space_kernel);
	if (ipc_check_baseline(&h_base, &res) != 0) {
		print_error("leak: %s\n", res.first);
		ok = false;
	}
	if (!ok)
		print_error("%s\n", host_console_output());
	host_console_reset();
	slab_reset_for_tests();
	page_alloc_reset_for_tests();
	free(h_mem);
	return ok ? 0 : -1;
}

#define IPC_TEST(f) cmocka_unit_test_setup_teardown(f, ipc_setup, ipc_teardown)

/* Assert the invariants of S1..S3 now; EXACT when no right is in transit
 * or held by the kernel. */
static inline void assert_consistent(bool exact)
{
	struct space *all[4] = {s1, s2, s3, space_kernel};
	struct space *live[4];
	struct ipc_check res = {0};
	unsigned n = 0;

	for (unsigned i = 0; i < 4; i++)
		if (all[i] != NULL)
			live[n++] = all[i];
	ipc_check_rights(live, n, exact, &res);
	if (res.errors != 0)
		fail_msg("%u violations, first: %s", res.errors, res.first);
}

/* --- making rights --- */

static inline mach_port_name_t new_receive(struct space *s)
{
	mach_port_name_t n = MACH_PORT_NULL;

	assert_int_equal(mach_port_allocate(s, MACH_PORT_RIGHT_RECEIVE, &n),
	                 KERN_SUCCESS);
	return n;
}

static inline mach_port_name_t new_pset(struct space *s)
{
	mach_port_name_t n = MACH_PORT_NULL;

	assert_int_equal(mach_port_allocate(s, MACH_PORT_RIGHT_PORT_SET, &n),
	                 KERN_SUCCESS);
	return n;
}

static inline mach_port_name_t new_dead(struct space *s)
{
	mach_port_name_t n = MACH_PORT_NULL;

	assert_int_equal(mach_port_allocate(s, MACH_PORT_RIGHT_DEAD_NAME, &n),
	                 KERN_SUCCESS);
	return n;
}

/* Take DISPOSITION from NAME in S (dead names allowed). */
static inline struct ipc_object *take(struct space *s, mach_port_name_t name,
                                      mach_msg_type_name_t disposition)
{
	struct ipc_object *o = NULL;
	mach_msg_type_name_t t = 0;

	assert_int_equal(right_copyin(s, name, disposition, true, &o, &t),
	                 KERN_SUCCESS);
	return o;
}

/* Give the right in transit (O, TYPE) to S; its name there. */
static inline mach_port_name_t put(struct space *s, struct ipc_object *o,
                                   mach_msg_type_name_t type)
{
	mach_port_name_t n = 0;

	assert_int_equal(right_copyout(s, o, type, &n), KERN_SUCCESS);
	return n;
}

/* Give TO a right of DISPOSITION from NAME in FROM, as a message would. */
static inline mach_port_name_t give(struct space *from, mach_port_name_t name,
                                    mach_msg_type_name_t disposition,
                                    struct space *to)
{
	struct ipc_object *o = NULL;
	mach_msg_type_name_t t = 0;

	assert_int_equal(right_copyin(from, name, disposition, false, &o, &t),
	                 KERN_SUCCESS);
	return put(to, o, t);
}

/* The type of NAME in S, or (mach_port_type_t)-1 if it is no name. */
static inline mach_port_type_t type_of(struct space *s, mach_port_name_t n)
{
	mach_port_type_t t = 0;

	if (mach_port_type(s, n, &t) != KERN_SUCCESS)
		return (mach_port_type_t)-1;
	return t;
}

static inline mach_port_urefs_t urefs_of(struct space *s, mach_port_name_t n,
                                         mach_port_right_t r)
{
	mach_port_urefs_t u = 0;

	if (mach_port_get_refs(s, n, r, &u) != KERN_SUCCESS)
		return (mach_port_urefs_t)-1;
	return u;
}

/* The port NAME denotes in S (white box), or NULL. */
static inline struct port *port_of(struct space *s, mach_port_name_t n)
{
	unsigned long f = space_lock(s);
	struct space_entry *e = space_lookup(s, n);
	struct port *p =
	    e != NULL && e->object != NULL && e->object->kind == IPC_OBJECT_PORT
	        ? port_from_object(e->object)
	        : NULL;

	space_unlock(s, f);
	return p;
}

static inline mach_port_status_t status_of(struct space *s, mach_port_name_t n)
{
	mach_port_status_t st;

	memset(&st, 0xee, sizeof(st));
	assert_int_equal(mach_port_get_receive_status(s, n, &st), KERN_SUCCESS);
	return st;
}

/*
 * The kinds of name a table-driven test tries every routine on, each
 * made in S1 (ports' receive rights, when not S1's, are in S2).
 */
enum kind {
	K_RECEIVE,      /* a receive right */
	K_SEND_RECEIVE, /* receive + send, 1 send uref */
	K_SEND,         /* a send right, 1 uref */
	K_SEND3,        /* a send right, 3 urefs */
	K_SONCE,        /* a send-once right */
	K_PSET,         /* a port set */
	K_DEAD,         /* a dead name, 1 uref */
	K_DEADPORT,     /* a send right (2 urefs) whose port died */
	K_UNUSED,       /* a name never used */
	K_STALE,        /* a name that was freed */
	K_NULL,         /* MACH_PORT_NULL */
	K_DEADVAL,      /* MACH_PORT_DEAD */
	K_COUNT
};

static const char *const kind_names[K_COUNT] = {
    "receive", "send+receive", "send",   "send x3", "send-once", "set",
    "dead",    "dead port",    "unused", "stale",   "null",      "DEAD"};

static inline mach_port_name_t make_kind(enum kind k)
{
	mach_port_name_t n, p;

	switch (k) {
	case K_RECEIVE:
		return new_receive(s1);
	case K_SEND_RECEIVE:
		n = new_receive(s1);
		assert_int_equal(give(s1, n, MACH_MSG_TYPE_MAKE_SEND, s1), n);
		return n;
	case K_SEND:
	case K_SEND3:
		p = new_receive(s2);
		n = give(s2, p, MACH_MSG_TYPE_MAKE_SEND, s1);
		if (k == K_SEND3)
			assert_int_equal(
			    mach_port_mod_refs(s1, n, MACH_PORT_RIGHT_SEND, 2),
			    KERN_SUCCESS);
		return n;
	case K_SONCE:
		p = new_receive(s2);
		return give(s2, p, MACH_MSG_TYPE_MAKE_SEND_ONCE, s1);
	case K_PSET:
		return new_pset(s1);
	case K_DEAD:
		return new_dead(s1);
	case K_DEADPORT:
		p = new_receive(s2);
		n = give(s2, p, MACH_MSG_TYPE_MAKE_SEND, s1);
		assert_int_equal(give(s2, p, MACH_MSG_TYPE_MAKE_SEND, s1), n);
		assert_int_equal(mach_port_destroy(s2, p), KERN_SUCCESS);
		return n;
	case K_UNUSED:
		return 0x4321;
	case K_STALE:
		n = new_dead(s1);
		assert_int_equal(mach_port_destroy(s1, n), KERN_SUCCESS);
		return n;
	case K_NULL:
		return MACH_PORT_NULL;
	default:
		return MACH_PORT_DEAD;
	}
}

/* Short names for tables. */
#define T_S   MACH_PORT_TYPE_SEND
#define T_R   MACH_PORT_TYPE_RECEIVE
#define T_SR  MACH_PORT_TYPE_SEND_RECEIVE
#define T_SO  MACH_PORT_TYPE_SEND_ONCE
#define T_PS  MACH_PORT_TYPE_PORT_SET
#define T_DN  MACH_PORT_TYPE_DEAD_NAME
#define R_S   MACH_PORT_RIGHT_SEND
#define R_R   MACH_PORT_RIGHT_RECEIVE
#define R_SO  MACH_PORT_RIGHT_SEND_ONCE
#define R_PS  MACH_PORT_RIGHT_PORT_SET
#define R_DN  MACH_PORT_RIGHT_DEAD_NAME
#define R_BAD MACH_PORT_RIGHT_NUMBER

/* Expected "no such name" in tables. */
#define GONE ((mach_port_type_t)-1)

/* --- receiving --- */

/* Room for any notification and more. */
struct h_msg {
	mach_msg_header_t h;
	uint64_t body[16];
};

/* Receive from NAME in S without waiting. */
static inline mach_msg_return_t h_recv(struct space *s, mach_port_name_t name,
                                       struct h_msg *m)
{
	memset(m, 0, sizeof(*m));
	return ipc_mach_msg(s, (uint64_t)(uintptr_t)m,
	                    MACH_RCV_MSG | MACH_RCV_TIMEOUT, 0, sizeof(*m),
	                    name, 0, MACH_PORT_NULL);
}

/* The number of messages queued on the port NAME (receive right). */
static inline unsigned queued(struct space *s, mach_port_name_t n)
{
	mach_port_status_t st = status_of(s, n);

	return st.mps_msgcount;
}

#endif
