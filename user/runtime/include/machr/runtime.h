/*
 * <machr/runtime.h> — helpers of the Mach_R user runtime that are not part
 * of any Mach interface: boot ports, the console, output, threads, exit.
 */
#ifndef MACHR_RUNTIME_H
#define MACHR_RUNTIME_H

#include <stddef.h>
#include <mach.h>

/* host_reboot() options (GNU Mach's values; not in gnumach-dev). */
#define RB_AUTOBOOT 0x0 /* reboot: QEMU -no-reboot then exits */
#define RB_HALT     0x8 /* halt the machine */

/* The task's own port, fetched once at startup (mach_task_self() makes a
 * new user reference on every call). */
extern mach_port_t machr_task;

/* A bootstrap module's argv: [name, host-priv, device-master, ...].
 * Parses both port names; returns 0, or -1 if argv is too short/bad. */
int machr_boot_ports(int argc, char **argv, mach_port_t *host_priv,
                     mach_port_t *device_master);

/* Open the "console" device (D_READ|D_WRITE).  Afterwards printf() and
 * friends write to it; before, they go to the mach_print trap.  Returns
 * the device_open() result. */
kern_return_t machr_console_open(mach_port_t device_master);
/* The opened console device port, or MACH_PORT_NULL. */
extern mach_port_t machr_console;
/* Write LEN bytes to the console device with device_write_inband (in
 * chunks of at most IO_INBAND_MAX); returns the first error or 0. */
kern_return_t machr_console_write(const char *buf, size_t len);
/* Read up to LEN bytes (device_read_inband); returns count or -error. */
long machr_console_read(char *buf, size_t len);

/* Threads with a runtime control block (reply port, start routine).
 * Creates and resumes a thread in this task running FN(ARG) on a fresh
 * stack; when FN returns the thread terminates itself.  *THREAD (if not
 * NULL) receives a send right to the thread, a dead name once it ended,
 * for the caller to deallocate.  The stack (64 KiB) is not reclaimed. */
kern_return_t machr_thread_create(void (*fn)(void *), void *arg,
                                  mach_port_t *thread);

/* A new receive right in our own space, or MACH_PORT_NULL. */
mach_port_t machr_new_receive(void);

/* Fill H's bits (remote and local dispositions), size and port names;
 * seqno and id are zeroed. */
void machr_msg_header(mach_msg_header_t *h, mach_port_t remote,
                      mach_msg_type_name_t rbits, mach_port_t local,
                      mach_msg_type_name_t lbits, mach_msg_size_t size);

#endif
