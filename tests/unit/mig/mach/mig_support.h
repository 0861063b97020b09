/*
 * <mach/mig_support.h> for MIG's user stubs compiled into the kernel
 * server's unit tests (tests/unit/test_kserver*.c, mk/server.mk): the
 * test defines these, sending through ipc_mach_msg in its client space.
 */
#ifndef TEST_MIG_SUPPORT_H
#define TEST_MIG_SUPPORT_H

#include <string.h>

#include <mach/mach_types.h>
#include <mach/message.h>

mach_port_t mig_get_reply_port(void);
void mig_dealloc_reply_port(mach_port_t port);
void mig_put_reply_port(mach_port_t port);
int mig_strncpy(char *dest, const char *src, int len);
mach_msg_return_t mach_msg(mach_msg_header_t *msg, mach_msg_option_t option,
                           mach_msg_size_t send_size, mach_msg_size_t rcv_size,
                           mach_port_t rcv_name, mach_msg_timeout_t timeout,
                           mach_port_t notify);

#endif
