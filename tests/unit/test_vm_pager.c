/*
 * Unit tests of the VM side of pagers (vm/object.c, vm/fault.c,
 * vm/pager.h) with a fake pager that records what the kernel asks: a
 * fault on an object with a pager waits until it is ready, asks once per
 * page, waits on the absent page, maps a supplied page read-only until
 * written, asks to unlock what the pager withholds, reports a pager's
 * error once, fails on a dead pager; the default pager's objects
 * zero-fill pages they never paged out and ask for the ones they did;
 * pageout takes a page out of every map and back in on a fault; the
 * round robin over objects.  Over the host pmap and a real allocator;
 * every page and object comes back.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "host_mem_harness.h"
#include "kern/waitq.h"
#include "machine/pmap.h"
#include "vm/copy.h"
#include "vm/fault.h"
#include "vm/map.h"
#include "vm/object.h"
#include "vm/pager.h"

#define PG   ((uint64_t)PAGE_SIZE)
#define BASE ((vaddr_t)0x400000)

/* What the fake pager was asked. */
static struct {
	unsigned requests, unlocks, returns, terminates;
	uint64_t last_offset;
	vm_prot_t last_access;
	bool refuse_returns;
	bool supply_on_request; /* answer a request with a page at once */
} asked;

static void supply_filled(struct vm_object *obj, uint64_t offset,
                          vm_prot_t lock, uint8_t fill);

static void fake_request(struct vm_object *obj, uint64_t offset,
                         vm_prot_t access)
{
	asked.requests++;
	asked.last_offset = offset;
	asked.last_access = access;
	if (asked.supply_on_request) {
		supply_filled(obj, offset, VM_PROT_NONE,
		              (uint8_t)(0x40 + offset / PG));
		waitq_wake_all(&obj->pager->wq, WAITQ_AWAKENED);
	}
}

static void fake_unlock(struct vm_object *obj, uint64_t offset,
                        vm_prot_t access)
{
	(void)obj;
	asked.unlocks++;
	asked.last_offset = offset;
	asked.last_access = access;
}

static void fake_terminate(struct vm_object *obj)
{
	asked.terminates++;
	obj->pager = NULL;
}

static bool fake_return(struct vm_object *obj, uint64_t offset, const void *buf,
                        bool dirty)
{
	(void)obj;
	(void)buf;
	(void)dirty;
	asked.returns++;
	asked.last_offset = offset;
	return !asked.refuse_returns;
}

static const struct vm_pager_ops fake_ops = {fake_request, fake_unlock,
                                             fake_terminate, fake_return};
static struct vm_pager pager;

static int setup(void **state)
{
	(void)state;
	if (host_mem_start() != 0)
		return -1;
	vm_map_init();
	vm_object_init();
	vm_map_copy_init();
	memset(&vm_object_stats, 0, sizeof(vm_object_stats));
	memset(&asked, 0, sizeof(asked));
	memset(&pager, 0, sizeof(pager));
	pager.ops = &fake_ops;
	waitq_init(&pager.wq);
	return 0;
}

static int teardown(void **state)
{
	bool ok = vm_object_stats.objects == 0 && vm_object_stats.pages == 0;

	(void)state;
	if (!ok)
		print_error("%lu objects, %lu pages left\n",
		            (unsigned long)vm_object_stats.objects,
		            (unsigned long)vm_object_stats.pages);
	host_mem_stop();
	return ok ? 0 : -1;
}

/* An object of SIZE bytes served by the fake pager. */
static struct vm_object *paged_object(uint64_t size, bool internal)
{
	struct vm_object *obj = vm_object_create(size);

	assert_non_null(obj);
	pager.internal = internal;
	obj->pager = &pager;
	return obj;
}

/* What a fault callback saw. */
static struct {
	struct page *pg;
	enum vm_object_fault_how how;
	vm_prot_t withhold;
} seen;

static kern_return_t look(void *ctx, struct page *pg,
                          enum vm_object_fault_how how, vm_prot_t withhold)
{
	(void)ctx;
	seen.pg = pg;
	seen.how = how;
	seen.withhold = withhold;
	return KERN_SUCCESS;
}

/* One fault at OFFSET of OBJ; a wait is ended (its reference dropped)
 * without sleeping and its request answered by the fake pager. */
static kern_return_t fault(struct vm_object *obj, uint64_t offset, bool write,
                           int *ask)
{
	struct vm_object_wait wait = {0};
	kern_return_t kr;

	kr = vm_object_fault_page_apply(obj, offset, write, look, NULL, &wait);
	if (kr == VM_OBJECT_MUST_WAIT) {
		*ask = wait.ask;
		if (wait.ask == VM_ASK_DATA)
			obj->pager->ops->data_request(wait.object, wait.offset,
			                              wait.access);
		else if (wait.ask == VM_ASK_UNLOCK)
			obj->pager->ops->data_unlock(wait.object, wait.offset,
			                             wait.access);
		vm_object_wait_end(&wait, false);
	}
	return kr;
}

/* The pager supplies a page of FILL bytes at OFFSET of OBJ withholding
 * LOCK. */
static void supply_filled(struct vm_object *obj, uint64_t offset,
                          vm_prot_t lock, uint8_t fill)
{
	struct page *pg = page_alloc(0);
	struct vm_object_page *r;
	unsigned long f;

	assert_non_null(pg);
	memset(page_to_virt(pg), fill, PAGE_SIZE);
	f = spin_lock(&obj->lock);
	r = vm_object_record(obj, offset, true);
	assert_non_null(r);
	vm_object_record_fill(obj, r, pg);
	r->lock = (uint8_t)lock;
	r->dirty = false;
	spin_unlock(&obj->lock, f);
}

/* The pager supplies a zeroed page at OFFSET of OBJ withholding LOCK. */
static void supply(struct vm_object *obj, uint64_t offset, vm_prot_t lock)
{
	supply_filled(obj, offset, lock, 0);
}

/* What the pager's calls do to the record at OFFSET of OBJ: set its
 * STATE and LOCK (and ERROR). */
static void set_record(struct vm_object *obj, uint64_t offset, uint8_t state,
                       vm_prot_t lock, kern_return_t error)
{
	unsigned long f = spin_lock(&obj->lock);
	struct vm_object_page *r = vm_object_record(obj, offset, false);

	assert_non_null(r);
	vm_object_record_set_state(obj, r, state);
	r->lock = (uint8_t)lock;
	r->error = error;
	spin_unlock(&obj->lock, f);
}

static void test_fault_waits_for_ready_then_asks_once(void **state)
{
	struct vm_object *obj = paged_object(4 * PG, false);
	int ask = -1;

	(void)state;
	assert_int_equal(fault(obj, PG, false, &ask), VM_OBJECT_MUST_WAIT);
	assert_int_equal(ask, VM_ASK_NOTHING);
	assert_int_equal(asked.requests, 0);
	pager.ready = true;
	assert_int_equal(fault(obj, PG, false, &ask), VM_OBJECT_MUST_WAIT);
	assert_int_equal(ask, VM_ASK_DATA);
	assert_int_equal(asked.last_offset, PG);
	assert_int_equal(asked.last_access, VM_PROT_READ);
	/* The page is asked for: a second fault waits without asking. */
	assert_int_equal(fault(obj, PG, true, &ask), VM_OBJECT_MUST_WAIT);
	assert_int_equal(ask, VM_ASK_NOTHING);
	assert_int_equal(asked.requests, 1);
	/* Supplied: mapped without write until written, then dirty. */
	supply(obj, PG, VM_PROT_NONE);
	assert_int_equal(fault(obj, PG, false, &ask), KERN_SUCCESS);
	assert_int_equal(seen.how, VM_OBJECT_PAGE_OWN);
	assert_int_equal(seen.withhold, VM_PROT_WRITE);
	assert_int_equal(fault(obj, PG, true, &ask), KERN_SUCCESS);
	assert_int_equal(seen.withhold, VM_PROT_NONE);
	assert_true(vm_object_check(obj));
	/* A write fault asks for READ|WRITE, or WRITE alone to overwrite. */
	assert_int_equal(fault(obj, 2 * PG, true, &ask), VM_OBJECT_MUST_WAIT);
	assert_int_equal(asked.last_access, VM_PROT_READ | VM_PROT_WRITE);
	{
		struct vm_object_wait wait = {.overwrite = true};

		assert_int_equal(vm_object_fault_page_apply(obj, 3 * PG, true,
		                                            look, NULL, &wait),
		                 VM_OBJECT_MUST_WAIT);
		assert_int_equal(wait.access, VM_PROT_WRITE);
		vm_object_wait_end(&wait, false);
	}
	vm_object_release(obj);
	assert_int_equal(asked.terminates, 1);
}

static void test_locked_page_asks_unlock_once(void **state)
{
	struct vm_object *obj = paged_object(2 * PG, false);
	int ask = -1;

	(void)state;
	pager.ready = true;
	supply(obj, 0, VM_PROT_WRITE);
	assert_int_equal(fault(obj, 0, false, &ask), KERN_SUCCESS);
	assert_int_equal(seen.withhold, VM_PROT_WRITE);
	assert_int_equal(fault(obj, 0, true, &ask), VM_OBJECT_MUST_WAIT);
	assert_int_equal(ask, VM_ASK_UNLOCK);
	assert_int_equal(asked.last_access, VM_PROT_READ | VM_PROT_WRITE);
	assert_int_equal(fault(obj, 0, true, &ask), VM_OBJECT_MUST_WAIT);
	assert_int_equal(ask, VM_ASK_NOTHING);
	assert_int_equal(asked.unlocks, 1);
	/* The pager lifts the lock: the write goes through. */
	set_record(obj, 0, VM_PAGE_RESIDENT, VM_PROT_NONE, KERN_SUCCESS);
	assert_int_equal(fault(obj, 0, true, &ask), KERN_SUCCESS);
	/* Everything withheld: a read asks for READ. */
	set_record(obj, 0, VM_PAGE_RESIDENT, VM_PROT_ALL, KERN_SUCCESS);
	assert_int_equal(fault(obj, 0, false, &ask), VM_OBJECT_MUST_WAIT);
	assert_int_equal(asked.last_access, VM_PROT_READ);
	vm_object_release(obj);
}

static void test_error_once_and_dead_pager(void **state)
{
	struct vm_object *obj = paged_object(2 * PG, false);
	int ask = -1;

	(void)state;
	pager.ready = true;
	assert_int_equal(fault(obj, 0, false, &ask), VM_OBJECT_MUST_WAIT);
	set_record(obj, 0, VM_PAGE_ERROR, VM_PROT_NONE, KERN_FAILURE);
	assert_int_equal(fault(obj, 0, false, &ask), KERN_MEMORY_ERROR);
	/* Reported once: the next fault asks again. */
	assert_int_equal(fault(obj, 0, false, &ask), VM_OBJECT_MUST_WAIT);
	assert_int_equal(asked.requests, 2);
	/* A dead pager: absent and missing pages are errors. */
	pager.dead = true;
	assert_int_equal(fault(obj, 0, false, &ask), KERN_MEMORY_ERROR);
	assert_int_equal(fault(obj, PG, false, &ask), KERN_MEMORY_ERROR);
	vm_object_release(obj);
}

/* A task's view: a map over a host pmap mapping OBJ at BASE. */
struct as {
	struct pmap *pmap;
	struct vm_map *map;
};

static struct as map_object(struct vm_object *obj, uint64_t size)
{
	struct as a;
	vaddr_t at = BASE;

	a.pmap = pmap_create();
	a.map = vm_user_map_create(a.pmap);
	assert_non_null(a.map);
	assert_int_equal(vm_map_enter_object(a.map, &at, size, 0, false, obj, 0,
	                                     false, VM_PROT_DEFAULT,
	                                     VM_PROT_ALL, VM_INHERIT_COPY),
	                 KERN_SUCCESS);
	return a;
}

static void as_destroy(struct as *a)
{
	vm_map_destroy(a->map);
	pmap_destroy(a->pmap);
}

static bool present(struct as *a, vaddr_t va)
{
	paddr_t pa;

	return pmap_extract(a->pmap, va, &pa);
}

/* vm_object_rotate's test for the default pager's objects. */
static bool any_resident(struct vm_object *obj, void *arg)
{
	(void)arg;
	return obj->resident > 0;
}

static void test_default_pager_pageout_and_back(void **state)
{
	struct vm_object *obj = paged_object(4 * PG, true);
	struct as a = map_object(obj, 4 * PG);
	static char buf[PAGE_SIZE];
	uint64_t off;
	bool dirty, give;
	int ask = -1;

	(void)state;
	pager.ready = true;
	/* Never paged out: zero-filled here without asking. */
	assert_int_equal(vm_fault(a.map, a.pmap, BASE + PG, VM_PROT_WRITE),
	                 KERN_SUCCESS);
	assert_int_equal(asked.requests, 0);
	assert_true(present(&a, BASE + PG));
	/* The round robin finds it; pageout takes it out of the map. */
	{
		struct vm_object *o = vm_object_rotate(any_resident, NULL);

		assert_ptr_equal(o, obj);
		vm_object_release(o);
	}
	assert_true(vm_object_pageout_pick(obj, buf, &off, &dirty, &give));
	assert_int_equal(off, PG);
	assert_true(dirty && give);
	assert_false(present(&a, BASE + PG));
	/* Not sent: the page stays. */
	vm_object_pageout_done(obj, off, false);
	assert_int_equal(vm_object_stats.pages, 1);
	assert_true(vm_object_pageout_pick(obj, buf, &off, &dirty, &give) ||
	            vm_object_pageout_pick(obj, buf, &off, &dirty, &give));
	vm_object_pageout_done(obj, off, true);
	assert_int_equal(vm_object_stats.pages, 0);
	assert_false(vm_object_pageout_pick(obj, buf, &off, &dirty, &give));
	/* Paged out: a fault asks the pager for it. */
	assert_int_equal(fault(obj, PG, false, &ask), VM_OBJECT_MUST_WAIT);
	assert_int_equal(ask, VM_ASK_DATA);
	assert_int_equal(asked.last_offset, PG);
	supply(obj, PG, VM_PROT_NONE);
	assert_int_equal(vm_fault(a.map, a.pmap, BASE + PG, VM_PROT_READ),
	                 KERN_SUCCESS);
	assert_true(vm_object_check(obj));
	as_destroy(&a);
	assert_int_equal(asked.terminates, 1);
}

static void test_fault_object_range_reads_resident_pages(void **state)
{
	struct vm_object *obj = paged_object(2 * PG, false);

	(void)state;
	pager.ready = true;
	supply(obj, 0, VM_PROT_NONE);
	supply(obj, PG, VM_PROT_NONE);
	assert_int_equal(vm_fault_object_range(obj, 0, 2 * PG), KERN_SUCCESS);
	pager.dead = true;
	assert_int_equal(vm_fault_object_range(obj, 0, 3 * PG),
	                 KERN_INVALID_ARGUMENT);
	vm_object_release(obj);
}

/* At most VM_OBJECT_ABSENT_MAX pages of an object are asked of its pager
 * at once: a fault beyond waits without asking until an answer comes. */
static void test_requests_bounded_per_object(void **state)
{
	const uint64_t n = VM_OBJECT_ABSENT_MAX;
	struct vm_object *obj = paged_object((n + 2) * PG, false);
	int ask = -1;

	(void)state;
	pager.ready = true;
	for (uint64_t i = 0; i < n; i++) {
		assert_int_equal(fault(obj, i * PG, false, &ask),
		                 VM_OBJECT_MUST_WAIT);
		assert_int_equal(ask, VM_ASK_DATA);
	}
	assert_int_equal(asked.requests, n);
	assert_int_equal(obj->absent, n);
	/* The next page waits unasked, however often it is tried. */
	for (int tries = 0; tries < 3; tries++) {
		assert_int_equal(fault(obj, n * PG, false, &ask),
		                 VM_OBJECT_MUST_WAIT);
		assert_int_equal(ask, VM_ASK_NOTHING);
	}
	assert_int_equal(asked.requests, n);
	assert_true(vm_object_check(obj));
	/* One answer makes room for one more request. */
	supply(obj, 0, VM_PROT_NONE);
	assert_int_equal(obj->absent, n - 1);
	assert_int_equal(fault(obj, n * PG, false, &ask), VM_OBJECT_MUST_WAIT);
	assert_int_equal(ask, VM_ASK_DATA);
	assert_int_equal(fault(obj, (n + 1) * PG, false, &ask),
	                 VM_OBJECT_MUST_WAIT);
	assert_int_equal(ask, VM_ASK_NOTHING);
	assert_int_equal(asked.requests, n + 1);
	assert_true(vm_object_check(obj));
	pager.dead = true;
	vm_object_release(obj);
}

/* A virtual copy in transit whose pages are still with the pager (paged
 * out, say) is read by faulting them in, not as zeros; a dead pager's
 * page is an error. */
static void test_copy_read_faults_pages_in(void **state)
{
	struct vm_object *obj = paged_object(2 * PG, false);
	struct vm_map_copy *copy = vm_map_copy_new(PG, 100);
	static uint8_t buf[PAGE_SIZE];

	(void)state;
	pager.ready = true;
	asked.supply_on_request = true;
	assert_non_null(copy);
	assert_int_equal(vm_map_copy_add(copy, obj, 0, 2 * PG), KERN_SUCCESS);
	assert_int_equal(vm_map_copy_read(copy, 0, buf, PG), KERN_SUCCESS);
	assert_int_equal(asked.requests, 2);
	assert_int_equal(buf[0], 0x40);
	assert_int_equal(buf[PG - 101], 0x40);
	assert_int_equal(buf[PG - 100], 0x41);
	assert_int_equal(buf[PG - 1], 0x41);
	/* Resident now: read again without asking. */
	assert_int_equal(vm_map_copy_read(copy, 10, buf, 20), KERN_SUCCESS);
	assert_int_equal(asked.requests, 2);
	vm_map_copy_discard(copy);

	obj = paged_object(PG, false);
	copy = vm_map_copy_new(PG, 0);
	assert_non_null(copy);
	assert_int_equal(vm_map_copy_add(copy, obj, 0, PG), KERN_SUCCESS);
	pager.dead = true;
	assert_int_equal(vm_map_copy_read(copy, 0, buf, 8), KERN_MEMORY_ERROR);
	vm_map_copy_discard(copy);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(
	        test_fault_waits_for_ready_then_asks_once, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_locked_page_asks_unlock_once,
	                                    setup, teardown),
	    cmocka_unit_test_setup_teardown(test_error_once_and_dead_pager,
	                                    setup, teardown),
	    cmocka_unit_test_setup_teardown(test_default_pager_pageout_and_back,
	                                    setup, teardown),
	    cmocka_unit_test_setup_teardown(
	        test_fault_object_range_reads_resident_pages, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_copy_read_faults_pages_in,
	                                    setup, teardown),
	    cmocka_unit_test_setup_teardown(test_requests_bounded_per_object,
	                                    setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
