/*
 * Exceptions (task/exception.h): the kernel as an exc.defs client.
 *
 * exception_raise (id 2400) carries the thread's and the task's send
 * rights, the exception, its code (32 bits) and subcode (64 bits), with
 * MIG's 64-bit layout (GNUMACH-ABI.md: each item a descriptor and an
 * 8-byte slot).  The reply (id 2500) is a mig_reply_header_t: RetCode
 * KERN_SUCCESS resumes the thread; anything else (an error, a reply of
 * the wrong shape, the handler's death: a send-once notification) lets
 * the task's exception port try; when that fails too the task is
 * terminated.  The faulting thread waits on a port of its own, held in
 * the kernel space; an interrupt (thread_terminate, thread_abort) ends
 * the wait like a failure.
 */
#include <mach/exception.h>
#include <mach/message.h>
#include <mach/mig_errors.h>

#include "ipc/kmsg.h"
#include "ipc/mqueue.h"
#include "ipc/port.h"
#include "ipc/right.h"
#include "ipc/space.h"
#include "kern/printf.h"
#include "kern/waitq.h"
#include "machine/thread.h"
#include "task/exception.h"
#include "task/task.h"
#include "task/thread.h"

#define EXC_RAISE_ID 2400
#define EXC_REPLY_ID (EXC_RAISE_ID + 100)

/* The request body: two rights and three integers, MIG's layout. */
struct exc_request_body {
	mach_msg_type_t thread_type;
	struct ipc_object *thread;
	mach_msg_type_t task_type;
	struct ipc_object *task;
	mach_msg_type_t exc_type;
	int32_t exception;
	uint32_t pad0;
	mach_msg_type_t code_type;
	int32_t code;
	uint32_t pad1;
	mach_msg_type_t subcode_type;
	int64_t subcode;
};

/* The reply: a mig_reply_header_t after the header. */
struct exc_reply_body {
	mach_msg_type_t retcode_type;
	kern_return_t retcode;
	uint32_t pad;
};

static mach_msg_type_t item(unsigned name, unsigned size)
{
	mach_msg_type_t t = {0};

	t.msgt_name = name;
	t.msgt_size = size;
	t.msgt_number = 1;
	t.msgt_inline = 1;
	return t;
}

/*
 * Send exception_raise to the send right HANDLER (consumed) for thread T
 * and wait for the reply on REPLY (a kernel-space port).  Returns the
 * handler's RetCode, or KERN_FAILURE when no usable reply came.
 */
static kern_return_t raise_to(struct ipc_object *handler, struct port *reply,
                              struct thread *t, int exc, int64_t code,
                              int64_t subcode)
{
	struct exc_request_body *b;
	struct exc_reply_body *rb;
	struct kmsg *k;
	struct port *self_thread, *self_task;
	mach_msg_return_t mr;
	mach_msg_size_t size;
	kern_return_t kr = KERN_FAILURE;
	unsigned long f;

	k = kmsg_alloc(sizeof(struct kmsg_header) + sizeof(*b));
	if (k == NULL) {
		right_release(handler, MACH_MSG_TYPE_PORT_SEND);
		return KERN_FAILURE;
	}
	self_thread = task_slot_copy_send(&t->lock, &t->ith_sself);
	self_task = task_slot_copy_send(&t->task->lock, &t->task->itk_sself);

	f = port_lock(reply);
	port_make_sonce_locked(reply);
	port_unlock(reply, f);

	k->hdr.bits = MACH_MSGH_BITS(MACH_MSG_TYPE_PORT_SEND,
	                             MACH_MSG_TYPE_PORT_SEND_ONCE) |
	              MACH_MSGH_BITS_COMPLEX;
	k->hdr.remote = handler;
	k->hdr.local = port_object(reply);
	k->hdr.id = EXC_RAISE_ID;
	k->flags |= KMSG_CARRIES_RIGHTS;
	b = kmsg_body(k);
	b->thread_type = item(MACH_MSG_TYPE_PORT_SEND, 64);
	b->thread = self_thread ? port_object(self_thread) : IPC_OBJECT_NULL;
	b->task_type = item(MACH_MSG_TYPE_PORT_SEND, 64);
	b->task = self_task ? port_object(self_task) : IPC_OBJECT_NULL;
	b->exc_type = item(MACH_MSG_TYPE_INTEGER_32, 32);
	b->exception = exc;
	b->code_type = item(MACH_MSG_TYPE_INTEGER_32, 32);
	b->code = (int32_t)code;
	b->subcode_type = item(MACH_MSG_TYPE_INTEGER_64, 64);
	b->subcode = subcode;
	if (ipc_send_kernel(k) != MACH_MSG_SUCCESS)
		return KERN_FAILURE;

	f = port_lock(reply);
	mr = mqueue_receive_port(reply, f, space_kernel, MACH_MSG_SIZE_MAX,
	                         WAITQ_FOREVER, &k, &size, NULL);
	if (mr != MACH_MSG_SUCCESS)
		return KERN_FAILURE; /* interrupted: the thread is dying */
	/* Delivery used the right the reply came through: it goes quietly
	 * (destroying it would send a send-once notification). */
	if (MACH_MSGH_BITS_REMOTE(k->hdr.bits) == MACH_MSG_TYPE_PORT_SEND_ONCE)
		port_release_sonce(port_from_object(k->hdr.remote));
	else
		port_release_send(port_from_object(k->hdr.remote));
	k->hdr.remote = IPC_OBJECT_NULL;
	rb = kmsg_body(k);
	if (k->hdr.id == EXC_REPLY_ID &&
	    k->hdr.size == sizeof(struct kmsg_header) + sizeof(*rb) &&
	    !(k->hdr.bits & MACH_MSGH_BITS_COMPLEX) &&
	    rb->retcode_type.msgt_name == MACH_MSG_TYPE_INTEGER_32)
		kr = rb->retcode;
	kmsg_destroy(k);
	return kr;
}

/* A send right to the exception port in *SLOT (guarded by LOCK). */
static struct ipc_object *handler_of(spinlock_t *lock, struct port **slot)
{
	struct port *p = task_slot_copy_send(lock, slot);

	return p ? port_object(p) : NULL;
}

void exception_raise_current(int exc, int64_t code, int64_t subcode)
{
	struct thread *t = thread_current();
	struct task *task = t->task;
	struct ipc_object *h;
	struct port *reply;

	if (port_alloc_kernel(KOBJECT_NONE, NULL, &reply) == KERN_SUCCESS) {
		h = handler_of(&t->lock, &t->ith_exception);
		if (h &&
		    raise_to(h, reply, t, exc, code, subcode) == KERN_SUCCESS) {
			port_destroy_kobject(reply);
			return;
		}
		if (t->ast & AST_TERMINATE) {
			port_destroy_kobject(reply);
			return; /* dying: no second handler */
		}
		h = handler_of(&task->lock, &task->itk_exception);
		if (h &&
		    raise_to(h, reply, t, exc, code, subcode) == KERN_SUCCESS) {
			port_destroy_kobject(reply);
			return;
		}
		port_destroy_kobject(reply);
	}
	if (t->ast & AST_TERMINATE)
		return;
	kprintf("Mach_R: task %s: unhandled exception %d (code %#llx, "
	        "subcode %#llx) at rip %#llx; terminating the task\n",
	        task->name[0] ? task->name : "?", exc, (long long)code,
	        (long long)subcode, (long long)t->machine.frame->rip);
	task_terminate(task);
}
