/* lib/rbtree.c — red-black tree rebalancing (include/lib/rbtree.h).
 *
 * The classic formulation: a node is red or black; NULL leaves count as
 * black.  Insertion links a red leaf and repairs a red-red violation
 * upwards by recolouring (red uncle) or by one or two rotations (black
 * uncle), which end the repair.  Erase first reduces the problem to
 * removing a node with at most one child (swapping in the in-order
 * successor when there are two); if the removed colour was black, the
 * child's side is one black short and erase_fixup() moves the deficit up
 * or absorbs it with at most three rotations.  Because leaves are NULL, the
 * fix-up carries the parent of the (possibly NULL) deficient node along.
 *
 * No locking and no allocation: callers own the tree and its nodes.
 * Users: anything that needs an ordered map (timers, VMAs, pcache rmaps).
 */
#include <lib/rbtree.h>

static void replace_child(struct rb_node *parent, struct rb_node *old,
			  struct rb_node *new, struct rb_root *root)
{
	if (!parent)
		root->node = new;
	else if (parent->left == old)
		parent->left = new;
	else
		parent->right = new;
}

/* x's right child y takes x's place; x becomes y's left child. */
static void rotate_left(struct rb_node *x, struct rb_root *root)
{
	struct rb_node *y = x->right;

	x->right = y->left;
	if (y->left)
		y->left->parent = x;
	y->parent = x->parent;
	replace_child(x->parent, x, y, root);
	y->left = x;
	x->parent = y;
}

/* Mirror of rotate_left. */
static void rotate_right(struct rb_node *x, struct rb_root *root)
{
	struct rb_node *y = x->left;

	x->left = y->right;
	if (y->right)
		y->right->parent = x;
	y->parent = x->parent;
	replace_child(x->parent, x, y, root);
	y->right = x;
	x->parent = y;
}

static inline bool is_red(const struct rb_node *n)
{
	return n && n->red;
}

void rb_insert_color(struct rb_node *n, struct rb_root *root)
{
	struct rb_node *p, *g, *u;

	while ((p = n->parent) && p->red) {
		g = p->parent;	/* exists: a red node is never the root */
		u = (p == g->left) ? g->right : g->left;
		if (is_red(u)) {
			p->red = false;
			u->red = false;
			g->red = true;
			n = g;
			continue;
		}
		if (p == g->left) {
			if (n == p->right) {
				rotate_left(p, root);
				p = n;
			}
			rotate_right(g, root);
		} else {
			if (n == p->left) {
				rotate_right(p, root);
				p = n;
			}
			rotate_left(g, root);
		}
		p->red = false;
		g->red = true;
		break;
	}
	root->node->red = false;
}

/* @x (maybe NULL) under @parent is one black short.  Its sibling exists
 * and is non-NULL, because before the erase that side held a black node. */
static void erase_fixup(struct rb_node *x, struct rb_node *parent,
			struct rb_root *root)
{
	struct rb_node *w;

	while (x != root->node && !is_red(x)) {
		bool left = (x == parent->left);

		w = left ? parent->right : parent->left;
		if (w->red) {
			w->red = false;
			parent->red = true;
			if (left)
				rotate_left(parent, root);
			else
				rotate_right(parent, root);
			w = left ? parent->right : parent->left;
		}
		if (!is_red(w->left) && !is_red(w->right)) {
			w->red = true;
			x = parent;
			parent = x->parent;
			continue;
		}
		if (left && !is_red(w->right)) {
			w->left->red = false;
			w->red = true;
			rotate_right(w, root);
			w = parent->right;
		} else if (!left && !is_red(w->left)) {
			w->right->red = false;
			w->red = true;
			rotate_left(w, root);
			w = parent->left;
		}
		w->red = parent->red;
		parent->red = false;
		if (left) {
			w->right->red = false;
			rotate_left(parent, root);
		} else {
			w->left->red = false;
			rotate_right(parent, root);
		}
		x = root->node;
	}
	if (x)
		x->red = false;
}

void rb_erase(struct rb_node *n, struct rb_root *root)
{
	struct rb_node *child, *parent, *s;
	bool removed_red;

	if (!n->left || !n->right) {
		child = n->left ? n->left : n->right;
		parent = n->parent;
		removed_red = n->red;
		if (child)
			child->parent = parent;
		replace_child(parent, n, child, root);
	} else {
		/* The successor s (leftmost of the right subtree) has no left
		 * child; it leaves its own place and takes n's, colour too. */
		s = n->right;
		while (s->left)
			s = s->left;
		child = s->right;
		parent = s->parent;
		removed_red = s->red;
		if (parent == n) {
			parent = s;
		} else {
			if (child)
				child->parent = parent;
			parent->left = child;
			s->right = n->right;
			n->right->parent = s;
		}
		s->left = n->left;
		n->left->parent = s;
		s->parent = n->parent;
		s->red = n->red;
		replace_child(n->parent, n, s, root);
	}
	if (!removed_red)
		erase_fixup(child, parent, root);
}

struct rb_node *rb_first(const struct rb_root *root)
{
	struct rb_node *n = root->node;

	while (n && n->left)
		n = n->left;
	return n;
}

struct rb_node *rb_last(const struct rb_root *root)
{
	struct rb_node *n = root->node;

	while (n && n->right)
		n = n->right;
	return n;
}

struct rb_node *rb_next(const struct rb_node *n)
{
	if (n->right) {
		n = n->right;
		while (n->left)
			n = n->left;
		return (struct rb_node *)n;
	}
	while (n->parent && n == n->parent->right)
		n = n->parent;
	return n->parent;
}

struct rb_node *rb_prev(const struct rb_node *n)
{
	if (n->left) {
		n = n->left;
		while (n->right)
			n = n->right;
		return (struct rb_node *)n;
	}
	while (n->parent && n == n->parent->left)
		n = n->parent;
	return n->parent;
}

void rb_add(struct rb_node *node, struct rb_root *root,
	    bool (*less)(const struct rb_node *a, const struct rb_node *b))
{
	struct rb_node **link = &root->node, *parent = NULL;

	while (*link) {
		parent = *link;
		link = less(node, parent) ? &parent->left : &parent->right;
	}
	rb_link_node(node, parent, link);
	rb_insert_color(node, root);
}

struct rb_node *rb_find(const void *key, const struct rb_root *root,
			int (*cmp)(const void *key, const struct rb_node *n))
{
	struct rb_node *n = root->node;

	while (n) {
		int c = cmp(key, n);

		if (c == 0)
			return n;
		n = c < 0 ? n->left : n->right;
	}
	return NULL;
}
