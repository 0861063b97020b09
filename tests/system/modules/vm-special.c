/*
 * tests/system/modules/vm-special.c — memory that is not plain anonymous
 * memory: the "time" device's mapped clock (device_map, then vm_map of
 * the memory object it yields), wiring (vm_wire, vm_wire_all and their
 * effect on vm_statistics' wire_count), physically contiguous memory
 * (vm_allocate_contiguous, vm_pages_phys), and the object name vm_region
 * returns for an anonymous region.  Each check states what GNU Mach
 * answers.
 *
 * vm_set_size_limit/vm_get_size_limit: not in this gnumach-dev's
 * gnumach.defs (nor mach.defs, mach_host.defs, mach4.defs), so there is
 * nothing to call.
 *
 * Left out because they bring GNU Mach down (an assertion, then a panic):
 * vm_allocate_contiguous with pmax 0 or a pmax below 16 MiB (the DMA
 * segment's end), and with a size above 4 MiB (more than the page
 * allocator's largest order).  And not pinned: GNU Mach lets vm_write
 * store through a read-write vm_map of the time object into the clock
 * page itself.
 */
#include <device/device.h>
#include <mach/gnumach.h>
#include <mach/time_value.h>
#include <mach/vm_wire.h>
#include <machr/runtime.h>
#include <machr/tap.h>
#include <stdio.h>
#include <string.h>

#define T          machr_task
#define PAGE       4096ul
#define USER_END   0x800000000000ul /* first address past user space */
#define FIXED_BASE 0x10000000ul     /* free in a small test program */
#define MIB        (1ul << 20)

struct region {
	vm_address_t addr;
	vm_size_t size;
	vm_prot_t prot, max;
	vm_inherit_t inherit;
	boolean_t shared;
	mach_port_t name; /* the object's name port: ours to deallocate */
	vm_offset_t offset;
};

/* vm_region at or after ADDR in TASK. */
static kern_return_t region(mach_port_t task, vm_address_t addr,
                            struct region *r)
{
	memset(r, 0, sizeof(*r));
	r->addr = addr;
	return vm_region(task, &r->addr, &r->size, &r->prot, &r->max,
	                 &r->inherit, &r->shared, &r->name, &r->offset);
}

static void drop(mach_port_t name)
{
	if (name != MACH_PORT_NULL)
		(void)mach_port_deallocate(T, name);
}

/* Whether some region of TASK overlaps [ADDR, ADDR + 1). */
static int mapped(mach_port_t task, vm_address_t addr)
{
	struct region r;
	int ok = region(task, addr, &r) == KERN_SUCCESS && r.addr <= addr;

	drop(r.name);
	return ok;
}

/* The system's count of wired pages (vm_statistics' wire_count). */
static int wired(void)
{
	struct vm_statistics st;

	memset(&st, 0, sizeof(st));
	(void)vm_statistics(T, &st);
	return st.wire_count;
}

/* --- the mapped time device --------------------------------------------- */

/* Milliseconds of the mapped clock, read with the seconds/check_seconds
 * protocol of mach/time_value.h (the writer stores check_seconds first
 * and seconds last). */
static int64_t mapped_ms(volatile mapped_time_value_t *mt)
{
	integer_t s, us;

	do {
		s = mt->seconds;
		us = mt->microseconds;
	} while (s != mt->check_seconds);
	return (int64_t)s * 1000 + us / 1000;
}

static int64_t mapped_uptime_ms(volatile mapped_time_value_t *mt)
{
	int64_t s, ns;

	do {
		s = mt->uptime_value.seconds;
		ns = mt->uptime_value.nanoseconds;
	} while (s != mt->check_upseconds64);
	return s * 1000 + ns / 1000000;
}

static int64_t delta(int64_t a, int64_t b)
{
	return a > b ? a - b : b - a;
}

static void check_time(mach_port_t host_priv, mach_port_t master)
{
	mach_port_t dev = MACH_PORT_NULL, dev2 = MACH_PORT_NULL;
	mach_port_t pager = MACH_PORT_NULL, p2 = MACH_PORT_NULL;
	mach_port_type_t type = 0;
	vm_address_t a = 0, b = 0;
	volatile mapped_time_value_t *mt;
	int64_t t1, t2, h1, h2, u1, u2;
	struct region r, rb;
	int ok, w, live;

	tap_expect(device_open(master, D_READ, "time", &dev), D_SUCCESS,
	           "device_open(\"time\", D_READ)");
	/* GNU Mach: any mode opens it, and the same device port comes
	 * back. */
	tap_expect(device_open(master, D_READ | D_WRITE, "time", &dev2),
	           D_SUCCESS, "device_open(\"time\", D_READ|D_WRITE)");
	tap_ok(dev != MACH_PORT_NULL && dev2 == dev,
	       "the same device port (%#x, %#x)", dev, dev2);
	drop(dev2);

	tap_expect(device_map(dev, VM_PROT_READ, 0, PAGE, &pager, 0), D_SUCCESS,
	           "device_map(time, READ, 0, one page)");
	ok = mach_port_type(T, pager, &type) == KERN_SUCCESS;
	tap_ok(pager != MACH_PORT_NULL && ok && type == MACH_PORT_TYPE_SEND,
	       "a send right to a memory object (%#x, type %#x)", pager, type);
	/* GNU Mach: device_map refuses neither write access nor any size
	 * (0 included), and gives the same object for offset 0. */
	tap_expect(device_map(dev, VM_PROT_READ | VM_PROT_WRITE, 0, 0, &p2, 0),
	           D_SUCCESS, "device_map(time, READ|WRITE, size 0) succeeds");
	tap_ok(pager != MACH_PORT_NULL && p2 == pager,
	       "the same memory object (%#x)", p2);
	drop(p2);
	p2 = MACH_PORT_NULL;
	/* GNU Mach: another offset gives another memory object. */
	tap_expect(device_map(dev, VM_PROT_READ, PAGE, PAGE, &p2, 0), D_SUCCESS,
	           "device_map(time, READ, offset one page)");
	tap_ok(p2 != MACH_PORT_NULL && p2 != pager,
	       "another memory object (%#x)", p2);
	drop(p2);
	p2 = MACH_PORT_NULL;
	/* GNU Mach: the master port and other ports are no device. */
	tap_expect(device_map(master, VM_PROT_READ, 0, PAGE, &p2, 0),
	           D_NO_SUCH_DEVICE, "device_map on the master port");
	tap_expect(device_map(machr_console, VM_PROT_READ, 0, PAGE, &p2, 0),
	           D_INVALID_OPERATION, "device_map of the console");

	tap_expect(vm_map(T, &a, PAGE, 0, TRUE, pager, 0, FALSE, VM_PROT_READ,
	                  VM_PROT_READ, VM_INHERIT_SHARE),
	           KERN_SUCCESS, "vm_map the time object read-only");
	ok = region(T, a, &r) == KERN_SUCCESS;
	tap_ok(ok && a != 0 && r.addr == a && r.size == PAGE &&
	           r.prot == VM_PROT_READ && r.max == VM_PROT_READ &&
	           r.name != MACH_PORT_NULL,
	       "vm_region: one page, READ/READ, an object name (%#lx, %d/%d, "
	       "%#x)",
	       (unsigned long)r.size, r.prot, r.max, r.name);
	live = a != 0 && pager != MACH_PORT_NULL;
	if (a == 0) /* no mapping: read zeros (failing) rather than fault */
		(void)vm_allocate(T, &a, PAGE, TRUE);
	mt = (volatile mapped_time_value_t *)a;

	/* GNU Mach: the mapped clock is host_get_time's clock (they agree
	 * to the 10 ms tick); the 64-bit copy and the uptime move with it. */
	t1 = mapped_ms(mt);
	h1 = machr_now_ms();
	u1 = mapped_uptime_ms(mt);
	tap_ok(live && delta(t1, h1) < 500,
	       "the mapped time agrees with host_get_time "
	       "(%ld vs %ld ms)",
	       (long)t1, (long)h1);
	tap_ok(live && mt->seconds > 0 &&
	           (mt->time_value.seconds == mt->seconds ||
	            mt->time_value.seconds == mt->seconds + 1),
	       "time_value (64-bit) has the same seconds (%ld, %d)",
	       (long)mt->time_value.seconds, mt->seconds);
	machr_sleep_ms(200);
	t2 = mapped_ms(mt);
	h2 = machr_now_ms();
	u2 = mapped_uptime_ms(mt);
	tap_ok(live && t2 - t1 >= 100 && delta(t2, h2) < 500,
	       "it advances across a 200 ms sleep (%ld ms), still in step "
	       "(%ld)",
	       (long)(t2 - t1), (long)(h2 - t2));
	tap_ok(live && u1 >= 0 && u2 - u1 >= 100 && u2 < t2,
	       "the uptime advances too (%ld -> %ld ms)", (long)u1, (long)u2);

	/* GNU Mach: raising the mapping above its maximum protection:
	 * KERN_PROTECTION_FAILURE; vm_write into it likewise. */
	tap_expect(vm_protect(T, a, PAGE, FALSE, VM_PROT_READ | VM_PROT_WRITE),
	           KERN_PROTECTION_FAILURE, "vm_protect(READ|WRITE) of it");
	tap_expect(vm_write(T, a, a, PAGE), KERN_PROTECTION_FAILURE,
	           "vm_write of a page into it");

	tap_expect(vm_map(T, &b, PAGE, 0, TRUE, pager, 0, FALSE, VM_PROT_READ,
	                  VM_PROT_READ, VM_INHERIT_NONE),
	           KERN_SUCCESS, "vm_map it a second time");
	ok = b != 0 && b != a && region(T, b, &rb) == KERN_SUCCESS;
	tap_ok(ok && live && rb.name == r.name &&
	           delta(mapped_ms(mt),
	                 mapped_ms((volatile mapped_time_value_t *)b)) < 50,
	       "elsewhere (%#lx), the same object name, the same clock",
	       (unsigned long)b);
	drop(rb.name);
	tap_expect(vm_deallocate(T, b, PAGE), KERN_SUCCESS, "vm_deallocate it");
	tap_ok(!mapped(T, b) && mapped_ms(mt) >= t2,
	       "gone, the first mapping still reads");

	/* GNU Mach: vm_map accepts a read-write mapping (max ALL), an
	 * unaligned offset and a copy; it refuses size 0 and a port that is
	 * no memory object. */
	b = 0;
	tap_expect(vm_map(T, &b, PAGE, 0, TRUE, pager, 0, FALSE,
	                  VM_PROT_READ | VM_PROT_WRITE, VM_PROT_ALL,
	                  VM_INHERIT_NONE),
	           KERN_SUCCESS, "vm_map it READ|WRITE, max ALL succeeds");
	ok = region(T, b, &rb) == KERN_SUCCESS;
	tap_ok(ok && rb.prot == (VM_PROT_READ | VM_PROT_WRITE) &&
	           rb.max == VM_PROT_ALL,
	       "vm_region says %d/%d", rb.prot, rb.max);
	drop(rb.name);
	(void)vm_deallocate(T, b, PAGE);
	b = 0;
	tap_expect(vm_map(T, &b, PAGE, 0, TRUE, pager, 0x10, FALSE,
	                  VM_PROT_READ, VM_PROT_READ, VM_INHERIT_NONE),
	           KERN_SUCCESS, "vm_map at offset 0x10 succeeds");
	(void)vm_deallocate(T, b, PAGE);
	/* (Neither mapping below is touched: only the first page is the
	 * clock.) */
	b = 0;
	tap_expect(vm_map(T, &b, PAGE, 0, TRUE, pager, PAGE, FALSE,
	                  VM_PROT_READ, VM_PROT_READ, VM_INHERIT_NONE),
	           KERN_SUCCESS, "vm_map at offset one page succeeds");
	(void)vm_deallocate(T, b, PAGE);
	b = 0;
	tap_expect(vm_map(T, &b, 2 * PAGE, 0, TRUE, pager, 0, FALSE,
	                  VM_PROT_READ, VM_PROT_READ, VM_INHERIT_NONE),
	           KERN_SUCCESS, "vm_map of two pages succeeds");
	(void)vm_deallocate(T, b, 2 * PAGE);
	b = 0;
	tap_expect(vm_map(T, &b, PAGE, 0, TRUE, pager, 0, TRUE, VM_PROT_READ,
	                  VM_PROT_READ, VM_INHERIT_NONE),
	           KERN_SUCCESS, "vm_map a copy of it");
	ok = region(T, b, &rb) == KERN_SUCCESS;
	tap_ok(ok && rb.name != MACH_PORT_NULL && rb.name != r.name,
	       "a different object name (%#x)", rb.name);
	drop(rb.name);
	(void)vm_deallocate(T, b, PAGE);
	b = 0;
	tap_expect(vm_map(T, &b, 0, 0, TRUE, pager, 0, FALSE, VM_PROT_READ,
	                  VM_PROT_READ, VM_INHERIT_NONE),
	           KERN_INVALID_ARGUMENT, "vm_map of size 0");
	tap_expect(vm_map(T, &b, PAGE, 0, TRUE, dev, 0, FALSE, VM_PROT_READ,
	                  VM_PROT_READ, VM_INHERIT_NONE),
	           KERN_INVALID_ARGUMENT, "vm_map of the device port itself");

	/* GNU Mach: a child inherits the shared mapping and reads the same
	 * clock through it. */
	{
		mach_port_t child = MACH_PORT_NULL;
		vm_offset_t data = 0;
		mach_msg_type_number_t n = 0;
		int64_t seen;

		(void)task_create(T, TRUE, &child);
		tap_expect(vm_read(child, a, PAGE, &data, &n), KERN_SUCCESS,
		           "vm_read of the child's inherited mapping");
		seen = data ? mapped_ms((mapped_time_value_t *)data) : 0;
		tap_ok(live && n == PAGE && delta(seen, mapped_ms(mt)) < 500,
		       "the same clock (%ld vs %ld ms)", (long)seen,
		       (long)mapped_ms(mt));
		if (data)
			(void)vm_deallocate(T, data, n);
		(void)task_terminate(child);
		drop(child);
	}

	/* GNU Mach: wiring the mapping succeeds and counts nothing (device
	 * memory is not in the page pool). */
	w = wired();
	tap_expect(vm_wire(host_priv, T, a, PAGE, VM_PROT_READ), KERN_SUCCESS,
	           "vm_wire of the time mapping");
	tap_ok(wired() == w, "wire_count unchanged (%d)", wired() - w);
	tap_expect(vm_wire(host_priv, T, a, PAGE, VM_PROT_NONE), KERN_SUCCESS,
	           "unwire it");

	/* GNU Mach: the object's port is no control port. */
	{
		boolean_t ready, cache;
		memory_object_copy_strategy_t strategy;

		tap_expect(memory_object_get_attributes(pager, &ready, &cache,
		                                        &strategy),
		           KERN_INVALID_ARGUMENT,
		           "memory_object_get_attributes on the time object");
	}
	drop(r.name);
	tap_expect(vm_deallocate(T, a, PAGE), KERN_SUCCESS,
	           "vm_deallocate the first mapping");
	tap_ok(!mapped(T, a), "gone");
	tap_expect(mach_port_deallocate(T, pager), KERN_SUCCESS,
	           "drop the memory object's send right");
	tap_expect(device_close(dev), D_SUCCESS, "device_close(time)");
	/* GNU Mach: the time device keeps no open state; it still maps.
	 * (Not touched: mapping that object and reading it now and then
	 * hangs GNU Mach, the old object being still on its way out.) */
	tap_expect(device_map(dev, VM_PROT_READ, 0, PAGE, &p2, 0), D_SUCCESS,
	           "device_map after device_close succeeds");
	drop(p2);
	drop(dev);
}

/* --- wiring ------------------------------------------------------------- */

static void check_wire(mach_port_t host_priv)
{
	mach_port_t host = mach_host_self(), child = MACH_PORT_NULL;
	vm_address_t a = 0, b;
	struct region r;
	int w, ok;

	(void)vm_allocate(T, &a, 4 * PAGE, TRUE);
	w = wired();
	tap_expect(
	    vm_wire(host_priv, T, a, 4 * PAGE, VM_PROT_READ | VM_PROT_WRITE),
	    KERN_SUCCESS, "vm_wire 4 untouched pages READ|WRITE");
	tap_ok(wired() - w == 4, "wire_count grows by 4 (%d)", wired() - w);
	w = wired();
	/* GNU Mach: wiring again adds nothing, and one unwire undoes it. */
	tap_expect(
	    vm_wire(host_priv, T, a, 4 * PAGE, VM_PROT_READ | VM_PROT_WRITE),
	    KERN_SUCCESS, "vm_wire them again");
	tap_ok(wired() == w, "wire_count unchanged (%d)", wired() - w);
	tap_expect(vm_wire(host_priv, T, a, 4 * PAGE, VM_PROT_NONE),
	           KERN_SUCCESS, "vm_wire(VM_PROT_NONE) unwires");
	tap_ok(w - wired() == 4, "wire_count drops by 4 (%d)", wired() - w);
	w = wired();
	tap_expect(vm_wire(host_priv, T, a, 4 * PAGE, VM_PROT_NONE),
	           KERN_SUCCESS, "unwiring unwired pages succeeds");
	tap_ok(wired() == w, "wire_count unchanged (%d)", wired() - w);

	/* GNU Mach: the ordinary host port does for vm_wire (not for
	 * vm_wire_all, below). */
	tap_expect(vm_wire(host, T, a, 4 * PAGE, VM_PROT_READ), KERN_SUCCESS,
	           "vm_wire with the non-privileged host port succeeds");
	tap_ok(wired() - w == 4, "and wires (%d)", wired() - w);
	(void)vm_wire(host_priv, T, a, 4 * PAGE, VM_PROT_NONE);

	/* GNU Mach: wiring part of a region splits it. */
	w = wired();
	tap_expect(vm_wire(host_priv, T, a + PAGE, 2 * PAGE, VM_PROT_READ),
	           KERN_SUCCESS, "vm_wire the middle two pages");
	ok = region(T, a, &r) == KERN_SUCCESS;
	drop(r.name);
	tap_ok(ok && r.addr + r.size == a + PAGE && wired() - w == 2,
	       "the region splits there (%#lx), 2 pages wired (%d)",
	       (unsigned long)(r.addr + r.size), wired() - w);
	tap_expect(vm_wire(host_priv, T, a, 4 * PAGE, VM_PROT_NONE),
	           KERN_SUCCESS, "unwire a range larger than the wired part");
	tap_ok(wired() == w, "wire_count back (%d)", wired() - w);

	/* GNU Mach: the access must be within VM_PROT_ALL
	 * (KERN_INVALID_ARGUMENT) and within the current protection
	 * (KERN_NO_SPACE); unaligned ranges are rounded out to pages and
	 * size 0 is no error. */
	tap_expect(vm_wire(host_priv, T, a, PAGE, 0x10), KERN_INVALID_ARGUMENT,
	           "vm_wire with access 0x10");
	tap_expect(vm_wire(host_priv, T, a, PAGE, -1), KERN_INVALID_ARGUMENT,
	           "vm_wire with access -1");
	tap_expect(vm_wire(host_priv, T, a, PAGE, VM_PROT_ALL), KERN_NO_SPACE,
	           "vm_wire(ALL) of a READ|WRITE page: KERN_NO_SPACE");
	w = wired();
	tap_expect(vm_wire(host_priv, T, a + 1, 10, VM_PROT_READ), KERN_SUCCESS,
	           "vm_wire of 10 bytes at an unaligned address");
	tap_ok(wired() - w == 1, "wires the page (%d)", wired() - w);
	(void)vm_wire(host_priv, T, a, PAGE, VM_PROT_NONE);
	tap_expect(vm_wire(host_priv, T, a, 0, VM_PROT_READ), KERN_SUCCESS,
	           "vm_wire of size 0");
	w = wired();
	tap_expect(vm_wire(host_priv, T, a, 8 * PAGE, VM_PROT_READ),
	           KERN_NO_SPACE, "vm_wire running past the region");
	tap_ok(wired() == w, "wires nothing (%d)", wired() - w);
	tap_expect(vm_wire(host_priv, T, FIXED_BASE, PAGE, VM_PROT_READ),
	           KERN_NO_SPACE, "vm_wire of an unmapped page");
	tap_expect(vm_wire(host_priv, T, FIXED_BASE, PAGE, VM_PROT_NONE),
	           KERN_NO_SPACE, "unwiring an unmapped page");
	tap_expect(vm_protect(T, a, PAGE, FALSE, VM_PROT_READ), KERN_SUCCESS,
	           "vm_protect(READ) of the first page");
	tap_expect(vm_wire(host_priv, T, a, PAGE, VM_PROT_READ | VM_PROT_WRITE),
	           KERN_NO_SPACE, "vm_wire(READ|WRITE) of it: KERN_NO_SPACE");
	tap_expect(vm_wire(host_priv, T, a, PAGE, VM_PROT_READ), KERN_SUCCESS,
	           "vm_wire(READ) of it");

	/* GNU Mach: the wrong ports. */
	tap_expect(vm_wire(MACH_PORT_NULL, T, a, PAGE, VM_PROT_READ),
	           MACH_SEND_INVALID_DEST, "vm_wire on MACH_PORT_NULL");
	tap_expect(vm_wire(T, T, a, PAGE, VM_PROT_READ), KERN_INVALID_HOST,
	           "vm_wire with a task port as host");
	tap_expect(vm_wire(host_priv, host_priv, a, PAGE, VM_PROT_READ),
	           KERN_INVALID_TASK, "vm_wire with the host port as task");

	/* GNU Mach: protecting wired pages VM_PROT_NONE unwires them;
	 * deallocating wired pages succeeds and frees them. */
	(void)vm_protect(T, a, 4 * PAGE, FALSE, VM_PROT_DEFAULT);
	(void)vm_wire(host_priv, T, a, 4 * PAGE, VM_PROT_READ);
	w = wired();
	tap_expect(vm_protect(T, a, 2 * PAGE, FALSE, VM_PROT_NONE),
	           KERN_SUCCESS, "vm_protect(NONE) of 2 wired pages");
	tap_ok(w - wired() == 2, "unwires them (%d)", wired() - w);
	w = wired();
	tap_expect(vm_deallocate(T, a, 4 * PAGE), KERN_SUCCESS,
	           "vm_deallocate 2 wired pages and 2 others");
	tap_ok(w - wired() == 2, "the 2 wired pages go (%d)", wired() - w);

	/* The end of user space, in a child. */
	(void)task_create(T, FALSE, &child);
	b = USER_END - PAGE;
	(void)vm_allocate(child, &b, PAGE, FALSE);
	w = wired();
	/* GNU Mach: the range is clipped to user space. */
	tap_expect(vm_wire(host_priv, child, b, 2 * PAGE, VM_PROT_READ),
	           KERN_SUCCESS, "vm_wire of the last page and past the end");
	tap_ok(wired() - w == 1, "wires the page (%d)", wired() - w);
	tap_expect(vm_wire(host_priv, child, USER_END, PAGE, VM_PROT_READ),
	           KERN_NO_SPACE, "vm_wire at 0x800000000000");
	tap_expect(
	    vm_wire(host_priv, child, ~0ul - PAGE + 1, PAGE, VM_PROT_READ),
	    KERN_NO_SPACE, "vm_wire of the last page of 2^64");
	/* GNU Mach: a range that wraps around is an empty one. */
	tap_expect(vm_wire(host_priv, child, b, ~0ul, VM_PROT_READ),
	           KERN_SUCCESS, "vm_wire of size 2^64 - 1 succeeds");
	tap_expect(vm_wire(host_priv, child, 0, USER_END, VM_PROT_NONE),
	           KERN_NO_SPACE, "unwiring the whole (mostly unmapped) space");
	w = wired();
	tap_expect(task_terminate(child), KERN_SUCCESS,
	           "task_terminate the child with a wired page");
	tap_ok(w - wired() == 1, "the page is unwired (%d)", wired() - w);
	drop(child);

	/* vm_wire_all (gnumach.defs), in a fresh child.  Not pinned: in
	 * GNU Mach, once a map went through VM_WIRE_CURRENT and then
	 * VM_WIRE_NONE, a later VM_WIRE_FUTURE wires nothing allocated
	 * after it (seen, and likely a bug of theirs). */
	child = MACH_PORT_NULL;
	(void)task_create(T, FALSE, &child);
	tap_expect(vm_wire_all(host_priv, child, VM_WIRE_FUTURE), KERN_SUCCESS,
	           "vm_wire_all(VM_WIRE_FUTURE)");
	w = wired();
	b = 0;
	(void)vm_allocate(child, &b, 4 * PAGE, TRUE);
	tap_ok(wired() - w == 4,
	       "a later vm_allocate of 4 pages wires them "
	       "(%d)",
	       wired() - w);
	tap_expect(vm_wire_all(host_priv, child, VM_WIRE_NONE), KERN_SUCCESS,
	           "vm_wire_all(VM_WIRE_NONE)");
	tap_ok(wired() == w, "unwires them (%d)", wired() - w);
	b = 0;
	(void)vm_allocate(child, &b, 4 * PAGE, TRUE);
	tap_ok(wired() == w, "a later allocation is not wired (%d)",
	       wired() - w);
	tap_expect(vm_wire_all(host_priv, child, VM_WIRE_CURRENT), KERN_SUCCESS,
	           "vm_wire_all(VM_WIRE_CURRENT)");
	tap_ok(wired() - w == 8, "wires all 8 pages (%d)", wired() - w);
	tap_expect(vm_wire_all(host_priv, child, VM_WIRE_ALL), KERN_SUCCESS,
	           "vm_wire_all(VM_WIRE_ALL) on top");
	tap_ok(wired() - w == 8, "still 8 (%d)", wired() - w);
	(void)vm_wire_all(host_priv, child, VM_WIRE_NONE);
	tap_ok(wired() == w, "VM_WIRE_NONE unwires all (%d)", wired() - w);
	/* GNU Mach: other flags are refused, and vm_wire_all (unlike
	 * vm_wire) wants the privileged host port. */
	tap_expect(vm_wire_all(host_priv, child, 4), KERN_INVALID_ARGUMENT,
	           "vm_wire_all(flags 4)");
	tap_expect(vm_wire_all(host_priv, child, -1), KERN_INVALID_ARGUMENT,
	           "vm_wire_all(flags -1)");
	tap_expect(vm_wire_all(host, child, VM_WIRE_NONE), KERN_INVALID_HOST,
	           "vm_wire_all with the non-privileged host port");
	tap_expect(vm_wire_all(host_priv, host_priv, VM_WIRE_NONE),
	           KERN_INVALID_TASK, "vm_wire_all with the host port as task");
	(void)task_terminate(child);
	tap_expect(vm_wire_all(host_priv, child, VM_WIRE_CURRENT),
	           KERN_INVALID_TASK, "vm_wire_all on a terminated task");
	drop(child);

	/* GNU Mach: with VM_WIRE_FUTURE, what a message brings into the
	 * space is wired too (here vm_read's out-of-line data), as a
	 * default pager needs for the pages it is sent. */
	b = 0;
	(void)vm_allocate(T, &b, 4 * PAGE, TRUE);
	for (int i = 0; i < 4; i++)
		((volatile char *)b)[i * PAGE] = 1;
	tap_expect(vm_wire_all(host_priv, T, VM_WIRE_FUTURE), KERN_SUCCESS,
	           "vm_wire_all(VM_WIRE_FUTURE) on ourselves");
	w = wired();
	{
		vm_offset_t data = 0;
		mach_msg_type_number_t n = 0;
		kern_return_t kr = vm_read(T, b, 4 * PAGE, &data, &n);

		tap_ok(kr == KERN_SUCCESS && wired() - w == 4,
		       "4 pages received out of line come wired (%d, kr %#x)",
		       wired() - w, kr);
		if (kr == KERN_SUCCESS)
			(void)vm_deallocate(T, data, n);
	}
	(void)vm_wire_all(host_priv, T, VM_WIRE_NONE);
	(void)vm_deallocate(T, b, 4 * PAGE);

	drop(host);
}

/* --- physically contiguous memory --------------------------------------- */

/* Whether vm_pages_phys reports P, P + PAGE, ... for [V, V + SIZE). */
static int phys_match(mach_port_t host_priv, vm_address_t v, vm_size_t size,
                      rpc_phys_addr_t p)
{
	rpc_phys_addr_t buf[16];
	rpc_phys_addr_array_t pages = buf;
	mach_msg_type_number_t n = 16,
	                       want = (mach_msg_type_number_t)(size / PAGE);
	int ok;

	if (want > 16)
		want = 16;
	if (vm_pages_phys(host_priv, T, v, want * PAGE, &pages, &n) !=
	    KERN_SUCCESS)
		return 0;
	ok = n == want;
	for (mach_msg_type_number_t i = 0; ok && i < n; i++)
		ok = pages[i] == p + i * PAGE;
	if (pages != buf)
		(void)vm_deallocate(T, (vm_address_t)pages, n * sizeof(*pages));
	return ok;
}

static void check_contiguous(mach_port_t host_priv)
{
	/* GNU Mach: these succeed (pmin must be 0, palign 0 or a page). */
	static const struct {
		vm_size_t size;
		rpc_phys_addr_t pmax, palign;
		const char *what;
	} good[] = {
	    {PAGE, 256 * MIB, 0, "a page below 256 MiB"},
	    {4 * PAGE, 256 * MIB, PAGE, "4 pages, page-aligned"},
	    {16 * PAGE, 16 * MIB, 0, "16 pages below 16 MiB"},
	    {MIB, 4096 * MIB, 0, "1 MiB below 4 GiB"},
	    {4 * MIB, ~0ull, 0, "4 MiB, pmax 2^64 - 1"},
	};
	/* GNU Mach: KERN_INVALID_ARGUMENT for each of these. */
	static const struct {
		vm_size_t size;
		rpc_phys_addr_t pmin, pmax, palign;
		const char *what;
	} bad[] = {
	    {0, 0, 256 * MIB, 0, "size 0"},
	    {PAGE, PAGE, 256 * MIB, 0, "pmin a page"},
	    {PAGE, 16 * MIB, 256 * MIB, 0, "pmin 16 MiB"},
	    {PAGE, 64 * MIB, 32 * MIB, 0, "pmin above pmax"},
	    {PAGE, 0, 256 * MIB, 2 * PAGE, "palign 2 pages"},
	    {PAGE, 0, 256 * MIB, 0x10000, "palign 64 KiB"},
	    {PAGE, 0, 256 * MIB, 100, "palign 100"},
	};
	mach_port_t host = mach_host_self();
	vm_address_t v;
	rpc_phys_addr_t p;
	struct region r;
	int w, ok;

	for (unsigned i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		vm_size_t size = good[i].size;

		v = 0;
		p = 0;
		w = wired();
		tap_expect(vm_allocate_contiguous(host_priv, T, &v, &p, size, 0,
		                                  good[i].pmax, good[i].palign),
		           KERN_SUCCESS, "vm_allocate_contiguous: %s",
		           good[i].what);
		tap_ok(v != 0 && v % PAGE == 0 && p % PAGE == 0 &&
		           p + size <= good[i].pmax &&
		           phys_match(host_priv, v, size, p),
		       "at %#lx, physical %#llx, vm_pages_phys agrees",
		       (unsigned long)v, (unsigned long long)p);
		/* GNU Mach: the pages are wired, READ|WRITE with max
		 * READ|WRITE, inherited by copy. */
		ok = v != 0 && region(T, v, &r) == KERN_SUCCESS;
		drop(r.name);
		tap_ok(ok && r.addr == v && r.size == size &&
		           r.prot == (VM_PROT_READ | VM_PROT_WRITE) &&
		           r.max == r.prot && r.inherit == VM_INHERIT_COPY &&
		           wired() - w == (int)(size / PAGE),
		       "one region %d/%d, inherit %d, %d pages wired", r.prot,
		       r.max, r.inherit, wired() - w);
		w = wired();
		tap_expect(vm_deallocate(T, v, size), KERN_SUCCESS,
		           "vm_deallocate it");
		tap_ok(w - wired() == (int)(size / PAGE),
		       "the pages are unwired (%d)", wired() - w);
	}
	/* GNU Mach: the size is rounded up to pages. */
	v = 0;
	tap_expect(
	    vm_allocate_contiguous(host_priv, T, &v, &p, 100, 0, 256 * MIB, 0),
	    KERN_SUCCESS, "vm_allocate_contiguous of 100 bytes");
	ok = region(T, v, &r) == KERN_SUCCESS;
	drop(r.name);
	ok = ok && v != 0 && r.addr == v && r.size == PAGE;
	tap_ok(ok, "one page (%#lx)", (unsigned long)r.size);
	if (ok)
		((volatile char *)v)[PAGE - 1] =
		    1; /* the whole page is there */
	(void)vm_deallocate(T, v, PAGE);

	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		v = 0;
		tap_expect(vm_allocate_contiguous(host_priv, T, &v, &p,
		                                  bad[i].size, bad[i].pmin,
		                                  bad[i].pmax, bad[i].palign),
		           KERN_INVALID_ARGUMENT, "vm_allocate_contiguous: %s",
		           bad[i].what);
	}
	tap_expect(
	    vm_allocate_contiguous(host, T, &v, &p, PAGE, 0, 256 * MIB, 0),
	    KERN_INVALID_HOST,
	    "vm_allocate_contiguous with the non-privileged host port");
	tap_expect(vm_allocate_contiguous(host_priv, host_priv, &v, &p, PAGE, 0,
	                                  256 * MIB, 0),
	           KERN_INVALID_TASK,
	           "vm_allocate_contiguous with the host port as task");
	drop(host);
}

static void check_pages_phys(mach_port_t host_priv)
{
	rpc_phys_addr_t buf[64];
	rpc_phys_addr_array_t pages = buf;
	mach_msg_type_number_t n;
	mach_port_t host = mach_host_self();
	vm_address_t a = 0;

	(void)vm_allocate(T, &a, 3 * PAGE, TRUE);
	((volatile char *)a)[0] = 1;
	memset(buf, 0x55, sizeof(buf));
	n = 64;
	/* GNU Mach: one address per page, 0 where no page is resident. */
	tap_expect(vm_pages_phys(host_priv, T, a, 4 * PAGE, &pages, &n),
	           KERN_SUCCESS,
	           "vm_pages_phys: a touched page, 2 untouched, "
	           "one unmapped");
	tap_ok(pages == buf && n == 4 && buf[0] != 0 && buf[0] % PAGE == 0 &&
	           buf[1] == 0 && buf[2] == 0 && buf[3] == 0,
	       "%u addresses: %#llx, %#llx, %#llx, %#llx", n,
	       (unsigned long long)buf[0], (unsigned long long)buf[1],
	       (unsigned long long)buf[2], (unsigned long long)buf[3]);
	n = 64;
	tap_expect(vm_pages_phys(host_priv, T, a, 0, &pages, &n), KERN_SUCCESS,
	           "vm_pages_phys of size 0");
	tap_ok(n == 0, "no address (%u)", n);
	n = 64;
	tap_expect(vm_pages_phys(host_priv, T, a + 1, 10, &pages, &n),
	           KERN_INVALID_ARGUMENT,
	           "vm_pages_phys at an unaligned "
	           "address");
	/* GNU Mach: more than fit in the caller's buffer come out of line. */
	n = 2;
	tap_expect(vm_pages_phys(host_priv, T, a, 3 * PAGE, &pages, &n),
	           KERN_SUCCESS, "vm_pages_phys of 3 pages into room for 2");
	tap_ok(n == 3 && pages != buf && pages[0] == buf[0],
	       "3 addresses, out of line (%u)", n);
	if (pages != buf)
		(void)vm_deallocate(T, (vm_address_t)pages, n * sizeof(*pages));
	pages = buf;
	n = 64;
	tap_expect(
	    vm_pages_phys(host_priv, T, USER_END - PAGE, 2 * PAGE, &pages, &n),
	    KERN_SUCCESS, "vm_pages_phys past the end of user space");
	tap_ok(n == 2, "2 addresses (%u)", n);
	n = 64;
	/* GNU Mach: the reply buffer cannot be had (after "no more room"
	 * on the console). */
	tap_expect(vm_pages_phys(host_priv, T, a, 1ul << 40, &pages, &n),
	           KERN_RESOURCE_SHORTAGE, "vm_pages_phys of 1 TiB");
	pages = buf;
	n = 64;
	tap_expect(vm_pages_phys(host, T, a, PAGE, &pages, &n),
	           KERN_INVALID_HOST,
	           "vm_pages_phys with the non-privileged host port");
	tap_expect(vm_pages_phys(host_priv, host_priv, a, PAGE, &pages, &n),
	           KERN_INVALID_TASK,
	           "vm_pages_phys with the host port as "
	           "task");
	(void)vm_deallocate(T, a, 3 * PAGE);
	drop(host);
}

/* --- object names --------------------------------------------------------- */

static void check_object_name(void)
{
	vm_address_t a = FIXED_BASE; /* alone: no neighbour to merge with */
	struct region r, r2;
	mach_port_type_t type = 0;
	boolean_t ready, cache;
	memory_object_copy_strategy_t strategy;
	int ok;

	(void)vm_allocate(T, &a, 2 * PAGE, FALSE);
	/* GNU Mach: an untouched anonymous region has no object yet. */
	ok = region(T, a, &r) == KERN_SUCCESS;
	tap_ok(ok && r.addr == a && r.name == MACH_PORT_NULL,
	       "vm_region of an untouched region: no object name (%#x)",
	       r.name);
	drop(r.name);
	((volatile char *)a)[0] = 1;
	ok = region(T, a, &r) == KERN_SUCCESS &&
	     mach_port_type(T, r.name, &type) == KERN_SUCCESS;
	tap_ok(ok && type == MACH_PORT_TYPE_SEND,
	       "once touched: a send right (%#x, type %#x)", r.name, type);
	tap_expect(
	    memory_object_get_attributes(r.name, &ready, &cache, &strategy),
	    KERN_INVALID_ARGUMENT,
	    "memory_object_get_attributes on the object name");
	/* GNU Mach: both halves of a split region name the same object. */
	(void)vm_protect(T, a + PAGE, PAGE, FALSE, VM_PROT_READ);
	ok = region(T, a + PAGE, &r2) == KERN_SUCCESS;
	tap_ok(ok && r2.addr == a + PAGE && r2.name != MACH_PORT_NULL &&
	           r2.name == r.name,
	       "the split-off page names the same object (%#x)", r2.name);
	drop(r2.name);
	drop(r.name);
	tap_expect(memory_object_get_attributes(MACH_PORT_NULL, &ready, &cache,
	                                        &strategy),
	           MACH_SEND_INVALID_DEST,
	           "memory_object_get_attributes on MACH_PORT_NULL");
	(void)vm_deallocate(T, a, 2 * PAGE);
}

int main(int argc, char **argv)
{
	mach_port_t host_priv, device_master;

	if (machr_boot_ports(argc, argv, &host_priv, &device_master) != 0 ||
	    machr_console_open(device_master) != KERN_SUCCESS)
		mach_print("vm-special: no console\n");
	tap_plan(155);
	check_time(host_priv, device_master);
	check_wire(host_priv);
	check_contiguous(host_priv);
	check_pages_phys(host_priv);
	check_object_name();
	tap_finish(host_priv);
	return 0;
}
