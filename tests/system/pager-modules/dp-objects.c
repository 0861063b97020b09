/*
 * tests/system/pager-modules/dp-objects.c — the default pager
 * (servers/pager) as a program sees it, booted after it by
 * tests/system/pager.sh (tools/machr-run --server).
 *
 * It finds the pager (servers/pager/rendezvous.h) and checks that it is
 * the default memory manager (vm_set_default_memory_manager with a null
 * port returns the current one), creates two objects with
 * default_pager_object_create, maps A twice and B once, shares A with a
 * child task, unmaps A everywhere and maps it again (its contents must
 * survive the kernel's terminate), then writes B past the free memory so
 * that the kernel must
 * page out to the pager, reads every page back (paged in from the
 * pager's store), and checks with default_pager_info and
 * default_pager_objects that the pager held pages and freed them all
 * once the objects were unmapped and released.
 */
#include <mach/default_pager.h>
#include <machr/runtime.h>
#include <machr/tap.h>
#include <stdio.h>
#include <string.h>

#include "dp-lib.h"

#define PAGER_RENDEZVOUS_CLIENT
#include "servers/pager/rendezvous.h"

#define T          machr_task
#define PAGE       4096ul
#define A_PAGES    64ul
#define CHILD_DONE 0xc41d0000000000ddull

static mach_port_t pager;

static uint64_t pattern(unsigned object, uint64_t page, unsigned word)
{
	return ((uint64_t)object << 56) ^ (page * 0x9e3779b97f4a7c15ull) ^
	       (word * 0x10001ull) ^ 1;
}

static void fill(vm_address_t base, unsigned object, uint64_t first,
                 uint64_t pages)
{
	for (uint64_t p = first; p < first + pages; p++) {
		volatile uint64_t *w = (uint64_t *)(base + p * PAGE);
		for (unsigned i = 0; i < PAGE / 8; i++)
			w[i] = pattern(object, p, i);
	}
}

/* Number of pages in [FIRST, FIRST+PAGES) not holding their pattern. */
static uint64_t bad_pages(vm_address_t base, unsigned object, uint64_t first,
                          uint64_t pages)
{
	uint64_t bad = 0;

	for (uint64_t p = first; p < first + pages; p++) {
		volatile uint64_t *w = (uint64_t *)(base + p * PAGE);
		for (unsigned i = 0; i < PAGE / 8; i++)
			if (w[i] != pattern(object, p, i)) {
				bad++;
				break;
			}
	}
	return bad;
}

/* Map OBJECT (SIZE bytes) anywhere, shared with children. */
static kern_return_t map(mach_port_t object, vm_size_t size, vm_address_t *addr)
{
	*addr = 0;
	return vm_map(T, addr, size, 0, TRUE, object, 0, FALSE,
	              VM_PROT_READ | VM_PROT_WRITE,
	              VM_PROT_READ | VM_PROT_WRITE, VM_INHERIT_SHARE);
}

/* --- the child: shares A at the same address --- */

static vm_address_t a1;

static void child_main(void *arg)
{
	volatile uint64_t *last = (uint64_t *)(a1 + (A_PAGES - 1) * PAGE);

	(void)arg;
	/* Report how many of A's first pages differ from the parent's
	 * pattern, through A itself. */
	last[1] = bad_pages(a1, 1, 0, A_PAGES - 1);
	last[0] = CHILD_DONE;
}

int main(int argc, char **argv)
{
	mach_port_t host_priv, device_master, obj_a = MACH_PORT_NULL,
	                                      obj_b = MACH_PORT_NULL, bad,
	                                      child = MACH_PORT_NULL, thread;
	vm_address_t a2 = 0, b = 0;
	default_pager_info_t info, after;
	vm_statistics_data_t vs;
	struct dp_listing l;
	uint64_t b_pages = 0, free_pages, store_pages;
	vm_offset_t id_a = 0, id_b = 0;
	vm_size_t held = 0, in_use = 0;
	const char *how;
	kern_return_t kr;
	int i, gone;

	if (machr_boot_ports(argc, argv, &host_priv, &device_master) != 0 ||
	    machr_console_open(device_master) != KERN_SUCCESS)
		mach_print("dp-objects: no console\n");
	tap_plan(19);

	/* 1. The pager starts with us: find it (rendezvous.h), then see
	 * that it registered as the default memory manager. */
	pager = pager_find(host_priv, &how);
	if (!tap_ok(MACH_PORT_VALID(pager), "found the pager (%s)", how)) {
		tap_finish(host_priv);
		return 1;
	}
	for (i = 0; i < 100; i++) {
		mach_port_t current = MACH_PORT_NULL;
		kr = vm_set_default_memory_manager(host_priv, &current);
		if (MACH_PORT_VALID(current))
			(void)mach_port_deallocate(T, current);
		if (kr != KERN_SUCCESS || current == pager)
			break;
		machr_sleep_ms(20);
	}
	if (!tap_ok(kr == KERN_SUCCESS && i < 100,
	            "vm_set_default_memory_manager(null) returns its port"))
		tap_diag("kr %#x", kr);

	kr = default_pager_info(pager, &info);
	tap_ok(kr == KERN_SUCCESS && info.dpi_page_size == PAGE &&
	           info.dpi_total_space >= 1024 * PAGE &&
	           info.dpi_free_space <= info.dpi_total_space,
	       "default_pager_info: page %lu, %lu KiB of store, %lu free",
	       (unsigned long)info.dpi_page_size,
	       (unsigned long)(info.dpi_total_space >> 10),
	       (unsigned long)(info.dpi_free_space >> 10));
	store_pages = info.dpi_total_space / PAGE;

	tap_expect(default_pager_object_create(pager, &bad, 0),
	           KERN_INVALID_ARGUMENT,
	           "default_pager_object_create of 0 bytes is refused");

	/* 2. A, mapped twice: the same pages, zero until written. */
	kr = default_pager_object_create(pager, &obj_a, A_PAGES * PAGE);
	if (kr == KERN_SUCCESS)
		kr = map(obj_a, A_PAGES * PAGE, &a1);
	if (kr == KERN_SUCCESS)
		kr = map(obj_a, A_PAGES * PAGE, &a2);
	if (!tap_ok(kr == KERN_SUCCESS && a1 != a2,
	            "object A created and mapped twice (%#lx, %#lx)",
	            (unsigned long)a1, (unsigned long)a2)) {
		tap_diag("kr %#x", kr);
		tap_finish(host_priv);
		return 1;
	}
	gone = 1;
	for (uint64_t off = 0; off < A_PAGES * PAGE; off += 8)
		if (*(volatile uint64_t *)(a1 + off) != 0)
			gone = 0;
	tap_ok(gone, "A's pages read as zeros before any write");
	fill(a1, 1, 0, A_PAGES - 1);
	tap_ok(bad_pages(a2, 1, 0, A_PAGES - 1) == 0,
	       "what is written through one mapping is read through the other");

	/* 3. A child sharing A. */
	kr = task_create(T, TRUE, &child);
	if (kr == KERN_SUCCESS)
		kr = machr_task_thread_start(child, child_main, NULL, &thread);
	for (i = 0; kr == KERN_SUCCESS && i < 500; i++) {
		if (*(volatile uint64_t *)(a2 + (A_PAGES - 1) * PAGE) ==
		    CHILD_DONE)
			break;
		machr_sleep_ms(20);
	}
	tap_ok(kr == KERN_SUCCESS &&
	           *(volatile uint64_t *)(a2 + (A_PAGES - 1) * PAGE) ==
	               CHILD_DONE &&
	           *(volatile uint64_t *)(a2 + (A_PAGES - 1) * PAGE + 8) == 0,
	       "a child task sharing A reads the pattern, and its writes "
	       "reach us");
	if (child != MACH_PORT_NULL) {
		(void)task_terminate(child);
		(void)mach_port_deallocate(T, child);
		child = MACH_PORT_NULL;
	}

	/* 4. A unmapped everywhere, so the kernel lets it go (GNU Mach
	 * returns its dirty pages, then memory_object_terminate), and
	 * mapped again: the pager still has its pages. */
	kr = vm_deallocate(T, a1, A_PAGES * PAGE);
	if (kr == KERN_SUCCESS)
		kr = vm_deallocate(T, a2, A_PAGES * PAGE);
	if (kr == KERN_SUCCESS)
		kr = map(obj_a, A_PAGES * PAGE, &a1);
	if (kr == KERN_SUCCESS)
		kr = map(obj_a, A_PAGES * PAGE, &a2);
	tap_ok(kr == KERN_SUCCESS && bad_pages(a1, 1, 0, A_PAGES - 1) == 0 &&
	           bad_pages(a2, 1, 0, A_PAGES - 1) == 0,
	       "A unmapped everywhere and mapped again keeps its contents");

	/* 5. B, larger than the free memory: the kernel must page out. */
	kr = vm_statistics(T, &vs);
	free_pages = kr == KERN_SUCCESS ? (uint64_t)vs.free_count : 0;
	/* An eighth of the store past the free memory, so that the kernel
	 * pages out that much and its own reserve of free pages (GNU Mach
	 * keeps about a tenth of memory free).  Reading B back pages in
	 * and out again, so that in the end most of B has been in the
	 * store, which must hold it all (pager.sh gives the pager half the
	 * memory). */
	b_pages = free_pages + store_pages / 8;
	if (b_pages > store_pages - store_pages / 16)
		b_pages = store_pages - store_pages / 16;
	tap_diag("%lu pages free, B gets %lu pages", (unsigned long)free_pages,
	         (unsigned long)b_pages);
	if (kr == KERN_SUCCESS)
		kr = default_pager_object_create(pager, &obj_b, b_pages * PAGE);
	if (kr == KERN_SUCCESS)
		kr = map(obj_b, b_pages * PAGE, &b);
	if (!tap_ok(kr == KERN_SUCCESS,
	            "object B of %lu pages created and "
	            "mapped",
	            (unsigned long)b_pages)) {
		tap_diag("kr %#x", kr);
		tap_finish(host_priv);
		return 1;
	}
	/* What the store held before (A's pages, returned at its
	 * terminate), to see what writing B added. */
	kr = default_pager_info(pager, &info);
	fill(b, 2, 0, b_pages);
	if (kr == KERN_SUCCESS)
		kr = default_pager_info(pager, &after);
	held = info.dpi_free_space - after.dpi_free_space;
	tap_ok(kr == KERN_SUCCESS && after.dpi_free_space < info.dpi_free_space,
	       "after writing B the pager holds %lu KiB more, paged out",
	       (unsigned long)(held >> 10));
	tap_ok(bad_pages(b, 2, 0, b_pages) == 0,
	       "every page of B reads back its pattern");
	tap_ok(bad_pages(a1, 1, 0, A_PAGES - 1) == 0,
	       "every page of A still reads back its pattern");

	/* 6. What the pager says it holds. */
	kr = dp_snapshot(pager, &l, &in_use) ? KERN_SUCCESS : KERN_FAILURE;
	for (unsigned k = 0; kr == KERN_SUCCESS && k < l.n; k++) {
		if (l.port[k] == obj_a)
			id_a = l.id[k];
		if (l.port[k] == obj_b)
			id_b = l.id[k];
	}
	tap_ok(kr == KERN_SUCCESS && id_a != 0 && id_b != 0 && id_a != id_b &&
	           l.sum == in_use,
	       "default_pager_objects lists A and B; its sizes add up to the "
	       "store used (%lu KiB)",
	       (unsigned long)(l.sum >> 10));

	/* 7. Unmapped and released, A and B go, and their blocks. */
	kr = vm_deallocate(T, a1, A_PAGES * PAGE);
	if (kr == KERN_SUCCESS)
		kr = vm_deallocate(T, a2, A_PAGES * PAGE);
	if (kr == KERN_SUCCESS)
		kr = vm_deallocate(T, b, b_pages * PAGE);
	tap_kr(kr, "A's two mappings and B's unmapped");
	tap_kr(mach_port_deallocate(T, obj_a) | mach_port_deallocate(T, obj_b),
	       "our send rights to A and B released");
	gone = 0;
	for (i = 0; i < 200 && !gone; i++) {
		machr_sleep_ms(50);
		if (!dp_snapshot(pager, &l, &in_use))
			break;
		gone = 1;
		for (unsigned k = 0; k < l.n; k++)
			if (l.id[k] == id_a || l.id[k] == id_b)
				gone = 0;
	}
	tap_ok(gone, "the pager forgot A and B (no-senders)");
	tap_ok(gone && in_use == l.sum,
	       "their blocks are free again: %lu KiB used, all by other "
	       "objects",
	       (unsigned long)(in_use >> 10));
	tap_expect(default_pager_object_create(MACH_PORT_NULL, &bad, PAGE),
	           MACH_SEND_INVALID_DEST,
	           "a call on a null pager port fails to send");
	tap_finish(host_priv);
	return 0;
}
