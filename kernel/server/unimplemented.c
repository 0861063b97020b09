/*
 * Every routine of the served interfaces (MIG's kernel-server stubs call
 * each one) that kernel/server does not implement: each answers
 * MIG_BAD_ID, as GNU Mach's server answers an id it has no routine for,
 * so the client stub returns MIG_BAD_ID (docs/ABI.md lists them).
 *
 * They are weak: a subsystem implements a routine by defining
 * kserver_NAME with the generated header's prototype in its own
 * NAME_rpc.c (kernel/task/task_rpc.c ...; mk/server.mk gives those files
 * the server's types), and its definition wins where it is linked.  The
 * host builds (unit tests, fuzzers), which link no kernel/task, keep
 * these.  Remove one from here once its subsystem is in every build.
 */
#include "gnumach_server.h"
#include "mach4_server.h"
#include "mach_host_server.h"
#include "mach_debug_server.h"
#include "mach_server.h"
#include "memory_object_server.h"
#include "server/mig_kernel.h"

#define UNIMPLEMENTED __attribute__((weak))

/* ---- mach.defs: tasks, threads, virtual memory, memory objects (kernel/task
 * and the VM issue) ---- */

UNIMPLEMENTED kern_return_t kserver_task_get_emulation_vector(
    task_t task, int *vector_start, emulation_vector_t *emulation_vector,
    mach_msg_type_number_t *emulation_vectorCnt)
{
	return MIG_BAD_ID;
}

UNIMPLEMENTED kern_return_t kserver_task_set_emulation_vector(
    task_t task, int vector_start, emulation_vector_t emulation_vector,
    mach_msg_type_number_t emulation_vectorCnt)
{
	return MIG_BAD_ID;
}

UNIMPLEMENTED kern_return_t
kserver_task_threads(task_t target_task, thread_array_t *thread_list,
                     mach_msg_type_number_t *thread_listCnt)
{
	return MIG_BAD_ID;
}

UNIMPLEMENTED
kern_return_t
kserver_mach_ports_register(task_t target_task, mach_port_array_t init_port_set,
                            mach_msg_type_number_t init_port_setCnt)
{
	return MIG_BAD_ID;
}

UNIMPLEMENTED kern_return_t
kserver_mach_ports_lookup(task_t target_task, mach_port_array_t *init_port_set,
                          mach_msg_type_number_t *init_port_setCnt)
{
	return MIG_BAD_ID;
}

UNIMPLEMENTED kern_return_t kserver_memory_object_data_unavailable(
    vm_object_t memory_control, vm_offset_t offset, vm_size_t size)
{
	return MIG_BAD_ID;
}

UNIMPLEMENTED kern_return_t kserver_memory_object_get_attributes(
    vm_object_t memory_control, boolean_t *object_ready, boolean_t *may_cache,
    memory_object_copy_strategy_t *copy_strategy)
{
	return MIG_BAD_ID;
}

UNIMPLEMENTED kern_return_t kserver_vm_set_default_memory_manager(
    host_t host_priv, ipc_port_t *default_manager)
{
	return MIG_BAD_ID;
}

UNIMPLEMENTED kern_return_t kserver_memory_object_lock_request(
    vm_object_t memory_control, vm_offset_t offset, vm_size_t size,
    memory_object_return_t should_return, boolean_t should_flush,
    vm_prot_t lock_value, ipc_port_t reply_to,
    mach_msg_type_name_t reply_toPoly)
{
	return MIG_BAD_ID;
}

UNIMPLEMENTED kern_return_t kserver_task_set_emulation(
    task_t target_port, vm_address_t routine_entry_pt, int routine_number)
{
	return MIG_BAD_ID;
}

UNIMPLEMENTED kern_return_t kserver_task_ras_control(task_t target_task,
                                                     vm_address_t basepc,
                                                     vm_address_t boundspc,
                                                     int flavor)
{
	return MIG_BAD_ID;
}

UNIMPLEMENTED kern_return_t
kserver_memory_object_data_error(vm_object_t memory_control, vm_offset_t offset,
                                 vm_size_t size, kern_return_t error_value)
{
	return MIG_BAD_ID;
}

UNIMPLEMENTED kern_return_t
kserver_memory_object_destroy(vm_object_t memory_control, kern_return_t reason)
{
	return MIG_BAD_ID;
}

UNIMPLEMENTED kern_return_t kserver_memory_object_data_supply(
    vm_object_t memory_control, vm_offset_t offset, vm_offset_t data,
    mach_msg_type_number_t dataCnt, vm_prot_t lock_value, boolean_t precious,
    ipc_port_t reply_to, mach_msg_type_name_t reply_toPoly)
{
	return MIG_BAD_ID;
}

UNIMPLEMENTED kern_return_t
kserver_memory_object_ready(vm_object_t memory_control, boolean_t may_cache,
                            memory_object_copy_strategy_t copy_strategy)
{
	return MIG_BAD_ID;
}

UNIMPLEMENTED kern_return_t kserver_memory_object_change_attributes(
    vm_object_t memory_control, boolean_t may_cache,
    memory_object_copy_strategy_t copy_strategy, ipc_port_t reply_to,
    mach_msg_type_name_t reply_toPoly)
{
	return MIG_BAD_ID;
}

UNIMPLEMENTED kern_return_t kserver_vm_machine_attribute(
    vm_map_t target_task, vm_address_t address, vm_size_t size,
    vm_machine_attribute_t attribute, vm_machine_attribute_val_t *value)
{
	return MIG_BAD_ID;
}

/* ---- mach_host.defs: what needs the scheduler's or the task layer's internals
 * ---- */

UNIMPLEMENTED kern_return_t kserver_processor_start(processor_t processor)
{
	return MIG_BAD_ID;
}

UNIMPLEMENTED kern_return_t kserver_processor_exit(processor_t processor)
{
	return MIG_BAD_ID;
}

UNIMPLEMENTED kern_return_t kserver_processor_set_create(
    host_t host, processor_set_t *new_set, processor_set_t *new_name)
{
	return MIG_BAD_ID;
}

UNIMPLEMENTED kern_return_t kserver_processor_set_destroy(processor_set_t set)
{
	return MIG_BAD_ID;
}

UNIMPLEMENTED kern_return_t kserver_processor_assign(processor_t processor,
                                                     processor_set_t new_set,
                                                     boolean_t wait)
{
	return MIG_BAD_ID;
}

UNIMPLEMENTED kern_return_t kserver_processor_get_assignment(
    processor_t processor, processor_set_t *assigned_set)
{
	return MIG_BAD_ID;
}

UNIMPLEMENTED kern_return_t kserver_thread_assign(thread_t thread,
                                                  processor_set_t new_set)
{
	return MIG_BAD_ID;
}

UNIMPLEMENTED kern_return_t kserver_thread_assign_default(thread_t thread)
{
	return MIG_BAD_ID;
}

UNIMPLEMENTED kern_return_t
kserver_thread_get_assignment(thread_t thread, processor_set_t *assigned_set)
{
	return MIG_BAD_ID;
}

UNIMPLEMENTED kern_return_t kserver_task_assign(task_t task,
                                                processor_set_t new_set,
                                                boolean_t assign_threads)
{
	return MIG_BAD_ID;
}

UNIMPLEMENTED kern_return_t
kserver_task_assign_default(task_t task, boolean_t assign_threads)
{
	return MIG_BAD_ID;
}

UNIMPLEMENTED kern_return_t
kserver_task_get_assignment(task_t task, processor_set_t *assigned_set)
{
	return MIG_BAD_ID;
}

UNIMPLEMENTED kern_return_t kserver_thread_priority(thread_t thread,
                                                    int priority,
                                                    boolean_t set_max)
{
	return MIG_BAD_ID;
}

UNIMPLEMENTED kern_return_t kserver_thread_max_priority(
    thread_t thread, processor_set_t processor_set, int max_priority)
{
	return MIG_BAD_ID;
}

UNIMPLEMENTED kern_return_t kserver_task_priority(task_t task, int priority,
                                                  boolean_t change_threads)
{
	return MIG_BAD_ID;
}

UNIMPLEMENTED kern_return_t kserver_processor_set_max_priority(
    processor_set_t processor_set, int max_priority, boolean_t change_threads)
{
	return MIG_BAD_ID;
}

UNIMPLEMENTED kern_return_t kserver_thread_policy(thread_t thread, int policy,
                                                  int data)
{
	return MIG_BAD_ID;
}

UNIMPLEMENTED kern_return_t
kserver_processor_set_policy_enable(processor_set_t processor_set, int policy)
{
	return MIG_BAD_ID;
}

UNIMPLEMENTED kern_return_t kserver_processor_set_policy_disable(
    processor_set_t processor_set, int policy, boolean_t change_threads)
{
	return MIG_BAD_ID;
}

UNIMPLEMENTED kern_return_t kserver_processor_set_tasks(
    processor_set_t processor_set, task_array_t *task_list,
    mach_msg_type_number_t *task_listCnt)
{
	return MIG_BAD_ID;
}

UNIMPLEMENTED kern_return_t kserver_processor_set_threads(
    processor_set_t processor_set, thread_array_t *thread_list,
    mach_msg_type_number_t *thread_listCnt)
{
	return MIG_BAD_ID;
}

UNIMPLEMENTED kern_return_t kserver_thread_depress_abort(thread_t thread)
{
	return MIG_BAD_ID;
}

UNIMPLEMENTED kern_return_t kserver_host_adjust_time(
    host_t host_priv, time_value_t new_adjustment, time_value_t *old_adjustment)
{
	return MIG_BAD_ID;
}

UNIMPLEMENTED kern_return_t kserver_vm_wire(ipc_port_t host, vm_map_t task,
                                            vm_address_t address,
                                            vm_size_t size, vm_prot_t access)
{
	return MIG_BAD_ID;
}

UNIMPLEMENTED kern_return_t kserver_thread_wire(host_t host_priv,
                                                thread_t thread,
                                                boolean_t wired)
{
	return MIG_BAD_ID;
}

UNIMPLEMENTED kern_return_t kserver_processor_control(
    processor_t processor, const processor_info_t processor_cmd,
    mach_msg_type_number_t processor_cmdCnt)
{
	return MIG_BAD_ID;
}

UNIMPLEMENTED kern_return_t
kserver_host_adjust_time64(host_t host_priv, time_value64_t new_adjustment,
                           time_value64_t *old_adjustment)
{
	return MIG_BAD_ID;
}

/* ---- gnumach.defs: task and thread names, gsync, VM extensions ---- */

UNIMPLEMENTED kern_return_t kserver_vm_cache_statistics(
    vm_map_t target_task, vm_cache_statistics_data_t *vm_cache_stats)
{
	return MIG_BAD_ID;
}

UNIMPLEMENTED kern_return_t kserver_thread_terminate_release(
    thread_t thread, task_t task, mach_port_name_t thread_name,
    mach_port_name_t reply_port, vm_address_t address, vm_size_t size)
{
	return MIG_BAD_ID;
}

UNIMPLEMENTED kern_return_t kserver_register_new_task_notification(
    host_t host_priv, ipc_port_t notification)
{
	return MIG_BAD_ID;
}

UNIMPLEMENTED kern_return_t kserver_vm_wire_all(ipc_port_t host, vm_map_t task,
                                                vm_wire_t flags)
{
	return MIG_BAD_ID;
}

UNIMPLEMENTED kern_return_t kserver_vm_object_sync(
    vm_object_t object, vm_offset_t offset, vm_size_t size,
    boolean_t should_flush, boolean_t should_return, boolean_t should_iosync)
{
	return MIG_BAD_ID;
}

UNIMPLEMENTED kern_return_t kserver_vm_msync(vm_map_t target_task,
                                             vm_address_t address,
                                             vm_size_t size,
                                             vm_sync_t sync_flags)
{
	return MIG_BAD_ID;
}

UNIMPLEMENTED kern_return_t kserver_vm_allocate_contiguous(
    host_t host_priv, vm_map_t target_task, vm_address_t *vaddr,
    rpc_phys_addr_t *paddr, vm_size_t size, rpc_phys_addr_t pmin,
    rpc_phys_addr_t pmax, rpc_phys_addr_t palign)
{
	return MIG_BAD_ID;
}

UNIMPLEMENTED kern_return_t kserver_task_set_essential(task_t task,
                                                       boolean_t essential)
{
	return MIG_BAD_ID;
}

UNIMPLEMENTED kern_return_t kserver_vm_pages_phys(
    host_t host_priv, vm_map_t target_task, vm_address_t vaddr, vm_size_t size,
    rpc_phys_addr_array_t *pages, mach_msg_type_number_t *pagesCnt)
{
	return MIG_BAD_ID;
}

UNIMPLEMENTED /* ---- mach4.defs: memory proxies ---- */

    UNIMPLEMENTED kern_return_t
    kserver_memory_object_create_proxy(
        ipc_space_t task, vm_prot_t max_protection,
        const memory_object_array_t object, mach_msg_type_number_t objectCnt,
        const rpc_vm_offset_array_t offset, mach_msg_type_number_t offsetCnt,
        const rpc_vm_offset_array_t start, mach_msg_type_number_t startCnt,
        const rpc_vm_size_array_t len, mach_msg_type_number_t lenCnt,
        ipc_port_t *proxy)
{
	return MIG_BAD_ID;
}

UNIMPLEMENTED kern_return_t kserver_vm_region_create_proxy(
    task_t task, vm_address_t address, vm_prot_t max_protection, vm_size_t len,
    ipc_port_t *proxy)
{
	return MIG_BAD_ID;
}

/* ---- Served by kernel/task in the kernel (task_rpc.c, vm_rpc.c,
 * gsync_rpc.c), whose definitions replace these weak ones there; the
 * host builds, which have no tasks, answer MIG_BAD_ID. ---- */

__attribute__((weak)) kern_return_t
kserver_gsync_wait(task_t task, vm_address_t addr, unsigned val1, unsigned val2,
                   natural_t msec, int flags)
{
	return MIG_BAD_ID;
}

__attribute__((weak)) kern_return_t
kserver_gsync_wake(task_t task, vm_address_t addr, unsigned val, int flags)
{
	return MIG_BAD_ID;
}

__attribute__((weak)) kern_return_t
kserver_gsync_requeue(task_t task, vm_address_t src_addr, vm_address_t dst_addr,
                      boolean_t wake_one, int flags)
{
	return MIG_BAD_ID;
}

__attribute__((weak)) kern_return_t
kserver_task_create(task_t target_task, boolean_t inherit_memory,
                    task_t *child_task)
{
	return MIG_BAD_ID;
}

__attribute__((weak)) kern_return_t kserver_task_terminate(task_t target_task)
{
	return MIG_BAD_ID;
}

__attribute__((weak)) kern_return_t kserver_task_suspend(task_t target_task)
{
	return MIG_BAD_ID;
}

__attribute__((weak)) kern_return_t kserver_task_resume(task_t target_task)
{
	return MIG_BAD_ID;
}

__attribute__((weak)) kern_return_t
kserver_task_info(task_t target_task, int flavor, task_info_t task_info_out,
                  mach_msg_type_number_t *task_info_outCnt)
{
	return MIG_BAD_ID;
}

__attribute__((weak)) kern_return_t
kserver_task_get_special_port(task_t task, int which_port,
                              ipc_port_t *special_port)
{
	return MIG_BAD_ID;
}

__attribute__((weak)) kern_return_t
kserver_task_set_special_port(task_t task, int which_port,
                              ipc_port_t special_port)
{
	return MIG_BAD_ID;
}

__attribute__((weak)) kern_return_t
kserver_task_set_name(task_t task, const_kernel_debug_name_t name)
{
	return MIG_BAD_ID;
}

__attribute__((weak)) kern_return_t
kserver_thread_create(task_t parent_task, thread_t *child_thread)
{
	return MIG_BAD_ID;
}

__attribute__((weak)) kern_return_t
kserver_thread_terminate(thread_t target_thread)
{
	return MIG_BAD_ID;
}

__attribute__((weak)) kern_return_t
kserver_thread_suspend(thread_t target_thread)
{
	return MIG_BAD_ID;
}

__attribute__((weak)) kern_return_t
kserver_thread_resume(thread_t target_thread)
{
	return MIG_BAD_ID;
}

__attribute__((weak)) kern_return_t kserver_thread_abort(thread_t target_thread)
{
	return MIG_BAD_ID;
}

__attribute__((weak)) kern_return_t
kserver_thread_get_special_port(thread_t thread, int which_port,
                                ipc_port_t *special_port)
{
	return MIG_BAD_ID;
}

__attribute__((weak)) kern_return_t
kserver_thread_set_special_port(thread_t thread, int which_port,
                                ipc_port_t special_port)
{
	return MIG_BAD_ID;
}

__attribute__((weak)) kern_return_t
kserver_thread_get_state(thread_t target_thread, int flavor,
                         thread_state_t old_state,
                         mach_msg_type_number_t *old_stateCnt)
{
	return MIG_BAD_ID;
}

__attribute__((weak)) kern_return_t
kserver_thread_set_state(thread_t target_thread, int flavor,
                         const thread_state_t new_state,
                         mach_msg_type_number_t new_stateCnt)
{
	return MIG_BAD_ID;
}

__attribute__((weak)) kern_return_t
kserver_thread_info(thread_t target_thread, int flavor,
                    thread_info_t thread_info_out,
                    mach_msg_type_number_t *thread_info_outCnt)
{
	return MIG_BAD_ID;
}

__attribute__((weak)) kern_return_t
kserver_thread_set_name(thread_t thread, const_kernel_debug_name_t name)
{
	return MIG_BAD_ID;
}

__attribute__((weak)) kern_return_t
kserver_thread_get_name(thread_t thread, kernel_debug_name_t name)
{
	return MIG_BAD_ID;
}

__attribute__((weak)) kern_return_t
kserver_vm_map(vm_map_t target_task, vm_address_t *address, vm_size_t size,
               vm_address_t mask, boolean_t anywhere, ipc_port_t memory_object,
               vm_offset_t offset, boolean_t copy, vm_prot_t cur_protection,
               vm_prot_t max_protection, vm_inherit_t inheritance)
{
	return MIG_BAD_ID;
}

__attribute__((weak)) kern_return_t kserver_vm_allocate(vm_map_t target_task,
                                                        vm_address_t *address,
                                                        vm_size_t size,
                                                        boolean_t anywhere)
{
	return MIG_BAD_ID;
}

__attribute__((weak)) kern_return_t kserver_vm_deallocate(vm_map_t target_task,
                                                          vm_address_t address,
                                                          vm_size_t size)
{
	return MIG_BAD_ID;
}

__attribute__((weak)) kern_return_t
kserver_vm_protect(vm_map_t target_task, vm_address_t address, vm_size_t size,
                   boolean_t set_maximum, vm_prot_t new_protection)
{
	return MIG_BAD_ID;
}

__attribute__((weak)) kern_return_t
kserver_vm_inherit(vm_map_t target_task, vm_address_t address, vm_size_t size,
                   vm_inherit_t new_inheritance)
{
	return MIG_BAD_ID;
}

__attribute__((weak)) kern_return_t
kserver_vm_read(vm_map_t target_task, vm_address_t address, vm_size_t size,
                vm_offset_t *data, mach_msg_type_number_t *dataCnt)
{
	return MIG_BAD_ID;
}

__attribute__((weak)) kern_return_t
kserver_vm_write(vm_map_t target_task, vm_address_t address, vm_offset_t data,
                 mach_msg_type_number_t dataCnt)
{
	return MIG_BAD_ID;
}

__attribute__((weak)) kern_return_t kserver_vm_copy(vm_map_t target_task,
                                                    vm_address_t source_address,
                                                    vm_size_t size,
                                                    vm_address_t dest_address)
{
	return MIG_BAD_ID;
}

__attribute__((weak)) kern_return_t
kserver_vm_region(vm_map_t target_task, vm_address_t *address, vm_size_t *size,
                  vm_prot_t *protection, vm_prot_t *max_protection,
                  vm_inherit_t *inheritance, boolean_t *is_shared,
                  ipc_port_t *object_name, vm_offset_t *offset)
{
	return MIG_BAD_ID;
}

__attribute__((weak)) kern_return_t
kserver_vm_statistics(vm_map_t target_task, vm_statistics_data_t *vm_stats)
{
	return MIG_BAD_ID;
}

/* ---- mach_debug.defs (kernel/server/debug.c serves host_slab_info and
 * mach_port_get_srights) ---- */

__attribute__((weak)) kern_return_t
kserver_host_ipc_marequest_info(host_t host, unsigned *max_requests,
                                hash_info_bucket_array_t *info,
                                mach_msg_type_number_t *infoCnt)
{
	return MIG_BAD_ID;
}

__attribute__((weak)) kern_return_t
kserver_mach_port_dnrequest_info(ipc_space_t task, mach_port_name_t name,
                                 unsigned *total, unsigned *used)
{
	return MIG_BAD_ID;
}

__attribute__((weak)) kern_return_t
kserver_host_stack_usage(host_t host, vm_size_t *reserved, unsigned *total,
                         vm_size_t *space, vm_size_t *resident,
                         vm_size_t *maxusage, vm_offset_t *maxstack)
{
	return MIG_BAD_ID;
}

__attribute__((weak)) kern_return_t
kserver_processor_set_stack_usage(processor_set_t pset, unsigned *total,
                                  vm_size_t *space, vm_size_t *resident,
                                  vm_size_t *maxusage, vm_offset_t *maxstack)
{
	return MIG_BAD_ID;
}

__attribute__((weak)) kern_return_t
kserver_host_virtual_physical_table_info(host_t host,
                                         hash_info_bucket_array_t *info,
                                         mach_msg_type_number_t *infoCnt)
{
	return MIG_BAD_ID;
}

__attribute__((weak)) kern_return_t
kserver_mach_port_kernel_object(ipc_space_t task, mach_port_name_t name,
                                unsigned *object_type, vm_offset_t *object_addr)
{
	return MIG_BAD_ID;
}

__attribute__((weak)) kern_return_t
kserver_mach_vm_region_info(vm_map_t task, vm_address_t address,
                            vm_region_info_t *region, ipc_port_t *object)
{
	return MIG_BAD_ID;
}

__attribute__((weak)) kern_return_t
kserver_mach_vm_object_info(vm_object_t object, vm_object_info_t *info,
                            ipc_port_t *shadow, ipc_port_t *copy)
{
	return MIG_BAD_ID;
}

__attribute__((weak)) kern_return_t
kserver_mach_vm_object_pages(vm_object_t object, vm_page_info_array_t *pages,
                             mach_msg_type_number_t *pagesCnt)
{
	return MIG_BAD_ID;
}

__attribute__((weak)) kern_return_t
kserver_host_load_symbol_table(host_t host, task_t task,
                               const_symtab_name_t name, vm_offset_t symtab,
                               mach_msg_type_number_t symtabCnt)
{
	return MIG_BAD_ID;
}

__attribute__((weak)) kern_return_t
kserver_mach_vm_object_pages_phys(vm_object_t object,
                                  vm_page_phys_info_array_t *pages,
                                  mach_msg_type_number_t *pagesCnt)
{
	return MIG_BAD_ID;
}

/* ---- memory_object.defs: the pager side, served on kernel ports ----
 * GNU Mach serves this interface on its own ports too (its in-kernel
 * pagers): a well-formed message reaches a routine, a malformed one is
 * MIG_BAD_ARGUMENTS.  Mach_R has no in-kernel pager: each routine
 * answers MIG_BAD_ID. */

UNIMPLEMENTED kern_return_t kserver_memory_object_init(
    ipc_port_t memory_object, ipc_port_t memory_control,
    ipc_port_t memory_object_name, vm_size_t memory_object_page_size)
{
	return MIG_BAD_ID;
}

UNIMPLEMENTED kern_return_t kserver_memory_object_terminate(
    ipc_port_t memory_object, ipc_port_t memory_control,
    ipc_port_t memory_object_name)
{
	return MIG_BAD_ID;
}

UNIMPLEMENTED kern_return_t kserver_memory_object_copy(
    ipc_port_t old_memory_object, ipc_port_t old_memory_control,
    vm_offset_t offset, vm_size_t length, ipc_port_t new_memory_object)
{
	return MIG_BAD_ID;
}

UNIMPLEMENTED kern_return_t kserver_memory_object_data_request(
    ipc_port_t memory_object, ipc_port_t memory_control, vm_offset_t offset,
    vm_size_t length, vm_prot_t desired_access)
{
	return MIG_BAD_ID;
}

UNIMPLEMENTED kern_return_t kserver_memory_object_data_unlock(
    ipc_port_t memory_object, ipc_port_t memory_control, vm_offset_t offset,
    vm_size_t length, vm_prot_t desired_access)
{
	return MIG_BAD_ID;
}

UNIMPLEMENTED kern_return_t kserver_memory_object_lock_completed(
    ipc_port_t memory_object, ipc_port_t memory_control, vm_offset_t offset,
    vm_size_t length)
{
	return MIG_BAD_ID;
}

UNIMPLEMENTED kern_return_t kserver_memory_object_supply_completed(
    ipc_port_t memory_object, ipc_port_t memory_control, vm_offset_t offset,
    vm_size_t length, kern_return_t result, vm_offset_t error_offset)
{
	return MIG_BAD_ID;
}

UNIMPLEMENTED kern_return_t kserver_memory_object_data_return(
    ipc_port_t memory_object, ipc_port_t memory_control, vm_offset_t offset,
    vm_offset_t data, mach_msg_type_number_t dataCnt, boolean_t dirty,
    boolean_t kernel_copy)
{
	return MIG_BAD_ID;
}

UNIMPLEMENTED kern_return_t kserver_memory_object_change_completed(
    ipc_port_t memory_object, boolean_t may_cache,
    memory_object_copy_strategy_t copy_strategy)
{
	return MIG_BAD_ID;
}
