/*
 * tests/system/modules/exceptions.c — hardware exceptions turned into
 * exception_raise messages (exc.defs): a thread of ours faults on
 * purpose (null read and write, a write to a read-only page, a read of
 * deallocated memory, divide by zero, ud2, int3, an int with no gate);
 * the main thread serves the message with the MIG exc_server, checks the
 * thread, task, exception, code and subcode, moves the faulting thread
 * past the instruction with thread_set_state and replies KERN_SUCCESS so
 * it resumes.  Then a thread of a child task faults and the handlers
 * reply with an error: the exception goes from the thread's port to the
 * task's, and with no handler left the task dies.  Each check states
 * what GNU Mach sends.
 */
#include <mach/exception.h>
#include <mach/exc_server.h>
#include <mach/notify.h>
#include <machr/runtime.h>
#include <machr/tap.h>
#include <stdio.h>
#include <string.h>

#define T machr_task

/* The MIG demultiplexer of exc.defs (its header declares only the
 * routine table). */
boolean_t exc_server(mach_msg_header_t *in, mach_msg_header_t *out);

/*
 * The faulting instructions, each in a function of its own with a label
 * at the instruction (NAME_at) and after it (NAME_end); a handler resumes
 * the thread at NAME_end, which returns.  The argument is in %rdi.
 */
#define FAULT_FN(name, insn)                                                   \
	".globl " #name "\n" #name ":\n"                                       \
	".globl " #name "_at\n" #name "_at: " insn "\n"                        \
	".globl " #name "_end\n" #name "_end: ret\n"
__asm__(".text\n" FAULT_FN(fault_read, "movq (%rdi), %rax"));
__asm__(".text\n" FAULT_FN(fault_write, "movq $1, (%rdi)"));
__asm__(".text\n" FAULT_FN(fault_div, "divl %edi"));
__asm__(".text\n" FAULT_FN(fault_ud2, "ud2"));
__asm__(".text\n" FAULT_FN(fault_int3, "int3"));
__asm__(".text\n" FAULT_FN(fault_int, "int $0x42"));

#define FAULT_DECL(name)                                                       \
	void name(uintptr_t);                                                  \
	extern char name##_at[], name##_end[]
FAULT_DECL(fault_read);
FAULT_DECL(fault_write);
FAULT_DECL(fault_div);
FAULT_DECL(fault_ud2);
FAULT_DECL(fault_int3);
FAULT_DECL(fault_int);

struct fault {
	const char *what;
	void (*fn)(uintptr_t);
	char *at, *end;
	uintptr_t arg;
	/* What GNU Mach sends; subcode ARG_SUBCODE means "the argument".
	 * A general protection fault (int with no user gate) is
	 * EXC_BAD_INSTRUCTION/EXC_I386_GPFLT with subcode 0x422 for
	 * vector 0x42, as observed (not the CPU's error code 0x212). */
	integer_t exc, code;
	long subcode;
	int trap; /* reported with rip after the instruction */
};

#define ARG_SUBCODE (-1L)
static struct fault faults[] = {
    {"read of address 0", fault_read, fault_read_at, fault_read_end, 0,
     EXC_BAD_ACCESS, KERN_INVALID_ADDRESS, 0, 0},
    {"write to address 0", fault_write, fault_write_at, fault_write_end, 0,
     EXC_BAD_ACCESS, KERN_INVALID_ADDRESS, 0, 0},
    {"write to a read-only page", fault_write, fault_write_at, fault_write_end,
     0 /* set in main */, EXC_BAD_ACCESS, KERN_PROTECTION_FAILURE, ARG_SUBCODE,
     0},
    {"read of deallocated memory", fault_read, fault_read_at, fault_read_end,
     0 /* set in main */, EXC_BAD_ACCESS, KERN_INVALID_ADDRESS, ARG_SUBCODE, 0},
    {"divide by zero", fault_div, fault_div_at, fault_div_end, 0,
     EXC_ARITHMETIC, EXC_I386_DIV, 0, 0},
    {"ud2", fault_ud2, fault_ud2_at, fault_ud2_end, 0, EXC_BAD_INSTRUCTION,
     EXC_I386_INVOP, 0, 0},
    {"int3", fault_int3, fault_int3_at, fault_int3_end, 0, EXC_BREAKPOINT,
     EXC_I386_BPT, 0, 1},
    {"int $0x42 (no gate)", fault_int, fault_int_at, fault_int_end, 0,
     EXC_BAD_INSTRUCTION, EXC_I386_GPFLT, 0x422, 0},
};
#define NFAULTS  ((int)(sizeof(faults) / sizeof(faults[0])))
#define VIA_TASK (NFAULTS - 2) /* from here on, the task's port */

/* What the handler saw for the current exception. */
static struct {
	mach_port_t thread, task;
	integer_t exc, code;
	long subcode;
	uintptr_t rip;
	kern_return_t set_state;
	kern_return_t answer; /* the reply's return code */
	const struct fault *fault;
} seen;

kern_return_t catch_exception_raise(mach_port_t port, mach_port_t thread,
                                    mach_port_t task, integer_t exception,
                                    integer_t code, rpc_long_integer_t subcode)
{
	struct i386_thread_state st;
	mach_msg_type_number_t n = i386_THREAD_STATE_COUNT;

	(void)port;
	seen.thread = thread;
	seen.task = task;
	seen.exc = exception;
	seen.code = code;
	seen.subcode = subcode;
	seen.rip = 0;
	if (thread_get_state(thread, i386_THREAD_STATE, (thread_state_t)&st,
	                     &n) == KERN_SUCCESS) {
		seen.rip = st.rip;
		if (seen.fault) {
			st.rip = (uintptr_t)seen.fault->end;
			seen.set_state = thread_set_state(
			    thread, i386_THREAD_STATE, (thread_state_t)&st, n);
		}
	}
	return seen.answer;
}

static mach_port_t exc_port, task_exc_port, rep;

/* Receive one exception message on PORT and answer it. */
static int serve(mach_port_t port, mach_msg_id_t *id)
{
	union {
		mach_msg_header_t h;
		char buf[512];
	} in, out;

	if (mach_msg(&in.h, MACH_RCV_MSG | MACH_RCV_TIMEOUT, 0, sizeof(in),
	             port, 5000, MACH_PORT_NULL) != 0)
		return 0;
	*id = in.h.msgh_id;
	if (!exc_server(&in.h, &out.h))
		return 0;
	return mach_msg(&out.h, MACH_SEND_MSG, out.h.msgh_size, 0,
	                MACH_PORT_NULL, 0, MACH_PORT_NULL) == 0;
}

/* The faulting thread of our own task. */
static void faulter(void *arg)
{
	(void)arg;
	(void)thread_set_special_port(mach_thread_self(), THREAD_EXCEPTION_PORT,
	                              exc_port);
	for (int i = 0; i < NFAULTS; i++) {
		if (i == VIA_TASK)
			(void)thread_set_special_port(mach_thread_self(),
			                              THREAD_EXCEPTION_PORT,
			                              MACH_PORT_NULL);
		faults[i].fn(faults[i].arg);
		(void)machr_send_word(rep, MACH_MSG_TYPE_MAKE_SEND,
		                      MACH_PORT_NULL, 0, i, 1, 0, 0);
	}
}

static void check_own_thread(void)
{
	struct machr_word_msg m;
	mach_port_t th = MACH_PORT_NULL;
	vm_address_t ro = 0, gone = 0;

	(void)vm_allocate(T, &ro, 4096, TRUE);
	(void)vm_protect(T, ro, 4096, FALSE, VM_PROT_READ);
	faults[2].arg = ro + 8;
	(void)vm_allocate(T, &gone, 4096, TRUE);
	(void)vm_deallocate(T, gone, 4096);
	faults[3].arg = gone + 16;

	seen.answer = KERN_SUCCESS;
	tap_expect(task_set_special_port(T, TASK_EXCEPTION_PORT, task_exc_port),
	           0, "set our task's exception port");
	tap_expect(machr_thread_create(faulter, NULL, &th), 0,
	           "start a thread that faults (it sets its exception port)");
	for (int i = 0; i < NFAULTS; i++) {
		const struct fault *f = &faults[i];
		long sub =
		    f->subcode == ARG_SUBCODE ? (long)f->arg : f->subcode;
		mach_msg_id_t id = 0;
		int ok;

		seen.fault = f;
		ok = serve(i < VIA_TASK ? exc_port : task_exc_port, &id);
		tap_ok(ok && id == 2400,
		       "%s: exception_raise (id %d) on the %s port", f->what,
		       id, i < VIA_TASK ? "thread's" : "task's");
		tap_ok(seen.exc == f->exc && seen.code == f->code &&
		           seen.subcode == sub,
		       "%s: exception %d, code %#x, subcode %#lx", f->what,
		       seen.exc, seen.code, seen.subcode);
		tap_ok(seen.thread == th && seen.task == T &&
		           seen.rip == (uintptr_t)(f->trap ? f->end : f->at),
		       "%s: our thread and task, rip %s the instruction",
		       f->what, f->trap ? "after" : "at");
		ok = machr_recv_word(rep, &m, MACH_RCV_TIMEOUT, 5000) == 0 &&
		     m.h.msgh_id == i;
		tap_ok(ok && seen.set_state == 0,
		       "%s: resumed past it after a KERN_SUCCESS reply",
		       f->what);
		(void)mach_port_deallocate(T, seen.thread);
		(void)mach_port_deallocate(T, seen.task);
	}
	(void)task_set_special_port(T, TASK_EXCEPTION_PORT, MACH_PORT_NULL);
}

#define CHILD_INBOX 0x1001

/* In the child: wait for the go, then read address 8. */
static void child_faulter(void *arg)
{
	struct machr_word_msg m;

	(void)arg;
	(void)machr_recv_word(CHILD_INBOX, &m, 0, 0);
	fault_read(8);
	fault_read(16); /* not reached if GNU Mach ends the task */
}

/* A child task whose only thread waits for our go, then faults; *NOTIFY
 * gets a dead-name notification when the task dies. */
static mach_port_t faulting_child(mach_port_t *th, mach_port_t *go,
                                  mach_port_t notify)
{
	mach_port_t c = MACH_PORT_NULL, prev;

	*go = machr_new_receive();
	(void)mach_port_insert_right(T, *go, *go, MACH_MSG_TYPE_MAKE_SEND);
	(void)task_create(T, TRUE, &c);
	(void)mach_port_insert_right(c, CHILD_INBOX, *go,
	                             MACH_MSG_TYPE_MOVE_RECEIVE);
	(void)mach_port_request_notification(
	    T, c, MACH_NOTIFY_DEAD_NAME, 0, notify,
	    MACH_MSG_TYPE_MAKE_SEND_ONCE, &prev);
	(void)machr_task_thread_start(c, child_faulter, NULL, th);
	return c;
}

/* The task C died: its dead-name notification arrives within 5 s. */
static int died(mach_port_t notify, mach_port_t c)
{
	struct machr_word_msg m;

	return machr_recv_word(notify, &m, MACH_RCV_TIMEOUT, 5000) == 0 &&
	       m.h.msgh_id == MACH_NOTIFY_DEAD_NAME && (mach_port_t)m.word == c;
}

static void check_error_replies(void)
{
	mach_port_t notify = machr_new_receive(), th, go, c;
	mach_msg_id_t id = 0;
	int ok;

	c = faulting_child(&th, &go, notify);
	tap_expect(thread_set_special_port(th, THREAD_EXCEPTION_PORT, exc_port),
	           0, "set a child thread's exception port");
	tap_expect(task_set_special_port(c, TASK_EXCEPTION_PORT, task_exc_port),
	           0, "and its task's");
	seen.fault = NULL;
	seen.answer = KERN_FAILURE;
	(void)machr_send_word(go, MACH_MSG_TYPE_COPY_SEND, MACH_PORT_NULL, 0, 1,
	                      0, 0, 0);
	ok = serve(exc_port, &id);
	tap_ok(ok && seen.exc == EXC_BAD_ACCESS &&
	           seen.code == KERN_INVALID_ADDRESS && seen.subcode == 8 &&
	           seen.thread == th && seen.task == c,
	       "the thread's handler gets the child's fault (%d %#x %#lx)",
	       seen.exc, seen.code, seen.subcode);
	(void)mach_port_deallocate(T, seen.thread);
	(void)mach_port_deallocate(T, seen.task);
	/* GNU Mach: an error reply passes the exception on to the task's
	 * port, with the same codes. */
	ok = serve(task_exc_port, &id);
	tap_ok(ok && seen.exc == EXC_BAD_ACCESS && seen.subcode == 8 &&
	           seen.thread == th,
	       "after its error reply, the task's handler gets it");
	(void)mach_port_deallocate(T, seen.thread);
	(void)mach_port_deallocate(T, seen.task);
	/* GNU Mach: with both handlers refusing, the task is terminated. */
	tap_ok(died(notify, c),
	       "after the task handler's error, the task dies");
	(void)mach_port_destroy(T, c);

	c = faulting_child(&th, &go, notify);
	(void)machr_send_word(go, MACH_MSG_TYPE_COPY_SEND, MACH_PORT_NULL, 0, 1,
	                      0, 0, 0);
	tap_ok(died(notify, c), "a child with no exception port that faults "
	                        "dies");
	(void)mach_port_destroy(T, c);
	(void)mach_port_destroy(T, notify);
}

int main(int argc, char **argv)
{
	mach_port_t host_priv, device_master;

	if (machr_boot_ports(argc, argv, &host_priv, &device_master) != 0 ||
	    machr_console_open(device_master) != KERN_SUCCESS)
		mach_print("exceptions: no console\n");
	tap_plan(2 + 4 * NFAULTS + 6);
	exc_port = machr_new_receive();
	task_exc_port = machr_new_receive();
	rep = machr_new_receive();
	(void)mach_port_insert_right(T, exc_port, exc_port,
	                             MACH_MSG_TYPE_MAKE_SEND);
	(void)mach_port_insert_right(T, task_exc_port, task_exc_port,
	                             MACH_MSG_TYPE_MAKE_SEND);
	check_own_thread();
	check_error_replies();
	tap_finish(host_priv);
	return 0;
}
