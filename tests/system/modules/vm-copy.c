/*
 * tests/system/modules/vm-copy.c — vm_copy, vm_read and vm_write on large
 * ranges (64 pages and 1 MiB), as the coming virtual copy must keep
 * them: the copy is a snapshot (later writes on either side stay on that
 * side), vm_read's memory is the caller's to keep or deallocate,
 * vm_write overwrites, overlapping ranges behave like memmove, a
 * destination shared with another task stays shared, copies between
 * tasks, and the error codes for unaligned, unmapped and protected
 * ranges.  (Small cases are in vm-basics.c.)  Each check states what GNU
 * Mach answers; calls that only set a check up succeed there.
 */
#include <machr/runtime.h>
#include <machr/tap.h>
#include <stdio.h>
#include <string.h>

#include "vm-lib.h"

#define MIB  (1024 * 1024ul)
#define WPP_ (PAGE / 8) /* words per page */

/* Whether TASK's BYTES at A are pattern SEED (through vm_read). */
static int task_pattern(mach_port_t task, vm_address_t a, vm_size_t bytes,
                        uint64_t seed)
{
	vm_offset_t data = 0;
	mach_msg_type_number_t n = 0;
	int ok;

	if (vm_read(task, a, bytes, &data, &n) != KERN_SUCCESS)
		return 0;
	ok = n == bytes && is_pattern(data, bytes, seed, 0);
	(void)vm_deallocate(T, data, n);
	return ok;
}

/* vm_copy of SIZE bytes, then writes on each side. */
static void check_vm_copy(vm_size_t size, const char *what)
{
	vm_address_t src = alloc(T, size), dst = alloc(T, size);
	volatile uint64_t *s = (volatile uint64_t *)src,
	                  *d = (volatile uint64_t *)dst;
	size_t last = size / 8 - 1, mid = size / 16 + 3;
	struct region r;
	int64_t t0;
	int ok;

	fill(src, size, 1);
	/* The destination: written before (half of it), never touched
	 * (the other half). */
	fill(dst, size / 2, 2);
	(void)vm_inherit(T, dst, size, VM_INHERIT_NONE);
	t0 = machr_now_ms();
	tap_expect(vm_copy(T, src, size, dst), 0, "vm_copy of %s", what);
	tap_diag("vm_copy of %s: %ld ms", what, (long)(machr_now_ms() - t0));
	/* GNU Mach: the destination holds the source's bytes; its own
	 * attributes (inheritance here) are kept. */
	tap_ok(is_pattern(dst, size, 1, 0),
	       "%s: the destination holds the "
	       "source's bytes",
	       what);
	ok = region_at(T, dst, &r) == 0;
	tap_ok(ok && r.inherit == VM_INHERIT_NONE && r.prot == VM_PROT_DEFAULT,
	       "%s: the destination keeps its attributes (inherit %d, prot "
	       "%d)",
	       what, r.inherit, r.prot);
	s[0] = 0xa0;
	s[mid] = 0xa1;
	s[last] = 0xa2;
	d[1] = 0xb0;
	d[mid + 1] = 0xb1;
	d[last - 1] = 0xb2;
	/* GNU Mach: a snapshot; writes stay on their side. */
	tap_ok(d[0] == pat(1, 0) && d[mid] == pat(1, mid) &&
	           d[last] == pat(1, last),
	       "%s: the source's writes afterwards do not show in the copy",
	       what);
	tap_ok(s[1] == pat(1, 1) && s[mid + 1] == pat(1, mid + 1) &&
	           s[last - 1] == pat(1, last - 1),
	       "%s: the copy's writes do not show in the source", what);
	(void)vm_deallocate(T, src, size);
	tap_ok(d[2] == pat(1, 2) && d[last - 2] == pat(1, last - 2),
	       "%s: the copy outlives the source", what);
	(void)vm_deallocate(T, dst, size);
}

static void check_vm_read(vm_size_t size, const char *what)
{
	vm_address_t src = alloc(T, size);
	vm_offset_t data = 0;
	mach_msg_type_number_t n = 0;
	struct region r;
	int ok;

	fill(src, size, 3);
	tap_expect(vm_read(T, src, size, &data, &n), 0, "vm_read of %s", what);
	/* GNU Mach: new memory of the caller's, page aligned, of the
	 * size asked, with default attributes. */
	tap_ok(data != src && data % PAGE == 0 && n == size &&
	           is_pattern(data, size, 3, 0),
	       "%s: a copy at a new address (%#lx, %u bytes)", what,
	       (unsigned long)data, n);
	ok = region_at(T, data, &r) == 0;
	tap_ok(ok && r.prot == VM_PROT_DEFAULT && r.max == VM_PROT_ALL &&
	           r.inherit == VM_INHERIT_COPY && !r.shared,
	       "%s: vm_region: prot %d, max %d, inherit %d, shared %d", what,
	       r.prot, r.max, r.inherit, r.shared);
	((volatile uint64_t *)src)[7] = 0;
	((volatile uint64_t *)data)[9] = 0;
	tap_ok(((volatile uint64_t *)data)[7] == pat(3, 7) &&
	           ((volatile uint64_t *)src)[9] == pat(3, 9),
	       "%s: writes on either side stay on that side", what);
	tap_expect(vm_deallocate(T, data, n), 0,
	           "%s: the caller deallocates it", what);
	tap_ok(region_at(T, data, &r) != 0 || r.addr >= data + size,
	       "%s: and it is gone", what);
	(void)vm_deallocate(T, src, size);
}

static void check_vm_write(vm_size_t size, const char *what)
{
	vm_address_t src = alloc(T, size), dst = alloc(T, size);

	fill(src, size, 4);
	fill(dst, size, 5);
	tap_expect(vm_write(T, dst, src, size), 0, "vm_write of %s", what);
	/* GNU Mach: overwritten with the data; a snapshot again. */
	tap_ok(is_pattern(dst, size, 4, 0), "%s: overwritten", what);
	((volatile uint64_t *)src)[size / 8 - 1] = 0;
	((volatile uint64_t *)dst)[0] = 0;
	tap_ok(((volatile uint64_t *)dst)[size / 8 - 1] ==
	               pat(4, size / 8 - 1) &&
	           ((volatile uint64_t *)src)[0] == pat(4, 0),
	       "%s: writes on either side afterwards stay on that side", what);
	(void)vm_deallocate(T, src, size);
	(void)vm_deallocate(T, dst, size);
}

/* Overlapping source and destination: memmove semantics. */
static void check_overlap(void)
{
	vm_address_t a = alloc(T, 16 * PAGE);

	fill(a, 16 * PAGE, 6);
	tap_expect(vm_copy(T, a, 8 * PAGE, a + 2 * PAGE), 0,
	           "vm_copy of 8 pages 2 pages up, overlapping");
	/* GNU Mach: the destination gets the source as it was before the
	 * call; what lies outside the destination is unchanged. */
	tap_ok(is_pattern(a, 2 * PAGE, 6, 0) &&
	           is_pattern(a + 2 * PAGE, 8 * PAGE, 6, 0) &&
	           is_pattern(a + 10 * PAGE, 6 * PAGE, 6, 10 * PAGE / 8),
	       "moved as by memmove");
	fill(a, 16 * PAGE, 7);
	tap_expect(vm_copy(T, a + 3 * PAGE, 8 * PAGE, a + PAGE), 0,
	           "vm_copy of 8 pages 2 pages down, overlapping");
	tap_ok(is_pattern(a, PAGE, 7, 0) &&
	           is_pattern(a + PAGE, 8 * PAGE, 7, 3 * PAGE / 8) &&
	           is_pattern(a + 9 * PAGE, 7 * PAGE, 7, 9 * PAGE / 8),
	       "moved as by memmove");
	fill(a, 16 * PAGE, 8);
	tap_expect(vm_copy(T, a, 16 * PAGE, a), 0, "vm_copy onto itself");
	tap_ok(is_pattern(a, 16 * PAGE, 8, 0), "unchanged");
	(void)vm_deallocate(T, a, 16 * PAGE);
}

/* The edges: alignment, size 0, unmapped and protected ranges. */
static void check_edges(void)
{
	vm_address_t a = alloc(T, 4 * PAGE), b = alloc(T, 4 * PAGE),
	             ro = alloc(T, 2 * PAGE), hole = alloc(T, 3 * PAGE);
	vm_offset_t data = 0;
	mach_msg_type_number_t n = 0;

	fill(a, 4 * PAGE, 9);
	fill(b, 4 * PAGE, 10);
	(void)vm_protect(T, ro, 2 * PAGE, FALSE, VM_PROT_READ);
	(void)vm_deallocate(T, hole + PAGE, PAGE); /* page, hole, page */

	/* GNU Mach: vm_copy wants a page-aligned source, destination and
	 * size: KERN_INVALID_ARGUMENT otherwise, and nothing is copied.
	 * A size of 0 succeeds and copies nothing. */
	for (int i = 0; i < 5; i++) {
		static const struct {
			vm_offset_t from, to;
			vm_size_t size;
			kern_return_t want;
			const char *what;
		} cases[] = {
		    {8, 0, PAGE, KERN_INVALID_ARGUMENT,
		     "vm_copy from an unaligned source"},
		    {0, 8, PAGE, KERN_INVALID_ARGUMENT,
		     "vm_copy to an unaligned destination"},
		    {0, 0, 100, KERN_INVALID_ARGUMENT, "vm_copy of 100 bytes"},
		    {0, 0, PAGE + 8, KERN_INVALID_ARGUMENT,
		     "vm_copy of a page and 8 bytes"},
		    {0, 0, 0, KERN_SUCCESS, "vm_copy of 0 bytes"},
		};
		fill(b, 4 * PAGE, 10);
		tap_expect(vm_copy(T, a + cases[i].from, cases[i].size,
		                   b + cases[i].to),
		           cases[i].want, "%s", cases[i].what);
		tap_ok(is_pattern(b, 4 * PAGE, 10, 0), "%s: nothing copied",
		       cases[i].what);
	}
	/* GNU Mach: a read-only destination is KERN_PROTECTION_FAILURE,
	 * and nothing is written. */
	tap_expect(vm_copy(T, a, 2 * PAGE, ro), KERN_PROTECTION_FAILURE,
	           "vm_copy to a read-only destination");
	tap_ok(all_zero(ro, 2 * PAGE), "leaves it zero");
	/* GNU Mach: the whole destination is checked before anything is
	 * copied. */
	tap_expect(vm_copy(T, a, 3 * PAGE, hole), KERN_INVALID_ADDRESS,
	           "vm_copy to a destination with a hole");
	tap_ok(all_zero(hole, PAGE), "leaves the page before the hole zero");
	tap_expect(vm_copy(T, hole, 3 * PAGE, b), KERN_INVALID_ADDRESS,
	           "vm_copy from a source with a hole");
	tap_expect(vm_copy(T, a, PAGE, hole + PAGE), KERN_INVALID_ADDRESS,
	           "vm_copy to an unmapped destination");
	(void)vm_protect(T, b, PAGE, FALSE, VM_PROT_NONE);
	tap_expect(vm_copy(T, b, PAGE, a), KERN_PROTECTION_FAILURE,
	           "vm_copy from a VM_PROT_NONE source");
	(void)vm_protect(T, b, PAGE, FALSE, VM_PROT_DEFAULT);

	/* GNU Mach: vm_read takes any address and size; the data keeps
	 * its offset in the page and the count is the size asked. */
	tap_expect(vm_read(T, a + 123, 5000, &data, &n), 0,
	           "vm_read of 5000 bytes at offset 123");
	tap_ok(n == 5000 && data % PAGE == 123,
	       "%u bytes at offset 123 of a page (%#lx)", n,
	       (unsigned long)data);
	tap_ok(n == 5000 && memcmp((void *)data, (void *)(a + 123), n) == 0,
	       "the bytes from offset 123 on");
	(void)vm_deallocate(T, data, n);
	data = 1;
	n = 1;
	tap_expect(vm_read(T, a, 0, &data, &n), 0, "vm_read of 0 bytes");
	tap_ok(n == 0 && data == 0, "nothing: count %u, address %#lx", n,
	       (unsigned long)data);
	tap_expect(vm_read(T, hole, 3 * PAGE, &data, &n), KERN_INVALID_ADDRESS,
	           "vm_read across a hole");

	/* GNU Mach: vm_write wants page-aligned data, destination and
	 * size (KERN_INVALID_ARGUMENT), and then writes nothing. */
	fill(b, 4 * PAGE, 10);
	tap_expect(vm_write(T, b, a, 100), KERN_INVALID_ARGUMENT,
	           "vm_write of 100 bytes");
	tap_ok(is_pattern(b, 4 * PAGE, 10, 0), "vm_write of 100 bytes: nothing "
	                                       "written");
	fill(b, 4 * PAGE, 10);
	tap_expect(vm_write(T, b, a + 123, PAGE), KERN_INVALID_ARGUMENT,
	           "vm_write of data at offset 123 of a page");
	tap_ok(is_pattern(b, 4 * PAGE, 10, 0),
	       "vm_write of data at offset 123: nothing written");
	tap_expect(vm_write(T, ro, a, PAGE), KERN_PROTECTION_FAILURE,
	           "vm_write to a read-only page");
	tap_ok(all_zero(ro, 2 * PAGE), "leaves it zero");
	/* GNU Mach: the whole destination is checked first here too. */
	tap_expect(vm_write(T, hole, a, 3 * PAGE), KERN_INVALID_ADDRESS,
	           "vm_write across a hole");
	tap_ok(all_zero(hole, PAGE), "leaves the page before the hole zero");
	tap_expect(vm_write(T, b, a, 0), 0, "vm_write of 0 bytes");
	(void)vm_protect(T, ro, 2 * PAGE, FALSE, VM_PROT_DEFAULT);
	(void)vm_deallocate(T, a, 4 * PAGE);
	(void)vm_deallocate(T, b, 4 * PAGE);
	(void)vm_deallocate(T, ro, 2 * PAGE);
	(void)vm_deallocate(T, hole, 3 * PAGE);
}

/* Copies into a destination shared with a child keep it shared. */
static void check_shared_destination(void)
{
	vm_address_t src = alloc(T, 64 * PAGE), dst = alloc(T, 64 * PAGE);
	mach_port_t c = MACH_PORT_NULL;

	fill(src, 64 * PAGE, 11);
	fill(dst, 64 * PAGE, 12);
	(void)vm_inherit(T, dst, 64 * PAGE, VM_INHERIT_SHARE);
	tap_expect(task_create(T, TRUE, &c), 0,
	           "a child sharing 64 pages with us");
	tap_expect(vm_copy(T, src, 64 * PAGE, dst), 0,
	           "vm_copy into the shared pages");
	/* GNU Mach: the child sees the copied data (the destination's
	 * pages are overwritten, not replaced). */
	tap_ok(task_pattern(c, dst, 64 * PAGE, 11),
	       "the child sees the copied data");
	fill(src, 64 * PAGE, 13);
	tap_expect(vm_write(c, dst, src, 64 * PAGE), 0,
	           "vm_write into the child's shared pages");
	tap_ok(is_pattern(dst, 64 * PAGE, 13, 0), "we see the written data");
	((volatile uint64_t *)dst)[5] = 0x55;
	fill(src, 64 * PAGE, 14);
	tap_ok(task_pattern(c, src, 64 * PAGE, 11) &&
	           peek(c, dst + 5 * 8) == 0x55,
	       "our later writes: to the shared pages show, to the source "
	       "do not");
	(void)task_terminate(c);
	(void)mach_port_deallocate(T, c);
	(void)vm_deallocate(T, src, 64 * PAGE);
	(void)vm_deallocate(T, dst, 64 * PAGE);
}

/*
 * Copies taken from pages we share with a child: a snapshot, whoever
 * writes the shared pages afterwards, and the pages stay shared.
 */
static void check_shared_source(void)
{
	vm_address_t sh = alloc(T, 64 * PAGE), dst = alloc(T, 64 * PAGE),
	             other = alloc(T, PAGE);
	vm_offset_t data = 0;
	mach_msg_type_number_t n = 0;
	mach_port_t c = MACH_PORT_NULL;
	int ok;

	fill(sh, 64 * PAGE, 21);
	fill(other, PAGE, 22);
	(void)vm_inherit(T, sh, 64 * PAGE, VM_INHERIT_SHARE);
	tap_expect(task_create(T, TRUE, &c), 0,
	           "a child sharing 64 pages with us (the source)");
	tap_expect(vm_copy(T, sh, 64 * PAGE, dst), 0,
	           "vm_copy from the shared pages");
	tap_expect(vm_read(T, sh, 64 * PAGE, &data, &n), 0,
	           "vm_read of the shared pages");
	((volatile uint64_t *)sh)[7] = 0x77;
	ok = vm_write(c, sh + 9 * PAGE, other, PAGE) == 0;
	/* GNU Mach: the sharing goes on: the child sees our write, we see
	 * its; the copies keep the data at the call. */
	tap_ok(ok && peek(c, sh + 7 * 8) == 0x77 &&
	           is_pattern(sh + 9 * PAGE, PAGE, 22, 0),
	       "afterwards both sides still share the pages");
	tap_ok(is_pattern(dst, 64 * PAGE, 21, 0),
	       "vm_copy's copy keeps the data at the call");
	tap_ok(n == 64 * PAGE && is_pattern(data, 64 * PAGE, 21, 0),
	       "vm_read's copy keeps the data at the call");
	(void)vm_deallocate(T, data, n);
	(void)task_terminate(c);
	(void)mach_port_deallocate(T, c);
	(void)vm_deallocate(T, sh, 64 * PAGE);
	(void)vm_deallocate(T, dst, 64 * PAGE);
	(void)vm_deallocate(T, other, PAGE);
}

/* vm_read, vm_write and vm_copy on another task's memory. */
static void check_other_task(void)
{
	vm_address_t src = alloc(T, MIB), ca, cb, inh = alloc(T, 64 * PAGE);
	vm_offset_t data = 0;
	mach_msg_type_number_t n = 0;
	mach_port_t c = MACH_PORT_NULL;
	int ok;

	fill(src, MIB, 15);
	fill(inh, 64 * PAGE, 16);
	(void)task_create(T, TRUE, &c);
	ca = alloc(c, MIB);
	cb = alloc(c, MIB);
	tap_expect(vm_write(c, ca, src, MIB), 0,
	           "vm_write of 1 MiB into a child");
	fill(src, MIB, 17);
	/* GNU Mach: the child holds our data at the call, not our
	 * writes since. */
	tap_ok(task_pattern(c, ca, MIB, 15), "it holds our data at the call");
	tap_expect(vm_copy(c, ca, MIB, cb), 0, "vm_copy of 1 MiB in the child");
	tap_ok(task_pattern(c, cb, MIB, 15), "the copy is there");
	tap_expect(vm_write(c, ca, src, PAGE), 0,
	           "vm_write of a page over the child's source");
	tap_ok(task_pattern(c, cb, MIB, 15),
	       "the child's copy does not change");
	tap_expect(vm_read(c, cb, MIB, &data, &n), 0,
	           "vm_read of 1 MiB from the child");
	ok = n == MIB && is_pattern(data, MIB, 15, 0);
	tap_ok(ok, "we get its data");
	((volatile uint64_t *)data)[3] = 0;
	tap_ok(task_pattern(c, cb, MIB, 15),
	       "our write to it does not reach the child");
	(void)vm_deallocate(T, data, n);

	/* A COPY-inherited region, copied within the child and read. */
	fill(inh, 64 * PAGE, 18);
	tap_ok(task_pattern(c, inh, 64 * PAGE, 16),
	       "the child's inherited 64 pages: the data at the fork");
	tap_expect(vm_copy(c, inh, 64 * PAGE, cb), 0,
	           "vm_copy of them in the child");
	tap_ok(task_pattern(c, cb, 64 * PAGE, 16) &&
	           is_pattern(inh, 64 * PAGE, 18, 0),
	       "the child's copy has the data at the fork, ours our own");
	(void)task_terminate(c);
	(void)mach_port_deallocate(T, c);
	(void)vm_deallocate(T, src, MIB);
	(void)vm_deallocate(T, inh, 64 * PAGE);
}

/* No page is kept once the copies are gone: 16 rounds of vm_read and
 * vm_deallocate of 1 MiB, and of vm_copy and vm_write over the same
 * destination. */
static void check_pages_return(void)
{
	vm_address_t src = alloc(T, MIB), dst = alloc(T, MIB);
	struct vm_statistics before, after;
	vm_offset_t data;
	mach_msg_type_number_t n;
	int ok = 1;

	fill(src, MIB, 19);
	fill(dst, MIB, 20);
	(void)vm_statistics(T, &before);
	for (int i = 0; i < 16; i++) {
		((volatile uint64_t *)src)[i * WPP_] = (uint64_t)i;
		data = 0;
		n = 0;
		ok &= vm_read(T, src, MIB, &data, &n) == 0 &&
		      ((uint64_t *)data)[i * WPP_] == (uint64_t)i;
		(void)vm_deallocate(T, data, n);
		ok &= vm_copy(T, src, MIB, dst) == 0 &&
		      ((volatile uint64_t *)dst)[i * WPP_] == (uint64_t)i;
		((volatile uint64_t *)dst)[i * WPP_ + 1] = 0;
		ok &= vm_write(T, dst, src, MIB) == 0;
	}
	(void)vm_statistics(T, &after);
	tap_ok(ok && is_pattern(dst + 16 * PAGE, MIB - 16 * PAGE, 19,
	                        16 * PAGE / 8),
	       "16 rounds of vm_read, vm_copy and vm_write of 1 MiB");
	/* GNU Mach: the free page count is back but for 30 pages (kernel
	 * caches, page tables); we allow 128, where a leak would be 256
	 * pages per MiB. */
	tap_ok(after.free_count + 128 >= before.free_count,
	       "the pages come back: free before %d, after %d",
	       before.free_count, after.free_count);
	(void)vm_deallocate(T, src, MIB);
	(void)vm_deallocate(T, dst, MIB);
}

int main(int argc, char **argv)
{
	mach_port_t host_priv, device_master;

	if (machr_boot_ports(argc, argv, &host_priv, &device_master) != 0 ||
	    machr_console_open(device_master) != KERN_SUCCESS)
		mach_print("vm-copy: no console\n");
	tap_plan(94);
	check_vm_copy(64 * PAGE, "64 pages");
	check_vm_copy(MIB, "1 MiB");
	check_vm_read(64 * PAGE, "64 pages");
	check_vm_read(MIB, "1 MiB");
	check_vm_write(64 * PAGE, "64 pages");
	check_vm_write(MIB, "1 MiB");
	check_overlap();
	check_edges();
	check_shared_destination();
	check_shared_source();
	check_other_task();
	check_pages_return();
	tap_finish(host_priv);
	return 0;
}
