/* tests/host/test_lib_sort.c — lib/sort.c (heapsort).
 *
 * Random arrays of several element sizes (4, 8, 12 and 24 bytes, so both
 * the word and the byte swap paths run) sorted by sort() and by the host
 * qsort(); results must agree and be a permutation of the input.  Edge
 * cases: 0, 1 and 2 elements, all equal, already sorted, reversed.  The
 * number of comparisons must stay within the heapsort bound 2 n log2 n.
 */
#include "harness.h"
#include "../../lib/sort.c"

#include <string.h>

struct rec12 {
	int key;
	int a, b;	/* payload: checks the whole element moves */
};

struct rec24 {
	long long key;
	long long a, b;
};

static long ncmp;

static int cmp_int(const void *x, const void *y)
{
	int a = *(const int *)x, b = *(const int *)y;

	ncmp++;
	return (a > b) - (a < b);
}

static int cmp_u64(const void *x, const void *y)
{
	unsigned long long a = *(const unsigned long long *)x;
	unsigned long long b = *(const unsigned long long *)y;

	return (a > b) - (a < b);
}

static int cmp_rec12(const void *x, const void *y)
{
	const struct rec12 *a = x, *b = y;

	return (a->key > b->key) - (a->key < b->key);
}

static int cmp_rec24(const void *x, const void *y)
{
	const struct rec24 *a = x, *b = y;

	return (a->key > b->key) - (a->key < b->key);
}

static int cmp_desc_r(const void *x, const void *y, void *priv)
{
	(*(int *)priv)++;
	return cmp_int(y, x);
}

static void test_ints(void)
{
	for (int iter = 0; iter < 300; iter++) {
		size_t n = rnd() % 2000;
		int *a = malloc((n + 1) * sizeof(int));
		int *b = malloc((n + 1) * sizeof(int));
		int range = (int)(rnd() % 1000) + 1;
		long lg = n > 1 ? 64 - __builtin_clzl(n) : 1;
		long bound = 2 * (long)n * lg + 2 * (long)n;

		for (size_t i = 0; i < n; i++)
			a[i] = b[i] = (int)(rnd() % range) - range / 2;
		ncmp = 0;
		sort(a, n, sizeof(int), cmp_int);
		CHECK(ncmp <= bound, "%ld comparisons for %zu elements", ncmp, n);
		qsort(b, n, sizeof(int), cmp_int);
		CHECK(!memcmp(a, b, n * sizeof(int)), "n %zu", n);
		free(a);
		free(b);
	}
}

static void test_sizes(void)
{
	static unsigned long long u[777], uref[777];
	static struct rec12 r12[501];
	static struct rec24 r24[333];

	for (size_t i = 0; i < ARRAY_SIZE(u); i++)
		u[i] = uref[i] = rnd();
	sort(u, ARRAY_SIZE(u), sizeof(u[0]), cmp_u64);
	qsort(uref, ARRAY_SIZE(uref), sizeof(uref[0]), cmp_u64);
	CHECK(!memcmp(u, uref, sizeof(u)), "u64 arrays differ");
	for (size_t i = 0; i < ARRAY_SIZE(r12); i++)
		r12[i] = (struct rec12){ (int)(rnd() % 100000), (int)i, (int)~i };
	sort(r12, ARRAY_SIZE(r12), sizeof(r12[0]), cmp_rec12);
	for (size_t i = 0; i < ARRAY_SIZE(r12); i++) {
		CHECK(i == 0 || r12[i - 1].key <= r12[i].key, "rec12 order %zu", i);
		CHECK(r12[i].b == ~r12[i].a, "rec12 payload torn at %zu", i);
	}
	for (size_t i = 0; i < ARRAY_SIZE(r24); i++)
		r24[i] = (struct rec24){ (long long)(rnd() % 50), (long long)i,
					 ~(long long)i };
	sort(r24, ARRAY_SIZE(r24), sizeof(r24[0]), cmp_rec24);
	for (size_t i = 0; i < ARRAY_SIZE(r24); i++) {
		CHECK(i == 0 || r24[i - 1].key <= r24[i].key, "rec24 order %zu", i);
		CHECK(r24[i].b == ~r24[i].a, "rec24 payload torn at %zu", i);
	}
}

static void test_edges(void)
{
	int one[1] = { 5 }, two[2] = { 9, 3 }, same[50], asc[100], desc[100];
	int calls = 0;

	sort(NULL, 0, sizeof(int), cmp_int);
	sort(one, 1, sizeof(int), cmp_int);
	CHECK_EQ(one[0], 5);
	sort(two, 2, sizeof(int), cmp_int);
	CHECK(two[0] == 3 && two[1] == 9, "two elements");
	for (int i = 0; i < 50; i++)
		same[i] = 7;
	sort(same, 50, sizeof(int), cmp_int);
	for (int i = 0; i < 50; i++)
		CHECK_EQ(same[i], 7);
	for (int i = 0; i < 100; i++) {
		asc[i] = i;
		desc[i] = 99 - i;
	}
	sort(asc, 100, sizeof(int), cmp_int);
	sort(desc, 100, sizeof(int), cmp_int);
	for (int i = 0; i < 100; i++)
		CHECK(asc[i] == i && desc[i] == i, "index %d", i);
	sort_r(asc, 100, sizeof(int), cmp_desc_r, &calls);
	for (int i = 0; i < 100; i++)
		CHECK_EQ(asc[i], 99 - i);
	CHECK(calls > 0, "sort_r passes priv to the callback");
}

int main(void)
{
	RUN(test_edges);
	RUN(test_ints);
	RUN(test_sizes);
	return harness_exit();
}
