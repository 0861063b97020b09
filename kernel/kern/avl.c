/*
 * AVL trees (kern/avl.h).  Each node stores its subtree height; after an
 * insertion or a removal the heights are recomputed on the path up to the
 * root and any node whose children differ by two is rotated back into
 * balance, so the tree's height stays below 1.45 log2(n + 2).
 */
#include "kern/avl.h"

static int height(const struct avl_node *n)
{
	return n != NULL ? n->height : 0;
}

static void update_height(struct avl_node *n)
{
	int l = height(n->left), r = height(n->right);

	n->height = 1 + (l > r ? l : r);
}

/* Make PARENT (or the root, if PARENT is NULL) point at NEW instead of OLD. */
static void replace_child(struct avl_tree *tree, struct avl_node *parent,
                          struct avl_node *old, struct avl_node *new)
{
	if (parent == NULL)
		tree->root = new;
	else if (parent->left == old)
		parent->left = new;
	else
		parent->right = new;
}

static struct avl_node *rotate_left(struct avl_tree *tree, struct avl_node *x)
{
	struct avl_node *y = x->right;

	x->right = y->left;
	if (y->left != NULL)
		y->left->parent = x;
	y->parent = x->parent;
	replace_child(tree, x->parent, x, y);
	y->left = x;
	x->parent = y;
	update_height(x);
	update_height(y);
	return y;
}

static struct avl_node *rotate_right(struct avl_tree *tree, struct avl_node *x)
{
	struct avl_node *y = x->left;

	x->left = y->right;
	if (y->right != NULL)
		y->right->parent = x;
	y->parent = x->parent;
	replace_child(tree, x->parent, x, y);
	y->right = x;
	x->parent = y;
	update_height(x);
	update_height(y);
	return y;
}

/* Restore heights and balance from N up to the root. */
static void rebalance(struct avl_tree *tree, struct avl_node *n)
{
	while (n != NULL) {
		int bf;

		update_height(n);
		bf = height(n->left) - height(n->right);
		if (bf > 1) {
			if (height(n->left->left) < height(n->left->right))
				rotate_left(tree, n->left);
			n = rotate_right(tree, n);
		} else if (bf < -1) {
			if (height(n->right->right) < height(n->right->left))
				rotate_right(tree, n->right);
			n = rotate_left(tree, n);
		}
		n = n->parent;
	}
}

void avl_insert(struct avl_tree *tree, struct avl_node *node, avl_cmp_fn cmp)
{
	struct avl_node *parent = NULL, **link = &tree->root;

	while (*link != NULL) {
		parent = *link;
		link = cmp(node, parent) < 0 ? &parent->left : &parent->right;
	}
	node->left = node->right = NULL;
	node->parent = parent;
	node->height = 1;
	*link = node;
	rebalance(tree, parent);
}

void avl_remove(struct avl_tree *tree, struct avl_node *n)
{
	struct avl_node *fix;

	if (n->left != NULL && n->right != NULL) {
		/* Put the successor S, which has no left child, in N's place.
		 */
		struct avl_node *s = n->right;

		while (s->left != NULL)
			s = s->left;
		if (s->parent == n) {
			fix = s;
		} else {
			fix = s->parent;
			fix->left = s->right;
			if (s->right != NULL)
				s->right->parent = fix;
			s->right = n->right;
			n->right->parent = s;
		}
		s->left = n->left;
		n->left->parent = s;
		s->parent = n->parent;
		replace_child(tree, n->parent, n, s);
		s->height = n->height;
	} else {
		struct avl_node *child = n->left != NULL ? n->left : n->right;

		if (child != NULL)
			child->parent = n->parent;
		replace_child(tree, n->parent, n, child);
		fix = n->parent;
	}
	n->left = n->right = n->parent = NULL;
	rebalance(tree, fix);
}

struct avl_node *avl_drain(struct avl_tree *tree, struct avl_node **cursor)
{
	struct avl_node *n = *cursor != NULL ? *cursor : tree->root;
	struct avl_node *parent;

	if (n == NULL)
		return NULL;
	/* Down to a leaf: it can go without moving anything else. */
	for (;;) {
		if (n->left != NULL)
			n = n->left;
		else if (n->right != NULL)
			n = n->right;
		else
			break;
	}
	parent = n->parent;
	if (parent == NULL)
		tree->root = NULL;
	else if (parent->left == n)
		parent->left = NULL;
	else
		parent->right = NULL;
	n->parent = NULL;
	*cursor = parent;
	return n;
}

struct avl_node *avl_first(const struct avl_tree *tree)
{
	struct avl_node *n = tree->root;

	while (n != NULL && n->left != NULL)
		n = n->left;
	return n;
}

struct avl_node *avl_last(const struct avl_tree *tree)
{
	struct avl_node *n = tree->root;

	while (n != NULL && n->right != NULL)
		n = n->right;
	return n;
}

struct avl_node *avl_next(const struct avl_node *n)
{
	if (n->right != NULL) {
		n = n->right;
		while (n->left != NULL)
			n = n->left;
		return (struct avl_node *)n;
	}
	while (n->parent != NULL && n->parent->right == n)
		n = n->parent;
	return n->parent;
}

struct avl_node *avl_prev(const struct avl_node *n)
{
	if (n->left != NULL) {
		n = n->left;
		while (n->right != NULL)
			n = n->right;
		return (struct avl_node *)n;
	}
	while (n->parent != NULL && n->parent->left == n)
		n = n->parent;
	return n->parent;
}

/* Check the subtree at N; its height into *H; false on a broken invariant. */
static bool check_subtree(const struct avl_node *n, int *h, size_t *count)
{
	int lh, rh;

	if (n == NULL) {
		*h = 0;
		return true;
	}
	if ((n->left != NULL && n->left->parent != n) ||
	    (n->right != NULL && n->right->parent != n))
		return false;
	if (!check_subtree(n->left, &lh, count) ||
	    !check_subtree(n->right, &rh, count))
		return false;
	*h = 1 + (lh > rh ? lh : rh);
	(*count)++;
	return n->height == *h && lh - rh <= 1 && rh - lh <= 1;
}

bool avl_check(const struct avl_tree *tree, avl_cmp_fn cmp, size_t *count)
{
	const struct avl_node *n, *prev = NULL;
	size_t nodes = 0;
	int h;

	if (tree->root != NULL && tree->root->parent != NULL)
		return false;
	if (!check_subtree(tree->root, &h, &nodes))
		return false;
	for (n = avl_first(tree); n != NULL; n = avl_next(n)) {
		if (prev != NULL && cmp(prev, n) > 0)
			return false;
		prev = n;
	}
	if (count != NULL)
		*count = nodes;
	return true;
}
