/*
 * tests/system/modules/vm-bounds.c — the address space at its limits:
 * huge allocations (anywhere and the whole of user space), 20,000
 * separate regions, a region split into 4,000 entries by vm_protect and
 * vm_inherit, 1,000 tasks created with inherited memory; then everything
 * is given back and the task must still work.  Each loop stops at an
 * error or at its cap.  Each check states what GNU Mach answers.
 *
 * What GNU Mach did under these loads (256 MiB, TCG): no limit on map
 * entries was met (20,000 regions in 0.5 s, walked with vm_region in
 * 0.4 s), 2,000 tasks with inherited memory were created in 0.7 s with
 * no error, and no huge vm_allocate ever answered KERN_RESOURCE_SHORTAGE:
 * only KERN_NO_SPACE (no room, after "no more room in ..." on its
 * console) or KERN_INVALID_ARGUMENT (a size that overflows when rounded
 * to pages).  The caps here are those of the brief (20,000) and 1,000
 * tasks, to keep the run short.
 */
#include <machr/runtime.h>
#include <machr/tap.h>
#include <stdio.h>
#include <string.h>

#define T        machr_task
#define PAGE     4096ul
#define USER_END 0x800000000000ul /* first address past user space */
#define TIB      (1ul << 40)

#define MANY_CAP  20000u        /* separate one-page regions */
#define MANY_BASE 0x100000000ul /* 4 GiB: free in a small test program */
#define SPLIT     4000u         /* pages of the region split page by page */
#define TASKS_CAP 1000u         /* tasks created with inherited memory */

/* vm_region at or after ADDR in TASK, dropping the object name. */
static kern_return_t region(mach_port_t task, vm_address_t *addr,
                            vm_size_t *size)
{
	vm_prot_t prot, max;
	vm_inherit_t inherit;
	boolean_t shared;
	mach_port_t name = MACH_PORT_NULL;
	vm_offset_t offset;
	kern_return_t kr;

	*size = 0;
	kr = vm_region(task, addr, size, &prot, &max, &inherit, &shared, &name,
	               &offset);
	if (name != MACH_PORT_NULL)
		(void)mach_port_deallocate(T, name);
	return kr;
}

/* The number of regions of TASK that start in [FROM, TO). */
static unsigned count_regions(mach_port_t task, vm_address_t from,
                              vm_address_t to)
{
	vm_address_t a = from;
	vm_size_t size;
	unsigned n = 0;

	while (region(task, &a, &size) == KERN_SUCCESS && a < to) {
		n++;
		a += size;
		if (a == 0) /* the last region ended at 2^64 */
			break;
	}
	return n;
}

/* Whether the page at A reads 0 and keeps a value written to it. */
static int page_works(vm_address_t a)
{
	volatile unsigned long *p = (volatile unsigned long *)a;

	if (*p != 0)
		return 0;
	*p = a;
	return *p == a;
}

static void check_huge(void)
{
	mach_port_t c = MACH_PORT_NULL;
	vm_address_t a;
	vm_size_t size;
	int ok;

	/* GNU Mach: anywhere allocations of any size that fits succeed at
	 * once; pages come only when touched. */
	a = 0;
	tap_expect(vm_allocate(T, &a, 64 * TIB, TRUE), KERN_SUCCESS,
	           "vm_allocate anywhere, 64 TiB");
	ok = a != 0 && page_works(a) && page_works(a + 32 * TIB) &&
	     page_works(a + 64 * TIB - PAGE);
	tap_ok(ok, "its first, middle and last pages work (%#lx)",
	       (unsigned long)a);
	tap_expect(vm_deallocate(T, a, 64 * TIB), KERN_SUCCESS,
	           "vm_deallocate it");
	a = 0;
	tap_expect(vm_allocate(T, &a, USER_END - 4 * (1ul << 30), TRUE),
	           KERN_SUCCESS, "vm_allocate anywhere, user space less 4 GiB");
	(void)vm_deallocate(T, a, USER_END - 4 * (1ul << 30));
	a = 0;
	tap_expect(vm_allocate(T, &a, USER_END - PAGE, TRUE), KERN_NO_SPACE,
	           "anywhere, user space less a page: KERN_NO_SPACE");
	a = 0;
	tap_expect(vm_allocate(T, &a, 1ul << 48, TRUE), KERN_NO_SPACE,
	           "anywhere, 2^48: KERN_NO_SPACE");
	a = 0;
	tap_expect(vm_allocate(T, &a, 1ul << 63, TRUE), KERN_NO_SPACE,
	           "anywhere, 2^63: KERN_NO_SPACE");
	a = 0;
	tap_expect(vm_allocate(T, &a, ~0ul, TRUE), KERN_INVALID_ARGUMENT,
	           "anywhere, 2^64 - 1: KERN_INVALID_ARGUMENT");

	/* The whole of user space, in an empty child. */
	(void)task_create(T, FALSE, &c);
	tap_ok(count_regions(c, 0, USER_END) == 0, "an empty child has no "
	                                           "region");
	a = 0;
	tap_expect(vm_allocate(c, &a, USER_END, FALSE), KERN_SUCCESS,
	           "vm_allocate [0, 0x800000000000) fixed");
	a = 0;
	ok = region(c, &a, &size) == KERN_SUCCESS;
	tap_ok(ok && a == 0 && size == USER_END &&
	           count_regions(c, 0, USER_END) == 1,
	       "one region of it all (%#lx + %#lx)", (unsigned long)a,
	       (unsigned long)size);
	a = 0;
	tap_expect(vm_allocate(c, &a, PAGE, TRUE), KERN_NO_SPACE,
	           "then a page anywhere: KERN_NO_SPACE");
	a = 0x10000;
	tap_expect(vm_allocate(c, &a, PAGE, FALSE), KERN_NO_SPACE,
	           "then a fixed page: KERN_NO_SPACE");
	tap_expect(vm_deallocate(c, 0, USER_END), KERN_SUCCESS,
	           "vm_deallocate it all");
	tap_ok(count_regions(c, 0, USER_END) == 0, "no region left");
	/* GNU Mach: in an empty map, anywhere starts at address 0. */
	a = 0x10000;
	tap_expect(vm_allocate(c, &a, USER_END, TRUE), KERN_SUCCESS,
	           "vm_allocate anywhere, all of user space");
	tap_ok(a == 0, "at address 0 (%#lx)", (unsigned long)a);
	(void)vm_deallocate(c, 0, USER_END);
	a = 0x10000;
	tap_expect(vm_allocate(c, &a, PAGE, TRUE), KERN_SUCCESS,
	           "vm_allocate anywhere, a page");
	tap_ok(a == 0, "at address 0 too (%#lx)", (unsigned long)a);
	(void)vm_deallocate(c, 0, USER_END);
	a = 0x10000;
	tap_expect(vm_map(c, &a, TIB, TIB - 1, TRUE, MACH_PORT_NULL, 0, FALSE,
	                  VM_PROT_DEFAULT, VM_PROT_ALL, VM_INHERIT_COPY),
	           KERN_SUCCESS, "vm_map anywhere, 1 TiB with a 1 TiB mask");
	tap_ok(a % TIB == 0, "aligned (%#lx)", (unsigned long)a);
	(void)vm_deallocate(c, 0, USER_END);
	a = 0x10000;
	tap_expect(vm_map(c, &a, USER_END, 0, TRUE, MACH_PORT_NULL, 0, FALSE,
	                  VM_PROT_DEFAULT, VM_PROT_ALL, VM_INHERIT_COPY),
	           KERN_SUCCESS, "vm_map anywhere, all of user space");
	(void)vm_deallocate(c, 0, USER_END);
	(void)task_terminate(c);
	(void)mach_port_deallocate(T, c);
}

static void check_many_regions(void)
{
	vm_address_t a, b;
	kern_return_t kr = KERN_SUCCESS;
	unsigned i, n, bad = 0;
	int64_t t0 = machr_now_ms();

	/* GNU Mach: all 20,000 succeed (pages 2 apart, so none merge). */
	for (i = 0; i < MANY_CAP; i++) {
		a = MANY_BASE + i * 2 * PAGE;
		kr = vm_allocate(T, &a, PAGE, FALSE);
		if (kr != KERN_SUCCESS)
			break;
	}
	tap_ok(i == MANY_CAP,
	       "%u separate one-page vm_allocates (last %#x, "
	       "%ld ms)",
	       i, kr, (long)(machr_now_ms() - t0));
	n = count_regions(T, MANY_BASE, MANY_BASE + 2 * PAGE * MANY_CAP);
	tap_ok(n == i, "vm_region walks %u regions", n);
	for (unsigned k = 0; k < i; k += 97)
		if (!page_works(MANY_BASE + k * 2 * PAGE))
			bad++;
	tap_ok(bad == 0, "every 97th page works (%u do not)", bad);
	tap_expect(vm_deallocate(T, MANY_BASE, 2 * PAGE * MANY_CAP),
	           KERN_SUCCESS, "one vm_deallocate over all of them");
	n = count_regions(T, MANY_BASE, MANY_BASE + 2 * PAGE * MANY_CAP);
	tap_ok(n == 0, "none left (%u)", n);

	/* GNU Mach: neighbouring anywhere allocations merge into one
	 * region. */
	b = 0;
	(void)vm_allocate(T, &b, PAGE, TRUE);
	for (i = 1; i < 1000; i++) {
		a = 0;
		if (vm_allocate(T, &a, PAGE, TRUE) != KERN_SUCCESS ||
		    a != b + i * PAGE)
			break;
	}
	tap_ok(i == 1000, "1000 anywhere pages follow each other (%u)", i);
	n = count_regions(T, b, b + 1000 * PAGE);
	tap_ok(n == 1, "in one region (%u)", n);
	(void)vm_deallocate(T, b, i * PAGE);
}

static void check_split(void)
{
	mach_port_t c = MACH_PORT_NULL;
	vm_address_t a = 0, r;
	vm_size_t size;
	kern_return_t kr = KERN_SUCCESS;
	unsigned i, n;
	int ok;

	(void)vm_allocate(T, &a, SPLIT * PAGE, TRUE);
	for (i = 0; i < SPLIT; i += 2) {
		kr = vm_protect(T, a + i * PAGE, PAGE, FALSE, VM_PROT_READ);
		if (kr != KERN_SUCCESS)
			break;
	}
	n = count_regions(T, a, a + SPLIT * PAGE);
	tap_ok(i == SPLIT && n == SPLIT,
	       "vm_protect of every other page: %u regions (stopped at %u, "
	       "%#x)",
	       n, i, kr);
	/* GNU Mach: protecting the whole range alike merges it again. */
	tap_expect(vm_protect(T, a, SPLIT * PAGE, FALSE, VM_PROT_DEFAULT),
	           KERN_SUCCESS, "vm_protect of the whole range");
	r = a;
	n = count_regions(T, a, a + SPLIT * PAGE);
	ok = region(T, &r, &size) == KERN_SUCCESS;
	tap_ok(ok && n == 1 && r <= a && r + size >= a + SPLIT * PAGE,
	       "one region again (%u: %#lx + %#lx)", n, (unsigned long)r,
	       (unsigned long)size);

	for (i = 0; i < SPLIT; i += 2) {
		kr = vm_inherit(T, a + i * PAGE, PAGE, VM_INHERIT_SHARE);
		if (kr != KERN_SUCCESS)
			break;
	}
	n = count_regions(T, a, a + SPLIT * PAGE);
	tap_ok(i == SPLIT && n == SPLIT,
	       "vm_inherit of every other page: %u regions", n);
	tap_expect(task_create(T, TRUE, &c), KERN_SUCCESS,
	           "task_create inheriting them");
	n = count_regions(c, a, a + SPLIT * PAGE);
	tap_ok(n == SPLIT, "the child has them all (%u)", n);
	(void)task_terminate(c);
	(void)mach_port_deallocate(T, c);
	tap_expect(vm_deallocate(T, a, SPLIT * PAGE), KERN_SUCCESS,
	           "vm_deallocate the split range");
	tap_ok(count_regions(T, a, a + SPLIT * PAGE) == 0, "nothing left");
}

static void check_tasks(void)
{
	static mach_port_t kids[TASKS_CAP];
	vm_address_t mine = 0;
	kern_return_t kr = KERN_SUCCESS;
	unsigned i, n, ours, bad = 0;
	int64_t t0 = machr_now_ms();

	/* A shared page each child sees. */
	(void)vm_allocate(T, &mine, PAGE, TRUE);
	(void)vm_inherit(T, mine, PAGE, VM_INHERIT_SHARE);
	*(volatile int *)mine = 7;
	for (i = 0; i < TASKS_CAP; i++) {
		kr = task_create(T, TRUE, &kids[i]);
		if (kr != KERN_SUCCESS)
			break;
	}
	/* GNU Mach: all 1,000 succeed. */
	tap_ok(i == TASKS_CAP,
	       "%u task_create(inherit TRUE) (last %#x, %ld "
	       "ms)",
	       i, kr, (long)(machr_now_ms() - t0));
	ours = count_regions(T, 0, USER_END);
	n = i > 0 ? count_regions(kids[i - 1], 0, USER_END) : 0;
	tap_ok(n == ours, "the last child has our %u regions (%u)", ours, n);
	*(volatile int *)mine = 8;
	for (unsigned k = 0; k < i; k += 50) {
		vm_offset_t data = 0;
		mach_msg_type_number_t count = 0;

		if (vm_read(kids[k], mine, sizeof(int), &data, &count) !=
		        KERN_SUCCESS ||
		    *(int *)data != 8)
			bad++;
		if (data != 0)
			(void)vm_deallocate(T, data, count);
	}
	tap_ok(bad == 0,
	       "every 50th child sees our later write to the "
	       "shared page (%u do not)",
	       bad);
	for (unsigned k = 0; k < i; k++) {
		if (task_terminate(kids[k]) != KERN_SUCCESS)
			bad++;
		(void)mach_port_deallocate(T, kids[k]);
	}
	tap_ok(bad == 0, "task_terminate of each (%u failed)", bad);
	(void)vm_deallocate(T, mine, PAGE);
}

/* After all of the above: the task still allocates, faults, copies and
 * makes tasks. */
static void check_still_works(void)
{
	mach_port_t c = MACH_PORT_NULL;
	vm_address_t a = 0;
	vm_offset_t data = 0;
	mach_msg_type_number_t n = 0;
	unsigned bad = 0;

	tap_expect(vm_allocate(T, &a, 16 << 20, TRUE), KERN_SUCCESS,
	           "vm_allocate 16 MiB");
	for (vm_address_t p = a; a != 0 && p < a + (16 << 20); p += 64 * PAGE)
		if (!page_works(p))
			bad++;
	tap_ok(a != 0 && bad == 0, "every 64th page works (%u do not)", bad);
	tap_expect(task_create(T, TRUE, &c), KERN_SUCCESS,
	           "task_create(inherit TRUE)");
	tap_expect(vm_read(c, a, PAGE, &data, &n), KERN_SUCCESS,
	           "vm_read of the child's copy");
	tap_ok(n == PAGE && *(unsigned long *)data == a,
	       "it holds what we wrote");
	if (data != 0)
		(void)vm_deallocate(T, data, n);
	(void)task_terminate(c);
	(void)mach_port_deallocate(T, c);
	tap_expect(vm_deallocate(T, a, 16 << 20), KERN_SUCCESS,
	           "vm_deallocate the 16 MiB");
}

int main(int argc, char **argv)
{
	mach_port_t host_priv, device_master;

	if (machr_boot_ports(argc, argv, &host_priv, &device_master) != 0 ||
	    machr_console_open(device_master) != KERN_SUCCESS)
		mach_print("vm-bounds: no console\n");
	tap_plan(47);
	check_huge();
	check_many_regions();
	check_split();
	check_tasks();
	check_still_works();
	tap_finish(host_priv);
	return 0;
}
