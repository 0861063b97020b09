/*
 * <mach/mig_support.h> — what MIG-generated stubs expect from the runtime
 * (user/runtime/mig_support.c, mach_msg.c, string.c).
 */
#ifndef MACHR_MIG_SUPPORT_H
#define MACHR_MIG_SUPPORT_H

#include <stddef.h>
#include <mach/mach_types.h>
#include <mach/message.h>

/* The calling thread's reply port, created on first use and then reused. */
mach_port_t mig_get_reply_port(void);
/* The RPC on PORT failed in an unknown state: destroy it, use a fresh one. */
void mig_dealloc_reply_port(mach_port_t port);
/* The RPC on PORT completed: keep it for the next one. */
void mig_put_reply_port(mach_port_t port);

/* Copy at most LEN bytes of SRC, always NUL-terminating; returns strlen. */
int mig_strncpy(char *dest, const char *src, int len);
/* Memory for out-of-line reply data copied back by the stubs. */
void mig_allocate(vm_address_t *addr, vm_size_t size);
void mig_deallocate(vm_address_t addr, vm_size_t size);

mach_msg_return_t mach_msg(mach_msg_header_t *msg, mach_msg_option_t option,
                           mach_msg_size_t send_size, mach_msg_size_t rcv_size,
                           mach_port_t rcv_name, mach_msg_timeout_t timeout,
                           mach_port_t notify);

void *memcpy(void *restrict dst, const void *restrict src, size_t n);
void *memset(void *dst, int c, size_t n);

#endif
