/*
 * tests/system/pager-modules/anon-paging.c — anonymous memory paged to
 * the default pager (servers/pager), booted after it by
 * tests/system/pager.sh.
 *
 * The program vm_allocates more memory than is free and fills it, so
 * that the kernel must give some of it to the default pager: it creates
 * a temporary object there (memory_object_create) and pages out to it
 * (memory_object_data_return).  Every page must read back its pattern
 * (paged in: memory_object_data_request), a child task that inherited a
 * copy must see the same and its writes must stay its own, and once the
 * memory is deallocated the kernel terminates the object and the pager
 * frees its blocks.
 */
#include <mach/default_pager.h>
#include <machr/runtime.h>
#include <machr/tap.h>
#include <stdio.h>
#include <string.h>

#include "dp-lib.h"

#define T           machr_task
#define PAGE        4096ul
#define CHILD_PAGES 16ul /* pages the child overwrites */

static mach_port_t pager;
static vm_address_t mem;
static uint64_t mem_pages;

/* What the child found: pages not holding the parent's pattern (before
 * its own writes) and not holding its own (after).
 * Owned by: the report page, shared with the child, which writes it
 * once (done last); the parent only reads. */
struct child_report {
	uint64_t done, bad_inherited, bad_own;
};
static vm_address_t report_page;

static uint64_t pattern(unsigned who, uint64_t page, unsigned word)
{
	return ((uint64_t)who << 56) ^ (page * 0x9e3779b97f4a7c15ull) ^
	       (word * 0x10001ull) ^ 1;
}

static void fill(unsigned who, uint64_t first, uint64_t pages)
{
	for (uint64_t p = first; p < first + pages; p++) {
		volatile uint64_t *w = (uint64_t *)(mem + p * PAGE);
		for (unsigned i = 0; i < PAGE / 8; i++)
			w[i] = pattern(who, p, i);
	}
}

static uint64_t bad_pages(unsigned who, uint64_t first, uint64_t pages)
{
	uint64_t bad = 0;

	for (uint64_t p = first; p < first + pages; p++) {
		volatile uint64_t *w = (uint64_t *)(mem + p * PAGE);
		for (unsigned i = 0; i < PAGE / 8; i++)
			if (w[i] != pattern(who, p, i)) {
				bad++;
				break;
			}
	}
	return bad;
}

/* The store's use (*USED) with the pager's objects at one moment: store
 * bytes of all (*SUM), how many (*COUNT), and the id and size of the one
 * holding the most.  Returns dp_snapshot's answer. */
static int snapshot(vm_size_t *used, vm_size_t *sum, vm_offset_t *id,
                    vm_size_t *size, unsigned *count)
{
	struct dp_listing l;

	*size = 0;
	*id = 0;
	if (!dp_snapshot(pager, &l, used))
		return 0;
	*sum = l.sum;
	*count = l.count;
	for (unsigned i = 0; i < l.n; i++)
		if (l.size[i] > *size) {
			*size = l.size[i];
			*id = l.id[i];
		}
	return 1;
}

static void child_main(void *arg)
{
	volatile struct child_report *r = (struct child_report *)report_page;

	(void)arg;
	r->bad_inherited = bad_pages(1, 0, mem_pages);
	fill(2, 0, CHILD_PAGES);
	r->bad_own = bad_pages(2, 0, CHILD_PAGES);
	r->done = 1;
}

int main(int argc, char **argv)
{
	mach_port_t host_priv, device_master, child = MACH_PORT_NULL, thread;
	default_pager_info_t info, after;
	vm_statistics_data_t vs = {0};
	vm_size_t sum, size, in_use = 0;
	vm_offset_t id, gone_id;
	volatile struct child_report *r;
	uint64_t store_pages;
	unsigned count;
	kern_return_t kr;
	int i, gone, ok;

	if (machr_boot_ports(argc, argv, &host_priv, &device_master) != 0 ||
	    machr_console_open(device_master) != KERN_SUCCESS)
		mach_print("anon-paging: no console\n");
	tap_plan(9);

	pager = MACH_PORT_NULL;
	for (i = 0; i < 200; i++) {
		mach_port_t current = MACH_PORT_NULL;
		kr = vm_set_default_memory_manager(host_priv, &current);
		if (kr != KERN_SUCCESS || MACH_PORT_VALID(current)) {
			pager = current;
			break;
		}
		machr_sleep_ms(50);
	}
	kr = kr == KERN_SUCCESS && MACH_PORT_VALID(pager)
	         ? default_pager_info(pager, &info)
	         : KERN_FAILURE;
	if (!tap_ok(kr == KERN_SUCCESS && info.dpi_page_size == PAGE,
	            "the default pager is there and answers "
	            "default_pager_info")) {
		tap_diag("kr %#x", kr);
		tap_finish(host_priv);
		return 1;
	}
	store_pages = info.dpi_total_space / PAGE;

	/* A page shared with the child for its report. */
	kr = vm_allocate(T, &report_page, PAGE, TRUE);
	if (kr == KERN_SUCCESS)
		kr = vm_inherit(T, report_page, PAGE, VM_INHERIT_SHARE);
	r = (struct child_report *)report_page;

	/* As in dp-objects.c: an eighth of the store past the free memory,
	 * at most what the store can hold. */
	if (kr == KERN_SUCCESS)
		kr = vm_statistics(T, &vs);
	mem_pages = kr == KERN_SUCCESS ? (uint64_t)vs.free_count : 0;
	mem_pages += store_pages / 8;
	if (mem_pages > store_pages - store_pages / 16)
		mem_pages = store_pages - store_pages / 16;
	if (kr == KERN_SUCCESS)
		kr = vm_allocate(T, &mem, mem_pages * PAGE, TRUE);
	if (!tap_ok(kr == KERN_SUCCESS, "vm_allocate of %lu pages (%lu free)",
	            (unsigned long)mem_pages, (unsigned long)vs.free_count)) {
		tap_diag("kr %#x", kr);
		tap_finish(host_priv);
		return 1;
	}
	fill(1, 0, mem_pages);
	kr = default_pager_info(pager, &after);
	tap_ok(kr == KERN_SUCCESS && after.dpi_free_space < info.dpi_free_space,
	       "after filling it the pager holds %lu KiB paged out",
	       (unsigned long)((info.dpi_free_space - after.dpi_free_space) >>
	                       10));
	ok = snapshot(&in_use, &sum, &id, &size, &count);
	tap_ok(ok && id != 0 && size > 0 && sum == in_use,
	       "the kernel made %u temporary object(s) at the pager "
	       "(memory_object_create); the largest holds %lu KiB",
	       count, (unsigned long)(size >> 10));
	gone_id = id;
	tap_ok(bad_pages(1, 0, mem_pages) == 0,
	       "every page reads back its pattern (paged in)");

	/* A child with a copy of everything, the report page shared. */
	kr = task_create(T, TRUE, &child);
	if (kr == KERN_SUCCESS)
		kr = machr_task_thread_start(child, child_main, NULL, &thread);
	for (i = 0; kr == KERN_SUCCESS && i < 1500 && !r->done; i++)
		machr_sleep_ms(20);
	tap_ok(kr == KERN_SUCCESS && r->done && r->bad_inherited == 0 &&
	           r->bad_own == 0,
	       "a child's inherited copy reads the same, and its own writes "
	       "read back (%lu, %lu bad pages)",
	       (unsigned long)r->bad_inherited, (unsigned long)r->bad_own);
	tap_ok(bad_pages(1, 0, mem_pages) == 0,
	       "the child's writes did not reach our copy");
	if (child != MACH_PORT_NULL) {
		(void)task_terminate(child);
		(void)mach_port_deallocate(T, child);
	}

	tap_kr(vm_deallocate(T, mem, mem_pages * PAGE), "memory deallocated");
	gone = 0;
	for (i = 0; i < 200 && !gone; i++) {
		machr_sleep_ms(50);
		ok = snapshot(&in_use, &sum, &id, &size, &count);
		gone = ok && id != gone_id;
	}
	tap_ok(gone && sum == in_use,
	       "the kernel terminated the object and the pager freed its "
	       "blocks (%lu KiB still used by %u other object(s))",
	       (unsigned long)(sum >> 10), count);
	tap_finish(host_priv);
	return 0;
}
