/*
 * tests/system/modules/vm-basics.c — the virtual memory calls as a
 * program sees them: vm_allocate anywhere and at a fixed address (overlap,
 * rounding, zero size, the end of user space at 0x800000000000),
 * zero-filled memory, vm_deallocate, vm_protect (current and maximum),
 * vm_inherit (seen in a child task), vm_read/vm_write on our own task
 * and a child's, vm_region's fields, vm_statistics, vm_copy, and bad
 * arguments.  (Touching deallocated memory is checked in exceptions.c.)
 * Each check states what GNU Mach answers.
 */
#include <machr/runtime.h>
#include <machr/tap.h>
#include <stdio.h>
#include <string.h>

#include "vm-lib.h"

#define USER_END   0x800000000000ul /* first address past user space */
#define FIXED_BASE 0x10000000ul     /* free in a small test program */

static void check_allocate(mach_port_t host)
{
	vm_address_t a = 0, b;
	struct region r;
	int ok;

	tap_expect(vm_allocate(T, &a, 3 * PAGE, TRUE), 0,
	           "vm_allocate anywhere, 3 pages");
	tap_ok(a != 0 && a % PAGE == 0, "a page-aligned address (%#lx)",
	       (unsigned long)a);
	tap_ok(all_zero(a, 3 * PAGE), "zero-filled");
	((volatile char *)a)[3 * PAGE - 1] = 1;
	tap_expect(region(T, a, &r), 0, "vm_region of it");
	/* GNU Mach merges it with a neighbouring allocation of the runtime
	 * (same attributes), so only containment is certain. */
	tap_ok(r.addr <= a && r.addr + r.size >= a + 3 * PAGE,
	       "a region containing it (%#lx + %#lx)", (unsigned long)r.addr,
	       (unsigned long)r.size);
	tap_ok(r.prot == VM_PROT_DEFAULT && r.max == VM_PROT_ALL &&
	           r.inherit == VM_INHERIT_COPY && !r.shared && r.offset == 0,
	       "prot %d, max %d, inherit %d, shared %d, offset %#lx", r.prot,
	       r.max, r.inherit, r.shared, (unsigned long)r.offset);
	tap_expect(vm_deallocate(T, a, 3 * PAGE), 0, "vm_deallocate it");
	ok = region(T, a, &r) != 0 || r.addr > a || r.addr + r.size <= a;
	tap_ok(ok, "vm_region no longer covers it (%#lx + %#lx)",
	       (unsigned long)r.addr, (unsigned long)r.size);

	b = FIXED_BASE;
	tap_expect(vm_allocate(T, &b, 2 * PAGE, FALSE), 0,
	           "vm_allocate at a fixed address");
	tap_ok(b == FIXED_BASE, "there (%#lx)", (unsigned long)b);
	b = FIXED_BASE + PAGE;
	tap_expect(vm_allocate(T, &b, 2 * PAGE, FALSE), KERN_NO_SPACE,
	           "a fixed range overlapping it: KERN_NO_SPACE");
	b = FIXED_BASE + 0x10123;
	tap_expect(vm_allocate(T, &b, 100, FALSE), 0,
	           "an unaligned fixed address and size");
	tap_ok(b == FIXED_BASE + 0x10000, "rounded down to the page (%#lx)",
	       (unsigned long)b);
	ok = region(T, b, &r) == 0;
	tap_ok(ok && r.addr == b && r.size == PAGE, "one page (%#lx)",
	       (unsigned long)r.size);
	(void)vm_deallocate(T, FIXED_BASE, 0x11000);

	a = 0;
	/* GNU Mach: a zero size allocates nothing and succeeds. */
	tap_expect(vm_allocate(T, &a, 0, TRUE), 0, "vm_allocate of size 0");
	a = 0;
	tap_expect(vm_allocate(T, &a, USER_END, TRUE), KERN_NO_SPACE,
	           "anywhere, as large as user space");
	a = 0;
	tap_expect(vm_allocate(T, &a, ~0ul - PAGE, TRUE), KERN_NO_SPACE,
	           "anywhere, size 2^64 - 2 pages");
	/* GNU Mach: KERN_INVALID_ARGUMENT (task_create on the host port
	 * says KERN_INVALID_TASK). */
	tap_expect(vm_allocate(host, &a, PAGE, TRUE), KERN_INVALID_ARGUMENT,
	           "vm_allocate on the host port");
	tap_expect(vm_allocate(MACH_PORT_NULL, &a, PAGE, TRUE),
	           MACH_SEND_INVALID_DEST, "vm_allocate on MACH_PORT_NULL");

	tap_expect(vm_deallocate(T, FIXED_BASE, 4 * PAGE), 0,
	           "vm_deallocate of an unmapped range");
	tap_expect(vm_deallocate(T, FIXED_BASE, 0), 0,
	           "vm_deallocate of size 0");
}

/* The end of user space, in an empty child task (our own stack is the
 * top 128 KiB of ours). */
static void check_end_of_space(void)
{
	mach_port_t c = MACH_PORT_NULL;
	vm_address_t b;
	struct region r;
	int ok;

	(void)task_create(T, FALSE, &c);
	b = USER_END - PAGE;
	tap_expect(vm_allocate(c, &b, PAGE, FALSE), 0,
	           "the last user page, fixed (in a child)");
	ok = region(c, 0, &r) == 0;
	tap_ok(ok && r.addr == USER_END - PAGE && r.size == PAGE,
	       "vm_region finds it (%#lx)", (unsigned long)r.addr);
	tap_expect(vm_deallocate(c, b, PAGE), 0, "vm_deallocate it");
	b = USER_END - PAGE;
	tap_expect(vm_allocate(c, &b, 2 * PAGE, FALSE), KERN_INVALID_ADDRESS,
	           "a fixed range past the end of user space");
	b = USER_END;
	tap_expect(vm_allocate(c, &b, PAGE, FALSE), KERN_INVALID_ADDRESS,
	           "a fixed page at 0x800000000000");
	/* GNU Mach: deallocate and protect clip the range to user space
	 * (and to what is mapped) and succeed. */
	tap_expect(vm_deallocate(c, USER_END - PAGE, 2 * PAGE), KERN_SUCCESS,
	           "vm_deallocate past the end of user space succeeds");
	tap_expect(vm_protect(c, USER_END, PAGE, FALSE, VM_PROT_READ),
	           KERN_SUCCESS, "vm_protect past the end succeeds");
	(void)task_terminate(c);
	(void)mach_port_deallocate(T, c);
}

static void check_protect_inherit(void)
{
	vm_address_t a = 0;
	struct region r;
	int ok;

	(void)vm_allocate(T, &a, 2 * PAGE, TRUE);
	tap_expect(vm_protect(T, a, PAGE, FALSE, VM_PROT_READ), 0,
	           "vm_protect(READ) of the first page");
	ok = region(T, a, &r) == 0;
	tap_ok(ok && r.size == PAGE && r.prot == VM_PROT_READ &&
	           r.max == VM_PROT_ALL,
	       "the region splits: a READ page, max ALL (%#lx, %d, %d)",
	       (unsigned long)r.size, r.prot, r.max);
	tap_expect(vm_protect(T, a, PAGE, TRUE, VM_PROT_READ), 0,
	           "vm_protect(set_maximum, READ)");
	ok = region(T, a, &r) == 0;
	tap_ok(ok && r.max == VM_PROT_READ, "max protection READ (%d)", r.max);
	tap_expect(vm_protect(T, a, PAGE, FALSE, VM_PROT_DEFAULT),
	           KERN_PROTECTION_FAILURE,
	           "raising the current protection above max");
	tap_expect(vm_protect(T, a, PAGE, TRUE, VM_PROT_ALL),
	           KERN_PROTECTION_FAILURE, "raising max itself");
	ok = region(T, a, &r) == 0;
	tap_ok(ok && r.max == VM_PROT_READ, "max stays READ (%d)", r.max);
	/* GNU Mach: an unmapped range is no error for vm_protect or
	 * vm_inherit, and unknown protection bits are accepted. */
	tap_expect(vm_protect(T, FIXED_BASE, PAGE, FALSE, VM_PROT_READ),
	           KERN_SUCCESS, "vm_protect of an unmapped page succeeds");
	tap_expect(vm_protect(T, a, PAGE, FALSE, 0x10), KERN_SUCCESS,
	           "vm_protect with protection 0x10 succeeds");

	tap_expect(vm_inherit(T, a + PAGE, PAGE, VM_INHERIT_SHARE), 0,
	           "vm_inherit(SHARE)");
	ok = region(T, a + PAGE, &r) == 0;
	tap_ok(ok && r.inherit == VM_INHERIT_SHARE, "vm_region says SHARE (%d)",
	       r.inherit);
	tap_expect(vm_inherit(T, a, PAGE, 99), KERN_INVALID_ARGUMENT,
	           "vm_inherit(99)");
	tap_expect(vm_inherit(T, FIXED_BASE, PAGE, VM_INHERIT_NONE),
	           KERN_SUCCESS, "vm_inherit of an unmapped page succeeds");
	(void)vm_protect(T, a, PAGE, FALSE, VM_PROT_NONE);
	(void)vm_deallocate(T, a, 2 * PAGE);
}

static void check_read_write(void)
{
	vm_address_t a = 0, src = 0, shared = 0, none = 0, copied = 0;
	vm_offset_t data = 0;
	mach_msg_type_number_t n = 0;
	mach_port_t c = MACH_PORT_NULL;
	struct region r;
	int ok;

	(void)vm_allocate(T, &a, 2 * PAGE, TRUE);
	(void)vm_allocate(T, &src, PAGE, TRUE);
	memset((void *)src, 0x5a, PAGE);
	tap_expect(vm_write(T, a + PAGE, src, PAGE), 0,
	           "vm_write a page into our own task");
	tap_ok(((volatile char *)a)[PAGE + 7] == 0x5a, "the data is there");
	tap_expect(vm_read(T, a + PAGE, PAGE, &data, &n), 0, "vm_read it back");
	tap_ok(n == PAGE && data != a + PAGE &&
	           memcmp((void *)data, (void *)src, PAGE) == 0,
	       "a copy of %u bytes at a new address", n);
	(void)vm_deallocate(T, data, n);
	tap_expect(vm_write(T, a + 1, src, PAGE), KERN_INVALID_ARGUMENT,
	           "vm_write to an unaligned address");
	tap_expect(vm_read(T, FIXED_BASE, PAGE, &data, &n),
	           KERN_INVALID_ADDRESS, "vm_read of an unmapped page");
	tap_expect(vm_write(T, FIXED_BASE, src, PAGE), KERN_INVALID_ADDRESS,
	           "vm_write to an unmapped page");

	tap_expect(vm_copy(T, a + PAGE, PAGE, a), 0, "vm_copy a page");
	tap_ok(((volatile char *)a)[4095] == 0x5a, "the data was copied");
	tap_expect(vm_copy(T, FIXED_BASE, PAGE, a), KERN_INVALID_ADDRESS,
	           "vm_copy from an unmapped page");

	(void)vm_allocate(T, &shared, PAGE, TRUE);
	(void)vm_allocate(T, &none, PAGE, TRUE);
	(void)vm_allocate(T, &copied, PAGE, TRUE);
	(void)vm_inherit(T, shared, PAGE, VM_INHERIT_SHARE);
	(void)vm_inherit(T, none, PAGE, VM_INHERIT_NONE);
	*(volatile int *)copied = 1;
	tap_expect(task_create(T, TRUE, &c), 0, "task_create(inherit TRUE)");
	*(volatile int *)shared = 42;
	*(volatile int *)copied = 2;
	tap_expect(vm_read(c, shared, PAGE, &data, &n), 0,
	           "vm_read of the child's shared page");
	tap_ok(*(int *)data == 42, "sees our later write (%d)", *(int *)data);
	(void)vm_deallocate(T, data, n);
	(void)vm_read(c, copied, PAGE, &data, &n);
	tap_ok(*(int *)data == 1, "the copied page does not (%d)",
	       *(int *)data);
	(void)vm_deallocate(T, data, n);
	ok = region(c, none, &r) != 0;
	tap_ok(ok || r.addr > none,
	       "the NONE page is not in the child (next %#lx)",
	       (unsigned long)r.addr);
	ok = region(c, shared, &r) == 0;
	tap_ok(ok && r.addr == shared && r.shared,
	       "vm_region in the child: the shared page, is_shared %d",
	       r.shared);
	tap_expect(vm_write(c, copied, src, PAGE), 0,
	           "vm_write into the child");
	(void)vm_read(c, copied + 16, 16, &data, &n);
	tap_ok(n == 16 && ((char *)data)[0] == 0x5a &&
	           *(volatile int *)copied == 2,
	       "it reads back in the child (%u bytes), ours unchanged", n);
	(void)vm_deallocate(T, data, n);
	(void)task_terminate(c);
	(void)mach_port_deallocate(T, c);
}

static void check_statistics(mach_port_t host)
{
	struct vm_statistics st;

	memset(&st, 0, sizeof(st));
	tap_expect(vm_statistics(T, &st), 0, "vm_statistics");
	tap_ok(st.pagesize == 4096, "page size 4096 (%d)", st.pagesize);
	tap_ok(st.free_count > 0 && st.active_count + st.inactive_count > 0 &&
	           st.wire_count > 0,
	       "free %d, active %d, inactive %d, wired %d pages", st.free_count,
	       st.active_count, st.inactive_count, st.wire_count);
	tap_ok(st.faults > 0 && st.zero_fill_count > 0,
	       "faults %d, zero fills %d", st.faults, st.zero_fill_count);
	tap_expect(vm_statistics(host, &st), KERN_INVALID_ARGUMENT,
	           "vm_statistics on the host port");
}

int main(int argc, char **argv)
{
	mach_port_t host_priv, device_master;

	if (machr_boot_ports(argc, argv, &host_priv, &device_master) != 0 ||
	    machr_console_open(device_master) != KERN_SUCCESS)
		mach_print("vm-basics: no console\n");
	tap_plan(64);
	check_allocate(host_priv);
	check_end_of_space();
	check_protect_inherit();
	check_read_write();
	check_statistics(host_priv);
	tap_finish(host_priv);
	return 0;
}
