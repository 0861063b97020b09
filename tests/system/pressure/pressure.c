/*
 * tests/system/pressure/pressure.c — the memory-pressure run of issue 6:
 * a task touches more anonymous memory than the machine has (argument:
 * MiB, 160 by default, on a 64 MiB machine) with the default pager
 * (servers/pager) paging to the disk vd0, then checks every page, twice
 * in a different order, and reports what the kernel paged out and in
 * (vm_statistics) and how long it took.  Booted by
 * tests/system/machr-pressure.sh after the pager; Mach_R only (GNU Mach
 * has no disk the pager could page to here: docs/ABI.md).
 */
#include <machr/runtime.h>
#include <machr/tap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define T    machr_task
#define PAGE 4096ul

/* The word at WORD of page P for pass PASS. */
static uint64_t pattern(uint64_t p, unsigned word, unsigned pass)
{
	return (p * 0x9e3779b97f4a7c15ull) ^ ((uint64_t)word << 40) ^
	       ((uint64_t)pass << 60);
}

/* Pages of [BASE, BASE + PAGES pages) whose first and last words are
 * not PASS's pattern, visiting them with STEP (odd: every page once). */
static uint64_t bad_pages(vm_address_t base, uint64_t pages, unsigned pass,
                          uint64_t step)
{
	uint64_t bad = 0, p = 0;

	for (uint64_t i = 0; i < pages; i++, p = (p + step) % pages) {
		volatile uint64_t *w = (volatile uint64_t *)(base + p * PAGE);

		if (w[0] != pattern(p, 0, pass) ||
		    w[PAGE / 8 - 1] != pattern(p, PAGE / 8 - 1, pass))
			bad++;
	}
	return bad;
}

static uint64_t now_ms(mach_port_t host)
{
	time_value_t tv = {0, 0};

	(void)host_get_time(host, &tv);
	return (uint64_t)tv.seconds * 1000 + (uint64_t)tv.microseconds / 1000;
}

int main(int argc, char **argv)
{
	mach_port_t host_priv, device_master, host = mach_host_self(),
	                                      pager = MACH_PORT_NULL;
	vm_statistics_data_t before = {0}, after = {0};
	uint64_t mib = 160, pages, t0, t_fill, t_check, bad;
	vm_address_t base = 0;
	kern_return_t kr = KERN_FAILURE;

	if (machr_boot_ports(argc, argv, &host_priv, &device_master) != 0 ||
	    machr_console_open(device_master) != KERN_SUCCESS)
		mach_print("pressure: no console\n");
	if (argc > 3 && argv[3][0] >= '1' && argv[3][0] <= '9')
		mib = strtoul(argv[3], NULL, 10);
	pages = mib * (1024 * 1024 / PAGE);
	tap_plan(6);

	/* The pager registers itself at start: wait for it. */
	for (int i = 0; i < 200; i++) {
		kr = vm_set_default_memory_manager(host_priv, &pager);
		if (kr != KERN_SUCCESS || MACH_PORT_VALID(pager))
			break;
		machr_sleep_ms(50);
	}
	tap_ok(kr == KERN_SUCCESS && MACH_PORT_VALID(pager),
	       "the default pager is registered");
	(void)vm_statistics(T, &before);
	kr = vm_allocate(T, &base, pages * PAGE, TRUE);
	tap_ok(kr == KERN_SUCCESS,
	       "vm_allocate of %lu MiB on a machine with %lu MiB free",
	       (unsigned long)mib,
	       (unsigned long)(before.free_count * PAGE >> 20));
	if (kr != KERN_SUCCESS) {
		tap_finish(host_priv);
		return 1;
	}

	t0 = now_ms(host);
	for (uint64_t p = 0; p < pages; p++) {
		volatile uint64_t *w = (volatile uint64_t *)(base + p * PAGE);

		w[0] = pattern(p, 0, 1);
		w[PAGE / 8 - 1] = pattern(p, PAGE / 8 - 1, 1);
	}
	t_fill = now_ms(host) - t0;
	tap_ok(1, "touched %lu pages in %lu ms", (unsigned long)pages,
	       (unsigned long)t_fill);

	t0 = now_ms(host);
	bad = bad_pages(base, pages, 1, 1);
	tap_ok(bad == 0, "every page holds its data, in order (%lu bad)",
	       (unsigned long)bad);
	bad = bad_pages(base, pages, 1, 7919);
	tap_ok(bad == 0, "and out of order (%lu bad)", (unsigned long)bad);
	t_check = now_ms(host) - t0;
	(void)vm_statistics(T, &after);
	tap_ok(after.pageouts > before.pageouts &&
	           after.pageins > before.pageins,
	       "paged out %lu pages, paged in %lu; checked in %lu ms",
	       (unsigned long)(after.pageouts - before.pageouts),
	       (unsigned long)(after.pageins - before.pageins),
	       (unsigned long)t_check);
	(void)vm_deallocate(T, base, pages * PAGE);
	tap_finish(host_priv);
	return 0;
}
