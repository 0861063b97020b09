/*
 * A trap's arguments after the sixth: GNU Mach's x86_64 convention puts
 * them on the user stack, above the return address of the stub that
 * made the trap.  Reading one is a single load that may fault
 * (usercopy.S), cheap enough for mach_msg_trap's seventh on every call.
 */
#ifndef MACHINE_TRAP_ARGS_H
#define MACHINE_TRAP_ARGS_H

#include <stdbool.h>
#include <stdint.h>

#include "kern/compiler.h"
#include "machine/copyio.h"

/*
 * trap_user_word: *OUT = the 64-bit word at the user address AT.
 * Locks: no spinlock held (the read may take a page fault and wait).
 * Returns: whether it read (AT and AT + 8 in user space, and mapped).
 */
static __always_inline bool trap_user_word(uint64_t at, uint64_t *out)
{
	register uint64_t value __asm__("r11");
	bool done;

	/* user_range_ok(at, 8), in one comparison. */
	if (unlikely(at > USER_MAX_ADDRESS - 8))
		return false;
	/* user_read_word (usercopy.S) changes %r11 and the flags only, ZF
	 * set when it read; the kernel has no red zone below %rsp for the
	 * call to clobber.  "memory": a fault may run vm_fault meanwhile. */
	__asm__ volatile("call user_read_word"
	                 : "=@ccz"(done), "=r"(value)
	                 : "a"(at)
	                 : "memory");
	*out = value;
	return done;
}

#endif
