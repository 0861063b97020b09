/*
 * The registers saved on kernel entry through the IDT (trap_entry.S),
 * lowest address first.  The CPU pushes the last five; the stubs push
 * the error code (or 0) and the vector; the common code the rest.
 */
#ifndef MACHINE_TRAP_FRAME_H
#define MACHINE_TRAP_FRAME_H

#include <stdint.h>

struct trap_frame {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector, error;
	uint64_t rip, cs, rflags, rsp, ss;
};

#endif
