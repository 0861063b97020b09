/*
 * tests/system/modules/pager-lib.h — a small external memory manager for
 * the pager system tests (vm-pager.c, vm-pager-misbehave.c), included by
 * each of them (one translation unit per module, so the definitions here
 * are the module's own).
 *
 * The module's main thread is the pager and the test driver at once: it
 * receives the kernel's memory_object.defs messages one at a time with a
 * timeout (pg_next), each decoded by MIG's memory_object_server into a
 * struct pg_event, and answers with the mach.defs calls.  Anything that
 * can block on the pager (touching mapped memory, vm_read/vm_write, a
 * vm_map that copies the object) runs in a worker thread (pg_start,
 * pg_peek, pg_poke) that reports over a port, so a kernel that never
 * calls the pager fails a check instead of hanging; pg_group_end ends
 * the workers still blocked.
 *
 * Checks go through pg_ok/pg_expect, which count them, so that a group
 * whose set-up failed can pad its remaining planned checks with failures
 * (pg_group_end) and the plan stays fixed.
 */
#ifndef PAGER_LIB_H
#define PAGER_LIB_H

#include <mach/exc_server.h>
#include <mach/exception.h>
#include <mach/memory_object.h>
#include <mach/notify.h>
#include <mach/memory_object_server.h>
#include <machr/runtime.h>
#include <machr/tap.h>
#include <stdio.h>
#include <string.h>

/* Each module uses a part of what is here. */
#pragma GCC diagnostic ignored "-Wunused-function"
#pragma GCC diagnostic ignored "-Wunused-variable"

#define T    machr_task
#define PAGE 4096ul

/* How long to wait for a message the kernel should send, and how long
 * to listen for one it should not. */
#define WAIT_MS  3000
#define QUIET_MS 400

/* The MIG demultiplexers (their headers declare only routine tables). */
boolean_t memory_object_server(mach_msg_header_t *in, mach_msg_header_t *out);
boolean_t exc_server(mach_msg_header_t *in, mach_msg_header_t *out);

/* memory_object.defs message ids (subsystem 2200). */
enum {
	MO_INIT = 2200,
	MO_TERMINATE = 2201,
	MO_COPY = 2202,
	MO_DATA_REQUEST = 2203,
	MO_DATA_UNLOCK = 2204,
	MO_LOCK_COMPLETED = 2206,
	MO_SUPPLY_COMPLETED = 2207,
	MO_DATA_RETURN = 2208,
	MO_CHANGE_COMPLETED = 2209,
};

static const char *pg_id_name(mach_msg_id_t id)
{
	switch (id) {
	case 0:
		return "nothing";
	case MO_INIT:
		return "init";
	case MO_TERMINATE:
		return "terminate";
	case MO_COPY:
		return "copy";
	case MO_DATA_REQUEST:
		return "data_request";
	case MO_DATA_UNLOCK:
		return "data_unlock";
	case MO_LOCK_COMPLETED:
		return "lock_completed";
	case MO_SUPPLY_COMPLETED:
		return "supply_completed";
	case MO_DATA_RETURN:
		return "data_return";
	case MO_CHANGE_COMPLETED:
		return "change_completed";
	case MACH_NOTIFY_SEND_ONCE:
		return "send-once notification";
	default:
		return "another message";
	}
}

/* One message from the kernel, as MIG's server stub decoded it. */
struct pg_event {
	mach_msg_id_t id;       /* msgh_id, 0 if nothing came */
	int decoded;            /* the stub called our routine */
	mach_msg_bits_t bits;   /* the header's bits as received */
	mach_port_t port;       /* the port it came to */
	mach_port_t object;     /* the routine's first argument */
	mach_port_t control;    /* memory_control */
	mach_port_t name;       /* init/terminate: memory_object_name */
	mach_port_t new_object; /* copy */
	vm_size_t page_size;    /* init */
	vm_offset_t offset;
	vm_size_t length;
	vm_prot_t access; /* data_request/data_unlock */
	vm_offset_t data; /* data_return: the pages (ours to free) */
	mach_msg_type_number_t count;
	boolean_t dirty, kernel_copy;
	kern_return_t result; /* supply_completed */
	vm_offset_t error_offset;
	boolean_t may_cache; /* change_completed */
	memory_object_copy_strategy_t strategy;
};

static struct pg_event *pg_cur;

kern_return_t memory_object_init(mach_port_t object, mach_port_t control,
                                 mach_port_t name, vm_size_t page_size)
{
	pg_cur->decoded = 1;
	pg_cur->object = object;
	pg_cur->control = control;
	pg_cur->name = name;
	pg_cur->page_size = page_size;
	return KERN_SUCCESS;
}

kern_return_t memory_object_terminate(mach_port_t object, mach_port_t control,
                                      mach_port_t name)
{
	pg_cur->decoded = 1;
	pg_cur->object = object;
	pg_cur->control = control;
	pg_cur->name = name;
	return KERN_SUCCESS;
}

kern_return_t memory_object_copy(mach_port_t object, mach_port_t control,
                                 vm_offset_t offset, vm_size_t length,
                                 mach_port_t new_object)
{
	pg_cur->decoded = 1;
	pg_cur->object = object;
	pg_cur->control = control;
	pg_cur->offset = offset;
	pg_cur->length = length;
	pg_cur->new_object = new_object;
	return KERN_SUCCESS;
}

kern_return_t memory_object_data_request(mach_port_t object,
                                         mach_port_t control,
                                         vm_offset_t offset, vm_size_t length,
                                         vm_prot_t access)
{
	pg_cur->decoded = 1;
	pg_cur->object = object;
	pg_cur->control = control;
	pg_cur->offset = offset;
	pg_cur->length = length;
	pg_cur->access = access;
	return KERN_SUCCESS;
}

kern_return_t memory_object_data_unlock(mach_port_t object, mach_port_t control,
                                        vm_offset_t offset, vm_size_t length,
                                        vm_prot_t access)
{
	return memory_object_data_request(object, control, offset, length,
	                                  access);
}

kern_return_t memory_object_lock_completed(mach_port_t object,
                                           mach_port_t control,
                                           vm_offset_t offset, vm_size_t length)
{
	pg_cur->decoded = 1;
	pg_cur->object = object;
	pg_cur->control = control;
	pg_cur->offset = offset;
	pg_cur->length = length;
	return KERN_SUCCESS;
}

kern_return_t
memory_object_supply_completed(mach_port_t object, mach_port_t control,
                               vm_offset_t offset, vm_size_t length,
                               kern_return_t result, vm_offset_t error_offset)
{
	pg_cur->decoded = 1;
	pg_cur->object = object;
	pg_cur->control = control;
	pg_cur->offset = offset;
	pg_cur->length = length;
	pg_cur->result = result;
	pg_cur->error_offset = error_offset;
	return KERN_SUCCESS;
}

kern_return_t memory_object_data_return(mach_port_t object, mach_port_t control,
                                        vm_offset_t offset, vm_offset_t data,
                                        mach_msg_type_number_t count,
                                        boolean_t dirty, boolean_t kernel_copy)
{
	pg_cur->decoded = 1;
	pg_cur->object = object;
	pg_cur->control = control;
	pg_cur->offset = offset;
	pg_cur->data = data;
	pg_cur->count = count;
	pg_cur->dirty = dirty;
	pg_cur->kernel_copy = kernel_copy;
	return KERN_SUCCESS;
}

kern_return_t memory_object_change_completed(mach_port_t object,
                                             boolean_t may_cache,
                                             memory_object_copy_strategy_t s)
{
	pg_cur->decoded = 1;
	pg_cur->object = object;
	pg_cur->may_cache = may_cache;
	pg_cur->strategy = s;
	return KERN_SUCCESS;
}

/* Free what an event brought (data_return's pages). */
static void pg_release(struct pg_event *ev)
{
	if (ev->data != 0 && ev->count != 0)
		(void)vm_deallocate(T, ev->data, ev->count);
	ev->data = 0;
}

/*
 * Receive the next message on PORT (a port or a port set) within
 * TIMEOUT ms and decode it into *EV (the previous contents released).
 * Returns its id, or 0 if none came.  A message the stub did not
 * recognise leaves ev->decoded 0.
 */
static mach_msg_id_t pg_next(mach_port_t port, unsigned timeout,
                             struct pg_event *ev)
{
	union {
		mach_msg_header_t h;
		char buf[1024];
	} in, out;

	pg_release(ev);
	memset(ev, 0, sizeof(*ev));
	if (mach_msg(&in.h, MACH_RCV_MSG | MACH_RCV_TIMEOUT, 0, sizeof(in),
	             port, timeout, MACH_PORT_NULL) != MACH_MSG_SUCCESS)
		return 0;
	ev->id = in.h.msgh_id;
	ev->bits = in.h.msgh_bits;
	ev->port = in.h.msgh_local_port;
	pg_cur = ev;
	if (!memory_object_server(&in.h, &out.h) &&
	    in.h.msgh_remote_port != MACH_PORT_NULL)
		(void)mach_port_deallocate(T, in.h.msgh_remote_port);
	pg_cur = NULL;
	return ev->id;
}

/* --- counted checks ------------------------------------------------------ */

static int pg_checks;    /* checks made so far */
static int pg_group_at;  /* pg_checks when the current group began */
static int pg_group_job; /* pg_njobs then */
static int pg_broken;    /* the kernel never called a pager: skip ahead */

#define pg_ok(...) (pg_checks++, tap_ok(__VA_ARGS__))
#define pg_expect(call, want, ...)                                             \
	do {                                                                   \
		pg_checks++;                                                   \
		tap_expect(call, want, __VA_ARGS__);                           \
	} while (0)

static int pg_njobs;
static void pg_reap(int first);

static void pg_group_begin(void)
{
	pg_group_at = pg_checks;
	pg_group_job = pg_njobs;
}

/* The group planned N checks: fail the ones it did not reach; end its
 * workers still running. */
static void pg_group_end(int n, const char *group)
{
	pg_reap(pg_group_job);
	while (pg_checks - pg_group_at < n)
		pg_ok(0, "%s: not reached (an earlier step failed)", group);
	if (pg_checks - pg_group_at > n)
		tap_diag("%s made %d checks, planned %d", group,
		         pg_checks - pg_group_at, n);
}

/*
 * Wait for a message with id WANT on PORT; a check named DESC says
 * whether it came (showing what came instead).
 */
static int pg_expect_msg(mach_port_t port, mach_msg_id_t want,
                         struct pg_event *ev, const char *desc)
{
	mach_msg_id_t id = pg_next(port, WAIT_MS, ev);
	int ok = id == want && ev->decoded;

	pg_ok(ok, "%s: %s (got %s, id %d)", desc, pg_id_name(want),
	      pg_id_name(id), id);
	return ok;
}

/* Nothing arrives on PORT for QUIET_MS. */
static int pg_quiet(mach_port_t port, struct pg_event *ev)
{
	return pg_next(port, QUIET_MS, ev) == 0;
}

/* A check named DESC that nothing arrives on PORT for QUIET_MS. */
static int pg_silent(mach_port_t port, struct pg_event *ev, const char *desc)
{
	mach_msg_id_t id = pg_next(port, QUIET_MS, ev);

	return pg_ok(id == 0, "%s (got %s, id %d)", desc, pg_id_name(id), id);
}

/* --- objects -------------------------------------------------------------- */

/* A new memory object port: our receive right plus a send right. */
static mach_port_t pg_new_object(void)
{
	mach_port_t p = machr_new_receive();

	(void)mach_port_insert_right(T, p, p, MACH_MSG_TYPE_MAKE_SEND);
	return p;
}

/* Map SIZE bytes of OBJECT at OFFSET anywhere in TASK. */
static kern_return_t pg_map(mach_port_t task, vm_address_t *addr,
                            vm_size_t size, mach_port_t object,
                            vm_offset_t offset, boolean_t copy,
                            vm_inherit_t inherit)
{
	*addr = 0;
	return vm_map(task, addr, size, 0, TRUE, object, offset, copy,
	              VM_PROT_READ | VM_PROT_WRITE, VM_PROT_ALL, inherit);
}

/*
 * Map SIZE bytes of a new object anywhere in our task with INHERIT and
 * wait for its init (two checks, named after WHAT): *PORT the object
 * port, *ADDR the mapping, the init in *EV and its control and name
 * ports in *CONTROL and *NAME.  1 if the init came; 0, with pg_broken
 * set, if not.
 */
static int pg_map_new(mach_port_t *port, mach_port_t *control,
                      mach_port_t *name, vm_address_t *addr, vm_size_t size,
                      vm_inherit_t inherit, struct pg_event *ev,
                      const char *what)
{
	kern_return_t kr;

	*port = pg_new_object();
	*control = *name = MACH_PORT_NULL;
	kr = pg_map(T, addr, size, *port, 0, FALSE, inherit);
	/* GNU Mach: vm_map of a fresh memory object port succeeds at once. */
	pg_ok(kr == KERN_SUCCESS, "%s: vm_map of a memory object port", what);
	if (kr != KERN_SUCCESS) {
		tap_diag("vm_map returned %#x", kr);
		pg_broken = 1;
		return 0;
	}
	if (!pg_expect_msg(*port, MO_INIT, ev, what)) {
		pg_broken = 1;
		return 0;
	}
	*control = ev->control;
	*name = ev->name;
	return 1;
}

/* Begin a group (pg_group_begin) on a new object mapped by pg_map_new
 * (same arguments): 1 if it is there, 0 if an earlier step broke the
 * run or the mapping failed (the group then ends at its "out"). */
static int pg_group_begin_object(mach_port_t *port, mach_port_t *control,
                                 mach_port_t *name, vm_address_t *addr,
                                 vm_size_t size, vm_inherit_t inherit,
                                 struct pg_event *ev, const char *what)
{
	pg_group_begin();
	return !pg_broken &&
	       pg_map_new(port, control, name, addr, size, inherit, ev, what);
}

/* An object done with: our rights to its CONTROL and NAME ports (from
 * its init) and its PORT go. */
static void pg_object_destroy(mach_port_t port, mach_port_t control,
                              mach_port_t name)
{
	(void)mach_port_destroy(T, control);
	(void)mach_port_destroy(T, name);
	(void)mach_port_destroy(T, port);
}

/* The word every 8 bytes of a supplied page hold: TAG and the page's
 * offset in the object. */
static uint64_t pg_word(uint32_t tag, vm_offset_t offset)
{
	return ((uint64_t)tag << 32) | (uint32_t)offset;
}

/* A fresh buffer of N bytes, every word pg_word(TAG, offset of its page
 * counting from OFFSET). */
static vm_offset_t pg_buffer(uint32_t tag, vm_offset_t offset, vm_size_t n)
{
	vm_address_t b = 0;

	if (vm_allocate(T, &b, n < PAGE ? PAGE : n, TRUE) != KERN_SUCCESS)
		return 0;
	for (vm_size_t i = 0; i < n / 8; i++)
		((uint64_t *)b)[i] =
		    pg_word(tag, offset + (i * 8 / PAGE) * PAGE);
	return b;
}

/* data_supply N bytes of pattern TAG at OFFSET (the buffer is moved). */
static kern_return_t pg_supply(mach_port_t control, vm_offset_t offset,
                               vm_size_t n, uint32_t tag, vm_prot_t lock,
                               boolean_t precious, mach_port_t reply)
{
	vm_offset_t b = pg_buffer(tag, offset, n);

	return memory_object_data_supply(control, offset, b, n, TRUE, lock,
	                                 precious, reply);
}

/* Whether the N bytes at A all hold pg_word(TAG, OFFSET + page). */
static int pg_holds(vm_offset_t a, vm_size_t n, uint32_t tag,
                    vm_offset_t offset)
{
	for (vm_size_t i = 0; i < n / 8; i++)
		if (((uint64_t *)a)[i] !=
		    pg_word(tag, offset + (i * 8 / PAGE) * PAGE))
			return 0;
	return 1;
}

/* --- workers that touch memory ------------------------------------------- */

/* PG_VM_READ and PG_VM_WRITE go through the kernel (vm_read of a page
 * at addr, reporting its word at offset 8 or the error; vm_write of a
 * page of value words, reporting the result); so does PG_RECEIVE (a
 * mach_msg receive from the port named by value into a buffer at addr,
 * reporting the message's id or the error), and PG_SEND_RECEIVE: the
 * message already at addr sent, and in the same mach_msg one received
 * into it from a new port of the worker's where one (id value) waits,
 * reporting the received id or the error.  PG_RPC is an RPC's call: the
 * request of `size` bytes at addr sent (the worker does not touch it:
 * the kernel reads it first) and the answer received from value into
 * addr, reporting its id or the error.  PG_SERVE is its server: one request
 * received from the port named by value into addr, its id (or the error)
 * reported as job `size`'s; then, once a message comes to the port `object`,
 * the answer (the request's id + 1) sent the way servers send it, in one
 * mach_msg with the next receive from value, reporting what that
 * returned. */
enum pg_op {
	PG_READ,
	PG_WRITE,
	PG_MAP,
	PG_VM_READ,
	PG_VM_WRITE,
	PG_RECEIVE,
	PG_SEND_RECEIVE,
	PG_RPC,
	PG_SERVE
};

struct pg_job {
	enum pg_op op;
	vm_address_t addr;
	uint64_t value;       /* PG_WRITE: what to store */
	mach_port_t exc_port; /* the thread's exception port, or NULL */
	/* PG_MAP: the vm_map arguments; addr receives the address */
	mach_port_t object;
	vm_size_t size;
	vm_offset_t offset;
	boolean_t copy;
	mach_port_t thread; /* the worker (ours, or a child's) */
	int done;           /* its report came */
	uint64_t result;    /* the report's word */
};

#define PG_JOBS 128
static struct pg_job pg_jobs[PG_JOBS];
static int pg_njobs;
/* Where workers report: our receive right and a send right, under the
 * same name in a child task that runs a worker (pg_start_in). */
static mach_port_t pg_rep;

/* A new job, not started. */
static struct pg_job *pg_job(enum pg_op op, vm_address_t addr, uint64_t value)
{
	struct pg_job *j;

	if (pg_njobs == PG_JOBS)
		return NULL;
	j = &pg_jobs[pg_njobs++];
	memset(j, 0, sizeof(*j));
	j->op = op;
	j->addr = addr;
	j->value = value;
	return j;
}

/* A worker: do the job, then report (id = job index, word = the value
 * read, 0 after a write, the vm_map result). */
static void pg_worker(void *arg)
{
	struct pg_job *j = arg;
	uint64_t w = 0;

	if (j->exc_port != MACH_PORT_NULL)
		(void)thread_set_special_port(
		    mach_thread_self(), THREAD_EXCEPTION_PORT, j->exc_port);
	switch (j->op) {
	case PG_READ:
		w = *(volatile uint64_t *)j->addr;
		break;
	case PG_WRITE:
		*(volatile uint64_t *)j->addr = j->value;
		break;
	case PG_MAP:
		w = (uint32_t)pg_map(T, &j->addr, j->size, j->object, j->offset,
		                     j->copy, VM_INHERIT_NONE);
		break;
	case PG_VM_READ: {
		vm_offset_t data = 0;
		mach_msg_type_number_t n = 0;
		kern_return_t kr = vm_read(T, j->addr, PAGE, &data, &n);

		w = kr != KERN_SUCCESS ? (uint32_t)kr : ((uint64_t *)data)[1];
		if (kr == KERN_SUCCESS)
			(void)vm_deallocate(T, data, n);
		break;
	}
	case PG_VM_WRITE: {
		vm_address_t b = 0;

		(void)vm_allocate(T, &b, PAGE, TRUE);
		for (unsigned i = 0; i < PAGE / 8; i++)
			((uint64_t *)b)[i] = j->value;
		w = (uint32_t)vm_write(T, j->addr, b, PAGE);
		(void)vm_deallocate(T, b, PAGE);
		break;
	}
	case PG_RECEIVE:
	case PG_RPC: {
		mach_msg_header_t *m = (mach_msg_header_t *)j->addr;
		int rpc = j->op == PG_RPC;
		mach_msg_return_t mr = mach_msg(
		    m, rpc ? MACH_SEND_MSG | MACH_RCV_MSG : MACH_RCV_MSG,
		    rpc ? (mach_msg_size_t)j->size : 0, 256,
		    (mach_port_t)j->value, 0, MACH_PORT_NULL);

		w = mr != MACH_MSG_SUCCESS ? (uint32_t)mr
		                           : (uint32_t)m->msgh_id;
		break;
	}
	case PG_SEND_RECEIVE: {
		mach_msg_header_t *m = (mach_msg_header_t *)j->addr;
		mach_port_t r = machr_new_receive();
		mach_msg_return_t mr;

		(void)machr_send_word(r, MACH_MSG_TYPE_MAKE_SEND,
		                      MACH_PORT_NULL, 0,
		                      (mach_msg_id_t)j->value, 0, 0, 0);
		mr = mach_msg(m, MACH_SEND_MSG | MACH_RCV_MSG, m->msgh_size,
		              256, r, 0, MACH_PORT_NULL);
		w = mr != MACH_MSG_SUCCESS ? (uint32_t)mr
		                           : (uint32_t)m->msgh_id;
		(void)mach_port_destroy(T, r);
		break;
	}
	case PG_SERVE: {
		mach_msg_header_t *m = (mach_msg_header_t *)j->addr;
		mach_port_t port = (mach_port_t)j->value;
		struct machr_word_msg go;
		mach_msg_return_t mr =
		    mach_msg(m, MACH_RCV_MSG, 0, 256, port, 0, MACH_PORT_NULL);

		(void)machr_send_word(pg_rep, MACH_MSG_TYPE_COPY_SEND,
		                      MACH_PORT_NULL, 0, (mach_msg_id_t)j->size,
		                      mr != MACH_MSG_SUCCESS
		                          ? (uint32_t)mr
		                          : (uint32_t)m->msgh_id,
		                      0, 0);
		if (mr == MACH_MSG_SUCCESS &&
		    (mr = machr_recv_word(j->object, &go, 0, 0)) ==
		        MACH_MSG_SUCCESS) {
			m->msgh_bits =
			    MACH_MSGH_BITS(MACH_MSG_TYPE_MOVE_SEND_ONCE, 0);
			m->msgh_local_port = MACH_PORT_NULL;
			m->msgh_size = sizeof(*m);
			m->msgh_id++;
			mr = mach_msg(m, MACH_SEND_MSG | MACH_RCV_MSG,
			              sizeof(*m), 256, port, 0, MACH_PORT_NULL);
		}
		w = (uint32_t)mr;
		break;
	}
	}
	(void)machr_send_word(pg_rep, MACH_MSG_TYPE_COPY_SEND, MACH_PORT_NULL,
	                      0, (mach_msg_id_t)(j - pg_jobs), w, 0, 0);
}

/* Start a worker doing OP at ADDR; returns its job (NULL if none is
 * left), *THREAD (if not NULL) its thread. */
static struct pg_job *pg_start(enum pg_op op, vm_address_t addr, uint64_t value,
                               mach_port_t *thread)
{
	struct pg_job *j;
	mach_port_t th = MACH_PORT_NULL;

	j = pg_job(op, addr, value);
	if (j == NULL || machr_thread_create(pg_worker, j, &th) != KERN_SUCCESS)
		return NULL;
	j->thread = th;
	/* The right stays with the job (pg_reap terminates the workers
	 * still running through it) even when the caller does not want
	 * it. */
	if (thread != NULL)
		*thread = th;
	return j;
}

/* Same, the worker first setting EXC as its exception port. */
static struct pg_job *pg_start_exc(enum pg_op op, vm_address_t addr,
                                   mach_port_t exc, mach_port_t *thread)
{
	struct pg_job *j;
	mach_port_t th = MACH_PORT_NULL;

	j = pg_job(op, addr, 0);
	if (j == NULL)
		return NULL;
	j->exc_port = exc;
	if (machr_thread_create(pg_worker, j, &th) != KERN_SUCCESS)
		return NULL;
	j->thread = th;
	*thread = th;
	return j;
}

/* Run job J (made before CHILD was created from our task, so the child's
 * copy has it) in a new thread of CHILD, which reports to pg_rep. */
static kern_return_t pg_start_in(mach_port_t child, struct pg_job *j,
                                 mach_port_t *thread)
{
	kern_return_t kr;

	(void)mach_port_insert_right(child, pg_rep, pg_rep,
	                             MACH_MSG_TYPE_MAKE_SEND);
	kr = machr_task_thread_start(child, pg_worker, j, thread);
	if (kr == KERN_SUCCESS)
		j->thread = *thread;
	return kr;
}

/* Start job J in a new thread of ours. */
static kern_return_t pg_run(struct pg_job *j)
{
	mach_port_t th = MACH_PORT_NULL;
	kern_return_t kr = machr_thread_create(pg_worker, j, &th);

	j->thread = th;
	return kr;
}

/* Set up the report port (call once, first). */
static void pg_init(void)
{
	pg_rep = machr_new_receive();
	(void)mach_port_insert_right(T, pg_rep, pg_rep,
	                             MACH_MSG_TYPE_MAKE_SEND);
}

/* The report of job J within TIMEOUT ms: 1 and *WORD if it came.
 * Reports of other jobs that come meanwhile are kept in their jobs. */
static int pg_report(struct pg_job *j, unsigned timeout, uint64_t *word)
{
	struct machr_word_msg m;
	int64_t end = machr_now_ms() + timeout;

	if (j == NULL)
		return 0;
	while (!j->done) {
		int64_t left = end - machr_now_ms();

		if (machr_recv_word(pg_rep, &m, MACH_RCV_TIMEOUT,
		                    left > 0 ? (unsigned)left : 0) != 0)
			return 0;
		if (m.h.msgh_id >= 0 && m.h.msgh_id < pg_njobs) {
			pg_jobs[m.h.msgh_id].done = 1;
			pg_jobs[m.h.msgh_id].result = m.word;
		}
	}
	if (word != NULL)
		*word = j->result;
	return 1;
}

/* Read (or write) the word at ADDR in a worker, within WAIT_MS: the main
 * thread never touches pager memory itself, lest a fault wait on the
 * pager that it is. */
static int pg_peek(vm_address_t addr, uint64_t *word)
{
	*word = 0xdeadbeefdeadbeefull;
	return pg_report(pg_start(PG_READ, addr, 0, NULL), WAIT_MS, word);
}

static int pg_poke(vm_address_t addr, uint64_t value)
{
	return pg_report(pg_start(PG_WRITE, addr, value, NULL), WAIT_MS, NULL);
}

/* End the workers started since job FIRST that have not reported (a
 * thread left waiting on a pager, or faulting later, would outlive its
 * group). */
static void pg_reap(int first)
{
	for (int i = first; i < pg_njobs; i++)
		if (!pg_jobs[i].done && pg_jobs[i].thread != MACH_PORT_NULL)
			(void)thread_terminate(pg_jobs[i].thread);
}

/* Whether THREAD is waiting: blocked, and no report from its job J. */
static int still_blocked(mach_port_t thread, struct pg_job *j)
{
	return machr_thread_wait_blocked(thread) && !pg_report(j, 10, NULL);
}

/* --- exceptions ------------------------------------------------------------
 */

/* The last exception caught; its thread is terminated, not resumed. */
static struct {
	int caught;
	mach_port_t thread;
	integer_t exc, code;
	long subcode;
} pg_exc;

kern_return_t catch_exception_raise(mach_port_t port, mach_port_t thread,
                                    mach_port_t task, integer_t exception,
                                    integer_t code, rpc_long_integer_t subcode)
{
	(void)port;
	pg_exc.caught = 1;
	pg_exc.thread = thread;
	pg_exc.exc = exception;
	pg_exc.code = code;
	pg_exc.subcode = subcode;
	(void)thread_terminate(thread);
	(void)mach_port_deallocate(T, thread);
	(void)mach_port_deallocate(T, task);
	return MIG_NO_REPLY;
}

/* Catch one exception_raise on PORT within TIMEOUT ms; the faulting
 * thread is terminated and the reply right dropped.  1 if one came. */
static int pg_catch(mach_port_t port, unsigned timeout)
{
	union {
		mach_msg_header_t h;
		char buf[512];
	} in, out;

	memset(&pg_exc, 0, sizeof(pg_exc));
	if (mach_msg(&in.h, MACH_RCV_MSG | MACH_RCV_TIMEOUT, 0, sizeof(in),
	             port, timeout, MACH_PORT_NULL) != MACH_MSG_SUCCESS)
		return 0;
	(void)exc_server(&in.h, &out.h);
	if (in.h.msgh_remote_port != MACH_PORT_NULL)
		(void)mach_port_deallocate(T, in.h.msgh_remote_port);
	return pg_exc.caught;
}

/* The type of NAME in our space (0 if none). */
static mach_port_type_t pg_type(mach_port_t name)
{
	mach_port_type_t t = 0;

	if (mach_port_type(T, name, &t) != KERN_SUCCESS)
		return 0;
	return t;
}

/* vm_region at ADDR in TASK: the region's start, size, object name (a
 * send right for the caller to free) and offset. */
static kern_return_t pg_region(mach_port_t task, vm_address_t addr,
                               vm_address_t *start, vm_size_t *size,
                               mach_port_t *object, vm_offset_t *offset)
{
	vm_prot_t prot, max;
	vm_inherit_t inherit;
	boolean_t shared;

	*start = addr;
	*object = MACH_PORT_NULL;
	return vm_region(task, start, size, &prot, &max, &inherit, &shared,
	                 object, offset);
}

#endif
