/*
 * Self-tests of the x86_64 pmap (pmap.c): a page entered at a user
 * address is reachable through it once the pmap is active, protection
 * and removal show up as page faults with the right error codes, and
 * destroying the pmap gives every page-table page back.  Listed in
 * machine_selftests[].  The kernel touches the user page directly: CR0.WP
 * makes read-only user pages read-only for the kernel too, and SMAP is
 * left off (stac/clac are used if it is ever on).
 */
#include "kern/page_alloc.h"
#include "kern/selftest.h"
#include "machine/copyio.h"
#include "machine/cpu.h"
#include "machine/io.h"
#include "machine/pmap.h"
#include "machine/trap_catch.h"
#include "x86.h"

/*
 * Every pmap test starts the same way: one page frame and a new pmap.
 * Returns 1 with both, or 0 after recording a failure (and freeing
 * whichever of the two it did get) when memory is short.
 */
static int test_setup(struct selftest_ctx *ctx, void **frame,
                      struct pmap **pmap)
{
	*frame = page_alloc_va(0);
	*pmap = pmap_create();
	if (*frame && *pmap)
		return 1;
	if (*frame)
		page_free_va(*frame, 0);
	if (*pmap)
		pmap_destroy(*pmap);
	selftest_check(ctx, 0, "out of memory");
	return 0;
}

void selftest_pmap_access(struct selftest_ctx *ctx);
void selftest_pmap_remove_frees_tables(struct selftest_ctx *ctx);
void selftest_pmap_nx(struct selftest_ctx *ctx);

/* PF error code bits (Intel SDM vol. 3, 4.7) */
#define PF_P     0x01
#define PF_W     0x02
#define PF_U     0x04
#define PF_FETCH 0x10

#define TEST_VA 0x0000000040000000UL /* 1 GiB: an arbitrary user address */

static void user_access_begin(void)
{
	if (read_cr4() & CR4_SMAP)
		__asm__ volatile("stac" : : : "memory");
}

static void user_access_end(void)
{
	if (read_cr4() & CR4_SMAP)
		__asm__ volatile("clac" : : : "memory");
}

static int write_caught(vaddr_t va, uint64_t v, struct trap_catch *c)
{
	if (trap_catch_begin(c) == 0) {
		*(volatile uint64_t *)va = v;
		trap_catch_end(c);
		return -1;
	}
	return (int)c->vector;
}

static int read_caught(vaddr_t va, uint64_t *v, struct trap_catch *c)
{
	if (trap_catch_begin(c) == 0) {
		*v = *(volatile uint64_t *)va;
		trap_catch_end(c);
		return -1;
	}
	return (int)c->vector;
}

static int call_caught(vaddr_t va, struct trap_catch *c)
{
	if (trap_catch_begin(c) == 0) {
		((void (*)(void))va)();
		trap_catch_end(c);
		return -1;
	}
	return (int)c->vector;
}

/* Write V at VA under a catch; return -1, or the vector caught. */
static int try_write(vaddr_t va, uint64_t v, struct trap_catch *c)
{
	int r;

	user_access_begin();
	r = write_caught(va, v, c);
	user_access_end();
	return r;
}

/* Read VA into *V under a catch; return -1, or the vector caught. */
static int try_read(vaddr_t va, uint64_t *v, struct trap_catch *c)
{
	int r;

	user_access_begin();
	r = read_caught(va, v, c);
	user_access_end();
	return r;
}

static void check_fault(struct selftest_ctx *ctx, const char *what, int v,
                        const struct trap_catch *c, vaddr_t va, uint64_t error)
{
	selftest_check(ctx, v == 14, "%s: caught vector %d, expected 14", what,
	               v);
	selftest_check(ctx, v != 14 || c->addr == va, "%s: cr2 %#llx", what,
	               (unsigned long long)c->addr);
	selftest_check(ctx, v != 14 || (c->error & 0x1f) == error,
	               "%s: error code %#llx, expected %#llx", what,
	               (unsigned long long)c->error, (unsigned long long)error);
}

/* Create and destroy one pmap, so that the pmap slab cache holds a slab
 * before a test takes its page_alloc baseline. */
static void warm_pmap_cache(void)
{
	struct pmap *p = pmap_create();

	if (p)
		pmap_destroy(p);
}

void selftest_pmap_access(struct selftest_ctx *ctx)
{
	struct page_alloc_stats before, after;
	struct pmap_stats ps;
	struct trap_catch c;
	struct pmap *pmap;
	uint64_t *frame, v = 0, copied = 0;
	paddr_t pa, got = 0;
	int r;

	selftest_check(ctx, read_cr0() & CR0_WP, "CR0.WP is clear");
	warm_pmap_cache();
	page_alloc_get_stats(&before);
	if (!test_setup(ctx, (void **)&frame, &pmap))
		return;
	pa = virt_to_phys(frame);
	frame[0] = 0x1111;

	r = pmap_enter(pmap, TEST_VA, pa, VM_PROT_READ | VM_PROT_WRITE,
	               PMAP_WIRED);
	selftest_check(ctx, r == KERN_SUCCESS, "pmap_enter returned %d", r);
	pmap_get_stats(pmap, &ps);
	selftest_check(
	    ctx, ps.resident == 1 && ps.wired == 1, "resident %llu wired %llu",
	    (unsigned long long)ps.resident, (unsigned long long)ps.wired);
	selftest_check(ctx, ps.tables == 4, "%llu page-table pages, expected 4",
	               (unsigned long long)ps.tables);
	selftest_check(ctx,
	               pmap_extract(pmap, TEST_VA + 8, &got) && got == pa + 8,
	               "extract gave %#llx, expected %#llx",
	               (unsigned long long)got, (unsigned long long)pa + 8);
	selftest_check(ctx, !pmap_extract(pmap, TEST_VA + PAGE_SIZE, &got),
	               "extract of an unmapped page succeeded");

	/* Before activation the user address still faults (kernel pmap). */
	r = try_read(TEST_VA, &v, &c);
	check_fault(ctx, "read before activate", r, &c, TEST_VA, 0);

	pmap_activate(pmap);
	selftest_check(ctx, read_cr3() != virt_to_phys(kmap_pml4()),
	               "CR3 is still the kernel's after pmap_activate");
	r = try_read(TEST_VA, &v, &c);
	selftest_check(ctx, r == -1 && v == 0x1111,
	               "read through the user address: vector %d value %#llx",
	               r, (unsigned long long)v);
	r = try_write(TEST_VA + 16, 0x2222, &c);
	selftest_check(ctx, r == -1 && frame[2] == 0x2222,
	               "write through the user address: vector %d", r);
	selftest_check(ctx,
	               copyin((void *)(TEST_VA + 16), &copied, 8) == 0 &&
	                   copied == 0x2222,
	               "copyin from the mapped page");

	/* Read-only: a kernel write faults (CR0.WP) on a present page. */
	pmap_protect(pmap, TEST_VA, TEST_VA + PAGE_SIZE, VM_PROT_READ);
	r = try_write(TEST_VA, 0x3333, &c);
	check_fault(ctx, "write to a read-only page", r, &c, TEST_VA,
	            PF_P | PF_W);
	selftest_check(ctx, frame[0] == 0x1111, "the write went through");
	r = try_read(TEST_VA, &v, &c);
	selftest_check(ctx, r == -1, "read of a read-only page: vector %d", r);

	/* Removed: a read faults on a non-present page. */
	pmap_remove(pmap, TEST_VA, TEST_VA + PAGE_SIZE);
	r = try_read(TEST_VA, &v, &c);
	check_fault(ctx, "read after remove", r, &c, TEST_VA, 0);
	selftest_check(ctx, !pmap_extract(pmap, TEST_VA, &got),
	               "extract after remove succeeded");
	pmap_get_stats(pmap, &ps);
	selftest_check(ctx, ps.resident == 0 && ps.wired == 0,
	               "after remove: resident %llu wired %llu",
	               (unsigned long long)ps.resident,
	               (unsigned long long)ps.wired);
	selftest_check(ctx, ps.tables == 1,
	               "after remove: %llu page-table pages, expected 1",
	               (unsigned long long)ps.tables);

	pmap_activate(NULL);
	selftest_check(ctx, read_cr3() == virt_to_phys(kmap_pml4()),
	               "CR3 is not the kernel's after activating NULL");
	pmap_destroy(pmap);
	page_free_va(frame, 0);
	page_alloc_get_stats(&after);
	selftest_check(ctx, after.free_pages == before.free_pages,
	               "free pages %llu, expected %llu",
	               (unsigned long long)after.free_pages,
	               (unsigned long long)before.free_pages);
	selftest_check(ctx, intr_enabled(), "interrupts off after the test");
}

/* Pages spread over two page tables, two page directories and two PDPTs
 * (a 512 GiB boundary): a remove of the whole span frees every table
 * below the top one, and protect skips the holes. */
void selftest_pmap_remove_frees_tables(struct selftest_ctx *ctx)
{
	static const vaddr_t vas[] = {
	    0x1000UL,                  /* lowest mappable page */
	    0x200000UL,                /* next page table */
	    0x40000000UL,              /* next page directory */
	    0x8000000000UL,            /* next PDPT (512 GiB) */
	    PMAP_USER_MAX - PAGE_SIZE, /* the last user page */
	};
	struct page_alloc_stats before, after;
	struct pmap_stats ps;
	struct pmap *pmap;
	uint64_t *frame;
	paddr_t pa, got;
	int ok = 1;

	warm_pmap_cache();
	page_alloc_get_stats(&before);
	if (!test_setup(ctx, (void **)&frame, &pmap))
		return;
	pa = virt_to_phys(frame);
	for (unsigned i = 0; i < ARRAY_SIZE(vas); i++)
		ok &= pmap_enter(pmap, vas[i], pa, VM_PROT_ALL, 0) ==
		      KERN_SUCCESS;
	/* Entering the same page again replaces it, not adds to it. */
	ok &= pmap_enter(pmap, vas[0], pa, VM_PROT_READ, PMAP_WIRED) ==
	      KERN_SUCCESS;
	selftest_check(ctx, ok, "pmap_enter failed");
	pmap_get_stats(pmap, &ps);
	selftest_check(ctx, ps.resident == ARRAY_SIZE(vas) && ps.wired == 1,
	               "resident %llu wired %llu",
	               (unsigned long long)ps.resident,
	               (unsigned long long)ps.wired);
	/* top + PDPT{0, 1, 255} + PD{0/0, 0/1, 1/0, 255/511} + PT{5} */
	selftest_check(ctx, ps.tables == 13,
	               "%llu page-table pages, expected 13",
	               (unsigned long long)ps.tables);

	pmap_protect(pmap, 0, PMAP_USER_MAX, VM_PROT_READ);
	selftest_check(ctx,
	               pmap_extract(pmap, vas[3] + 5, &got) && got == pa + 5,
	               "extract after protect");

	pmap_remove(pmap, 0x200000UL, PMAP_USER_MAX);
	pmap_get_stats(pmap, &ps);
	selftest_check(ctx, ps.resident == 1 && ps.wired == 1,
	               "partial remove: resident %llu wired %llu",
	               (unsigned long long)ps.resident,
	               (unsigned long long)ps.wired);
	selftest_check(ctx, ps.tables == 4,
	               "partial remove: %llu page-table pages, expected 4",
	               (unsigned long long)ps.tables);
	selftest_check(ctx, pmap_extract(pmap, vas[0], &got) && got == pa,
	               "the page below the removed range is gone");

	/* Destroy with a page still mapped frees the rest. */
	pmap_destroy(pmap);
	page_free_va(frame, 0);
	page_alloc_get_stats(&after);
	selftest_check(ctx, after.free_pages == before.free_pages,
	               "free pages %llu, expected %llu",
	               (unsigned long long)after.free_pages,
	               (unsigned long long)before.free_pages);
}

/* A page entered without VM_PROT_EXECUTE cannot be executed (NX), one
 * entered with it can.  Skipped without NX, or with SMEP on (the kernel
 * could not run user pages at all). */
void selftest_pmap_nx(struct selftest_ctx *ctx)
{
	struct trap_catch c;
	struct pmap *pmap;
	uint8_t *frame;
	int r;

	if (!cpu_features.has_nx || (read_cr4() & CR4_SMEP)) {
		selftest_check(ctx, 1, "skipped: no NX, or SMEP on");
		return;
	}
	if (!test_setup(ctx, (void **)&frame, &pmap))
		return;
	frame[0] = 0xc3; /* ret */
	pmap_enter(pmap, TEST_VA, virt_to_phys(frame), VM_PROT_ALL, 0);
	pmap_activate(pmap);
	r = call_caught(TEST_VA, &c);
	selftest_check(ctx, r == -1, "executable page: caught vector %d", r);

	pmap_protect(pmap, TEST_VA, TEST_VA + PAGE_SIZE,
	             VM_PROT_READ | VM_PROT_WRITE);
	r = call_caught(TEST_VA, &c);
	check_fault(ctx, "fetch from a non-executable page", r, &c, TEST_VA,
	            PF_P | PF_FETCH);
	pmap_activate(NULL);
	pmap_destroy(pmap);
	page_free_va(frame, 0);
}
