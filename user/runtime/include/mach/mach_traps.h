/*
 * <mach/mach_traps.h> — C prototypes of the Mach traps (user/runtime/traps.S).
 * Numbers and argument counts follow gnumach-dev's <mach/syscall_sw.h>.
 */
#ifndef MACHR_MACH_TRAPS_H
#define MACHR_MACH_TRAPS_H

#include <mach/mach_types.h>
#include <mach/message.h>

mach_msg_return_t mach_msg_trap(mach_msg_header_t *msg,
                                mach_msg_option_t option,
                                mach_msg_size_t send_size,
                                mach_msg_size_t rcv_size, mach_port_t rcv_name,
                                mach_msg_timeout_t timeout, mach_port_t notify);
mach_port_t mach_reply_port(void);
mach_port_t mach_thread_self(void);
mach_port_t mach_task_self(void);
mach_port_t mach_host_self(void);
void mach_print(const char *s);

boolean_t swtch_pri(int priority);
boolean_t swtch(void);
kern_return_t thread_switch(mach_port_t thread, int option,
                            mach_msg_timeout_t time);

kern_return_t evc_wait(unsigned int event);
kern_return_t evc_wait_clear(unsigned int event);

kern_return_t syscall_vm_map(mach_port_t task, vm_address_t *address,
                             vm_size_t size, vm_address_t mask,
                             boolean_t anywhere, mach_port_t memory_object,
                             vm_offset_t offset, boolean_t copy,
                             vm_prot_t cur_protection, vm_prot_t max_protection,
                             vm_inherit_t inheritance);
kern_return_t syscall_vm_allocate(mach_port_t task, vm_address_t *address,
                                  vm_size_t size, boolean_t anywhere);
kern_return_t syscall_vm_deallocate(mach_port_t task, vm_address_t address,
                                    vm_size_t size);

kern_return_t syscall_task_create(mach_port_t parent, boolean_t inherit_memory,
                                  mach_port_t *child);
kern_return_t syscall_task_terminate(mach_port_t task);
kern_return_t syscall_task_suspend(mach_port_t task);
kern_return_t syscall_task_set_special_port(mach_port_t task, int which,
                                            mach_port_t port);

kern_return_t syscall_mach_port_allocate(mach_port_t task,
                                         mach_port_right_t right,
                                         mach_port_t *name);
kern_return_t syscall_mach_port_deallocate(mach_port_t task, mach_port_t name);
kern_return_t syscall_mach_port_insert_right(mach_port_t task, mach_port_t name,
                                             mach_port_t right,
                                             mach_msg_type_name_t right_type);
kern_return_t syscall_mach_port_allocate_name(mach_port_t task,
                                              mach_port_right_t right,
                                              mach_port_t name);
kern_return_t syscall_thread_depress_abort(mach_port_t thread);

kern_return_t thread_set_self_state(int flavor, natural_t *state,
                                    natural_t count);

/* Any trap number with up to five arguments (tests of unknown traps). */
long machr_raw_trap(long number, long a1, long a2, long a3, long a4, long a5);

#endif
