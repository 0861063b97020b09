/*
 * user/runtime/traps.S — Mach trap stubs for x86_64 (GNU Mach ABI).
 *
 * Each stub loads the (negative) trap number into %rax, copies %rcx (the
 * 4th C argument) into %r10 because `syscall` overwrites %rcx, and traps.
 * Nothing is pushed, so the kernel finds arguments 7 and up where the C
 * caller left them: at 8(%rsp), 16(%rsp), ... above our return address.
 * The table below is checked against gnumach-dev's <mach/syscall_sw.h>
 * by mk/user.mk (lines of the form "TRAP name number").
 */

	.macro TRAP name, number
	.section .text.\name, "ax", @progbits
	.globl	\name
	.type	\name, @function
	.p2align 4
\name:
	movq	$\number, %rax
	movq	%rcx, %r10
	syscall
	ret
	.size	\name, . - \name
	.endm

TRAP evc_wait, -17
TRAP evc_wait_clear, -18

TRAP mach_msg_trap, -25
TRAP mach_reply_port, -26
TRAP mach_thread_self, -27
TRAP mach_task_self, -28
TRAP mach_host_self, -29
TRAP mach_print, -30

TRAP swtch_pri, -59
TRAP swtch, -60
TRAP thread_switch, -61

TRAP syscall_vm_map, -64
TRAP syscall_vm_allocate, -65
TRAP syscall_vm_deallocate, -66

TRAP syscall_task_create, -68
TRAP syscall_task_terminate, -69
TRAP syscall_task_suspend, -70
TRAP syscall_task_set_special_port, -71

TRAP syscall_mach_port_allocate, -72
TRAP syscall_mach_port_deallocate, -73
TRAP syscall_mach_port_insert_right, -74
TRAP syscall_mach_port_allocate_name, -75
TRAP syscall_thread_depress_abort, -76

TRAP thread_set_self_state, -77

TRAP nw_update, -80
TRAP nw_lookup, -81
TRAP nw_endpoint_allocate, -82
TRAP nw_endpoint_deallocate, -83
TRAP nw_buffer_allocate, -84
TRAP nw_buffer_deallocate, -85
TRAP nw_connection_open, -86
TRAP nw_connection_accept, -87
TRAP nw_connection_close, -88
TRAP nw_multicast_add, -89
TRAP nw_multicast_drop, -90
TRAP nw_endpoint_status, -91
TRAP nw_send, -92
TRAP nw_receive, -93
TRAP nw_rpc, -94
TRAP nw_select, -95

/* A raw trap with any number, for tests: machr_raw_trap(number, a1..a5). */
	.section .text.machr_raw_trap, "ax", @progbits
	.globl	machr_raw_trap
	.type	machr_raw_trap, @function
	.p2align 4
machr_raw_trap:
	movq	%rdi, %rax
	movq	%rsi, %rdi
	movq	%rdx, %rsi
	movq	%rcx, %rdx
	movq	%r8, %r10
	movq	%r9, %r8
	syscall
	ret
	.size	machr_raw_trap, . - machr_raw_trap

	.section .note.GNU-stack, "", @progbits
