/* tests/host/test_lib_bitmap.c — include/lib/bitmap.h and lib/bitmap.c.
 *
 * Random operations on a bitmap checked against a bool-per-bit model, for
 * sizes that do and do not fill the last word (garbage in the tail must
 * never be reported), plus the atomic test_and_* return values and a
 * two-thread race on set_bit/clear_bit of neighbouring bits in one word.
 */
#include "harness.h"
#include "../../lib/bitmap.c"

#include <pthread.h>
#include <string.h>

static unsigned long model_next(const bool *m, unsigned long size,
				unsigned long start, bool want)
{
	for (unsigned long i = start; i < size; i++)
		if (m[i] == want)
			return i;
	return size;
}

static void round_for_size(unsigned long size)
{
	unsigned long words = BITS_TO_LONGS(size) + 1, *map;
	bool *m = calloc(size + 1, 1);

	map = malloc(words * sizeof(long));
	bitmap_zero(map, size);
	map[words - 1] = rnd();	/* past the end: must not be touched */
	if (size % BITS_PER_LONG)	/* garbage in the tail of the last word */
		map[BIT_WORD(size)] |= ~0UL << (size % BITS_PER_LONG);
	for (int op = 0; op < 3000; op++) {
		unsigned long nr = rnd() % size, len = rnd() % (size - nr + 1);
		unsigned long start = rnd() % (size + 2);

		switch (rnd() % 6) {
		case 0: __set_bit(nr, map); m[nr] = true; break;
		case 1: __clear_bit(nr, map); m[nr] = false; break;
		case 2: CHECK_EQ(test_and_set_bit(nr, map), m[nr]); m[nr] = true; break;
		case 3: CHECK_EQ(test_and_clear_bit(nr, map), m[nr]); m[nr] = false; break;
		case 4: bitmap_set(map, nr, len); memset(m + nr, 1, len); break;
		case 5: bitmap_clear(map, nr, len); memset(m + nr, 0, len); break;
		}
		CHECK_EQ(test_bit(nr, map), m[nr]);
		CHECK_EQ(find_next_bit(map, size, start),
			 model_next(m, size, start, true));
		CHECK_EQ(find_next_zero_bit(map, size, start),
			 model_next(m, size, start, false));
	}
	unsigned long w = 0, bit, seen = 0;

	for (unsigned long i = 0; i < size; i++)
		w += m[i];
	CHECK_EQ(bitmap_weight(map, size), w);
	for_each_set_bit(bit, map, size) {
		CHECK(m[bit], "for_each_set_bit gave clear bit %lu", bit);
		seen++;
	}
	CHECK_EQ(seen, w);
	bitmap_fill(map, size);
	CHECK_EQ(find_first_zero_bit(map, size), size);
	CHECK_EQ(bitmap_weight(map, size), size);
	free(map);
	free(m);
}

static void test_sizes(void)
{
	static const unsigned long sizes[] = { 1, 2, 63, 64, 65, 127, 128,
					       200, 1000, 4096 };

	for (size_t i = 0; i < ARRAY_SIZE(sizes); i++)
		round_for_size(sizes[i]);
}

static void test_edges(void)
{
	DECLARE_BITMAP(map, 130);

	bitmap_zero(map, 130);
	CHECK_EQ(find_first_bit(map, 130), 130);
	CHECK_EQ(find_next_bit(map, 130, 500), 130);
	set_bit(129, map);
	CHECK_EQ(find_first_bit(map, 130), 129);
	CHECK_EQ(find_next_bit(map, 129, 0), 129);
	set_bit(63, map);
	set_bit(64, map);
	CHECK_EQ(find_next_bit(map, 130, 64), 64);
	CHECK_EQ(find_next_bit(map, 130, 65), 129);
	clear_bit(64, map);
	CHECK(!test_bit(64, map) && test_bit(63, map), "clear_bit");
	CHECK_EQ(bitmap_weight(map, 130), 2);
	CHECK_EQ(bitmap_weight(map, 64), 1);
}

static unsigned long shared_word[1];

static void *hammer(void *arg)
{
	unsigned long bit = (unsigned long)arg;

	for (int i = 0; i < 200000; i++) {
		set_bit(bit, shared_word);
		clear_bit(bit, shared_word);
	}
	set_bit(bit, shared_word);
	return NULL;
}

static void test_atomic_race(void)
{
	pthread_t a, b;

	pthread_create(&a, NULL, hammer, (void *)3ul);
	pthread_create(&b, NULL, hammer, (void *)4ul);
	pthread_join(a, NULL);
	pthread_join(b, NULL);
	CHECK(shared_word[0] == 0x18ul, "word %#lx: an update was lost",
	      shared_word[0]);
}

int main(void)
{
	RUN(test_edges);
	RUN(test_sizes);
	RUN(test_atomic_race);
	return harness_exit();
}
