/*
 * Unit tests of the boot memory map (kern/memmap.c): firmware maps with
 * overlaps, holes, unaligned and absurd entries must come out as sorted,
 * page-aligned usable RAM that excludes everything reserved.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "kern/memmap.h"
#include "machine/memlayout.h"

#define KiB 1024ULL
#define MiB (1024 * KiB)
#define PG  PAGE_SIZE

struct span {
	paddr_t base, end;
};

/* Check that MAP's usable table is exactly the N spans of WANT. */
static void assert_usable(const struct memmap *map, const struct span *want,
                          unsigned n)
{
	unsigned i;

	assert_int_equal(map->nusable, n);
	for (i = 0; i < n; i++) {
		assert_int_equal(map->usable[i].base, want[i].base);
		assert_int_equal(map->usable[i].end, want[i].end);
		assert_int_equal(map->usable[i].type, MEMMAP_USABLE);
	}
}

static struct memmap map;

static int setup(void **state)
{
	(void)state;
	memmap_init(&map);
	return 0;
}

/* ---- memmap_add ---- */

static void test_add_records_entry(void **state)
{
	(void)state;
	assert_int_equal(memmap_add(&map, 1 * MiB, 2 * MiB, MEMMAP_USABLE), 0);
	assert_int_equal(map.nraw, 1);
	assert_int_equal(map.raw[0].base, 1 * MiB);
	assert_int_equal(map.raw[0].end, 3 * MiB);
	assert_int_equal(map.dropped, 0);
}

static void test_add_rejects_zero_length(void **state)
{
	(void)state;
	assert_int_equal(memmap_add(&map, 1 * MiB, 0, MEMMAP_USABLE), -1);
	assert_int_equal(map.nraw, 0);
	assert_int_equal(map.dropped, 1);
}

static void test_add_rejects_wrapping_range(void **state)
{
	(void)state;
	assert_int_equal(memmap_add(&map, UINT64_MAX - 10, 100, MEMMAP_USABLE),
	                 -1);
	/* Ending exactly at 2^64 cannot be represented either. */
	assert_int_equal(
	    memmap_add(&map, UINT64_MAX - PG + 1, PG, MEMMAP_USABLE), -1);
	assert_int_equal(map.nraw, 0);
	assert_int_equal(map.dropped, 2);
}

static void test_add_table_overflow_counts_dropped(void **state)
{
	unsigned i;

	(void)state;
	for (i = 0; i < MEMMAP_MAX; i++)
		assert_int_equal(
		    memmap_add(&map, (i + 1) * MiB, PG, MEMMAP_USABLE), 0);
	assert_int_equal(memmap_add(&map, 500 * MiB, PG, MEMMAP_USABLE), -1);
	assert_int_equal(map.nraw, MEMMAP_MAX);
	assert_int_equal(map.dropped, 1);
}

static void test_add_treats_unknown_types_as_reserved(void **state)
{
	(void)state;
	memmap_add(&map, 1 * MiB, 4 * MiB, MEMMAP_USABLE);
	memmap_add(&map, 2 * MiB, 1 * MiB, (enum memmap_type)3); /* ACPI */
	assert_int_equal(map.raw[1].type, MEMMAP_RESERVED);
	memmap_finish(&map);
	assert_usable(
	    &map, (struct span[]){{1 * MiB, 2 * MiB}, {3 * MiB, 5 * MiB}}, 2);
}

/* ---- memmap_finish ---- */

static void test_finish_merges_overlapping_usable(void **state)
{
	(void)state;
	memmap_add(&map, 1 * MiB, 2 * MiB, MEMMAP_USABLE);
	memmap_add(&map, 2 * MiB, 3 * MiB, MEMMAP_USABLE);
	memmap_add(&map, 1 * MiB + 4 * KiB, 4 * KiB, MEMMAP_USABLE);
	assert_int_equal(memmap_finish(&map), 4 * MiB);
	assert_usable(&map, (struct span[]){{1 * MiB, 5 * MiB}}, 1);
}

static void test_finish_merges_touching_usable(void **state)
{
	(void)state;
	memmap_add(&map, 1 * MiB, 1 * MiB, MEMMAP_USABLE);
	memmap_add(&map, 2 * MiB, 1 * MiB, MEMMAP_USABLE);
	memmap_finish(&map);
	assert_usable(&map, (struct span[]){{1 * MiB, 3 * MiB}}, 1);
}

static void test_finish_sorts_ranges(void **state)
{
	(void)state;
	memmap_add(&map, 64 * MiB, 1 * MiB, MEMMAP_USABLE);
	memmap_add(&map, 1 * MiB, 1 * MiB, MEMMAP_USABLE);
	memmap_add(&map, 16 * MiB, 1 * MiB, MEMMAP_USABLE);
	memmap_finish(&map);
	assert_usable(&map,
	              (struct span[]){{1 * MiB, 2 * MiB},
	                              {16 * MiB, 17 * MiB},
	                              {64 * MiB, 65 * MiB}},
	              3);
}

static void test_finish_reserved_wins_over_usable(void **state)
{
	(void)state;
	memmap_add(&map, 1 * MiB, 7 * MiB, MEMMAP_USABLE);
	memmap_add(&map, 2 * MiB, 1 * MiB, MEMMAP_RESERVED);
	memmap_finish(&map);
	assert_usable(
	    &map, (struct span[]){{1 * MiB, 2 * MiB}, {3 * MiB, 8 * MiB}}, 2);
}

static void test_finish_reserved_listed_before_usable_still_wins(void **state)
{
	(void)state;
	memmap_add(&map, 0, 2 * MiB, MEMMAP_RESERVED);
	memmap_add(&map, 1 * MiB, 3 * MiB, MEMMAP_USABLE);
	memmap_finish(&map);
	assert_usable(&map, (struct span[]){{2 * MiB, 4 * MiB}}, 1);
}

static void test_finish_reserved_covering_usable_removes_it(void **state)
{
	(void)state;
	memmap_add(&map, 1 * MiB, 1 * MiB, MEMMAP_USABLE);
	memmap_add(&map, 4 * MiB, 1 * MiB, MEMMAP_USABLE);
	memmap_add(&map, 0, 3 * MiB, MEMMAP_RESERVED);
	assert_int_equal(memmap_finish(&map), 1 * MiB);
	assert_usable(&map, (struct span[]){{4 * MiB, 5 * MiB}}, 1);
}

static void test_finish_reserved_partial_page_removes_whole_page(void **state)
{
	(void)state;
	memmap_add(&map, 1 * MiB, 1 * MiB, MEMMAP_USABLE);
	/* One byte past a page boundary, for one page: touches two pages. */
	memmap_add(&map, 1 * MiB + 4 * PG + 1, PG, MEMMAP_RESERVED);
	memmap_finish(&map);
	assert_usable(&map,
	              (struct span[]){{1 * MiB, 1 * MiB + 4 * PG},
	                              {1 * MiB + 6 * PG, 2 * MiB}},
	              2);
}

static void test_finish_drops_region_smaller_than_a_page(void **state)
{
	(void)state;
	memmap_add(&map, 1 * MiB, PG - 1, MEMMAP_USABLE);
	assert_int_equal(memmap_finish(&map), 0);
	assert_int_equal(map.nusable, 0);
}

static void test_finish_drops_page_sized_region_straddling_pages(void **state)
{
	(void)state;
	memmap_add(&map, 1 * MiB + PG / 2, PG, MEMMAP_USABLE);
	assert_int_equal(memmap_finish(&map), 0);
	assert_int_equal(map.nusable, 0);
}

static void test_finish_shrinks_unaligned_region_to_whole_pages(void **state)
{
	(void)state;
	memmap_add(&map, 0x100001, 0x5000, MEMMAP_USABLE);
	assert_int_equal(memmap_finish(&map), 4 * PG);
	assert_usable(&map, (struct span[]){{0x101000, 0x105000}}, 1);
}

static void test_finish_merges_unaligned_pieces_into_a_page(void **state)
{
	(void)state;
	memmap_add(&map, 0x100000, 0x800, MEMMAP_USABLE);
	memmap_add(&map, 0x100800, 0x800, MEMMAP_USABLE);
	memmap_finish(&map);
	assert_usable(&map, (struct span[]){{0x100000, 0x101000}}, 1);
}

static void test_finish_keeps_last_page_of_address_space(void **state)
{
	(void)state;
	memmap_add(&map, UINT64_MAX - 2 * PG + 1, 2 * PG - 1, MEMMAP_USABLE);
	memmap_add(&map, UINT64_MAX - 100, 50, MEMMAP_USABLE); /* < 1 page */
	memmap_finish(&map);
	assert_usable(
	    &map,
	    (struct span[]){{UINT64_MAX - 2 * PG + 1, UINT64_MAX - PG + 1}}, 1);
}

static void test_finish_drops_unaligned_range_in_last_page(void **state)
{
	(void)state;
	/* Rounding the base up to a page would wrap around to 0. */
	memmap_add(&map, UINT64_MAX - 100, 50, MEMMAP_USABLE);
	assert_int_equal(memmap_finish(&map), 0);
	assert_int_equal(map.nusable, 0);
}

static void test_finish_with_only_reserved_is_empty(void **state)
{
	(void)state;
	memmap_add(&map, 0, 16 * MiB, MEMMAP_RESERVED);
	assert_int_equal(memmap_finish(&map), 0);
	assert_int_equal(map.nusable, 0);
	assert_int_equal(memmap_usable_bytes(&map), 0);
}

static void test_finish_fills_table_with_splits(void **state)
{
	unsigned i;

	(void)state;
	/* One usable range cut by 63 reserved holes: 64 pieces fit. */
	memmap_add(&map, 0, 128 * MiB, MEMMAP_USABLE);
	for (i = 1; i < MEMMAP_MAX; i++)
		memmap_add(&map, i * 2 * MiB, PG, MEMMAP_RESERVED);
	memmap_finish(&map);
	assert_int_equal(map.nusable, MEMMAP_MAX);
	assert_int_equal(memmap_usable_bytes(&map),
	                 128 * MiB - (MEMMAP_MAX - 1) * PG);
}

/* ---- memmap_reserve ---- */

static void finish_one(paddr_t base, uint64_t len)
{
	memmap_add(&map, base, len, MEMMAP_USABLE);
	memmap_finish(&map);
}

static void test_reserve_splits_range(void **state)
{
	(void)state;
	finish_one(1 * MiB, 7 * MiB);
	assert_int_equal(memmap_reserve(&map, 2 * MiB + 10, 10), 0);
	assert_usable(
	    &map, (struct span[]){{1 * MiB, 2 * MiB}, {2 * MiB + PG, 8 * MiB}},
	    2);
}

static void test_reserve_trims_range_ends(void **state)
{
	(void)state;
	finish_one(1 * MiB, 7 * MiB);
	assert_int_equal(memmap_reserve(&map, 0, 1 * MiB + 1), 0);
	assert_int_equal(memmap_reserve(&map, 7 * MiB, 2 * MiB), 0);
	assert_usable(&map, (struct span[]){{1 * MiB + PG, 7 * MiB}}, 1);
}

static void test_reserve_spanning_several_ranges(void **state)
{
	(void)state;
	memmap_add(&map, 1 * MiB, 1 * MiB, MEMMAP_USABLE);
	memmap_add(&map, 3 * MiB, 1 * MiB, MEMMAP_USABLE);
	memmap_add(&map, 5 * MiB, 1 * MiB, MEMMAP_USABLE);
	memmap_finish(&map);
	assert_int_equal(memmap_reserve(&map, 1 * MiB + PG, 4 * MiB), 0);
	assert_usable(
	    &map,
	    (struct span[]){{1 * MiB, 1 * MiB + PG}, {5 * MiB + PG, 6 * MiB}},
	    2);
}

static void test_reserve_zero_length_changes_nothing(void **state)
{
	(void)state;
	finish_one(1 * MiB, 1 * MiB);
	assert_int_equal(memmap_reserve(&map, 1 * MiB + 5, 0), 0);
	assert_usable(&map, (struct span[]){{1 * MiB, 2 * MiB}}, 1);
}

static void test_reserve_wrapping_range_reserves_to_the_top(void **state)
{
	(void)state;
	finish_one(1 * MiB, 3 * MiB);
	assert_int_equal(memmap_reserve(&map, 2 * MiB, UINT64_MAX), 0);
	assert_usable(&map, (struct span[]){{1 * MiB, 2 * MiB}}, 1);
}

static void test_reserve_split_on_full_table_fails_unchanged(void **state)
{
	struct memmap before;
	unsigned i;

	(void)state;
	for (i = 0; i < MEMMAP_MAX; i++)
		memmap_add(&map, (i + 1) * 2 * MiB, 1 * MiB, MEMMAP_USABLE);
	memmap_finish(&map);
	assert_int_equal(map.nusable, MEMMAP_MAX);
	before = map;
	assert_int_equal(memmap_reserve(&map, 2 * MiB + 4 * PG, PG), -1);
	assert_memory_equal(&before, &map, sizeof(map));
	/* Trimming an end needs no new slot and still works. */
	assert_int_equal(memmap_reserve(&map, 2 * MiB, PG), 0);
	assert_int_equal(map.usable[0].base, 2 * MiB + PG);
}

/* ---- memmap_steal ---- */

static void test_steal_takes_from_top_of_highest_range(void **state)
{
	(void)state;
	memmap_add(&map, 1 * MiB, 1 * MiB, MEMMAP_USABLE);
	memmap_add(&map, 8 * MiB, 8 * MiB, MEMMAP_USABLE);
	memmap_finish(&map);
	assert_int_equal(memmap_steal(&map, 2 * PG, PG, 0), 16 * MiB - 2 * PG);
	assert_usable(
	    &map,
	    (struct span[]){{1 * MiB, 2 * MiB}, {8 * MiB, 16 * MiB - 2 * PG}},
	    2);
}

static void test_steal_rounds_size_up_to_pages(void **state)
{
	(void)state;
	finish_one(1 * MiB, 1 * MiB);
	assert_int_equal(memmap_steal(&map, 1, PG, 0), 2 * MiB - PG);
	assert_int_equal(memmap_usable_bytes(&map), 1 * MiB - PG);
}

static void test_steal_honours_alignment(void **state)
{
	paddr_t pa;

	(void)state;
	finish_one(1 * MiB, 4 * MiB - PG); /* ends at 5 MiB - 4 KiB */
	pa = memmap_steal(&map, PG, 1 * MiB, 0);
	assert_int_equal(pa, 4 * MiB);
	/* The pages above the aligned block stay usable. */
	assert_usable(
	    &map,
	    (struct span[]){{1 * MiB, 4 * MiB}, {4 * MiB + PG, 5 * MiB - PG}},
	    2);
}

static void test_steal_skips_range_without_aligned_room(void **state)
{
	(void)state;
	memmap_add(&map, 4 * MiB, 2 * MiB, MEMMAP_USABLE);
	memmap_add(&map, 8 * MiB + PG, 1 * MiB - PG, MEMMAP_USABLE);
	memmap_finish(&map);
	/* [8M + 4K, 9M) has room for a page but no 2 MiB boundary. */
	assert_int_equal(memmap_steal(&map, PG, 2 * MiB, 0), 4 * MiB);
	assert_usable(
	    &map,
	    (struct span[]){{4 * MiB + PG, 6 * MiB}, {8 * MiB + PG, 9 * MiB}},
	    2);
}

static void test_steal_treats_small_alignment_as_a_page(void **state)
{
	(void)state;
	finish_one(1 * MiB, 1 * MiB);
	assert_int_equal(memmap_steal(&map, 100, 8, 0), 2 * MiB - PG);
}

static void test_steal_rejects_non_power_of_two_alignment(void **state)
{
	(void)state;
	finish_one(1 * MiB, 1 * MiB);
	assert_int_equal(memmap_steal(&map, PG, 3 * PG, 0), 0);
	assert_int_equal(memmap_usable_bytes(&map), 1 * MiB);
}

static void test_steal_honours_limit(void **state)
{
	(void)state;
	memmap_add(&map, 1 * MiB, 2 * MiB, MEMMAP_USABLE);
	memmap_add(&map, 16 * MiB, 16 * MiB, MEMMAP_USABLE);
	memmap_finish(&map);
	/* Below 2 MiB: from inside the first range, which splits. */
	assert_int_equal(memmap_steal(&map, PG, PG, 2 * MiB), 2 * MiB - PG);
	assert_usable(&map,
	              (struct span[]){{1 * MiB, 2 * MiB - PG},
	                              {2 * MiB, 3 * MiB},
	                              {16 * MiB, 32 * MiB}},
	              3);
}

static void test_steal_below_every_range_fails(void **state)
{
	(void)state;
	finish_one(16 * MiB, 16 * MiB);
	assert_int_equal(memmap_steal(&map, PG, PG, 16 * MiB), 0);
	assert_int_equal(memmap_usable_bytes(&map), 16 * MiB);
}

static void test_steal_larger_than_any_range_fails(void **state)
{
	(void)state;
	memmap_add(&map, 1 * MiB, 1 * MiB, MEMMAP_USABLE);
	memmap_add(&map, 4 * MiB, 1 * MiB, MEMMAP_USABLE);
	memmap_finish(&map);
	assert_int_equal(memmap_steal(&map, 1 * MiB + PG, PG, 0), 0);
	assert_int_equal(memmap_usable_bytes(&map), 2 * MiB);
}

static void test_steal_until_exhausted_then_fails(void **state)
{
	unsigned i;

	(void)state;
	memmap_add(&map, 1 * MiB, 4 * PG, MEMMAP_USABLE);
	memmap_add(&map, 2 * MiB, 4 * PG, MEMMAP_USABLE);
	memmap_finish(&map);
	for (i = 0; i < 8; i++)
		assert_int_not_equal(memmap_steal(&map, PG, PG, 0), 0);
	assert_int_equal(map.nusable, 0);
	assert_int_equal(memmap_steal(&map, PG, PG, 0), 0);
}

static void test_steal_zero_bytes_fails(void **state)
{
	(void)state;
	finish_one(1 * MiB, 1 * MiB);
	assert_int_equal(memmap_steal(&map, 0, PG, 0), 0);
	assert_int_equal(memmap_usable_bytes(&map), 1 * MiB);
}

static void test_steal_on_full_table_gives_up_part_above(void **state)
{
	unsigned i;

	(void)state;
	for (i = 0; i < MEMMAP_MAX; i++)
		memmap_add(&map, (i + 1) * 4 * MiB, 2 * MiB, MEMMAP_USABLE);
	memmap_finish(&map);
	/* The top range [256M, 258M) is cut below 257M + 4K: the 1 MiB - 4K
	 * above the block has no free slot and is lost, not handed out. */
	assert_int_equal(memmap_steal(&map, PG, PG, 257 * MiB + PG), 257 * MiB);
	assert_int_equal(map.nusable, MEMMAP_MAX);
	assert_int_equal(map.usable[MEMMAP_MAX - 1].end, 257 * MiB);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup(fn, setup)
	const struct CMUnitTest tests[] = {
	    T(test_add_records_entry),
	    T(test_add_rejects_zero_length),
	    T(test_add_rejects_wrapping_range),
	    T(test_add_table_overflow_counts_dropped),
	    T(test_add_treats_unknown_types_as_reserved),
	    T(test_finish_merges_overlapping_usable),
	    T(test_finish_merges_touching_usable),
	    T(test_finish_sorts_ranges),
	    T(test_finish_reserved_wins_over_usable),
	    T(test_finish_reserved_listed_before_usable_still_wins),
	    T(test_finish_reserved_covering_usable_removes_it),
	    T(test_finish_reserved_partial_page_removes_whole_page),
	    T(test_finish_drops_region_smaller_than_a_page),
	    T(test_finish_drops_page_sized_region_straddling_pages),
	    T(test_finish_shrinks_unaligned_region_to_whole_pages),
	    T(test_finish_merges_unaligned_pieces_into_a_page),
	    T(test_finish_keeps_last_page_of_address_space),
	    T(test_finish_drops_unaligned_range_in_last_page),
	    T(test_finish_with_only_reserved_is_empty),
	    T(test_finish_fills_table_with_splits),
	    T(test_reserve_splits_range),
	    T(test_reserve_trims_range_ends),
	    T(test_reserve_spanning_several_ranges),
	    T(test_reserve_zero_length_changes_nothing),
	    T(test_reserve_wrapping_range_reserves_to_the_top),
	    T(test_reserve_split_on_full_table_fails_unchanged),
	    T(test_steal_takes_from_top_of_highest_range),
	    T(test_steal_rounds_size_up_to_pages),
	    T(test_steal_honours_alignment),
	    T(test_steal_skips_range_without_aligned_room),
	    T(test_steal_treats_small_alignment_as_a_page),
	    T(test_steal_rejects_non_power_of_two_alignment),
	    T(test_steal_honours_limit),
	    T(test_steal_below_every_range_fails),
	    T(test_steal_larger_than_any_range_fails),
	    T(test_steal_until_exhausted_then_fails),
	    T(test_steal_zero_bytes_fails),
	    T(test_steal_on_full_table_gives_up_part_above),
	};
#undef T

	return cmocka_run_group_tests_name("memmap", tests, NULL, NULL);
}
