/*
 * <mach.h> — one include for a Mach program: types, messages, traps,
 * mach_msg(), and the MIG user stubs of mach.defs, mach_host.defs and
 * mach_port.defs (generated into build/user/mig/include by mk/user.mk).
 * Other interfaces: <device/device.h>, <mach/gnumach.h>, <mach/mach4.h>,
 * <mach/mach_i386.h>, <mach_debug/mach_debug.h>, <mach/default_pager.h>;
 * server sides: <mach/exc_server.h>, <mach/notify_server.h>,
 * <mach/memory_object_server.h>, <mach/memory_object_default_server.h>,
 * <mach/task_notify_server.h>, <device/device_reply_server.h>.
 */
#ifndef MACHR_MACH_H
#define MACHR_MACH_H

#include <mach/mach_types.h>
#include <mach/message.h>
#include <mach/mig_errors.h>
#include <mach/mach_traps.h>
#include <mach/mig_support.h>
#include <mach/mach_interface.h>
#include <mach/mach_host.h>
#include <mach/mach_port.h>

#endif
