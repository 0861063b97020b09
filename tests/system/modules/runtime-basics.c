/*
 * tests/system/modules/runtime-basics.c — checks the user runtime itself
 * on a real kernel: the initial stack, console output, formatting and
 * string functions, the traps, mach_msg, MIG reply-port reuse (one per
 * thread, no leak per RPC), mig_dealloc_reply_port, runtime threads.
 * Runs as the bootstrap task; argv = [name, host-priv, device-master].
 */
#include <machr/runtime.h>
#include <machr/tap.h>
#include <mach/thread_switch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Number of names in our IPC space, or -1. */
static int count_names(void)
{
	mach_port_name_array_t names;
	mach_port_type_array_t types;
	mach_msg_type_number_t n = 0, nt = 0;

	if (mach_port_names(machr_task, &names, &n, &types, &nt) !=
	    KERN_SUCCESS)
		return -1;
	(void)vm_deallocate(machr_task, (vm_address_t)names, n * sizeof *names);
	(void)vm_deallocate(machr_task, (vm_address_t)types,
	                    nt * sizeof *types);
	return (int)n;
}

static int check_format(void)
{
	char buf[256];
	const char *want =
	    "-42|   42|42   |-0042|beef|0xbeef|BEEF|10|010|4000000000|"
	    "-1099511627776|123456789012|str|st|   ab|ab   |z|%|0x1234|+7| 7";

	snprintf(buf, sizeof buf,
	         "%d|%5d|%-5d|%05d|%x|%#x|%X|%o|%#o|%u|%ld|%lld|%s|%.2s|%5s|%-"
	         "5s|%c|%%|%p|%+d|% d",
	         -42, 42, 42, -42, 0xbeef, 0xbeef, 0xbeef, 8, 8, 4000000000u,
	         -(1L << 40), 123456789012LL, "str", "string", "ab", "ab", 'z',
	         (void *)0x1234, 7, 7);
	if (strcmp(buf, want) != 0) {
		tap_diag("got  %s", buf);
		tap_diag("want %s", want);
		return 0;
	}
	return 1;
}

static int check_strings(void)
{
	char a[] = "abcdef", b[] = "abcdef";
	char *end;

	memmove(a + 1, a, 5);
	memmove(b, b + 1, 5);
	return strcmp(a, "aabcde") == 0 && strcmp(b, "bcdeff") == 0 &&
	       memcmp("abc", "abd", 3) < 0 && strcmp("b", "a") > 0 &&
	       strlen("hello") == 5 && strtoul("0x1f", &end, 0) == 31 &&
	       *end == 0 && strtoul("077", NULL, 0) == 63 &&
	       strtol("-12", NULL, 10) == -12 && strchr("abc", 'c') &&
	       !strchr("abc", 'x');
}

/* A message with one inline integer, as MIG would lay it out. */
struct int_msg {
	mach_msg_header_t head;
	mach_msg_type_t type;
	int value;
	char pad[4];
};

static int check_msg_to_self(void)
{
	struct int_msg m;
	struct {
		struct int_msg m;
		char slack[64];
	} r;
	mach_port_t port;
	kern_return_t kr;

	if (mach_port_allocate(machr_task, MACH_PORT_RIGHT_RECEIVE, &port) !=
	    KERN_SUCCESS)
		return 0;
	memset(&m, 0, sizeof m);
	m.head.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_MAKE_SEND, 0);
	m.head.msgh_size = sizeof m;
	m.head.msgh_remote_port = port;
	m.head.msgh_id = 1234;
	m.type.msgt_name = MACH_MSG_TYPE_INTEGER_32;
	m.type.msgt_size = 32;
	m.type.msgt_number = 1;
	m.type.msgt_inline = 1;
	m.value = 0x5a5a;
	kr = mach_msg(&m.head, MACH_SEND_MSG, sizeof m, 0, MACH_PORT_NULL, 0,
	              MACH_PORT_NULL);
	if (kr == KERN_SUCCESS)
		kr = mach_msg(&r.m.head, MACH_RCV_MSG | MACH_RCV_TIMEOUT, 0,
		              sizeof r, port, 1000, MACH_PORT_NULL);
	(void)mach_port_mod_refs(machr_task, port, MACH_PORT_RIGHT_RECEIVE, -1);
	if (kr != KERN_SUCCESS) {
		tap_diag("mach_msg: %#x", kr);
		return 0;
	}
	tap_diag("received id %u size %u local %u", r.m.head.msgh_id,
	         r.m.head.msgh_size, r.m.head.msgh_local_port);
	return r.m.head.msgh_id == 1234 && r.m.head.msgh_size == sizeof m &&
	       r.m.head.msgh_local_port == port && r.m.value == 0x5a5a;
}

static volatile int worker_done;
static kern_return_t worker_kr;
static mach_port_t worker_reply;

static void worker(void *arg)
{
	vm_address_t a = 0;

	worker_kr = vm_allocate(machr_task, &a, 4096, TRUE);
	if (worker_kr == KERN_SUCCESS) {
		*(volatile int *)a = 1;
		worker_kr = vm_deallocate(machr_task, a, 4096);
	}
	worker_reply = mig_get_reply_port();
	*(int *)arg = 42;
	worker_done = 1;
}

int main(int argc, char **argv, char **envp)
{
	mach_port_t host_priv, device_master, reply, th;
	vm_address_t a = 0;
	int n1, n2, value = 0;
	kern_return_t kr;

	if (machr_boot_ports(argc, argv, &host_priv, &device_master) != 0) {
		printf("1..1\nnot ok 1 - boot ports in argv (argc %d)\n", argc);
		return 1;
	}
	kr = machr_console_open(device_master); /* printf goes there from now */
	tap_plan(13);
	tap_ok(argc == 3 && argv[argc] == NULL && envp == argv + argc + 1,
	       "initial stack: argc %d, argv[argc] NULL, envp after it", argc);
	tap_diag("argv: %s %s %s; envp[0] %p", argv[0], argv[1], argv[2],
	         (void *)envp[0]);
	tap_kr(kr, "console device opened by the runtime");
	tap_ok(check_format(), "snprintf conversions");
	{
		char small[5];
		int n = snprintf(small, sizeof small, "abcdefgh");
		tap_ok(n == 8 && strcmp(small, "abcd") == 0,
		       "snprintf truncates, returns 8");
	}
	tap_ok(check_strings(), "string functions and strtoul");
	tap_ok(mach_task_self() != MACH_PORT_NULL &&
	           mach_host_self() != MACH_PORT_NULL &&
	           mach_thread_self() != MACH_PORT_NULL,
	       "task/host/thread self traps (task %u)", machr_task);

	kr = syscall_vm_allocate(machr_task, &a, 8192, TRUE);
	if (kr == KERN_SUCCESS) {
		((volatile char *)a)[8191] = 7;
		kr = ((volatile char *)a)[8191] == 7
		         ? syscall_vm_deallocate(machr_task, a, 8192)
		         : KERN_FAILURE;
	}
	tap_kr(kr, "syscall_vm_allocate/deallocate traps (at %#lx)",
	       (unsigned long)a);
	tap_ok(check_msg_to_self(), "mach_msg to a port of our own");

	reply = mig_get_reply_port();
	n1 = count_names();
	for (int i = 0; i < 20; i++) {
		a = 0;
		if (vm_allocate(machr_task, &a, 4096, TRUE) == KERN_SUCCESS)
			(void)vm_deallocate(machr_task, a, 4096);
	}
	n2 = count_names();
	tap_ok(n1 > 0 && n1 == n2 && mig_get_reply_port() == reply,
	       "one reply port reused over 40 RPCs (names %d -> %d, port %u)",
	       n1, n2, reply);

	mig_dealloc_reply_port(reply);
	n2 = count_names(); /* this RPC creates the replacement port */
	tap_ok(n2 == n1 && mig_get_reply_port() != MACH_PORT_NULL,
	       "mig_dealloc_reply_port destroys the old port (names %d -> %d)",
	       n1, n2);

	kr = machr_thread_create(worker, &value, &th);
	for (int i = 0; kr == KERN_SUCCESS && !worker_done && i < 500; i++)
		(void)thread_switch(MACH_PORT_NULL, SWITCH_OPTION_WAIT, 10);
	tap_ok(kr == KERN_SUCCESS && worker_done && value == 42 &&
	           worker_kr == KERN_SUCCESS,
	       "runtime thread ran and made RPCs (create %#x, rpc %#x)", kr,
	       worker_kr);
	tap_ok(worker_reply != MACH_PORT_NULL &&
	           worker_reply != mig_get_reply_port(),
	       "thread has its own reply port (%u, main %u)", worker_reply,
	       mig_get_reply_port());

	kr = (kern_return_t)machr_raw_trap(-1, 0, 0, 0, 0, 0);
	tap_ok(kr == KERN_INVALID_ARGUMENT,
	       "unused trap -1 returns KERN_INVALID_ARGUMENT (%#x)", kr);

	tap_finish(host_priv);
	return 1;
}
