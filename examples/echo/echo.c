/*
 * examples/echo/echo.c — a two-task client/server program for Mach_R and
 * GNU Mach, built with tools/machr-cc and the stubs MIG makes from
 * echo.defs (see README.md, "Writing a program").
 *
 * The bootstrap task is the server: it makes a port, creates a second
 * task running a copy of this program (task_create with inherited
 * memory), gives that task a send right to the port, and starts the
 * client there.  The client calls echo_upper through MIG's user stub
 * for each word and checks the answers, then sends echo_stop.  The
 * server answers through MIG's server side until it is told to stop,
 * reports in TAP and shuts the machine down.
 */
#include <machr/runtime.h>
#include <machr/tap.h>
#include <stdio.h>
#include <string.h>

#include "echo.h"
#include "echo_server.h"

/* The client's name for the server's port, chosen by us. */
#define SERVER_NAME 0x1234

static const char *const words[] = {"mach", "ports", "messages", "tasks"};
#define NWORDS (sizeof(words) / sizeof(words[0]))

/* What the client found, shared through its own copy of the program:
 * it cannot print (the console is ours), so the server learns the
 * result from the calls it serves. */
static int served, stopped;

/* --- the server side: what MIG's echo_server calls (do_*) --- */

kern_return_t do_echo_upper(mach_port_t server, const_echo_text_t text,
                            echo_text_t upper)
{
	size_t i;

	(void)server;
	for (i = 0; text[i] != '\0' && i < sizeof(echo_text_t) - 1; i++)
		upper[i] = text[i] >= 'a' && text[i] <= 'z'
		               ? (char)(text[i] - 'a' + 'A')
		               : text[i];
	upper[i] = '\0';
	served++;
	printf("server: \"%s\" -> \"%s\"\n", text, upper);
	return KERN_SUCCESS;
}

kern_return_t do_echo_stop(mach_port_t server)
{
	(void)server;
	stopped = 1;
	return KERN_SUCCESS;
}

/* MIG's demultiplexer for echo.defs (echo_server.c). */
boolean_t echo_server(mach_msg_header_t *in, mach_msg_header_t *out);

/* Receive requests on PORT and answer them until echo_stop. */
static void serve(mach_port_t port)
{
	union {
		mach_msg_header_t h;
		char buf[1024];
	} in, out;

	while (!stopped) {
		if (mach_msg(&in.h, MACH_RCV_MSG, 0, sizeof(in), port, 0,
		             MACH_PORT_NULL) != MACH_MSG_SUCCESS)
			break;
		/* echo_server fills OUT: a reply, or an error for an
		 * unknown id.  A simpleroutine gets no reply. */
		(void)echo_server(&in.h, &out.h);
		if (out.h.msgh_remote_port != MACH_PORT_NULL &&
		    ((mig_reply_header_t *)&out.h)->RetCode != MIG_NO_REPLY)
			(void)mach_msg(&out.h, MACH_SEND_MSG, out.h.msgh_size,
			               0, MACH_PORT_NULL, 0, MACH_PORT_NULL);
	}
}

/* --- the client side, in the second task --- */

static void client(void *arg)
{
	echo_text_t upper;

	(void)arg;
	for (unsigned i = 0; i < NWORDS; i++)
		if (echo_upper(SERVER_NAME, (char *)words[i], upper) !=
		    KERN_SUCCESS)
			break;
	(void)echo_stop(SERVER_NAME);
}

int main(int argc, char **argv)
{
	mach_port_t host_priv, device_master, port, child, thread;

	if (machr_boot_ports(argc, argv, &host_priv, &device_master) != 0 ||
	    machr_console_open(device_master) != KERN_SUCCESS)
		mach_print("echo: no console\n");
	tap_plan(4);
	port = machr_new_receive();
	tap_kr(task_create(machr_task, TRUE, &child), "create the client task");
	tap_kr(mach_port_insert_right(child, SERVER_NAME, port,
	                              MACH_MSG_TYPE_MAKE_SEND),
	       "give it a send right to our port");
	tap_kr(machr_task_thread_start(child, client, NULL, &thread),
	       "start the client in it");
	serve(port);
	tap_ok(served == (int)NWORDS && stopped,
	       "served %d calls, then the client said stop", served);
	(void)task_terminate(child);
	tap_finish(host_priv);
	return 0;
}
