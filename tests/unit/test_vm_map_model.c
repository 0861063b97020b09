/*
 * Unit test of the address-space map (vm/map.c): random operations
 * checked, after each, against a page-array model of the map.
 */
#include "vm_map_harness.h"

/* ---- randomized against a page-array model ---- */

struct page_model {
	bool mapped;
	vm_prot_t prot, max;
	vm_inherit_t inh;
};

#define SPAN_PG (MAX_PG + 16) /* operations also reach beyond the map */
static struct page_model model[SPAN_PG];

static kern_return_t model_enter(vaddr_t *addr, uint64_t npg, vaddr_t mask,
                                 bool anywhere, struct page_model attr)
{
	uint64_t start = *addr / PG;

	if (anywhere) {
		if (start < MIN_PG)
			start = MIN_PG;
		for (;; start++) {
			bool free = true;

			if ((start * PG) & mask)
				continue;
			if (start + npg > MAX_PG)
				return KERN_NO_SPACE;
			for (uint64_t p = start; p < start + npg && free; p++)
				free = !model[p].mapped;
			if (free)
				break;
		}
	} else {
		if (start < MIN_PG || start + npg > MAX_PG)
			return KERN_INVALID_ADDRESS;
		for (uint64_t p = start; p < start + npg; p++)
			if (model[p].mapped)
				return KERN_NO_SPACE;
	}
	for (uint64_t p = start; p < start + npg; p++)
		model[p] = attr;
	*addr = start * PG;
	return KERN_SUCCESS;
}

/* Clip page range [*s, *e) to the map. */
static void model_clip(uint64_t *s, uint64_t *e)
{
	if (*s < MIN_PG)
		*s = MIN_PG;
	if (*e > MAX_PG)
		*e = MAX_PG;
}

static kern_return_t model_protect(uint64_t s, uint64_t e, bool set_max,
                                   vm_prot_t prot)
{
	model_clip(&s, &e);
	for (uint64_t p = s; p < e; p++) {
		if (!model[p].mapped)
			return KERN_INVALID_ADDRESS;
		if ((prot & model[p].max) != prot)
			return KERN_PROTECTION_FAILURE;
	}
	for (uint64_t p = s; p < e; p++) {
		if (set_max) {
			model[p].max = prot;
			model[p].prot &= prot;
		} else {
			model[p].prot = prot;
		}
	}
	return KERN_SUCCESS;
}

/* The map, walked region by region, equals the model page by page. */
static void compare_with_model(void)
{
	vaddr_t addr = 0;
	uint64_t p = 0;
	struct region r;

	assert_true(vm_map_check(map));
	for (;;) {
		r = region_at(addr);
		if (r.size == 0)
			break;
		for (; p < r.start / PG; p++)
			assert_false(model[p].mapped);
		for (; p < (r.start + r.size) / PG; p++) {
			assert_true(model[p].mapped);
			assert_int_equal(model[p].prot, r.prot);
			assert_int_equal(model[p].max, r.max);
			assert_int_equal(model[p].inh, r.inh);
		}
		addr = r.start + r.size;
	}
	for (; p < SPAN_PG; p++)
		assert_false(model[p].mapped);
}

static void test_random_operations_match_page_model(void **state)
{
	static const vm_prot_t prots[] = {VM_PROT_NONE, R, RW, ALL};
	unsigned max_entries = 0;

	(void)state;
	memset(model, 0, sizeof(model));
	srandom(12345);
	for (unsigned step = 0; step < 6000; step++) {
		uint64_t s = (uint64_t)random() % SPAN_PG;
		uint64_t n = 1 + (uint64_t)random() % 24;
		uint64_t e = s + n;
		unsigned op = (unsigned)random() % 6;
		vm_prot_t prot = prots[random() % 4];
		vm_inherit_t inh = (vm_inherit_t)(random() % 3);
		kern_return_t want, got;

		if (op <= 1) {
			bool anywhere = op == 1;
			vaddr_t mask = random() % 4 == 0 ? 4 * PG - 1 : 0;
			struct page_model attr = {
			    true, prot & prots[random() % 4], prot, inh};
			vaddr_t a = s * PG + (random() % 2), b = a;

			want = model_enter(&b, n, mask, anywhere, attr);
			got = vm_map_enter(map, &a, n * PG - (random() % 2),
			                   mask, anywhere, attr.prot, attr.max,
			                   attr.inh);
			assert_int_equal(got, want);
			if (got == KERN_SUCCESS)
				assert_int_equal(a, b);
		} else if (op == 2) {
			got = vm_map_remove(map, s * PG + 3, e * PG - 1);
			assert_int_equal(got, KERN_SUCCESS);
			model_clip(&s, &e);
			for (uint64_t p = s; p < e; p++)
				model[p].mapped = false;
		} else if (op == 3 || op == 4) {
			want = model_protect(s, e, op == 4, prot);
			got =
			    vm_map_protect(map, s * PG, e * PG, op == 4, prot);
			assert_int_equal(got, want);
		} else {
			got = vm_map_inherit(map, s * PG, e * PG, inh);
			assert_int_equal(got, KERN_SUCCESS);
			model_clip(&s, &e);
			for (uint64_t p = s; p < e; p++)
				model[p].inh = inh;
		}
		compare_with_model();
		if (map->nentries > max_entries)
			max_entries = map->nentries;
	}
	/* The run did build a many-entry tree. */
	assert_true(max_entries >= 20);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    MAP_TEST(test_random_operations_match_page_model),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
