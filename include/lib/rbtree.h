/* include/lib/rbtree.h — intrusive red-black trees (lib/rbtree.c).
 *
 * The tree stores struct rb_node embedded in the caller's objects; it never
 * allocates and takes no locks (callers serialise every access to one tree).
 * Keys are the caller's business: to insert, walk down from root->node
 * comparing keys, then rb_link_node() at the empty link found and
 * rb_insert_color() to rebalance — or use rb_add()/rb_find() with a
 * callback.  Invariants (checked by tests/host/test_lib_rbtree.c): the root
 * is black, a red node has no red child, and every path from a node to a
 * leaf passes the same number of black nodes, so the height is at most
 * 2*log2(n+1).  All operations are O(log n); rb_next/rb_prev are amortised
 * O(1) over a full walk.
 */
#ifndef LIB_RBTREE_H
#define LIB_RBTREE_H

#include <tessera/compiler.h>

struct rb_node {
	struct rb_node *parent;
	struct rb_node *left;
	struct rb_node *right;
	bool red;
};

struct rb_root {
	struct rb_node *node;
};

#define RB_ROOT ((struct rb_root){ NULL })
#define rb_entry(ptr, type, member) container_of(ptr, type, member)
#define rb_entry_safe(ptr, type, member) \
	((ptr) ? rb_entry(ptr, type, member) : NULL)

static inline bool rb_empty(const struct rb_root *root)
{
	return root->node == NULL;
}

/* Hang @node, as a red leaf, at *@link below @parent (NULL for the root). */
static inline void rb_link_node(struct rb_node *node, struct rb_node *parent,
				struct rb_node **link)
{
	node->parent = parent;
	node->left = NULL;
	node->right = NULL;
	node->red = true;
	*link = node;
}

/* Restore the red-black invariants after rb_link_node(). */
void rb_insert_color(struct rb_node *node, struct rb_root *root);
/* Unlink @node and rebalance.  @node's fields are stale afterwards. */
void rb_erase(struct rb_node *node, struct rb_root *root);

struct rb_node *rb_first(const struct rb_root *root);
struct rb_node *rb_last(const struct rb_root *root);
struct rb_node *rb_next(const struct rb_node *node);
struct rb_node *rb_prev(const struct rb_node *node);

/* Insert @node in order: less(a, b) says a sorts before b.  Equal keys go
 * after the existing ones. */
void rb_add(struct rb_node *node, struct rb_root *root,
	    bool (*less)(const struct rb_node *a, const struct rb_node *b));
/* Find a node whose key equals @key: cmp(key, n) < 0 if key sorts before
 * n, 0 if equal, > 0 after.  Returns NULL if none. */
struct rb_node *rb_find(const void *key, const struct rb_root *root,
			int (*cmp)(const void *key, const struct rb_node *n));

#define rb_for_each(n, root) for (n = rb_first(root); n; n = rb_next(n))

#endif
