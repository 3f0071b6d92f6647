/* include/lib/sort.h — in-place heapsort of arrays (lib/sort.c).
 *
 * O(n log n) comparisons in the worst case, O(1) extra space, no
 * recursion and no allocation, so it is safe on small kernel stacks and
 * with interrupts off.  Not stable: equal elements may change order.
 * cmp returns < 0, 0 or > 0 like strcmp.
 */
#ifndef LIB_SORT_H
#define LIB_SORT_H

#include <tessera/types.h>

typedef int (*sort_cmp_t)(const void *a, const void *b);
typedef int (*sort_cmp_r_t)(const void *a, const void *b, void *priv);

void sort(void *base, size_t num, size_t size, sort_cmp_t cmp);
/* Same, passing @priv to every comparison. */
void sort_r(void *base, size_t num, size_t size, sort_cmp_r_t cmp, void *priv);

#endif
