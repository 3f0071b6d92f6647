/* lib/sort.c — heapsort (include/lib/sort.h).
 *
 * Phase 1 turns the array into a max-heap (children of i at 2i+1, 2i+2)
 * by sifting down every inner node from the last one to the root.  Phase 2
 * repeatedly swaps the maximum (the root) to the end of the shrinking heap
 * and sifts the new root down.  Invariant during phase 2: base[0..end) is
 * a heap and base[end..num) holds the largest elements in order.
 * Elements are swapped a word at a time when size and base allow it.
 */
#include <lib/sort.h>

struct sort_ctx {
	char *base;
	size_t size;
	sort_cmp_r_t cmp;
	void *priv;
	bool words;	/* size and base are multiples of 8 */
};

static void swap_elems(const struct sort_ctx *c, size_t i, size_t j)
{
	char *a = c->base + i * c->size, *b = c->base + j * c->size;

	if (c->words) {
		u64 *x = (u64 *)a, *y = (u64 *)b;

		for (size_t n = c->size / 8; n; n--, x++, y++) {
			u64 t = *x;
			*x = *y;
			*y = t;
		}
		return;
	}
	for (size_t n = c->size; n; n--, a++, b++) {
		char t = *a;
		*a = *b;
		*b = t;
	}
}

static int cmp_elems(const struct sort_ctx *c, size_t i, size_t j)
{
	return c->cmp(c->base + i * c->size, c->base + j * c->size, c->priv);
}

/* Sift element @i down within the heap base[0..end). */
static void sift_down(const struct sort_ctx *c, size_t i, size_t end)
{
	for (;;) {
		size_t child = 2 * i + 1;

		if (child >= end)
			return;
		if (child + 1 < end && cmp_elems(c, child + 1, child) > 0)
			child++;
		if (cmp_elems(c, child, i) <= 0)
			return;
		swap_elems(c, i, child);
		i = child;
	}
}

void sort_r(void *base, size_t num, size_t size, sort_cmp_r_t cmp, void *priv)
{
	struct sort_ctx c = {
		.base = base, .size = size, .cmp = cmp, .priv = priv,
		.words = size % 8 == 0 && (uintptr_t)base % 8 == 0,
	};

	if (num < 2 || !size)
		return;
	for (size_t i = num / 2; i-- > 0;)
		sift_down(&c, i, num);
	for (size_t end = num - 1; end > 0; end--) {
		swap_elems(&c, 0, end);
		sift_down(&c, 0, end);
	}
}

static int call_plain_cmp(const void *a, const void *b, void *priv)
{
	const sort_cmp_t *cmp = priv;

	return (*cmp)(a, b);
}

void sort(void *base, size_t num, size_t size, sort_cmp_t cmp)
{
	sort_r(base, num, size, call_plain_cmp, &cmp);
}
