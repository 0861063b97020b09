/*
 * bench/vm.c — the virtual memory metrics: a page allocated, touched and
 * freed (by RPC and by trap), the same untouched, 16 MiB allocated,
 * touched page by page and freed (three figures of one batch), and the
 * zero-fill fault alone (vm_zero_fill_fault_per_page: stores to pages
 * allocated beforehand, one per page).
 */
#include <stdio.h>

#include "machbench.h"

#define T machr_task

#define BIG_PAGES (16 * MIB / PAGE)

/*
 * How a page-metric batch allocates and frees, and what went wrong.
 * Owned by: the metric's caller (its stack).
 */
struct page_op {
	int touch;          /* one store to the page before freeing it */
	int traps;          /* syscall_vm_* traps instead of RPCs */
	kern_return_t last; /* the last failing return, or KERN_SUCCESS */
};

static unsigned op_page(void *ctx, unsigned n)
{
	struct page_op *p = ctx;
	unsigned bad = 0;

	for (unsigned i = 0; i < n; i++) {
		vm_address_t a = 0;
		kern_return_t kr = p->traps
		                       ? syscall_vm_allocate(T, &a, PAGE, TRUE)
		                       : vm_allocate(T, &a, PAGE, TRUE);

		if (kr == KERN_SUCCESS) {
			if (p->touch)
				*(volatile char *)a = 1;
			kr = p->traps ? syscall_vm_deallocate(T, a, PAGE)
			              : vm_deallocate(T, a, PAGE);
		}
		if (kr != KERN_SUCCESS) {
			bad++;
			p->last = kr;
		}
	}
	return bad;
}

static void page_metric(const char *name, int touch, int traps, unsigned n)
{
	struct page_op p = {.touch = touch, .traps = traps};
	struct bench_result r;
	unsigned bad;

	if (!bench_selected(name))
		return;
	bad = bench_batches(op_page, &p, bench_ops(n),
	                    bench_batch_count(BATCHES_DEFAULT), &r);
	bench_check(bad == 0, name, "%u calls failed, last %#x (%s)", bad,
	            p.last, bench_kr_name(p.last));
	bench_report(name, &r);
}

/* One store per page of [A, A + PAGES pages). */
static void touch_pages(vm_address_t a, unsigned long pages)
{
	for (unsigned long i = 0; i < pages; i++)
		*(volatile char *)(a + i * PAGE) = 1;
}

/* vm_16MiB_*: each batch is one allocation, its touches and its free. */
static void big_metrics(void)
{
	struct bench_result alloc, touch, dealloc;
	unsigned batches = bench_batch_count(BATCHES_16MIB);
	uint64_t first = 0;
	kern_return_t kr = KERN_SUCCESS;

	if (!bench_selected("vm_16MiB_touch_per_page") &&
	    !bench_selected("vm_16MiB_allocate_call") &&
	    !bench_selected("vm_16MiB_deallocate_per_page"))
		return;
	alloc.batches = touch.batches = dealloc.batches = batches;
	/* Batch -1 is the warm-up. */
	for (int b = -1; b < (int)batches && kr == KERN_SUCCESS; b++) {
		vm_address_t a = 0;
		uint64_t t0, t1, t2, t3;

		t0 = bench_tsc();
		kr = vm_allocate(T, &a, 16 * MIB, TRUE);
		t1 = bench_tsc();
		if (kr != KERN_SUCCESS)
			break;
		touch_pages(a, BIG_PAGES);
		t2 = bench_tsc();
		kr = vm_deallocate(T, a, 16 * MIB);
		t3 = bench_tsc();
		if (b < 0) {
			first = t1 - t0;
			continue;
		}
		alloc.mean[b] = bench_mean(t1 - t0, 1);
		touch.mean[b] = bench_mean(t2 - t1, BIG_PAGES);
		dealloc.mean[b] = bench_mean(t3 - t2, BIG_PAGES);
	}
	bench_check(kr == KERN_SUCCESS, "vm_16MiB",
	            "vm_allocate/vm_deallocate of 16 MiB: %#x (%s)", kr,
	            bench_kr_name(kr));
	/* The batches allocate where the previous one freed; the first
	 * call found fresh space (GNU Mach's differ by 1,000 times). */
	printf("# vm_16MiB_allocate_call: the first (warm-up) call took %lu "
	       "%s\n",
	       (unsigned long)first, bench_opts.unit);
	bench_report("vm_16MiB_touch_per_page", &touch);
	bench_report("vm_16MiB_allocate_call", &alloc);
	bench_report("vm_16MiB_deallocate_per_page", &dealloc);
}

/*
 * The zero-fill region of vm_zero_fill_fault_per_page: allocated once,
 * each batch touches the next untouched pages.
 * Owned by: zero_fill_metric (its stack).
 */
struct zero_fill {
	vm_address_t next; /* first page not touched yet */
	vm_address_t end;
};

static unsigned op_zero_fill(void *ctx, unsigned n)
{
	struct zero_fill *z = ctx;

	if (z->next + n * PAGE > z->end)
		return n; /* cannot happen: the region holds every batch */
	touch_pages(z->next, n);
	z->next += n * PAGE;
	return 0;
}

static void zero_fill_metric(void)
{
	const char *name = "vm_zero_fill_fault_per_page";
	unsigned n = bench_ops(256),
	         batches = bench_batch_count(BATCHES_DEFAULT);
	vm_size_t size = (vm_size_t)(batches + 1) * n * PAGE;
	struct zero_fill z;
	struct bench_result r;
	vm_address_t a = 0;
	kern_return_t kr;
	unsigned bad;

	if (!bench_selected(name))
		return;
	kr = vm_allocate(T, &a, size, TRUE);
	bench_check(kr == KERN_SUCCESS, name, "vm_allocate of %lu bytes: %#x",
	            (unsigned long)size, kr);
	z.next = a;
	z.end = a + size;
	bad = bench_batches(op_zero_fill, &z, n, batches, &r);
	kr = vm_deallocate(T, a, size);
	bench_check(bad == 0 && kr == KERN_SUCCESS, name,
	            "%u pages out of the region, vm_deallocate: %#x", bad, kr);
	bench_report(name, &r);
}

void bench_vm(void)
{
	page_metric("vm_alloc_touch_free_page", 1, 0, 200);
	page_metric("vm_alloc_free_page_notouch", 0, 0, 400);
	page_metric("vm_alloc_touch_free_page_traps", 1, 1, 200);
	big_metrics();
	zero_fill_metric();
}
