/* tests/host/test_lib_list.c — include/lib/list.h.
 *
 * Random add/add_tail/del/move_tail against an array model of the list
 * order; after each step the list is walked forwards (list_for_each_entry)
 * and its back links checked, and list_for_each_entry_safe deletes while
 * iterating.
 */
#include "harness.h"

#include <lib/list.h>
#include <string.h>

struct elem {
	struct list_head node;
	int id;
	bool on;
};

enum { N = 64 };
static struct elem elems[N];
static int model[N], nmodel;

static void model_remove(int id)
{
	for (int i = 0; i < nmodel; i++)
		if (model[i] == id) {
			memmove(model + i, model + i + 1,
				(nmodel - i - 1) * sizeof(int));
			nmodel--;
			return;
		}
}

static void check_list(struct list_head *head)
{
	struct elem *e;
	struct list_head *p;
	int i = 0;

	list_for_each_entry(e, head, node) {
		CHECK(i < nmodel && e->id == model[i], "position %d", i);
		CHECK(e->node.next->prev == &e->node, "broken back link");
		i++;
	}
	CHECK_EQ(i, nmodel);
	CHECK_EQ(list_empty(head), nmodel == 0);
	i = 0;
	list_for_each(p, head)
		i++;
	CHECK_EQ(i, nmodel);
}

static void test_random_ops(void)
{
	LIST_HEAD(head);

	for (int op = 0; op < 20000; op++) {
		struct elem *e = &elems[rnd() % N];
		int kind = (int)(rnd() % 3);

		if (!e->on && kind == 0) {
			list_add(&e->node, &head);
			memmove(model + 1, model, nmodel * sizeof(int));
			model[0] = e->id;
			nmodel++;
		} else if (!e->on) {
			list_add_tail(&e->node, &head);
			model[nmodel++] = e->id;
		} else if (kind == 0) {
			list_move_tail(&e->node, &head);
			model_remove(e->id);
			model[nmodel++] = e->id;
			continue;
		} else {
			list_del(&e->node);
			CHECK(list_empty(&e->node), "deleted node points to itself");
			model_remove(e->id);
		}
		e->on = !e->on;
		check_list(&head);
	}
}

static void test_delete_while_iterating(void)
{
	LIST_HEAD(head);
	struct elem *e, *n;
	int left = 0;

	for (int i = 0; i < N; i++) {
		elems[i].id = i;
		list_add_tail(&elems[i].node, &head);
	}
	list_for_each_entry_safe(e, n, &head, node)
		if (e->id % 3)
			list_del(&e->node);
	list_for_each_entry(e, &head, node) {
		CHECK(e->id % 3 == 0, "id %d should be gone", e->id);
		left++;
	}
	CHECK_EQ(left, (N + 2) / 3);
	CHECK(list_first_entry(&head, struct elem, node)->id == 0, "first");
}

int main(void)
{
	for (int i = 0; i < N; i++)
		elems[i].id = i;
	RUN(test_random_ops);
	RUN(test_delete_while_iterating);
	return harness_exit();
}
