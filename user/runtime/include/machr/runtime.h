/*
 * <machr/runtime.h> — helpers of the Mach_R user runtime that are not part
 * of any Mach interface: boot ports, the console, output, threads, exit.
 */
#ifndef MACHR_RUNTIME_H
#define MACHR_RUNTIME_H

#include <stddef.h>
#include <stdint.h>
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
 * for the caller to deallocate.  When FN returns the thread ends with
 * thread_terminate_release, releasing its own right and its reply port;
 * the stack (64 KiB) is not reclaimed. */
kern_return_t machr_thread_create(void (*fn)(void *), void *arg,
                                  mach_port_t *thread);

/*
 * Start FN(ARG) in a new thread of TASK, another task made by
 * task_create(machr_task, TRUE, ...), which therefore runs a copy of this
 * program's code and data.  The thread gets a fresh stack in TASK with
 * its own control block (so MIG calls work there, with a reply port of
 * TASK's); it first sets TASK's copy of machr_task to TASK's own name for
 * itself.  It must not print: the console port is a name of ours.  When
 * FN returns the thread terminates itself.  *THREAD receives our send
 * right to the thread.
 */
kern_return_t machr_task_thread_start(mach_port_t task, void (*fn)(void *),
                                      void *arg, mach_port_t *thread);

/*
 * Create a thread in TASK (ours or another) that starts at ENTRY with
 * ARG in %rdi and SP as its stack pointer (SP + 8 should be 16-byte
 * aligned, as after a call), and resume it.  No control block: the
 * thread must not use the runtime's per-thread state (MIG calls, exit
 * of the thread); raw traps and mach_msg are fine.  *THREAD receives our
 * send right to it before it runs.  On failure nothing is left behind.
 */
kern_return_t machr_thread_start_at(mach_port_t task, void *entry,
                                    uintptr_t arg, uintptr_t sp,
                                    mach_port_t *thread);

/* Wait (up to about 5 s, polling thread_info) until THREAD is blocked
 * (run state TH_STATE_WAITING, seen twice 50 ms apart); 1 if it is, 0 if
 * it never was. */
int machr_thread_wait_blocked(mach_port_t thread);

/* Milliseconds of the host's time of day (host_get_time64), or -1. */
int64_t machr_now_ms(void);
/* Block the calling thread for about MS milliseconds. */
void machr_sleep_ms(unsigned ms);

/* A new receive right in our own space, or MACH_PORT_NULL. */
mach_port_t machr_new_receive(void);

/* Fill H's bits (remote and local dispositions), size and port names;
 * seqno and id are zeroed. */
void machr_msg_header(mach_msg_header_t *h, mach_port_t remote,
                      mach_msg_type_name_t rbits, mach_port_t local,
                      mach_msg_type_name_t lbits, mach_msg_size_t size);

/*
 * A message carrying one 64-bit integer (INTEGER_64, inline), the usual
 * currency of the system tests' threads reporting to each other; slack
 * leaves room to receive something larger.
 */
struct machr_word_msg {
	mach_msg_header_t h;
	mach_msg_type_t t;
	uint64_t word;
	char slack[64];
};
#define MACHR_WORD_MSG_SIZE offsetof(struct machr_word_msg, slack)

/* Send WORD with id ID to TO (with disposition DISP; REPLY with REPLY_DISP
 * as the reply port, or MACH_PORT_NULL/0).  OPTION is added to
 * MACH_SEND_MSG (e.g. MACH_SEND_TIMEOUT, with TIMEOUT in ms). */
mach_msg_return_t machr_send_word(mach_port_t to, mach_msg_type_name_t disp,
                                  mach_port_t reply,
                                  mach_msg_type_name_t reply_disp,
                                  mach_msg_id_t id, uint64_t word,
                                  mach_msg_option_t option,
                                  mach_msg_timeout_t timeout);
/* Receive into M from FROM: MACH_RCV_MSG plus OPTION, TIMEOUT in ms. */
mach_msg_return_t machr_recv_word(mach_port_t from, struct machr_word_msg *m,
                                  mach_msg_option_t option,
                                  mach_msg_timeout_t timeout);

#endif
