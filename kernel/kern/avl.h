/*
 * AVL trees: an intrusive, height-balanced binary search tree with parent
 * pointers, for ordered sets that need O(log n) lookup, insertion and
 * removal (the address-space map, kernel/vm/map.c, is the first user).
 * The tree does no locking and no allocation; its owner does both.
 */
#ifndef KERN_AVL_H
#define KERN_AVL_H

#include <stdbool.h>
#include <stddef.h>

/*
 * A node, embedded in the object it orders.
 * Owned by: the object it is embedded in.
 * Guarded by: whatever guards the tree.
 */
struct avl_node {
	struct avl_node *left, *right, *parent;
	int height; /* of the subtree rooted here; a leaf is 1 */
};

struct avl_tree {
	struct avl_node *root;
};

/* Orders two nodes: negative, zero or positive, as strcmp. */
typedef int (*avl_cmp_fn)(const struct avl_node *a, const struct avl_node *b);

static inline void avl_init(struct avl_tree *tree)
{
	tree->root = NULL;
}

static inline bool avl_empty(const struct avl_tree *tree)
{
	return tree->root == NULL;
}

/*
 * avl_insert: add NODE to TREE at the place CMP orders it.  A node equal
 * to one already in the tree goes after it.  O(log n).
 */
void avl_insert(struct avl_tree *tree, struct avl_node *node, avl_cmp_fn cmp);

/* avl_remove: take NODE, which must be in TREE, out of it.  O(log n). */
void avl_remove(struct avl_tree *tree, struct avl_node *node);

/*
 * avl_drain: take some node out of TREE with no rebalancing, children
 * before their parent, and return it (NULL once TREE is empty): a way to
 * empty a tree in O(n).  *CURSOR, NULL on the first call, keeps the place
 * between calls.  Until TREE is empty, nothing but avl_drain may use it.
 */
struct avl_node *avl_drain(struct avl_tree *tree, struct avl_node **cursor);

/* In-order walks; NULL at either end. */
struct avl_node *avl_first(const struct avl_tree *tree);
struct avl_node *avl_last(const struct avl_tree *tree);
struct avl_node *avl_next(const struct avl_node *node);
struct avl_node *avl_prev(const struct avl_node *node);

/*
 * avl_check: verify TREE's invariants (parent links, stored heights,
 * balance within one, in-order sorted by CMP) and count its nodes into
 * *COUNT (if not NULL).  For tests and self-checks: O(n).
 * Returns true when every invariant holds.
 */
bool avl_check(const struct avl_tree *tree, avl_cmp_fn cmp, size_t *count);

#endif
