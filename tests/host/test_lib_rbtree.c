/* tests/host/test_lib_rbtree.c — lib/rbtree.c.
 *
 * Random inserts and erases (with duplicates) against a plain array model;
 * after every step the whole tree is verified: parent links, in-order key
 * order, black root, no red node with a red child, equal black height on
 * every path, and first/last/next/prev agree with the model.  Ten thousand
 * operations per round, several rounds with different key ranges.
 */
#include "harness.h"
#include "../../lib/rbtree.c"

#include <string.h>

struct item {
	struct rb_node rb;
	int key;
	bool in_tree;
};

static bool item_less(const struct rb_node *a, const struct rb_node *b)
{
	return rb_entry(a, struct item, rb)->key <
	       rb_entry(b, struct item, rb)->key;
}

static int item_cmp(const void *key, const struct rb_node *n)
{
	int k = *(const int *)key, nk = rb_entry(n, struct item, rb)->key;

	return (k > nk) - (k < nk);
}

/* Returns the black height of @n's subtree, or -1 on a violation. */
static int verify(const struct rb_node *n, const struct rb_node *parent,
		  int *count)
{
	int lh, rh;

	if (!n)
		return 1;
	(*count)++;
	if (n->parent != parent)
		return -1;
	if (n->red && ((n->left && n->left->red) || (n->right && n->right->red)))
		return -1;
	if (n->left && item_less(n, n->left))
		return -1;
	if (n->right && item_less(n->right, n))
		return -1;
	lh = verify(n->left, n, count);
	rh = verify(n->right, n, count);
	if (lh < 0 || lh != rh)
		return -1;
	return lh + !n->red;
}

static int cmp_int(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

/* Whole-tree check against the sorted keys of the live items. */
static void check_tree(struct rb_root *root, struct item *items, int n)
{
	int keys[n], live = 0, count = 0, i = 0;
	struct rb_node *node;

	for (int j = 0; j < n; j++)
		if (items[j].in_tree)
			keys[live++] = items[j].key;
	qsort(keys, live, sizeof(int), cmp_int);
	CHECK(!root->node || !root->node->red, "root is red");
	CHECK(verify(root->node, NULL, &count) > 0 || !root->node,
	      "red-black invariants broken");
	CHECK_EQ(count, live);
	rb_for_each(node, root) {
		CHECK(i < live && rb_entry(node, struct item, rb)->key == keys[i],
		      "in-order walk differs at %d", i);
		i++;
	}
	CHECK_EQ(i, live);
	i = live;
	for (node = rb_last(root); node; node = rb_prev(node))
		i--;
	CHECK_EQ(i, 0);
}

static void random_round(int n, int key_range, int ops)
{
	struct item *items = calloc(n, sizeof(*items));
	struct rb_root root = RB_ROOT;

	for (int op = 0; op < ops; op++) {
		struct item *it = &items[rnd() % n];

		if (!it->in_tree) {
			it->key = (int)(rnd() % key_range);
			rb_add(&it->rb, &root, item_less);
		} else {
			rb_erase(&it->rb, &root);
		}
		it->in_tree = !it->in_tree;
		if (op % 97 == 0 || op == ops - 1)
			check_tree(&root, items, n);
	}
	for (int j = 0; j < n; j++)
		if (items[j].in_tree)
			rb_erase(&items[j].rb, &root);
	CHECK(rb_empty(&root), "tree not empty after erasing everything");
	free(items);
}

static void test_random_small_keys(void)
{
	random_round(64, 16, 20000);	/* many duplicates */
}

static void test_random_large(void)
{
	random_round(4000, 1 << 30, 40000);
}

static void test_sequential(void)
{
	enum { N = 4096 };
	static struct item items[N];
	struct rb_root root = RB_ROOT;
	int count = 0, h;

	for (int i = 0; i < N; i++) {
		items[i].key = i;
		items[i].in_tree = true;
		rb_add(&items[i].rb, &root, item_less);
	}
	h = verify(root.node, NULL, &count);
	CHECK(h > 0 && h <= 13, "black height %d for %d ascending keys", h, N);
	check_tree(&root, items, N);
	for (int i = 0; i < N; i += 2) {
		rb_erase(&items[i].rb, &root);
		items[i].in_tree = false;
	}
	check_tree(&root, items, N);
	for (int k = 0; k < N; k++) {
		struct rb_node *f = rb_find(&k, &root, item_cmp);

		CHECK(k % 2 ? f == &items[k].rb : f == NULL, "rb_find(%d)", k);
	}
}

static void test_empty_and_single(void)
{
	struct rb_root root = RB_ROOT;
	struct item one = { .key = 5 };
	int k = 5;

	CHECK(rb_first(&root) == NULL && rb_last(&root) == NULL, "empty");
	CHECK(rb_find(&k, &root, item_cmp) == NULL, "find in empty");
	rb_add(&one.rb, &root, item_less);
	CHECK(rb_first(&root) == &one.rb && rb_last(&root) == &one.rb, "one");
	CHECK(rb_next(&one.rb) == NULL && rb_prev(&one.rb) == NULL, "alone");
	CHECK(!one.rb.red, "single node is black");
	rb_erase(&one.rb, &root);
	CHECK(rb_empty(&root), "empty again");
}

int main(void)
{
	RUN(test_empty_and_single);
	RUN(test_sequential);
	RUN(test_random_small_keys);
	RUN(test_random_large);
	return harness_exit();
}
