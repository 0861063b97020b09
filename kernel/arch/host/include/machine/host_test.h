/*
 * Hooks that let host unit tests observe what would stop the machine.
 *
 * While host_panic_catcher is set, panic() records its message in
 * host_panic_message and longjmps to the catcher instead of aborting,
 * so a test can assert that bad input panics.  Console output is kept
 * in a buffer the test can read as well as written to stderr when
 * host_console_echo is set.
 */
#ifndef MACHINE_HOST_TEST_H
#define MACHINE_HOST_TEST_H

#include <setjmp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>

extern jmp_buf *host_panic_catcher;
extern char host_panic_message[256];
extern int host_console_echo;

/* The console output since the last host_console_reset(). */
const char *host_console_output(void);
void host_console_reset(void);
/* Queue N bytes as console input (machine_console_read); reset drops
 * what is left. */
void host_console_input(const char *s, size_t n);
void host_set_cpu_id(unsigned id);

/* A RAM disk of SECTORS 512-byte sectors as vd0 (kern/disk.h),
 * zeroed; attach before kserver_init.  Detach frees it.  fail_at makes
 * every access touching SECTOR fail (DISK_IO_ERROR; -1: none).
 * host_disk_data: its bytes. */
void host_disk_attach(uint64_t sectors, bool read_only);
void host_disk_detach(void);
void host_disk_fail_at(int sector);
unsigned char *host_disk_data(void);

/*
 * EXPECT_PANIC(stmt): run STMT and evaluate to 1 if it panicked, 0 if it
 * returned normally.  A panic longjmps out of STMT: locals of the caller
 * that STMT changes must be volatile to be read afterwards (the macro's
 * own are, which also keeps gcc's -Wclobbered quiet).
 */
#define EXPECT_PANIC(stmt)                                                     \
	({                                                                     \
		jmp_buf jb__;                                                  \
		jmp_buf *volatile prev__ = host_panic_catcher;                 \
		volatile int panicked__ = 0;                                   \
		if (setjmp(jb__) == 0) {                                       \
			host_panic_catcher = &jb__;                            \
			stmt;                                                  \
		} else {                                                       \
			panicked__ = 1;                                        \
		}                                                              \
		host_panic_catcher = prev__;                                   \
		panicked__;                                                    \
	})

#endif
