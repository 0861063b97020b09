/*
 * Unit tests of the AVL tree (kern/avl.c): random insertions and removals
 * checked against the invariants, the walks, and the checker itself.
 * The tree allocates nothing, so there are no counters to check.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "kern/avl.h"
#include "kern/compiler.h"

struct item {
	struct avl_node node;
	int key;
};

static int item_cmp(const struct avl_node *a, const struct avl_node *b)
{
	int ka = container_of(a, struct item, node)->key;
	int kb = container_of(b, struct item, node)->key;

	return ka < kb ? -1 : ka > kb;
}

static void test_avl_random_insert_remove_stays_balanced(void **state)
{
	enum { N = 2000 };
	static struct item items[N];
	static bool in[N];
	struct avl_tree t;
	size_t count, expect = 0;

	(void)state;
	avl_init(&t);
	srandom(7);
	memset(in, 0, sizeof(in));
	for (unsigned step = 0; step < 20000; step++) {
		unsigned i = (unsigned)random() % N;

		if (in[i]) {
			avl_remove(&t, &items[i].node);
			expect--;
		} else {
			items[i].key = (int)(random() % 500);
			avl_insert(&t, &items[i].node, item_cmp);
			expect++;
		}
		in[i] = !in[i];
		if (step % 97 == 0) {
			assert_true(avl_check(&t, item_cmp, &count));
			assert_int_equal(count, expect);
		}
	}
	assert_true(avl_check(&t, item_cmp, &count));
	assert_int_equal(count, expect);
	/* The walks agree in both directions. */
	count = 0;
	for (struct avl_node *n = avl_last(&t); n != NULL; n = avl_prev(n))
		count++;
	assert_int_equal(count, expect);
	/* Height within the AVL bound: 1.45 log2(n + 2). */
	assert_true(t.root == NULL || t.root->height <= 17);
	items[0].node.height = 99;
	if (in[0])
		assert_false(avl_check(&t, item_cmp, NULL));
}

static void test_avl_check_catches_corruption(void **state)
{
	static struct item it[3];
	struct avl_tree t;

	(void)state;
	avl_init(&t);
	assert_true(avl_empty(&t));
	for (int i = 0; i < 3; i++) {
		it[i].key = i;
		avl_insert(&t, &it[i].node, item_cmp);
	}
	assert_ptr_equal(t.root, &it[1].node);
	assert_true(avl_check(&t, item_cmp, NULL));
	it[0].key = 5; /* out of order */
	assert_false(avl_check(&t, item_cmp, NULL));
	it[0].key = 0;
	it[0].node.parent = &it[2].node; /* bad parent link */
	assert_false(avl_check(&t, item_cmp, NULL));
	it[0].node.parent = &it[1].node;
	it[1].node.parent = &it[0].node; /* root with a parent */
	assert_false(avl_check(&t, item_cmp, NULL));
	it[1].node.parent = NULL;
	it[1].node.height = 3; /* wrong height */
	assert_false(avl_check(&t, item_cmp, NULL));
	it[1].node.height = 2;
	/* Unbalanced: a chain of three. */
	it[1].node.left = NULL;
	it[2].node.left = &it[0].node;
	it[0].node.parent = &it[2].node;
	it[2].node.height = 2;
	it[1].node.height = 3;
	assert_false(avl_check(&t, item_cmp, NULL));
}

/* avl_drain gives every node once, each after its children, and leaves
 * the tree empty. */
static void test_avl_drain_empties_children_first(void **state)
{
	enum { N = 1000 };
	static struct item items[N];
	static bool seen[N];
	struct avl_tree tree;
	struct avl_node *n, *cursor = NULL;
	unsigned count = 0;

	(void)state;
	avl_init(&tree);
	assert_null(avl_drain(&tree, &cursor));
	srand(7);
	for (int i = 0; i < N; i++) {
		items[i].key = rand();
		seen[i] = false;
		avl_insert(&tree, &items[i].node, item_cmp);
	}
	while ((n = avl_drain(&tree, &cursor)) != NULL) {
		struct item *it = container_of(n, struct item, node);

		assert_null(n->left);
		assert_null(n->right);
		assert_false(seen[it - items]);
		seen[it - items] = true;
		count++;
	}
	assert_int_equal(count, N);
	assert_true(avl_empty(&tree));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_avl_random_insert_remove_stays_balanced),
	    cmocka_unit_test(test_avl_check_catches_corruption),
	    cmocka_unit_test(test_avl_drain_empties_children_first),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
