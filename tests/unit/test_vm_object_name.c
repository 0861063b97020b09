/*
 * Unit tests of the name an object without a pager carries for
 * vm_region (vm_object.name, set by task/object_name_rpc.c): it is given
 * to the destroy hook with its object, and it moves to the object a
 * merged shadow goes into, so that collapsing changes no region's name.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "host_mem_harness.h"
#include "kern/slab.h"
#include "vm/object.h"

static struct port *destroyed[4]; /* the hook's calls, recorded */
static unsigned ndestroyed;
static char fake_port[2]; /* stand-ins: the hook never uses them */

static void record_destroy(struct vm_object *obj)
{
	if (ndestroyed < 4)
		destroyed[ndestroyed++] = obj->name;
}

static int setup(void **state)
{
	(void)state;
	if (host_mem_start() != 0)
		return -1;
	vm_object_init();
	memset(&vm_object_stats, 0, sizeof(vm_object_stats));
	ndestroyed = 0;
	vm_object_name_destroy = record_destroy;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	vm_object_name_destroy = NULL;
	host_mem_stop();
	return vm_object_stats.objects == 0 ? 0 : -1;
}

static void test_named_object_destroy_calls_hook(void **state)
{
	struct vm_object *a = vm_object_create(4096), *b = vm_object_create(0);

	(void)state;
	a->name = (struct port *)&fake_port[0];
	vm_object_release(b); /* no name: no call */
	assert_int_equal(ndestroyed, 0);
	vm_object_release(a);
	assert_int_equal(ndestroyed, 1);
	assert_ptr_equal(destroyed[0], &fake_port[0]);
}

static void test_name_moves_up_when_shadow_is_merged(void **state)
{
	struct vm_object *back = vm_object_create(4096), *top;

	(void)state;
	back->name = (struct port *)&fake_port[0];
	vm_object_reference(back); /* a copy-on-write sharer's */
	top = vm_object_shadow(back, 0, 4096);
	assert_non_null(top);
	vm_object_release(back); /* the sharer goes: BACK merges into TOP */
	assert_int_equal(vm_object_collapse(top) + vm_object_stats.objects, 1);
	assert_int_equal(ndestroyed, 0);
	assert_ptr_equal(top->name, &fake_port[0]);
	vm_object_release(top);
	assert_int_equal(ndestroyed, 1);
	assert_ptr_equal(destroyed[0], &fake_port[0]);
}

static void test_merged_name_goes_when_top_has_one(void **state)
{
	struct vm_object *back = vm_object_create(4096), *top;

	(void)state;
	back->name = (struct port *)&fake_port[0];
	vm_object_reference(back);
	top = vm_object_shadow(back, 0, 4096);
	assert_non_null(top);
	top->name = (struct port *)&fake_port[1];
	vm_object_release(back);
	(void)vm_object_collapse(top);
	assert_int_equal(ndestroyed, 1);
	assert_ptr_equal(destroyed[0], &fake_port[0]);
	assert_ptr_equal(top->name, &fake_port[1]);
	vm_object_release(top);
	assert_int_equal(ndestroyed, 2);
}

#define NAME_TEST(t) cmocka_unit_test_setup_teardown(t, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    NAME_TEST(test_named_object_destroy_calls_hook),
	    NAME_TEST(test_name_moves_up_when_shadow_is_merged),
	    NAME_TEST(test_merged_name_goes_when_top_has_one),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
